"""GET /regions: the 26 regional governments (25 GOREs and Lima Metropolitana), by code."""
from __future__ import annotations

from flask import jsonify

from gore_tracker.organizations import operations as orgs

from . import bp
from .serializers import region


@bp.get("/regions")
def list_regions():
    return jsonify({"items": [region(r) for r in sorted(orgs.regions(), key=lambda r: r.code)]})
