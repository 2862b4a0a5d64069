"""The weekly digest: one email per subscribed user with the picture of their scope.

The digest of ISO week W is built on Monday of W (07:00 in America/Lima) and covers the
seven days before it. For its scope — ``national``, ``region:<id>`` (regional officers)
or ``sector:<id>`` (liaisons, grouped by region) — it lists:

* the overdue commitments (open and due before Monday);
* those due in the next 14 days (Monday to the Sunday after next);
* what changed: the status updates recorded in the seven days before Monday;
* for liaisons, the commitments waiting for their validation;
* the figures (totals by status, overdue, compliance rate = cumplido / (total − anulado))
  beside those of the previous digest of the same scope, read from the ``DigestSnapshot``
  stored each time a digest is built (the first digest shows no comparison).

Each list shows at most 20 items, then "y N más" links to the filtered list in the app.
Nothing to report — no overdue commitment, none due soon, no change in the week and none
waiting for validation — means no email for that scope (the figures alone are not news).

Who: regional officers (their regional government), liaisons (their sector),
coordinators and admins (national), viewers only when they switched it on (national);
active accounts with an email whose digest is on. The idempotency key is
``digest:<user id>:<YYYY-Www>``.

Queries are a fixed number per run (the lists use window functions, one query per list
and kind of scope), plus the outbox's two per message: the cost does not grow with the
number of commitments.
"""
from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.orm import aliased, join, joinedload

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.commitments.queries import overdue_clause
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.users.models import Role, User
from gore_tracker.utils.dates import MAX_YEAR, MIN_YEAR, today as lima_today

from . import emails, outbox
from .common import (
    LINE_COLUMNS, OrgName, days_phrase, lima_midnight, line_from, local_date, org_names, usable_email,
)
from .emails import ChangeLine
from .models import DigestSnapshot, OutboxMessage

log = logging.getLogger(__name__)

CAP = 20
SOON_DAYS = 14
PERIOD_DAYS = 7
KIND = "digest"
NATIONAL = "national"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")

TITLES = {
    "overdue": "Compromisos vencidos",
    "due_soon": "Vencen en los próximos 14 días",
    "changes": "Cambios de la semana",
    "validation": "Esperan su validación",
}


# --- weeks ---------------------------------------------------------------------------------

def week_of(now: datetime) -> str:
    """The ISO week ('2026-W11') of the date of ``now`` in America/Lima."""
    year, week, _ = lima_today(now).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> date:
    """The Monday of ISO week 'YYYY-Www'; ``ValueError`` with a Spanish message otherwise."""
    match = WEEK_RE.match((text or "").strip())
    if not match:
        raise ValueError(f"Semana no válida: «{text}». Use el formato AAAA-Www, por ejemplo 2026-W11.")
    year, week = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Semana no válida: «{text}». El año debe estar entre {MIN_YEAR} y {MAX_YEAR}.")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"Semana no válida: «{text}». El año {year} no tiene la semana {week}.") from None


def digest_key(user_id: int, week: str) -> str:
    return f"digest:{user_id}:{week}"


# --- what a digest holds ------------------------------------------------------------------------

@dataclass
class Section:
    key: str
    title: str
    items: list  # CommitmentLine, or ChangeLine for "changes"
    total: int
    filters: dict  # for the "y N más" link to the commitment list
    by_region: bool = False

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))

    def groups(self) -> list[tuple[str, list]]:
        """The items under their regional government (sector digests), in list order."""
        if not self.by_region:
            return [("", self.items)]
        return [(name, list(items)) for name, items in
                itertools.groupby(self.items, key=lambda item: item.region_name)]


@dataclass
class Figures:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in rules.STATUSES})
    overdue: int = 0

    @property
    def compliance_rate(self) -> float | None:
        denominator = self.total - self.by_status.get(rules.ANULADO, 0)
        return self.by_status.get(rules.CUMPLIDO, 0) / denominator if denominator else None

    def as_dict(self) -> dict:
        return {"total": self.total, "by_status": dict(self.by_status), "overdue": self.overdue,
                "compliance_rate": self.compliance_rate}

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        by_status = {s: int((data.get("by_status") or {}).get(s, 0)) for s in rules.STATUSES}
        return cls(total=int(data.get("total", 0)), by_status=by_status, overdue=int(data.get("overdue", 0)))


