"""Creating users and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from gore_tracker.db import utcnow
from gore_tracker.exceptions import FieldErrors, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.text import collapse

from .models import ApiToken, Role, User

MIN_PASSWORD = 10


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
    return secrets.token_urlsafe(12)


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
    if password is not None and len(password) < MIN_PASSWORD:
        errors.add("password", f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.")
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
    so there is always an admin left.
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
    user.name = name
    user.role = role
    user.organization = organization
    user.active = active
    db.session.flush()
    return user


def reset_password(user: User, password: str | None = None) -> str:
    """Set ``password``, or a generated one when None; returns the password set (flushed)."""
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationFailed("Contraseña demasiado corta.", {
            "password": [f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres."]})
    value = password or generate_password()
    user.set_password(value)
    db.session.flush()
    return value


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new API token for ``user``; only its hash is kept, the token is returned once."""
    token = "gt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_hash(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.is_active:
        return None
    row.last_used_at = utcnow()
    return row.user
