"""Evidence files: type by content, size cap, content-addressed storage."""
import io

import pytest

from gore_tracker.evidence import storage
from gore_tracker.exceptions import ValidationFailed

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
