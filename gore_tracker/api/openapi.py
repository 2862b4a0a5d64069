"""The OpenAPI 3.1 document of the API, served at ``/api/v1/openapi.json``.

Schemas come from ``schemas`` (the ones the handlers validate with) and the
gore-acta/1 schema shipped in ``gore_tracker/meetings/acta.schema.json``.
"""
from __future__ import annotations

from flask import current_app, jsonify

from gore_tracker.commitments import queries, rules

from gore_tracker.utils.numbers import DB_INT_MAX

from . import bp, schemas

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref(name)}}}


def _error(description: str, code_hint: str) -> dict:
    return {"description": f"{description} Error code: {code_hint}.",
            "content": {JSON: {"schema": _ref("Error")}}}


def _responses(*names: str, **ok) -> dict:
    out = dict(ok)
    if "401" in names:  # every token check may answer 429 after too many bad tokens
        names = (*names, "429")
    for name in names:
        out[name] = {"$ref": f"#/components/responses/{_RESPONSE_NAMES[name]}"}
    return out


_RESPONSE_NAMES = {
    "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
    "413": "TooLarge", "415": "UnsupportedMediaType", "422": "Invalid", "429": "TooManyRequests",
}


def _query(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **extra}


def _path_id(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
            "description": f"Id of the {what} (1 to 2³¹−1; any other number answers 404)."}


