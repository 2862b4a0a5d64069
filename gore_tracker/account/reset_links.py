"""One-time password reset links: ``/recuperar/<token>``, valid ``RESET_LINK_MINUTES`` (60).

Nothing is stored: a token is signed (itsdangerous, with ``SECRET_KEY``) over the account
id, the moment the link was asked for, and a *fingerprint* of the account's state — an
HMAC of its e-mail, password hash, active flag and session epoch. Setting a password
changes the hash (a new salt every time, even for the same password), so the link that
was used stops working, and so does every other outstanding link of the account; an
admin's reset, a password change, a deactivation or ended sessions kill them too. No
table of reset tokens to clean up, and nothing a database reader could use.

The e-mail is enqueued with a *sealed* placeholder (``notifications.sealed``) holding the
moment and the fingerprint, not the link: the dispatcher makes the link only when it
sends the message. So Correo saliente and the CLI cannot show it, while the mail has it.
A message still queued when its link expired, or whose account changed in the meantime,
is marked failed instead of being sent.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from gore_tracker.extensions import db
from gore_tracker.notifications import sealed
from gore_tracker.notifications.emails import link_context
from gore_tracker.users.models import User

SALT = "gore-tracker.password-reset"
KIND = "password_reset"


class ResetLinkInvalid(Exception):
    """The link cannot be used (bad, used, superseded or expired); one Spanish message for all,
    so the page tells nothing about which accounts exist."""

    message = ("Este enlace para restablecer la contraseña ya no es válido: se usó, venció "
               "(vale una hora) o se pidió otro después. Pida un enlace nuevo.")


def lifetime() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("RESET_LINK_MINUTES", 60)))


def fingerprint(user) -> str:
    """Changes whenever the account's password, address, activity or session epoch does."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    epoch = getattr(user, "session_epoch", None)  # added by the session-ending work, if present
    state = "\x1f".join(str(v) for v in (user.id, (user.email or "").lower(), user.password_hash or "",
                                          bool(user.active), epoch))
    digest = hmac.new(key, state.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def seal(user, now: datetime) -> str:
    """The placeholder that goes into the outbox instead of the link."""
    return sealed.placeholder(KIND, f"{_timestamp(now)}.{fingerprint(user)}")


def make_token(user, issued_at: int, print_: str) -> str:
    return _serializer().dumps([int(user.id), int(issued_at), print_])


@sealed.filler(KIND)
def _fill(row, data: str, now: datetime) -> str:
    """The link, made at sending time from the placeholder's moment and fingerprint."""
    issued, _, print_ = data.partition(".")
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active:
        raise sealed.Unsendable("La cuenta ya no existe o está desactivada: no se envía el enlace.")
    if now.timestamp() > int(issued) + lifetime().total_seconds():
        raise sealed.Unsendable("El enlace para restablecer la contraseña venció antes de enviarse.")
    if not hmac.compare_digest(print_, fingerprint(user)):
        raise sealed.Unsendable("La contraseña o la cuenta cambió después de pedir el enlace: "
                                "ya no se envía.")
    with link_context():
        return url_for("account.reset", token=make_token(user, int(issued), print_), _external=True)


@dataclass(frozen=True)
class ResetClaim:
    user: User
    issued_at: datetime


def check(token: str | None, now: datetime) -> ResetClaim:
    """The account a link may set the password of, or ``ResetLinkInvalid``."""
    try:
        user_id, issued, print_ = _serializer().loads(token or "")
        user_id, issued = int(user_id), int(issued)
        if not isinstance(print_, str):
            raise TypeError
    except (BadSignature, TypeError, ValueError):
        raise ResetLinkInvalid() from None
    issued_at = datetime.fromtimestamp(issued, UTC)
    if not issued_at - timedelta(minutes=5) <= now <= issued_at + lifetime():
        raise ResetLinkInvalid()
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.is_active or not hmac.compare_digest(print_, fingerprint(user)):
        raise ResetLinkInvalid()
    return ResetClaim(user=user, issued_at=issued_at)
