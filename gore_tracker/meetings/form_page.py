"""The acta form's page and its submit flow, shared by every page that shows the acta form:
recording a new acta, editing one (``meetings.views``) and reviewing an imported PDF
(``imports.views``, whose template extends ``meetings/form.html``).
"""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy.exc import IntegrityError

from gore_tracker.exceptions import DuplicateMeeting, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs

from . import queries
from .forms import BODY_SUGGESTIONS, HONORIFICS, ActaForm, default_title


def acta_form(user, *, preselect: bool = False, **kwargs) -> ActaForm:
    """The acta form with the sectors ``user`` may record actas for as its choices; with
    ``preselect`` (a new acta), the only one there is (a liaison's own sector) is chosen."""
    sectors = orgs.recordable_sectors(user)
    form = ActaForm(sectors=sectors, **kwargs)
    if preselect and len(sectors) == 1:
        form.sector.data = sectors[0].name
    return form


def render_acta_form(form: ActaForm, *, meeting=None, status: int = 200, duplicate_id: int | None = None,
                     template: str = "meetings/form.html", **context):
    """The acta form page (``template`` and ``context`` for pages that extend it)."""
    template_form = ActaForm(formdata=None, sectors=[])
    template_form.add_blank_rows()
    locked = {}
    if meeting is not None:
        for c in meeting.commitments:
            locked[f"{c.region.name}|{c.number}"] = c
    return render_template(
        template, form=form, tpl=template_form, meeting=meeting, locked=locked,
        duplicate_id=duplicate_id, bodies=sorted(set(BODY_SUGGESTIONS) | set(queries.bodies())),
        honorifics=HONORIFICS, title_placeholder=default_title(
            form.body.data, form.edition.data if isinstance(form.edition.data, int) else None,
            form.session_type.data),
        **context,
    ), status


def submit_acta_form(form: ActaForm, save):
    """The POST of an acta form page; ``save(document)`` records it and returns the meeting.

    Returns ``(meeting, status, duplicate_id)``: the meeting (committed) when saved, else
    None with 200 (a row added without JavaScript), 422 (errors put on the form) or 409
    (the same acta is already recorded: ``duplicate_id``).
    """
    added = request.form.get("_add")
    if added:  # "Añadir" without JavaScript: one more row, nothing saved
        form.add_row(added)
        return None, 200, None
    if not form.validate():
        return None, 422, None
    document = form.to_document()
    try:
        try:
            meeting = save(document)
        except IntegrityError:
            # Someone recorded the same acta between the duplicate check and our insert:
            # once more, and the check now answers DuplicateMeeting.
            db.session.rollback()
            meeting = save(document)
    except ValidationFailed as exc:
        db.session.rollback()
        form.apply_errors(exc.fields)
        return None, 422, None
    except DuplicateMeeting as exc:
        db.session.rollback()
        return None, 409, exc.existing_id
    db.session.commit()
    return meeting, 200, None
