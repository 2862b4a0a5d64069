"""Error pages in Spanish; JSON errors under /api."""
from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .exceptions import DomainError
from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "La solicitud no es válida.",
    401: "Debe identificarse.",
    403: "No tiene permiso para ver esta página o realizar esta acción.",
    404: "No encontramos lo que busca.",
    405: "Método no permitido.",
    409: "Conflicto con el estado actual.",
    413: "El archivo o la solicitud es demasiado grande.",
    422: "Hay datos inválidos.",
    429: "Demasiadas solicitudes. Espere unos minutos e inténtelo de nuevo.",
    500: "Ocurrió un error inesperado. Inténtelo de nuevo más tarde.",
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "too_many_requests", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, *, code: str | None = None, fields=None, **extra):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}
    body["error"].update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES.get(status, exc.description or "Error.")
        if status == 400 and exc.description == "bad_text":
            message = "El texto enviado contiene caracteres no permitidos (por ejemplo, el carácter nulo)."
        if isinstance(exc, CSRFError):
            message = "La sesión del formulario expiró. Vuelva a cargar la página e inténtelo de nuevo."
        if wants_json():
            return json_error(status, message)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            extra = {}
            if hasattr(exc, "existing_id"):
                extra["existing_id"] = exc.existing_id
            return json_error(exc.status_code, exc.message, code=exc.code, fields=exc.fields, **extra)
        return render_template("errors/error.html", status=exc.status_code, message=exc.message), exc.status_code

    @app.errorhandler(StaleDataError)
    def stale(exc):
        db.session.rollback()
        message = "El registro fue modificado por otra persona. Vuelva a cargarlo e inténtelo de nuevo."
        if wants_json():
            return json_error(409, message, code="stale_version")
        return render_template("errors/error.html", status=409, message=message), 409

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return json_error(500, MESSAGES[500])
        return render_template("errors/error.html", status=500, message=MESSAGES[500]), 500
