"""Web import of acta PDFs: upload -> draft -> worker -> review the pre-filled acta form ->
confirm -> meeting with its PDF and commitment pages; duplicates, bad files, size caps.

The worker runs synchronously here (``worker.run``), in the test's app context; the
parse goes through the real sandbox with a stub parser (``web_stub``) unless a test
stands its own result in. ``test_web_process.py`` starts the real child process.
"""
from __future__ import annotations

import copy
import hashlib
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from gore_tracker.evidence.models import StoredFile
from gore_tracker.extensions import db
from gore_tracker.imports import worker
from gore_tracker.imports.models import ImportDraft
from gore_tracker.meetings.models import Meeting
from importers.acta_pdf import REASONS
from tests.conftest import csrf_from
from tests.imports.web_stub import SAMPLES, STUB, expected_result
from tests.meetings.htmlform import form_fields

SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"
PCM = SAMPLES / "acta-2017-04-11-pcm.pdf"
PCM_SCAN = SAMPLES / "acta-2017-04-11-pcm-scan.pdf"


@pytest.fixture(autouse=True)
def _sync_worker(app):
    """No child process from the upload: tests run the worker themselves."""
    app.config["IMPORT_SPAWN"] = False
    app.config["IMPORT_PARSER"] = STUB


def upload(client, *files, expect=None):
    """POST files to /importar with the page's CSRF token; ``files`` are paths or (name, bytes)."""
    page = client.get("/importar")
    assert page.status_code == 200
    parts = []
    for f in files:
        if isinstance(f, tuple):
            parts.append((io.BytesIO(f[1]), f[0]))
        else:
            parts.append((io.BytesIO(f.read_bytes()), f.name))
    response = client.post("/importar", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                              "files": parts}, content_type="multipart/form-data")
    if expect is not None:
        assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def drafts():
    db.session.expire_all()
    return db.session.scalars(select(ImportDraft).order_by(ImportDraft.id)).all()


def meetings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def stand_in(monkeypatch, result=None, error=None):
    """Replace the sandboxed parse with a fixed result (or ActaParseError)."""
    def fake(path, config):
        if error is not None:
            raise error
        return copy.deepcopy(result)

    monkeypatch.setattr(worker, "parse_pdf", fake)


def confirm(client, draft_id, **overrides):
    """Submit the review form exactly as the browser would show it, plus ``overrides``."""
    page = client.get(f"/importar/{draft_id}/revisar")
    assert page.status_code == 200, page.status_code
    data = {}
    for name, value in form_fields(page.get_data(as_text=True)):
        data.setdefault(name, []).append(value)
    data["_save"] = ["1"]
    for name, value in overrides.items():
        data[name] = [value]
    return client.post(f"/importar/{draft_id}/revisar", data=data)


# -- the whole way ------------------------------------------------------------------------

