"""Model → JSON shapes of the API. Each function matches a schema in ``schemas``."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import url_for

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.utils.dates import today as lima_today


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def region(org) -> dict:
    return {"code": org.code, "name": org.name, "official_name": org.official_name or org.name}


def sector(org) -> dict:
    return {"acronym": org.code, "name": org.name}


def meeting_summary(meeting, commitment_count: int) -> dict:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "body": meeting.body,
        "edition": meeting.edition,
        "session_type": meeting.session_type,
        "date": _date(meeting.date),
        "place": meeting.place,
        "modality": meeting.modality,
        "sector": meeting.sector.name,
        "moderator": meeting.moderator,
        "regions": [b.region.name for b in meeting.blocks],
        "commitment_count": commitment_count,
    }


def commitment(c: Commitment, today: date | None = None) -> dict:
    today = today or lima_today()
    return {
        "id": c.id,
        "meeting_id": c.meeting_id,
        "meeting_date": _date(c.meeting.date),
        "body": c.meeting.body,
        "region": c.region.name,
        "sector": c.sector.name,
        "topic": c.topic.text,
        "topic_number": c.topic.number,
        "number": c.number,
        "text": c.text,
        "responsible": c.responsible_text,
        "responsible_orgs": [o.name for o in c.responsible_orgs],
        "due": _date(c.due),
        "deliverable": c.deliverable,
        "target": _number(c.target),
        "achieved": _number(c.achieved),
        "cui": c.cui,
        "source_page": c.source_page,
        "status": c.status,
        "status_label": rules.STATUS_LABELS[c.status],
        "progress": c.progress,
        "overdue": c.is_overdue(today),
        "days_overdue": c.days_overdue(today),
        "version": c.version,
        "updated_at": _moment(c.updated_at),
    }


def evidence(f) -> dict:
    return {
        "id": f.id,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "url": url_for("api.download_file", file_id=f.id, _external=True),
    }


def history_entry(u: StatusUpdate) -> dict:
    return {
        "id": u.id,
        "at": _moment(u.created_at),
        "author": {"id": u.author.id, "name": u.author.name} if u.author is not None else None,
        "old_status": u.old_status,
        "new_status": u.new_status,
        "old_progress": u.old_progress,
        "progress": u.progress,
        "note": u.note,
        "due_changed": bool(u.due_changed),
        "old_due": _date(u.old_due),
        "new_due": _date(u.new_due),
        "due_reason": u.due_reason,
        "achieved": _number(u.achieved),
        "evidence": [evidence(f) for f in u.evidence],
    }


def commitment_detail(c: Commitment, today: date | None = None) -> dict:
    body = commitment(c, today)
    body["history"] = [history_entry(u) for u in c.history]  # newest first (model order)
    return body
