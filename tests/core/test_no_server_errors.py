"""No 500 on any input: every GET route of the URL map, with ids and numbers no database
column can hold, signed in as an admin (pages) or with an admin's API token (/api)."""
from __future__ import annotations

import pytest
from werkzeug.routing.converters import NumberConverter

from gore_tracker.extensions import db
from gore_tracker.users import operations as users
from gore_tracker.utils.numbers import DB_INT_MAX
from tests.conftest import csrf_from

HUGE = (2**31, 10**20)
# Every integer or id-like query argument some list reads, with values out of any range.
QUERY_NAMES = ("page", "per_page", "meeting_id", "org", "year", "ids", "region", "sector", "estado",
               "status", "due_from", "due_to", "from", "to", "kind", "role", "group_by", "sort", "t")


def _get_rules(app):
    return [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"
            and not r.endpoint.endswith(".static")]


def _url(rule, number) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = str(number) if isinstance(converter, NumberConverter) else "x"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", value).replace(f"<path:{name}>", value).replace(f"<{name}>", value)
    return path


@pytest.fixture
def signed_in(client, login_as, make):
    admin = make.user("admin")
    make.meeting(admin)
    login_as(admin)
    token = users.issue_token(admin)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _get(client, url, headers):
    response = client.get(url, headers=headers if url.startswith("/api/") else None)
    response.close()
    return response


def test_every_int_converter_is_bounded(app):
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, NumberConverter):
                assert (converter.min, converter.max) == (1, DB_INT_MAX), (rule.rule, name)


@pytest.mark.parametrize("number", HUGE + (0,), ids=["2**31", "10**20", "0"])
def test_ids_out_of_range_are_404(app, client, signed_in, number):
    rules = [r for r in _get_rules(app) if any(
        isinstance(r._converters[a], NumberConverter) for a in r.arguments)]
    assert len(rules) >= 10
    for rule in rules:
        url = _url(rule, number)
        response = _get(client, url, signed_in)
        assert response.status_code == 404, (url, response.status_code)


def _query(value) -> str:
    return "&".join(f"{name}={value}" for name in QUERY_NAMES)


@pytest.mark.parametrize("value", ["1", str(2**31), str(10**20), "%00", "%ED%A0%80", "%C2%B2", "-1", "9" * 5000],
                         ids=["1", "2**31", "10**20", "nul", "bad-utf8", "superscript-2", "minus-1", "5000-digits"])
def test_odd_query_values_never_fail(app, client, signed_in, value):
    """Each list reads all of these together (and ignores or reports what it cannot use)."""
    rules = _get_rules(app)
    assert len(rules) >= 25
    for rule in rules:
        url = f"{_url(rule, 1)}?{_query(value)}"
        response = _get(client, url, signed_in)
        assert response.status_code < 500, (url[:200], response.status_code)


@pytest.mark.parametrize("url", ["/compromisos?q=agua&q=%00", "/compromisos?%00=1", "/sesiones?q=%ED%A0%80%00",
                                 "/static/%00", "/archivos/1/a%00b"])
def test_unstorable_text_anywhere_in_a_web_request_is_400(client, signed_in, url):
    response = _get(client, url, signed_in)
    assert response.status_code == 400, (url, response.status_code)
    assert "caracteres no permitidos" in response.get_data(as_text=True)


def test_unstorable_form_field_name_is_400(client, signed_in):
    token = csrf_from(client.get("/preferencias/correo").get_data(as_text=True))
    response = client.post("/preferencias/correo", data={"csrf_token": token, "a\x00b": "1"})
    assert response.status_code == 400
    assert "caracteres no permitidos" in response.get_data(as_text=True)


def test_api_unstorable_query_names_and_repeated_values_are_422(client, signed_in):
    for url in ("/api/v1/commitments?q=agua&q=%00", "/api/v1/meetings?%00=1"):
        response = _get(client, url, signed_in)
        assert response.status_code == 422, url
        assert response.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("url, label", [
    (f"/compromisos?meeting_id={10**20}", "Se ignoró el filtro de sesión"),
    ("/compromisos?meeting_id=%C2%B2", "Se ignoró el filtro de sesión"),
    ("/sesiones?year=%C2%B2", "Se ignoró el filtro de año"),
    ("/sesiones?sector=zzz", "Se ignoró el filtro de sector"),
    (f"/admin/usuarios?org={2**31}", "Se ignoró el filtro de entidad"),
    ("/admin/correo/?estado=zzz", "Se ignoró el filtro de estado"),
])
def test_web_lists_ignore_unusable_filters_with_a_warning(client, signed_in, url, label):
    response = client.get(url)
    assert response.status_code == 200, url
    assert label in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/compromisos", "/sesiones", "/importar", "/admin/usuarios", "/admin/entidades",
                                  "/admin/correo/"])
def test_a_huge_page_is_an_empty_page(client, signed_in, path):
    for page in (str(2**31), str(10**20), "0", "-3", "x"):
        assert client.get(f"{path}?page={page}").status_code == 200, (path, page)


@pytest.mark.parametrize("name", ["page", "per_page", "meeting_id"])
def test_api_numbers_out_of_range_are_422_naming_the_parameter(client, signed_in, name):
    for value in (2**31, 10**20):
        response = client.get(f"/api/v1/commitments?{name}={value}", headers=signed_in)
        assert response.status_code == 422, (name, value)
        assert name in response.get_json()["error"]["fields"]
