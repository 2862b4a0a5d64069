"""Auditoría (web) and GET /api/v1/audit: who may read what, filters, «Ver cambios» links."""
from __future__ import annotations

import pytest

from gore_tracker import audit
from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from tests.api.conftest import error_of


@pytest.fixture
def trail(make):
    """Two actas of two sectors, each with a change; and a login event."""
    admin = make.user("admin")
    minsa = make.meeting(admin, sector_name="Ministerio de Salud", regions=(("Cusco", 1),))
    mtc = make.meeting(admin, sector_name="Ministerio de Transportes y Comunicaciones", day="2024-06-02",
                       regions=(("Puno", 1),))
    for m in (minsa, mtc):
        c = m.commitments[0]
        apply_update(c, admin, status="en_proceso", progress=10, version=c.version)
    audit.record_event("login", entity="auth", entity_id=admin.id, actor_label=admin.email)
    db.session.commit()
    return {"admin": admin, "minsa": minsa, "mtc": mtc}


@pytest.mark.parametrize("role,org,status", [
    ("admin", None, 200), ("coordinator", None, 200), ("liaison", "MINSA", 200),
    ("regional_officer", "Cusco", 403), ("viewer", None, 403),
])
def test_who_may_open_auditoria(client, make, login_as, trail, role, org, status):
    login_as(make.user(role, org))
    assert client.get("/admin/auditoria").status_code == status


def test_a_liaison_sees_only_their_sectors_actas(client, make, login_as, trail):
    login_as(make.user("liaison", "MINSA"))
    html = client.get("/admin/auditoria?entity=commitment").get_data(as_text=True)
    minsa_c, mtc_c = trail["minsa"].commitments[0], trail["mtc"].commitments[0]
    assert f"/compromisos/{minsa_c.id}" in html
    assert f"/compromisos/{mtc_c.id}" not in html
    assert 'badge text-bg-secondary">Inicio de sesión' not in client.get("/admin/auditoria").get_data(as_text=True)


def test_filters_and_ignored_values(client, make, login_as, trail):
    login_as(make.user("coordinator"))
    c = trail["minsa"].commitments[0]
    html = client.get(f"/admin/auditoria?entity=commitment&id={c.id}&action=update").get_data(as_text=True)
    assert "<strong>1</strong> registro" in html
    assert "Pendiente</del> → <ins" in html and "En proceso</ins>" in html
    html = client.get("/admin/auditoria?id=99999999999999999999&from=2024-13-01&page=99999999999999999999")
    assert html.status_code == 200
    body = html.get_data(as_text=True)
    assert "Se ignoró el filtro «id»" in body and "Se ignoró el filtro «from»" in body


def test_ver_cambios_links_for_managers_and_the_sectors_liaisons(client, make, login_as, trail):
    m = trail["minsa"]
    c = m.commitments[0]
    for role, org, shown in (("coordinator", None, True), ("liaison", "MINSA", True),
                             ("liaison", "MTC", False), ("viewer", None, False)):
        with client.session_transaction() as s:
            s.clear()
        login_as(make.user(role, org))
        assert ("data-audit-link" in client.get(f"/sesiones/{m.id}").get_data(as_text=True)) is shown
        assert ("data-audit-link" in client.get(f"/compromisos/{c.id}").get_data(as_text=True)) is shown
    with client.session_transaction() as s:
        s.clear()
    login_as(make.user("liaison", "MINSA"))
    html = client.get(f"/admin/auditoria?meeting_id={m.id}").get_data(as_text=True)
    assert "Sesión (acta)" in html and "Compromiso" in html


def test_api_lists_entries_newest_first_with_changes(api, trail):
    api.login(trail["admin"])
    c = trail["minsa"].commitments[0]
    response = api.get("/api/v1/audit", query_string={"entity": "commitment", "id": c.id})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1
    update, create = body["items"]
    assert (update["action"], create["action"]) == ("update", "create")
    assert update["changes"]["status"] == {"before": "pendiente", "after": "en_proceso"}
    assert update["actor"] == "system" and update["entity_id"] == c.id
    assert update["at"].endswith("Z")


def test_api_scopes_and_refuses(api, make, trail):
    api.login(make.user("liaison", "MTC"))
    body = api.get("/api/v1/audit", query_string={"per_page": 200}).get_json()
    assert body["total"] > 0
    assert {i["meeting_id"] for i in body["items"]} == {trail["mtc"].id}
    api.login(make.user("viewer"))
    assert api.get("/api/v1/audit").status_code == 403
    api.login(make.user("coordinator"))
    for name, value in (("entity", "planeta"), ("action", "borrar"), ("id", "2147483648"), ("from", "ayer"),
                        ("to", "2024-02-30"), ("page", "0")):
        response = api.get("/api/v1/audit", query_string={name: value})
        assert response.status_code == 422, name
        assert name in error_of(response)["fields"]


def test_api_filters_by_actor_action_and_day(api, make, trail):
    api.login(make.user("coordinator"))
    body = api.get("/api/v1/audit", query_string={"action": "login", "actor": trail["admin"].email[:6]}).get_json()
    assert [i["entity"] for i in body["items"]] == ["auth"]
    body = api.get("/api/v1/audit", query_string={"from": "2000-01-01", "to": "2000-01-02"}).get_json()
    assert body["total"] == 0
