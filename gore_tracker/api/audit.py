"""GET /audit: the audit trail, newest first (admins and coordinators; liaisons their sector's actas)."""
from __future__ import annotations

from flask import jsonify, request

from gore_tracker import permissions
from gore_tracker.audit import queries
from gore_tracker.exceptions import FieldErrors, PermissionDenied
from gore_tracker.extensions import db

from . import bp
from .auth import current_user
from .common import page_args, page_body


def entry_json(e) -> dict:
    return {"id": e.id, "at": e.at.isoformat().replace("+00:00", "Z"), "actor": e.actor, "ip": e.ip,
            "user_agent": e.user_agent, "entity": e.entity, "entity_id": e.entity_id, "action": e.action,
            "changes": e.changes or {}, "reason": e.reason, "meeting_id": e.meeting_id}


@bp.get("/audit")
def list_audit():
    user = current_user()
    if not permissions.can_view_audit(user):
        raise PermissionDenied("Su rol no permite consultar la auditoría.")
    errors = FieldErrors()
    filters = queries.parse_filters(request.args, errors)
    page, per_page = page_args(request.args, errors)
    errors.raise_if_any("Hay filtros inválidos.")
    stmt = queries.entries(filters, sector_id=permissions.audit_sector_scope(user))
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return jsonify(page_body(pagination, [entry_json(e) for e in pagination.items]))