@pytest.mark.slow  # parses in a worker process
def test_upload_parse_review_confirm_keeps_pdf_and_pages(app, client, login_as, make):
    liaison = login_as(make.user("liaison", "MINSA"))
    response = upload(client, SEED, expect=302)
    assert response.headers["Location"].endswith("/importar")
    [draft] = drafts()
    assert (draft.status, draft.uploaded_by_id, draft.original_name) == ("queued", liaison.id, SEED.name)
    assert draft.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert draft.meeting_id is None and meetings_count() == 0
    page = client.get("/importar").get_data(as_text=True)
    assert "Se está leyendo" in page and "En cola" in page
    assert f'data-active="{draft.id}"' in page  # the page follows it (JavaScript)…
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page  # …or refreshes
    assert client.get(f"/importar/estado?ids={draft.id}").get_json()["drafts"][0]["status"] == "queued"

    assert worker.run(draft.id) == "ready"  # through the real sandbox, stub parser
    [draft] = drafts()
    assert draft.result["acta"]["source"]["filename"] == SEED.name
    assert draft.result["commitment_pages"]
    state = client.get(f"/importar/estado?ids={draft.id}").get_json()["drafts"][0]
    assert state["status"] == "ready" and state["review_url"].endswith(f"/importar/{draft.id}/revisar")
    page = client.get("/importar").get_data(as_text=True)
    assert "Listo para revisar" in page and f"/importar/{draft.id}/revisar" in page
    assert 'data-active=""' in page and 'http-equiv="refresh"' not in page

    # The review form is the acta form, pre-filled, with the parser's warning beside the field.
    review = client.get(f"/importar/{draft.id}/revisar")
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert 'id="acta-form"' in html and f'action="/importar/{draft.id}/revisar"' in html
    expected = expected_result(SEED)["acta"]
    fields = dict(form_fields(html))
    assert fields["date"] == expected["meeting"]["date"]
    assert fields["sector"] == "Ministerio de Salud"
    assert fields["regions-0-region"] == expected["regions"][0]["region"]
    first = expected["regions"][0]["topics"][0]["commitments"][0]
    assert fields["regions-0-topics-0-commitments-0-text"].strip() == first["text"]
    assert fields["regions-0-topics-0-commitments-0-source_page"] == "1"
    assert re.search(r'id="place-warn"[^>]*>.*Lugar deducido', html)
    assert 'id="parse-warnings"' in html and 'id="ocr-banner"' not in html
    assert meetings_count() == 0  # reviewing saves nothing

    done = confirm(client, draft.id)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    meeting = db.session.scalar(select(Meeting))
    assert done.headers["Location"].endswith(f"/sesiones/{meeting.id}")
    assert drafts()[0].meeting_id == meeting.id
    assert meeting.created_by_id == liaison.id
    assert (meeting.source_filename, meeting.source_sha256) == (SEED.name, draft.sha256)
    assert meeting.source_file.sha256 == draft.sha256 and meeting.source_file.content_type == "application/pdf"
    count = sum(len(t["commitments"]) for b in expected["regions"] for t in b["topics"])
    assert len(meeting.commitments) == count
    pages = {(c.region.name, c.number): c.source_page for c in meeting.commitments}
    for b, block in enumerate(expected["regions"]):
        for t in block["topics"]:
            for c in t["commitments"]:
                assert pages[(block["region"], c["number"])] == min(expected["source"]["pages"], 1 + b)

    # The meeting page links the PDF and each commitment's page; the PDF downloads intact.
    detail = client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)
    source_url = f"/archivos/{meeting.source_file.id}/{SEED.name}"
    assert f'href="{source_url}"' in detail
    assert f'href="{source_url}#page=1"' in detail
    with client.get(source_url) as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.get_data() == SEED.read_bytes()

    # The draft now points to the meeting; reviewing it again leads there.
    again = client.get(f"/importar/{draft.id}/revisar")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/sesiones/{meeting.id}")
    assert "Registrada como" in client.get("/importar").get_data(as_text=True)


@pytest.mark.slow  # parses in a worker process
def test_same_file_again_points_to_the_meeting(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    assert confirm(client, draft.id).status_code == 302
    meeting = db.session.scalar(select(Meeting))

    response = upload(client, SEED, expect=302)
    assert len(drafts()) == 1 and meetings_count() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ya fue importado" in page and f'href="/sesiones/{meeting.id}"' in page


def test_same_file_while_still_a_draft_points_to_the_draft(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    response = upload(client, SEED, expect=302)
    assert len(drafts()) == 1
    assert "ya está entre sus borradores" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.slow  # parses in a worker process
def test_another_copy_of_a_recorded_acta_points_to_it(app, client, login_as, make):
    """A scan of an acta already imported from its text PDF: different bytes, same acta."""
    login_as(make.user("coordinator"))
    upload(client, PCM, expect=302)
    [text_draft] = drafts()
    worker.run(text_draft.id)
    assert confirm(client, text_draft.id).status_code == 302
    meeting = db.session.scalar(select(Meeting))

    upload(client, PCM_SCAN, expect=302)
    scan_draft = drafts()[-1]
    assert scan_draft.id != text_draft.id
    assert worker.run(scan_draft.id) == "ready"
    review = client.get(f"/importar/{scan_draft.id}/revisar").get_data(as_text=True)
    assert 'id="ocr-banner"' in review and "Revise cada campo" in review
    response = confirm(client, scan_draft.id)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="duplicate-alert"' in html and f'href="/sesiones/{meeting.id}"' in html
    assert meetings_count() == 1
    assert drafts()[-1].meeting_id is None


@pytest.mark.slow  # parses in a worker process
def test_real_parser_end_to_end(app, client, login_as, make):
    """No stand-in: the sandboxed parse_acta reads the seed acta, which is recorded as expected."""
    app.config["IMPORT_PARSER"] = None
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    assert worker.run(draft.id) == "ready", draft.error_message
    assert confirm(client, draft.id).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    expected = expected_result(SEED)["acta"]
    got = {(c.region.name, c.number): c.text for c in meeting.commitments}
    want = {(b["region"], c["number"]): c["text"] for b in expected["regions"]
            for t in b["topics"] for c in t["commitments"]}
    assert got == want
    assert all(c.source_page and 1 <= c.source_page <= expected["source"]["pages"] for c in meeting.commitments)
    assert meeting.date.isoformat() == expected["meeting"]["date"] and meeting.source_pages == 3


# -- bad files ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["malformed-not-acta.pdf", "malformed-truncated.pdf",
                                  "malformed-encrypted.pdf"])
