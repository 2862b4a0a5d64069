"""Recording and editing actas. ``record_acta`` is the one way an acta enters."""
from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from gore_tracker import permissions
from gore_tracker.commitments.models import Commitment
from gore_tracker import audit
from gore_tracker.commitments import rules
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import DuplicateMeeting, FieldErrors, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.dates import parse_field
from gore_tracker.utils.text import collapse, fold

from . import documents
from .models import DEFAULT_BODY, Absence, Attendee, Meeting, OtherTopic, RegionBlock, Topic


def identity_key(sector_code: str, body: str, day: date, region_codes) -> str:
    """Sector, body, date and set of regional governments identify one acta."""
    raw = "|".join([sector_code, fold(body), day.isoformat(), ",".join(sorted(region_codes))])
    return hashlib.sha256(raw.encode()).hexdigest()


def _text(value) -> str:
    return collapse(value) if isinstance(value, str) else ""


def _opt(value) -> str | None:
    text = _text(value)
    return text or None


# Column sizes (models) and sane numeric bounds, checked before anything reaches SQL.
MAX_LEN = {"title": 300, "place": 200, "moderator": 200, "name": 200, "honorific": 20,
           "position": 300, "deliverable": 2000}
MAX_NUMBER = 10_000       # TEMA / COMPROMISO numbers
MAX_EDITION = 1_000
MAX_TARGET = Decimal("999999999999.99")  # Numeric(14, 2)


def _check_len(value: str | None, key: str, path: str, errors: FieldErrors) -> None:
    if value and len(value) > MAX_LEN[key]:
        errors.add(path, f"Texto demasiado largo (máximo {MAX_LEN[key]} caracteres).")


