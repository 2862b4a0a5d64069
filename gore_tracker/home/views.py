"""The home page, one view per role: what needs this person's attention first."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from gore_tracker.commitments import rules
from gore_tracker.commitments.queries import CommitmentFilters, stats
from gore_tracker.organizations import operations as orgs
from gore_tracker.users.models import Role
from gore_tracker.utils.dates import today as lima_today
from gore_tracker.utils.text import fold

from . import queries

bp = Blueprint("home", __name__)


def _by_name(rows: list[dict]) -> list[dict]:
    """Alphabetical as a reader expects it ("Áncash" with the A's), whatever the database collation."""
    return sorted(rows, key=lambda r: fold(r["key"] or ""))


@bp.route("/")
@login_required
def index():
    today = lima_today()
    context = {"today": today, "soon_to": queries.soon_limit(today), "soon_days": queries.SOON_DAYS,
               "OPEN": rules.OPEN}
    role = current_user.role
    org = current_user.organization
    if role == Role.REGIONAL_OFFICER and org is not None:
        scope = {"region_id": org.id}
        return render_template(
            "home/officer.html", org=org,
            counts=queries.scope_totals(today, **scope),
            attention=queries.needing_attention(today, **scope),
            waiting=queries.open_not_urgent(today, **scope),
            sent=queries.waiting_validation(**scope),
            **context,
        )
    if role == Role.LIAISON and org is not None:
        scope = {"sector_id": org.id}
        return render_template(
            "home/liaison.html", org=org,
            counts=queries.scope_totals(today, **scope),
            to_validate=queries.waiting_validation(**scope),
            attention=queries.needing_attention(today, **scope),
            **context,
        )
    everything = CommitmentFilters()
    return render_template(
        "home/national.html",
        totals=queries.totals(today),
        by_sector=_by_name(stats(everything, "sector", today)),
        sector_codes={s.name: s.code for s in orgs.sectors()},
        by_region=_by_name(stats(everything, "region", today)),
        most_overdue=queries.most_overdue(today),
        to_validate=queries.waiting_validation(limit=10) if role in (Role.ADMIN, Role.COORDINATOR) else None,
        **context,
    )
