"""Meeting pages: the list, the acta page, recording and editing an acta."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from gore_tracker import permissions
from gore_tracker.evidence import storage
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.forms import ignored_filter
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.numbers import page_number, parse_int

from . import queries
from .documents import to_document
from .form_page import acta_form, render_acta_form, submit_acta_form
from .forms import data_from_document
from .models import Meeting
from .operations import record_acta, update_meeting

bp = Blueprint("meetings", __name__)

PER_PAGE = 20
SOURCE_TYPES = {"pdf", "jpg", "png"}


@bp.route("/sesiones")
@login_required
def index():
    f = queries.MeetingFilters()
    warnings = []
    sector_text = (request.args.get("sector") or "").strip()
    sector = orgs.find_sector(sector_text) if sector_text else None
    if sector is not None:
        f.sector_id = sector.id
    elif sector_text:
        warnings.append(ignored_filter("sector", f"Sector desconocido: «{sector_text}»."))
    f.body = (request.args.get("body") or "").strip() or None
    year = (request.args.get("year") or "").strip()
    f.year = parse_int(year, lo=2000, hi=2100) if year else None
    if year and f.year is None:
        warnings.append(ignored_filter("año", "Debe ser un año entre 2000 y 2100."))
    page = db.paginate(queries.filtered(f), page=page_number(request.args), per_page=PER_PAGE,
                       error_out=False, count=True)
    counts = queries.commitment_counts(m.id for m in page.items)
    args = {k: v for k, v in {"sector": sector.code if sector else None, "body": f.body,
                              "year": f.year}.items() if v}
    return render_template("meetings/index.html", page=page, counts=counts, args=args,
                           sectors=orgs.sectors(), bodies=queries.bodies(), years=queries.years(),
                           selected_sector=sector, filters=f, warnings=warnings)


@bp.route("/sesiones/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    meeting = queries.load_for_page(meeting_id)
    if meeting is None:
        abort(404)
    counts = queries.commitment_counts([meeting.id])[meeting.id]
    return render_template("meetings/detail.html", meeting=meeting, counts=counts)


@bp.route("/sesiones/nueva", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_record_meeting(current_user):
        abort(403)
    if request.method == "GET":
        form = acta_form(current_user, preselect=True)
        form.add_blank_rows()
        return render_acta_form(form)
    form = acta_form(current_user)

    def save(document):
        errors = {}
        source = None
        upload = form.source_file.data
        if upload and getattr(upload, "filename", ""):
            upload.stream.seek(0)
            try:
                source = storage.store(upload.stream, upload.filename, uploaded_by=current_user,
                                       field="source_file", allowed=SOURCE_TYPES)
            except ValidationFailed as exc:
                errors.update(exc.fields)
        try:
            meeting = record_acta(document, current_user, source_file=source)
        except ValidationFailed as exc:
            exc.fields = {**errors, **exc.fields}
            raise
        if errors:
            raise ValidationFailed(fields=errors)
        return meeting

    meeting, status, duplicate_id = submit_acta_form(form, save)
    if meeting is not None:
        flash(f"Acta registrada: {meeting.title}, {len(meeting.commitments)} compromisos.", "success")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_acta_form(form, status=status, duplicate_id=duplicate_id)


@bp.route("/sesiones/<int:meeting_id>/editar", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not permissions.can_edit_meeting(current_user, meeting):
        abort(403)
    if request.method == "GET":
        form = acta_form(current_user, data=data_from_document(to_document(meeting)))
        return render_acta_form(form, meeting=meeting)
    form = acta_form(current_user)
    saved, status, duplicate_id = submit_acta_form(
        form, lambda document: update_meeting(meeting, document, current_user, reason=form.reason.data))
    if saved is not None:
        flash("Acta actualizada.", "success")
        return redirect(url_for(".detail", meeting_id=saved.id))
    return render_acta_form(form, meeting=meeting, status=status, duplicate_id=duplicate_id)
