"""Queries behind the home pages (in SQL), and eager loading for commitment rows."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.commitments.queries import (
    CommitmentFilters, filtered, ordered, overdue_clause, preload,
)
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting

SOON_DAYS = 14
LIMIT = 20


def _scope(stmt, *, region_id: int | None = None, sector_id: int | None = None):
    if region_id is not None:
        stmt = stmt.where(Commitment.region_id == region_id)
    if sector_id is not None:
        stmt = stmt.where(Commitment.sector_id == sector_id)
    return stmt


def _page(stmt, limit: int) -> tuple[list[Commitment], int]:
    """The first ``limit`` rows of ``stmt`` and the total count, both in SQL."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = preload(db.session.scalars(stmt.limit(limit)))
    return rows, int(total or 0)


def soon_limit(today: date, days: int = SOON_DAYS) -> date:
    return today + timedelta(days=days)


def needing_attention(today: date, *, region_id=None, sector_id=None, days: int = SOON_DAYS,
                      limit: int = LIMIT):
    """Open commitments overdue or due within ``days``: most overdue first."""
    stmt = select(Commitment).where(
        Commitment.status.in_(rules.OPEN), Commitment.due.is_not(None),
        Commitment.due <= soon_limit(today, days),
    ).order_by(Commitment.due, Commitment.id)
    return _page(_scope(stmt, region_id=region_id, sector_id=sector_id), limit)


def open_not_urgent(today: date, *, region_id=None, sector_id=None, days: int = SOON_DAYS,
                    limit: int = LIMIT):
    """Open (pendiente / en_proceso) commitments not already listed as overdue or due soon."""
    stmt = select(Commitment).where(
        Commitment.status.in_(rules.OPEN),
        (Commitment.due.is_(None)) | (Commitment.due > soon_limit(today, days)),
    ).order_by(case((Commitment.status == rules.PENDIENTE, 0), else_=1),
               case((Commitment.due.is_(None), 1), else_=0), Commitment.due, Commitment.id)
    return _page(_scope(stmt, region_id=region_id, sector_id=sector_id), limit)


def waiting_validation(*, region_id=None, sector_id=None, limit: int = LIMIT):
    """Commitments in ``por_validar``, those waiting longest first."""
    sent = (select(func.max(StatusUpdate.created_at))
            .where(StatusUpdate.commitment_id == Commitment.id,
                   StatusUpdate.new_status == rules.POR_VALIDAR)
            .correlate(Commitment).scalar_subquery())
    stmt = select(Commitment).where(Commitment.status == rules.POR_VALIDAR).order_by(sent, Commitment.id)
    return _page(_scope(stmt, region_id=region_id, sector_id=sector_id), limit)


def most_overdue(today: date, limit: int = 10):
    stmt = ordered(filtered(CommitmentFilters(overdue=True), today), "overdue", today)
    return _page(stmt, limit)


def totals(today: date) -> dict:
    """National totals: by status, overdue and the compliance rate cumplido / (total − anulado)."""
    cols = [func.count().label("total")]
    for s in rules.STATUSES:
        cols.append(func.sum(case((Commitment.status == s, 1), else_=0)).label(s))
    cols.append(func.sum(case((overdue_clause(today), 1), else_=0)).label("overdue"))
    row = db.session.execute(select(*cols).select_from(Commitment)).one()
    by_status = {s: int(getattr(row, s) or 0) for s in rules.STATUSES}
    total = int(row.total or 0)
    denominator = total - by_status[rules.ANULADO]
    return {
        "total": total,
        "by_status": by_status,
        "overdue": int(row.overdue or 0),
        "compliance_rate": by_status[rules.CUMPLIDO] / denominator if denominator else None,
        "meetings": int(db.session.scalar(select(func.count()).select_from(Meeting)) or 0),
    }


def scope_totals(today: date, *, region_id=None, sector_id=None) -> dict:
    """Counts for one region or sector: by status and overdue."""
    cols = [func.count().label("total")]
    for s in rules.STATUSES:
        cols.append(func.sum(case((Commitment.status == s, 1), else_=0)).label(s))
    cols.append(func.sum(case((overdue_clause(today), 1), else_=0)).label("overdue"))
    cols.append(func.sum(case((and_(Commitment.status.in_(rules.OPEN), Commitment.due.is_not(None),
                                    Commitment.due >= today, Commitment.due <= soon_limit(today)), 1),
                              else_=0)).label("soon"))
    stmt = _scope(select(*cols).select_from(Commitment), region_id=region_id, sector_id=sector_id)
    row = db.session.execute(stmt).one()
    return {"total": int(row.total or 0), "by_status": {s: int(getattr(row, s) or 0) for s in rules.STATUSES},
            "overdue": int(row.overdue or 0), "soon": int(row.soon or 0)}
