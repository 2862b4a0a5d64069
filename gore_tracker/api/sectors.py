"""GET /sectors: the 18 ministries and the PCM, by name (ignoring accents, as on every database)."""
from __future__ import annotations

from flask import jsonify

from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.text import fold

from . import bp
from .serializers import sector


@bp.get("/sectors")
def list_sectors():
    return jsonify({"items": [sector(s) for s in sorted(orgs.sectors(), key=lambda s: fold(s.name))]})
