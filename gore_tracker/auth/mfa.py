"""Second factor routes: enrolment at ``/cuenta/2fa`` and the second login step at ``/login/2fa``.

A password that is right for an account with a second factor does not sign in: it leaves a
short-lived ``mfa_pending`` mark in the session (account id and session epoch, 5 minutes)
and the code page finishes the sign-in. Wrong codes count as failed sign-ins of the account
(same limits and lockout as passwords). With ``MFA_REQUIRED_ROLES`` set, a signed-in account
of those roles without a second factor is sent to enrol before anything else.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from gore_tracker import permissions
from gore_tracker.audit import record_event
from gore_tracker.exceptions import DomainError, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.forms import put_errors
from gore_tracker.users import mfa
from gore_tracker.users.models import User

from . import throttle
from .views import complete_login, too_many

bp = Blueprint("auth_mfa", __name__)

PENDING = "mfa_pending"
ENROL_NONCE = "mfa_enrol"
PENDING_SECONDS = 300
# Pages an account that must enrol can still reach.
OPEN_ENDPOINTS = {"auth_mfa.enrol", "auth_mfa.verify", "auth.logout", "auth.login", "static"}


class CodeForm(FlaskForm):
    code = StringField("Código", validators=[DataRequired("Escriba el código."), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})


def start_second_step(user: User, *, remember: bool, next_url: str | None) -> None:
    session[PENDING] = {"id": user.id, "epoch": user.session_epoch, "remember": bool(remember),
                        "next": next_url, "at": int(time.time())}


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING) or {}
    if not pending or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, int(pending.get("id", 0)))
    if user is None or not user.is_active or user.session_epoch != pending.get("epoch") or not user.mfa_secret:
        return None, {}
    return user, pending


@bp.route("/login/2fa", methods=["GET", "POST"])
def verify():
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Inicie sesión de nuevo.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        blocked = throttle.login_blocked(user.email)
        if blocked is not None:
            return too_many("auth/mfa_verify.html", blocked, form=form)
        if mfa.verify(user, form.code.data):
            session.pop(PENDING, None)
            return complete_login(user, remember=pending["remember"], next_url=pending.get("next"))
        record_event("login_failed", entity_id=user.id, actor_label=user.email, note="segundo factor")
        if throttle.record_login_failure(user.email):
            record_event("lockout", entity_id=user.id, actor_label=user.email)
        db.session.commit()
        form.code.errors.append("El código no es válido o ya fue usado.")
    return render_template("auth/mfa_verify.html", form=form), 422 if form.errors else 200


def _enrol_secret(user: User) -> str:
    """The secret offered on this enrolment page: derived from SECRET_KEY and a nonce kept in
    the session, so the cookie never holds the secret itself."""
    nonce = session.get(ENROL_NONCE)
    if not nonce:
        nonce = session[ENROL_NONCE] = secrets.token_urlsafe(16)
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"mfa-enrol:{user.id}:{nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


@bp.route("/cuenta/2fa", methods=["GET", "POST"])
@login_required
def enrol():
    user = current_user._get_current_object()
    if not permissions.can_enrol_mfa(user):
        abort(403)
    form = CodeForm()
    if user.mfa_secret:
        return _status_page(user, form)
    secret = _enrol_secret(user)
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, secret, form.code.data)
        except ValidationFailed as exc:
            put_errors(form, exc.fields)
        else:
            db.session.commit()
            session.pop(ENROL_NONCE, None)
            response = make_response(render_template("auth/mfa_codes.html", codes=codes))
            response.headers["Cache-Control"] = "no-store"
            return response
    uri = mfa.provisioning_uri(user, secret)
    return render_template("auth/mfa_enrol.html", form=form, qr=mfa.qr_svg(uri), secret=secret,
                           required=permissions.mfa_required(user)), 422 if form.errors else 200


def _status_page(user: User, form: CodeForm):
    if request.method == "POST" and form.validate_on_submit():
        try:
            mfa.disable(user, form.code.data)
        except DomainError as exc:
            if exc.status_code == 403:
                abort(403)
            put_errors(form, exc.fields)
        else:
            db.session.commit()
            flash("Segundo factor desactivado.", "success")
            return redirect(url_for(".enrol"))
    return render_template("auth/mfa_status.html", form=form, left=mfa.recovery_codes_left(user),
                           can_disable=permissions.can_disable_mfa(user)), 422 if form.errors else 200


@bp.before_app_request
def _enrolment_first():
    """With MFA_REQUIRED_ROLES, accounts of those roles enrol before using the app."""
    if request.path.startswith("/api/") or request.endpoint is None:
        return None
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint.endswith(".static"):
        return None
    if current_user.is_authenticated and permissions.must_enrol_mfa(current_user):
        flash("Su rol requiere un segundo factor de autenticación: configúrelo para continuar.", "warning")
        return redirect(url_for("auth_mfa.enrol"))
    return None
