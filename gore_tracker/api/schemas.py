"""JSON Schemas (2020-12, as OpenAPI 3.1 uses) of what the API accepts and answers.

The same dicts validate request bodies in the handlers and fill the OpenAPI
document's ``components.schemas``, so the two cannot drift apart. Every object
lists its properties and closes the rest (``additionalProperties: false``), or is
a map whose values have a schema.
"""
from __future__ import annotations

import copy

from gore_tracker.audit.models import ACTIONS as AUDIT_ACTIONS, ENTITIES as AUDIT_ENTITIES
from gore_tracker.commitments import rules
from gore_tracker.meetings import documents


def nullable(schema: dict) -> dict:
    """``schema`` or null (JSON Schema type list)."""
    out = dict(schema)
    t = out.get("type")
    if isinstance(t, list):
        out["type"] = t if "null" in t else t + ["null"]
    elif t is not None:
        out["type"] = [t, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = list(out["enum"]) + [None]
    return out


def obj(properties: dict, required=None, description: str | None = None) -> dict:
    """A closed object: every property listed, all required unless told otherwise."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else list(required),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
STATUS = {"type": "string", "enum": list(rules.STATUSES),
          "description": "pendiente, en_proceso, por_validar, cumplido, no_cumplido, anulado"}
STRING_LIST = {"type": "array", "items": STRING}
# Raw bytes, the OpenAPI 3.1 way: no JSON type, only a media type (files are not JSON values).
BINARY = {"contentMediaType": "application/octet-stream", "description": "A file's bytes."}

ERROR = obj({
    "error": obj({
        "code": {"type": "string", "description": "Machine-readable error code, e.g. `invalid`, `forbidden`."},
        "message": {"type": "string", "description": "What went wrong, in Spanish."},
        "fields": {
            "type": "object",
            "description": "Messages per offending field (dotted path, e.g. `regions.0.topics.1.text`; "
                           "`\"\"` is the whole body).",
            "propertyNames": {"type": "string"},
            "additionalProperties": STRING_LIST,
        },
        "existing_id": {"type": "integer", "description": "On `duplicate_meeting`: the meeting already recorded."},
    }, required=["code", "message", "fields"]),
})

REGION = obj({
    "code": {"type": "string", "description": "UBIGEO department code, e.g. `08`; `1501` for Lima Metropolitana."},
    "name": {"type": "string", "description": "Canonical name, e.g. `Cusco`."},
    "official_name": {"type": "string"},
})
SECTOR = obj({
    "acronym": {"type": "string", "description": "e.g. `MINSA`, `PCM`."},
    "name": {"type": "string", "description": "Canonical name, e.g. `Ministerio de Salud`."},
})


def items_of(ref: str) -> dict:
    return obj({"items": {"type": "array", "items": {"$ref": ref}}})


def page_of(ref: str) -> dict:
    return obj({
        "items": {"type": "array", "items": {"$ref": ref}},
        "total": {"type": "integer", "minimum": 0, "description": "Rows matching the filters."},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
    })


MEETING_SUMMARY = obj({
    "id": INTEGER,
    "title": STRING,
    "body": {"type": "string", "description": "Instancia: `GORE Ejecutivo`, `Muni Ejecutivo`…"},
    "edition": nullable({"type": "integer", "minimum": 1}),
    "session_type": {"type": "string", "enum": ["ordinaria", "extraordinaria"]},
    "date": DATE,
    "place": nullable(STRING),
    "modality": {"type": "string", "enum": ["presencial", "virtual"]},
    "sector": {"type": "string", "description": "Canonical sector name."},
    "moderator": nullable(STRING),
    "regions": {"type": "array", "items": STRING, "description": "Regional governments, in acta order."},
    "commitment_count": {"type": "integer", "minimum": 0},
})

COMMITMENT_PROPERTIES = {
    "id": INTEGER,
    "meeting_id": INTEGER,
    "meeting_date": DATE,
    "body": STRING,
    "region": {"type": "string", "description": "Canonical regional government name."},
    "sector": {"type": "string", "description": "Canonical sector name."},
    "topic": {"type": "string", "description": "Text of the TEMA the commitment belongs to."},
    "topic_number": INTEGER,
    "number": INTEGER,
    "text": STRING,
    "responsible": nullable({"type": "string", "description": "Responsible body as written in the acta."}),
    "responsible_orgs": {"type": "array", "items": STRING, "description": "Linked responsible bodies."},
    "due": nullable(DATE),
    "deliverable": nullable({"type": "string", "description": "Expected deliverable (producto)."}),
    "target": nullable({"type": "number", "description": "Numeric target (meta)."}),
    "achieved": nullable({"type": "number", "description": "Value achieved towards the target."}),
    "cui": nullable({"type": "string", "description": "Investment project code (CUI)."}),
    "source_page": nullable(INTEGER),
    "status": STATUS,
    "status_label": {"type": "string", "description": "The status in Spanish, e.g. `En proceso`."},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "overdue": {"type": "boolean", "description": "Due date before today (America/Lima) and still "
                                                  "`pendiente` or `en_proceso`."},
    "days_overdue": {"type": "integer", "minimum": 0, "description": "0 when not overdue."},
    "version": {"type": "integer", "minimum": 1, "description": "Send it back with an update (optimistic locking)."},
    "updated_at": DATETIME,
}
COMMITMENT = obj(COMMITMENT_PROPERTIES)

EVIDENCE = obj({
    "id": INTEGER,
    "name": {"type": "string", "description": "Original file name."},
    "content_type": {"type": "string", "description": "Decided by content, not by name."},
    "size": {"type": "integer", "minimum": 0},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "url": {"type": "string", "format": "uri", "description": "Download URL (same bearer token)."},
})

HISTORY_ENTRY = obj({
    "id": INTEGER,
    "at": DATETIME,
    "author": nullable(obj({"id": INTEGER, "name": STRING})),
    "old_status": nullable(STATUS),
    "new_status": STATUS,
    "old_progress": nullable({"type": "integer", "minimum": 0, "maximum": 100}),
    "progress": nullable({"type": "integer", "minimum": 0, "maximum": 100}),
    "note": nullable(STRING),
    "due_changed": {"type": "boolean", "description": "The due date was reprogrammed by this update."},
    "old_due": nullable(DATE),
    "new_due": nullable(DATE),
    "due_reason": nullable({"type": "string", "description": "Why the due date changed."}),
    "achieved": nullable({"type": "number"}),
    "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}},
})

COMMITMENT_DETAIL = obj({
    **COMMITMENT_PROPERTIES,
    "history": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"},
                "description": "Every update, newest first."},
})

_UPDATE_DESCRIPTIONS = {
    "status": "New status; omitted or null keeps the current one.",
    "progress": "Progress in percent (0–100); `cumplido` sets 100 when omitted.",
    "note": "Required when closing as no_cumplido/anulado, returning, reopening, or asking for "
            "validation without evidence.",
    "due": "New due date. Absent: unchanged; null (JSON) or empty (form): no due date.",
    "due_reason": "Required when the due date changes (reprogramación).",
    "achieved": "Value achieved towards the numeric target.",
    "version": "The `version` of the commitment you are updating; a stale one answers 409.",
}

UPDATE_JSON = obj({
    "status": {**nullable(STATUS), "description": _UPDATE_DESCRIPTIONS["status"]},
    "progress": nullable({"type": "integer", "minimum": 0, "maximum": 100,
                          "description": _UPDATE_DESCRIPTIONS["progress"]}),
    "note": nullable({"type": "string", "maxLength": 5000, "description": _UPDATE_DESCRIPTIONS["note"]}),
    "due": nullable({**DATE, "description": _UPDATE_DESCRIPTIONS["due"]}),
    "due_reason": nullable({"type": "string", "maxLength": 2000, "description": _UPDATE_DESCRIPTIONS["due_reason"]}),
    "achieved": nullable({"type": "number", "minimum": 0, "description": _UPDATE_DESCRIPTIONS["achieved"]}),
    "version": {"type": "integer", "minimum": 1, "description": _UPDATE_DESCRIPTIONS["version"]},
}, required=["version"])

# Form fields arrive as text; empty means "not given" except for ``due`` (empty removes it).
_DIGITS = "^[0-9]*$"
UPDATE_FORM = obj({
    "status": {"type": "string", "enum": list(rules.STATUSES) + [""], "description": _UPDATE_DESCRIPTIONS["status"]},
    "progress": {"type": "string", "pattern": _DIGITS, "description": _UPDATE_DESCRIPTIONS["progress"]},
    "note": {"type": "string", "maxLength": 5000, "description": _UPDATE_DESCRIPTIONS["note"]},
    "due": {"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
            "description": _UPDATE_DESCRIPTIONS["due"]},
    "due_reason": {"type": "string", "maxLength": 2000, "description": _UPDATE_DESCRIPTIONS["due_reason"]},
    "achieved": {"type": "string", "pattern": r"^([0-9]+([.][0-9]+)?)?$",
                 "description": _UPDATE_DESCRIPTIONS["achieved"]},
    "version": {"type": "string", "pattern": "^[0-9]+$", "description": _UPDATE_DESCRIPTIONS["version"]},
    "evidence": {"type": "array", "items": BINARY,
                 "description": "Evidence files: PDF, images or Office documents (20 MB each by default)."},
}, required=["version"])

BY_STATUS = obj({s: {"type": "integer", "minimum": 0} for s in rules.STATUSES},
                description="Commitments per status; every status is present.")
STATS_ROW = obj({
    "key": nullable({"type": "string", "description": "Region or sector name, meeting id, or body."}),
    "total": {"type": "integer", "minimum": 0},
    "by_status": {"$ref": "#/components/schemas/ByStatus"},
    "overdue": {"type": "integer", "minimum": 0},
    "compliance_rate": nullable({"type": "number", "minimum": 0, "maximum": 1,
                                 "description": "cumplido / (total − anulado); null when that is 0."}),
})
STATS = obj({
    "group_by": {"type": "string", "enum": ["region", "sector", "meeting", "body"]},
    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/StatsRow"}},
})


_AUDIT_VALUE = {"type": ["string", "number", "boolean", "null", "array"], "items": {"type": ["string", "number"]}}
_CHANGE = obj({"before": {**_AUDIT_VALUE, "description": "The value before (null when there was none)."},
               "after": {**_AUDIT_VALUE, "description": "The value after (null when removed)."}})
AUDIT_ENTRY = obj({
    "id": INTEGER,
    "at": {**DATETIME, "description": "When, in UTC."},
    "actor": {**STRING, "description": "The account's e-mail, or `system`."},
    "ip": nullable({**STRING, "description": "The client's address, or `cli`."}),
    "user_agent": nullable(STRING),
    "entity": {"type": "string", "enum": list(AUDIT_ENTITIES)},
    "entity_id": nullable(INTEGER),
    "action": {"type": "string", "enum": list(AUDIT_ACTIONS)},
    "changes": {"type": "object", "propertyNames": STRING,
                "additionalProperties": {"$ref": "#/components/schemas/AuditChange"},
                "description": "Before and after values of the fields that changed (all recorded fields "
                               "on create and delete); passwords and tokens are never shown."},
    "reason": nullable({**STRING, "description": "«Motivo del cambio», when one was given."}),
    "meeting_id": nullable({**INTEGER, "description": "The meeting the entry belongs to, if any."}),
})


def acta_input() -> dict:
    """gore-acta/1 as ``POST /meetings`` accepts it (``documents.input_schema``)."""
    return copy.deepcopy(documents.input_schema())


def acta_output() -> dict:
    """gore-acta/1 as ``GET /meetings/{id}`` answers: plus ids, statuses and extensions."""
    schema = copy.deepcopy(documents.input_schema())
    schema["title"] = "Recorded acta (gore-acta/1 with ids, statuses and extensions)"
    props = schema["properties"]
    props["id"] = {"type": "integer"}
    props["source"]["type"] = ["object", "null"]
    schema["required"] = ["id"] + list(documents.acta_schema()["required"]) + ["extensions"]
    commitment_item = (props["regions"]["items"]["properties"]["topics"]["items"]
                       ["properties"]["commitments"]["items"])
    commitment_item["properties"]["id"] = {"type": "integer"}
    commitment_item["properties"]["status"] = STATUS
    commitment_item["required"] = commitment_item["required"] + ["id", "status"]
    ext = props["extensions"]
    ext["required"] = ["body", "edition", "modality", "absent_regions", "commitments"]
    ext_item = ext["properties"]["commitments"]["items"]
    ext_item["required"] = ["region", "number", "deliverable", "target", "cui", "responsible_orgs", "source_page"]
    return schema


def components() -> dict:
    return {
        "Error": ERROR,
        "Region": REGION,
        "Sector": SECTOR,
        "RegionList": items_of("#/components/schemas/Region"),
        "SectorList": items_of("#/components/schemas/Sector"),
        "MeetingSummary": MEETING_SUMMARY,
        "MeetingPage": page_of("#/components/schemas/MeetingSummary"),
        "ActaInput": acta_input(),
        "Acta": acta_output(),
        "Commitment": COMMITMENT,
        "CommitmentPage": page_of("#/components/schemas/Commitment"),
        "CommitmentDetail": COMMITMENT_DETAIL,
        "HistoryEntry": HISTORY_ENTRY,
        "Evidence": EVIDENCE,
        "UpdateJson": UPDATE_JSON,
        "UpdateForm": UPDATE_FORM,
        "ByStatus": BY_STATUS,
        "StatsRow": STATS_ROW,
        "Stats": STATS,
        "AuditChange": _CHANGE,
        "AuditEntry": AUDIT_ENTRY,
        "AuditPage": page_of("#/components/schemas/AuditEntry"),
    }
