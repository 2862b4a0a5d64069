"""Meetings: list (filtered, paginated), one as a gore-acta/1 document, record a new acta."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gore_tracker import permissions
from gore_tracker.commitments.models import Commitment
from gore_tracker.exceptions import FieldErrors, NotFound, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.meetings import documents
from gore_tracker.meetings.models import Meeting, RegionBlock
from gore_tracker.meetings.operations import record_acta
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.dates import in_range
from gore_tracker.utils.text import collapse

from . import bp
from .auth import current_user
from .common import json_body, page_args, page_body, require_content_type
from .serializers import meeting_summary


def _meeting_filters(args, errors: FieldErrors) -> list:
    """WHERE clauses for ``sector``, ``body``, ``from`` and ``to``."""
    clauses = []
    sector_text = collapse(args.get("sector"))
    if sector_text:
        found = orgs.find_sector(sector_text)
        if found is None:
            errors.add("sector", f"Sector desconocido: «{sector_text}».")
        else:
            clauses.append(Meeting.sector_id == found.id)
    body = collapse(args.get("body"))
    if body:
        clauses.append(func.lower(Meeting.body) == body.lower())
    for name, op in (("from", "__ge__"), ("to", "__le__")):
        raw = collapse(args.get(name))
        if not raw:
            continue
        try:
            parsed = date.fromisoformat(raw)
            if not in_range(parsed):
                raise ValueError
        except ValueError:
            errors.add(name, "Fecha no válida (AAAA-MM-DD, entre 2000 y 2100).")
            continue
        clauses.append(getattr(Meeting.date, op)(parsed))
    return clauses


@bp.get("/meetings")
def list_meetings():
    errors = FieldErrors()
    clauses = _meeting_filters(request.args, errors)
    page, per_page = page_args(request.args, errors)
    errors.raise_if_any("Hay filtros inválidos.")
    stmt = (select(Meeting).where(*clauses)
            .options(selectinload(Meeting.sector), selectinload(Meeting.blocks).selectinload(RegionBlock.region))
            .order_by(Meeting.date.desc(), Meeting.id.desc()))
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    ids = [m.id for m in pagination.items]
    counts = dict(db.session.execute(
        select(Commitment.meeting_id, func.count()).where(Commitment.meeting_id.in_(ids))
        .group_by(Commitment.meeting_id)
    ).all()) if ids else {}
    return jsonify(page_body(pagination, [meeting_summary(m, counts.get(m.id, 0)) for m in pagination.items]))


def _load(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"No existe la sesión {meeting_id}.")
    return meeting


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    return jsonify(documents.to_document(_load(meeting_id)))


@bp.post("/meetings")
def create_meeting():
    user = current_user()
    if not permissions.can_record_meeting(user):
        raise PermissionDenied("Su rol no permite registrar actas.")
    require_content_type("application/json")
    document = json_body()
    if not isinstance(document, dict):
        raise ValidationFailed("Se esperaba un objeto JSON con el acta.", {"": ["Se esperaba un objeto JSON."]})
    try:
        meeting = record_acta(document, user)
        db.session.commit()
    except IntegrityError:
        # A concurrent request recorded the same acta between the duplicate check and our
        # insert: once more, the check now sees it and answers 409 with its id.
        db.session.rollback()
        meeting = record_acta(document, user)
        db.session.commit()
    response = jsonify(documents.to_document(meeting))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_meeting", meeting_id=meeting.id, _external=True)
    return response
