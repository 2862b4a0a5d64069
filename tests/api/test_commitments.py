"""GET /commitments (filters, sorting, pagination) and GET /commitments/{id}."""
from __future__ import annotations

from datetime import date

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.utils.dates import today as lima_today

from .conftest import error_of

LIST_FIELDS = {"id", "meeting_id", "region", "sector", "topic", "number", "text", "responsible", "due",
               "status", "progress", "overdue", "days_overdue", "version"}


@pytest.fixture
def viewer_api(api, make):
    return api.login(make.user("viewer"))


def ids(world, *names):
    return [world[n].id for n in names]


def listed(api, **query):
    response = api.get("/api/v1/commitments", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_list_shape_and_order(viewer_api, world):
    body = listed(viewer_api)
    assert (body["total"], body["page"], body["per_page"]) == (5, 1, 25)
    assert [i["id"] for i in body["items"]] == ids(world, "cusco1", "lima", "edu_cusco", "cusco2", "puno")
    first = body["items"][0]
    assert LIST_FIELDS <= set(first)
    overdue_days = (lima_today() - date(2020, 1, 10)).days
    assert first == {**first, "meeting_id": world["m1"].id, "region": "Cusco", "sector": "Ministerio de Salud",
                     "topic": "Abastecimiento de oxígeno medicinal", "number": 1, "due": "2020-01-10",
                     "status": "pendiente", "progress": 0, "overdue": True, "days_overdue": overdue_days,
                     "version": 2, "body": "GORE Ejecutivo", "responsible": None}  # due set: v2
    cusco2 = body["items"][3]
    assert (cusco2["status"], cusco2["progress"], cusco2["overdue"], cusco2["days_overdue"], cusco2["version"]) == (
        "en_proceso", 40, False, 0, 3)
    anulado = body["items"][2]
    assert (anulado["overdue"], anulado["days_overdue"]) == (False, 0)  # past due but closed
    lima = body["items"][1]
    assert (lima["region"], lima["sector"], lima["body"]) == (
        "Lima Metropolitana", "Ministerio de Educación", "Muni Ejecutivo")
    assert lima["responsible"] == "Programa Nacional de Infraestructura Educativa"


@pytest.mark.parametrize("query, expected", [
    ({"region": "08"}, ["cusco1", "edu_cusco", "cusco2"]),
    ({"region": "cusco"}, ["cusco1", "edu_cusco", "cusco2"]),
    ({"region": "Cuzco"}, ["cusco1", "edu_cusco", "cusco2"]),
    ({"region": "Gobierno Regional del Cusco"}, ["cusco1", "edu_cusco", "cusco2"]),
    ({"region": "MML"}, ["lima"]),
    ({"region": "1501"}, ["lima"]),
    ({"sector": "MINSA"}, ["cusco1", "cusco2", "puno"]),
    ({"sector": "ministerio de educacion"}, ["lima", "edu_cusco"]),
    ({"body": "muni ejecutivo"}, ["lima", "edu_cusco"]),
    ({"status": "en_proceso"}, ["lima", "cusco2"]),
    ({"status": ["cumplido", "anulado"]}, ["edu_cusco", "puno"]),
    ({"overdue": "true"}, ["cusco1", "lima"]),
    ({"overdue": "false"}, ["cusco1", "lima", "edu_cusco", "cusco2", "puno"]),
    ({"due_from": "2021-01-01"}, ["edu_cusco", "cusco2"]),
    ({"due_to": "2021-06-30"}, ["cusco1", "lima", "edu_cusco"]),
    ({"due_from": "2020-01-10", "due_to": "2020-01-10"}, ["cusco1", "lima"]),
    ({"q": "oxigeno"}, ["cusco1", "cusco2", "puno"]),
    ({"q": "OXÍGENO"}, ["cusco1", "cusco2", "puno"]),
    ({"q": "Oxígeno puno"}, ["puno"]),
    ({"q": "aulas"}, ["lima", "edu_cusco"]),
    ({"q": "educativa"}, ["lima", "edu_cusco"]),
    ({"q": "nada parecido"}, []),
    ({"q": "100%"}, []),
    ({"responsible": "infraestructura educativa"}, ["lima"]),
    ({"region": "Cusco", "status": "pendiente", "overdue": "true", "sector": "MINSA"}, ["cusco1"]),
])
def test_list_filters(viewer_api, world, query, expected):
    body = listed(viewer_api, **query)
    assert [i["id"] for i in body["items"]] == ids(world, *expected)
    assert body["total"] == len(expected)


def test_filter_by_meeting(viewer_api, world):
    body = listed(viewer_api, meeting_id=world["m2"].id)
    assert [i["id"] for i in body["items"]] == ids(world, "lima", "edu_cusco")


def test_sort_can_be_chosen(viewer_api, world):
    body = listed(viewer_api, sort="-due")
    assert [i["id"] for i in body["items"]] == ids(world, "cusco2", "edu_cusco", "cusco1", "lima", "puno")


@pytest.mark.parametrize("query, field", [
    ({"region": "Narnia"}, "region"),
    ({"sector": "Ministerio de Magia"}, "sector"),
    ({"status": "terminado"}, "status"),
    ({"overdue": "quizas"}, "overdue"),
    ({"due_from": "2021-02-30"}, "due_from"),
    ({"due_to": "1850-01-01"}, "due_to"),
    ({"meeting_id": "primera"}, "meeting_id"),
    ({"meeting_id": "9999"}, "meeting_id"),
    ({"sort": "azar"}, "sort"),
    ({"page": "0"}, "page"),
    ({"per_page": "201"}, "per_page"),
    ({"per_page": "-1"}, "per_page"),
])
def test_unknown_or_invalid_filters_are_422_naming_the_field(viewer_api, world, query, field):
    response = viewer_api.get("/api/v1/commitments", query_string=query)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert error["fields"][field] and all(isinstance(m, str) and m for m in error["fields"][field])


def test_every_bad_filter_is_reported_at_once(viewer_api, world):
    response = viewer_api.get("/api/v1/commitments", query_string={"region": "Narnia", "per_page": 500})
    assert response.status_code == 422
    assert {"region", "per_page"} <= set(error_of(response)["fields"])


def test_pagination(viewer_api, world):
    order = ids(world, "cusco1", "lima", "edu_cusco", "cusco2", "puno")
    page1 = listed(viewer_api, per_page=2)
    page3 = listed(viewer_api, per_page=2, page=3)
    assert [i["id"] for i in page1["items"]] == order[:2]
    assert [i["id"] for i in page3["items"]] == order[4:]
    assert (page3["total"], page3["page"], page3["per_page"]) == (5, 3, 2)
    past = listed(viewer_api, per_page=2, page=4)
    assert (past["items"], past["total"], past["page"]) == ([], 5, 4)
    assert len(listed(viewer_api, per_page=200)["items"]) == 5


def test_per_page_201_is_refused(viewer_api, world):
    response = viewer_api.get("/api/v1/commitments?per_page=201")
    assert response.status_code == 422
    assert "200" in error_of(response)["fields"]["per_page"][0]


def test_detail_has_history_newest_first(viewer_api, world, make):
    c = world["cusco2"]
    admin = world["admin"]
    apply_update(c, admin, progress=70, note="Avance de obra", version=c.version)
    apply_update(c, admin, due=date(2100, 6, 30), due_reason="Retraso en la licitación", version=c.version)
    db.session.commit()
    response = viewer_api.get(f"/api/v1/commitments/{c.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert LIST_FIELDS <= set(body)
    assert (body["progress"], body["due"], body["version"]) == (70, "2100-06-30", 5)
    history = body["history"]
    assert [h["id"] for h in history] == sorted((h["id"] for h in history), reverse=True)
    newest, middle, oldest = history
    assert (newest["due_changed"], newest["old_due"], newest["new_due"], newest["due_reason"]) == (
        True, "2099-12-31", "2100-06-30", "Retraso en la licitación")
    assert (middle["note"], middle["old_progress"], middle["progress"]) == ("Avance de obra", 40, 70)
    assert (oldest["old_status"], oldest["new_status"]) == ("pendiente", "en_proceso")
    assert oldest["author"] == {"id": admin.id, "name": admin.name}
    assert oldest["evidence"] == []


def test_unknown_commitment_is_404(viewer_api):
    response = viewer_api.get("/api/v1/commitments/4242")
    assert response.status_code == 404
    assert "4242" in error_of(response)["message"]


@pytest.mark.parametrize("path", ["/api/v1/commitments", "/api/v1/stats", "/api/v1/meetings"])
def test_nul_in_a_query_parameter_is_422(viewer_api, path):
    response = viewer_api.get(path, query_string={"q": "ox\x00", "body": "GORE\x00"})
    assert response.status_code == 422
    assert {"q", "body"} <= set(error_of(response)["fields"])


@pytest.mark.parametrize("path", ["/api/v1/regions", "/api/v1/commitments/1"])
def test_nul_in_any_query_parameter_is_422_even_where_none_is_expected(viewer_api, world, path):
    response = viewer_api.get(path, query_string={"x": "\x00"})
    assert response.status_code == 422
    assert "x" in error_of(response)["fields"]
