"""Daily reminders: one email per recipient listing every commitment that needs a nudge.

Steps ("today" is the date in America/Lima of the ``now`` given):

* ``before-7:<due>`` — an open commitment (pendiente / en_proceso) due exactly today + 7;
* ``before-1:<due>`` — due exactly tomorrow;
* ``overdue-<n>:<due>`` — overdue by n = 1, 8, 15… days (the day after the due date, then
  every 7 days while it stays overdue);
* ``validation-3:<status update id>`` — to liaisons: waiting in ``por_validar`` for 3 or
  more days since the update that sent it there (once per validation round).

The due date is part of the step, so a commitment given a new deadline is reminded again
for the new one. Recipients: regional officers for their regional government's
commitments, liaisons for their sector's (and the validations); only active accounts
with an email and reminders switched on. Coordinators, admins and viewers get none.

``ReminderLog`` (commitment, user, step) ensures a step is reminded once: a second run the
same day only sends what is new (usually nothing). The email's idempotency key is
``reminder:<user id>:<YYYY-MM-DD>``; a later run the same day with new items uses
``…:<YYYY-MM-DD>:2``, ``:3``… Everything is read with a fixed number of queries,
whatever the number of commitments.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import join, joinedload

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.users.models import Role, User
from gore_tracker.utils.dates import today as lima_today

from . import emails, outbox
from .common import (
    LINE_COLUMNS, OrgName, days_between, days_phrase, lima_midnight, line_from, local_date, org_names,
    usable_email,
)
from .emails import CommitmentLine
from .models import OutboxMessage, ReminderLog

log = logging.getLogger(__name__)

BEFORE_DAYS = (7, 1)
OVERDUE_EVERY = 7
VALIDATION_DAYS = 3
KIND = "reminder"

SECTIONS = (
    ("overdue", "Vencidos"),
    ("tomorrow", "Vencen mañana"),
    ("week", "Vencen en 7 días"),
    ("validation", "Esperan su validación"),
)


@dataclass
class Section:
    key: str
    title: str
    lines: list[CommitmentLine] = field(default_factory=list)


@dataclass
class ReminderPlan:
    """What one recipient gets in this run: their new items, by section."""

    user: User
    scope_label: str
    sections: list[Section]
    steps: list[tuple[int, str]]  # (commitment id, step) to log
    scope_phrase: str = ""

    @property
    def count(self) -> int:
        return sum(len(s.lines) for s in self.sections)


@dataclass
class ReminderResult:
    today: date
    messages: list[OutboxMessage] = field(default_factory=list)
    plans: list[ReminderPlan] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(p.count for p in self.plans)


def reminder_key(user_id: int, today: date, n: int = 1) -> str:
    base = f"reminder:{user_id}:{today.isoformat()}"
    return base if n == 1 else f"{base}:{n}"


def recipients() -> list[User]:
    """Regional officers and liaisons who can and want to receive reminders."""
    return list(db.session.scalars(
        select(User).options(joinedload(User.organization)).where(
            *usable_email(), User.reminders_enabled.is_(True), User.organization_id.is_not(None),
            User.role.in_((Role.REGIONAL_OFFICER, Role.LIAISON)),
        ).order_by(User.id)
    ))


def _due_candidates(today: date, regions: set[int], sectors: set[int]):
    """Open commitments at a due-date step today, in the recipients' regions or sectors."""
    if not regions and not sectors:
        return []
    days = days_between(today, Commitment.due)
    return db.session.execute(
        select(*LINE_COLUMNS)
        .join(Meeting, Meeting.id == Commitment.meeting_id)
        .where(
            Commitment.status.in_(rules.OPEN), Commitment.due.is_not(None),
            or_(Commitment.region_id.in_(regions), Commitment.sector_id.in_(sectors)),
            or_(Commitment.due.in_([today + timedelta(days=d) for d in BEFORE_DAYS]),
                and_(Commitment.due < today, (days - 1) % OVERDUE_EVERY == 0)),
        )
    ).all()


def _waiting_validation(sectors: set[int]):
    """Ids of the ``por_validar`` commitments of these sectors (a subquery)."""
    return select(Commitment.id).where(Commitment.status == rules.POR_VALIDAR,
                                       Commitment.sector_id.in_(sectors))


def _validation_candidates(today: date, sectors: set[int]):
    """Commitments waiting for validation since ``today − 3`` or earlier (Lima dates)."""
    if not sectors:
        return []
    entry = (
        select(StatusUpdate.commitment_id, func.max(StatusUpdate.id).label("update_id"))
        .where(StatusUpdate.new_status == rules.POR_VALIDAR,
               or_(StatusUpdate.old_status.is_(None), StatusUpdate.old_status != rules.POR_VALIDAR),
               StatusUpdate.commitment_id.in_(_waiting_validation(sectors)))
        .group_by(StatusUpdate.commitment_id)
        .subquery()
    )
    cutoff = lima_midnight(today - timedelta(days=VALIDATION_DAYS - 1))
    return db.session.execute(
        select(*LINE_COLUMNS, StatusUpdate.id.label("update_id"), StatusUpdate.created_at.label("since"))
        .select_from(join(Commitment, Meeting, Meeting.id == Commitment.meeting_id)
                     .join(entry, entry.c.commitment_id == Commitment.id)
                     .join(StatusUpdate, StatusUpdate.id == entry.c.update_id))
        .where(Commitment.status == rules.POR_VALIDAR, Commitment.sector_id.in_(sectors),
               StatusUpdate.created_at < cutoff)
    ).all()


