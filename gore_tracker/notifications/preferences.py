"""Email preferences: reminders on/off, weekly digest on/off (each user, their own)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField

from gore_tracker.extensions import db
from gore_tracker.users.models import Role, User

from .common import OrgName

REMINDER_ROLES = (Role.REGIONAL_OFFICER, Role.LIAISON)


class PreferencesForm(FlaskForm):
    reminders = BooleanField("Recordatorios de plazos")
    digest = BooleanField("Resumen semanal (los lunes)")


def gets_reminders(user: User) -> bool:
    """Whether the user's role receives reminders at all."""
    return user.role in REMINDER_ROLES and user.organization_id is not None


def describe(user: User) -> dict[str, str]:
    """What each kind of email would bring this user, in Spanish."""
    o = user.organization
    org = OrgName(o.name, o.code or "", o.official_name or "") if o is not None else OrgName()
    if user.role == Role.REGIONAL_OFFICER:
        of = org.phrase("region")
        reminders = (f"Un correo por día, solo cuando hay novedades: compromisos {of} que vencen en "
                     "7 días o mañana, y los vencidos (al día siguiente del plazo y luego cada semana).")
        digest = f"Los lunes: los compromisos {of} vencidos y por vencer, los cambios de la semana y las cifras."
    elif user.role == Role.LIAISON:
        of = org.phrase("sector")
        reminders = (f"Un correo por día, solo cuando hay novedades: compromisos {of} que vencen en "
                     "7 días o mañana, los vencidos y los que esperan su validación hace 3 días o más.")
        digest = (f"Los lunes: los compromisos {of} por gobierno regional (vencidos, próximos 14 días, "
                  "cambios de la semana), los que esperan su validación y las cifras.")
    else:
        reminders = "Su rol no recibe recordatorios de plazos."
        digest = "Los lunes: el resumen nacional (vencidos, próximos 14 días, cambios de la semana y cifras)."
        if user.role == Role.VIEWER:
            digest += " Para su rol está desactivado salvo que lo active."
    return {"reminders": reminders, "digest": digest}


def set_preferences(user: User, *, reminders: bool | None, digest: bool) -> None:
    """Record the user's choice (flushes). ``reminders`` None leaves it unchanged (roles
    that get no reminders). The digest choice is stored explicitly, overriding the
    role's default."""
    if reminders is not None:
        user.reminders_enabled = bool(reminders)
    user.digest_enabled = bool(digest)
    db.session.flush()
