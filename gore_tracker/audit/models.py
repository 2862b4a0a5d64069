"""The append-only audit trail: one row per recorded change or authentication event.

Rows are only ever inserted. Triggers in the database refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL), on SQLite as on PostgreSQL (migration ``a1d17e0c0001``).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db

from .spec import Exempt

ENTITIES = ("meeting", "attendee", "topic", "other_topic", "region_block", "absence", "commitment",
            "user", "organization", "api_token", "import_draft", "auth")
ACTIONS = ("create", "update", "delete", "login", "login_failed", "logout", "lockout", "unlock",
           "handover")

ENTITY_LABELS = {
    "meeting": "Sesión (acta)", "attendee": "Asistente", "topic": "Tema", "other_topic": "Otro tema",
    "region_block": "Bloque regional", "absence": "Ausencia", "commitment": "Compromiso",
    "user": "Cuenta", "organization": "Entidad", "api_token": "Token de API",
    "import_draft": "Borrador de importación", "auth": "Acceso",
}
ACTION_LABELS = {
    "create": "Creación", "update": "Modificación", "delete": "Eliminación", "login": "Inicio de sesión",
    "login_failed": "Intento fallido", "logout": "Cierre de sesión", "lockout": "Bloqueo",
    "unlock": "Desbloqueo", "handover": "Pase a coordinación",
}


def _in(values) -> str:
    return "IN ('" + "','".join(values) + "')"


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __audit__ = Exempt("the audit trail itself")
    __table_args__ = (
        CheckConstraint("entity " + _in(ENTITIES), name="entity"),
        CheckConstraint("action " + _in(ACTIONS), name="action"),
        Index("ix_audit_entry_entity_entity_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Who: the account's e-mail when known, else "system" (scheduler, worker) or the e-mail
    # typed into a failed login. ``actor_id`` is kept without a foreign key: entries outlive
    # whatever they mention.
    actor: Mapped[str] = mapped_column(String(254), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(Integer)
    # From where: the client's address and user agent, or "cli" for command-line tools.
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[Optional[str]] = mapped_column(String(300))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    # {"field": {"before": …, "after": …}} for the fields that really changed.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    # Scope: the sector and meeting the entry belongs to, so a liaison sees their actas' entries.
    sector_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    meeting_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)

    @property
    def entity_label(self) -> str:
        return ENTITY_LABELS.get(self.entity, self.entity)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.actor} {self.action} {self.entity}:{self.entity_id}>"
