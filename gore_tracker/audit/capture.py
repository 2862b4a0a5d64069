"""The one capture point: after every flush, an entry for each audited object created,
changed or deleted, written in the same transaction (so a rollback takes it away too).

Values are made JSON-friendly (dates as ISO text, decimals as text) and foreign keys to
organizations are recorded as the organization's name, which is what a reader needs.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Mapper, Session

from gore_tracker.db import utcnow

from .context import current_actor, current_reason
from .spec import IGNORED_COLUMNS, REDACTED, Audited, spec_for


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def _org_name(session: Session, org_id):
    if org_id is None:
        return None
    from gore_tracker.organizations.models import Organization

    org = session.identity_map.get((Organization, (org_id,), None)) or session.get(Organization, org_id)
    return org.name if org is not None else org_id


def _columns(obj, spec: Audited):
    """(attribute key, recorded field name, column) of the columns this spec records."""
    mapper = inspect(obj).mapper
    for prop in mapper.column_attrs:
        key = prop.key
        column = prop.columns[0]
        if key in IGNORED_COLUMNS or key in spec.exclude or column.primary_key:
            continue
        name = spec.redact.get(key, key)
        yield key, name, column


def _refers_to_org(column) -> bool:
    return any(fk.column.table.name == "organization" for fk in column.foreign_keys)


def _value(session, column, value):
    if _refers_to_org(column):
        return _org_name(session, value)
    return _plain(value)


def _field(name: str, column) -> str:
    if _refers_to_org(column) and name.endswith("_id"):
        return name[:-3]
    return name


def _collection_names(items) -> list[str]:
    return sorted(str(getattr(o, "name", o)) for o in items)


def _snapshot(session, obj, spec: Audited) -> dict:
    """Every recorded field's current value (for creates and deletes)."""
    state = inspect(obj)
    values = {}
    for key, name, column in _columns(obj, spec):
        if key not in state.dict:
            continue  # not loaded: a server default, or expired before a delete
        value = state.dict[key]
        if key in spec.redact:
            values[name] = REDACTED if value else None
        else:
            values[_field(name, column)] = _value(session, column, value)
    for key in spec.collections:
        values[key] = _collection_names(getattr(obj, key))
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _diff(session, obj, spec: Audited) -> dict:
    """Before/after of the recorded fields whose value really changed in this flush."""
    state = inspect(obj)
    changes = {}
    for key, name, column in _columns(obj, spec):
        history = state.attrs[key].history
        if not history.added and not history.deleted:
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        if key in spec.redact:
            changes[name] = {"before": REDACTED if before else None, "after": REDACTED if after else None}
        else:
            changes[_field(name, column)] = {"before": _value(session, column, before),
                                             "after": _value(session, column, after)}
    for key in spec.collections:
        history = state.attrs[key].history
        if not history.added and not history.deleted:
            continue
        before = _collection_names(list(history.unchanged) + list(history.deleted))
        after = _collection_names(list(history.unchanged) + list(history.added))
        if before != after:
            changes[key] = {"before": before, "after": after}
    return changes


def _primary_key(obj):
    # New rows have their id by now, but become persistent (``identity``) only after this event.
    state = inspect(obj)
    (column,) = state.mapper.primary_key
    return state.dict.get(state.mapper.get_property_by_column(column).key)


def _row(obj, spec: Audited, action: str, changes: dict, actor, at, reason) -> dict:
    sector_id, meeting_id = spec.scope(obj) if spec.scope else (None, None)
    return {
        "at": at, "actor": actor.label, "actor_id": actor.id, "ip": actor.ip, "user_agent": actor.user_agent,
        "entity": spec.entity, "entity_id": _primary_key(obj),
        "action": action, "changes": changes, "reason": reason,
        "sector_id": sector_id, "meeting_id": meeting_id,
    }


def _deleted(session: Session, flush_context) -> list:
    """Everything this flush deleted: explicit deletes, and orphans and cascades too (which
    ``session.deleted`` does not list)."""
    found = [state.obj() for state, (isdelete, listonly) in flush_context.states.items()
             if isdelete and not listonly and state.obj() is not None]
    return found or list(session.deleted)


def entries_for_flush(session: Session, flush_context) -> list[dict]:
    actor = current_actor()
    reason = current_reason()
    at = utcnow()
    rows = []
    deleted = _deleted(session, flush_context)
    dirty = [o for o in session.dirty if o not in set(deleted)]
    for action, objects in (("create", session.new), ("update", dirty), ("delete", deleted)):
        for obj in objects:
            spec = spec_for(obj)
            if not isinstance(spec, Audited):
                continue
            if action == "update":
                changes = _diff(session, obj, spec)
                if not changes:
                    continue
            else:  # every recorded field, as {"before": None, "after": v} or the reverse
                side = "after" if action == "create" else "before"
                other = "before" if side == "after" else "after"
                changes = {k: {other: None, side: v} for k, v in _snapshot(session, obj, spec).items()}
            rows.append(_row(obj, spec, action, changes, actor, at, reason))
    return rows


@event.listens_for(Mapper, "mapper_configured")
def _keep_old_values(mapper: Mapper, class_) -> None:
    """Load the old value before an audited column is overwritten, even when the row was
    expired (after a commit): without it the entry could not say what the field said before."""
    if isinstance(getattr(class_, "__audit__", None), Audited):
        for prop in mapper.column_attrs:
            mapper.class_manager[prop.key].impl.active_history = True


@event.listens_for(Session, "after_flush")
def _capture(session: Session, flush_context) -> None:
    rows = entries_for_flush(session, flush_context)
    if rows:
        from .models import AuditEntry

        session.connection().execute(insert(AuditEntry.__table__), rows)
