"""Pages reached from emails: a user's email preferences, and the signed "update this
commitment" links (``/compromisos/<id>/desde-correo?t=…``)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from gore_tracker import permissions
from gore_tracker.commitments.models import Commitment
from gore_tracker.extensions import db

from . import links, preferences

bp = Blueprint("mail", __name__)


@bp.route("/preferencias/correo", methods=["GET", "POST"], endpoint="preferences")
@login_required
def preferences_page():
    user = current_user._get_current_object()
    form = preferences.PreferencesForm()
    may_remind = preferences.gets_reminders(user)
    if request.method == "GET":
        form.reminders.data = user.reminders_enabled
        form.digest.data = user.wants_digest
    elif form.validate_on_submit():
        preferences.set_preferences(user, reminders=form.reminders.data if may_remind else None,
                                    digest=form.digest.data)
        db.session.commit()
        flash("Preferencias de correo guardadas.", "success")
        return redirect(url_for("mail.preferences"))
    return render_template("notifications/preferences.html", form=form, may_remind=may_remind,
                           texts=preferences.describe(user)), 200 if request.method == "GET" else 400


@bp.route("/compromisos/<int:commitment_id>/desde-correo")
@login_required
def from_email(commitment_id: int):
    """Check the token is valid, unexpired and the signed-in user's, then open the update form."""
    try:
        links.check(request.args.get("t"), user_id=current_user.id, commitment_id=commitment_id)
    except links.LinkError as exc:
        return render_template("notifications/link_problem.html", message=exc.message,
                               status=exc.status, commitment_id=commitment_id), exc.status
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    target = url_for("commitments.detail", commitment_id=commitment.id)
    if not permissions.can_update(current_user, commitment):
        flash(f"Este compromiso ya no admite actualizaciones de su parte (estado: "
              f"{commitment.status_label}).", "info")
        return redirect(target)
    return redirect(target + "#actualizar")
