"""Recording an acta through the web form (CSRF on): the seed acta, errors beside fields, duplicates."""
from __future__ import annotations

import copy
import io
import re

import pytest
from sqlalchemy import func, select

from gore_tracker.extensions import db
from gore_tracker.meetings.documents import to_document
from gore_tracker.meetings.forms import default_title
from gore_tracker.meetings.models import Meeting
from gore_tracker.users import operations as users
from tests import factories
from tests.conftest import csrf_from

from .conftest import acta_form_data
from .htmlform import error_beside, field_names

SEED_REGIONS = ["Cusco", "Moquegua", "Puno", "Tacna"]


def meeting_count() -> int:
    return db.session.scalar(select(func.count(Meeting.id)))


def comparable(doc: dict) -> dict:
    """A gore-acta/1 document without what only a recorded meeting has (ids, statuses)."""
    doc = copy.deepcopy(doc)
    for key in ("id", "extensions", "source"):
        doc.pop(key, None)
    for block in doc["regions"]:
        for topic in block["topics"]:
            for c in topic["commitments"]:
                c.pop("id", None)
                c.pop("status", None)
    return doc


@pytest.fixture
def liaison(login_as):
    return login_as(factories.user("liaison", "MINSA"))


def test_seed_acta_recorded_through_the_form_equals_its_document(client, liaison, post_acta):
    seed = factories.seed_document()
    response = post_acta(seed)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/sesiones/{meeting.id}")
    doc = to_document(meeting)
    assert comparable(doc) == comparable(seed)
    assert [b["region"] for b in doc["regions"]] == SEED_REGIONS
    assert sum(len(t["commitments"]) for b in doc["regions"] for t in b["topics"]) == 15
    assert doc["extensions"]["body"] == "GORE Ejecutivo"
    assert doc["extensions"]["edition"] is None
    assert doc["extensions"]["modality"] == "presencial"
    assert meeting.created_by_id == liaison.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Acta registrada" in page


