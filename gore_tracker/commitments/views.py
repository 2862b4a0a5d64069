"""Commitment list (filters, sorting, pagination), commitment page, update and details forms."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from gore_tracker import permissions
from gore_tracker.exceptions import InvalidTransition, StaleVersion, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.forms import ignored_filter, put_errors
from gore_tracker.meetings import queries as meeting_queries
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization
from gore_tracker.utils.dates import long_date, today as lima_today
from gore_tracker.utils.numbers import page_number

from . import operations, queries, rules
from .forms import DetailsForm, FilterForm, UpdateForm
from .models import Commitment

bp = Blueprint("commitments", __name__)

# Request arguments the list understands (the API uses the same names).
FILTER_ARGS = ("q", "region", "sector", "body", "meeting_id", "status", "overdue",
               "due_from", "due_to", "responsible", "sort")
FILTER_LABELS = {
    "q": "búsqueda", "region": "gobierno regional", "sector": "sector", "body": "instancia",
    "meeting_id": "sesión", "status": "estado", "overdue": "vencidos", "due_from": "plazo desde",
    "due_to": "plazo hasta", "responsible": "responsable", "sort": "orden",
}



def _parse_filters(args):
    """Filters from the query string; invalid ones are ignored and reported (never a 400)."""
    try:
        return queries.parse_filters(args, strict=True), {}
    except ValidationFailed as exc:
        return queries.parse_filters(args, strict=False), exc.fields


def _chips(f: queries.CommitmentFilters, form: FilterForm) -> list[tuple[str, str]]:
    """The filters in force, as (label, value) for a summary above the results."""
    def label_of(field, value):
        return next((c.label for c in field.choices if str(c.value) == str(value)), str(value))

    chips = []
    if f.q:
        chips.append(("Búsqueda", f.q))
    if f.region_id:
        chips.append(("Región", db.session.get(Organization, f.region_id).name))
    if f.sector_id:
        chips.append(("Sector", db.session.get(Organization, f.sector_id).code or ""))
    if f.body:
        chips.append(("Instancia", f.body))
    if f.meeting_id:
        chips.append(("Sesión", label_of(form.meeting_id, f.meeting_id)))
    if f.statuses:
        chips.append(("Estado", ", ".join(rules.STATUS_LABELS[s] for s in f.statuses)))
    if f.overdue:
        chips.append(("Vencidos", "sí"))
    if f.due_from:
        chips.append(("Plazo desde", long_date(f.due_from)))
    if f.due_to:
        chips.append(("Plazo hasta", long_date(f.due_to)))
    if f.responsible:
        chips.append(("Responsable", f.responsible))
    return chips


@bp.route("/compromisos")
@login_required
def index():
    filters, invalid = _parse_filters(request.args)
    form = FilterForm(formdata=request.args)
    form.set_choices(regions=orgs.regions(), sectors=orgs.sectors(), bodies=meeting_queries.bodies(),
                     meetings=queries.meeting_choices())
    per_page = current_app.config.get("PER_PAGE_DEFAULT", 25)
    today = lima_today()
    page = queries.search(filters, page=page_number(request.args), per_page=per_page, today=today)
    queries.preload(page.items)
    # Keep every filter (including repeated statuses) in the pagination links.
    link_args = {k: request.args.getlist(k) for k in FILTER_ARGS if request.args.get(k)}
    warnings = [ignored_filter(FILTER_LABELS.get(name, name), " ".join(msgs)) for name, msgs in invalid.items()]
    chips = _chips(filters, form)
    return render_template("commitments/index.html", page=page, form=form, filters=filters,
                           link_args=link_args, warnings=warnings, today=today, active=len(chips), chips=chips,
                           sorts=queries.SORTS)


def _load(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


def _update_form(commitment: Commitment, *, formdata=None) -> UpdateForm | None:
    """The update form for the current user, or None when they may not update this commitment."""
    if not permissions.can_update(current_user, commitment):
        return None
    allowed = permissions.allowed_statuses(current_user, commitment)
    form = UpdateForm(formdata=formdata)
    form.configure(commitment, allowed, can_change_due=permissions.can_change_due(current_user, commitment))
    if formdata is None:
        form.prefill(commitment, allowed)
    return form


def _details_form(commitment: Commitment, *, formdata=None) -> DetailsForm | None:
    if not permissions.can_edit_details(current_user, commitment):
        return None
    form = DetailsForm(formdata=formdata, prefix="details")
    form.set_choices(queries.responsible_candidates(commitment))
    if formdata is None:
        form.deliverable.data = commitment.deliverable
        form.target.data = commitment.target
        form.cui.data = commitment.cui
        form.responsible_orgs.data = [o.id for o in commitment.responsible_orgs]
    return form


def _render_detail(commitment: Commitment, *, update_form=None, details_form=None, status: int = 200,
                   alert: str | None = None, alert_kind: str = "danger", errors: list[str] | None = None):
    if update_form is None:
        update_form = _update_form(commitment)
    if details_form is None:
        details_form = _details_form(commitment)
    return render_template(
        "commitments/detail.html", c=commitment, form=update_form, details_form=details_form,
        alert=alert, alert_kind=alert_kind, errors=errors or [], today=lima_today(),
    ), status


@bp.route("/compromisos/<int:commitment_id>")
@login_required
def detail(commitment_id: int):
    return _render_detail(_load(commitment_id))


@bp.route("/compromisos/<int:commitment_id>/actualizar", methods=["POST"])
@login_required
def update(commitment_id: int):
    commitment = _load(commitment_id)
    if not permissions.can_update(current_user, commitment):
        abort(403)
    form = _update_form(commitment, formdata=request.form)
    if not form.validate_on_submit():
        return _render_detail(commitment, update_form=form, status=422,
                              alert="Revise los campos marcados.")
    files = [f for f in request.files.getlist(form.evidence.name) if f and f.filename]
    kwargs = {}
    if "due" in form and form.due.data != commitment.due:
        kwargs.update(due=form.due.data, due_reason=form.due_reason.data)
    if "achieved" in form and form.achieved.data is not None:
        kwargs["achieved"] = form.achieved.data
    progress = form.progress.data
    if form.status.data == rules.CUMPLIDO and progress == commitment.progress:
        progress = None  # untouched: the operation records 100 % for a fulfilled commitment
    try:
        # PermissionDenied (a status this role may not set) is answered 403 by the error handler.
        operations.apply_update(
            commitment, current_user, status=form.status.data, progress=progress,
            note=form.note.data, version=form.version.data,
            evidence=[(f.stream, f.filename) for f in files], **kwargs,
        )
    except StaleVersion:
        db.session.rollback()
        commitment = _load(commitment_id)
        form = _update_form(commitment, formdata=request.form)
        if form is not None:
            # Keep what was typed, but against the version now on screen.
            form.version.data = str(commitment.version)
        return _render_detail(
            commitment, update_form=form, status=409, alert_kind="warning",
            alert="Otra persona actualizó este compromiso mientras usted lo editaba; no se guardó "
                  "su cambio. Abajo se muestra el estado actual: revíselo y, si corresponde, "
                  "envíe de nuevo su actualización.",
        )
    except ValidationFailed as exc:
        db.session.rollback()
        commitment = _load(commitment_id)
        form = _update_form(commitment, formdata=request.form)
        leftover = put_errors(form, exc.fields)
        alert = exc.message if isinstance(exc, InvalidTransition) else \
            "No se guardó la actualización: revise los campos marcados."
        return _render_detail(commitment, update_form=form, status=422, alert=alert, errors=leftover)
    db.session.commit()
    attached = {0: "", 1: " Se adjuntó 1 archivo."}.get(len(files), f" Se adjuntaron {len(files)} archivos.")
    flash("Actualización registrada." + attached, "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment.id) + "#historial")


@bp.route("/compromisos/<int:commitment_id>/detalles", methods=["POST"])
@login_required
def update_details(commitment_id: int):
    commitment = _load(commitment_id)
    if not permissions.can_edit_details(current_user, commitment):
        abort(403)
    form = _details_form(commitment, formdata=request.form)
    if not form.validate_on_submit():
        return _render_detail(commitment, details_form=form, status=422,
                              alert="Revise los datos del compromiso.")
    chosen = queries.organizations_by_id(form.responsible_orgs.data or [])
    try:
        operations.update_details(
            commitment, current_user, deliverable=form.deliverable.data, target=form.target.data,
            cui=(form.cui.data or "").strip() or None, responsible_orgs=chosen,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        commitment = _load(commitment_id)
        form = _details_form(commitment, formdata=request.form)
        leftover = put_errors(form, exc.fields)
        return _render_detail(commitment, details_form=form, status=422,
                              alert="Revise los datos del compromiso.", errors=leftover)
    db.session.commit()
    flash("Datos del compromiso actualizados.", "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment.id))
