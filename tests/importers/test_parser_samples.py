"""The acta parser against the sample corpus (tests/fixtures/actas): every text sample
exactly, the scans to the bar, every malformed file to its reason; and the CLI.

Successful parses of a sample come from ``parsed`` (tests/parse_cache.py): each file is parsed
once per session, and the CLI import tests (tests/imports/test_cli.py) reuse those parses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from importers.acta_pdf import ActaParseError, parse_acta
from importers.acta_pdf.ocr import ocr_status
from tests.parse_cache import SCANS_GROUP, parsed

from .conftest import ACTAS, collapsed, commitment_f1, corpus

ROOT = Path(__file__).resolve().parents[2]


def _truth(name: str) -> dict:
    return json.loads((ACTAS / name).with_suffix(".json").read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus("text"))
def test_text_sample_parses_exactly(name, validate_acta):
    document = parsed(ACTAS / name).to_dict()
    validate_acta(document)
    assert collapsed(document) == collapsed(_truth(name))


@pytest.mark.parametrize("name", corpus("malformed"))
def test_malformed_sample_fails_with_its_reason(name):
    with pytest.raises(ActaParseError) as info:
        parse_acta(ACTAS / name)
    assert info.value.reason == _truth(name)["reason"]
    assert info.value.message.strip()


needs_ocr = pytest.mark.skipif(
    ocr_status() is not None,
    reason=f"OCR not available ({ocr_status()}); scanned samples cannot be read here",
)


@needs_ocr
@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.xdist_group(SCANS_GROUP)  # before the CLI import of the same scans, on the same worker
@pytest.mark.parametrize("name", corpus("scanned"))
def test_scanned_sample_reaches_the_bar(name, validate_acta):
    truth = _truth(name)
    acta = parsed(ACTAS / name)
    document = acta.to_dict()
    validate_acta(document)
    assert document["source"] == truth["source"]
    assert any(w.code == "ocr" for w in acta.warnings)
    assert commitment_f1(truth, document) >= 0.95
    assert document["meeting"] == truth["meeting"]
    # one block per regional government, none spurious (record_acta refuses duplicates)
    assert [r["region"] for r in document["regions"]] == [r["region"] for r in truth["regions"]]


def test_scan_without_ocr_installed_says_how_to_install(monkeypatch):
    from importers.acta_pdf import ocr

    ocr.ocr_status.cache_clear()
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    try:
        with pytest.raises(ActaParseError) as info:
            parse_acta(ACTAS / corpus("scanned")[0])
    finally:
        ocr.ocr_status.cache_clear()
    assert info.value.reason == "ocr-unavailable"
    assert "apt-get install ocrmypdf tesseract-ocr-spa" in info.value.message


def test_scan_with_ocr_switched_off_is_refused():
    with pytest.raises(ActaParseError) as info:
        parse_acta(ACTAS / corpus("scanned")[0], ocr=False)
    assert info.value.reason == "ocr-unavailable"


@pytest.mark.slow  # a real parse (shared through parse_cache)
def test_commitments_remember_their_page():
    acta = parsed(ACTAS / "acta-2017-04-11-pcm.pdf")
    pages = acta.commitment_pages
    assert pages[(0, 1)] == 1          # Amazonas, COMPROMISO N° 1
    assert pages[(0, 4)] == 2          # the row continued on page 2
    assert pages[(3, 3)] == 3          # Ucayali, last commitment
    assert len(pages) == sum(len(t["commitments"]) for r in acta.regions for t in r["topics"])
    result = json.loads(json.dumps(acta.to_result()))
    assert result["acta"] == json.loads(json.dumps(acta.to_dict()))
    assert {"block": 0, "number": 4, "page": 2} in result["commitment_pages"]


@pytest.mark.slow  # a real parse (shared through parse_cache)
def test_text_sample_has_no_warnings():
    assert parsed(ACTAS / "acta-2017-01-11-mef.pdf").warnings == []


@pytest.mark.slow  # a real parse (shared through parse_cache)
def test_filename_option_names_the_source():
    acta = parsed(ACTAS / "acta-2017-10-02-produce.pdf", filename="subido.pdf")
    assert acta.source["filename"] == "subido.pdf"


def test_unknown_option_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_acta(ACTAS / "acta-2017-10-02-produce.pdf", max_page=3)


# ----------------------------------------------------------------------------- CLI


def _cli(*args, cwd=ROOT):  # every test using it is marked slow: a Python process each
    return subprocess.run([sys.executable, "-m", "importers.acta_pdf", *map(str, args)],
                          capture_output=True, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_cli_prints_the_document_and_exits_0():
    proc = _cli(ACTAS / "seed-ayacucho-2020-12-08.pdf")
    assert proc.returncode == 0, proc.stderr
    assert collapsed(json.loads(proc.stdout.decode("utf-8"))) == collapsed(_truth("seed-ayacucho-2020-12-08.pdf"))
    assert proc.stderr == b""


@pytest.mark.parametrize("name", corpus("malformed"))
@pytest.mark.slow
def test_cli_bad_file_prints_one_line_and_exits_2(name):
    proc = _cli(ACTAS / name)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert len(err.strip().splitlines()) == 1 and err.strip()
    assert "Traceback" not in err


@pytest.mark.slow
def test_cli_missing_file_exits_2(tmp_path):
    proc = _cli(tmp_path / "no-existe.pdf")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr.decode()
    assert len(proc.stderr.decode().strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_prints_warnings_on_stderr_and_still_exits_0(tmp_path, make_acta):
    from .conftest import ActaSpec, Block

    pdf = make_acta(ActaSpec(sector="MINISTERIO DE ASUNTOS MÁGICOS", blocks=[
        Block("GOBIERNO REGIONAL DE NARNIA",
              [("TEMA 1", "Un tema.", [("COMPROMISO 1", "Un compromiso.", None, None)])]),
    ]))
    proc = _cli(pdf)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["regions"][0]["region"] == "GOBIERNO REGIONAL DE NARNIA"
    err = proc.stderr.decode("utf-8")
    assert "regions.0.region" in err and "meeting.sector" in err
