"""Forms of the admin area: accounts and organizations.

The forms shape and type-check input; the rules (a liaison needs a sector, names unique
within a kind, a unit belongs to a sector…) live in ``users.operations`` and
``organizations.operations``, whose field errors the views put back beside these fields —
the field names here are the keys those operations use (``org``, ``parent_id``…).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, EmailField, PasswordField, SearchField, SelectChoice, SelectField, StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from gore_tracker.organizations.models import OrgKind
from gore_tracker.users.models import Role
from gore_tracker.users.operations import MIN_PASSWORD
from gore_tracker.utils.numbers import parse_id

ROLE_CHOICES = [SelectChoice(r, Role.LABELS[r]) for r in Role.ALL]
KIND_CHOICES = [SelectChoice(k, OrgKind.LABELS[k]) for k in OrgKind.ADDABLE]


def _id(value):
    """Coerce a select's value to an organization id; "" is none."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    number = parse_id(value)
    return -1 if number is None else number  # -1 matches no choice: "Not a valid choice"


GROUPS = {OrgKind.SECTOR: "Sectores", OrgKind.REGION: "Gobiernos regionales"}


def org_choices(orgs, *, blank: str) -> list[SelectChoice]:
    """Organizations for a select, grouped (optgroups): sectors, regional governments, others."""
    order = {OrgKind.SECTOR: 0, OrgKind.REGION: 1}
    choices = [SelectChoice("", blank)]
    for org in sorted(orgs, key=lambda o: (order.get(o.kind, 2), o.name_key)):
        label = f"{org.code} · {org.name}" if org.kind == OrgKind.SECTOR else org.name
        choices.append(SelectChoice(str(org.id), label, optgroup=GROUPS.get(org.kind, "Otras entidades")))
    return choices


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Buscar por nombre o correo")
    role = SelectField("Rol", choices=[SelectChoice("", "Todos")] + ROLE_CHOICES, validate_choice=False)
    org = SelectField("Entidad", coerce=_id, validate_choice=False)


class UserForm(FlaskForm):
    """Create (with e-mail and optional password) or edit (with active) an account."""

    email = EmailField("Correo electrónico", validators=[
        DataRequired("Ingrese el correo."), Email("Correo no válido."), Length(max=254)])
    name = StringField("Nombre completo", validators=[DataRequired("Ingrese el nombre."), Length(max=200)])
    role = SelectField("Rol", choices=ROLE_CHOICES, default=Role.VIEWER)  # never admin by accident
    org = SelectField("Entidad", coerce=_id)
    password = PasswordField("Contraseña", validators=[
        Optional(), Length(min=MIN_PASSWORD, max=200,
                           message=f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.")])
    active = BooleanField("Cuenta activa (puede iniciar sesión)", default=True)

    def for_edit(self) -> "UserForm":
        del self.email
        del self.password
        return self

    def for_create(self) -> "UserForm":
        del self.active
        return self


class PasswordForm(FlaskForm):
    password = PasswordField("Nueva contraseña", validators=[
        Optional(), Length(min=MIN_PASSWORD, max=200,
                           message=f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.")])


class OrganizationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Buscar por nombre o sigla")
    kind = SelectField("Tipo",
                       choices=[SelectChoice("", "Todos")] + [SelectChoice(k, OrgKind.LABELS[k]) for k in OrgKind.ALL],
                       validate_choice=False)


class OrganizationForm(FlaskForm):
    kind = SelectField("Tipo de entidad", choices=KIND_CHOICES)
    name = StringField("Nombre", validators=[DataRequired("Ingrese el nombre."), Length(max=200)])
    code = StringField("Sigla o código", validators=[Optional(), Length(max=20)])
    official_name = StringField("Nombre oficial", validators=[Optional(), Length(max=300)])
    parent_id = SelectField("Depende de", coerce=_id)
    aliases = StringField("Otros nombres", validators=[Optional(), Length(max=1000)])
    active = BooleanField("Activa", default=True)

    def for_edit(self) -> "OrganizationForm":
        del self.kind
        return self

    def for_create(self) -> "OrganizationForm":
        del self.active
        return self
