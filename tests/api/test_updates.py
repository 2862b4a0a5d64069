"""POST /commitments/{id}/updates: roles and scope, optimistic locking, validation, evidence."""
from __future__ import annotations

import io
from datetime import date

import pytest

from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.evidence.models import StoredFile
from gore_tracker.extensions import db

from .conftest import error_of

PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
TEXT_BYTES = b"Informe de avance: se instalo la planta.\n" * 20


def url(c) -> str:
    return f"/api/v1/commitments/{c.id}/updates"


def history_count(c) -> int:
    return db.session.scalar(db.select(db.func.count(StatusUpdate.id)).where(StatusUpdate.commitment_id == c.id))


def reload(c) -> Commitment:
    db.session.expire_all()
    return db.session.get(Commitment, c.id)


@pytest.fixture
def cusco(make):
    return make.commitment("Cusco", due=date(2099, 12, 31))


@pytest.fixture
def puno(make):
    return make.commitment("Puno")


@pytest.fixture
def officer(make):
    return make.user("regional_officer", "Cusco")


def test_cusco_officer_updates_cusco_and_is_refused_puno(api, officer, cusco, puno):
    api.login(officer)
    response = api.post(url(cusco), json={"status": "en_proceso", "progress": 25, "note": "Obra iniciada",
                                          "version": cusco.version})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["id"], body["status"], body["progress"], body["version"]) == (cusco.id, "en_proceso", 25, 3)
    assert response.headers["Location"].endswith(f"/api/v1/commitments/{cusco.id}")
    newest = body["history"][0]
    assert (newest["old_status"], newest["new_status"], newest["progress"], newest["note"]) == (
        "pendiente", "en_proceso", 25, "Obra iniciada")
    assert newest["author"]["id"] == officer.id
    assert reload(cusco).status == "en_proceso"

    refused = api.post(url(puno), json={"status": "en_proceso", "version": puno.version})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"
    assert (reload(puno).status, history_count(puno)) == ("pendiente", 0)


def test_a_stale_version_is_409_and_nothing_is_saved(api, make, cusco):
    api.login(make.user("liaison", "MINSA"))
    seen = cusco.version
    first = api.post(url(cusco), json={"status": "en_proceso", "version": seen})
    assert first.status_code == 201
    assert first.get_json()["version"] == seen + 1
    second = api.post(url(cusco), json={"progress": 50, "note": "Otro avance", "version": seen})
    assert second.status_code == 409
    assert error_of(second)["code"] == "stale_version"
    c = reload(cusco)
    assert (c.progress, c.version, history_count(c)) == (0, seen + 1, 1)


def test_a_note_alone_is_a_new_version(api, make, cusco):
    api.login(make.user("coordinator"))
    seen = cusco.version
    response = api.post(url(cusco), json={"note": "Se coordinó con la DIRESA", "version": seen})
    assert response.status_code == 201
    assert response.get_json()["version"] == seen + 1
    assert response.get_json()["history"][0]["new_status"] == "pendiente"


@pytest.mark.parametrize("role, org, status, expected", [
    ("admin", None, "cumplido", 201),
    ("coordinator", None, "no_cumplido", 201),
    ("liaison", "MINSA", "cumplido", 201),
    ("liaison", "MINEDU", "en_proceso", 403),
    ("regional_officer", "Cusco", "por_validar", 201),
    ("regional_officer", "Cusco", "cumplido", 403),
    ("regional_officer", "Cusco", "anulado", 403),
    ("regional_officer", "Puno", "en_proceso", 403),
    ("viewer", None, "en_proceso", 403),
])
def test_roles_and_scope(api, make, cusco, role, org, status, expected):
    api.login(make.user(role, org))
    response = api.post(url(cusco), json={"status": status, "note": "Motivo del cambio", "version": cusco.version})
    assert response.status_code == expected, response.get_json()
    assert reload(cusco).status == (status if expected == 201 else "pendiente")


def test_validation_round_trip_officer_then_liaison(api, make, officer, cusco):
    liaison = make.user("liaison", "MINSA")
    api.login(officer)
    sent = api.post(url(cusco), json={"status": "por_validar", "note": "Planta operativa", "version": cusco.version})
    assert sent.status_code == 201
    # The officer cannot validate their own report.
    again = api.post(url(cusco), json={"status": "cumplido", "version": sent.get_json()["version"]})
    assert again.status_code == 403
    api.login(liaison)
    returned = api.post(url(cusco), json={"status": "en_proceso", "note": "Falta el acta de recepción",
                                          "version": sent.get_json()["version"]})
    assert returned.status_code == 201
    assert [h["new_status"] for h in returned.get_json()["history"]] == ["en_proceso", "por_validar"]


