"""Recording and editing actas. ``record_acta`` is the one way an acta enters."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select

from gore_tracker import audit, permissions
from gore_tracker.commitments.models import Commitment
from gore_tracker.commitments import rules
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import DuplicateMeeting, FieldErrors, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.text import collapse, fold

from .models import Absence, Attendee, Meeting, OtherTopic, RegionBlock, Topic
from .validation import ValidActa, validate_document


def identity_key(sector_code: str, body: str, day: date, region_codes) -> str:
    """Sector, body, date and set of regional governments identify one acta."""
    raw = "|".join([sector_code, fold(body), day.isoformat(), ",".join(sorted(region_codes))])
    return hashlib.sha256(raw.encode()).hexdigest()


def _validated(document: dict) -> ValidActa:
    v = validate_document(document)
    v.key = identity_key(v.header.sector.code, v.header.body, v.header.date, v.region_codes)
    return v


def _existing(key: str, exclude_id: int | None = None) -> Meeting | None:
    stmt = select(Meeting).where(Meeting.identity_key == key)
    if exclude_id is not None:
        stmt = stmt.where(Meeting.id != exclude_id)
    return db.session.scalar(stmt)


def _set(row, **values) -> None:
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def _reconcile_list(collection: list, wanted: list[dict], make) -> None:
    """Update the rows of an ordered child list in place, position by position, so an edit
    that leaves a row as it was changes (and audits) nothing for it."""
    rows = sorted(collection, key=lambda r: r.sort_order)
    for i, values in enumerate(wanted):
        if i < len(rows):
            _set(rows[i], sort_order=i, **values)
        else:
            collection.append(make(sort_order=i, **values))
    for extra in rows[len(wanted):]:
        collection.remove(extra)


def _reconcile_regions(collection: list, wanted: list, make, ordered: bool) -> None:
    """The same for children keyed by regional government (blocks, absences)."""
    by_region = {r.region_id: r for r in collection}
    keep = set()
    for i, region in enumerate(wanted):
        row = by_region.get(region.id)
        if row is None:
            row = make(region=region, **({"sort_order": i} if ordered else {}))
            collection.append(row)
        elif ordered:
            _set(row, sort_order=i)
        keep.add(region.id)
    for row in list(collection):
        if (row.region.id if row.region is not None else row.region_id) not in keep:
            collection.remove(row)


def _fill_header(meeting: Meeting, v: ValidActa) -> None:
    h = v.header
    _set(meeting, body=h.body, edition=h.edition, title=h.title, session_type=h.session_type, date=h.date,
         place=h.place, modality=h.modality, moderator=h.moderator, observations=h.observations,
         identity_key=v.key)
    if meeting.sector is not v.header.sector:
        meeting.sector = v.header.sector
    _reconcile_list(meeting.attendees, v.attendees, Attendee)
    _reconcile_list(meeting.other_topics, [dict(text=o["text"], region=o["region"]) for o in v.other_topics],
                    OtherTopic)
    _reconcile_regions(meeting.absences, v.absent, Absence, ordered=False)
    _reconcile_regions(meeting.blocks, [b["region"] for b in v.blocks], RegionBlock, ordered=True)


def _apply_commitment(c: Commitment, data: dict, *, new: bool) -> None:
    """Texts and details of one commitment from the document. The due date of a commitment
    already recorded is not set here: changing it is a reprogramming (``_reprogram``)."""
    _set(c, number=data["number"], text=data["text"], responsible_text=data["responsible_text"])
    extra = data["extra"]
    if new:
        c.due = data["due"]
    if extra:
        _set(c, deliverable=extra["deliverable"], target=extra["target"], cui=extra["cui"],
             source_page=extra["source_page"])
        if list(c.responsible_orgs) != list(extra["responsible_orgs"]):
            c.responsible_orgs = list(extra["responsible_orgs"])
    if not c.responsible_orgs and c.responsible_text:
        found = orgs.find_org(c.responsible_text)
        if found is not None:
            c.responsible_orgs = [found]


def _initial_status(c: Commitment, extra: dict, actor) -> None:
    """A status (or progress) given when recording the acta becomes the commitment's first
    history entry, through the one follow-up engine: allowed only when ``actor`` could make
    that move from ``pendiente`` under the transition table."""
    status = extra.get("status") or None
    progress = extra.get("progress")
    if (status in (None, rules.PENDIENTE)) and progress in (None, 0):
        return
    path = extra["path"]
    try:
        apply_update(c, actor, status=status, progress=progress, note=INITIAL_STATUS_NOTE, version=c.version)
    except (ValidationFailed, PermissionDenied) as exc:
        fields = {f"{path}.{name}": messages for name, messages in getattr(exc, "fields", {}).items()}
        raise ValidationFailed(exc.message, fields or {f"{path}.status": [exc.message]}) from None


INITIAL_STATUS_NOTE = "Estado indicado al registrar el acta."


def record_acta(document: dict, actor, *, source_file=None) -> Meeting:
    """Validate a gore-acta/1 document and record it as a new meeting (flushed, not committed).

    Raises ``ValidationFailed`` (fields keyed by path), ``PermissionDenied`` when the
    actor may not record actas of that sector, ``DuplicateMeeting`` when the same
    sector, body, date and set of regional governments is already recorded.
    """
    if not permissions.can_record_meeting(actor):
        raise PermissionDenied()
    v = _validated(document)
    if not permissions.can_record_meeting(actor, v.header.sector.id):
        raise PermissionDenied("Solo puede registrar actas de su propio sector.")
    existing = _existing(v.key)
    if existing is not None:
        raise DuplicateMeeting(existing.id)
    meeting = Meeting(created_by=actor if getattr(actor, "id", None) else None)
    _fill_header(meeting, v)
    if source_file is not None:
        meeting.source_file = source_file
    if v.source:
        meeting.source_filename = v.source.get("filename")
        meeting.source_sha256 = v.source.get("sha256")
        meeting.source_pages = v.source.get("pages")
        meeting.source_ocr = bool(v.source.get("ocr"))
    elif source_file is not None:
        meeting.source_filename = source_file.original_name
        meeting.source_sha256 = source_file.sha256
    db.session.add(meeting)
    order = 0
    created = []
    for block in v.blocks:
        for t in block["topics"]:
            topic = Topic(meeting=meeting, region=block["region"], number=t["number"], text=t["text"],
                          sort_order=order)
            order += 1
            db.session.add(topic)
            for data in t["commitments"]:
                c = Commitment(topic=topic, meeting=meeting, region=block["region"], sector=v.header.sector)
                db.session.add(c)
                _apply_commitment(c, data, new=True)
                created.append((c, data["extra"]))
    db.session.flush()
    for c, extra in created:
        if extra:
            _initial_status(c, extra, actor)
    return meeting


def _edited_commitments(v: ValidActa, old_commitments: dict) -> tuple[list, list]:
    """Commitments already recorded whose text or due date this edit changes."""
    retexted, redated = [], []
    for b in v.blocks:
        for t in b["topics"]:
            for data in t["commitments"]:
                c = old_commitments.get((b["region"].id, data["number"]))
                if c is None:
                    continue
                if c.text != data["text"]:
                    retexted.append(c)
                if c.due != data["due"]:
                    redated.append((c, data["due"]))
    return retexted, redated


def update_meeting(meeting: Meeting, document: dict, actor, *, reason: str | None = None) -> Meeting:
    """Correct a recorded acta from an edited document (flushed, not committed).

    Commitments are matched by regional government and number, so their status and
    history survive. A commitment that has history cannot be removed (annul it instead).
    Changing a recorded commitment's text or due date needs ``reason`` («Motivo del
    cambio»), which goes into the audit entries of the edit; a new due date is also a
    reprogramming in the commitment's history, with that reason.
    """
    if not permissions.can_edit_meeting(actor, meeting):
        raise PermissionDenied()
    v = _validated(document)
    if not permissions.can_record_meeting(actor, v.header.sector.id):
        raise PermissionDenied("Solo puede registrar actas de su propio sector.")
    existing = _existing(v.key, exclude_id=meeting.id)
    if existing is not None:
        raise DuplicateMeeting(existing.id)

    old_topics = {(t.region_id, t.number): t for t in meeting.topics}
    old_commitments = {(c.region_id, c.number): c for c in db.session.scalars(
        select(Commitment).where(Commitment.meeting_id == meeting.id))}
    wanted = {(b["region"].id, c["number"]) for b in v.blocks for t in b["topics"] for c in t["commitments"]}
    errors = FieldErrors()
    for key, c in old_commitments.items():
        if key not in wanted and c.history:
            errors.add("regions", f"El COMPROMISO {c.number} de {c.region.name} tiene avances "
                                  "registrados y no puede eliminarse; puede anularlo.")
    reason = collapse(reason) if isinstance(reason, str) else None
    retexted, redated = _edited_commitments(v, old_commitments)
    if (retexted or redated) and not reason:
        errors.add("reason", "Indique el motivo del cambio: se modifica el texto o el plazo de un compromiso "
                             "ya registrado.")
    errors.raise_if_any("No se puede guardar el acta.")

    with audit.reason(reason):
        added = _save_edit(meeting, v, old_topics, old_commitments, wanted)
        for c, extra in added:
            if extra:
                _initial_status(c, extra, actor)
        for c, due in redated:
            apply_update(c, actor, due=due, due_reason=reason, version=c.version)
    return meeting


def _save_edit(meeting: Meeting, v: ValidActa, old_topics: dict, old_commitments: dict,
               wanted: set) -> list[tuple[Commitment, dict]]:
    """Apply the edit (flushed); returns the commitments it added, with their extensions."""
    _fill_header(meeting, v)
    added = []
    kept_topics = set()
    order = 0
    for block in v.blocks:
        for t in block["topics"]:
            topic = old_topics.get((block["region"].id, t["number"]))
            if topic is None:
                topic = Topic(meeting=meeting, region=block["region"], number=t["number"])
                db.session.add(topic)
            _set(topic, text=t["text"], sort_order=order)
            order += 1
            kept_topics.add(id(topic))
            for data in t["commitments"]:
                c = old_commitments.get((block["region"].id, data["number"]))
                new = c is None
                if new:
                    c = Commitment(meeting=meeting, region=block["region"])
                    db.session.add(c)
                    added.append((c, data["extra"]))
                if c.topic is not topic:
                    c.topic = topic
                if c.sector is not v.header.sector:
                    c.sector = v.header.sector
                _apply_commitment(c, data, new=new)
    for key, c in old_commitments.items():
        if key not in wanted:
            db.session.delete(c)
    for t in list(meeting.topics):
        if id(t) not in kept_topics:
            meeting.topics.remove(t)
    db.session.flush()
    return added
