"""Web import of acta PDFs: upload, follow the reading, review the pre-filled acta form,
confirm (only then does a meeting exist), retry or discard.

Uploads: one request may carry several PDFs, each up to ``IMPORT_MAX_BYTES``; the body
of that one request may reach ``IMPORT_MAX_BYTES × IMPORT_MAX_FILES`` (other requests
keep ``MAX_CONTENT_LENGTH``). Werkzeug spools uploaded files to disk, so memory stays
bounded. Parsing never happens here: ``worker.start`` hands the drafts to a child process.
"""
from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from gore_tracker import permissions
from gore_tracker.evidence import storage
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.forms import put_errors
from gore_tracker.headers import file_download
from gore_tracker.meetings.form_page import acta_form, render_acta_form, submit_acta_form
from gore_tracker.meetings.forms import ActaForm, data_from_document
from gore_tracker.utils.numbers import page_number, parse_id

from . import drafts, queries, worker
from .forms import ActionForm, UploadForm
from .models import DraftStatus, ImportDraft

bp = Blueprint("imports", __name__)

PER_PAGE = 20
MAX_POLLED = 100
FORM_OVERHEAD = 256 * 1024  # multipart headers and the CSRF token around the files


def max_files() -> int:
    return int(current_app.config.get("IMPORT_MAX_FILES") or 10)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


@bp.url_value_preprocessor
def _upload_size_limit(endpoint, _values):
    # Runs before every before_request handler (CSRF reads the form there), so the
    # larger cap applies to the upload's body from the start.
    if endpoint == "imports.index" and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] * max_files() + FORM_OVERHEAD


def _load(draft_id: int) -> ImportDraft:
    draft = db.get_or_404(ImportDraft, draft_id)
    if not permissions.can_manage_draft(current_user, draft):
        abort(403)
    return draft


def _render_index(form: UploadForm, status: int = 200, notes=()):
    page = db.paginate(queries.drafts_for(current_user), page=page_number(request.args), per_page=PER_PAGE,
                       error_out=False)
    stale = {d.id for d in page.items if drafts.is_stale(d)}
    active = [d.id for d in page.items if d.is_active and d.id not in stale]
    retryable = {d.id for d in page.items if drafts.can_retry(d)}
    return render_template(
        "imports/index.html", form=form, page=page, stale=stale, active=active, retryable=retryable, notes=notes,
        action_form=ActionForm(formdata=None), max_bytes=_mb(current_app.config["IMPORT_MAX_BYTES"]),
        max_files=max_files(), show_uploader=permissions.can_see_all_drafts(current_user),
    ), status


