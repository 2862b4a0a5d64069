"""Users, their roles and API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from gore_tracker.audit.spec import Audited
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db
from gore_tracker.organizations.models import Organization

from .sessions import new_session_epoch, session_id


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
    __audit__ = Audited("user", redact={"password_hash": "password"}, exclude=frozenset({"session_epoch"}))
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
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