@pytest.mark.slow  # parses in a worker process
def test_malformed_pdf_ends_in_a_failed_draft_with_its_message(app, client, login_as, make, name):
    app.config["IMPORT_PARSER"] = None  # the real probe and parser
    login_as(make.user("liaison", "MINSA"))
    upload(client, SAMPLES / name, expect=302)
    [draft] = drafts()
    assert worker.run(draft.id) == "failed"
    [draft] = drafts()
    reason = {"malformed-not-acta.pdf": "not-acta", "malformed-truncated.pdf": "truncated",
              "malformed-encrypted.pdf": "encrypted"}[name]
    assert draft.error_reason == reason
    assert draft.error_message and draft.result is None
    page = client.get("/importar").get_data(as_text=True)
    assert "No se pudo leer" in page and str(db.session.get(ImportDraft, draft.id).error_message) in page
    if reason == "encrypted":
        assert "contraseña" in draft.error_message
    assert meetings_count() == 0
    review = client.get(f"/importar/{draft.id}/revisar")
    assert review.status_code == 302  # nothing to review
    assert meetings_count() == 0


def test_failed_draft_message_is_the_parsers_spanish_message(app, client, login_as, make, monkeypatch):
    from importers.acta_pdf import ActaParseError

    login_as(make.user("liaison", "MINSA"))
    stand_in(monkeypatch, error=ActaParseError("too-many-pages", 301))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    page = client.get("/importar").get_data(as_text=True)
    assert f"{REASONS['too-many-pages']} (página 301)" in page