@bp.route("/importar", methods=["GET", "POST"])
@login_required
def index():
    if not permissions.can_import_actas(current_user):
        abort(403)
    form = UploadForm()
    if request.method == "GET":
        return _render_index(form)
    if not form.validate():
        return _render_index(form, 422)
    files = form.uploads()
    if not files:
        form.files.errors = ["Elija uno o más archivos PDF."]
        return _render_index(form, 422)
    if len(files) > max_files():
        form.files.errors = [f"Suba como máximo {max_files()} archivos a la vez."]
        return _render_index(form, 422)

    queued, notes, errors = [], [], {}
    for upload in files:
        try:
            outcome = drafts.create_draft(upload.stream, upload.filename, current_user)
        except ValidationFailed as exc:
            for key, messages in exc.fields.items():
                errors.setdefault(key, []).extend(messages)
            continue
        if outcome.draft is not None:
            queued.append(outcome.draft)
        elif outcome.meeting is not None:
            link = url_for("meetings.detail", meeting_id=outcome.meeting.id)
            notes.append(Markup("«{}» ya fue importado: <a href=\"{}\" class=\"alert-link\">ver el acta registrada</a> "
                                "({}). No se creó otro borrador.").format(
                outcome.filename, link, outcome.meeting.title))
        else:
            d = outcome.existing_draft
            link = url_for(".review", draft_id=d.id) if d.status == DraftStatus.READY else url_for(".index")
            notes.append(Markup(
                "«{}» ya está entre sus borradores: <a href=\"{}\" class=\"alert-link\">{}</a>."
            ).format(outcome.filename, link, "revisarlo" if d.status == DraftStatus.READY else "ver su estado"))
    db.session.commit()
    started = worker.start([d.id for d in queued])
    if queued:
        names = ", ".join(f"«{d.original_name}»" for d in queued)
        if started and len(queued) == 1:
            flash(f"Se subió {names}. Se está leyendo; cuando esté listo, revíselo y confirme.", "success")
        elif started:
            flash(f"Se subieron {len(queued)} archivos: {names}. Se están leyendo; cuando estén listos, "
                  "revíselos y confirme.", "success")
        else:
            flash(drafts.START_FAILED, "danger")
    if errors:
        put_errors(form, errors)
        return _render_index(form, 422, notes=notes)
    for note in notes:
        flash(note, "warning")
    return redirect(url_for(".index"))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    if request.endpoint != "imports.index":
        return render_template("errors/error.html", status=413,
                               message="El archivo o la solicitud es demasiado grande."), 413
    form = UploadForm(formdata=None)
    form.files.errors = [(
        f"Los archivos enviados superan el máximo de una subida ({_mb(request.max_content_length or 0)}: "
        f"hasta {max_files()} archivos de {_mb(current_app.config['IMPORT_MAX_BYTES'])} cada uno). "
        "Súbalos en varias veces.")]
    return _render_index(form, 413)


@bp.route("/importar/estado")
@login_required
def status():
    """The state of the drafts on the page, for the page to follow without reloading."""
    if not permissions.can_import_actas(current_user):
        abort(403)
    ids = [i for i in map(parse_id, request.args.get("ids", "").split(",")) if i is not None][:MAX_POLLED]
    return jsonify({"drafts": [_status_json(d) for d in queries.drafts_among(current_user, ids)]})


def _status_json(d: ImportDraft) -> dict:
    stale = drafts.is_stale(d)
    return {
        "id": d.id, "status": "failed" if stale else d.status,
        "label": "Interrumpido" if stale else d.status_label,
        "stage": drafts.INTERRUPTED if stale else (d.error_message if d.status == DraftStatus.FAILED else d.stage),
        "active": d.is_active and not stale,
        "review_url": url_for(".review", draft_id=d.id) if d.status == DraftStatus.READY and not d.meeting_id else None,
    }


@bp.route("/importar/<int:draft_id>/pdf")
@file_download
@login_required
def pdf(draft_id: int):
    draft = _load(draft_id)
    path = storage.path_for(draft.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=draft.original_name,
                     conditional=True, etag=draft.sha256)


def _warnings_for(draft: ImportDraft, form: ActaForm, *, inline: bool) -> list[tuple[str, dict]]:
    """The parser's warnings, and ours about the sector, as (anchor, warning) for the banner;
    put beside their fields too — all of them when ``inline`` (the form still holds the
    parsed rows in the parsed order), else only the header's."""
    items = list(draft.warnings)
    sector = drafts.named_sector_of(draft)
    if sector is not None and not permissions.can_record_meeting(current_user, sector.id):
        items.append({"code": "sector-not-yours", "field": "meeting.sector", "message": (
            f"El acta parece ser del sector «{sector.name}»; usted solo puede registrar actas de "
            f"{current_user.organization.name}.")})
    if inline:
        anchors = form.apply_warnings(items)
    else:
        header = [w for w in items if (w.get("field") or "").startswith("meeting.")]
        placed = dict(zip(map(id, header), form.apply_warnings(header)))
        anchors = [placed.get(id(w), "") for w in items]
    return list(zip(anchors, items))


