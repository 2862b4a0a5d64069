"""GET /stats: totals per region, sector, meeting or body, with the list's filters."""
from __future__ import annotations

from flask import jsonify, request

from gore_tracker.commitments import queries
from gore_tracker.exceptions import FieldErrors

from . import bp
from .common import commitment_filters

DEFAULT_GROUP = "region"


@bp.get("/stats")
def get_stats():
    errors = FieldErrors()
    filters = commitment_filters(request.args, errors)
    group_by = request.args.get("group_by") or DEFAULT_GROUP
    if group_by not in queries.GROUPS:
        errors.add("group_by", "Agrupación no válida; use " + ", ".join(queries.GROUPS) + ".")
    errors.raise_if_any("Hay filtros inválidos.")
    return jsonify({"group_by": group_by, "rows": queries.stats(filters, group_by)})
