"""One's own account: change the password, ask for and use a reset link.

Plain functions: they check, flush and never commit; the view commits once. Every
password set here follows the policy (``users.passwords.validate_new_password``) and ends
every session and remember cookie of the account (``users.operations.set_password``, which
calls ``users.sessions.end_sessions``). The
audit trail records the change as a redacted ``password`` field of the user by itself.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from gore_tracker.exceptions import FieldErrors, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.notifications import outbox
from gore_tracker.notifications.emails import render
from gore_tracker.notifications.models import OutboxKind, OutboxMessage
from gore_tracker.users import operations as user_ops
from gore_tracker.users.models import User
from gore_tracker.users.passwords import validate_new_password

from . import reset_links


def _new_password_errors(user: User, new: str, confirm: str, field: str, errors: FieldErrors) -> None:
    try:
        validate_new_password(new, email=user.email, name=user.name)
    except ValidationFailed as exc:
        for message in exc.fields.get("password", [exc.message]):
            errors.add(field, message)
    if (new or "") != (confirm or ""):
        errors.add("confirm", "Las dos contraseñas no coinciden.")


def _set_password(user: User, password: str) -> None:
    user_ops.set_password(user, password)  # the one way a password changes: policy, hash, end_sessions


def change_password(user: User, *, current: str, new: str, confirm: str) -> None:
    """Set ``new`` when ``current`` is the account's password; ends every session."""
    errors = FieldErrors()
    if not user.check_password(current or ""):
        errors.add("current_password", "La contraseña actual no es correcta.")
    else:
        _new_password_errors(user, new, confirm, "new_password", errors)
        if not errors and user.check_password(new):
            errors.add("new_password", "La nueva contraseña debe ser distinta de la actual.")
    errors.raise_if_any("No se cambió la contraseña: revise los campos marcados.")
    _set_password(user, new)


# --- Reset by e-mail ---------------------------------------------------------------------------

class _Nobody:
    """Stands in for an unknown address, so its request does the same work as a real one."""

    id = 0
    name = "Usuario"
    password_hash = "scrypt:32768:8:1$" + "0" * 16 + "$" + "0" * 128
    active = True
    session_epoch = None

    def __init__(self, email: str):
        self.email = email


def _recent_requests(email: str, now: datetime) -> int:
    since = now - timedelta(hours=1)
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.PASSWORD_RESET, func.lower(OutboxMessage.to_email) == email,
        OutboxMessage.created_at >= since)) or 0


def request_reset(email: str, *, now: datetime) -> OutboxMessage | None:
    """Enqueue a reset e-mail for the active account of ``email``; for an unknown or inactive
    address do the same work and enqueue nothing. Returns the message (tests), never for a view
    to tell the difference. At most ``RESET_MAX_PER_HOUR`` mails per address and hour."""
    try:
        address = user_ops.normalize_email(email)
    except ValidationFailed:
        address = (email or "").strip().lower()
    user = user_ops.find_user(address)
    target = user if user is not None and user.is_active else None
    stand_in = target or _Nobody(address)
    too_many = _recent_requests(address, now) >= current_app.config.get("RESET_MAX_PER_HOUR", 3)
    minutes = int(reset_links.lifetime().total_seconds() // 60)
    mail = render("password_reset", name=stand_in.name, email=address, minutes=minutes,
                  link=reset_links.seal(stand_in, now), recipient_scope="titular de la cuenta")
    if target is None or too_many:
        return None
    message = outbox.enqueue(
        key=f"{OutboxKind.PASSWORD_RESET}:{target.id}:{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}",
        kind=OutboxKind.PASSWORD_RESET, user=target, subject=mail.subject,
        text_body=mail.text, html_body=mail.html)
    message.created_at = message.next_attempt_at = now
    db.session.flush()
    return message


def reset_password(token: str, *, new: str, confirm: str, now: datetime) -> User:
    """Set the password of the link's account; the link (and every other one) dies with the
    old password hash, and every session of the account ends."""
    claim = reset_links.check(token, now)
    errors = FieldErrors()
    _new_password_errors(claim.user, new, confirm, "new_password", errors)
    errors.raise_if_any("No se cambió la contraseña: revise los campos marcados.")
    _set_password(claim.user, new)
    return claim.user