@dataclass
class ScopeDigest:
    scope: str  # "national", "region:<id>", "sector:<id>"
    label: str  # "Nacional", "Cusco", "Ministerio de Salud"
    phrase: str  # "de todos los compromisos"… see OrgName.phrase
    figures: Figures
    sections: list[Section]
    previous: Figures | None = None
    previous_week: str | None = None

    @property
    def kind(self) -> str:
        return self.scope.split(":")[0]

    @property
    def is_empty(self) -> bool:
        return all(s.total == 0 for s in self.sections)

    def count(self, key: str) -> int:
        return next((s.total for s in self.sections if s.key == key), 0)

    def figure_rows(self) -> list[dict]:
        """Label, this week's value, the previous digest's and the difference (strings)."""
        prev = self.previous
        rows = []

        def row(label, now, before, strong=False):
            rows.append({"label": label, "now": str(now), "before": None if prev is None else str(before),
                         "delta": None if prev is None else emails.signed(now - before), "strong": strong})

        row("Compromisos", self.figures.total, prev.total if prev else 0, strong=True)
        for status in rules.STATUSES:
            row(rules.STATUS_LABELS[status], self.figures.by_status[status],
                prev.by_status[status] if prev else 0)
        row("Vencidos", self.figures.overdue, prev.overdue if prev else 0, strong=True)
        now_rate, before_rate = self.figures.compliance_rate, prev.compliance_rate if prev else None
        delta = None
        if prev is not None:
            if now_rate is not None and before_rate is not None:
                points = round((now_rate - before_rate) * 100, 1)
                delta = emails.signed(points) + (" pp" if points else "")
            else:
                delta = "—"
        rows.append({"label": "Cumplimiento", "now": emails.percent(now_rate),
                     "before": None if prev is None else emails.percent(before_rate),
                     "delta": delta, "strong": True})
        return rows


@dataclass
class DigestPlan:
    user: User
    scope: ScopeDigest
    key: str
    already_enqueued: bool = False

    @property
    def skip_reason(self) -> str | None:
        if self.already_enqueued:
            return "ya enviado"
        if self.scope.is_empty:
            return "nada que informar"
        return None


@dataclass
class WeekDigest:
    week: str
    monday: date
    scopes: dict[str, ScopeDigest]
    plans: list[DigestPlan]

    @property
    def period_start(self) -> date:
        return self.monday - timedelta(days=PERIOD_DAYS)

    @property
    def period_end(self) -> date:
        """The last day covered (the Sunday before Monday)."""
        return self.monday - timedelta(days=1)


@dataclass
class DigestResult:
    week: str
    messages: list[OutboxMessage] = field(default_factory=list)
    skipped: list[DigestPlan] = field(default_factory=list)
    snapshots: int = 0


# --- building ------------------------------------------------------------------------------------

def recipients() -> list[User]:
    """Active users with an email whose digest is on (viewers only when they chose it)."""
    wants = or_(User.digest_enabled.is_(True), and_(User.digest_enabled.is_(None), User.role != Role.VIEWER))
    return list(db.session.scalars(
        select(User).options(joinedload(User.organization)).where(*usable_email(), wants).order_by(User.id)
    ))


def scope_of(user: User) -> str:
    if user.organization_id is not None and user.role == Role.REGIONAL_OFFICER:
        return f"region:{user.organization_id}"
    if user.organization_id is not None and user.role == Role.LIAISON:
        return f"sector:{user.organization_id}"
    return NATIONAL


def _ids(scopes, kind: str) -> set[int]:
    return {int(s.split(":")[1]) for s in scopes if s.startswith(kind + ":")}


def _figures(monday: date, scopes: set[str]) -> dict[str, Figures]:
    """Figures of every scope from one grouped query (region × sector × status)."""
    out = {scope: Figures() for scope in scopes}
    rows = db.session.execute(
        select(Commitment.region_id, Commitment.sector_id, Commitment.status, func.count().label("n"),
               func.sum(case((overdue_clause(monday), 1), else_=0)).label("overdue"))
        .group_by(Commitment.region_id, Commitment.sector_id, Commitment.status)
    )
    for r in rows:
        for scope in (NATIONAL, f"region:{r.region_id}", f"sector:{r.sector_id}"):
            figures = out.get(scope)
            if figures is not None:
                figures.total += r.n
                figures.by_status[r.status] = figures.by_status.get(r.status, 0) + r.n
                figures.overdue += int(r.overdue or 0)
    return out