def test_unexpected_worker_error_fails_the_draft(app, client, login_as, make, monkeypatch):
    login_as(make.user("liaison", "MINSA"))
    stand_in(monkeypatch, error=RuntimeError("boom"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    assert worker.run(draft.id) == "failed"
    assert drafts()[0].error_message == "Ocurrió un error inesperado al leer el PDF."
    assert worker.run(draft.id) is None  # not queued any more: nothing to do


def test_empty_file_is_refused_beside_the_field(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    html = upload(client, SAMPLES / "malformed-empty.pdf", expect=422).get_data(as_text=True)
    assert re.search(r'class="invalid-feedback" id="files-err">El archivo «malformed-empty.pdf» está vacío', html)
    assert drafts() == []


@pytest.mark.parametrize("name,data", [
    ("acta.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200),  # an image named .pdf: decided by content
    ("notas.txt", b"Acta de compromisos, en texto."),
    ("acta.docx", b"PK\x03\x04" + b"\0" * 300),
])
def test_non_pdf_is_refused_beside_the_field(app, client, login_as, make, name, data):
    login_as(make.user("liaison", "MINSA"))
    html = upload(client, (name, data), expect=422).get_data(as_text=True)
    assert re.search(rf'class="invalid-feedback" id="files-err">«{re.escape(name)}» no es un PDF', html)
    assert 'class="form-control is-invalid"' in html
    assert drafts() == [] and db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_good_files_are_kept_when_another_in_the_same_upload_is_refused(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    html = upload(client, SEED, ("notas.txt", b"hola"), expect=422).get_data(as_text=True)
    assert "«notas.txt» no es un PDF" in html
    assert [d.original_name for d in drafts()] == [SEED.name]
    assert SEED.name in html  # listed below the form


def test_no_file_chosen(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    page = client.get("/importar")
    response = client.post("/importar", data={"csrf_token": csrf_from(page.get_data(as_text=True))},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Elija uno o más archivos PDF." in response.get_data(as_text=True)


def test_file_over_the_size_cap(app, client, login_as, make):
    app.config["IMPORT_MAX_BYTES"] = 32 * 1024  # the seed acta has 44 KB
    login_as(make.user("liaison", "MINSA"))
    html = upload(client, SEED, expect=422).get_data(as_text=True)
    assert f'id="files-err">El archivo «{SEED.name}» supera el máximo de 0.03125 MB.' in html
    assert "hasta 0.03125 MB cada uno" in html  # the limit is stated before uploading too
    assert drafts() == []


def test_upload_over_the_request_cap_gets_a_clear_message(app, client, login_as, make):
    app.config.update(IMPORT_MAX_BYTES=20_000, IMPORT_MAX_FILES=1)
    login_as(make.user("liaison", "MINSA"))
    big = SAMPLES / "acta-2018-06-06-mvcs-scan.pdf"  # 1.2 MB
    page = client.get("/importar").get_data(as_text=True)
    # Encoded here (in memory): the test client would spool a body this large to a
    # temporary file it never closes when the app refuses the body.
    boundary, body = encode_multipart(MultiDict([
        ("csrf_token", csrf_from(page)),
        ("files", FileStorage(io.BytesIO(big.read_bytes()), filename=big.name, content_type="application/pdf")),
    ]))
    response = client.post("/importar", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "superan el máximo de una subida" in html and "Súbalos en varias veces" in html
    assert 'id="upload-form"' in html
    assert drafts() == []


def test_too_many_files_at_once(app, client, login_as, make):
    app.config["IMPORT_MAX_FILES"] = 2
    login_as(make.user("liaison", "MINSA"))
    html = upload(client, SEED, PCM, PCM_SCAN, expect=422).get_data(as_text=True)
    assert "Suba como máximo 2 archivos a la vez." in html
    assert drafts() == []


def test_several_files_in_one_upload(app, client, login_as, make):
    login_as(make.user("coordinator"))
    upload(client, SEED, PCM, expect=302)
    assert [d.original_name for d in drafts()] == [SEED.name, PCM.name]
    assert all(d.status == "queued" for d in drafts())


def test_upload_requires_csrf(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    response = client.post("/importar", data={"files": [(io.BytesIO(SEED.read_bytes()), SEED.name)]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert drafts() == []


# -- warnings beside the fields -----------------------------------------------------------

def _result_with_doubts() -> dict:
    result = expected_result(SEED)
    acta = result["acta"]
    acta["meeting"]["date"] = ""
    acta["meeting"]["sector"] = "MINISTERIO DE SALUDES"
    acta["regions"][1]["region"] = "GOBIERNO REGIONAL DE MOQEGUA"
    result["warnings"] = [
        {"code": "date-missing", "field": "meeting.date", "message": "No se encontró la fecha del acta."},
        {"code": "sector-unmatched", "field": "meeting.sector",
         "message": "Sector no reconocido: «MINISTERIO DE SALUDES»."},
        {"code": "region-unmatched", "field": "regions.1.region",
         "message": "Gobierno regional no reconocido: «GOBIERNO REGIONAL DE MOQEGUA»."},
        {"code": "numbering-gap", "field": "regions.0.topics.1.commitments.0",
         "message": "Falta el COMPROMISO anterior en la numeración."},
        {"code": "numbering-gap", "field": "regions.2.topics",
         "message": "Los temas de este bloque saltan un número."},
        {"code": "attendees", "field": "attendees", "message": "Revise la lista de asistentes."},
        {"code": "other", "field": None, "message": "Una duda sin campo."},
    ]
    return result


@pytest.mark.slow  # parses in a worker process
def test_review_shows_each_warning_beside_its_field(app, client, login_as, make, monkeypatch):
    login_as(make.user("coordinator"))
    stand_in(monkeypatch, _result_with_doubts())
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    html = client.get(f"/importar/{draft.id}/revisar").get_data(as_text=True)
    fields = dict(form_fields(html))
    assert fields["date"] == ""  # missing: the liaison types it
    assert fields["sector"] == ""  # not matched: "— Elija el sector —"
    assert fields["regions-1-region"] == ""  # not matched: "— Elija —"

    def beside(field_id, text):
        return re.search(rf'id="{re.escape(field_id)}-warn" data-warning>'
                         rf'<span aria-hidden="true">⚠</span> {re.escape(text)}', html)

    assert beside("date", "No se encontró la fecha del acta.")
    assert 'id="date"' in html and re.search(
        r'id="date"[^>]*class="[^"]*is-warned|class="[^"]*is-warned[^"]*"[^>]*id="date"', html)
    assert beside("sector", "Sector no reconocido: «MINISTERIO DE SALUDES».")
    assert beside("regions-1-region", "Gobierno regional no reconocido: «GOBIERNO REGIONAL DE MOQEGUA».")
    assert beside("regions-0-topics-1-commitments-0-number", "Falta el COMPROMISO anterior en la numeración.")
    # A list's doubt shows on its section (a block's topics: at that block).
    block = html.split('id="regions-2"', 1)[1].split("</section>", 1)[0]
    assert "Los temas de este bloque saltan un número." in block
    attendees = html.split("<legend class=\"card-header h6 mb-0\">Asistentes</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert "Revise la lista de asistentes." in attendees
    summary = html.split('id="parse-warnings"', 1)[1].split("</div>", 1)[0]
    assert "7 avisos" in summary and "Una duda sin campo." in summary
    # Each item of the summary links to where its warning is shown.
    assert '<a class="alert-link fw-normal" href="#date">No se encontró la fecha del acta.</a>' in summary
    assert 'href="#regions-1-region">Gobierno regional no reconocido' in summary
    assert 'href="#regions-2">Los temas de este bloque saltan un número.</a>' in summary
    assert '<li data-warning-code="other">Una duda sin campo.</li>' in summary

    # Confirming without fixing: errors beside the fields, nothing saved, warnings still shown.
    response = confirm(client, draft.id)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indique la fecha de la sesión." in html and "Elija el gobierno regional." in html
    assert 'id="date-warn"' in html
    assert meetings_count() == 0

    # Fixed by the person reviewing: recorded.
    done = confirm(client, draft.id, date="2020-12-08", sector="Ministerio de Salud",
                   **{"regions-1-region": "Moquegua"})
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    meeting = db.session.scalar(select(Meeting))
    assert meeting.sector.name == "Ministerio de Salud"
    assert [b.region.name for b in meeting.blocks][1] == "Moquegua"
    # The pages of the block whose region was fixed came through the form's hidden fields.
    assert {c.source_page for c in meeting.commitments if c.region.name == "Moquegua"} == {2}


@pytest.mark.slow  # parses in a worker process
def test_pages_lost_by_the_form_are_merged_from_the_draft(app, client, login_as, make, monkeypatch):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    page = client.get(f"/importar/{draft.id}/revisar").get_data(as_text=True)
    blanks = {name: "" for name, _ in form_fields(page) if name.endswith("-source_page")}
    assert blanks
    assert confirm(client, draft.id, **blanks).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert all(c.source_page for c in meeting.commitments)


def test_liaison_is_warned_when_the_acta_is_of_another_sector(app, client, login_as, make, monkeypatch):
    login_as(make.user("liaison", "MINEDU"))
    upload(client, SEED, expect=302)  # an acta of the Ministerio de Salud
    [draft] = drafts()
    worker.run(draft.id)
    html = client.get(f"/importar/{draft.id}/revisar").get_data(as_text=True)
    assert re.search(r'id="sector-warn"[^>]*>.*El acta parece ser del sector «Ministerio de Salud»', html)


def test_missing_stage_of_a_stuck_draft_offers_retry(app, client, login_as, make):
    from datetime import timedelta

    from gore_tracker.db import utcnow

    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    draft.status = "parsing"
    draft.updated_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    db.session.execute(ImportDraft.__table__.update().values(updated_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    page = client.get("/importar").get_data(as_text=True)
    assert "Interrumpido" in page and "Reintentar" in page
    assert client.get(f"/importar/estado?ids={draft.id}").get_json()["drafts"][0]["status"] == "failed"

    response = client.post(f"/importar/{draft.id}/reintentar", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    [draft] = drafts()
    assert draft.status == "queued"
    assert worker.run(draft.id) == "ready"


def test_retry_a_failed_draft(app, client, login_as, make, monkeypatch):
    from importers.acta_pdf import ActaParseError

    login_as(make.user("liaison", "MINSA"))
    stand_in(monkeypatch, error=ActaParseError("timeout"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    page = client.get("/importar").get_data(as_text=True)
    monkeypatch.undo()
    app.config["IMPORT_SPAWN"] = False
    app.config["IMPORT_PARSER"] = STUB
    assert client.post(f"/importar/{draft.id}/reintentar", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert worker.run(draft.id) == "ready"
    # A ready draft needs no retry.
    client.post(f"/importar/{draft.id}/reintentar", data={"csrf_token": csrf_from(page)})
    assert drafts()[0].status == "ready"


@pytest.mark.parametrize(("reason", "offered"), [("encrypted", False), ("not-acta", False), ("bomb", False),
                                                ("timeout", True), ("memory", True), ("ocr-unavailable", True)])
def test_retry_is_offered_only_where_another_try_can_help(app, client, login_as, make, monkeypatch,
                                                         reason, offered):
    from importers.acta_pdf import ActaParseError

    login_as(make.user("liaison", "MINSA"))
    stand_in(monkeypatch, error=ActaParseError(reason))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    page = client.get("/importar").get_data(as_text=True)
    assert ActaParseError(reason).message in page
    assert (f"/importar/{draft.id}/reintentar" in page) is offered
    client.post(f"/importar/{draft.id}/reintentar", data={"csrf_token": csrf_from(page)})
    assert drafts()[0].status == ("queued" if offered else "failed")


def test_discard(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    page = client.get("/importar").get_data(as_text=True)
    assert client.post(f"/importar/{draft.id}/descartar").status_code == 400  # no CSRF token
    assert len(drafts()) == 1
    response = client.post(f"/importar/{draft.id}/descartar", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert drafts() == [] and db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert "Se descartó el borrador" in client.get("/importar").get_data(as_text=True)
    # The worker finds nothing to do for a discarded draft.
    assert worker.run(draft.id) is None


@pytest.mark.slow  # parses in a worker process
def test_discard_from_the_review_page(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    page = client.get(f"/importar/{draft.id}/revisar").get_data(as_text=True)
    assert f'formaction="/importar/{draft.id}/descartar"' in page
    data = dict(form_fields(page))
    assert client.post(f"/importar/{draft.id}/descartar", data=data).status_code == 302
    assert drafts() == [] and meetings_count() == 0


def test_draft_pdf_is_served_to_its_uploader(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    with client.get(f"/importar/{draft.id}/pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.get_data() == SEED.read_bytes()


def test_nav_link_only_for_those_who_may_import(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    assert 'href="/importar">Importar acta</a>' in client.get("/").get_data(as_text=True)


def test_nav_link_hidden_for_viewers(app, client, login_as, make):
    login_as(make.user("viewer"))
    assert "Importar acta" not in client.get("/").get_data(as_text=True)


@pytest.mark.slow  # parses in a worker process
def test_removing_a_recorded_draft_from_the_list_keeps_the_meeting_and_its_pdf(app, client, login_as, make):
    login_as(make.user("liaison", "MINSA"))
    upload(client, SEED, expect=302)
    [draft] = drafts()
    worker.run(draft.id)
    assert confirm(client, draft.id).status_code == 302
    page = client.get("/importar").get_data(as_text=True)
    assert "Quitar de la lista" in page
    assert client.post(f"/importar/{draft.id}/descartar", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert drafts() == []
    meeting = db.session.scalar(select(Meeting))
    assert meeting.source_file is not None
    with client.get(f"/archivos/{meeting.source_file.id}") as pdf:
        assert pdf.status_code == 200 and pdf.get_data() == SEED.read_bytes()
