"""Who is acting and from where, for the entries written in this request, command or job.

Inside a request: the signed-in account (Flask-Login) or the API token's account, the
client's address (``request.remote_addr``, corrected by ``PROXY_COUNT`` through ProxyFix)
and user agent. Command-line tools say who acts with ``acting_as(user, source="cli")``;
anything else (the scheduler, the import worker) is ``system``.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_request_context, request

SYSTEM = "system"
CLI = "cli"
UA_MAX = 300


@dataclass(frozen=True)
class Actor:
    label: str
    id: int | None = None
    ip: str | None = None
    user_agent: str | None = None


_override: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)
_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_reason", default=None)


def _label(user) -> str | None:
    email = getattr(user, "email", None)
    return email if email and getattr(user, "is_authenticated", True) else None


def _request_user():
    """The account behind this request, without loading one that was not loaded yet."""
    user = g.get("api_user")
    if user is None:
        user = g.get("_login_user")
    return user if _label(user) else None


def current_actor() -> Actor:
    override = _override.get()
    if override is not None:
        return override
    if has_request_context():
        user = _request_user()
        ua = (request.user_agent.string or "")[:UA_MAX] or None
        if user is not None:
            return Actor(label=user.email, id=user.id, ip=request.remote_addr, user_agent=ua)
        return Actor(label=SYSTEM, ip=request.remote_addr, user_agent=ua)
    return Actor(label=SYSTEM)


@contextmanager
def acting_as(user=None, *, source: str | None = CLI, label: str | None = None):
    """Attribute the entries written inside the block to ``user`` (or ``label``), from ``source``."""
    if user is not None and label is None:
        label = user.email
    token = _override.set(Actor(label=label or SYSTEM, id=getattr(user, "id", None), ip=source))
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def reason(text: str | None):
    """A reason recorded on every entry written inside the block («Motivo del cambio»)."""
    token = _reason.set(text or None)
    try:
        yield
    finally:
        _reason.reset(token)


def current_reason() -> str | None:
    return _reason.get()