def _previous(week: str, scopes: set[str]) -> dict[str, DigestSnapshot]:
    """The latest snapshot before ``week`` of each scope."""
    if not scopes:
        return {}
    latest = (select(DigestSnapshot.scope, func.max(DigestSnapshot.iso_week).label("week"))
              .where(DigestSnapshot.scope.in_(scopes), DigestSnapshot.iso_week < week)
              .group_by(DigestSnapshot.scope).subquery())
    return {s.scope: s for s in db.session.scalars(
        select(DigestSnapshot).join(latest, and_(DigestSnapshot.scope == latest.c.scope,
                                                 DigestSnapshot.iso_week == latest.c.week)))}


def _ranked(*, from_, where, order_by, scopes: set[str], update_id=None,
            details=(), outer_joins=()) -> dict[str, tuple[list, int]]:
    """The first ``CAP`` rows of a list and its total, for each scope: one windowed query
    per kind of scope present (national, regions, sectors).

    The window runs over the bare rows (commitment id, the status update id when
    ``update_id`` is given, region, sector); only the ``CAP`` rows kept per scope are then
    joined to their meeting and to ``details`` (columns of the tables in ``outer_joins``,
    each ``(table, onclause)`` on the ranked subquery ``r``), so the cost of the joins does
    not grow with the number of commitments.
    """
    out: dict[str, tuple[list, int]] = {}
    kinds = []
    if NATIONAL in scopes:
        kinds.append((None, None, lambda row: NATIONAL))
    regions, sectors = _ids(scopes, "region"), _ids(scopes, "sector")
    if regions:
        kinds.append((Commitment.region_id, regions, lambda row: f"region:{row.region_id}"))
    if sectors:
        kinds.append((Commitment.sector_id, sectors, lambda row: f"sector:{row.sector_id}"))
    for partition, ids, scope_for in kinds:
        keys = [Commitment.id.label("cid")] + ([update_id.label("uid")] if update_id is not None else [])
        stmt = select(*keys,
                      func.row_number().over(partition_by=partition, order_by=order_by).label("rn"),
                      func.count().over(partition_by=partition).label("n")).select_from(from_)
        stmt = stmt.where(*where)
        if partition is not None:
            stmt = stmt.where(partition.in_(ids))
        r = stmt.subquery("r")
        joined = join(r, Commitment, Commitment.id == r.c.cid).join(Meeting, Meeting.id == Commitment.meeting_id)
        for table, onclause in (outer_joins(r) if callable(outer_joins) else outer_joins):
            joined = joined.outerjoin(table, onclause)
        query = (select(*LINE_COLUMNS, *details, r.c.rn, r.c.n).select_from(joined)
                 .where(r.c.rn <= CAP).order_by(r.c.rn))
        for row in db.session.execute(query):
            scope = scope_for(row)
            rows, _ = out.get(scope, ([], 0))
            rows.append(row)
            out[scope] = (rows, row.n)
    return out


def _entry_updates():
    """Per ``por_validar`` commitment, the update that sent it there (latest such)."""
    return (select(StatusUpdate.commitment_id, func.max(StatusUpdate.id).label("update_id"))
            .where(StatusUpdate.new_status == rules.POR_VALIDAR,
                   or_(StatusUpdate.old_status.is_(None), StatusUpdate.old_status != rules.POR_VALIDAR),
                   StatusUpdate.commitment_id.in_(
                       select(Commitment.id).where(Commitment.status == rules.POR_VALIDAR)))
            .group_by(StatusUpdate.commitment_id).subquery())


def _scope_filters(scope: str, orgs) -> dict:
    kind, _, org_id = scope.partition(":")
    if kind == NATIONAL:
        return {}
    org = orgs.get(int(org_id), OrgName())
    return {kind: org.code or org.name}


def _label(scope: str, orgs) -> str:
    if scope == NATIONAL:
        return "Nacional"
    return orgs.get(int(scope.split(":")[1]), OrgName()).name


def _phrase(scope: str, orgs) -> str:
    if scope == NATIONAL:
        return "de todos los gobiernos regionales y sectores"
    kind, _, org_id = scope.partition(":")
    return orgs.get(int(org_id), OrgName()).phrase(kind)


