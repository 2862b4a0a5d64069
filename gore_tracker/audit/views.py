"""Auditoría: the audit trail for admins and coordinators (a liaison sees their sector's actas)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from gore_tracker import permissions
from gore_tracker.exceptions import FieldErrors
from gore_tracker.extensions import db
from gore_tracker.utils.numbers import page_number

from . import presenters, queries
from .models import ACTION_LABELS, ENTITY_LABELS

bp = Blueprint("audit", __name__)

FILTER_ARGS = ("entity", "id", "meeting_id", "actor", "action", "from", "to")
@bp.route("/admin/auditoria")
@login_required
def index():
    if not permissions.can_view_audit(current_user):
        abort(403)
    errors = FieldErrors()
    filters = queries.parse_filters(request.args, errors)
    stmt = queries.entries(filters, sector_id=permissions.audit_sector_scope(current_user))
    page = db.paginate(stmt, page=page_number(request.args), per_page=current_app.config.get("PER_PAGE_DEFAULT", 25),
                       error_out=False, count=True)
    args = {k: request.args.get(k) for k in FILTER_ARGS if request.args.get(k) and k not in errors.fields}
    warnings = [f"Se ignoró el filtro «{name}»: {' '.join(messages)}" for name, messages in errors.fields.items()]
    return render_template(
        "audit/index.html", page=page, filters=filters, args=args, warnings=warnings,
        rows=[presenters.present(e) for e in page.items], entity_labels=ENTITY_LABELS,
        action_labels=ACTION_LABELS, scoped=permissions.audit_sector_scope(current_user) is not None,
    )