@pytest.mark.parametrize("payload, field", [
    ({"status": "en_proceso"}, "version"),
    ({"status": "en_proceso", "version": None}, "version"),
    ({"status": "en_proceso", "version": "1"}, "version"),
    ({"status": "terminado", "version": 1}, "status"),
    ({"progress": 150, "version": 1}, "progress"),
    ({"progress": -1, "version": 1}, "progress"),
    ({"progress": "mitad", "version": 1}, "progress"),
    ({"progress": 10.5, "version": 1}, "progress"),
    ({"progress": True, "version": 1}, "progress"),
    ({"note": 42, "version": 1}, "note"),
    ({"due": "2025-02-30", "due_reason": "x", "version": 1}, "due"),
    ({"due": "1999-12-31", "due_reason": "x", "version": 1}, "due"),
    ({"due": 20250101, "due_reason": "x", "version": 1}, "due"),
    ({"achieved": -3, "version": 1}, "achieved"),
    ({"estado": "cumplido", "version": 1}, "estado"),
])
def test_invalid_values_are_422_naming_the_field(api, make, cusco, payload, field):
    api.login(make.user("admin"))
    response = api.post(url(cusco), json=payload)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"], error_of(response)
    assert history_count(cusco) == 0


@pytest.mark.parametrize("start, payload, field", [
    ("pendiente", {"status": "anulado"}, "note"),             # closing needs a note
    ("pendiente", {"status": "no_cumplido"}, "note"),
    ("cumplido", {"status": "en_proceso"}, "note"),           # reopening needs a note
    ("por_validar", {"status": "en_proceso"}, "note"),        # returning needs a note
    ("pendiente", {"due": "2100-01-31"}, "due_reason"),       # reprogramming needs a reason
    ("pendiente", {}, "note"),                                # nothing to record
])
def test_missing_note_or_reason_is_422(api, make, start, payload, field):
    c = make.commitment("Cusco", status=start)
    api.login(make.user("admin"))
    before = history_count(c)
    response = api.post(url(c), json={**payload, "version": c.version})
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert history_count(c) == before


@pytest.mark.parametrize("start, status", [("cumplido", "por_validar"), ("anulado", "no_cumplido"),
                                           ("en_proceso", "pendiente")])
def test_a_transition_no_role_may_make_is_422(api, make, start, status):
    c = make.commitment("Cusco", status=start)
    api.login(make.user("admin"))
    response = api.post(url(c), json={"status": status, "note": "Intento", "version": c.version})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_transition"
    assert "status" in error["fields"]


def test_asking_for_validation_needs_a_note_or_evidence(api, officer, cusco):
    api.login(officer)
    response = api.post(url(cusco), json={"status": "por_validar", "version": cusco.version})
    assert response.status_code == 422
    assert "note" in error_of(response)["fields"]


def test_due_absent_keeps_it_null_removes_it_and_a_date_moves_it(api, make, cusco):
    api.login(make.user("liaison", "MINSA"))
    kept = api.post(url(cusco), json={"progress": 10, "version": cusco.version})
    assert kept.status_code == 201
    assert kept.get_json()["due"] == "2099-12-31"
    moved = api.post(url(cusco), json={"due": "2100-03-31", "due_reason": "Nueva programación del MEF",
                                       "version": kept.get_json()["version"]})
    assert moved.status_code == 201
    assert moved.get_json()["due"] == "2100-03-31"
    removed = api.post(url(cusco), json={"due": None, "due_reason": "Sin plazo hasta nueva sesión",
                                         "version": moved.get_json()["version"]})
    assert removed.status_code == 201
    body = removed.get_json()
    assert body["due"] is None
    assert (body["history"][0]["due_changed"], body["history"][0]["old_due"], body["history"][0]["new_due"]) == (
        True, "2100-03-31", None)


def test_an_officer_cannot_move_the_due_date(api, officer, cusco):
    api.login(officer)
    response = api.post(url(cusco), json={"status": "en_proceso", "due": "2100-01-31", "due_reason": "Lluvias",
                                          "version": cusco.version})
    assert response.status_code == 403
    assert reload(cusco).due == date(2099, 12, 31)


