"""Who may download a stored file (/archivos/<id> and /api/v1/files/<id>).

Evidence of a commitment and a meeting's source acta: every account that may see them;
an import draft's PDF not yet confirmed: its uploader, coordinators and admins; a file
nothing refers to: coordinators and admins. Everyone else gets the 404 of a missing id.
"""
from __future__ import annotations

import io

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.evidence import storage
from gore_tracker.evidence.queries import owners_of
from gore_tracker.extensions import db
from gore_tracker.imports import drafts
from gore_tracker.users import operations as users
from tests.conftest import csrf_from
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ("admin", "coordinator", "liaison_minsa", "liaison_mtc", "officer_cusco", "officer_puno", "viewer")


@pytest.fixture
def people(make):
    return {
        "admin": make.user("admin"),
        "coordinator": make.user("coordinator"),
        "liaison_minsa": make.user("liaison", "MINSA"),
        "liaison_mtc": make.user("liaison", "MTC"),
        "officer_cusco": make.user("regional_officer", "Cusco"),
        "officer_puno": make.user("regional_officer", "Puno"),
        "viewer": make.user("viewer"),
    }


class Downloader:
    """One user, signed in on the web (own client) and with an API token."""

    def __init__(self, app, user):
        self.web = app.test_client()
        form = self.web.get("/login")
        response = self.web.post("/login", data={"csrf_token": csrf_from(form.get_data(as_text=True)),
                                                 "email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        self.token = users.issue_token(user)
        db.session.commit()

    def statuses(self, file_id: int) -> tuple[int, int]:
        web = self.web.get(f"/archivos/{file_id}")
        api = self.web.get(f"/api/v1/files/{file_id}", headers={"Authorization": f"Bearer {self.token}"})
        web.close()
        api.close()
        if api.status_code == 404:
            assert api.get_json()["error"]["code"] == "not_found"
        return web.status_code, api.status_code


def _who_may(app, people, file_id) -> set[str]:
    allowed = set()
    for role in ROLES:
        web, api = Downloader(app, people[role]).statuses(file_id)
        assert web == api, (role, web, api)
        assert web in (200, 404), (role, web)
        if web == 200:
            allowed.add(role)
    return allowed


def test_commitment_evidence_is_for_everyone_who_sees_the_commitment(app, make, people):
    c = make.commitment("Cusco", actor=people["admin"])
    update = apply_update(c, people["officer_cusco"], status="en_proceso", note="Avance",
                          version=c.version, evidence=[(io.BytesIO(PDF), "informe.pdf")])
    db.session.commit()
    file_id = update.evidence[0].id
    assert owners_of(update.evidence[0]).commitments == [c]
    assert _who_may(app, people, file_id) == set(ROLES)


def test_source_acta_is_for_everyone_who_sees_the_meeting(app, make, people):
    stored = storage.store(io.BytesIO(PDF), "acta.pdf", uploaded_by=people["liaison_minsa"])
    meeting = make.meeting(people["liaison_minsa"], commit=False)
    meeting.source_file = stored
    db.session.commit()
    assert owners_of(stored).meetings == [meeting]
    assert _who_may(app, people, stored.id) == set(ROLES)


def test_unconfirmed_draft_pdf_is_for_its_uploader_and_managers_only(app, people):
    upload = drafts.create_draft(io.BytesIO(PDF), "acta-borrador.pdf", people["liaison_minsa"])
    db.session.commit()
    assert upload.draft is not None and upload.draft.meeting_id is None
    assert _who_may(app, people, upload.draft.stored_file_id) == {"admin", "coordinator", "liaison_minsa"}


def test_file_referenced_by_nothing_is_for_managers_only(app, people):
    stored = storage.store(io.BytesIO(PDF), "suelto.pdf", uploaded_by=people["officer_cusco"])
    db.session.commit()
    assert owners_of(stored).is_orphan
    assert _who_may(app, people, stored.id) == {"admin", "coordinator"}


def test_a_forbidden_file_looks_exactly_like_a_missing_one(app, people):
    stored = storage.store(io.BytesIO(PDF), "suelto.pdf")
    db.session.commit()
    viewer = Downloader(app, people["viewer"])
    forbidden = viewer.web.get(f"/api/v1/files/{stored.id}", headers={"Authorization": f"Bearer {viewer.token}"})
    missing = viewer.web.get(f"/api/v1/files/{stored.id + 1000}",
                             headers={"Authorization": f"Bearer {viewer.token}"})
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.get_json()["error"]["message"].replace(str(stored.id), "N") == \
        missing.get_json()["error"]["message"].replace(str(stored.id + 1000), "N")
    assert viewer.web.get(f"/archivos/{stored.id}").status_code == 404


def test_anonymous_gets_nothing(app, make, people):
    c = make.commitment("Cusco", actor=people["admin"])
    update = apply_update(c, people["admin"], status="en_proceso", version=c.version,
                          evidence=[(io.BytesIO(PDF), "informe.pdf")])
    db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/archivos/{update.evidence[0].id}").status_code == 302  # to the login page
    assert anonymous.get(f"/api/v1/files/{update.evidence[0].id}").status_code == 401
