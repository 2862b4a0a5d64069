"""The gore-acta/1 document: validating one that comes in, producing one from a meeting.

The web form, the PDF import and ``POST /api/v1/meetings`` all hand a document to
``operations.record_acta``; this module checks its shape against the schema (with
Spanish messages keyed by field path, e.g. ``regions.0.topics.1.text``) and turns
a recorded meeting back into the same shape.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources

from jsonschema import Draft202012Validator

from gore_tracker.commitments import rules as commitment_rules
from gore_tracker.utils.numbers import DB_INT_MAX

FORMAT = "gore-acta/1"
BODY_MAX = 200

EXTENSIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "What gore-acta/1 lacks: body, edition, modality, absences, commitment details.",
    "properties": {
        "body": {"type": "string", "description": "Instancia: 'GORE Ejecutivo' (default), 'Muni Ejecutivo'…"},
        "edition": {"type": ["integer", "null"], "minimum": 1},
        "modality": {"enum": ["presencial", "virtual"]},
        "absent_regions": {"type": "array", "items": {"type": "string"}},
        "commitments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["region", "number"],
                "additionalProperties": False,
                "properties": {
                    "region": {"type": "string"},
                    "number": {"type": "integer"},
                    "deliverable": {"type": ["string", "null"]},
                    "target": {"type": ["number", "null"]},
                    "cui": {"type": ["string", "null"], "pattern": "^[0-9]{1,10}$"},
                    "responsible_orgs": {"type": "array", "items": {"type": "string"}},
                    "source_page": {"type": ["integer", "null"], "minimum": 1, "maximum": DB_INT_MAX},
                    "status": {"enum": list(commitment_rules.STATUSES)},
                    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                },
            },
        },
    },
}


@lru_cache(maxsize=1)
def acta_schema() -> dict:
    """The published gore-acta/1 schema, as shipped with the app."""
    text = resources.files("gore_tracker.meetings").joinpath("acta.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def input_schema() -> dict:
    """gore-acta/1 as accepted on the way in: ``source`` optional, ``extensions`` allowed."""
    schema = copy.deepcopy(acta_schema())
    schema.pop("$schema", None)
    schema["required"] = [r for r in schema["required"] if r != "source"]
    schema["properties"]["extensions"] = EXTENSIONS_SCHEMA
    # People who attend for neither side (guests, other bodies) are recorded as "other".
    schema["properties"]["attendees"]["items"]["properties"]["side"]["enum"].append("other")
    return schema


def strip_read_only(document):
    """Drop what ``to_document`` adds on the way out (ids, statuses, a null source), so that a
    document read from the app can be edited and sent back."""
    if not isinstance(document, dict):
        return document
    doc = copy.deepcopy(document)
    doc.pop("id", None)
    if doc.get("source", 0) is None:
        doc.pop("source")
    for block in doc.get("regions") or []:
        for topic in (block.get("topics") or []) if isinstance(block, dict) else []:
            for c in (topic.get("commitments") or []) if isinstance(topic, dict) else []:
                if isinstance(c, dict):
                    c.pop("id", None)
                    c.pop("status", None)
    return doc


_MESSAGES = {
    "required": "Campo obligatorio.",
    "type": "Tipo de dato no válido.",
    "enum": "Valor no permitido.",
    "const": "Valor no permitido.",
    "additionalProperties": "Campo no reconocido.",
    "minimum": "Valor demasiado pequeño.",
    "maximum": "Valor demasiado grande.",
    "pattern": "Formato no válido.",
    "format": "Formato no válido.",
}


def shape_errors(document) -> dict[str, list[str]]:
    """Structural errors of ``document`` against the input schema, keyed by field path."""
    if not isinstance(document, dict):
        return {"": ["Se esperaba un objeto JSON con el acta."]}
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(input_schema())
    for err in validator.iter_errors(document):
        path = [str(p) for p in err.absolute_path]
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            path.append(missing)
        elif err.validator == "additionalProperties":
            extra = [p for p in err.instance if p not in err.schema.get("properties", {})]
            for name in extra:
                errors.setdefault(".".join(path + [name]), []).append(_MESSAGES["additionalProperties"])
            continue
        message = _MESSAGES.get(err.validator, "Valor no válido.")
        if err.validator == "type":
            expected = err.validator_value
            expected = expected if isinstance(expected, list) else [expected]
            names = {"string": "un texto", "integer": "un número entero", "number": "un número",
                     "array": "una lista", "object": "un objeto", "boolean": "verdadero o falso",
                     "null": "nulo"}
            message = "Debe ser " + " o ".join(names.get(e, e) for e in expected) + "."
        elif err.validator in ("enum",):
            allowed = ", ".join(str(v) for v in err.validator_value if v is not None)
            message = f"Valor no permitido; use uno de: {allowed}."
        errors.setdefault(".".join(path), []).append(message)
    return errors


def to_document(meeting) -> dict:
    """The recorded meeting as a gore-acta/1 document with ``id``s, statuses and ``extensions``."""
    sector_name = meeting.sector.name if meeting.sector else None
    regions = []
    ext_commitments = []
    for block in meeting.blocks:
        topics = []
        for topic in block.topics:
            commitments = []
            for c in topic.commitments:
                commitments.append({
                    "id": c.id,
                    "number": c.number,
                    "text": c.text,
                    "due": c.due.isoformat() if c.due else None,
                    "responsible": c.responsible_text,
                    "status": c.status,
                })
                ext_commitments.append({
                    "region": block.region.name,
                    "number": c.number,
                    "deliverable": c.deliverable,
                    "target": float(c.target) if c.target is not None else None,
                    "cui": c.cui,
                    "responsible_orgs": [o.name for o in c.responsible_orgs],
                    "source_page": c.source_page,
                })
            topics.append({"number": topic.number, "text": topic.text, "commitments": commitments})
        regions.append({"region": block.region.name, "topics": topics})
    source = None
    if meeting.source_sha256:
        source = {
            "filename": meeting.source_filename or "",
            "sha256": meeting.source_sha256,
            "pages": meeting.source_pages or 1,
            "ocr": bool(meeting.source_ocr),
        }
    return {
        "id": meeting.id,
        "format": FORMAT,
        "source": source,
        "meeting": {
            "title": meeting.title,
            "session_type": meeting.session_type,
            "date": meeting.date.isoformat(),
            "place": meeting.place,
            "sector": sector_name,
            "moderator": meeting.moderator,
        },
        "attendees": [
            {
                "name": a.name,
                "honorific": a.honorific,
                "position": a.position,
                "side": a.side,
                "region": a.organization.name if (a.side == "region" and a.organization) else None,
            }
            for a in meeting.attendees
        ],
        "regions": regions,
        "other_topics": [
            {"region": o.region.name if o.region else None, "text": o.text} for o in meeting.other_topics
        ],
        "observations": meeting.observations,
        "extensions": {
            "body": meeting.body,
            "edition": meeting.edition,
            "modality": meeting.modality,
            "absent_regions": [r.name for r in meeting.absent_regions],
            "commitments": ext_commitments,
        },
    }
