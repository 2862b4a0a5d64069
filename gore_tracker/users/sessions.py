"""Ending every session of an account at once, through Flask-Login's "alternative tokens".

Each account carries a random ``session_epoch``. ``User.get_id()`` returns ``"<id>:<epoch>"``,
which Flask-Login stores both in the signed session cookie and in the signed remember-me
cookie; the user loader (``load_session_user``) accepts the value only while the epoch is
still the account's current one. ``end_sessions`` draws a new epoch, so every cookie issued
before it — session or remember-me, on any device, copied or not — stops loading a user.
A deactivated account loads no user either, and reactivating it does not bring old
cookies back, because deactivation ended them first.
"""
from __future__ import annotations

import hmac
import secrets

from gore_tracker.extensions import db


def new_session_epoch() -> str:
    return secrets.token_hex(16)


def session_id(user) -> str:
    """The value Flask-Login keeps in the cookies for ``user``."""
    return f"{user.id}:{user.session_epoch}"


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

    user_id, sep, epoch = (value or "").partition(":")
    if not sep or not epoch or not user_id.isdigit() or len(user_id) > 10:
        return None  # a cookie from before epochs, or not ours
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not user.session_epoch:
        return None
    if not hmac.compare_digest(user.session_epoch.encode(), epoch.encode()):
        return None
    return user
