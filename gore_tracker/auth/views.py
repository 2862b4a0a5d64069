"""Login and logout (Flask-Login sessions). The API uses bearer tokens instead."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from gore_tracker.db import utcnow
from gore_tracker.extensions import db, login_manager
from gore_tracker.users import operations as users
from gore_tracker.users.sessions import end_sessions, load_session_user

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.find_user(form.email.data)
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            form.password.errors.append("Correo o contraseña incorrectos.")
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Sesión cerrada.", "info")
    return redirect(url_for("auth.login"))