def _parameters(per_page_max: int, per_page_default: int) -> dict:
    return {
        "page": _query("page", {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX, "default": 1},
                       "Page number, from 1. A page past the end answers an empty `items`."),
        "per_page": _query("per_page", {"type": "integer", "minimum": 1, "maximum": per_page_max,
                                        "default": per_page_default},
                           f"Rows per page, at most {per_page_max} (more answers 422)."),
        "region": _query("region", {"type": "string"},
                         "Regional government by code (`08`), name or alias (`Cusco`, `GORE Cusco`), "
                         "ignoring case and accents. Unknown → 422."),
        "sector": _query("sector", {"type": "string"},
                         "Sector by acronym (`MINSA`) or name (`Ministerio de Salud`), ignoring case "
                         "and accents. Unknown → 422."),
        "body": _query("body", {"type": "string"},
                       "Instancia, e.g. `GORE Ejecutivo`, `Muni Ejecutivo` (exact, ignoring case)."),
        "meeting_id": _query("meeting_id", {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                             "Only this meeting's commitments. Unknown → 422."),
        "status": _query("status", {"type": "array", "items": {"type": "string", "enum": list(rules.STATUSES)}},
                         "One or more statuses (repeat the parameter).", style="form", explode=True),
        "overdue": _query("overdue", {"type": "boolean"},
                          "`true`: only overdue commitments (due before today in America/Lima and "
                          "`pendiente` or `en_proceso`)."),
        "due_from": _query("due_from", {"type": "string", "format": "date"}, "Due on or after this date."),
        "due_to": _query("due_to", {"type": "string", "format": "date"}, "Due on or before this date."),
        "responsible": _query("responsible", {"type": "string"},
                              "Text contained in the responsible bodies (ignoring case and accents)."),
        "q": _query("q", {"type": "string"},
                    "Words searched in the topic, commitment and responsible text, ignoring case and "
                    "accents (`oxigeno` finds `Oxígeno`); every word must match."),
        "sort": _query("sort", {"type": "string", "enum": list(queries.SORTS), "default": "due"},
                       "Order; `due` (default): due date, commitments without one last, then id."),
        "group_by": _query("group_by", {"type": "string", "enum": list(queries.GROUPS), "default": "region"},
                           "What each row totals."),
        "meeting_sector": _query("sector", {"type": "string"},
                                 "Sector by acronym or name (ignoring case and accents). Unknown → 422."),
        "meeting_from": _query("from", {"type": "string", "format": "date"}, "Held on or after this date."),
        "meeting_to": _query("to", {"type": "string", "format": "date"}, "Held on or before this date."),
    }


def _p(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


FILTERS = ["region", "sector", "body", "meeting_id", "status", "overdue", "due_from", "due_to",
           "responsible", "q"]


def build_spec() -> dict:
    per_page_max = int(current_app.config.get("PER_PAGE_MAX", 200))
    per_page_default = int(current_app.config.get("PER_PAGE_DEFAULT", 25))
    location = {"Location": {"description": "URL of the created or updated resource.",
                             "schema": {"type": "string", "format": "uri"}}}
    paths = {
        "/regions": {"get": {
            "operationId": "listRegions", "tags": ["Reference"],
            "summary": "Regional governments (25 GOREs and Lima Metropolitana)",
            "responses": _responses("401", "422", **{"200": _json("RegionList", "Every regional government.")}),
        }},
        "/sectors": {"get": {
            "operationId": "listSectors", "tags": ["Reference"],
            "summary": "Sectors (18 ministries and the PCM)",
            "responses": _responses("401", "422", **{"200": _json("SectorList", "Every sector.")}),
        }},
        "/meetings": {
            "get": {
                "operationId": "listMeetings", "tags": ["Meetings"],
                "summary": "Recorded meetings, most recent first",
                "parameters": [_p("meeting_sector"), _p("body"), _p("meeting_from"), _p("meeting_to"),
                               _p("page"), _p("per_page")],
                "responses": _responses("401", "422", **{"200": _json("MeetingPage", "A page of meetings.")}),
            },
            "post": {
                "operationId": "createMeeting", "tags": ["Meetings"],
                "summary": "Record an acta (gore-acta/1 document)",
                "description": (
                    "Admins, coordinators, and liaisons for their own sector. `source` is optional; "
                    "`extensions` carries what the format lacks (body, edition, modality, absent "
                    "regions, per-commitment deliverable, target, CUI, responsible bodies). The same "
                    "sector, body, date and set of regional governments again answers 409 with the "
                    "existing meeting's id in `error.existing_id`."),
                "requestBody": {"required": True, "content": {JSON: {"schema": _ref("ActaInput")}}},
                "responses": _responses(
                    "400", "401", "403", "413", "415", "422",
                    **{"201": {**_json("Acta", "The recorded meeting."), "headers": location},
                       "409": _error("The acta is already recorded; `existing_id` names it.",
                                     "`duplicate_meeting`")}),
            },
        },
        "/meetings/{meeting_id}": {"get": {
            "operationId": "getMeeting", "tags": ["Meetings"],
            "summary": "A meeting as a gore-acta/1 document with ids, statuses and extensions",
            "parameters": [_path_id("meeting_id", "meeting")],
            "responses": _responses("401", "404", "422", **{"200": _json("Acta", "The meeting.")}),
        }},
        "/commitments": {"get": {
            "operationId": "listCommitments", "tags": ["Commitments"],
            "summary": "Commitments matching the filters, by due date (none last) then id",
            "parameters": [_p(n) for n in FILTERS] + [_p("sort"), _p("page"), _p("per_page")],
            "responses": _responses("401", "422", **{"200": _json("CommitmentPage", "A page of commitments.")}),
        }},
        "/commitments/{commitment_id}": {"get": {
            "operationId": "getCommitment", "tags": ["Commitments"],
            "summary": "A commitment with its history (newest first)",
            "parameters": [_path_id("commitment_id", "commitment")],
            "responses": _responses("401", "404", "422",
                                    **{"200": _json("CommitmentDetail", "The commitment.")}),
        }},
        "/commitments/{commitment_id}/updates": {"post": {
            "operationId": "createCommitmentUpdate", "tags": ["Commitments"],
            "summary": "Report progress, change status or due date, attach evidence",
            "description": (
                "A regional officer, on their own region's commitments: `pendiente`→`en_proceso`, "
                "progress and notes while `en_proceso`, `pendiente`/`en_proceso`→`por_validar` (note "
                "or evidence required). The sector's liaisons, coordinators and admins: any transition "
                "(closing as `no_cumplido`/`anulado`, returning and reopening need a note) and due-date "
                "changes (`due_reason` required). Send JSON, or multipart/form-data to attach "
                "`evidence` files. 403 outside your role or scope, 409 when `version` is stale, 422 "
                "for invalid input or a transition no role may make."),
            "parameters": [_path_id("commitment_id", "commitment")],
            "requestBody": {"required": True, "content": {
                JSON: {"schema": _ref("UpdateJson")},
                "multipart/form-data": {
                    "schema": _ref("UpdateForm"),
                    "encoding": {"evidence": {"contentType": "application/octet-stream"}},
                },
            }},
            "responses": _responses(
                "400", "401", "403", "404", "413", "415", "422",
                **{"201": {**_json("CommitmentDetail", "The updated commitment (new `version`)."),
                           "headers": location},
                   "409": _error("The commitment changed since `version`; reload it.", "`stale_version`")}),
        }},
        "/stats": {"get": {
            "operationId": "getStats", "tags": ["Commitments"],
            "summary": "Totals per region, sector, meeting or body, with the list's filters",
            "parameters": [_p("group_by")] + [_p(n) for n in FILTERS],
            "responses": _responses("401", "422", **{"200": _json("Stats", "One row per group.")}),
        }},
        "/files/{file_id}": {"get": {
            "operationId": "downloadFile", "tags": ["Commitments"],
            "summary": "Download an evidence file or a meeting's source acta",
            "description": (
                "Only for whoever may see what the file belongs to: evidence of a commitment and a "
                "meeting's source acta, every account; the PDF of an import draft not yet confirmed, "
                "its uploader, coordinators and admins; a file nothing refers to, coordinators and "
                "admins. Anyone else gets the same 404 as for an id that does not exist."),
            "parameters": [_path_id("file_id", "file")],
            "responses": _responses("401", "404", "422", **{"200": {
                "description": "The file, with its original name in Content-Disposition.",
                "content": {"*/*": {"schema": schemas.BINARY}},
            }}),
        }},
        "/audit": {"get": {
            "operationId": "listAudit", "tags": ["Audit"],
            "summary": "The audit trail: who changed what, when and from where, newest first",
            "description": (
                "Admins and coordinators see every entry; liaisons only the entries of their own "
                "sector's meetings and commitments; other roles 403. Dates are days in America/Lima."),
            "parameters": [
                _query("entity", {"type": "string", "enum": list(schemas.AUDIT_ENTITIES)}, "Kind of record."),
                _query("id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Id of the record."),
                _query("meeting_id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                       "Entries of this meeting and of its parts (attendees, topics, commitments)."),
                _query("actor", {"type": "string"}, "Text contained in the actor's e-mail (ignoring case)."),
                _query("action", {"type": "string", "enum": list(schemas.AUDIT_ACTIONS)}, "Kind of change."),
                _query("from", {"type": "string", "format": "date"}, "On or after this day."),
                _query("to", {"type": "string", "format": "date"}, "On or before this day."),
                _p("page"), _p("per_page"),
            ],
            "responses": _responses("401", "403", "422", **{"200": _json("AuditPage", "A page of entries.")}),
        }},
        "/openapi.json": {"get": {
            "operationId": "getOpenApi", "tags": ["Reference"],
            "summary": "This document", "security": [],
            "responses": {"200": _json("OpenApiDocument", "The OpenAPI document.")},
        }},
    }
    responses = {
        "BadRequest": _error("The body is not valid JSON.", "`malformed_json`"),
        "Unauthorized": {**_error("Missing or invalid bearer token.", "`unauthorized`"),
                         "headers": {"WWW-Authenticate": {"description": "`Bearer realm=\"gore-tracker\"`",
                                                          "schema": {"type": "string"}}}},
        "TooManyRequests": {**_error("Too many invalid bearer tokens from this address (API_TOKEN_FAILURES_PER_IP); "
                                     "retry after the number of seconds in `Retry-After`.", "`too_many_requests`"),
                            "headers": {"Retry-After": {"description": "Seconds to wait.",
                                                        "schema": {"type": "integer"}}}},
        "Forbidden": _error("Your role or scope does not allow this.", "`forbidden`"),
        "NotFound": _error("No such resource.", "`not_found`"),
        "TooLarge": _error("The request or an uploaded file is too large.", "`too_large`"),
        "UnsupportedMediaType": _error("Wrong Content-Type.", "`unsupported_media_type`"),
        "Invalid": _error("Invalid input (body fields, filters, or query text with NUL or invalid "
                          "Unicode); `fields` names each offending field.",
                          "`invalid` or `invalid_transition`"),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GORE Tracker API",
            "version": "1.0.0",
            "description": (
                "Commitments (compromisos) of GORE Ejecutivo and similar sessions, and their follow-up. "
                "Authenticate with `Authorization: Bearer <token>` (`flask users token EMAIL`). Errors "
                "are `{\"error\": {\"code\", \"message\", \"fields\"}}` with messages in Spanish. Dates "
                "are `YYYY-MM-DD`; moments are UTC; \"today\" is America/Lima."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": "Reference"}, {"name": "Meetings"}, {"name": "Commitments"}, {"name": "Audit"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API token from `flask users token EMAIL`."}},
            "parameters": _parameters(per_page_max, per_page_default),
            "responses": responses,
            "schemas": {**schemas.components(), **_meta_schemas()},
        },
    }


def _meta_schemas() -> dict:
    """This document's own shape, closed at every level (for ``GET /openapi.json``)."""
    obj, text = schemas.obj, {"type": "string"}

    def map_of(value: dict, description: str) -> dict:
        return {"type": "object", "description": description, "propertyNames": {"type": "string"},
                "additionalProperties": value}

    def ref_or(name: str) -> dict:
        return {"anyOf": [_ref(name), _ref("OpenApiRef")]}

    scalar = {"type": ["string", "number", "integer", "boolean", "null"]}
    security = {"type": "array", "items": obj({"bearer": {"type": "array", "items": text}}, required=[])}
    schema = _ref("OpenApiSchema")
    return {
        "OpenApiDocument": obj({
            "openapi": {"type": "string", "const": "3.1.0"},
            "info": obj({"title": text, "version": text, "description": text}, required=["title", "version"]),
            "servers": {"type": "array", "items": obj({"url": text})},
            "security": security,
            "tags": {"type": "array", "items": obj({"name": text})},
            "paths": map_of(_ref("OpenApiPathItem"), "Operations by path (relative to the server)."),
            "components": obj({
                "securitySchemes": map_of(obj({"type": text, "scheme": text, "description": text}),
                                          "Authentication schemes."),
                "parameters": map_of(_ref("OpenApiParameter"), "Shared parameters."),
                "responses": map_of(_ref("OpenApiResponse"), "Shared responses."),
                "schemas": map_of(schema, "Shared schemas."),
            }),
        }),
        "OpenApiPathItem": obj({"get": _ref("OpenApiOperation"), "post": _ref("OpenApiOperation")}, required=[]),
        "OpenApiOperation": obj({
            "operationId": text, "tags": {"type": "array", "items": text}, "summary": text, "description": text,
            "parameters": {"type": "array", "items": ref_or("OpenApiParameter")},
            "requestBody": obj({"required": {"type": "boolean"},
                                "content": map_of(_ref("OpenApiMediaType"), "By media type.")}),
            "responses": map_of(ref_or("OpenApiResponse"), "By HTTP status."),
            "security": security,
        }, required=["operationId", "responses"]),
        "OpenApiParameter": obj({
            "name": text, "in": {"type": "string", "enum": ["query", "path", "header"]},
            "required": {"type": "boolean"}, "schema": schema, "description": text,
            "style": text, "explode": {"type": "boolean"},
        }, required=["name", "in", "schema"]),
        "OpenApiResponse": obj({
            "description": text,
            "content": map_of(_ref("OpenApiMediaType"), "By media type."),
            "headers": map_of(obj({"description": text, "schema": schema}), "Response headers."),
        }, required=["description"]),
        "OpenApiMediaType": obj({
            "schema": schema,
            "encoding": map_of(obj({"contentType": text}), "Encoding of multipart parts."),
        }, required=["schema"]),
        "OpenApiRef": {"type": "object", "required": ["$ref"], "additionalProperties": False,
                       "patternProperties": {"^[$]ref$": text}},
        "OpenApiSchema": {
            "type": "object", "additionalProperties": False, "required": [],
            "description": "A JSON Schema, limited to the keywords this document uses.",
            "patternProperties": {"^[$]ref$": text},
            "properties": {
                "type": {"anyOf": [text, {"type": "array", "items": text}]},
                "format": text, "title": text, "description": text, "pattern": text,
                "contentMediaType": text,
                "enum": {"type": "array", "items": scalar}, "const": scalar, "default": scalar,
                "minimum": {"type": "number"}, "maximum": {"type": "number"},
                "maxLength": {"type": "integer"},
                "required": {"type": "array", "items": text},
                "items": schema,
                "properties": map_of(schema, "Schemas of the listed properties."),
                "patternProperties": map_of(schema, "Schemas by property-name pattern."),
                "additionalProperties": {"anyOf": [{"type": "boolean"}, schema]},
                "propertyNames": schema,
                "anyOf": {"type": "array", "items": schema},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec())
