"""GET /stats: totals per group with the list's filters, and the compliance rate."""
from __future__ import annotations

import pytest

from gore_tracker.commitments import rules

from .conftest import error_of


@pytest.fixture
def viewer_api(api, make):
    return api.login(make.user("viewer"))


def stats(api, **query):
    response = api.get("/api/v1/stats", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def zero(**counts):
    return {s: counts.get(s, 0) for s in rules.STATUSES}


def test_by_region(viewer_api, world):
    body = stats(viewer_api, group_by="region")
    assert body["group_by"] == "region"
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {"Cusco", "Puno", "Lima Metropolitana"}
    cusco = rows["Cusco"]
    # Cusco: cusco1 pendiente (overdue), cusco2 en_proceso, edu_cusco anulado.
    assert cusco == {"key": "Cusco", "total": 3, "by_status": zero(pendiente=1, en_proceso=1, anulado=1),
                     "overdue": 1, "compliance_rate": 0.0}
    assert rows["Puno"]["compliance_rate"] == 1.0
    assert rows["Lima Metropolitana"]["overdue"] == 1


def test_compliance_rate_is_cumplido_over_total_minus_anulado(api, make):
    admin = make.user("admin")
    api.login(admin)
    for status in ("cumplido", "cumplido", "en_proceso", "anulado", "no_cumplido"):
        make.commitment("Cusco", status=status, actor=admin)
    make.commitment("Puno", status="anulado", actor=admin)
    rows = {r["key"]: r for r in stats(api, group_by="region")["rows"]}
    assert rows["Cusco"]["total"] == 5
    assert rows["Cusco"]["compliance_rate"] == pytest.approx(2 / 4)
    # Every commitment annulled: the denominator is 0, the rate is null.
    assert rows["Puno"]["total"] == 1
    assert rows["Puno"]["compliance_rate"] is None


def test_by_sector_body_and_meeting(viewer_api, world):
    sectors = {r["key"]: r["total"] for r in stats(viewer_api, group_by="sector")["rows"]}
    assert sectors == {"Ministerio de Salud": 3, "Ministerio de Educación": 2}
    bodies = {r["key"]: r["total"] for r in stats(viewer_api, group_by="body")["rows"]}
    assert bodies == {"GORE Ejecutivo": 3, "Muni Ejecutivo": 2}
    meetings = {r["key"]: r["total"] for r in stats(viewer_api, group_by="meeting")["rows"]}
    assert meetings == {str(world["m1"].id): 3, str(world["m2"].id): 2}


def test_filters_apply_to_stats(viewer_api, world):
    rows = stats(viewer_api, group_by="sector", region="Cusco", q="oxigeno")["rows"]
    assert [(r["key"], r["total"]) for r in rows] == [("Ministerio de Salud", 2)]
    overdue = stats(viewer_api, group_by="body", overdue="true")["rows"]
    assert {r["key"]: r["overdue"] for r in overdue} == {"GORE Ejecutivo": 1, "Muni Ejecutivo": 1}
    assert stats(viewer_api, group_by="region", region="Tacna")["rows"] == []


def test_group_by_defaults_to_region(viewer_api, world):
    assert stats(viewer_api)["group_by"] == "region"


@pytest.mark.parametrize("query, field", [
    ({"group_by": "color"}, "group_by"),
    ({"group_by": "region", "region": "Narnia"}, "region"),
    ({"sector": "Ministerio de Magia"}, "sector"),
    ({"status": "perdido"}, "status"),
])
def test_bad_parameters_are_422(viewer_api, query, field):
    response = viewer_api.get("/api/v1/stats", query_string=query)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
