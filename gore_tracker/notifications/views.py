"""The outbox in the administration (admin role only): list by status, one message, resend.

Also the scheduler banner: every admin page (templates/admin/_nav.html) calls
``scheduler_alert()``, which says since when the scheduler has been silent, or nothing.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from gore_tracker import permissions
from gore_tracker.db import utcnow
from gore_tracker.exceptions import InvalidTransition
from gore_tracker.extensions import db
from gore_tracker.forms import ignored_filter
from gore_tracker.scheduler import heartbeat
from gore_tracker.utils.numbers import page_number

from . import outbox, sealed
from .models import OutboxKind, OutboxMessage, OutboxStatus

bp = Blueprint("outbox", __name__, url_prefix="/admin/correo")


@bp.before_request
@login_required
def _admins_only():
    if not permissions.is_admin(current_user):
        abort(403)


@bp.app_context_processor
def _scheduler_banner():
    return {"scheduler_alert": scheduler_alert}


class SchedulerAlert:
    def __init__(self, last_seen):
        self.last_seen = last_seen


def scheduler_alert() -> SchedulerAlert | None:
    """Why reminders may not be going out (for admins), or None when the scheduler is alive."""
    if not permissions.is_admin(current_user):
        return None
    seen = heartbeat.last_seen()
    if not heartbeat.is_stale(utcnow(), seen):
        return None
    return SchedulerAlert(seen)



@bp.route("/")
def index():
    status = request.args.get("estado")
    warnings = []
    if status not in OutboxStatus.ALL:
        if status:
            warnings.append(ignored_filter("estado", f"Estado desconocido: «{status[:40]}»."))
        status = None
    page = db.paginate(outbox.messages_query(status), page=page_number(request.args),
                       per_page=current_app.config["PER_PAGE_DEFAULT"], error_out=False)
    return render_template("notifications/outbox.html", page=page, status=status,
                           counts=outbox.counts_by_status(), args={"estado": status} if status else {},
                           labels=OutboxStatus.LABELS, statuses=OutboxStatus.ALL,
                           file_mode=not current_app.config.get("MAIL_SERVER"), warnings=warnings)


@bp.route("/<int:message_id>")
def show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("notifications/message.html", message=message, labels=OutboxStatus.LABELS,
                           kind_labels=OutboxKind.LABELS, text_body=sealed.mask(message.text_body),
                           sealed=sealed.is_sealed(message.text_body),
                           sender=current_app.config["MAIL_DEFAULT_SENDER"],
                           can_resend=message.status in (OutboxStatus.SENT, OutboxStatus.FAILED))


@bp.route("/<int:message_id>/reenviar", methods=["POST"])
def resend(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        outbox.resend(message)
    except InvalidTransition as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(f"El mensaje a {message.to_email} volverá a enviarse en el próximo envío del correo saliente.",
              "success")
    return redirect(url_for(".show", message_id=message_id))
