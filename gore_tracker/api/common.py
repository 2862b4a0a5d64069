"""Shared pieces of the API: request bodies, pagination and error helpers.

Errors are raised as domain errors; ``gore_tracker.errors`` turns them into the
``{"error": {"code", "message", "fields"}}`` body for every path under ``/api/``.
"""
from __future__ import annotations

import json

from flask import current_app, request
from jsonschema import Draft202012Validator

from gore_tracker.exceptions import DomainError, FieldErrors
from gore_tracker.utils.numbers import DB_INT_MAX
from gore_tracker.utils.text import bad_text

from . import bp
from .auth import PUBLIC_ENDPOINTS

JSON_TYPE_NAMES = {"string": "un texto", "integer": "un número entero", "number": "un número",
                   "array": "una lista", "object": "un objeto", "boolean": "verdadero o falso",
                   "null": "nulo"}


class ApiError(DomainError):
    """An error with its own status and code (bad JSON, wrong content type…)."""

    def __init__(self, status: int, code: str, message: str, fields=None):
        super().__init__(message, fields)
        self.status_code = status
        self.code = code


def require_content_type(*allowed: str) -> str:
    """The request's media type if it is one of ``allowed``, else a 415 naming them."""
    mimetype = request.mimetype or ""
    if mimetype not in allowed:
        got = f"«{mimetype}»" if mimetype else "ninguno"
        raise ApiError(415, "unsupported_media_type",
                       f"Tipo de contenido no admitido ({got}); use " + " o ".join(allowed) + ".")
    return mimetype



BAD_TEXT = "Contiene caracteres no permitidos (nulo o Unicode no válido)."


def check_texts(data, errors: FieldErrors, root: str = "") -> None:
    """Add an error for every string (key or value) in ``data`` that ``bad_text`` refuses."""
    stack = [(root, data)]
    while stack:  # iterative: documents may nest deeper than the recursion limit allows
        path, value = stack.pop()
        if isinstance(value, str):
            if bad_text(value):
                errors.add(path, BAD_TEXT)
        elif isinstance(value, dict):
            for key, item in value.items():
                sub = f"{path}.{key}" if path else str(key)
                if bad_text(str(key)):
                    errors.add(path, BAD_TEXT)
                else:
                    stack.append((sub, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))


def json_body():
    """The parsed JSON body: a 400 saying where it is malformed, a 422 for text that cannot be stored."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "malformed_json", "El cuerpo de la solicitud está vacío; se esperaba JSON.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json",
                       f"El cuerpo no es JSON válido (línea {exc.lineno}, columna {exc.colno}).")
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_json", "El cuerpo no es JSON válido: debe estar codificado en UTF-8.")
    except RecursionError:
        raise ApiError(400, "malformed_json", "El cuerpo JSON está anidado demasiado profundamente.")
    errors = FieldErrors()
    check_texts(data, errors)
    errors.raise_if_any()
    return data


@bp.before_request
def refuse_unstorable_query_text():
    """Query parameters with NUL or invalid Unicode: 422 naming them (filters reach SQL)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    errors = FieldErrors()
    for name, values in request.args.lists():
        if bad_text(name) or any(bad_text(v) for v in values):
            errors.add(name if not bad_text(name) else "", BAD_TEXT)
    errors.raise_if_any("Hay parámetros inválidos.")


def schema_errors(data, schema: dict) -> dict[str, list[str]]:
    """Messages (Spanish) per dotted field path for ``data`` against a JSON Schema."""
    errors = FieldErrors()
    if not isinstance(data, dict):
        errors.add("", "Se esperaba un objeto JSON.")
        return errors.fields
    for err in Draft202012Validator(schema).iter_errors(data):
        path = [str(p) for p in err.absolute_path]
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            errors.add(".".join(path + [missing]), "Campo obligatorio.")
        elif err.validator == "additionalProperties":
            for name in err.instance:
                if name not in err.schema.get("properties", {}):
                    errors.add(".".join(path + [name]), "Campo no reconocido.")
        elif err.validator == "type":
            expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            errors.add(".".join(path), "Debe ser " + " o ".join(JSON_TYPE_NAMES.get(e, e) for e in expected) + ".")
        elif err.validator == "enum":
            allowed = ", ".join(str(v) for v in err.validator_value if v is not None)
            errors.add(".".join(path), f"Valor no permitido; use uno de: {allowed}.")
        elif err.validator == "minimum":
            errors.add(".".join(path), f"Debe ser mayor o igual a {err.validator_value}.")
        elif err.validator == "maximum":
            errors.add(".".join(path), f"Debe ser menor o igual a {err.validator_value}.")
        elif err.validator == "maxLength":
            errors.add(".".join(path), f"Texto demasiado largo (máximo {err.validator_value} caracteres).")
        else:
            errors.add(".".join(path), "Valor no válido.")
    return errors.fields


def page_args(args, errors: FieldErrors) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1 to PER_PAGE_MAX) from the query string."""
    per_page_max = current_app.config.get("PER_PAGE_MAX", 200)
    values = {}
    for name, default, hi in (("page", 1, DB_INT_MAX),
                              ("per_page", current_app.config.get("PER_PAGE_DEFAULT", 25), per_page_max)):
        raw = args.get(name)
        if raw in (None, ""):
            values[name] = default
            continue
        try:
            number = int(raw)
        except ValueError:  # also more digits than int() reads
            errors.add(name, "Debe ser un número entero.")
            continue
        if number < 1:
            errors.add(name, "Debe ser mayor o igual a 1.")
        elif number > hi:
            errors.add(name, f"Debe ser como máximo {hi}.")
        else:
            values[name] = number
    return values.get("page", 1), values.get("per_page", 1)


def page_body(pagination, items: list) -> dict:
    return {"items": items, "total": pagination.total, "page": pagination.page,
            "per_page": pagination.per_page}


def commitment_filters(args, errors: FieldErrors):
    """The commitment list's filters (``queries.parse_filters``), errors added to ``errors``."""
    from gore_tracker.commitments import queries
    from gore_tracker.exceptions import ValidationFailed
    from gore_tracker.extensions import db
    from gore_tracker.meetings.models import Meeting

    try:
        filters = queries.parse_filters(args, strict=True)
    except ValidationFailed as exc:
        for name, messages in exc.fields.items():
            for message in messages:
                errors.add(name, message)
        filters = queries.parse_filters(args, strict=False)
    if filters.meeting_id is not None and db.session.get(Meeting, filters.meeting_id) is None:
        errors.add("meeting_id", f"No existe la sesión {filters.meeting_id}.")
    return filters
