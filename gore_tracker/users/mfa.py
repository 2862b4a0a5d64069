"""Optional second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

Enrolment draws a secret, shows it as a QR code drawn by the app (segno, SVG — no external
service) and keeps it only once the person has typed a valid code from their app. A code is
accepted once: the time step of the last accepted code is kept, and an equal or older step is
refused (one step of clock drift either way is allowed). Ten recovery codes are shown once
at enrolment; only their SHA-256 hashes are kept (they are random, 50 bits each) and each
works once. Operations flush and never commit, like every other.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno

from gore_tracker import permissions
from gore_tracker.exceptions import PermissionDenied, ValidationFailed
from gore_tracker.extensions import db

ISSUER = "GORE Tracker"
RECOVERY_CODES = 10
_WRONG = "El código no es válido o ya fue usado. Escriba el código de 6 dígitos que muestra su aplicación."


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False,
                                    svgclass="mfa-qr", title="Código QR para su aplicación de autenticación")
    return out.getvalue().decode("utf-8")


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _step(secret: str, code: str, now: float) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), else None."""
    totp = pyotp.TOTP(secret)
    code = _normalize(code)
    if len(code) != totp.digits or not code.isdigit():
        return None
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def _recovery_codes() -> tuple[list[str], list[str]]:
    codes = [f"{secrets.token_hex(3)[:5]}-{secrets.token_hex(3)[:5]}" for _ in range(RECOVERY_CODES)]
    return codes, [_hash(c) for c in codes]


def enable(user, secret: str, code: str, *, now: float | None = None) -> list[str]:
    """Keep ``secret`` once ``code`` proves the app has it; returns the recovery codes (shown once)."""
    if not permissions.can_enrol_mfa(user):
        raise PermissionDenied("Su rol no usa segundo factor.")
    step = _step(secret, code, now or time.time())
    if step is None:
        raise ValidationFailed("Código no válido.", {"code": [_WRONG]})
    codes, hashes = _recovery_codes()
    user.mfa_secret = secret
    user.mfa_last_step = step
    user.mfa_recovery = hashes
    db.session.flush()
    return codes


def verify(user, code: str, *, now: float | None = None) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then spent). Flushed."""
    if not user.mfa_secret:
        return False
    step = _step(user.mfa_secret, code, now or time.time())
    if step is not None:
        if user.mfa_last_step is not None and step <= user.mfa_last_step:
            return False  # replayed
        user.mfa_last_step = step
        db.session.flush()
        return True
    hashed = _hash(code)
    remaining = list(user.mfa_recovery or [])
    for stored in remaining:
        if hmac.compare_digest(stored, hashed):
            remaining.remove(stored)
            user.mfa_recovery = remaining
            db.session.flush()
            return True
    return False


def disable(user, code: str, *, now: float | None = None) -> None:
    """Turn the second factor off (with a valid code); not for roles that must keep it."""
    if not permissions.can_disable_mfa(user):
        raise PermissionDenied("Su rol debe usar segundo factor.")
    if not verify(user, code, now=now):
        raise ValidationFailed("Código no válido.", {"code": [_WRONG]})
    user.mfa_secret = None
    user.mfa_last_step = None
    user.mfa_recovery = None
    db.session.flush()


def recovery_codes_left(user) -> int:
    return len(user.mfa_recovery or [])
