from __future__ import annotations

from sqlalchemy import select

from gore_tracker.audit.models import AuditEntry
from gore_tracker.extensions import db


def entries(**where) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(db.session.scalars(stmt))


def last_id() -> int:
    return db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def since(mark: int, **where) -> list[AuditEntry]:
    return [e for e in entries(**where) if e.id > mark]
