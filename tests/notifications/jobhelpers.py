"""Helpers for the reminder and digest tests: commitments at a given date and status,
status updates at a given moment, the outbox as a list, SQL statement counting."""
from __future__ import annotations

import contextlib
import itertools
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import event, select, update

from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.extensions import db
from gore_tracker.notifications.models import OutboxMessage, ReminderLog

LIMA = ZoneInfo("America/Lima")
_days = itertools.count(1)

SECTORS = {"MINSA": "Ministerio de Salud", "MINEDU": "Ministerio de Educación",
           "MTC": "Ministerio de Transportes y Comunicaciones"}


def lima(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """``hour:minute`` of ``day`` in Lima, as an aware UTC moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=LIMA).astimezone(timezone.utc)


def commitment(make, actor, region: str = "Cusco", *, sector: str = "MINSA", due: date | None = None,
               status: str = "pendiente", text: str | None = None) -> Commitment:
    """One commitment of a fresh acta of ``sector``, moved to ``status`` by ``actor`` (admin)."""
    from gore_tracker.commitments.operations import apply_update

    day = date(2023, 1, 1).toordinal() + next(_days)
    m = make.meeting(actor, regions=((region, 1),), sector_name=SECTORS.get(sector, sector),
                     day=date.fromordinal(day).isoformat())
    c = m.commitments[0]
    if text:
        c.text = text
    c.due = due
    db.session.commit()
    if status != "pendiente":
        apply_update(c, actor, status=status, note="Preparado por la prueba", version=c.version)
        db.session.commit()
    return c


def move(c: Commitment, actor, status: str, *, at: datetime | None = None, note: str = "Cambio de prueba",
         progress: int | None = None) -> StatusUpdate:
    """Apply an update to ``c`` and date it ``at`` (a UTC moment)."""
    from gore_tracker.commitments.operations import apply_update

    su = apply_update(c, actor, status=status, note=note, progress=progress, version=c.version)
    db.session.commit()
    if at is not None:
        date_update(su, at)
    return su


def date_update(su: StatusUpdate, at: datetime) -> None:
    db.session.execute(update(StatusUpdate).where(StatusUpdate.id == su.id).values(created_at=at))
    db.session.commit()
    db.session.expire_all()


def last_update(c: Commitment) -> StatusUpdate:
    return db.session.scalars(select(StatusUpdate).where(StatusUpdate.commitment_id == c.id)
                              .order_by(StatusUpdate.id.desc())).first()


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(stmt))


def to(address: str, kind: str | None = None) -> list[OutboxMessage]:
    return [m for m in outbox(kind) if m.to_email == address]


def steps(user=None) -> set[tuple[int, str]]:
    stmt = select(ReminderLog.commitment_id, ReminderLog.step, ReminderLog.user_id)
    return {(r.commitment_id, r.step) for r in db.session.execute(stmt) if user is None or r.user_id == user.id}


@contextlib.contextmanager
def count_statements():
    """Count the SQL statements sent to the database inside the block: ``with … as n: …; n[0]``."""
    counter = [0]
    engine = db.session.get_bind()
    engine = getattr(engine, "engine", engine)

    def _count(*_args, **_kwargs):
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def mentions(message_or_text, c) -> bool:
    """Whether an email (or its text) links to commitment ``c``."""
    import re

    text = getattr(message_or_text, "text_body", message_or_text)
    return re.search(rf"/compromisos/{c.id}(?!\d)", text) is not None