def _render_review(draft: ImportDraft, form: ActaForm, warnings: list[tuple[str, dict]], *, status: int = 200,
                   duplicate_id: int | None = None, refusal: str | None = None):
    """The review page: the acta form pre-filled from the draft; with ``refusal`` (this
    user may not confirm it) no confirm button, the reason, and «Pasar a coordinación»
    when they may hand it over."""
    named = drafts.named_sector_of(draft)
    return render_acta_form(
        form, status=status, duplicate_id=duplicate_id, template="imports/review.html", draft=draft,
        parse_warnings=warnings, discard_form=ActionForm(formdata=None), refusal=refusal,
        can_hand_over=permissions.can_hand_over_draft(current_user, draft, named.id if named else None),
        named_sector=named)


@bp.route("/importar/<int:draft_id>/revisar", methods=["GET", "POST"])
@login_required
def review(draft_id: int):
    draft = _load(draft_id)
    if draft.meeting_id is not None:
        flash("Este borrador ya se registró como acta.", "info")
        return redirect(url_for("meetings.detail", meeting_id=draft.meeting_id))
    if draft.status != DraftStatus.READY:
        flash("Este borrador todavía no está listo para revisar." if draft.is_active
              else "Este PDF no se pudo leer; no hay nada que revisar.", "warning")
        return redirect(url_for(".index"))
    refusal = drafts.confirm_refusal(draft, current_user)
    if request.method == "GET":
        form = acta_form(current_user, data=data_from_document(drafts.review_document(draft)))
        warnings = _warnings_for(draft, form, inline=True)
        return _render_review(draft, form, warnings, refusal=refusal)
    if refusal is not None:  # refused before anything is validated or saved
        form = acta_form(current_user)
        return _render_review(draft, form, _warnings_for(draft, form, inline=False), status=403, refusal=refusal)

    form = acta_form(current_user)
    meeting, status, duplicate_id = submit_acta_form(
        form, lambda document: drafts.confirm(draft, document, current_user))
    if meeting is not None:
        flash(f"Acta importada y registrada: {meeting.title}, {len(meeting.commitments)} compromisos. "
              "El PDF original queda guardado con el acta.", "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    draft = db.session.get(ImportDraft, draft_id)
    # Rows may have moved since the parse: only the header's warnings go beside fields now.
    warnings = _warnings_for(draft, form, inline=False)
    return _render_review(draft, form, warnings, status=status, duplicate_id=duplicate_id)


@bp.route("/importar/<int:draft_id>/pasar-a-coordinacion", methods=["POST"])
@login_required
def hand_over(draft_id: int):
    draft = _load(draft_id)
    if not ActionForm().validate():
        abort(400)
    try:
        messages = drafts.hand_over(draft, current_user)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".index"))
    db.session.commit()
    if messages:
        flash(f"Se pasó «{draft.original_name}» a coordinación y se avisó por correo a "
              f"{len(messages)} coordinador{'es' if len(messages) != 1 else ''}.", "success")
    else:
        flash(f"Se pasó «{draft.original_name}» a coordinación. No hay coordinadores activos a quienes avisar "
              "por correo; lo verán en su lista de borradores.", "warning")
    return redirect(url_for(".index"))


@bp.route("/importar/<int:draft_id>/descartar", methods=["POST"])
@login_required
def discard(draft_id: int):
    draft = _load(draft_id)
    if not permissions.can_discard_draft(current_user, draft):
        abort(403)
    if not ActionForm().validate():
        abort(400)
    name = draft.original_name
    drafts.discard(draft)
    db.session.commit()
    flash(f"Se descartó el borrador de «{name}».", "info")
    return redirect(url_for(".index"))


@bp.route("/importar/<int:draft_id>/reintentar", methods=["POST"])
@login_required
def retry(draft_id: int):
    draft = _load(draft_id)
    if not ActionForm().validate():
        abort(400)
    if not drafts.can_retry(draft):
        flash("Este borrador no necesita otro intento.", "info")
        return redirect(url_for(".index"))
    drafts.requeue(draft)
    db.session.commit()
    if worker.start([draft.id]):
        flash(f"Se volverá a leer «{draft.original_name}».", "success")
    else:
        flash(drafts.START_FAILED, "danger")
    return redirect(url_for(".index"))