def test_multipart_update_with_an_evidence_pdf(api, officer, cusco, app):
    api.login(officer)
    response = api.post(url(cusco), content_type="multipart/form-data", data={
        "status": "por_validar", "progress": "100", "version": str(cusco.version),
        "evidence": [(io.BytesIO(PDF_BYTES), "acta de recepción.pdf")],
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["progress"]) == ("por_validar", 100)
    [evidence] = body["history"][0]["evidence"]
    assert (evidence["name"], evidence["content_type"], evidence["size"]) == (
        "acta de recepción.pdf", "application/pdf", len(PDF_BYTES))
    download = api.get(evidence["url"].replace("http://localhost", ""))
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert api.get(evidence["url"].replace("http://localhost", ""), token=None).status_code == 401


def test_multipart_with_several_files_and_an_empty_due_removes_it(api, make, cusco):
    api.login(make.user("admin"))
    response = api.post(url(cusco), content_type="multipart/form-data", data={
        "note": "Fotos y acta", "due": "", "due_reason": "Plazo a redefinir", "version": str(cusco.version),
        "evidence": [(io.BytesIO(PDF_BYTES), "acta.pdf"), (io.BytesIO(PDF_BYTES + b"\n"), "acta2.pdf")],
    })
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["due"] is None
    assert [e["name"] for e in body["history"][0]["evidence"]] == ["acta.pdf", "acta2.pdf"]


def test_a_forbidden_file_type_is_422_and_nothing_is_saved(api, officer, cusco):
    api.login(officer)
    response = api.post(url(cusco), content_type="multipart/form-data", data={
        "status": "por_validar", "version": str(cusco.version),
        "evidence": [(io.BytesIO(TEXT_BYTES), "informe.pdf")],
    })
    assert response.status_code == 422
    assert "evidence" in error_of(response)["fields"]
    c = reload(cusco)
    assert (c.status, history_count(c)) == ("pendiente", 0)
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_a_file_over_the_cap_is_422(api, officer, cusco, app):
    app.config["EVIDENCE_MAX_BYTES"] = 100
    api.login(officer)
    response = api.post(url(cusco), content_type="multipart/form-data", data={
        "status": "por_validar", "version": str(cusco.version),
        "evidence": [(io.BytesIO(PDF_BYTES + b"0" * 200), "grande.pdf")],
    })
    assert response.status_code == 422
    assert "evidence" in error_of(response)["fields"]


@pytest.mark.parametrize("data, field", [
    ({"status": "en_proceso"}, "version"),
    ({"status": "en_proceso", "version": "uno"}, "version"),
    ({"progress": "cien", "version": "1"}, "progress"),
    ({"estado": "en_proceso", "version": "1"}, "estado"),
    ({"status": "en_proceso", "version": "1", "archivo": "PDF"}, "archivo"),
])
def test_invalid_multipart_fields_are_422(api, make, cusco, data, field):
    api.login(make.user("admin"))
    data = {k: (io.BytesIO(PDF_BYTES), "a.pdf") if v == "PDF" else v for k, v in data.items()}
    response = api.post(url(cusco), content_type="multipart/form-data", data=data)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]


def test_malformed_json_is_400(api, make, cusco):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data='{"status": "en_proceso", "version": 1', content_type="application/json")
    assert response.status_code == 400
    assert "línea 1" in error_of(response)["message"]


@pytest.mark.parametrize("payload", ['[{"status": "en_proceso"}]', '"en_proceso"', "null"])
def test_json_that_is_not_an_object_is_422(api, make, cusco, payload):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data=payload, content_type="application/json")
    assert response.status_code == 422


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415(api, make, cusco, content_type):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data="status=en_proceso&version=1", content_type=content_type)
    assert response.status_code == 415
    message = error_of(response)["message"]
    assert "application/json" in message and "multipart/form-data" in message


def test_forbidden_comes_before_validation(api, make, puno):
    api.login(make.user("viewer"))
    response = api.post(url(puno), data="{not json", content_type="application/json")
    assert response.status_code == 403


def test_unknown_commitment_is_404(api, make):
    api.login(make.user("admin"))
    response = api.post("/api/v1/commitments/999/updates", json={"status": "en_proceso", "version": 1})
    assert response.status_code == 404


def test_json_nested_too_deep_is_400(api, make, cusco):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("raw, field", [
    ('{"note": "avance\\u0000", "version": 1}', "note"),
    ('{"note": "\\ud800", "version": 1}', "note"),
    ('{"due_reason": "ok", "n\\u0000": 1, "version": 1}', ""),
])
def test_text_that_cannot_be_stored_is_422(api, make, cusco, raw, field):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data=raw, content_type="application/json")
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert history_count(cusco) == 0


def test_nul_in_a_form_field_is_422(api, make, cusco):
    api.login(make.user("admin"))
    response = api.post(url(cusco), content_type="multipart/form-data",
                        data={"note": "avance\x00", "version": str(cusco.version)})
    assert response.status_code == 422
    assert "note" in error_of(response)["fields"]


def test_a_charset_parameter_is_accepted(api, make, cusco):
    api.login(make.user("admin"))
    response = api.post(url(cusco), data='{"note": "Avance con tilde: ñandú", "version": %d}' % cusco.version,
                        content_type="application/json; charset=utf-8")
    assert response.status_code == 201
    assert response.get_json()["history"][0]["note"] == "Avance con tilde: ñandú"


@pytest.mark.parametrize("kind", ["json", "multipart"])
def test_a_request_over_the_size_limit_is_413(api, make, cusco, app, kind):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    api.login(make.user("admin"))
    if kind == "json":
        response = api.post(url(cusco), json={"note": "x" * 5000, "version": cusco.version})
    else:
        response = api.post(url(cusco), content_type="multipart/form-data", data={
            "version": str(cusco.version), "evidence": [(io.BytesIO(PDF_BYTES + b"0" * 5000), "a.pdf")]})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert history_count(cusco) == 0