def build_week(week: str) -> WeekDigest:
    """Every subscribed user's digest of ISO week ``week`` ('YYYY-Www'). Reads only."""
    monday = parse_week(week)
    people = recipients()
    scopes = {scope_of(u) for u in people}
    orgs = org_names()
    figures = _figures(monday, scopes)
    previous = _previous(week, scopes)

    soon_end = monday + timedelta(days=SOON_DAYS - 1)
    lists = {
        "overdue": _ranked(scopes=scopes, from_=Commitment, where=[
            Commitment.status.in_(rules.OPEN), Commitment.due.is_not(None), Commitment.due < monday],
            order_by=[Commitment.due, Commitment.id]),
        "due_soon": _ranked(scopes=scopes, from_=Commitment, where=[
            Commitment.status.in_(rules.OPEN), Commitment.due >= monday, Commitment.due <= soon_end],
            order_by=[Commitment.due, Commitment.id]),
        "changes": _ranked(
            scopes=scopes,
            from_=join(StatusUpdate, Commitment, Commitment.id == StatusUpdate.commitment_id),
            update_id=StatusUpdate.id,
            where=[StatusUpdate.created_at >= lima_midnight(monday - timedelta(days=PERIOD_DAYS)),
                   StatusUpdate.created_at < lima_midnight(monday)],
            order_by=[StatusUpdate.created_at.desc(), StatusUpdate.id.desc()],
            details=(StatusUpdate.id.label("update_id"), StatusUpdate.created_at.label("at"),
                     StatusUpdate.old_status, StatusUpdate.new_status, StatusUpdate.old_progress,
                     StatusUpdate.progress.label("new_progress"), StatusUpdate.due_changed,
                     StatusUpdate.new_due, StatusUpdate.note, User.name.label("author_name")),
            outer_joins=lambda r: ((StatusUpdate, StatusUpdate.id == r.c.uid),
                                   (User, User.id == StatusUpdate.author_id))),
    }
    sector_scopes = {s for s in scopes if s.startswith("sector:")}
    if sector_scopes:
        entry = _entry_updates()
        since = aliased(StatusUpdate)
        lists["validation"] = _ranked(
            scopes=sector_scopes,
            from_=join(Commitment, entry, entry.c.commitment_id == Commitment.id, isouter=True)
            .outerjoin(since, since.id == entry.c.update_id),
            update_id=since.id,
            where=[Commitment.status == rules.POR_VALIDAR],
            order_by=[case((since.created_at.is_(None), 0), else_=1), since.created_at, Commitment.id],
            details=(StatusUpdate.created_at.label("since"),),
            outer_joins=lambda r: ((StatusUpdate, StatusUpdate.id == r.c.uid),))
    else:
        lists["validation"] = {}

    def items_for(key: str, scope: str) -> tuple[list, int]:
        rows, total = lists[key].get(scope, ([], 0))
        items = []
        for row in rows:
            if key == "overdue":
                days = (monday - row.due).days
                items.append(line_from(row, orgs, days=days, reason=f"vencido hace {days_phrase(days)}"))
            elif key == "due_soon":
                days = (row.due - monday).days
                reason = {0: "vence hoy", 1: "vence mañana"}.get(days, f"vence en {days} días")
                items.append(line_from(row, orgs, days=days, reason=reason))
            elif key == "validation":
                since = local_date(row.since) if row.since else None
                waited = (monday - since).days if since else None
                reason = f"por validar desde hace {days_phrase(waited)}" if waited else "por validar"
                items.append(line_from(row, orgs, days=waited, waiting_since=since, reason=reason))
            else:
                items.append(ChangeLine(
                    commitment=line_from(row, orgs), created_at=row.at, old_status=row.old_status,
                    new_status=row.new_status, old_progress=row.old_progress, progress=row.new_progress,
                    due_changed=bool(row.due_changed), new_due=row.new_due,
                    note=row.note, author_name=row.author_name,
                ))
        if scope.startswith("sector:"):
            # Liaisons read their sector region by region (most urgent first within each).
            items.sort(key=lambda item: item.region_name)
        return items, total

    digests: dict[str, ScopeDigest] = {}
    for scope in sorted(scopes):
        base = _scope_filters(scope, orgs)
        filters = {
            "overdue": {**base, "overdue": "true", "sort": "overdue"},
            "due_soon": {**base, "status": list(rules.OPEN), "due_from": monday.isoformat(),
                         "due_to": soon_end.isoformat()},
            "changes": dict(base),
            "validation": {**base, "status": rules.POR_VALIDAR},
        }
        keys = ["overdue", "due_soon", "changes"] + (["validation"] if scope.startswith("sector:") else [])
        sections = []
        for key in keys:
            items, total = items_for(key, scope)
            sections.append(Section(key=key, title=TITLES[key], items=items, total=total,
                                    filters=filters[key], by_region=scope.startswith("sector:")))
        snapshot = previous.get(scope)
        digests[scope] = ScopeDigest(
            scope=scope, label=_label(scope, orgs), phrase=_phrase(scope, orgs), figures=figures[scope],
            sections=sections,
            previous=Figures.from_dict(snapshot.figures) if snapshot else None,
            previous_week=snapshot.iso_week if snapshot else None,
        )

    sent = _keys_sent(week)
    plans = [DigestPlan(user=u, scope=digests[scope_of(u)], key=digest_key(u.id, week),
                        already_enqueued=digest_key(u.id, week) in sent) for u in people]
    return WeekDigest(week=week, monday=monday, scopes=digests, plans=plans)


