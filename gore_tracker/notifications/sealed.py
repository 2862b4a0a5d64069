"""Secrets that never rest in the outbox: sealed placeholders, filled only when a message is sent.

A message that must carry a secret (the one-time link of a password reset) is enqueued with
a placeholder ``⟦sealed:<kind>:<data>⟧`` in its bodies instead of the secret. ``data`` is
what the secret is made from, and is of no use without the app's ``SECRET_KEY``. The
dispatcher calls ``open_bodies`` when it builds the message for the mail server (or the
``.eml`` file), and only there the placeholder becomes the secret. So the outbox table,
**Correo saliente**, ``flask outbox list/show`` and backups never hold a usable link, while
the real mail does.

A filler is registered per kind with ``@filler("kind")``; it receives the outbox row, the
placeholder's data and the sending time, returns the text to put in, or raises
``Unsendable`` (the account was deactivated, the link expired before it could be sent…),
which marks the message failed without retries.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from markupsafe import escape

# Lowercase kind, then data of URL-safe characters, dots and colons: nothing a template
# escapes differently in HTML, so the same placeholder appears in both bodies.
PATTERN = re.compile(r"⟦sealed:([a-z_]+):([A-Za-z0-9_.:\-]*)⟧")
MASK = "[enlace personal oculto: solo va en el correo enviado]"

Filler = Callable[..., str]
_FILLERS: dict[str, Filler] = {}


class Unsendable(Exception):
    """The secret cannot be made any more; the message is marked failed (Spanish reason)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def filler(kind: str) -> Callable[[Filler], Filler]:
    def register(fn: Filler) -> Filler:
        _FILLERS[kind] = fn
        return fn

    return register


def placeholder(kind: str, data: str) -> str:
    value = f"⟦sealed:{kind}:{data}⟧"
    if not PATTERN.fullmatch(value):
        raise ValueError(f"unusable sealed placeholder data: {data!r}")
    return value


def is_sealed(text: str | None) -> bool:
    return bool(text) and PATTERN.search(text) is not None


def mask(text: str | None) -> str | None:
    """The text as admins may see it: every placeholder replaced by a notice."""
    if not text:
        return text
    return PATTERN.sub(MASK, text)


def open_bodies(row, now: datetime) -> tuple[str, str]:
    """(text, html) of an outbox row with every placeholder filled. ``Unsendable`` when a
    secret can no longer be made."""
    if not (is_sealed(row.text_body) or is_sealed(row.html_body)):
        return row.text_body, row.html_body
    _load_fillers()
    made: dict[tuple[str, str], str] = {}

    def secret(match) -> str:
        key = (match.group(1), match.group(2))
        if key not in made:
            fn = _FILLERS.get(key[0])
            if fn is None:
                raise Unsendable(f"Mensaje con un contenido sellado desconocido ({key[0]}).")
            made[key] = fn(row, key[1], now)
        return made[key]

    text = PATTERN.sub(secret, row.text_body)
    html = PATTERN.sub(lambda m: str(escape(secret(m))), row.html_body)
    return text, html


def _load_fillers() -> None:
    """Import the modules that register fillers (a dispatcher may run in a process that
    never imported them: the scheduler, ``flask outbox send``)."""
    from gore_tracker.account import reset_links  # noqa: F401
