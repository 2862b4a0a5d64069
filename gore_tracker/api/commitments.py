"""Commitments: filtered list, one with its history, and posting an update."""
from __future__ import annotations

from flask import jsonify, request, url_for

from gore_tracker import permissions
from gore_tracker.commitments import queries
from gore_tracker.commitments.models import Commitment
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import FieldErrors, NotFound, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.utils.dates import today as lima_today

from . import bp, schemas
from .auth import current_user
from .common import (
    check_texts, commitment_filters, json_body, page_args, page_body, require_content_type, schema_errors,
)
from gore_tracker.commitments.queries import preload

from .serializers import commitment, commitment_detail

UPDATE_FIELDS = ("status", "progress", "note", "due", "due_reason", "achieved", "version")


@bp.get("/commitments")
def list_commitments():
    errors = FieldErrors()
    filters = commitment_filters(request.args, errors)
    page, per_page = page_args(request.args, errors)
    errors.raise_if_any("Hay filtros inválidos.")
    today = lima_today()
    pagination = queries.search(filters, page=page, per_page=per_page, today=today)
    items = [commitment(c, today) for c in preload(pagination.items)]
    return jsonify(page_body(pagination, items))


def _load(commitment_id: int) -> Commitment:
    found = db.session.get(Commitment, commitment_id)
    if found is None:
        raise NotFound(f"No existe el compromiso {commitment_id}.")
    return found


@bp.get("/commitments/<int:commitment_id>")
def get_commitment(commitment_id: int):
    return jsonify(commitment_detail(_load(commitment_id)))


def _json_update() -> tuple[dict, list]:
    data = json_body()
    fields = schema_errors(data, schemas.UPDATE_JSON)
    if fields:
        raise ValidationFailed("Hay datos inválidos; revise los campos marcados.", fields)
    return data, []


def _form_update() -> tuple[dict, list]:
    """Form fields as text (empty ``due`` removes the due date) and the evidence files."""
    errors = FieldErrors()
    data = {}
    for name in request.form:
        if name not in UPDATE_FIELDS:
            errors.add(name, "Campo no reconocido.")
        elif len(request.form.getlist(name)) > 1:
            errors.add(name, "Envíe este campo una sola vez.")
        else:
            data[name] = request.form[name]
    evidence = []
    for name in request.files:
        if name != "evidence":
            errors.add(name, "Campo no reconocido; adjunte los archivos en «evidence».")
    for upload in request.files.getlist("evidence"):
        if upload.filename:
            evidence.append((upload.stream, upload.filename))
    check_texts(data, errors)
    check_texts([name for _, name in evidence], errors, "evidence")
    errors.raise_if_any()
    return data, evidence


@bp.post("/commitments/<int:commitment_id>/updates")
def create_update(commitment_id: int):
    user = current_user()
    target = _load(commitment_id)
    if not permissions.can_update(user, target):
        raise PermissionDenied("No puede actualizar este compromiso.")
    mimetype = require_content_type("application/json", "multipart/form-data")
    data, evidence = _json_update() if mimetype == "application/json" else _form_update()
    values = {name: data.get(name) for name in UPDATE_FIELDS if name != "due"}
    if "due" in data:  # absent: unchanged; null or empty: no due date
        values["due"] = data["due"]
    apply_update(target, user, evidence=evidence, **values)
    db.session.commit()
    response = jsonify(commitment_detail(target))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_commitment", commitment_id=target.id, _external=True)
    return response
