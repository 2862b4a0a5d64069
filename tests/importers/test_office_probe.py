"""importers.office.probe: Office ZIP containers are what they claim and safe to open."""
from __future__ import annotations

import pytest

from importers.office import OfficeFileError, OfficeLimits, probe_office
from tests.importers import office_files as of


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_minimal_ooxml_packages_pass(kind):
    result = probe_office(of.ooxml(kind), kind)
    assert result.main_part == of.MAIN[kind][0]
    assert result.entries == 3 and result.uncompressed_bytes > 0


@pytest.mark.parametrize("kind", ["odt", "ods", "odp"])
def test_minimal_opendocument_packages_pass(kind):
    assert probe_office(of.odf(kind), kind).main_part == "content.xml"


def test_a_real_docx_from_python_docx_passes(tmp_path):
    docx = pytest.importorskip("docx", reason="python-docx not installed")
    path = tmp_path / "real.docx"
    document = docx.Document()
    document.add_paragraph("Informe")
    document.save(path)
    assert probe_office(path, "docx").main_part == "word/document.xml"


def test_a_real_xlsx_from_openpyxl_passes(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl not installed")
    path = tmp_path / "real.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Avance"
    workbook.save(path)
    assert probe_office(path, "xlsx").main_part == "xl/workbook.xml"


def reason_of(data, kind="docx", limits=None) -> tuple[str, str]:
    with pytest.raises(OfficeFileError) as exc:
        probe_office(data, kind, limits)
    return exc.value.reason, exc.value.message


def test_zip_bomb_by_ratio():
    reason, message = reason_of(of.zip_bomb(size=20 * 1024 * 1024))
    assert reason == "bomb" and "bomba de descompresión" in message


def test_zip_bomb_by_total_size():
    # Parts under 1 MiB (no ratio check) that together inflate past the cap.
    data = of.zip_bomb(size=900 * 1024, parts=4)
    reason, message = reason_of(data, limits=OfficeLimits(max_total_bytes=2 * 1024 * 1024))
    assert reason == "bomb" and "más de 2 MB" in message


def test_too_many_entries():
    data = of.ooxml(extra={f"word/media/p{i}.xml": b"<a/>" for i in range(30)})
    reason, message = reason_of(data, limits=OfficeLimits(max_entries=20))
    assert reason == "too_many_entries" and "máximo 20" in message


def test_plain_zip_renamed_docx():
    reason, message = reason_of(of.plain_zip())
    assert reason == "not_office" and "[Content_Types].xml" in message


def test_package_without_its_main_part():
    reason, message = reason_of(of.ooxml(drop_main=True))
    assert reason == "not_office" and "word/document.xml" in message


def test_an_xlsx_is_not_a_docx():
    assert reason_of(of.ooxml("xlsx"), "docx")[0] == "not_office"


def test_macro_enabled_document_renamed_docx():
    data = of.ooxml(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    assert reason_of(data)[0] == "not_office"


def test_truncated_zip():
    data = of.ooxml()
    reason, message = reason_of(data[: len(data) // 2])
    assert reason == "damaged" and "dañado" in message


def test_damaged_entry_data():
    data = of.corrupt_entry(of.ooxml(extra={"word/media/x.xml": b"<x>" + b"abc" * 5000 + b"</x>"}),
                            "word/media/x.xml")
    assert reason_of(data)[0] == "damaged"


def test_not_a_zip_at_all():
    assert reason_of(b"%PDF-1.4 nothing")[0] == "not_zip"


def test_encrypted_entries():
    reason, message = reason_of(of.mark_encrypted(of.ooxml()))
    assert reason == "encrypted" and "contraseña" in message


def test_encrypted_opendocument():
    assert reason_of(of.odf(encrypted=True), "odt")[0] == "encrypted"


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/etc/passwd", "C:/Windows/x.dll", "word\\..\\x",
                                  "word/a\x01b.xml"])
def test_path_tricks(name):
    reason, message = reason_of(of.ooxml(extra={name: b"x"}))
    assert reason == "unsafe_path" and "rutas internas" in message


def test_opendocument_with_another_mimetype():
    assert reason_of(of.odf("ods"), "odt")[0] == "not_office"
