"""Bearer-token authentication for every API route (no cookie sessions).

``Authorization: Bearer <token>`` is checked before each request; the user is kept
in ``flask.g.api_user``. A missing or invalid token answers 401 with a JSON error.
"""
from __future__ import annotations

from flask import g, request

from gore_tracker.errors import json_error
from gore_tracker.extensions import db
from gore_tracker.users.operations import user_for_token

from . import bp

# Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS = {"api.openapi_document"}


def _unauthorized(message: str):
    response = json_error(401, message, code="unauthorized")
    response.headers["WWW-Authenticate"] = 'Bearer realm="gore-tracker"'
    return response


@bp.before_request
def authenticate():
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return _unauthorized("Falta el token de acceso: envíe la cabecera «Authorization: Bearer <token>».")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("Cabecera Authorization no válida; use «Bearer <token>».")
    user = user_for_token(token.strip())
    if user is None:
        return _unauthorized("El token de acceso no es válido o fue revocado.")
    db.session.commit()  # keep the token's last use even if the request later fails
    g.api_user = user
    return None


def current_user():
    """The user the request's token belongs to."""
    return g.api_user
