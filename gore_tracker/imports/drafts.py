"""Import drafts: create one per uploaded PDF, let the worker claim and finish it, turn a
reviewed draft into a meeting, discard or retry it.

Plain functions that flush and never commit; the request (or the worker) commits once.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select, update

from gore_tracker import permissions
from gore_tracker.audit import record_event
from gore_tracker.db import utcnow
from gore_tracker.evidence import storage
from gore_tracker.exceptions import PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.notifications.handovers import enqueue_handover
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization

from .models import DraftStatus, ImportDraft
from .operations import (
    document_from_result, meeting_for_file, named_sector, other_sector_refusal, record_imported, sha256_of,
)

UPLOAD_FIELD = "files"

STAGE_QUEUED = "En cola; la lectura empieza en unos segundos."
STAGE_PARSING = "Leyendo el PDF: tablas, temas y compromisos…"
INTERRUPTED = ("La lectura del PDF se interrumpió (el proceso que lo leía terminó sin responder). "
               "Vuelva a intentarlo.")
HAND_OVER_HINT = "No puede confirmarla: pásela a coordinación para que la registre un coordinador."
HANDED_OVER = "Ya la pasó a coordinación: la registrará un coordinador."
OWN_SECTOR_ONLY = "Solo puede registrar actas de su propio sector."
START_FAILED = "No se pudo iniciar la lectura del PDF en el servidor. Vuelva a intentarlo más tarde."
UNEXPECTED = "Ocurrió un error inesperado al leer el PDF."


@dataclass
class Upload:
    """What became of one uploaded file: a new draft, or a pointer to what already exists."""

    filename: str
    draft: ImportDraft | None = None
    meeting: Meeting | None = None         # the acta was already recorded from this file
    existing_draft: ImportDraft | None = None  # the same person already uploaded this file


def create_draft(stream: BinaryIO, filename: str, actor) -> Upload:
    """One uploaded file -> a queued draft (flushed), unless the file was already recorded
    as a meeting or is already among ``actor``'s open drafts.

    Raises ``ValidationFailed`` keyed ``files`` for an empty, oversized or non-PDF file.
    """
    if not permissions.can_import_actas(actor):
        raise PermissionDenied()
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "archivo"
    head = stream.read(8192)
    stream.seek(0)
    if head and storage.sniff(head) != "pdf":
        # Decided by content: a Word file renamed .pdf is refused here too.
        raise ValidationFailed("El archivo no es un PDF.", {UPLOAD_FIELD: [
            f"«{name}» no es un PDF. Suba el acta en PDF (si la tiene en Word, expórtela como PDF)."]})
    digest = sha256_of(stream)
    existing = meeting_for_file(digest)
    if existing is not None:
        return Upload(filename, meeting=existing)
    mine = db.session.scalar(
        select(ImportDraft)
        .where(ImportDraft.uploaded_by_id == actor.id, ImportDraft.sha256 == digest,
               ImportDraft.meeting_id.is_(None), ImportDraft.status != DraftStatus.FAILED)
        .order_by(ImportDraft.id.desc()).limit(1))
    if mine is not None:
        return Upload(filename, existing_draft=mine)
    stored = storage.store(stream, filename, uploaded_by=actor, field=UPLOAD_FIELD, allowed={"pdf"},
                           max_bytes=current_app.config["IMPORT_MAX_BYTES"])
    draft = ImportDraft(uploaded_by=actor, original_name=stored.original_name, stored_file=stored,
                        sha256=stored.sha256, size=stored.size, status=DraftStatus.QUEUED,
                        stage=STAGE_QUEUED)
    db.session.add(draft)
    db.session.flush()
    return Upload(stored.original_name, draft=draft)


# -- the worker's side -------------------------------------------------------------------

def claim(draft_id: int) -> ImportDraft | None:
    """Move a queued draft to ``parsing`` (atomically: one worker only) and return it."""
    now = utcnow()
    claimed = db.session.execute(
        update(ImportDraft)
        .where(ImportDraft.id == draft_id, ImportDraft.status == DraftStatus.QUEUED)
        .values(status=DraftStatus.PARSING, stage=STAGE_PARSING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    draft = db.session.get(ImportDraft, draft_id)
    db.session.refresh(draft)
    return draft


def finish(draft: ImportDraft, result: dict) -> None:
    """The parse succeeded: keep the result (with the uploaded file's name) and mark it ready."""
    result = copy.deepcopy(result)
    source = (result.get("acta") or {}).get("source")
    if isinstance(source, dict):
        source["filename"] = draft.original_name  # the parser saw the stored file's path
    draft.result = result
    draft.status = DraftStatus.READY
    draft.error_reason = draft.error_page = draft.error_message = None
    draft.stage = ready_stage(result)
    draft.finished_at = utcnow()
    db.session.flush()


def fail(draft: ImportDraft, reason: str, page: int | None, message: str) -> None:
    draft.status = DraftStatus.FAILED
    draft.result = None
    draft.error_reason = (reason or "failed")[:30]
    draft.error_page = page if isinstance(page, int) and page > 0 else None
    draft.error_message = message
    draft.stage = None
    draft.finished_at = utcnow()
    db.session.flush()


def ready_stage(result: dict) -> str:
    acta = result.get("acta") or {}
    count = sum(len(t.get("commitments") or []) for b in acta.get("regions") or []
                for t in b.get("topics") or [])
    warnings = len(result.get("warnings") or [])
    text = f"{count} compromiso{'s' if count != 1 else ''} leído{'s' if count != 1 else ''}"
    if warnings:
        text += f", {warnings} advertencia{'s' if warnings != 1 else ''} para revisar"
    return text + "."


# -- interrupted work ---------------------------------------------------------------------

def stale_after(config) -> timedelta:
    """How long a draft may stay queued or parsing before we call it interrupted: the
    longest a parse may take (OCR budget included) and a margin."""
    return timedelta(seconds=int(config["PARSE_WALL_SECONDS"]) * 2 + int(config["OCR_MAX_SECONDS"]) + 120)


def is_stale(draft: ImportDraft, now: datetime | None = None) -> bool:
    if not draft.is_active:
        return False
    now = now or utcnow()
    since = draft.updated_at or draft.created_at  # queued, claimed or requeued at
    return since is not None and now - since > stale_after(current_app.config)


def mark_interrupted(draft: ImportDraft) -> None:
    fail(draft, "interrupted", None, INTERRUPTED)


def requeue(draft: ImportDraft) -> None:
    """A failed (or interrupted) draft goes back to the queue for another try."""
    draft.status = DraftStatus.QUEUED
    draft.stage = STAGE_QUEUED
    draft.result = None
    draft.error_reason = draft.error_page = draft.error_message = None
    draft.started_at = draft.finished_at = None
    draft.updated_at = utcnow()
    db.session.flush()


# Failures that are the file's own: reading it again gives the same answer, so the page
# offers no retry (the liaison fixes the file and uploads it again). Any other failure —
# time or memory on a busy machine, OCR not installed yet, an interrupted worker — may
# go otherwise on another try.
FILE_FAULTS = frozenset({"empty", "not-pdf", "truncated", "encrypted", "not-acta", "bomb", "circular"})


def can_retry(draft: ImportDraft) -> bool:
    if draft.meeting_id is not None:
        return False
    if draft.status == DraftStatus.FAILED:
        return draft.error_reason not in FILE_FAULTS
    return is_stale(draft)


def discard(draft: ImportDraft) -> None:
    """Delete the draft and its upload row (the bytes stay in the content-addressed store,
    which other rows may share)."""
    stored = draft.stored_file
    db.session.delete(draft)
    db.session.flush()
    if stored is not None:
        db.session.delete(stored)
        db.session.flush()


# -- review and confirmation ---------------------------------------------------------------

def review_document(draft: ImportDraft) -> dict:
    """The parsed acta as the review form shows it: gore-acta/1 with each commitment's
    source page in ``extensions.commitments`` (``document_from_result``)."""
    return document_from_result(draft.result or {"acta": {}})


def merge_pages(document: dict, draft: ImportDraft) -> dict:
    """Give every commitment of the reviewed ``document`` the page it was read from, when
    the form lost it: pages of the parse keyed by (regional government, number)."""
    document = copy.deepcopy(document)
    acta = draft.acta
    blocks = acta.get("regions") or []
    pages = {}
    for entry in (draft.result or {}).get("commitment_pages") or []:
        index = entry.get("block")
        if isinstance(index, int) and 0 <= index < len(blocks):
            region = orgs.find_region(blocks[index].get("region") or "")
            if region is not None:
                pages[(region.id, entry.get("number"))] = entry.get("page")
    if not pages:
        return document
    ext = document.setdefault("extensions", {})
    details = ext.setdefault("commitments", [])
    by_key = {}
    for detail in details:
        region = orgs.find_region(detail.get("region") or "")
        if region is not None:
            by_key[(region.id, detail.get("number"))] = detail
    for block in document.get("regions") or []:
        region = orgs.find_region(block.get("region") or "")
        if region is None:
            continue
        for topic in block.get("topics") or []:
            for c in topic.get("commitments") or []:
                page = pages.get((region.id, c.get("number")))
                if not isinstance(page, int) or page < 1:
                    continue
                detail = by_key.get((region.id, c.get("number")))
                if detail is None:
                    details.append({"region": block["region"], "number": c["number"], "source_page": page})
                elif not detail.get("source_page"):
                    detail["source_page"] = page
    return document


def _id(org: Organization | None) -> int | None:
    return org.id if org is not None else None


def named_sector_of(draft: ImportDraft) -> Organization | None:
    """The sector the draft's PDF names, when recognised (``operations.named_sector``)."""
    return named_sector(draft.acta)


def confirm_refusal(draft: ImportDraft, actor) -> str | None:
    """Why ``actor``, who may manage this draft, may not confirm it as any acta — its PDF
    names another sector than theirs — or None. Shown on the review page."""
    if permissions.can_confirm_draft(actor, draft, _id(named_sector_of(draft))):
        return None
    refusal = other_sector_refusal(actor, draft.acta)
    if refusal is None:
        return PermissionDenied().message
    return f"{refusal} {HANDED_OVER if draft.handed_over_at is not None else HAND_OVER_HINT}"


def confirm(draft: ImportDraft, document: dict, actor) -> Meeting:
    """Record the reviewed acta with the draft's PDF and pages (flushed, not committed).

    Raises ``PermissionDenied`` when ``actor`` may not confirm this draft as an acta of
    the document's sector (``permissions.can_confirm_draft``: a liaison only as their own
    sector's acta, and only when the PDF names that sector or none), and what
    ``record_imported`` raises: ``ValidationFailed``, ``PermissionDenied``,
    ``DuplicateMeeting`` (the same file, or another copy of an acta already recorded).
    """
    refusal = confirm_refusal(draft, actor)
    if refusal is not None:
        raise PermissionDenied(refusal)
    chosen = orgs.find_sector((document.get("meeting") or {}).get("sector") or None)
    if chosen is not None and not permissions.can_confirm_draft(
            actor, draft, _id(named_sector_of(draft)), chosen.id):
        raise PermissionDenied(OWN_SECTOR_ONLY)
    document = merge_pages(document, draft)
    parsed_source = draft.acta.get("source") or {}
    document["source"] = {
        "filename": draft.original_name,
        "sha256": draft.sha256,
        "pages": parsed_source.get("pages") if isinstance(parsed_source.get("pages"), int) else 1,
        "ocr": bool(parsed_source.get("ocr")),
    }
    with open(storage.path_for(draft.sha256), "rb") as pdf:
        meeting = record_imported(document, pdf, draft.original_name, actor)
    draft.meeting = meeting
    db.session.flush()
    return meeting


# -- handing over to coordination -----------------------------------------------------------

def hand_over(draft: ImportDraft, actor) -> list:
    """«Pasar a coordinación»: the liaison who uploaded a draft they may not confirm (its
    PDF names another sector) passes it to the coordinators, who may record it for any
    sector. Records who and when on the draft (audited, plus a ``handover`` entry) and
    e-mails every active coordinator through the outbox, with a link to the review page.
    Flushes, never commits; returns the messages enqueued.

    Raises ``ValidationFailed`` when the draft is not (or no longer) one to hand over,
    ``PermissionDenied`` when ``actor`` may not hand it over.
    """
    if draft.meeting_id is not None:
        raise ValidationFailed("Este borrador ya se registró como acta.")
    if draft.status != DraftStatus.READY:
        raise ValidationFailed("Este borrador todavía no está listo; no hay nada que pasar a coordinación.")
    if draft.handed_over_at is not None:
        raise ValidationFailed("Este borrador ya se pasó a coordinación.")
    named = named_sector_of(draft)
    if not permissions.can_hand_over_draft(actor, draft, _id(named)):
        raise PermissionDenied()
    draft.handed_over_at = utcnow()
    draft.handed_over_by = actor
    db.session.flush()
    record_event("handover", entity="import_draft", entity_id=draft.id,
                 changes={"sector": {"before": actor.organization.name if actor.organization else None,
                                     "after": named.name}},
                 note=other_sector_refusal(actor, draft.acta))
    messages = enqueue_handover(draft, actor, named)
    db.session.flush()
    return messages