class _Validated:
    """A document checked and resolved against the reference data."""

    def __init__(self, document: dict):
        document = documents.strip_read_only(document)
        shape = documents.shape_errors(document)
        if shape:
            raise ValidationFailed("El acta no tiene el formato esperado.", shape)
        errors = FieldErrors()
        m = document["meeting"]
        ext = document.get("extensions") or {}
        self.document = document
        self.title = _text(m["title"])
        if not self.title:
            errors.add("meeting.title", "Ingrese el título de la sesión.")
        _check_len(self.title, "title", "meeting.title", errors)
        self.session_type = m["session_type"]
        self.date = parse_field(m["date"], "meeting.date", errors)
        if self.date is None and "meeting.date" not in errors.fields:
            errors.add("meeting.date", "Ingrese la fecha de la sesión.")
        self.place = _opt(m["place"])
        self.moderator = _opt(m["moderator"])
        _check_len(self.place, "place", "meeting.place", errors)
        _check_len(self.moderator, "moderator", "meeting.moderator", errors)
        self.sector = orgs.find_sector(m["sector"]) if m["sector"] else None
        if self.sector is None:
            errors.add("meeting.sector", "Sector desconocido; use el nombre de un ministerio o la PCM."
                       if m["sector"] else "Indique el sector.")
        self.body = _text(ext.get("body")) or DEFAULT_BODY
        if len(self.body) > documents.BODY_MAX:
            errors.add("extensions.body", "Nombre de instancia demasiado largo.")
        self.edition = ext.get("edition")
        if self.edition is not None and self.edition > MAX_EDITION:
            errors.add("extensions.edition", f"La edición debe ser un número entre 1 y {MAX_EDITION}.")
        self.modality = ext.get("modality") or "presencial"
        self.observations = _opt(document.get("observations"))
        all_regions = orgs.regions()

        def region(text, path):
            found = orgs.rules.match(text, all_regions, region=True)
            if found is None:
                errors.add(path, f"Gobierno regional desconocido: «{text}».")
            return found

        self.attendees = []
        for i, a in enumerate(document["attendees"]):
            name = _text(a["name"])
            if not name:
                errors.add(f"attendees.{i}.name", "Ingrese el nombre.")
            _check_len(name, "name", f"attendees.{i}.name", errors)
            _check_len(_opt(a["honorific"]), "honorific", f"attendees.{i}.honorific", errors)
            _check_len(_opt(a["position"]), "position", f"attendees.{i}.position", errors)
            org = None
            if a["side"] == "region" and a.get("region"):
                org = region(a["region"], f"attendees.{i}.region")
            elif a["side"] == "sector":
                org = self.sector
            self.attendees.append(dict(name=name, honorific=_opt(a["honorific"]),
                                       position=_opt(a["position"]), side=a["side"], organization=org))

        self.blocks = []
        seen_regions: dict[int, int] = {}
        for i, block in enumerate(document["regions"]):
            reg = region(block["region"], f"regions.{i}.region")
            if reg is not None:
                if reg.id in seen_regions:
                    errors.add(f"regions.{i}.region", f"{reg.name} aparece en dos bloques; únalos en uno.")
                seen_regions[reg.id] = i
            topic_numbers, commitment_numbers, topics = set(), set(), []
            for j, t in enumerate(block["topics"]):
                tpath = f"regions.{i}.topics.{j}"
                if not 1 <= t["number"] <= MAX_NUMBER:
                    errors.add(f"{tpath}.number", f"El número debe estar entre 1 y {MAX_NUMBER}.")
                elif t["number"] in topic_numbers:
                    errors.add(f"{tpath}.number", f"El TEMA {t['number']} está repetido en este bloque.")
                topic_numbers.add(t["number"])
                ttext = _text(t["text"])
                if not ttext:
                    errors.add(f"{tpath}.text", "Ingrese el texto del tema.")
                commitments = []
                for k, c in enumerate(t["commitments"]):
                    cpath = f"{tpath}.commitments.{k}"
                    if not 1 <= c["number"] <= MAX_NUMBER:
                        errors.add(f"{cpath}.number", f"El número debe estar entre 1 y {MAX_NUMBER}.")
                    elif c["number"] in commitment_numbers:
                        errors.add(f"{cpath}.number",
                                   f"El COMPROMISO {c['number']} está repetido en este bloque.")
                    commitment_numbers.add(c["number"])
                    ctext = _text(c["text"])
                    if not ctext:
                        errors.add(f"{cpath}.text", "Ingrese el texto del compromiso.")
                    due = parse_field(c["due"], f"{cpath}.due", errors) if c["due"] else None
                    commitments.append(dict(number=c["number"], text=ctext, due=due,
                                            responsible_text=_opt(c["responsible"]), extra={}))
                topics.append(dict(number=t["number"], text=ttext, commitments=commitments))
            self.blocks.append(dict(region=reg, topics=topics))
        if not document["regions"]:
            errors.add("regions", "Registre al menos un gobierno regional con sus temas y compromisos.")

        self.other_topics = []
        for i, o in enumerate(document["other_topics"]):
            otext = _text(o["text"])
            if not otext:
                errors.add(f"other_topics.{i}.text", "Ingrese el texto del tema.")
            reg = region(o["region"], f"other_topics.{i}.region") if o.get("region") else None
            self.other_topics.append(dict(text=otext, region=reg))

        self.absent = []
        for i, name in enumerate(ext.get("absent_regions") or []):
            reg = region(name, f"extensions.absent_regions.{i}")
            if reg is not None:
                if reg.id in seen_regions:
                    errors.add(f"extensions.absent_regions.{i}",
                               f"{reg.name} tiene compromisos en el acta; no puede figurar como ausente.")
                elif reg not in self.absent:
                    self.absent.append(reg)

        # Per-commitment details addressed by (region, number).
        index = {}
        for block in self.blocks:
            if block["region"] is not None:
                for t in block["topics"]:
                    for c in t["commitments"]:
                        index[(block["region"].id, c["number"])] = c
        for i, extra in enumerate(ext.get("commitments") or []):
            path = f"extensions.commitments.{i}"
            reg = region(extra["region"], f"{path}.region")
            target = index.get((reg.id, extra["number"])) if reg else None
            if reg is not None and target is None:
                errors.add(f"{path}.number", "No hay un compromiso con ese número en ese bloque.")
                continue
            if target is None:
                continue
            resp = []
            for j, name in enumerate(extra.get("responsible_orgs") or []):
                org = orgs.find_org(name)
                if org is None:
                    errors.add(f"{path}.responsible_orgs.{j}", f"Entidad desconocida: «{name}».")
                elif org not in resp:
                    resp.append(org)
            amount = Decimal(str(extra["target"])) if extra.get("target") is not None else None
            if amount is not None and not (0 <= amount <= MAX_TARGET):
                errors.add(f"{path}.target", "La meta debe ser un número entre 0 y 999 999 999 999.")
            _check_len(_opt(extra.get("deliverable")), "deliverable", f"{path}.deliverable", errors)
            target["extra"] = dict(
                path=path,
                deliverable=_opt(extra.get("deliverable")),
                target=amount,
                cui=_opt(extra.get("cui")),
                responsible_orgs=resp,
                source_page=extra.get("source_page"),
                status=extra.get("status"),
                progress=extra.get("progress"),
            )
        errors.raise_if_any()
        self.region_codes = [b["region"].code for b in self.blocks]
        self.key = identity_key(self.sector.code, self.body, self.date, self.region_codes)
        source = document.get("source") or {}
        self.source = source


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


def _fill_header(meeting: Meeting, v: _Validated) -> None:
    _set(meeting, body=v.body, edition=v.edition, title=v.title, session_type=v.session_type, date=v.date,
         place=v.place, modality=v.modality, moderator=v.moderator, observations=v.observations,
         identity_key=v.key)
    if meeting.sector is not v.sector:
        meeting.sector = v.sector
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
    v = _Validated(document)
    if not permissions.can_record_meeting(actor, v.sector.id):
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
                c = Commitment(topic=topic, meeting=meeting, region=block["region"], sector=v.sector)
                db.session.add(c)
                _apply_commitment(c, data, new=True)
                created.append((c, data["extra"]))
    db.session.flush()
    for c, extra in created:
        if extra:
            _initial_status(c, extra, actor)
    return meeting


def _edited_commitments(v: _Validated, old_commitments: dict) -> tuple[list, list]:
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
    v = _Validated(document)
    if not permissions.can_record_meeting(actor, v.sector.id):
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


def _save_edit(meeting: Meeting, v: _Validated, old_topics: dict, old_commitments: dict,
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
                if c.sector is not v.sector:
                    c.sector = v.sector
                _apply_commitment(c, data, new=new)
    for key, c in old_commitments.items():
        if key not in wanted:
            db.session.delete(c)
    for t in list(meeting.topics):
        if id(t) not in kept_topics:
            meeting.topics.remove(t)
    db.session.flush()
    return added
