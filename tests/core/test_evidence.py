"""Evidence files: type by content, size cap, content-addressed storage."""
import io

import pytest

from gore_tracker.evidence import storage
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.users import operations as users
from tests.importers import office_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


def test_pdf_is_stored_once_by_hash(app, make):
    a = storage.store(io.BytesIO(PDF), "informe.pdf")
    b = storage.store(io.BytesIO(PDF), "copia.pdf")
    assert a.sha256 == b.sha256 and a.id != b.id
    assert (a.content_type, a.extension, a.size) == ("application/pdf", "pdf", len(PDF))
    path = storage.path_for(a.sha256)
    assert path.read_bytes() == PDF
    assert len(list(path.parent.iterdir())) == 1


def test_type_is_decided_by_content_not_name(app):
    row = storage.store(io.BytesIO(PNG), "foto.pdf")
    assert row.content_type == "image/png"
    with pytest.raises(ValidationFailed) as exc:
        storage.store(io.BytesIO(b"MZ\x90\x00 executable"), "informe.pdf")
    assert "no es un tipo permitido" in exc.value.fields["evidence"][0]
    with pytest.raises(ValidationFailed):
        storage.store(io.BytesIO(b"<html><script>alert(1)</script>"), "a.docx")


def test_size_cap_and_empty_files(app):
    app.config["EVIDENCE_MAX_BYTES"] = 100
    with pytest.raises(ValidationFailed) as exc:
        storage.store(io.BytesIO(PDF + b"x" * 200), "grande.pdf")
    assert "supera el máximo" in exc.value.fields["evidence"][0]
    with pytest.raises(ValidationFailed):
        storage.store(io.BytesIO(b""), "vacio.pdf")


def test_original_name_is_kept_without_directories(app):
    row = storage.store(io.BytesIO(PDF), "..\\..\\C:\\temp/acta final.pdf")
    assert row.original_name == "acta final.pdf"


# --- Office files: one probe (importers.office) before anything is stored -----------------


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_real_office_packages_are_stored(app, kind):
    row = storage.store(io.BytesIO(office_files.ooxml(kind)), f"informe.{kind}")
    assert row.extension == kind and row.content_type == storage.ALLOWED[kind]


def test_opendocument_is_stored(app):
    assert storage.store(io.BytesIO(office_files.odf("odt")), "informe.odt").extension == "odt"


@pytest.mark.parametrize("data, words", [
    (office_files.zip_bomb(), "bomba de descompresión"),
    (office_files.ooxml(drop_main=True), "le falta «word/document.xml»"),
    (office_files.mark_encrypted(office_files.ooxml()), "contraseña"),
    (office_files.ooxml(extra={"../../x.sh": b"echo"}), "rutas internas"),
], ids=["zip-bomb", "missing-main-part", "encrypted", "path-trick"])
def test_hostile_office_files_are_refused_in_spanish(app, data, words):
    with pytest.raises(ValidationFailed) as exc:
        storage.store(io.BytesIO(data), "informe.docx")
    message = exc.value.fields["evidence"][0]
    assert message.startswith("El archivo «informe.docx» ") and words in message
    assert not any(p.is_file() for p in storage.files_dir().rglob("*"))  # nothing was written


def test_office_limits_are_settings(app):
    app.config["OFFICE_MAX_UNCOMPRESSED_BYTES"] = 1024 * 1024
    data = office_files.zip_bomb(size=600 * 1024, parts=2)  # under the ratio check, over 1 MB in all
    with pytest.raises(ValidationFailed) as exc:
        storage.store(io.BytesIO(data), "informe.docx")
    assert "más de 1 MB" in exc.value.fields["evidence"][0]


def test_truncated_or_plain_zip_named_docx_is_refused(app):
    data = office_files.ooxml()
    for bad in (data[: len(data) - 30], office_files.plain_zip()):
        with pytest.raises(ValidationFailed):
            storage.store(io.BytesIO(bad), "informe.docx")


def test_zip_bomb_through_the_api_is_a_422_naming_evidence(app, make, client):
    c = make.commitment("Cusco")
    token = users.issue_token(make.user("admin"))
    db.session.commit()
    response = client.post(f"/api/v1/commitments/{c.id}/updates", headers={"Authorization": f"Bearer {token}"},
                           data={"status": "en_proceso", "version": str(c.version),
                                 "evidence": (io.BytesIO(office_files.zip_bomb()), "avance.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "bomba de descompresión" in response.get_json()["error"]["fields"]["evidence"][0]
