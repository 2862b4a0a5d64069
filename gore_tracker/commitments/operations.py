"""Changing commitments: progress reports, validation, closing, reopening, reprogramming."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gore_tracker import permissions
from gore_tracker.db import utcnow
from gore_tracker.evidence import storage
from gore_tracker.exceptions import (
    FieldErrors, InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed,
)
from gore_tracker.extensions import db
from gore_tracker.utils.dates import parse_field
from gore_tracker.utils.text import collapse, fold

from . import rules
from .models import Commitment, StatusUpdate

_UNSET = object()


def refresh_search_text(c: Commitment) -> None:
    """Rebuild the folded text the list's search runs over (topic, commitment, responsible).

    Called only by the ``before_flush`` listener in ``models.py``, the one mechanism that
    keeps the keys fresh however a commitment or its topic was changed."""
    parts = [c.topic.text if c.topic is not None else "", c.text or "", c.responsible_text or ""]
    c.search_text = fold(" ".join(parts))
    c.responsible_key = fold(" | ".join([o.name for o in c.responsible_orgs] + [c.responsible_text or ""]))


def _coerce_int(value, path: str, errors: FieldErrors, lo: int, hi: int):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.add(path, "Debe ser un número entero.")
        return None
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        errors.add(path, "Debe ser un número entero.")
        return None
    if not lo <= number <= hi:
        errors.add(path, f"Debe estar entre {lo} y {hi}.")
        return None
    return number


def apply_update(commitment: Commitment, actor, *, status=None, progress=None, note=None,
                 due=_UNSET, due_reason=None, version=None, achieved=None,
                 evidence=()) -> StatusUpdate:
    """Record one update of a commitment and append it to the history (flushed, not committed).

    ``status`` None keeps the current one; ``due`` left unset keeps the due date (None
    removes it); ``evidence`` is a sequence of ``(stream, filename)``. Raises
    ``PermissionDenied`` (403), ``ValidationFailed``/``InvalidTransition`` (422) or
    ``StaleVersion`` (409).
    """
    if not permissions.can_update(actor, commitment):
        raise PermissionDenied("No puede actualizar este compromiso.")

    errors = FieldErrors()
    old_status = commitment.status
    new_status = old_status if status in (None, "") else status
    if new_status not in rules.STATUSES:
        errors.add("status", "Estado no válido.")
    version = _coerce_int(version, "version", errors, 1, 2**31 - 1) if version not in (None, "") else None
    if version is None and "version" not in errors.fields:
        errors.add("version", "Falta la versión del compromiso que está editando.")
    progress = _coerce_int(progress, "progress", errors, 0, 100)
    note = collapse(note) if isinstance(note, str) else (None if note is None else "")
    if note is None or note == "":
        note = None
    due_changed = due is not _UNSET
    new_due = parse_field(due, "due", errors) if due_changed else commitment.due
    if due_changed and new_due == commitment.due:
        due_changed = False
    due_reason = collapse(due_reason) if isinstance(due_reason, str) else None
    if achieved not in (None, ""):
        try:
            achieved = Decimal(str(achieved))
            if not achieved.is_finite() or achieved < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add("achieved", "Debe ser un número mayor o igual a cero.")
            achieved = None
    else:
        achieved = None
    errors.raise_if_any()

    if not rules.is_valid_transition(old_status, new_status):
        raise InvalidTransition(
            f"No se puede pasar de «{rules.STATUS_LABELS[old_status]}» a «{rules.STATUS_LABELS[new_status]}».",
            {"status": ["Cambio de estado no permitido."]},
        )
    if not permissions.can_transition(actor, commitment, new_status):
        raise PermissionDenied("Su rol no permite este cambio de estado.")
    if due_changed and not permissions.can_change_due(actor, commitment):
        raise PermissionDenied("Solo el sector o la coordinación pueden reprogramar el plazo.")
    if achieved is not None and not permissions.can_edit_details(actor, commitment) \
            and not permissions.is_commitment_officer(actor, commitment):
        raise PermissionDenied()

    if rules.note_required(old_status, new_status) and not note:
        errors.add("note", "Explique el motivo en la nota.")
    if rules.evidence_or_note_required(old_status, new_status) and not note and not evidence:
        errors.add("note", "Para enviar a validación adjunte evidencia o escriba una nota.")
    if due_changed and not due_reason:
        errors.add("due_reason", "Indique el motivo de la reprogramación.")
    nothing = (new_status == old_status and progress in (None, commitment.progress) and not note
               and not due_changed and not evidence and achieved is None)
    if nothing:
        errors.add("note", "No hay cambios que registrar.")
    errors.raise_if_any()

    if version != commitment.version:
        raise StaleVersion(commitment.version)

    if new_status == rules.CUMPLIDO and progress is None:
        progress = 100
    update = StatusUpdate(
        commitment=commitment, author=actor, old_status=old_status, new_status=new_status,
        old_progress=commitment.progress, progress=progress, note=note,
        due_changed=due_changed, old_due=commitment.due if due_changed else None,
        new_due=new_due if due_changed else None, due_reason=due_reason if due_changed else None,
        achieved=achieved,
    )
    db.session.add(update)
    commitment.status = new_status
    if progress is not None:
        commitment.progress = progress
    if due_changed:
        commitment.due = new_due
    if achieved is not None:
        commitment.achieved = achieved
    # Every update is a new version, even a note or evidence alone (the row must change
    # for the version counter to move).
    commitment.updated_at = utcnow()
    db.session.flush()
    for stream, filename in evidence:
        update.evidence.append(storage.store(stream, filename, uploaded_by=actor, field="evidence"))
    db.session.flush()
    return update


def update_details(commitment: Commitment, actor, *, deliverable=None, target=None, cui=None,
                   responsible_orgs=None) -> None:
    """Edit the expected deliverable, numeric target, CUI and responsible bodies."""
    if not permissions.can_edit_details(actor, commitment):
        raise PermissionDenied()
    errors = FieldErrors()
    if cui and not (str(cui).isdigit() and len(str(cui)) <= 10):
        errors.add("cui", "El CUI es un código numérico de hasta 10 dígitos.")
    if target not in (None, ""):
        try:
            target = Decimal(str(target))
            if not target.is_finite() or target < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors.add("target", "Debe ser un número mayor o igual a cero.")
    else:
        target = None
    errors.raise_if_any()
    with db.session.no_autoflush:  # one flush, so the change is one audit entry
        commitment.deliverable = collapse(deliverable) or None
        commitment.target = target
        commitment.cui = cui or None
        if responsible_orgs is not None:
            commitment.responsible_orgs = list(responsible_orgs)
    db.session.flush()


__all__ = ["apply_update", "update_details", "ValidationFailed"]
