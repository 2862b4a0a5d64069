"""Mis datos (``/cuenta``) and the password reset pages (``/recuperar``).

Handlers follow load (404) → authorize → validate → operation → commit once → flash and
redirect. Pages that show or take a password answer ``Cache-Control: no-store``.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.routing import BuildError

from gore_tracker import extensions, permissions
from gore_tracker.audit.context import acting_as
from gore_tracker.db import utcnow
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.forms import put_errors
from gore_tracker.users import operations as user_ops
from gore_tracker.users.models import ApiToken

from . import operations, reset_links
from .forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm, RevokeForm

bp = Blueprint("account", __name__)

FORGOT_SENT = ("Si el correo corresponde a una cuenta activa, en unos minutos recibirá un enlace para "
               "restablecer su contraseña. El enlace vale una hora y sirve una sola vez. Revise también "
               "la carpeta de correo no deseado.")


def _limit(*rules: str, key_func=None):
    """The shared Flask-Limiter's limits on a view's POSTs."""
    def decorate(view):
        for rule in rules:
            view = extensions.limiter.limit(rule, methods=["POST"], key_func=key_func)(view)
        return view

    return decorate


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(form, exc: ValidationFailed) -> None:
    db.session.rollback()
    for message in put_errors(form, exc.fields) or ([] if exc.fields else [exc.message]):
        flash(message, "danger")


# --- Mis datos ---------------------------------------------------------------------------------

def _mfa_url(user) -> str | None:
    """The second factor's page (auth's ``/cuenta/2fa``) when this account may use one."""
    if not permissions.can_enrol_mfa(user):
        return None
    try:
        return url_for("auth_mfa.enrol")
    except BuildError:  # the second-factor blueprint is not part of this build
        return None


def _render_account(password_form: ChangePasswordForm, status: int = 200):
    user = current_user._get_current_object()
    return _no_store((render_template("account/index.html", user=user, password_form=password_form,
                                      tokens=user_ops.list_tokens(user), revoke_form=RevokeForm(),
                                      now=utcnow(), mfa_url=_mfa_url(user)), status))


@bp.route("/cuenta")
@login_required
def index():
    return _render_account(ChangePasswordForm(formdata=None))


@bp.route("/cuenta/contrasena", methods=["POST"])
@login_required
@_limit("10 per 15 minutes", key_func=lambda: f"account-password:{current_user.id}")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            operations.change_password(user, current=form.current_password.data, new=form.new_password.data,
                                       confirm=form.confirm.data)
        except ValidationFailed as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            # end_sessions moved the account's session epoch: sign this browser in again under
            # the new one, so only the other sessions and remember cookies end.
            login_user(user, fresh=True)
            flash("Contraseña cambiada. Se cerraron sus sesiones en otros equipos y navegadores.", "success")
            return redirect(url_for(".index"))
    return _render_account(form, 422)


@bp.route("/cuenta/tokens/<int:token_id>/revocar", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != current_user.id:  # another account's token: not found
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    user_ops.revoke_token(token, current_user._get_current_object())
    db.session.commit()
    flash("Token revocado: ya no da acceso a la API.", "success")
    return redirect(url_for(".index") + "#tokens")


# --- Password reset by e-mail ---------------------------------------------------------------------

@bp.route("/recuperar", methods=["GET", "POST"])
@_limit("5 per 15 minutes")  # per address: RESET_MAX_PER_HOUR mails, counted in the outbox
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_reset(form.email.data, now=utcnow())
        db.session.commit()
        flash(FORGOT_SENT, "info")
        return redirect(url_for(".forgot"))
    status = 422 if form.errors else 200
    return render_template("account/forgot.html", form=form), status


@bp.route("/recuperar/<token>", methods=["GET", "POST"])
@_limit("10 per 15 minutes")
def reset(token: str):
    now = utcnow()
    try:
        claim = reset_links.check(token, now)
    except reset_links.ResetLinkInvalid as exc:
        return _no_store((render_template("account/reset_invalid.html", message=exc.message), 400))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with acting_as(claim.user, source=request.remote_addr):
                operations.reset_password(token, new=form.new_password.data, confirm=form.confirm.data,
                                          now=now)
        except ValidationFailed as exc:
            _failed(form, exc)
        except reset_links.ResetLinkInvalid as exc:
            db.session.rollback()
            return _no_store((render_template("account/reset_invalid.html", message=exc.message), 400))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash("Contraseña restablecida y sesiones cerradas. Inicie sesión con su nueva contraseña.",
                  "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return _no_store((render_template("account/reset.html", form=form, user=claim.user), status))
