"""Listing meetings and counting their commitments — in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment
from gore_tracker.commitments.queries import overdue_clause
from gore_tracker.extensions import db
from gore_tracker.utils.dates import today as lima_today

from .models import Attendee, Meeting, RegionBlock, Topic


@dataclass
class MeetingFilters:
    sector_id: int | None = None
    body: str | None = None
    year: int | None = None


@dataclass
class CommitmentCounts:
    total: int = 0
    fulfilled: int = 0
    overdue: int = 0


def filtered(f: MeetingFilters) -> Select:
    """``SELECT meeting`` with the filters applied, newest first, regions and sector loaded."""
    stmt = select(Meeting).options(
        joinedload(Meeting.sector),
        selectinload(Meeting.blocks).joinedload(RegionBlock.region),
    )
    if f.sector_id:
        stmt = stmt.where(Meeting.sector_id == f.sector_id)
    if f.body:
        stmt = stmt.where(Meeting.body == f.body)
    if f.year:
        stmt = stmt.where(Meeting.date >= date(f.year, 1, 1), Meeting.date < date(f.year + 1, 1, 1))
    return stmt.order_by(Meeting.date.desc(), Meeting.id.desc())


def commitment_counts(meeting_ids, today: date | None = None) -> dict[int, CommitmentCounts]:
    """Per meeting: how many commitments, how many fulfilled (cumplido), how many overdue."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    today = today or lima_today()
    rows = db.session.execute(
        select(
            Commitment.meeting_id,
            func.count(Commitment.id),
            func.sum(case((Commitment.status == rules.CUMPLIDO, 1), else_=0)),
            func.sum(case((overdue_clause(today), 1), else_=0)),
        ).where(Commitment.meeting_id.in_(ids)).group_by(Commitment.meeting_id)
    ).all()
    counts = {mid: CommitmentCounts() for mid in ids}
    for mid, total, fulfilled, overdue in rows:
        counts[mid] = CommitmentCounts(int(total), int(fulfilled or 0), int(overdue or 0))
    return counts


def bodies() -> list[str]:
    """Every body (instancia) with a recorded meeting, plus nothing else."""
    return list(db.session.scalars(select(Meeting.body).distinct().order_by(Meeting.body)))


def years() -> list[int]:
    """The years that have meetings, newest first."""
    first, last = db.session.execute(select(func.min(Meeting.date), func.max(Meeting.date))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def load_for_page(meeting_id: int) -> Meeting | None:
    """A meeting with everything its acta page shows, in a handful of queries."""
    return db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(
            joinedload(Meeting.sector),
            selectinload(Meeting.attendees).joinedload(Attendee.organization),
            selectinload(Meeting.blocks).joinedload(RegionBlock.region),
            selectinload(Meeting.topics).selectinload(Topic.commitments).selectinload(
                Commitment.responsible_orgs),
            selectinload(Meeting.other_topics),
            selectinload(Meeting.absences),
        )
    )