def _keys_sent(week: str) -> set[str]:
    return set(db.session.scalars(select(OutboxMessage.idempotency_key)
                                  .where(OutboxMessage.idempotency_key.like(f"digest:%:{week}"))))


def _store_snapshots(digest: WeekDigest) -> int:
    """A snapshot of each scope's figures for this week, unless one exists (the first build
    of a week is what its readers saw)."""
    existing = set(db.session.scalars(select(DigestSnapshot.scope).where(
        DigestSnapshot.iso_week == digest.week, DigestSnapshot.scope.in_(list(digest.scopes)))))
    new = [{"scope": scope, "iso_week": digest.week, "figures": d.figures.as_dict()}
           for scope, d in digest.scopes.items() if scope not in existing]
    if new:  # one executemany (the ORM would insert them one by one on SQLite)
        db.session.execute(insert(DigestSnapshot), new)
    return len(new)


def render(plan: DigestPlan, digest: WeekDigest, renderer: emails.DigestRenderer | None = None
           ) -> emails.RenderedEmail:
    """One recipient's email; pass one ``renderer`` for a whole run (inside ``link_context``)."""
    if renderer is None:
        return emails.digest_email(plan.user, scope=plan.scope, week=digest.week, monday=digest.monday,
                                   period_start=digest.period_start, period_end=digest.period_end)
    return renderer(plan.user, scope=plan.scope, week=digest.week, monday=digest.monday,
                    period_start=digest.period_start, period_end=digest.period_end)


def send_week(week: str) -> DigestResult:
    """Build week ``week``'s digests, store the snapshots and enqueue the emails. Flushes
    (the caller commits once). Idempotent: a second run enqueues nothing new."""
    digest = build_week(week)
    result = DigestResult(week=week)
    if digest.scopes:
        result.snapshots = _store_snapshots(digest)
    with emails.link_context():
        renderer = emails.DigestRenderer()
        for plan in digest.plans:
            if plan.skip_reason:
                result.skipped.append(plan)
                continue
            rendered = render(plan, digest, renderer)
            message = outbox.enqueue(key=plan.key, kind=KIND, user=plan.user, subject=rendered.subject,
                                     text_body=rendered.text, html_body=rendered.html)
            if message is None:
                plan.already_enqueued = True
                result.skipped.append(plan)
            else:
                result.messages.append(message)
    db.session.flush()
    log.info("digest %s: %d emails, %d skipped, %d snapshots", week, len(result.messages),
             len(result.skipped), result.snapshots)
    return result


def enqueue_week(now: datetime) -> DigestResult:
    """The scheduler's Monday job: this ISO week's digests (week of ``now`` in Lima). Flushes."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return send_week(week_of(now))


def describe(plan: DigestPlan) -> str:
    """One line for ``flask digest send --dry-run``."""
    user, scope = plan.user, plan.scope
    who = f"{user.email} ({Role.LABELS.get(user.role, user.role)}, {scope.label})"
    if plan.skip_reason:
        return f"{who}: no se envía ({plan.skip_reason})"
    short = {"overdue": "vencidos", "due_soon": "vencen en 14 días", "changes": "cambios",
             "validation": "por validar"}
    return f"{who}: " + ", ".join(f"{short[s.key]} {s.total}" for s in scope.sections)

