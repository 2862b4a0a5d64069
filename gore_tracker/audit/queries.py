"""Reading the audit trail: the filters of the Auditoría page and ``GET /api/v1/audit``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from gore_tracker.exceptions import FieldErrors
from gore_tracker.utils.dates import parse_field, tz
from gore_tracker.utils.numbers import DB_INT_MAX, parse_id

from .models import ACTIONS, ENTITIES, AuditEntry



@dataclass
class AuditFilters:
    entity: str | None = None
    entity_id: int | None = None
    meeting_id: int | None = None
    actor: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _int(raw, name: str, errors: FieldErrors) -> int | None:
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        errors.add(name, f"Debe ser un número entero entre 1 y {DB_INT_MAX}.")
    return value


def parse_filters(args, errors: FieldErrors) -> AuditFilters:
    """Filters from a query string (``entity``, ``id``, ``meeting_id``, ``actor``, ``action``,
    ``from``, ``to``); a value out of range is reported in ``errors`` and left out."""
    f = AuditFilters()
    entity = (args.get("entity") or "").strip()
    if entity:
        if entity in ENTITIES:
            f.entity = entity
        else:
            errors.add("entity", "Entidad no válida; use una de: " + ", ".join(ENTITIES) + ".")
    action = (args.get("action") or "").strip()
    if action:
        if action in ACTIONS:
            f.action = action
        else:
            errors.add("action", "Acción no válida; use una de: " + ", ".join(ACTIONS) + ".")
    f.entity_id = _int(args.get("id"), "id", errors)
    f.meeting_id = _int(args.get("meeting_id"), "meeting_id", errors)
    actor = (args.get("actor") or "").strip()
    f.actor = actor[:254] or None
    f.date_from = parse_field((args.get("from") or "").strip(), "from", errors)
    f.date_to = parse_field((args.get("to") or "").strip(), "to", errors)
    return f


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in Lima (the dates people type), as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=tz())


def entries(f: AuditFilters, *, sector_id: int | None = None) -> Select:
    """Entries matching ``f``, newest first; ``sector_id`` limits them to one sector's actas
    (what a liaison may see)."""
    stmt = select(AuditEntry)
    if sector_id is not None:
        stmt = stmt.where(AuditEntry.sector_id == sector_id)
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
    if f.meeting_id is not None:
        stmt = stmt.where(AuditEntry.meeting_id == f.meeting_id)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.actor:
        stmt = stmt.where(func.lower(AuditEntry.actor).contains(f.actor.lower(), autoescape=True))
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= _start_of(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < _start_of(f.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