def test_seed_acta_through_the_form_and_through_the_api_is_the_same_meeting(client, liaison, post_acta):
    seed = factories.seed_document()
    assert post_acta(seed).status_code == 302
    through_form = to_document(db.session.scalar(select(Meeting)))
    db.session.delete(db.session.scalar(select(Meeting)))
    db.session.commit()
    assert meeting_count() == 0

    token = users.issue_token(liaison)
    db.session.commit()
    api_doc = dict(seed)
    api_doc.pop("source")  # the form has no sha256 to give; the PDF import does
    response = client.post("/api/v1/meetings", json=api_doc, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    through_api = to_document(db.session.get(Meeting, response.get_json()["id"]))

    def without_ids(doc):
        doc = copy.deepcopy(doc)
        doc.pop("id")
        for block in doc["regions"]:
            for topic in block["topics"]:
                for c in topic["commitments"]:
                    c.pop("id")
        return doc

    assert without_ids(through_form) == without_ids(through_api)


def test_form_field_names_match_what_the_tests_post(client, liaison, post_acta):
    seed = factories.seed_document()
    post_acta(seed)
    meeting = db.session.scalar(select(Meeting))
    page = client.get(f"/sesiones/{meeting.id}/editar").get_data(as_text=True)
    sent = set(acta_form_data(seed, "x")) - {"csrf_token", "_save"}
    assert sent <= field_names(page)


def test_new_form_offers_blank_rows_numbered_and_own_sector_only(client, liaison):
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    names = field_names(page)
    for name in ("body", "edition", "title", "session_type", "date", "place", "modality", "sector",
                 "moderator", "observations", "absent_regions", "attendees-0-name", "attendees-3-side",
                 "regions-0-region", "regions-0-topics-0-number", "regions-0-topics-0-commitments-0-cui",
                 "other_topics-0-text"):
        assert name in names, name
    assert re.search(r'id="regions-0-topics-0-number"[^>]*value="1"', page)
    assert re.search(r'id="regions-0-topics-0-commitments-0-number"[^>]*value="1"', page)
    assert 'value="GORE Ejecutivo"' in page
    sector_select = re.search(r'<select[^>]*name="sector".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*>", sector_select) == ['<option selected value="Ministerio de Salud">']
    for kind in ("attendee", "region", "topic", "commitment", "other"):
        assert f'<template data-template="{kind}">' in page
    assert "Muni Ejecutivo" in page  # body suggestions (datalist)


def test_coordinator_may_pick_any_sector(client, login_as):
    login_as(factories.user("coordinator"))
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    sector_select = re.search(r'<select[^>]*name="sector".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option[^>]*value="([^"]*)"', sector_select)
    assert options[0] == "" and len(options[1:]) == 19  # no sector chosen for them by default


def test_blank_rows_are_ignored(client, liaison, post_acta):
    seed = factories.seed_document()
    extra = {
        # a blank attendee, a commitment row with only its suggested number, a blank region block
        "attendees-8-side": "sector", "attendees-8-name": " ", "attendees-8-region": "",
        "regions-0-topics-3-commitments-1-number": "5",
        "regions-4-region": "", "regions-4-topics-0-number": "1", "regions-4-topics-0-text": "",
        "regions-4-topics-0-commitments-0-number": "1",
        "other_topics-1-region": "Puno", "other_topics-1-text": "",
    }
    response = post_acta(seed, **extra)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert comparable(to_document(db.session.scalar(select(Meeting)))) == comparable(seed)


def test_blank_title_is_computed_from_body_edition_and_session_type(client, liaison, post_acta):
    doc = factories.acta_document(sector_name="Ministerio de Salud")
    doc["meeting"]["title"] = ""
    doc["meeting"]["session_type"] = "extraordinaria"
    doc["extensions"] = {"body": "GORE Ejecutivo", "edition": 4, "modality": "virtual"}
    assert post_acta(doc).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.title == "4to GORE Ejecutivo Extraordinario"
    assert (meeting.edition, meeting.modality) == (4, "virtual")


def test_default_title():
    assert default_title("GORE Ejecutivo", None, "extraordinaria") == "GORE Ejecutivo Extraordinario"
    assert default_title("  Muni  Ejecutivo ", 2, "ordinaria") == "2do Muni Ejecutivo Ordinario"
    assert default_title("", 12, "ordinaria") == "12.° GORE Ejecutivo Ordinario"


def test_absent_regions_and_other_topics(client, liaison, post_acta):
    seed = factories.seed_document()
    seed["extensions"] = {"absent_regions": ["Arequipa"]}
    assert post_acta(seed).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert [r.name for r in meeting.absent_regions] == ["Arequipa"]
    assert [(o.region.name, o.text) for o in meeting.other_topics] == [
        ("Tacna", "Solicitan opinión del MINSA del protocolo sanitario para abrir la frontera")]


def test_commitment_details_are_recorded(client, liaison, post_acta):
    doc = factories.acta_document(sector_name="Ministerio de Salud", due="2024-09-30")
    doc["extensions"] = {"commitments": [
        {"region": "Cusco", "number": 2, "deliverable": "Planta instalada", "target": 2.5, "cui": "2345678"}]}
    doc["regions"][0]["topics"][0]["commitments"][1]["responsible"] = "Ministerio de Salud"
    assert post_acta(doc).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    c = next(c for c in meeting.commitments if c.region.name == "Cusco" and c.number == 2)
    assert (c.deliverable, float(c.target), c.cui) == ("Planta instalada", 2.5, "2345678")
    assert c.due.isoformat() == "2024-09-30"
    assert [o.name for o in c.responsible_orgs] == ["Ministerio de Salud"]


def test_source_file_upload_is_kept_and_offered_for_download(client, liaison):
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    data = acta_form_data(factories.seed_document(), csrf_from(page))
    data["source_file"] = (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "acta firmada.pdf")
    response = client.post("/sesiones/nueva", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.source_file.original_name == "acta firmada.pdf"
    detail = client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)
    assert f'href="/archivos/{meeting.source_file.id}/acta%20firmada.pdf"' in detail


def test_source_file_of_a_forbidden_type_is_refused_beside_its_field(client, liaison):
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    data = acta_form_data(factories.seed_document(), csrf_from(page))
    data["source_file"] = (io.BytesIO(b"#!/bin/sh\necho hola\n"), "acta.pdf")
    response = client.post("/sesiones/nueva", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "no es un tipo permitido" in " ".join(error_beside(response.get_data(as_text=True), "source_file"))
    assert meeting_count() == 0


# -- errors beside their fields -----------------------------------------------------------------

ERROR_CASES = {
    "unknown region": (
        {"regions-1-region": "Narnia"}, "regions-1-region", "Gobierno regional desconocido: «Narnia»."),
    "unknown region of an attendee": (
        {"attendees-0-region": "Atlántida"}, "attendees-0-region", "Gobierno regional desconocido: «Atlántida»."),
    "empty topic text": (
        {"regions-2-topics-1-text": "  "}, "regions-2-topics-1-text", "Ingrese el texto del tema."),
    "empty commitment text": (
        {"regions-0-topics-0-commitments-0-text": "", "regions-0-topics-0-commitments-0-responsible": "DIRESA"},
        "regions-0-topics-0-commitments-0-text", "Ingrese el texto del compromiso."),
    "empty other topic with region": (
        {"other_topics-0-text": "", "other_topics-0-region": "Tacna",
         "other_topics-1-text": "Frontera", "other_topics-1-region": "Atlántida"},
        "other_topics-1-region", "Gobierno regional desconocido: «Atlántida»."),
    "date before 2000": ({"date": "1999-12-31"}, "date", "La fecha debe estar entre los años 2000 y 2100."),
    "date after 2100": ({"date": "2101-01-01"}, "date", "La fecha debe estar entre los años 2000 y 2100."),
    "due date after 2100": (
        {"regions-3-topics-0-commitments-0-due": "2150-03-31"}, "regions-3-topics-0-commitments-0-due",
        "La fecha debe estar entre los años 2000 y 2100."),
    "missing date": ({"date": ""}, "date", "Indique la fecha de la sesión."),
    "duplicate commitment number in a block": (
        # Cusco: topic 2 also gets COMPROMISO 1 (numbers run through the block)
        {"regions-0-topics-1-commitments-0-number": "1"}, "regions-0-topics-1-commitments-0-number",
        "El COMPROMISO 1 está repetido en este bloque."),
    "duplicate topic number": (
        {"regions-1-topics-2-number": "1"}, "regions-1-topics-2-number", "El TEMA 1 está repetido en este bloque."),
    "zero commitment number": (
        {"regions-1-topics-0-commitments-0-number": "0"}, "regions-1-topics-0-commitments-0-number",
        "El número debe estar entre 1 y 9999."),
    "number not a number": (
        {"regions-1-topics-0-commitments-0-number": "uno"}, "regions-1-topics-0-commitments-0-number",
        "Escriba un número entero."),
    "missing number of a filled row": (
        {"regions-1-topics-0-number": ""}, "regions-1-topics-0-number", "Indique el número."),
    "huge number": (
        {"regions-1-topics-0-number": "99999999999"}, "regions-1-topics-0-number", "El número no puede pasar de 9999."),
    "CUI with letters": (
        {"regions-2-topics-0-commitments-0-cui": "23A45"}, "regions-2-topics-0-commitments-0-cui",
        "Formato no válido."),
    "target not a number": (
        {"regions-2-topics-0-commitments-0-target": "dos"}, "regions-2-topics-0-commitments-0-target",
        "Escriba un número (use punto para decimales)."),
    "block without region": (
        {"regions-0-region": ""}, "regions-0-region", "Elija el gobierno regional."),
    "region twice": (
        {"regions-3-region": "Cusco"}, "regions-3-region", "Cusco aparece en dos bloques; únalos en uno."),
    "absent region that has commitments": (
        {"absent_regions": ["Puno"]}, "absent_regions",
        "Puno tiene compromisos en el acta; no puede figurar como ausente."),
    "unknown sector": ({"sector": ""}, "sector", "Indique el sector."),
    "too long place": ({"place": "x" * 201}, "place", "Máximo 200 caracteres."),
    "target out of range": (
        {"regions-2-topics-0-commitments-0-target": "-1e15"}, "regions-2-topics-0-commitments-0-target",
        "La meta debe ser un número entre 0 y 999 999 999 999."),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_errors_are_shown_beside_their_fields(client, login_as, post_acta, case):
    login_as(factories.user("admin"))
    overrides, field_id, message = ERROR_CASES[case]
    response = post_acta(factories.seed_document(), **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    if field_id == "absent_regions":
        assert message in html and 'class="form-check-input is-invalid"' in html
    else:
        assert message in error_beside(html, field_id)
    assert 'id="error-summary"' in html and "No se guardó el acta." in html
    assert meeting_count() == 0
    # What was typed comes back.
    assert "Plan de cierre de brechas por etapas" in html


def test_error_paths_follow_rows_when_blank_rows_come_first(client, liaison):
    """Blank rows are left out of the document, so its regions.1 is the form's regions-2."""
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    data = {}
    for key, value in acta_form_data(factories.seed_document(), csrf_from(page)).items():
        if key.startswith("regions-"):  # every block one position down
            _, i, rest = key.split("-", 2)
            key = f"regions-{int(i) + 1}-{rest}"
        data[key] = value
    data.update({"regions-0-region": "", "regions-0-topics-0-number": "1", "regions-0-topics-0-text": "",
                 "regions-0-topics-0-commitments-0-number": "1", "regions-2-topics-0-text": ""})
    response = client.post("/sesiones/nueva", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:1500]
    assert error_beside(html, "regions-2-topics-0-text") == ["Ingrese el texto del tema."]
    assert "Moquegua · TEMA 1: Ingrese el texto del tema." in html


def test_duplicate_acta_links_to_the_existing_meeting_and_saves_nothing(client, liaison, post_acta):
    existing = factories.meeting(document=factories.seed_document())
    response = post_acta(factories.seed_document())
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Esta acta ya fue registrada" in html
    assert f'href="/sesiones/{existing.id}"' in html
    assert meeting_count() == 1
    assert "Jean Paul Benavente García" in html  # the form comes back filled


def test_empty_acta_asks_for_a_region_block(client, liaison):
    page = client.get("/sesiones/nueva").get_data(as_text=True)
    response = client.post("/sesiones/nueva", data={
        "csrf_token": csrf_from(page), "body": "GORE Ejecutivo", "session_type": "ordinaria",
        "date": "2024-03-01", "modality": "presencial", "sector": "Ministerio de Salud",
        "regions-0-region": "", "regions-0-topics-0-number": "1",
        "regions-0-topics-0-commitments-0-number": "1",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Registre al menos un gobierno regional con sus temas y compromisos." in html
    assert meeting_count() == 0


def test_missing_csrf_token_is_refused(client, liaison):
    data = acta_form_data(factories.seed_document(), "")
    del data["csrf_token"]
    response = client.post("/sesiones/nueva", data=data)
    assert response.status_code == 400
    assert meeting_count() == 0


def test_add_row_without_javascript_keeps_what_was_typed(client, liaison, post_acta):
    seed = factories.seed_document()
    response = post_acta(seed, _add="regions-0-topics")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert meeting_count() == 0
    # Cusco has topics 1–4 and commitments 1–4: the new row suggests TEMA 5 / COMPROMISO 5.
    assert re.search(r'id="regions-0-topics-4-number"[^>]*value="5"', html)
    assert re.search(r'id="regions-0-topics-4-commitments-0-number"[^>]*value="5"', html)
    assert "Financiamiento para Plan de segunda Ola de COVID-19." in html
    response = post_acta(seed, _add="regions")
    assert 'id="regions-4-region"' in response.get_data(as_text=True)
    response = post_acta(seed, _add="attendees")
    assert 'id="attendees-8-name"' in response.get_data(as_text=True)
