"""Users, their roles and API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gore_tracker.audit.spec import Audited
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db
from gore_tracker.organizations.models import Organization

from .sessions import new_session_epoch, session_id


def password_matches(password_hash: str, password: str) -> bool:
    """The one password-hash check (werkzeug), for accounts and the dummy of unknown e-mails."""
    return check_password_hash(password_hash, password)


class Role:
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LIAISON = "liaison"
    REGIONAL_OFFICER = "regional_officer"
    VIEWER = "viewer"

    ALL = (ADMIN, COORDINATOR, LIAISON, REGIONAL_OFFICER, VIEWER)
    LABELS = {
        ADMIN: "Administrador",
        COORDINATOR: "Coordinador (PCM)",
        LIAISON: "Enlace sectorial",
        REGIONAL_OFFICER: "Funcionario regional",
        VIEWER: "Consulta",
    }
    # Roles bound to one organization, and the kind that organization must be.
    ORG_KIND = {LIAISON: "sector", REGIONAL_OFFICER: "region"}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    # session_epoch changes at every logout: bookkeeping, and a secret-ish value.
    # The TOTP secret is recorded as "mfa: [oculto]" (enrolled or not); its replay guard and the
    # recovery-code hashes are bookkeeping.
    __audit__ = Audited("user", redact={"password_hash": "password", "mfa_secret": "mfa"},
                        exclude=frozenset({"session_epoch", "mfa_last_step", "mfa_recovery"}))
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin','coordinator','liaison','regional_officer','viewer')", name="role"
        ),
        CheckConstraint(
            "role NOT IN ('liaison','regional_officer') OR organization_id IS NOT NULL",
            name="org_required",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    # Part of the id Flask-Login keeps in the cookies; a new value ends every session (sessions.py).
    session_epoch: Mapped[str] = mapped_column(String(32), default=new_session_epoch)
    # Optional second factor (users/mfa.py): TOTP secret (base32), the last time step accepted
    # (a code works once), SHA-256 hashes of the unused one-time recovery codes.
    mfa_secret: Mapped[Optional[str]] = mapped_column(String(64))
    mfa_last_step: Mapped[Optional[int]] = mapped_column(BigInteger)
    mfa_recovery: Mapped[Optional[list]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Email preferences: reminders on/off; digest on/off, None = the role's default
    # (on for everyone but viewers).
    reminders_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    digest_enabled: Mapped[Optional[bool]] = mapped_column(default=None)

    organization: Mapped[Optional[Organization]] = relationship()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and password_matches(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login "alternative token": id + session epoch
        return session_id(self)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return bool(self.active)

    @property
    def wants_digest(self) -> bool:
        if self.digest_enabled is None:
            return self.role != Role.VIEWER
        return bool(self.digest_enabled)

    @property
    def role_label(self) -> str:
        return Role.LABELS.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __audit__ = Audited("api_token", exclude=frozenset({"token_hash"}))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Set when issued: created_at + API_TOKEN_DAYS. An expired token answers 401.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()

    STATE_LABELS = {"active": "Vigente", "expired": "Vencido", "revoked": "Revocado"}

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked:
            return "revoked"
        return "expired" if self.expires_at <= (now or utcnow()) else "active"

    @property
    def state_label(self) -> str:
        return self.STATE_LABELS[self.state()]
