"""Commitment statuses, the transition graph, who may make which move, and overdue.

Pure functions over plain values: no database, no Flask request.
"""
from __future__ import annotations

from datetime import date

PENDIENTE = "pendiente"
EN_PROCESO = "en_proceso"
POR_VALIDAR = "por_validar"
CUMPLIDO = "cumplido"
NO_CUMPLIDO = "no_cumplido"
ANULADO = "anulado"

STATUSES = (PENDIENTE, EN_PROCESO, POR_VALIDAR, CUMPLIDO, NO_CUMPLIDO, ANULADO)
OPEN = (PENDIENTE, EN_PROCESO)            # may become overdue
CLOSED = (CUMPLIDO, NO_CUMPLIDO, ANULADO)

STATUS_LABELS = {
    PENDIENTE: "Pendiente",
    EN_PROCESO: "En proceso",
    POR_VALIDAR: "Por validar",
    CUMPLIDO: "Cumplido",
    NO_CUMPLIDO: "No cumplido",
    ANULADO: "Anulado",
}
STATUS_COLORS = {
    PENDIENTE: "secondary",
    EN_PROCESO: "primary",
    POR_VALIDAR: "info",
    CUMPLIDO: "success",
    NO_CUMPLIDO: "danger",
    ANULADO: "dark",
}

# Every move any role may make. Staying in the same status (a progress report, a note,
# a new due date) is allowed while the commitment is open or waiting for validation.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDIENTE: frozenset({PENDIENTE, EN_PROCESO, POR_VALIDAR, CUMPLIDO, NO_CUMPLIDO, ANULADO}),
    EN_PROCESO: frozenset({EN_PROCESO, POR_VALIDAR, CUMPLIDO, NO_CUMPLIDO, ANULADO}),
    POR_VALIDAR: frozenset({POR_VALIDAR, CUMPLIDO, EN_PROCESO, NO_CUMPLIDO, ANULADO}),
    # A closed commitment can only be reopened.
    CUMPLIDO: frozenset({PENDIENTE, EN_PROCESO}),
    NO_CUMPLIDO: frozenset({PENDIENTE, EN_PROCESO}),
    ANULADO: frozenset({PENDIENTE, EN_PROCESO}),
}

# The moves a regional officer may make on their own region's commitments.
OFFICER_TRANSITIONS: dict[str, frozenset[str]] = {
    PENDIENTE: frozenset({EN_PROCESO, POR_VALIDAR}),
    EN_PROCESO: frozenset({EN_PROCESO, POR_VALIDAR}),
}


def is_valid_transition(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def officer_may(old: str, new: str) -> bool:
    return new in OFFICER_TRANSITIONS.get(old, frozenset())


def is_reopening(old: str, new: str) -> bool:
    return old in CLOSED and new not in CLOSED


def is_return(old: str, new: str) -> bool:
    """A validator sends a commitment back from ``por_validar`` to ``en_proceso``."""
    return old == POR_VALIDAR and new == EN_PROCESO


def note_required(old: str, new: str) -> bool:
    """Closing as no_cumplido/anulado, returning and reopening need a note."""
    return old != new and (new in (NO_CUMPLIDO, ANULADO) or is_return(old, new) or is_reopening(old, new))


def evidence_or_note_required(old: str, new: str) -> bool:
    """Asking for validation needs a note or evidence."""
    return new == POR_VALIDAR and old != POR_VALIDAR


def is_overdue(status: str, due: date | None, today: date | None = None) -> bool:
    if due is None or status not in OPEN:
        return False
    if today is None:
        from gore_tracker.utils.dates import today as lima_today

        today = lima_today()
    return due < today


def days_overdue(status: str, due: date | None, today: date | None = None) -> int:
    if not is_overdue(status, due, today):
        return 0
    if today is None:
        from gore_tracker.utils.dates import today as lima_today

        today = lima_today()
    return (today - due).days
