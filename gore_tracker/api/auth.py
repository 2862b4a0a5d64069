"""Bearer-token authentication for every API route (no cookie sessions).

``Authorization: Bearer <token>`` is checked before each request; the user is kept
in ``flask.g.api_user``. A missing or invalid (unknown, revoked, expired) token answers 401
with a JSON error; after ``API_TOKEN_FAILURES_PER_IP`` bad tokens from one address, 429.
"""
from __future__ import annotations

from flask import g, request

from gore_tracker.auth import throttle
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
    blocked = throttle.api_token_blocked()
    if blocked is not None:
        response = json_error(429, f"Demasiados tokens no válidos desde esta dirección. Vuelva a intentarlo "
                                   f"en {blocked.minutes} minuto{'s' if blocked.minutes != 1 else ''}.",
                              code="too_many_requests")
        response.headers["Retry-After"] = str(blocked.retry_after)
        return response
    if scheme.lower() != "bearer" or not token.strip():
        throttle.record_api_token_failure()
        return _unauthorized("Cabecera Authorization no válida; use «Bearer <token>».")
    user = user_for_token(token.strip())
    if user is None:
        throttle.record_api_token_failure()
        return _unauthorized("El token de acceso no es válido, venció o fue revocado.")
    db.session.commit()  # keep the token's last use even if the request later fails
    g.api_user = user
    return None


def current_user():
    """The user the request's token belongs to."""
    return g.api_user
