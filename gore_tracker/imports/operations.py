"""Turning a parsed acta PDF into a meeting: the PDF is kept, commitments remember their page.

Both the CLI (``flask actas import``) and the web import (drafts reviewed by a liaison)
end here, and through ``record_acta`` — the one way an acta enters.
"""
from __future__ import annotations

import copy
import hashlib
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from gore_tracker import permissions
from gore_tracker.evidence import storage
from gore_tracker.evidence.models import StoredFile
from gore_tracker.exceptions import DuplicateMeeting
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.meetings.operations import record_acta
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization


def sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def meeting_for_file(sha256: str) -> Meeting | None:
    """The meeting already recorded from a PDF with these bytes, if any."""
    by_source = db.session.scalar(select(Meeting).where(Meeting.source_sha256 == sha256).limit(1))
    if by_source is not None:
        return by_source
    return db.session.scalar(
        select(Meeting).join(StoredFile, Meeting.source_file_id == StoredFile.id)
        .where(StoredFile.sha256 == sha256).limit(1)
    )


def document_from_result(result: dict) -> dict:
    """The gore-acta/1 document of a parse result, with each commitment's source page in
    ``extensions.commitments`` (the format itself has no place for it)."""
    document = copy.deepcopy(result["acta"])
    blocks = document.get("regions") or []
    pages = []
    for entry in result.get("commitment_pages") or []:
        index = entry.get("block")
        if isinstance(index, int) and 0 <= index < len(blocks):
            pages.append({"region": blocks[index]["region"], "number": entry["number"],
                          "source_page": entry["page"]})
    if pages:
        extensions = document.setdefault("extensions", {})
        known = {(c["region"], c["number"]) for c in extensions.get("commitments", [])}
        extensions.setdefault("commitments", []).extend(
            p for p in pages if (p["region"], p["number"]) not in known)
    return document


def named_sector(acta: dict | None) -> Organization | None:
    """The sector a parsed acta names (``meeting.sector``), when it is one we recognise;
    None when it names none or one we cannot tell (the reader then warns about it)."""
    printed = ((acta or {}).get("meeting") or {}).get("sector")
    if not isinstance(printed, str) or not printed.strip():
        return None
    return orgs.find_sector(printed)


def other_sector_refusal(actor, acta: dict | None) -> str | None:
    """Why ``actor`` may not record this parsed acta at all — its PDF names another sector
    than theirs (``permissions.can_record_imported``) — or None when they may."""
    named = named_sector(acta)
    if named is None or permissions.can_record_imported(actor, named.id):
        return None
    own = actor.organization.name if actor.organization is not None else "ninguno"
    return (f"El acta nombra al sector «{named.name}» y usted solo puede registrar actas de su "
            f"propio sector ({own}).")


def with_only_sector(document: dict, actor) -> dict:
    """The document with its sector filled in when the acta names none and ``actor`` may
    record actas of one sector only (a liaison: their own), as the review form does."""
    meeting = document.get("meeting") or {}
    if meeting.get("sector"):
        return document
    sectors = orgs.recordable_sectors(actor)
    if len(sectors) != 1:
        return document
    document = copy.deepcopy(document)
    document["meeting"] = {**meeting, "sector": sectors[0].name}
    return document


def record_imported(document: dict, pdf: BinaryIO, filename: str, actor) -> Meeting:
    """Record a (possibly reviewed) imported acta with its source PDF (flushed, not committed).

    Raises ``DuplicateMeeting`` when the same file, or another copy of an acta already
    recorded (same sector, body, date and regional governments), is already there.
    """
    digest = sha256_of(pdf)
    existing = meeting_for_file(digest)
    if existing is not None:
        raise DuplicateMeeting(existing.id)
    stored = storage.store(pdf, filename, uploaded_by=actor, field="file", allowed={"pdf"},
                           max_bytes=current_app.config["IMPORT_MAX_BYTES"])
    document = copy.deepcopy(document)
    source = document.get("source") or {}
    source.update({"filename": filename, "sha256": stored.sha256})
    source.setdefault("pages", 1)
    source.setdefault("ocr", False)
    document["source"] = source
    return record_acta(document, actor, source_file=stored)
