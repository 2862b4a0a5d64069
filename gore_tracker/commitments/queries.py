"""Filtering, searching, sorting and counting commitments — all in SQL.

The same ``CommitmentFilters`` drive the web list, the API list and ``/stats``.
Text search runs over ``Commitment.search_text``, which holds the folded (lower-case,
accent-free) topic and commitment text, so "oxigeno" finds "Oxígeno" identically on
SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from gore_tracker.exceptions import FieldErrors
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization
from gore_tracker.utils.dates import in_range, long_date, today as lima_today
from gore_tracker.utils.numbers import DB_INT_MAX, parse_id
from gore_tracker.utils.text import collapse, fold, like_escape

from . import rules
from .models import Commitment

SORTS = {
    "due": "Plazo",
    "-due": "Plazo (más lejano primero)",
    "overdue": "Más días vencido",
    "region": "Gobierno regional",
    "sector": "Sector",
    "status": "Estado",
    "meeting": "Sesión más reciente",
    "id": "Orden de registro",
}


@dataclass
class CommitmentFilters:
    region_id: int | None = None
    sector_id: int | None = None
    body: str | None = None
    meeting_id: int | None = None
    statuses: list[str] = field(default_factory=list)
    overdue: bool = False
    due_from: date | None = None
    due_to: date | None = None
    responsible: str | None = None
    q: str | None = None
    sort: str = "due"

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, False, [], "due") for f in fields(self))


def parse_filters(args, *, strict: bool = True) -> CommitmentFilters:
    """Build filters from request args (web or API): region/sector by code, name or alias.

    Raises ``ValidationFailed`` naming the offending parameter when ``strict``.
    """
    errors = FieldErrors()
    f = CommitmentFilters()

    def get(name):
        value = args.get(name)
        return collapse(value) if isinstance(value, str) else value

    if get("region"):
        region = orgs.find_region(get("region"))
        if region is None:
            errors.add("region", f"Gobierno regional desconocido: «{get('region')}».")
        else:
            f.region_id = region.id
    if get("sector"):
        sector = orgs.find_sector(get("sector"))
        if sector is None:
            errors.add("sector", f"Sector desconocido: «{get('sector')}».")
        else:
            f.sector_id = sector.id
    f.body = get("body") or None
    if get("meeting_id"):
        f.meeting_id = parse_id(get("meeting_id"))
        if f.meeting_id is None:
            errors.add("meeting_id", f"Debe ser un número entero entre 1 y {DB_INT_MAX}.")
    raw_statuses = args.getlist("status") if hasattr(args, "getlist") else [args.get("status")]
    for raw in raw_statuses:
        for s in (raw or "").split(","):
            s = s.strip()
            if not s:
                continue
            if s not in rules.STATUSES:
                errors.add("status", f"Estado no válido: «{s}».")
            elif s not in f.statuses:
                f.statuses.append(s)
    overdue = (get("overdue") or "").lower()
    if overdue in ("true", "1", "si", "sí", "on", "yes"):
        f.overdue = True
    elif overdue not in ("", "false", "0", "no", "off"):
        errors.add("overdue", "Use true o false.")
    for name in ("due_from", "due_to"):
        value = get(name)
        if value:
            try:
                parsed = date.fromisoformat(value)
                if not in_range(parsed):
                    raise ValueError
                setattr(f, name, parsed)
            except ValueError:
                errors.add(name, "Fecha no válida (AAAA-MM-DD, entre 2000 y 2100).")
    f.responsible = get("responsible") or None
    f.q = get("q") or None
    sort = get("sort") or "due"
    if sort not in SORTS:
        errors.add("sort", "Orden no válido.")
    else:
        f.sort = sort
    if strict:
        errors.raise_if_any("Hay filtros inválidos.")
    return f


def overdue_clause(today: date):
    return and_(Commitment.due.is_not(None), Commitment.due < today, Commitment.status.in_(rules.OPEN))


def _contains(column, text: str):
    return column.like(f"%{like_escape(fold(text))}%", escape="\\")


def filtered(f: CommitmentFilters, today: date | None = None) -> Select:
    """``SELECT commitment`` with every filter applied (no ordering)."""
    today = today or lima_today()
    stmt = select(Commitment)
    if f.region_id:
        stmt = stmt.where(Commitment.region_id == f.region_id)
    if f.sector_id:
        stmt = stmt.where(Commitment.sector_id == f.sector_id)
    if f.meeting_id:
        stmt = stmt.where(Commitment.meeting_id == f.meeting_id)
    if f.body:
        stmt = stmt.where(Commitment.meeting_id.in_(
            select(Meeting.id).where(func.lower(Meeting.body) == f.body.lower())))
    if f.statuses:
        stmt = stmt.where(Commitment.status.in_(f.statuses))
    if f.overdue:
        stmt = stmt.where(overdue_clause(today))
    if f.due_from:
        stmt = stmt.where(Commitment.due >= f.due_from)
    if f.due_to:
        stmt = stmt.where(Commitment.due <= f.due_to)
    if f.responsible:
        stmt = stmt.where(_contains(Commitment.responsible_key, f.responsible))
    if f.q:
        for word in fold(f.q).split():
            stmt = stmt.where(_contains(Commitment.search_text, word))
    return stmt


def ordered(stmt: Select, sort: str, today: date | None = None) -> Select:
    today = today or lima_today()
    nulls_last = case((Commitment.due.is_(None), 1), else_=0)
    if sort == "-due":
        return stmt.order_by(nulls_last, Commitment.due.desc(), Commitment.id)
    if sort == "overdue":
        od = case((overdue_clause(today), 0), else_=1)
        return stmt.order_by(od, nulls_last, Commitment.due, Commitment.id)
    if sort in ("region", "sector"):
        col = Commitment.region_id if sort == "region" else Commitment.sector_id
        org = select(Organization.name).where(Organization.id == col).scalar_subquery()
        return stmt.order_by(org, Commitment.meeting_id, Commitment.number, Commitment.id)
    if sort == "status":
        order = case({s: i for i, s in enumerate(rules.STATUSES)}, value=Commitment.status)
        return stmt.order_by(order, nulls_last, Commitment.due, Commitment.id)
    if sort == "meeting":
        mdate = select(Meeting.date).where(Meeting.id == Commitment.meeting_id).scalar_subquery()
        return stmt.order_by(mdate.desc(), Commitment.meeting_id.desc(), Commitment.region_id,
                             Commitment.number, Commitment.id)
    if sort == "id":
        return stmt.order_by(Commitment.id)
    return stmt.order_by(nulls_last, Commitment.due, Commitment.id)


def search(f: CommitmentFilters, *, page: int = 1, per_page: int = 25, today: date | None = None):
    """A Flask-SQLAlchemy ``Pagination`` of commitments matching ``f``."""
    stmt = ordered(filtered(f, today), f.sort, today)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


GROUPS = ("region", "sector", "meeting", "body")


def stats(f: CommitmentFilters, group_by: str, today: date | None = None) -> list[dict]:
    """Totals per group: by status, overdue and compliance rate (cumplido / (total − anulado))."""
    today = today or lima_today()
    base = filtered(f, today).subquery()
    c = base.c
    if group_by == "region":
        key = select(Organization.name).where(Organization.id == c.region_id).scalar_subquery()
    elif group_by == "sector":
        key = select(Organization.name).where(Organization.id == c.sector_id).scalar_subquery()
    elif group_by == "meeting":
        key = c.meeting_id
    elif group_by == "body":
        key = select(Meeting.body).where(Meeting.id == c.meeting_id).scalar_subquery()
    else:
        raise ValueError(group_by)
    key = key.label("key")
    cols = [key, func.count().label("total")]
    for s in rules.STATUSES:
        cols.append(func.sum(case((c.status == s, 1), else_=0)).label(s))
    overdue = and_(c.due.is_not(None), c.due < today, c.status.in_(rules.OPEN))
    cols.append(func.sum(case((overdue, 1), else_=0)).label("overdue"))
    rows = db.session.execute(select(*cols).select_from(base).group_by(key).order_by(key)).all()
    out = []
    for row in rows:
        by_status = {s: int(getattr(row, s) or 0) for s in rules.STATUSES}
        total = int(row.total)
        denominator = total - by_status[rules.ANULADO]
        out.append({
            "key": str(row.key) if row.key is not None else None,
            "total": total,
            "by_status": by_status,
            "overdue": int(row.overdue or 0),
            "compliance_rate": (by_status[rules.CUMPLIDO] / denominator) if denominator else None,
        })
    return out


def preload(commitments) -> list[Commitment]:
    """Load the rows' meeting, topic, region, sector and responsible bodies in a few queries."""
    commitments = list(commitments)
    ids = [c.id for c in commitments]
    if ids:
        db.session.scalars(
            select(Commitment).where(Commitment.id.in_(ids)).options(
                joinedload(Commitment.meeting), joinedload(Commitment.topic),
                joinedload(Commitment.region), joinedload(Commitment.sector),
                selectinload(Commitment.responsible_orgs),
            ).execution_options(populate_existing=True)
        ).unique().all()
    return commitments


def meeting_choices() -> list[tuple[int, str]]:
    """Every meeting as ``(id, "8 de diciembre de 2020 · GORE Ejecutivo · MINSA")``, newest
    first, for the list's session filter."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.date, Meeting.body, Organization.code)
        .join(Organization, Organization.id == Meeting.sector_id)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    ).all()
    return [(r.id, f"{long_date(r.date)} · {r.body} · {r.code}") for r in rows]


def responsible_candidates(commitment: Commitment) -> list[Organization]:
    """The bodies a commitment's responsible may be chosen from: the active ones, and those
    it already names (even if deactivated since)."""
    return list(db.session.scalars(
        select(Organization).where(Organization.active | Organization.id.in_(
            [o.id for o in commitment.responsible_orgs] or [0]))
        .order_by(Organization.kind, Organization.name)
    ))


def organizations_by_id(ids) -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(Organization.id.in_(list(ids) or [0]))))
