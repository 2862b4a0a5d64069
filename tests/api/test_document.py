"""The OpenAPI document: valid, complete (every route), closed (no open schemas)."""
from __future__ import annotations

import re

import pytest
from openapi_core import OpenAPI

from gore_tracker.meetings import documents

# Path parameters in Flask rules (<int:meeting_id>) and in OpenAPI paths ({meeting_id}).
RULE_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def api_operations(app) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1":
            path = RULE_PARAM.sub(r"{\1}", rule.rule[len("/api/v1"):])
            for method in rule.methods & METHODS:
                ops.add((method.lower(), path))
    return ops


def documented_operations(spec) -> set[tuple[str, str]]:
    return {(method, path) for path, item in spec["paths"].items() for method in item}


def test_document_is_a_valid_openapi_3_1_document(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "/api/v1"}]
    OpenAPI.from_dict(spec)  # runs openapi-spec-validator; raises when invalid


def test_every_api_route_is_documented_and_nothing_else(app, spec):
    routes = api_operations(app)
    assert len(routes) >= 10
    assert routes - documented_operations(spec) == set(), "routes missing from the document"
    assert documented_operations(spec) - routes == set(), "documented operations that do not exist"


def test_path_parameters_match_the_routes(spec):
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"}
            assert declared == names, path


ERROR_STATUSES = {"400", "401", "403", "404", "409", "413", "415", "422"}


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_every_operation_documents_its_responses(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert codes & {"200", "201"}, where
            if path != "/openapi.json":
                assert {"401", "422"} <= codes, where  # any query text may be refused (NUL…)
            if "{" in path:
                assert "404" in codes, where
            if method == "post":
                assert {"400", "403", "415", "422", "409", "201"} <= codes, where
            for code in codes & ERROR_STATUSES:
                response = _resolve(spec, operation["responses"][code])
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (where, code)


def _schemas_in(spec):
    """Every schema the document holds, with where it is."""
    comps = spec["components"]
    for name, schema in comps["schemas"].items():
        yield f"components.schemas.{name}", schema
    for name, param in comps["parameters"].items():
        yield f"components.parameters.{name}", param["schema"]
    for name, response in comps["responses"].items():
        for media, content in response.get("content", {}).items():
            yield f"components.responses.{name}.{media}", content["schema"]
        for header, h in response.get("headers", {}).items():
            yield f"components.responses.{name}.headers.{header}", h["schema"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            where = f"{method} {path}"
            for p in op.get("parameters", []):
                if "schema" in p:
                    yield f"{where} parameter {p['name']}", p["schema"]
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                yield f"{where} body {media}", content["schema"]
            for code, response in op["responses"].items():
                for media, content in response.get("content", {}).items():
                    yield f"{where} {code} {media}", content["schema"]
                for header, h in response.get("headers", {}).items():
                    yield f"{where} {code} header {header}", h["schema"]


ASSERTING = ("$ref", "type", "enum", "const", "anyOf", "oneOf", "allOf")


def open_spots(schema, where: str) -> list[str]:
    """Places where ``schema`` accepts values it does not describe."""
    problems = []
    if not isinstance(schema, dict):
        return [f"{where}: not a schema object"]
    if not any(k in schema for k in ASSERTING):
        # Raw bytes (files) are not JSON: OpenAPI 3.1 describes them by media type alone.
        if "contentMediaType" not in schema:
            problems.append(f"{where}: open schema {schema!r}")
        return problems
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        extra = schema.get("additionalProperties", True)
        if extra is True or extra == {}:
            problems.append(f"{where}: object without additionalProperties: false (or a typed map)")
        if not schema.get("properties") and not schema.get("patternProperties") and not isinstance(extra, dict):
            problems.append(f"{where}: object that lists no properties")
        for name, sub in schema.get("properties", {}).items():
            problems += open_spots(sub, f"{where}.{name}")
        for name, sub in schema.get("patternProperties", {}).items():
            problems += open_spots(sub, f"{where}[{name}]")
        if isinstance(extra, dict):
            problems += open_spots(extra, f"{where}.*")
    elif "properties" in schema:
        problems.append(f"{where}: properties without type object")
    if "array" in types:
        if "items" not in schema:
            problems.append(f"{where}: array without items")
        else:
            problems += open_spots(schema["items"], f"{where}[]")
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            problems += open_spots(sub, f"{where}.{key}[{i}]")
    if "propertyNames" in schema:
        problems += open_spots(schema["propertyNames"], f"{where}.propertyNames")
    return problems


def test_no_schema_in_the_document_is_open(spec):
    problems = []
    count = 0
    for where, schema in _schemas_in(spec):
        count += 1
        problems += open_spots(schema, where)
    assert count > 40
    assert problems == []


@pytest.mark.parametrize("schema, expected", [
    ({}, 1),
    ({"description": "anything"}, 1),
    ({"type": "object"}, 2),
    ({"type": "object", "properties": {"a": {"type": "string"}}}, 1),
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, 1),
    ({"type": "array"}, 1),
    ({"type": "array", "items": {}}, 1),
    ({"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}}, 0),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, 0),
    ({"contentMediaType": "application/octet-stream"}, 0),
])
def test_the_open_schema_check_catches_open_schemas(schema, expected):
    assert len(open_spots(schema, "x")) == expected


def test_acta_schemas_reuse_the_gore_acta_schema(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["ActaInput"] == documents.input_schema()
    acta = schemas["Acta"]
    assert set(acta["properties"]) == set(documents.input_schema()["properties"]) | {"id"}
    commitment = (acta["properties"]["regions"]["items"]["properties"]["topics"]["items"]
                  ["properties"]["commitments"]["items"])
    assert {"id", "status"} <= set(commitment["required"])


def test_the_document_is_served_without_a_token(api, spec):
    response = api.get("/api/v1/openapi.json", token=None)
    assert response.status_code == 200
    assert response.get_json() == spec
