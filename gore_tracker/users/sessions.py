"""Ending every session of an account at once, through Flask-Login's "alternative tokens".

Each account carries a random ``session_epoch``. ``User.get_id()`` returns
``"<id>:<epoch>:<signed-in at>"``, which Flask-Login stores both in the signed session cookie
and in the signed remember-me cookie; the user loader (``load_session_user``) accepts the
value only while the epoch is still the account's current one and the sign-in is younger
than ``REMEMBER_COOKIE_DURATION`` (Flask-Login's remember cookie carries no date of its own,
so this is what makes "30 days at most" hold on the server, not only in the browser).
``end_sessions`` draws a new epoch, so every cookie issued
before it — session or remember-me, on any device, copied or not — stops loading a user.
A deactivated account loads no user either, and reactivating it does not bring old
cookies back, because deactivation ended them first.
"""
from __future__ import annotations

import hmac
import secrets
import time
from datetime import timedelta

from flask import current_app

from gore_tracker.extensions import db

CLOCK_SKEW = 300  # seconds a sign-in time may lie in the future (several hosts)


def new_session_epoch() -> str:
    return secrets.token_hex(16)


def session_id(user) -> str:
    """The value Flask-Login keeps in the cookies for ``user`` (read once, by ``login_user``)."""
    return f"{user.id}:{user.session_epoch}:{int(time.time())}"


def end_sessions(user) -> None:
    """Invalidate every existing session and remember-me cookie of ``user`` (flushed, not committed).

    The request that calls it and wants to stay signed in (a user changing their own
    password) logs the user in again with ``login_user`` after this, which issues a cookie
    with the new epoch.
    """
    user.session_epoch = new_session_epoch()
    db.session.flush()


def load_session_user(value: str):
    """Flask-Login's user loader: the active account whose id and current epoch are ``value``."""
    from .models import User

    parts = (value or "").split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 10 for p in (parts[0], parts[2])):
        return None  # a cookie from before epochs, or not ours
    user_id, epoch, signed_in = parts[0], parts[1], int(parts[2])
    lifetime = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=30)
    now = time.time()
    if not (now - lifetime.total_seconds() <= signed_in <= now + CLOCK_SKEW):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not user.session_epoch:
        return None
    if not hmac.compare_digest(user.session_epoch.encode(), epoch.encode()):
        return None
    return user
