"""Login and logout (Flask-Login sessions). The API uses bearer tokens instead."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from gore_tracker.audit import record_event
from gore_tracker.db import utcnow
from gore_tracker.extensions import db, login_manager
from gore_tracker.users import operations as users
from gore_tracker.users.sessions import end_sessions, load_session_user

from . import throttle
from .forms import LoginForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Inicie sesión para continuar."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str):
    return load_session_user(user_id)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def too_many(template: str, blocked: throttle.Blocked, **context):
    """429 with the Spanish message saying when to retry, and Retry-After."""
    html = render_template(template, blocked=blocked, **context)
    return html, 429, {"Retry-After": str(blocked.retry_after)}


def complete_login(user, *, remember: bool, next_url: str | None):
    """Sign ``user`` in (password, and second factor when enrolled, already checked)."""
    login_user(user, remember=remember)
    session.permanent = True  # idle timeout from this response on (security.py)
    user.last_login_at = utcnow()
    record_event("login", entity_id=user.id)
    db.session.commit()
    return redirect(safe_next(next_url) or url_for("home.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip()
        blocked = throttle.login_blocked(email)
        if blocked is not None:  # checked before the password: the right one gets 429 too
            return too_many("auth/login.html", blocked, form=form)
        user = users.authenticate(email, form.password.data)
        if user is None:
            known = users.find_user(email)
            record_event("login_failed", entity_id=known.id if known else None, actor_label=email)
            if throttle.record_login_failure(email):
                record_event("lockout", entity_id=known.id if known else None, actor_label=email)
            db.session.commit()
            form.password.errors.append("Correo o contraseña incorrectos.")
        elif user.mfa_secret:
            from .mfa import start_second_step

            start_second_step(user, remember=form.remember.data, next_url=safe_next(request.args.get("next")))
            return redirect(url_for("auth_mfa.verify"))
        else:
            return complete_login(user, remember=form.remember.data, next_url=request.args.get("next"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    record_event("logout", entity_id=user.id)
    end_sessions(user)  # every cookie of the account dies, copies included
    db.session.commit()
    logout_user()
    flash("Sesión cerrada.", "info")
    return redirect(url_for("auth.login"))
