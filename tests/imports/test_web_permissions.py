"""Who may use the web import, checked on the server for every route (role x route)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from gore_tracker import permissions
from gore_tracker.extensions import db
from gore_tracker.imports import drafts as draft_ops
from gore_tracker.imports import worker
from gore_tracker.imports.models import ImportDraft
from tests.conftest import csrf_from
from tests.imports.web_stub import SAMPLES, STUB

SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"


@pytest.fixture(autouse=True)
def _sync_worker(app):
    app.config["IMPORT_SPAWN"] = False
    app.config["IMPORT_PARSER"] = STUB


@pytest.fixture
def owned_draft(app, make):
    """A ready draft uploaded by a MINSA liaison."""
    owner = make.user("liaison", "MINSA")
    with open(SEED, "rb") as fh:
        upload = draft_ops.create_draft(fh, SEED.name, owner)
    db.session.commit()
    worker.run(upload.draft.id)
    return owner, db.session.get(ImportDraft, upload.draft.id)


def _routes(draft_id: int):
    return [
        ("GET", "/importar"),
        ("POST", "/importar"),
        ("GET", f"/importar/estado?ids={draft_id}"),
        ("GET", f"/importar/{draft_id}/revisar"),
        ("POST", f"/importar/{draft_id}/revisar"),
        ("GET", f"/importar/{draft_id}/pdf"),
        ("POST", f"/importar/{draft_id}/descartar"),
        ("POST", f"/importar/{draft_id}/reintentar"),
        ("POST", f"/importar/{draft_id}/pasar-a-coordinacion"),
    ]


def _call(client, method, url, csrf):
    if method == "GET":
        return client.get(url)
    data = {"csrf_token": csrf}
    if url == "/importar":
        data["files"] = [(io.BytesIO(SEED.read_bytes()), SEED.name)]
    return client.post(url, data=data, content_type="multipart/form-data")


def test_anonymous_is_sent_to_login(client, owned_draft):
    _, draft = owned_draft
    for method, url in _routes(draft.id):
        response = _call(client, method, url, "x")
        if method == "POST":
            # CSRF is checked before login: no valid token, no entry either way.
            assert response.status_code in (302, 400), (method, url)
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role,org", [("regional_officer", "Cusco"), ("viewer", None)])
def test_roles_that_cannot_record_actas_get_403_everywhere(client, login_as, make, owned_draft, role, org):
    _, draft = owned_draft
    login_as(make.user(role, org))
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    for method, url in _routes(draft.id):
        assert _call(client, method, url, csrf).status_code == 403, (role, method, url)
    assert db.session.scalar(select(ImportDraft).where(ImportDraft.id == draft.id)) is not None


@pytest.mark.parametrize("org", ["MINSA", "MINEDU"])
def test_a_liaison_sees_only_their_own_drafts(client, login_as, make, owned_draft, org):
    owner, draft = owned_draft
    other = login_as(make.user("liaison", org))
    page = client.get("/importar").get_data(as_text=True)
    assert SEED.name not in page
    csrf = csrf_from(page)
    assert client.get(f"/importar/estado?ids={draft.id}").get_json() == {"drafts": []}
    for method, url in _routes(draft.id)[3:]:
        assert _call(client, method, url, csrf).status_code == 403, (method, url)
    db.session.expire_all()
    assert db.session.get(ImportDraft, draft.id).status == "ready"
    assert permissions.can_manage_draft(owner, draft) and not permissions.can_manage_draft(other, draft)


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_managers_see_and_review_every_draft(client, login_as, make, owned_draft, role):
    owner, draft = owned_draft
    login_as(make.user(role))
    page = client.get("/importar").get_data(as_text=True)
    assert SEED.name in page and f"por {owner.name}" in page
    assert client.get(f"/importar/estado?ids={draft.id}").get_json()["drafts"][0]["id"] == draft.id
    assert client.get(f"/importar/{draft.id}/revisar").status_code == 200
    with client.get(f"/importar/{draft.id}/pdf") as response:
        assert response.status_code == 200


def test_the_owner_may_use_every_route(client, login_as, owned_draft):
    owner, draft = owned_draft
    login_as(owner)
    assert client.get(f"/importar/{draft.id}/revisar").status_code == 200
    csrf = csrf_from(client.get("/importar").get_data(as_text=True))
    assert client.post(f"/importar/{draft.id}/descartar", data={"csrf_token": csrf}).status_code == 302


def test_a_liaison_who_lost_the_role_loses_their_drafts(client, login_as, make, owned_draft):
    owner, draft = owned_draft
    login_as(owner)
    owner.role = "viewer"
    owner.organization = None
    db.session.commit()
    assert client.get(f"/importar/{draft.id}/revisar").status_code == 403


def test_unknown_draft_is_404(client, login_as, make):
    login_as(make.user("admin"))
    assert client.get("/importar/999999/revisar").status_code == 404
    assert client.get("/importar/999999/pdf").status_code == 404


def test_permission_predicates_role_table(app, make, owned_draft):
    owner, draft = owned_draft
    table = {
        "admin": (True, True, True),
        "coordinator": (True, True, True),
        "liaison": (True, False, False),  # another liaison: may import, not this draft
        "regional_officer": (False, False, False),
        "viewer": (False, False, False),
    }
    orgs = {"liaison": "MINSA", "regional_officer": "Cusco"}
    for role, (may_import, sees_all, manages) in table.items():
        user = make.user(role, orgs.get(role))
        assert permissions.can_import_actas(user) is may_import, role
        assert permissions.can_see_all_drafts(user) is sees_all, role
        assert permissions.can_manage_draft(user, draft) is manages, role
    assert permissions.can_manage_draft(owner, draft)
