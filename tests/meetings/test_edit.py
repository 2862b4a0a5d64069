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
    cusco[0]["commitments"][0]["due"] = "2021-06-30"  # a reprogramación, with the edit's reason
    cusco[1]["text"] = "Déficit de recursos humanos en salud"
    doc["regions"][3]["topics"][1]["commitments"].append(
        {"number": 3, "text": "Nuevo compromiso añadido al corregir el acta", "due": None, "responsible": None})
    url = f"/sesiones/{recorded.id}/editar"

    token = csrf_from(client.get(url).get_data(as_text=True))
    data = acta_form_data(doc, token)
    data["reason"] = "Corrección del acta firmada: el plazo acordado era junio"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    db.session.expire_all()
    meeting = db.session.get(Meeting, recorded.id)
    c = commitment(meeting, "Cusco", 1)
    assert c.id == kept_id
    assert c.status == "en_proceso" and c.progress == 30
    assert [h.note for h in c.history] == [None, "Se convocó la primera reunión"]
    reprogrammed = c.history[0]
    assert reprogrammed.due_changed and reprogrammed.old_due == date(2021, 3, 31)
    assert reprogrammed.due_reason == "Corrección del acta firmada: el plazo acordado era junio"
    assert c.text == "Reuniones macrorregionales (texto corregido)"
    assert c.due == date(2021, 6, 30)
    assert c.version > kept_version
    assert commitment(meeting, "Cusco", 2).topic.text == "Déficit de recursos humanos en salud"
    added = commitment(meeting, "Tacna", 3)
    assert added.status == "pendiente" and added.topic.number == 2
    assert len(meeting.commitments) == 16


@pytest.mark.parametrize("change", ["text", "due"])
def test_changing_a_commitments_text_or_due_needs_a_reason(client, liaison, recorded, change):
    doc = detailed_seed()
    first = doc["regions"][0]["topics"][0]["commitments"][0]
    if change == "text":
        first["text"] = "Texto reescrito sin explicación"
    else:
        first["due"] = "2030-12-31"
    url = f"/sesiones/{recorded.id}/editar"
    response = client.post(url, data=acta_form_data(doc, csrf_from(client.get(url).get_data(as_text=True))))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reason = re.search(r'<textarea[^>]*id="reason"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in reason
    assert "Indique el motivo del cambio" in html
    db.session.expire_all()
    c = commitment(db.session.get(Meeting, recorded.id), "Cusco", 1)
    assert c.due == date(2021, 3, 31) and c.text != "Texto reescrito sin explicación"


def test_edit_shows_current_status_and_asks_a_reason_for_due_changes(client, liaison, recorded):
    admin = factories.user("admin")
    c = commitment(recorded, "Cusco", 1)
    apply_update(c, admin, status="en_proceso", note="Avance", version=c.version)
    db.session.commit()
    page = client.get(f"/sesiones/{recorded.id}/editar").get_data(as_text=True)
    due = re.search(r'<input[^>]*id="regions-0-topics-0-commitments-0-due"[^>]*>', page).group(0)
    assert "readonly" not in due and "indique el motivo" in due
    assert "Motivo del cambio" in page
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
