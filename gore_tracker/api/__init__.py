"""JSON API under /api/v1 (bearer tokens), one module per resource.

Every route is described in the OpenAPI document built by ``openapi.build_spec``
and served at ``/api/v1/openapi.json``.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Routes register themselves on ``bp`` when their modules are imported.
from . import audit, auth, commitments, files, meetings, openapi, regions, sectors, stats  # noqa: E402,F401
