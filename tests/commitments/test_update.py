"""The commitment page and its update form, per role, with CSRF on."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.commitments.operations import apply_update
from gore_tracker.evidence.models import StoredFile
from gore_tracker.extensions import db
from tests.conftest import csrf_from

from .helpers import PDF_BYTES, PNG_BYTES, TEXT_BYTES, form_version, post_update


def reload(c: Commitment) -> Commitment:
    db.session.expire_all()
    return db.session.get(Commitment, c.id)


def history_count(c: Commitment) -> int:
    return db.session.scalar(select(func.count()).select_from(StatusUpdate)
                             .where(StatusUpdate.commitment_id == c.id))


def field_error(html: str, field: str) -> str:
    """The error text shown beside ``field`` (its invalid-feedback block)."""
    assert re.search(rf'id="{field}"[^>]*class="[^"]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="{field}"',
                     html), f"{field} is not marked invalid"
    match = re.search(rf'<div class="invalid-feedback" id="{field}-err">([^<]*)</div>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


@pytest.fixture
def cusco(record):
    return record("Cusco", sector="Ministerio de Salud", text="Instalar la planta de oxígeno",
                  due=date(2024, 3, 1))


@pytest.fixture
def puno(record):
    return record("Puno", sector="Ministerio de Salud", text="Equipar el hospital de Juliaca")


def test_pages_need_login(client, cusco):
    assert client.get(f"/compromisos/{cusco.id}").status_code == 302
    assert "/login" in client.get(f"/compromisos/{cusco.id}").headers["Location"]


def test_unknown_commitment_is_404(client_for, users):
    client = client_for(users["viewer"])
    assert client.get("/compromisos/999999").status_code == 404
    html = client.get("/compromisos/999999").get_data(as_text=True)
    assert "No encontramos" in html


def test_page_shows_context(client_for, users, record):
    c = record("Cusco", sector="Ministerio de Salud", topic="Abastecimiento de oxígeno",
               text="Instalar la planta de oxígeno", due=date(2020, 12, 31),
               commitment_ext={"deliverable": "Planta operativa", "target": 2, "cui": "2345678"})
    html = client_for(users["viewer"]).get(f"/compromisos/{c.id}").get_data(as_text=True)
    for text in ("Cusco", "Ministerio de Salud", "Abastecimiento de oxígeno", "Instalar la planta de oxígeno",
                 "31 de diciembre de 2020", "Planta operativa", "2345678", "Tema 1", "Compromiso 1",
                 "Pendiente", "Vencido · ", "vencido hace"):
        assert text in html, text
    assert 'aria-valuenow="0"' in html  # the progress bar
    assert f'href="/sesiones/{c.meeting_id}"' in html


# --- regional officer -------------------------------------------------------------------------

def test_officer_moves_own_region_commitment_to_en_proceso(client_for, users, cusco):
    client = client_for(users["cusco"])
    page = client.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    assert 'class="update-form"' in page
    assert "Para enviar a validación adjunte evidencia o escriba una nota" in page
    # Only the statuses the officer may choose are offered.
    options = re.findall(r'<option[^>]*value="(\w+)"', page.split('name="status"')[1].split("</select>")[0])
    assert options == ["en_proceso", "por_validar"]
    assert 'name="due"' not in page  # only managers reprogram

    response = post_update(client, cusco.id, {"status": "en_proceso", "progress": "30",
                                              "note": "Se contrató el estudio."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/compromisos/{cusco.id}#historial")
    c = reload(cusco)
    assert (c.status, c.progress, c.version) == ("en_proceso", 30, 2)
    entry = c.history[0]
    assert (entry.old_status, entry.new_status, entry.progress, entry.note) == \
        ("pendiente", "en_proceso", 30, "Se contrató el estudio.")
    assert entry.author_id == users["cusco"].id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Actualización registrada." in html
    assert "Se contrató el estudio." in html
    assert re.search(r"Avance <span[^>]*>0 %</span> → <strong[^>]*>30 %</strong>", html)
    assert users["cusco"].name in html


def test_officer_gets_403_on_another_region(client_for, users, puno):
    client = client_for(users["cusco"])
    page = client.get(f"/compromisos/{puno.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="update-form"' not in html
    assert "puede consultar este compromiso, pero no actualizarlo" in html
    response = post_update(client, puno.id, {"status": "en_proceso", "progress": "10", "note": "x"},
                           version=1)
    assert response.status_code == 403
    c = reload(puno)
    assert (c.status, c.progress, c.version) == ("pendiente", 0, 1)
    assert history_count(c) == 0


def test_officer_cannot_close_a_commitment(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "cumplido", "note": "Listo"})
    assert response.status_code == 403
    assert reload(cusco).status == "pendiente"
    assert history_count(cusco) == 0


def test_officer_due_date_is_not_changed(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "en_proceso", "progress": "5", "note": "Inicio",
                                              "due": "2030-01-01", "due_reason": "Más tiempo"})
    assert response.status_code == 302
    c = reload(cusco)
    assert c.due == date(2024, 3, 1)
    assert not c.history[0].due_changed


def test_por_validar_without_note_or_evidence_is_refused_beside_the_field(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "por_validar", "progress": "100"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "note") == "Para enviar a validación adjunte evidencia o escriba una nota."
    # What was typed is kept.
    assert re.search(r'<option selected value="por_validar">|<option value="por_validar" selected>', html)
    assert 'value="100"' in html
    c = reload(cusco)
    assert (c.status, c.progress, c.version) == ("pendiente", 0, 1)
    assert history_count(c) == 0


def test_por_validar_with_pdf_evidence_is_stored_and_downloadable(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "por_validar", "progress": "100"},
                           files=[(PDF_BYTES, "acta de entrega.pdf"), (PNG_BYTES, "foto.png")])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    c = reload(cusco)
    assert c.status == "por_validar"
    files = c.history[0].evidence
    assert [(f.original_name, f.content_type) for f in files] == \
        [("acta de entrega.pdf", "application/pdf"), ("foto.png", "image/png")]
    html = client.get(f"/compromisos/{c.id}").get_data(as_text=True)
    links = re.findall(r'href="(/archivos/\d+[^"]*)"', html)
    assert len(links) == 2
    with client.get(links[0].replace("&amp;", "&")) as download:
        assert download.status_code == 200
        assert download.data == PDF_BYTES
        assert download.mimetype == "application/pdf"
    # Waiting for validation: the officer has nothing more to do here.
    assert 'class="update-form"' not in html
    assert "fue enviado a validación" in html


@pytest.mark.parametrize("content, name", [
    (TEXT_BYTES, "informe.pdf"),                  # plain text named .pdf
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "informe.pdf"),  # a Windows executable
    (b"<html><script>alert(1)</script></html>", "foto.png"),
])
def test_disallowed_file_type_is_refused_beside_the_field(client_for, users, cusco, content, name):
    client = client_for(users["cusco"])
    files_before = db.session.scalar(select(func.count()).select_from(StoredFile))
    response = post_update(client, cusco.id, {"status": "por_validar", "note": "Adjunto informe"},
                           files=[(PDF_BYTES, "bueno.pdf"), (content, name)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"«{name}» no es un tipo permitido" in field_error(html, "evidence")
    c = reload(cusco)
    assert (c.status, c.version) == ("pendiente", 1)
    assert history_count(c) == 0
    # Nothing half-saved: not even the good file's row.
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == files_before


def test_file_type_is_decided_by_content_not_by_name(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "por_validar"}, files=[(PNG_BYTES, "foto.pdf")])
    assert response.status_code == 302
    assert reload(cusco).history[0].evidence[0].content_type == "image/png"


def test_too_large_file_is_refused(app, client_for, users, cusco):
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "por_validar"},
                           files=[(PDF_BYTES + b"0" * 2048, "grande.pdf")])
    assert response.status_code == 422
    assert "supera el máximo" in field_error(response.get_data(as_text=True), "evidence")
    assert reload(cusco).status == "pendiente"


@pytest.mark.parametrize("progress, message", [("150", "El avance debe estar entre 0 y 100."),
                                               ("-1", "El avance debe estar entre 0 y 100.")])
def test_progress_out_of_range(client_for, users, cusco, progress, message):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "en_proceso", "progress": progress, "note": "x"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "progress") == message
    assert reload(cusco).status == "pendiente"


def test_progress_not_a_number(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = post_update(client, cusco.id, {"status": "en_proceso", "progress": "mucho", "note": "x"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "progress") == "No es un valor entero válido."
    assert reload(cusco).status == "pendiente"


def test_nothing_to_record(client_for, users, record):
    c = record("Cusco", status="en_proceso")
    client = client_for(users["cusco"])
    response = post_update(client, c.id, {"status": "en_proceso", "progress": str(c.progress)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "note") == "No hay cambios que registrar."


def test_missing_csrf_is_refused(client_for, users, cusco):
    client = client_for(users["cusco"])
    response = client.post(f"/compromisos/{cusco.id}/actualizar",
                           data={"status": "en_proceso", "note": "x", "version": "1"})
    assert response.status_code == 400
    assert reload(cusco).status == "pendiente"


def test_missing_version_is_refused(client_for, users, cusco):
    client = client_for(users["cusco"])
    html = client.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    response = client.post(f"/compromisos/{cusco.id}/actualizar",
                           data={"csrf_token": csrf_from(html), "status": "en_proceso", "note": "x"})
    assert response.status_code == 422
    assert reload(cusco).status == "pendiente"


# --- liaison ----------------------------------------------------------------------------------

@pytest.fixture
def submitted(record):
    return record("Cusco", sector="Ministerio de Salud", status="por_validar")


def test_liaison_validates(client_for, users, submitted):
    client = client_for(users["liaison"])
    page = client.get(f"/compromisos/{submitted.id}").get_data(as_text=True)
    assert "Este compromiso espera su validación" in page
    assert 'name="due"' in page and 'name="due_reason"' in page
    response = post_update(client, submitted.id, {"status": "cumplido", "progress": str(submitted.progress)})
    assert response.status_code == 302
    c = reload(submitted)
    assert (c.status, c.progress) == ("cumplido", 100)
    assert (c.history[0].old_status, c.history[0].new_status) == ("por_validar", "cumplido")


def test_liaison_returns_with_a_note_only(client_for, users, submitted):
    client = client_for(users["liaison"])
    response = post_update(client, submitted.id, {"status": "en_proceso"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "note") == "Explique el motivo en la nota."
    assert reload(submitted).status == "por_validar"
    response = post_update(client, submitted.id, {"status": "en_proceso", "note": "Falta el acta de recepción."})
    assert response.status_code == 302
    c = reload(submitted)
    assert c.status == "en_proceso"
    assert c.history[0].note == "Falta el acta de recepción."


def test_liaison_of_another_sector_gets_403(client_for, users, submitted):
    client = client_for(users["other_liaison"])
    assert 'class="update-form"' not in client.get(f"/compromisos/{submitted.id}").get_data(as_text=True)
    response = post_update(client, submitted.id, {"status": "cumplido"}, version=submitted.version)
    assert response.status_code == 403
    assert reload(submitted).status == "por_validar"


def test_invalid_transition_message(client_for, users, record):
    closed = record("Cusco", status="cumplido")
    client = client_for(users["liaison"])
    response = post_update(client, closed.id, {"status": "por_validar", "note": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No se puede pasar de «Cumplido» a «Por validar»." in html
    assert field_error(html, "status") == "Cambio de estado no permitido."
    assert reload(closed).status == "cumplido"


def test_manager_reprograms_with_reason(client_for, users, cusco):
    client = client_for(users["coordinator"])
    response = post_update(client, cusco.id, {"status": "pendiente", "due": "2024-06-30"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "due_reason") == "Indique el motivo de la reprogramación."
    assert reload(cusco).due == date(2024, 3, 1)
    response = post_update(client, cusco.id, {"status": "pendiente", "due": "2024-06-30",
                                              "due_reason": "Demora en la transferencia"})
    assert response.status_code == 302
    c = reload(cusco)
    assert c.due == date(2024, 6, 30)
    html = client.get(f"/compromisos/{c.id}").get_data(as_text=True)
    assert "1 de marzo de 2024 → <strong>30 de junio de 2024</strong>" in html
    assert "Demora en la transferencia" in html


def test_manager_due_date_out_of_range(client_for, users, cusco):
    client = client_for(users["coordinator"])
    response = post_update(client, cusco.id, {"status": "pendiente", "due": "1999-01-01", "due_reason": "x"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "due")
    assert reload(cusco).due == date(2024, 3, 1)


# --- concurrency, viewers ----------------------------------------------------------------------

def test_stale_version_is_409_and_nothing_saved(client_for, users, cusco):
    officer = client_for(users["cusco"])
    html = officer.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    seen_version = form_version(html)
    assert seen_version == "1"
    # Meanwhile the liaison records an update.
    apply_update(cusco, users["liaison"], status="en_proceso", progress=50, note="Avance del sector",
                 version=cusco.version)
    db.session.commit()
    response = post_update(officer, cusco.id, {"status": "por_validar", "note": "Ya está"},
                           version=seen_version)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Otra persona actualizó este compromiso mientras usted lo editaba" in html
    # The current state is shown, and the form now carries the current version.
    assert "Avance del sector" in html
    assert 'data-status="en_proceso"' in html
    assert form_version(html) == "2"
    assert "Ya está" in html  # the note typed is kept
    c = reload(cusco)
    assert (c.status, c.version) == ("en_proceso", 2)
    assert history_count(c) == 1


@pytest.mark.parametrize("role", ["viewer", "other_liaison"])
def test_readers_see_no_form_and_post_is_403(client_for, users, cusco, role):
    client = client_for(users[role])
    html = client.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    assert 'class="update-form"' not in html
    assert "Editar datos del compromiso" not in html
    response = post_update(client, cusco.id, {"status": "en_proceso", "note": "x"}, version=1)
    assert response.status_code == 403
    assert reload(cusco).status == "pendiente"


def test_history_is_newest_first(client_for, users, cusco):
    apply_update(cusco, users["admin"], status="en_proceso", progress=10, note="PRIMERA", version=1)
    db.session.commit()
    apply_update(cusco, users["admin"], progress=60, note="SEGUNDA", version=2)
    db.session.commit()
    html = client_for(users["viewer"]).get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    assert html.index("SEGUNDA") < html.index("PRIMERA") < html.index("Compromiso acordado en la sesión")


# --- details form -----------------------------------------------------------------------------

def details_post(client, commitment_id, data):
    html = client.get(f"/compromisos/{commitment_id}").get_data(as_text=True)
    form = {"details-csrf_token": csrf_from(html)}
    form.update({f"details-{k}": v for k, v in data.items()})
    return client.post(f"/compromisos/{commitment_id}/detalles", data=form)


def test_manager_edits_details(client_for, users, cusco, make):
    client = client_for(users["coordinator"])
    assert "Editar datos del compromiso" in client.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    minsa, cusco_gr = make.sector("MINSA"), make.region("Cusco")
    response = details_post(client, cusco.id, {"deliverable": "Planta instalada", "target": "3",
                                               "cui": "2456789", "responsible_orgs": [minsa.id, cusco_gr.id]})
    assert response.status_code == 302
    c = reload(cusco)
    assert (c.deliverable, int(c.target), c.cui) == ("Planta instalada", 3, "2456789")
    assert {o.id for o in c.responsible_orgs} == {minsa.id, cusco_gr.id}
    html = client.get(f"/compromisos/{c.id}").get_data(as_text=True)
    assert "Planta instalada" in html and "2456789" in html
    # With a target, the update form asks for the achieved value.
    assert 'name="achieved"' in html


def test_details_bad_cui_beside_field(client_for, users, cusco):
    client = client_for(users["liaison"])
    response = details_post(client, cusco.id, {"cui": "12ab"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "details-cui") == \
        "El CUI es un código numérico de hasta 10 dígitos."
    assert reload(cusco).cui is None


def test_officer_cannot_edit_details(client_for, users, cusco):
    client = client_for(users["cusco"])
    assert "Editar datos del compromiso" not in client.get(f"/compromisos/{cusco.id}").get_data(as_text=True)
    response = details_post(client, cusco.id, {"deliverable": "Otro"})
    assert response.status_code == 403
    assert reload(cusco).deliverable is None
