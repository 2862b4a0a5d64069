"""Login protection: failed sign-ins and bad API tokens counted with Flask-Limiter.

The counters live in Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``: ``memory://`` for
one process, Redis for several workers) and are driven through its rate-limiting strategy
(``limiter.limiter``, a ``limits`` moving window), because a login is limited by what
happened — a *failed* attempt — and by the account typed, not by every request to a route:

- ``LOGIN_FAILURES_PER_ACCOUNT`` (5 per 15 minutes) per e-mail typed, known or not, so the
  answer never tells whether an account exists;
- ``LOGIN_FAILURES_PER_IP`` (20 per 15 minutes) per client address;
- ``API_TOKEN_FAILURES_PER_IP`` (20 per 15 minutes) bad bearer tokens per client address.

Once a limit is used up every further attempt — even with the right password — answers
429 with the time to retry, until the window moves on or an admin unlocks the account.
With ``RATELIMIT_ENABLED`` off nothing is counted.
"""
from __future__ import annotations

import functools
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import parse

from gore_tracker.extensions import limiter

log = logging.getLogger(__name__)


def _fail_open(default):
    """A storage that does not answer (Redis down) must not turn sign-ins into 500s: log it
    and let the attempt through uncounted — the password check still applies."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:  # any storage error (redis.ConnectionError, timeouts…)
                log.exception("rate-limit storage failed in %s; attempt not counted", fn.__name__)
                return default
        return inner
    return wrap


@dataclass(frozen=True)
class Blocked:
    """A used-up limit: ``retry_after`` seconds until the next attempt is counted."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    @property
    def message(self) -> str:
        n = self.minutes
        return ("Demasiados intentos fallidos. Por seguridad, el ingreso está bloqueado "
                f"temporalmente: vuelva a intentarlo en {n} minuto{'s' if n != 1 else ''}.")


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _item(setting: str):
    return parse(current_app.config[setting])


def _account_key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _client() -> str:
    return request.remote_addr or "unknown"


def _ids(*identifiers: str) -> tuple[str, ...]:
    """Counter keys, under RATELIMIT_KEY_PREFIX (several apps may share one Redis)."""
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "gore_tracker", *identifiers)


def _blocked(setting: str, *identifiers: str) -> Blocked | None:
    item = _item(setting)
    strategy = limiter.limiter
    identifiers = _ids(*identifiers)
    if strategy.test(item, *identifiers):
        return None
    stats = strategy.get_window_stats(item, *identifiers)
    return Blocked(retry_after=max(1, math.ceil(stats.reset_time - time.time())))


@_fail_open(None)
def login_blocked(email: str) -> Blocked | None:
    """The used-up limit this sign-in attempt falls under, if any (counts nothing)."""
    if not enabled():
        return None
    return (_blocked("LOGIN_FAILURES_PER_ACCOUNT", "login-account", _account_key(email))
            or _blocked("LOGIN_FAILURES_PER_IP", "login-ip", _client()))


@_fail_open(False)
def record_login_failure(email: str) -> bool:
    """Count a failed sign-in; True when it used up the account's limit (a lockout)."""
    if not enabled():
        return False
    strategy = limiter.limiter
    strategy.hit(_item("LOGIN_FAILURES_PER_IP"), *_ids("login-ip", _client()))
    account = _item("LOGIN_FAILURES_PER_ACCOUNT")
    ids = _ids("login-account", _account_key(email))
    return strategy.hit(account, *ids) and not strategy.test(account, *ids)


@_fail_open(None)
def account_lock(email: str) -> Blocked | None:
    """Whether the account's failure limit is used up now (for the admin page)."""
    if not enabled():
        return None
    return _blocked("LOGIN_FAILURES_PER_ACCOUNT", "login-account", _account_key(email))


@_fail_open(None)
def unlock_account(email: str) -> None:
    """Forget the account's failed sign-ins (an admin lifting a lockout)."""
    if enabled():
        limiter.limiter.clear(_item("LOGIN_FAILURES_PER_ACCOUNT"), *_ids("login-account", _account_key(email)))


@_fail_open(None)
def api_token_blocked() -> Blocked | None:
    if not enabled():
        return None
    return _blocked("API_TOKEN_FAILURES_PER_IP", "api-token-ip", _client())


@_fail_open(None)
def record_api_token_failure() -> None:
    if enabled():
        limiter.limiter.hit(_item("API_TOKEN_FAILURES_PER_IP"), *_ids("api-token-ip", _client()))
