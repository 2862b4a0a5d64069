"""Who may record, edit and see actas through the web pages (enforced on the server)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from tests import factories
from tests.conftest import csrf_from

from .conftest import acta_form_data


def meeting_count() -> int:
    return db.session.scalar(select(func.count(Meeting.id)))


def token(client) -> str:
    """A valid CSRF token from a page the user may see (the logout form of the layout)."""
    return csrf_from(client.get("/sesiones").get_data(as_text=True))


OUTSIDERS = {
    "regional officer": ("regional_officer", "Cusco"),
    "viewer": ("viewer", None),
}


@pytest.mark.parametrize("who", list(OUTSIDERS), ids=list(OUTSIDERS))
def test_outsiders_may_not_record_an_acta(client, login_as, who):
    login_as(factories.user(*OUTSIDERS[who]))
    assert client.get("/sesiones/nueva").status_code == 403
    response = client.post("/sesiones/nueva", data=acta_form_data(factories.seed_document(), token(client)))
    assert response.status_code == 403
    assert meeting_count() == 0
    assert "Registrar acta" not in client.get("/sesiones").get_data(as_text=True)


@pytest.mark.parametrize("who", [*OUTSIDERS, "liaison of another sector"])
def test_outsiders_may_not_edit_an_acta(client, login_as, who):
    meeting = factories.meeting(document=factories.seed_document())
    before = meeting.title
    role, org = OUTSIDERS.get(who, ("liaison", "MINEDU"))
    login_as(factories.user(role, org))
    url = f"/sesiones/{meeting.id}/editar"
    assert client.get(url).status_code == 403
    doc = factories.seed_document()
    doc["meeting"]["title"] = "Cambiado"
    assert client.post(url, data=acta_form_data(doc, token(client))).status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == before
    assert "Editar acta" not in client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)


def test_liaison_may_not_record_an_acta_of_another_sector(client, login_as):
    login_as(factories.user("liaison", "MINEDU"))
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    assert 'value="Ministerio de Salud"' not in page  # only their own sector is offered
    response = client.post("/sesiones/nueva", data=acta_form_data(factories.seed_document(), csrf_from(page)))
    assert response.status_code == 403
    assert meeting_count() == 0


def test_liaison_may_not_move_their_acta_to_another_sector(client, login_as):
    liaison = factories.user("liaison", "MINSA")
    meeting = factories.meeting(liaison, document=factories.seed_document())
    login_as(liaison)
    url = f"/sesiones/{meeting.id}/editar"
    page = client.get(url).get_data(as_text=True)
    doc = factories.seed_document()
    doc["meeting"]["sector"] = "Ministerio de Educación"
    assert client.post(url, data=acta_form_data(doc, csrf_from(page))).status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).sector.code == "MINSA"


@pytest.mark.parametrize("role, org", [("liaison", "MINSA"), ("coordinator", None), ("admin", None)])
def test_managers_and_the_sector_liaison_may_edit(client, login_as, role, org):
    meeting = factories.meeting(document=factories.seed_document())
    login_as(factories.user(role, org))
    assert client.get(f"/sesiones/{meeting.id}/editar").status_code == 200
    assert "Editar acta" in client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/sesiones", "/sesiones/nueva", "/sesiones/1", "/sesiones/1/editar"])
def test_pages_require_login(client, url):
    factories.meeting(document=factories.seed_document())
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_viewer_sees_the_list_and_the_acta(client, login_as):
    meeting = factories.meeting(document=factories.seed_document())
    login_as(factories.user("viewer"))
    assert client.get("/sesiones").status_code == 200
    assert client.get(f"/sesiones/{meeting.id}").status_code == 200


@pytest.mark.parametrize("url", ["/sesiones/999", "/sesiones/999/editar"])
def test_unknown_meeting_is_404(client, login_as, url):
    login_as(factories.user("admin"))
    assert client.get(url).status_code == 404
