"""Editing a recorded acta: the same form, pre-filled; commitments keep their status and history."""
from __future__ import annotations

import copy
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.meetings.documents import to_document
from gore_tracker.meetings.models import Meeting
from tests import factories
from tests.conftest import csrf_from

from .conftest import acta_form_data
from .htmlform import form_fields


def detailed_seed() -> dict:
    """The seed acta with what only extensions carry: body, edition, absences, commitment details."""
    doc = factories.seed_document()
    doc["regions"][0]["topics"][0]["commitments"][0]["due"] = "2021-03-31"
    doc["regions"][0]["topics"][1]["commitments"][0]["responsible"] = "Ministerio de Salud"
    doc["extensions"] = {
        "body": "GORE Ejecutivo", "edition": 2, "modality": "virtual", "absent_regions": ["Arequipa"],
        "commitments": [
            {"region": "Cusco", "number": 3, "deliverable": "Planta de oxígeno operativa", "target": 2,
             "cui": "2501234", "source_page": 2},
            {"region": "Puno", "number": 1, "responsible_orgs": ["Puno", "Ministerio de Salud"]},
        ],
    }
    return doc


@pytest.fixture
def recorded(app):
    meeting = factories.meeting(document=detailed_seed())
    return meeting


@pytest.fixture
def liaison(login_as):
    return login_as(factories.user("liaison", "MINSA"))


def commitment(meeting, region: str, number: int):
    return next(c for c in meeting.commitments if c.region.name == region and c.number == number)


def test_edit_form_is_prefilled_and_saving_it_unchanged_changes_nothing(client, liaison, recorded):
    before = to_document(recorded)
    url = f"/sesiones/{recorded.id}/editar"
    page = client.get(url).get_data(as_text=True)
    fields = form_fields(page)
    values = MultiDict(fields)
    assert values["title"] == "GORE Ejecutivo Extraordinario"
    assert values["edition"] == "2" and values["modality"] == "virtual"
    assert values["regions-0-topics-2-commitments-0-cui"] == "2501234"
    assert values["regions-0-topics-0-commitments-0-due"] == "2021-03-31"
    assert values.getlist("absent_regions") == ["Arequipa"]
    response = client.post(url, data=MultiDict(fields + [("_save", "1")]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/sesiones/{recorded.id}")
    db.session.expire_all()
    after = to_document(db.session.get(Meeting, recorded.id))
    assert after == before  # ids, statuses, source page and responsible bodies included


def test_edit_keeps_status_and_history_of_commitments(client, liaison, recorded):
    admin = factories.user("admin")
    c = commitment(recorded, "Cusco", 1)
    apply_update(c, admin, status="en_proceso", progress=30, note="Se convocó la primera reunión",
                 version=c.version)
    db.session.commit()
    kept_id, kept_version = c.id, c.version

    doc = detailed_seed()
    cusco = doc["regions"][0]["topics"]
    cusco[0]["commitments"][0]["text"] = "Reuniones macrorregionales (texto corregido)"
    cusco[0]["commitments"][0]["due"] = "2021-06-30"  # has history: only a reprogramación changes it
    cusco[1]["text"] = "Déficit de recursos humanos en salud"
    doc["regions"][3]["topics"][1]["commitments"].append(
        {"number": 3, "text": "Nuevo compromiso añadido al corregir el acta", "due": None, "responsible": None})
    url = f"/sesiones/{recorded.id}/editar"

    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data=acta_form_data(doc, token))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    db.session.expire_all()
    meeting = db.session.get(Meeting, recorded.id)
    c = commitment(meeting, "Cusco", 1)
    assert c.id == kept_id
    assert c.status == "en_proceso" and c.progress == 30
    assert [h.note for h in c.history] == ["Se convocó la primera reunión"]
    assert c.text == "Reuniones macrorregionales (texto corregido)"
    assert c.due == date(2021, 3, 31)
    assert c.version >= kept_version
    assert commitment(meeting, "Cusco", 2).topic.text == "Déficit de recursos humanos en salud"
    added = commitment(meeting, "Tacna", 3)
    assert added.status == "pendiente" and added.topic.number == 2
    assert len(meeting.commitments) == 16


def test_edit_shows_current_status_and_locks_due_of_commitments_with_history(client, liaison, recorded):
    admin = factories.user("admin")
    c = commitment(recorded, "Cusco", 1)
    apply_update(c, admin, status="en_proceso", note="Avance", version=c.version)
    db.session.commit()
    page = client.get(f"/sesiones/{recorded.id}/editar").get_data(as_text=True)
    due = re.search(r'<input[^>]*id="regions-0-topics-0-commitments-0-due"[^>]*>', page).group(0)
    assert "readonly" in due
    other_due = re.search(r'<input[^>]*id="regions-0-topics-1-commitments-0-due"[^>]*>', page).group(0)
    assert "readonly" not in other_due
    assert "En proceso" in page and "1 avance registrado" in page


def test_removing_a_commitment_with_history_is_refused_beside_the_block(client, liaison, recorded):
    admin = factories.user("admin")
    c = commitment(recorded, "Puno", 2)
    apply_update(c, admin, status="en_proceso", note="Avance", version=c.version)
    db.session.commit()
    doc = copy.deepcopy(detailed_seed())
    puno_topics = doc["regions"][2]["topics"]
    puno_topics[:] = [t for t in puno_topics if all(x["number"] != 2 for x in t["commitments"])]
    url = f"/sesiones/{recorded.id}/editar"

    response = client.post(url, data=acta_form_data(doc, csrf_from(client.get(url).get_data(as_text=True))))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "El COMPROMISO 2 de Puno tiene avances registrados y no puede eliminarse; puede anularlo." in html
    db.session.expire_all()
    assert len(db.session.get(Meeting, recorded.id).commitments) == 15


def test_edit_into_an_existing_acta_is_a_duplicate(client, liaison, recorded):
    other_doc = factories.seed_document()
    other_doc["meeting"]["date"] = "2020-12-09"
    other = factories.meeting(document=other_doc)
    url = f"/sesiones/{other.id}/editar"

    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data=acta_form_data(factories.seed_document(), token))
    assert response.status_code == 409
    assert f'href="/sesiones/{recorded.id}"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, other.id).date == date(2020, 12, 9)
