"""Accounts and API tokens: creating, changing, deactivating, issuing and revoking."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from gore_tracker import permissions
from gore_tracker.db import utcnow
from gore_tracker.exceptions import FieldErrors, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.text import collapse

from . import models
from .models import ApiToken, Role, User
from .passwords import MIN_PASSWORD_LENGTH, validate_new_password
from .sessions import end_sessions

MIN_PASSWORD = MIN_PASSWORD_LENGTH  # the name the admin forms used


def normalize_email(email: str) -> str:
    try:
        return validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed("Correo electrónico no válido.", {"email": [f"Correo no válido: {exc}"]})


def resolve_org_for_role(role: str, org_text: str | None):
    """The organization a liaison or regional officer belongs to, from free text."""
    kind = Role.ORG_KIND.get(role)
    if kind is None:
        if not org_text:
            return None
        found = orgs.find_org(org_text)
        if found is None:
            raise ValidationFailed("Entidad desconocida.", {"org": [f"Entidad desconocida: «{org_text}»."]})
        return found
    if not org_text:
        label = "un sector" if kind == "sector" else "un gobierno regional"
        raise ValidationFailed("Falta la entidad.", {"org": [f"El rol {Role.LABELS[role]} requiere {label}."]})
    found = orgs.find_sector(org_text) if kind == "sector" else orgs.find_region(org_text)
    if found is None:
        what = "Sector" if kind == "sector" else "Gobierno regional"
        raise ValidationFailed("Entidad desconocida.", {"org": [f"{what} desconocido: «{org_text}»."]})
    return found


def generate_password() -> str:
    """A random password (20 characters, about 120 bits), shown once to whoever set it."""
    return secrets.token_urlsafe(15)


def _check_password(password: str, email: str | None, name: str | None, errors: FieldErrors) -> None:
    try:
        validate_new_password(password, email=email, name=name)
    except ValidationFailed as exc:
        for message in exc.fields.get("password", [exc.message]):
            errors.add("password", message)


def create_user(*, email: str, name: str, role: str, organization=None, password: str | None = None,
                active: bool = True) -> User:
    errors = FieldErrors()
    if role not in Role.ALL:
        errors.add("role", "Rol no válido: use " + ", ".join(Role.ALL) + ".")
    name = collapse(name)
    if not name:
        errors.add("name", "Ingrese el nombre.")
    try:
        email = normalize_email(email)
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            errors.add("email", "Ya existe una cuenta con ese correo.")
    except ValidationFailed as exc:
        errors.fields.update(exc.fields)
    _check_org(role, organization, errors)
    if password is not None:
        _check_password(password, email, name, errors)
    errors.raise_if_any("Revise los datos de la cuenta.")
    user = User(email=email, name=name, role=role, organization=organization, active=active)
    user.set_password(password or generate_password())
    db.session.add(user)
    db.session.flush()
    return user


def _check_org(role: str, organization, errors: FieldErrors) -> None:
    """A liaison belongs to a sector and a regional officer to a regional government."""
    kind = Role.ORG_KIND.get(role)
    if kind and (organization is None or organization.kind != kind):
        errors.add("org", "El rol requiere " + ("un sector." if kind == "sector" else "un gobierno regional."))


def update_user(user: User, *, name: str, role: str, organization=None, active: bool = True,
                actor=None) -> User:
    """Change an account's name, role, organization and whether it may sign in (admins).

    An admin (``actor``) cannot take the admin role from, or deactivate, their own account,
    so there is always an admin left. Deactivating ends every session of the account and
    revokes its API tokens for good, so reactivating it later brings neither back.
    """
    errors = FieldErrors()
    if role not in Role.ALL:
        errors.add("role", "Rol no válido: use " + ", ".join(Role.ALL) + ".")
    name = collapse(name)
    if not name:
        errors.add("name", "Ingrese el nombre.")
    _check_org(role, organization, errors)
    if actor is not None and actor.id == user.id:
        if role != Role.ADMIN:
            errors.add("role", "No puede quitarse a sí mismo el rol de administrador.")
        if not active:
            errors.add("active", "No puede desactivar su propia cuenta.")
    errors.raise_if_any("Revise los datos de la cuenta.")
    deactivating = user.active and not active
    user.name = name
    user.role = role
    user.organization = organization
    user.active = active
    db.session.flush()
    if deactivating:
        deactivate_access(user)
    return user


def deactivate_access(user: User) -> None:
    """End every session and revoke every API token of ``user`` (flushed)."""
    end_sessions(user)
    revoke_all_tokens(user)


def set_password(user: User, password: str) -> None:
    """Set a new password chosen by a person (policy checked) and end every session (flushed).

    The one way a password changes: admin reset, the account's own change and the e-mail
    reset all come here. A caller that keeps its own request signed in logs in again after.
    """
    validate_new_password(password, email=user.email, name=user.name)
    user.set_password(password)
    end_sessions(user)


def reset_password(user: User, password: str | None = None) -> str:
    """An admin sets ``password``, or a generated one when None; returns the password set.

    Every session of the account ends and its API tokens are revoked: a reset is what an
    admin does when the account may be in someone else's hands.
    """
    if password is not None:
        set_password(user, password)
        value = password
    else:
        value = generate_password()
        user.set_password(value)
        end_sessions(user)
    revoke_all_tokens(user)
    db.session.flush()
    return value


def unlock_login(user: User, actor) -> None:
    """Lift a lockout: forget the account's failed sign-ins (admins; audited as ``unlock``)."""
    from gore_tracker.audit import record_event
    from gore_tracker.auth import throttle

    if not permissions.can_unlock_account(actor, user):
        raise PermissionDenied("No puede desbloquear cuentas.")
    throttle.unlock_account(user.email)
    record_event("unlock", entity_id=user.id)
    db.session.flush()


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password, made with the configured method (so checking it costs the same)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        from werkzeug.security import generate_password_hash

        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User | None:
    """The active account ``email`` whose password is ``password``, else None.

    Exactly one password-hash check either way — against a dummy hash when no account has
    that address, and also for a deactivated one — so the time taken tells nothing.
    """
    user = find_user(email)
    if user is None:
        models.password_matches(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or ""):
        return None
    return user if user.is_active else None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new API token for ``user``, valid API_TOKEN_DAYS; only its hash is kept, the token is returned once."""
    token = "gt_" + secrets.token_urlsafe(32)
    now = utcnow()
    days = int(current_app.config.get("API_TOKEN_DAYS", 365))
    db.session.add(ApiToken(user=user, token_hash=_hash(token), created_at=now,
                            expires_at=now + timedelta(days=days)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active account of a valid (not revoked, not expired) token; records its use."""
    if not token:
        return None
    now = utcnow()
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == _hash(token), ApiToken.revoked.is_(False), ApiToken.expires_at > now))
    if row is None or not row.user.is_active:
        return None
    row.last_used_at = now
    return row.user


def list_tokens(user: User, *, include_inactive: bool = True) -> list[ApiToken]:
    """``user``'s API tokens, newest first; without revoked and expired ones unless asked."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if not include_inactive:
        query = query.where(ApiToken.revoked.is_(False), ApiToken.expires_at > utcnow())
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(token: ApiToken, actor: User) -> None:
    """Revoke one token: its owner or an admin (flushed). Revoking twice is harmless."""
    if not permissions.can_revoke_token(actor, token):
        raise PermissionDenied("No puede revocar este token.")
    token.revoked = True
    db.session.flush()


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of ``user`` not revoked yet; returns how many (flushed)."""
    rows = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.revoked.is_(False))))
    for row in rows:
        row.revoked = True
    db.session.flush()
    return len(rows)
