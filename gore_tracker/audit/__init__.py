"""The audit trail: who changed what, when and from where — append-only.

Changes to audited models are captured in one place, ``capture`` (a SQLAlchemy
``after_flush`` listener), in the same transaction as the change. Events that are not a
row change (logins, failed logins, logouts, lockouts) are written with ``record_event``.
"""
from __future__ import annotations

from .context import SYSTEM, acting_as, current_actor, reason
from .spec import Audited, Exempt

__all__ = ["Audited", "Exempt", "SYSTEM", "acting_as", "current_actor", "reason", "record_event"]


def record_event(action: str, *, entity: str = "auth", entity_id: int | None = None,
                 actor_label: str | None = None, changes: dict | None = None,
                 sector_id: int | None = None, meeting_id: int | None = None,
                 note: str | None = None):
    """Add one entry for an event that is not a row change (flushed with the session).

    ``actor_label`` names the actor when the request has no signed-in account (a failed
    login records the e-mail that was typed).
    """
    from gore_tracker.extensions import db

    from .models import AuditEntry

    actor = current_actor()
    entry = AuditEntry(actor=(actor_label or actor.label)[:254], actor_id=actor.id if not actor_label else None,
                       ip=actor.ip, user_agent=actor.user_agent, entity=entity, entity_id=entity_id,
                       action=action, changes=changes or {}, reason=note, sector_id=sector_id,
                       meeting_id=meeting_id)
    db.session.add(entry)
    return entry
