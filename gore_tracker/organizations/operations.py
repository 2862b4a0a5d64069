"""Loading the reference lists and looking organizations up."""
from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import select

from gore_tracker import permissions
from gore_tracker.exceptions import FieldErrors, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.utils.text import collapse, fold

from . import rules
from .models import Organization, OrgKind


def _read(name: str) -> list[dict]:
    text = resources.files("gore_tracker.organizations").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_reference() -> dict[str, int]:
    """Insert or update the 26 regional governments and 19 sectors. Idempotent.

    Returns counts of created and updated rows. Flushes, does not commit.
    """
    counts = {"created": 0, "updated": 0}
    rows = [(OrgKind.REGION, r["code"], r["name"], r["official_name"], r["aliases"]) for r in _read("regions.csv")]
    rows += [(OrgKind.SECTOR, r["acronym"], r["name"], r["name"], "") for r in _read("sectors.csv")]
    existing = {
        (o.kind, o.code): o
        for o in db.session.scalars(select(Organization).where(Organization.kind.in_([OrgKind.REGION, OrgKind.SECTOR])))
    }
    for kind, code, name, official, aliases in rows:
        org = existing.get((kind, code))
        values = {"name": name, "official_name": official, "aliases": aliases or "", "name_key": fold(name)}
        if org is None:
            db.session.add(Organization(kind=kind, code=code, active=True, **values))
            counts["created"] += 1
        elif any(getattr(org, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(org, k, v)
            counts["updated"] += 1
    db.session.flush()
    return counts


def regions() -> list[Organization]:
    return list(db.session.scalars(
        select(Organization).where(Organization.kind == OrgKind.REGION).order_by(Organization.name_key)
    ))


def sectors() -> list[Organization]:
    return list(db.session.scalars(
        select(Organization).where(Organization.kind == OrgKind.SECTOR).order_by(Organization.name_key)
    ))


def recordable_sectors(user) -> list[Organization]:
    """The sectors ``user`` may record actas for (``permissions.can_record_meeting``)."""
    return [s for s in sectors() if permissions.can_record_meeting(user, s.id)]


def find_region(text: str | None) -> Organization | None:
    return rules.match(text, regions(), region=True)


def find_sector(text: str | None) -> Organization | None:
    return rules.match(text, sectors())


def find_org(text: str | None) -> Organization | None:
    """A regional government (code, name, alias) or a sector (acronym, name), then any other."""
    found = find_region(text) or find_sector(text)
    if found is None and text:
        others = db.session.scalars(
            select(Organization).where(Organization.kind.in_(OrgKind.ADDABLE), Organization.active)
        )
        found = rules.match(text, others)
    return found


def _check_organization(kind: str, name: str, code: str | None, parent: Organization | None,
                        exclude_id: int | None = None) -> None:
    """Field errors of an added body: kind, name and code unique within the kind, a unit's sector."""
    errors = FieldErrors()
    if kind not in OrgKind.ADDABLE:
        errors.add("kind", "Tipo de entidad no válido.")

    def taken(column, value) -> bool:
        stmt = select(Organization.id).where(Organization.kind == kind, column == value)
        if exclude_id is not None:
            stmt = stmt.where(Organization.id != exclude_id)
        return db.session.scalar(stmt) is not None

    if not name:
        errors.add("name", "Ingrese el nombre.")
    elif taken(Organization.name_key, fold(name)):
        errors.add("name", "Ya existe una entidad de ese tipo con ese nombre.")
    if code and taken(Organization.code, code):
        errors.add("code", "Ya existe una entidad de ese tipo con esa sigla o código.")
    if kind == OrgKind.UNIT and (parent is None or parent.kind != OrgKind.SECTOR):
        errors.add("parent_id", "Una unidad o programa debe pertenecer a un sector.")
    if parent is not None and exclude_id is not None and parent.id == exclude_id:
        errors.add("parent_id", "Una entidad no puede depender de sí misma.")
    errors.raise_if_any("Revise los datos de la entidad.")


def create_organization(*, kind: str, name: str, code: str | None = None,
                        official_name: str | None = None, parent: Organization | None = None,
                        aliases: str = "") -> Organization:
    """Add a municipality, program unit, health network or other body (admins)."""
    name = collapse(name)
    code = collapse(code) or None
    _check_organization(kind, name, code, parent)
    org = Organization(kind=kind, name=name, name_key=fold(name), code=code,
                       official_name=collapse(official_name) or name, parent=parent, aliases=aliases or "")
    db.session.add(org)
    db.session.flush()
    return org


def update_organization(org: Organization, *, name: str, code: str | None = None,
                        official_name: str | None = None, parent: Organization | None = None,
                        aliases: str = "", active: bool = True) -> Organization:
    """Edit a body added by admins; the reference lists (regions, sectors) come from
    ``flask refdata load`` and are not edited here."""
    if org.kind not in OrgKind.ADDABLE:
        raise ValidationFailed("Los gobiernos regionales y los sectores son datos de referencia.",
                               {"kind": ["Esta entidad no se puede editar."]})
    name = collapse(name)
    code = collapse(code) or None
    _check_organization(org.kind, name, code, parent, exclude_id=org.id)
    org.name = name
    org.name_key = fold(name)
    org.code = code
    org.official_name = collapse(official_name) or name
    org.parent = parent
    org.aliases = aliases or ""
    org.active = active
    db.session.flush()
    return org
