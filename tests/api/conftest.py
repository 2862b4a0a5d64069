"""API fixtures: a client that checks every request and response against the OpenAPI document.

``api.get/post(...)`` sends the request through Flask's test client and then:
- validates the response against the operation it answers (status, headers, body);
- validates the request too: a request the document rejects must get a 4xx, and a
  2xx may only answer a request the document accepts.
So every exchange in tests/api doubles as a test of the document.
"""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from flask.testing import EnvironBuilder
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request

from gore_tracker.api.openapi import build_spec
from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.users import operations as users

_DEFAULT = object()
_OPENAPI_CACHE: dict[str, OpenAPI] = {}


def openapi_for(spec: dict) -> OpenAPI:
    key = json.dumps(spec, sort_keys=True)
    if key not in _OPENAPI_CACHE:
        _OPENAPI_CACHE[key] = OpenAPI.from_dict(spec)
    return _OPENAPI_CACHE[key]


def describe(errors) -> str:
    """The errors with their causes (openapi-core nests the schema errors)."""
    parts = []
    for error in errors:
        text, cause = repr(error), error.__cause__
        while cause is not None:
            text += f" <- {cause!r}"
            for sub in getattr(cause, "schema_errors", ()):
                text += f" [{'.'.join(map(str, sub.absolute_path))}: {sub.message}]"
            cause = cause.__cause__
        parts.append(text)
    return "; ".join(parts)


class Exchange:
    """What one call checked, for tests that want to look at it."""

    def __init__(self, request_errors: list):
        self.request_errors = request_errors


class ApiClient:
    def __init__(self, app, client, openapi: OpenAPI):
        self.app = app
        self.client = client
        self.openapi = openapi
        self.token: str | None = None
        self.last: Exchange | None = None

    def login(self, user) -> "ApiClient":
        """Use a new API token of ``user`` for the following calls."""
        self.token = users.issue_token(user)
        db.session.commit()
        return self

    def open(self, method: str, path: str, *, token=_DEFAULT, headers=None, **kwargs):
        headers = dict(headers or {})
        token = self.token if token is _DEFAULT else token
        if token is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {token}"
        builder = EnvironBuilder(self.app, path=path, method=method, headers=headers, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        body = environ["wsgi.input"].read()

        def fresh_request() -> Request:
            env = dict(environ)
            env["wsgi.input"] = io.BytesIO(body)
            return Request(env)

        response = self.client.open(fresh_request())
        response.get_data()  # buffer the body, then release what streamed it (files)
        response.close()
        self._check(fresh_request(), response)
        return response

    def _check(self, request: Request, response) -> None:
        openapi_request = WerkzeugOpenAPIRequest(request)
        try:
            request_errors = list(self.openapi.iter_request_errors(openapi_request))
        except RecursionError as exc:  # a body nested too deep for the validator's JSON parser
            request_errors = [exc]
        self.last = Exchange(request_errors)
        where = f"{request.method} {request.full_path.rstrip('?')} → {response.status_code}"
        # Raises with the reason when the response does not match the document.
        self.openapi.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
        if 200 <= response.status_code < 300:
            assert not request_errors, f"{where}: request rejected by the document: {describe(request_errors)}"
        if request_errors:
            assert 400 <= response.status_code < 500, (
                f"{where}: the document rejects this request ({describe(request_errors)}) but the API accepted it")
        assert "Set-Cookie" not in response.headers, f"{where}: the API must not set cookies"

    def get(self, path: str, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.open("POST", path, **kwargs)


@pytest.fixture
def spec(app):
    with app.test_request_context():
        return build_spec()


@pytest.fixture
def openapi(spec) -> OpenAPI:
    return openapi_for(spec)


@pytest.fixture
def api(app, client, openapi) -> ApiClient:
    return ApiClient(app, client, openapi)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def world(make):
    """Five commitments in two meetings; names say where they are.

    Sorted by due date: cusco1 (2020-01-10, overdue), lima (2020-01-10, overdue),
    edu_cusco (2021-06-30, anulado), cusco2 (2099-12-31), puno (no due date, cumplido).
    """
    admin = make.user("admin")
    m1 = make.meeting(admin, day="2024-05-10", sector_name="Ministerio de Salud",
                      regions=(("Cusco", 2), ("Puno", 1)))
    doc = make.acta_document(day="2024-06-01", sector_name="Ministerio de Educación", body="Muni Ejecutivo",
                             regions=(("Cusco", 1), ("Lima Metropolitana", 1)),
                             topic_text="Infraestructura educativa")
    doc["regions"][0]["topics"][0]["commitments"][0]["text"] = "Construir aulas prefabricadas en Cusco"
    doc["regions"][1]["topics"][0]["commitments"][0].update(
        text="Transferir recursos para aulas", responsible="Programa Nacional de Infraestructura Educativa")
    m2 = make.meeting(admin, document=doc)
    by_key = {(c.region.name, c.number): c for c in m1.commitments}
    cusco1, cusco2, puno = by_key[("Cusco", 1)], by_key[("Cusco", 2)], by_key[("Puno", 1)]
    edu_cusco = next(c for c in m2.commitments if c.region.name == "Cusco")
    lima = next(c for c in m2.commitments if c.region.name == "Lima Metropolitana")
    cusco1.due = lima.due = date(2020, 1, 10)
    edu_cusco.due = date(2021, 6, 30)
    cusco2.due = date(2099, 12, 31)
    db.session.commit()
    apply_update(cusco2, admin, status="en_proceso", progress=40, version=cusco2.version)
    apply_update(lima, admin, status="en_proceso", version=lima.version)
    apply_update(puno, admin, status="cumplido", version=puno.version)
    apply_update(edu_cusco, admin, status="anulado", note="Duplicado de otro compromiso", version=edu_cusco.version)
    db.session.commit()
    return {"cusco1": cusco1, "cusco2": cusco2, "puno": puno, "edu_cusco": edu_cusco, "lima": lima,
            "m1": m1, "m2": m2, "admin": admin}
