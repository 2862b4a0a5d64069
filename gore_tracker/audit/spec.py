"""How each model is audited: every mapped class declares ``__audit__`` as ``Audited`` or ``Exempt``.

``tests/audit/test_declarations.py`` fails for a model that declares neither, so a new model
cannot silently escape the trail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# Columns never recorded, on any model: bookkeeping that changes without anyone deciding it.
IGNORED_COLUMNS = frozenset({
    "created_at", "last_used_at", "last_login_at", "updated_at", "version", "search_text", "responsible_key",
})
REDACTED = "[oculto]"


@dataclass(frozen=True)
class Audited:
    """Record create, update and delete of this model as ``entity`` entries.

    ``exclude``: further columns not recorded. ``redact``: column → field name recorded with
    hidden values (a password hash becomes ``password: [oculto] → [oculto]``). ``scope``
    returns ``(sector_id, meeting_id)`` of the object, which lets a sector's liaison see
    the entries of their own actas. ``collections``: many-to-many relationships recorded as
    sorted lists of names.
    """

    entity: str
    exclude: frozenset[str] = field(default_factory=frozenset)
    redact: dict[str, str] = field(default_factory=dict)
    scope: Callable[[Any], tuple[int | None, int | None]] | None = None
    collections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exempt:
    """Not audited, and why (written for the reader of the model)."""

    reason: str


def spec_for(obj) -> Audited | Exempt | None:
    return getattr(type(obj), "__audit__", None)