def _logged(today: date, sectors: set[int]) -> set[tuple[int, int, str]]:
    """(commitment, user, step) already reminded that could be due again today: date steps
    are only ever logged on their own day; validation steps of commitments still waiting."""
    conditions = [ReminderLog.reminded_on == today]
    if sectors:
        conditions.append(and_(ReminderLog.step.like("validation-%"),
                               ReminderLog.commitment_id.in_(_waiting_validation(sectors))))
    rows = db.session.execute(
        select(ReminderLog.commitment_id, ReminderLog.user_id, ReminderLog.step).where(or_(*conditions))
    )
    return {(r.commitment_id, r.user_id, r.step) for r in rows}


def _keys_used(today: date) -> dict[int, int]:
    """{user id: highest key number used today}."""
    used: dict[int, int] = {}
    prefix = f"reminder:%:{today.isoformat()}%"
    for key in db.session.scalars(select(OutboxMessage.idempotency_key)
                                  .where(OutboxMessage.idempotency_key.like(prefix))):
        parts = key.split(":")
        if len(parts) not in (3, 4) or parts[2] != today.isoformat() or not parts[1].isdigit():
            continue
        n = int(parts[3]) if len(parts) == 4 and parts[3].isdigit() else 1
        used[int(parts[1])] = max(used.get(int(parts[1]), 0), n)
    return used


def plan_due(now: datetime) -> tuple[date, list[ReminderPlan]]:
    """Who gets what today (Lima date of ``now``); reads only, writes nothing."""
    today = lima_today(now)
    people = recipients()
    officers: dict[int, list[User]] = defaultdict(list)
    liaisons: dict[int, list[User]] = defaultdict(list)
    for user in people:
        (officers if user.role == Role.REGIONAL_OFFICER else liaisons)[user.organization_id].append(user)
    orgs = org_names()
    logged = _logged(today, set(liaisons))

    # user id -> section key -> [(line, step)]
    found: dict[int, dict[str, list[tuple[CommitmentLine, str]]]] = defaultdict(lambda: defaultdict(list))

    def add(user: User, key: str, line: CommitmentLine, step: str) -> None:
        if (line.id, user.id, step) not in logged:
            found[user.id][key].append((line, step))

    for row in _due_candidates(today, set(officers), set(liaisons)):
        days = (today - row.due).days
        if days > 0:
            key, step, reason = "overdue", f"overdue-{days}:{row.due.isoformat()}", f"vencido hace {days_phrase(days)}"
        else:
            ahead = -days
            key = "tomorrow" if ahead == 1 else "week"
            step = f"before-{ahead}:{row.due.isoformat()}"
            reason = "vence mañana" if ahead == 1 else f"vence en {ahead} días"
        line = line_from(row, orgs, reason=reason, days=days)
        for user in officers.get(row.region_id, []) + liaisons.get(row.sector_id, []):
            add(user, key, line, step)

    for row in _validation_candidates(today, set(liaisons)):
        since = local_date(row.since)
        waited = (today - since).days
        line = line_from(row, orgs, reason=f"por validar desde hace {days_phrase(waited)}",
                         days=waited, waiting_since=since)
        for user in liaisons.get(row.sector_id, []):
            add(user, "validation", line, f"validation-{VALIDATION_DAYS}:{row.update_id}")

    plans = []
    for user in people:
        if user.id not in found:
            continue
        by_key = found[user.id]
        sections = []
        steps = []
        for key, title in SECTIONS:
            entries = by_key.get(key, [])
            if key in ("overdue", "validation"):  # the longest overdue or waiting first
                entries.sort(key=lambda e: (-(e[0].days or 0), e[0].id))
            else:
                entries.sort(key=lambda e: (e[0].region_name, e[0].id))
            if entries:
                sections.append(Section(key, title, [e[0] for e in entries]))
                steps.extend((e[0].id, e[1]) for e in entries)
        org = orgs.get(user.organization_id, OrgName())
        plans.append(ReminderPlan(user=user, scope_label=org.name, sections=sections, steps=steps,
                                  scope_phrase=org.phrase("region" if user.role == Role.REGIONAL_OFFICER
                                                          else "sector")))
    return today, plans


def enqueue_due(now: datetime) -> ReminderResult:
    """Write today's reminder emails to the outbox with their reminder log. Flushes; the
    caller (the scheduler job, the CLI) commits once, so a run is all or nothing.

    Idempotent: run twice, the second run enqueues only items that appeared in between.
    ``now`` must be timezone-aware (the scheduler passes the current time).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today, plans = plan_due(now)
    result = ReminderResult(today=today)
    used = _keys_used(today) if plans else {}
    with emails.link_context():
        for plan in plans:
            key = reminder_key(plan.user.id, today, used.get(plan.user.id, 0) + 1)
            rendered = emails.reminder_email(plan.user, today=today, scope_label=plan.scope_label,
                                             scope_phrase=plan.scope_phrase, sections=plan.sections)
            message = outbox.enqueue(key=key, kind=KIND, user=plan.user, subject=rendered.subject,
                                     text_body=rendered.text, html_body=rendered.html)
            if message is None:  # another run got there first
                continue
            # One executemany for the recipient's log rows (the ORM would insert them one by one).
            db.session.execute(insert(ReminderLog), [
                {"commitment_id": cid, "user_id": plan.user.id, "step": step, "reminded_on": today,
                 "outbox_key": key} for cid, step in plan.steps])
            result.messages.append(message)
            result.plans.append(plan)
    db.session.flush()
    log.info("reminders for %s: %d emails, %d items", today, len(result.messages), result.items)
    return result
