"""The sandbox: a probe child, then a parse child, each limited; every way a child can end
becomes a result or an ActaParseError with its reason. Stub parsers (stub_parser.py)
misbehave for real inside the child."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from importers.acta_pdf import REASONS, ActaParseError, sandbox
from importers.acta_pdf.sandbox import Limits, probe_file, run_child, run_parse
from tests.importers import hostile

pytestmark = pytest.mark.slow  # every test starts limited child processes

ROOT = Path(__file__).resolve().parents[2]
ACTAS = ROOT / "tests" / "fixtures" / "actas"
MANIFEST = json.loads((ACTAS / "manifest.json").read_text("utf-8"))["files"]
TEXT = ACTAS / "acta-2017-10-02-produce.pdf"
SCAN = ACTAS / "acta-2018-06-06-mvcs-scan.pdf"
SMALL = Limits(max_memory=512 * 1024 * 1024, cpu_seconds=10, wall_seconds=20,
               ocr_seconds_per_page=7, ocr_max_seconds=100)
STUB = "tests.importers.stub_parser:"


def _fails(path, reason, *, limits=SMALL, parser=None) -> ActaParseError:
    with pytest.raises(ActaParseError) as caught:
        run_parse(path, limits=limits, **({"parser": STUB + parser} if parser else {}))
    assert caught.value.reason == reason, (caught.value.reason, caught.value.message)
    assert "Traceback" not in caught.value.message
    return caught.value


@pytest.mark.parametrize("name", sorted(n for n, f in MANIFEST.items() if f["kind"] in ("text", "scanned")))
def test_probe_counts_pages_and_tells_scans_from_text(name):
    info = probe_file(ACTAS / name, limits=SMALL)
    assert info["pages"] == MANIFEST[name]["pages"]
    assert info["needs_ocr"] is (MANIFEST[name]["kind"] == "scanned")
    assert len(info["chars"]) == info["pages"]


@pytest.mark.parametrize(("name", "reason"), [
    ("malformed-empty.pdf", "empty"),
    ("malformed-encrypted.pdf", "encrypted"),
    ("malformed-truncated.pdf", "truncated"),
])
def test_malformed_samples_stop_at_the_probe(name, reason):
    # The stub would answer an acta: only the probe can have refused them.
    error = _fails(ACTAS / name, reason, parser="limits")
    assert error.message == REASONS[reason]


def test_missing_file_and_folder_are_refused_without_a_child(tmp_path):
    assert "No existe" in _fails(tmp_path / "nada.pdf", "failed").message
    assert "carpeta" in _fails(tmp_path, "failed").message


def test_not_a_pdf_is_decided_by_content(tmp_path):
    _fails(hostile.not_a_pdf(tmp_path / "imagen.pdf"), "not-pdf")
    text = tmp_path / "acta.pdf"
    text.write_text("GORE EJECUTIVO\nACTA DE COMPROMISOS\n", "utf-8")
    _fails(text, "not-pdf")


def test_child_runs_with_the_limits_one_ocr_thread_and_its_own_process_group():
    meeting = run_parse(TEXT, limits=SMALL, parser=STUB + "limits")["acta"]["meeting"]
    assert meeting["cpu"] == SMALL.cpu_seconds
    assert meeting["memory"] == SMALL.max_memory
    assert meeting["omp"] == "1"
    assert meeting["pgid"] is True


def test_scans_get_the_ocr_budget_per_page_capped():
    pages = MANIFEST[SCAN.name]["pages"]
    meeting = run_parse(SCAN, limits=SMALL, parser=STUB + "limits")["acta"]["meeting"]
    assert meeting["cpu"] == SMALL.ocr_seconds_per_page * pages
    capped = Limits(**{**SMALL.__dict__, "ocr_max_seconds": 15})
    assert run_parse(SCAN, limits=capped, parser=STUB + "limits")["acta"]["meeting"]["cpu"] == 15
    low = Limits(**{**SMALL.__dict__, "ocr_seconds_per_page": 1})  # never below the normal limits
    assert run_parse(SCAN, limits=low, parser=STUB + "limits")["acta"]["meeting"]["cpu"] == SMALL.cpu_seconds


def test_result_is_the_parsers_to_result_and_options_reach_it():
    result = run_parse(ACTAS / "seed-ayacucho-2020-12-08.pdf", limits=SMALL, parser=STUB + "from_expected")
    expected = json.loads((ACTAS / "seed-ayacucho-2020-12-08.json").read_text("utf-8"))
    assert result["acta"] == expected
    assert result["warnings"] == [{"code": "demo", "field": "meeting.place",
                                   "message": "Lugar leído por la prueba."}]
    assert result["commitment_pages"] == [{"block": 0, "number": 1, "page": 1}]
    echoed = run_parse(TEXT, limits=SMALL, parser=STUB + "options", options={"ocr": False, "max_pages": 9})
    assert echoed["acta"]["meeting"]["options"] == {"ocr": False, "max_pages": 9, "timeout": 7.0,
                                                    "ocr_timeout": 7.0, "ocr_page_timeout": 7.0}


def test_output_of_libraries_on_stdout_does_not_corrupt_the_answer():
    assert run_parse(TEXT, limits=SMALL, parser=STUB + "chatty")["acta"]["meeting"]["title"] == "GORE Ejecutivo"


def test_the_parsers_own_error_comes_through_with_its_page():
    error = _fails(TEXT, "not-acta", parser="refuses")
    assert (error.page, error.message) == (2, "No es un acta: prueba.")


def test_a_bug_in_the_parser_is_a_plain_failure_without_traceback():
    error = _fails(TEXT, "failed", parser="buggy")
    assert error.message == REASONS["failed"]


def test_wall_clock_limit_kills_a_hung_parse():
    limits = Limits(**{**SMALL.__dict__, "wall_seconds": 2})
    assert "2 s" in _fails(TEXT, "timeout", limits=limits, parser="sleeps").message


def test_cpu_limit_stops_a_spinning_parse():
    limits = Limits(**{**SMALL.__dict__, "cpu_seconds": 1})
    assert "CPU" in _fails(TEXT, "timeout", limits=limits, parser="spins").message


def test_memory_limit_stops_a_greedy_parse():
    assert "512 MB" in _fails(TEXT, "memory", parser="hogs").message


def test_a_crashing_child_is_a_failure():
    _fails(TEXT, "failed", parser="aborts")


def test_a_crashing_child_of_a_big_parent_is_still_a_failure_not_memory():
    # Linux hands a child its parent's peak RSS across exec: a parent (a long test run, a
    # web worker) bigger than half the limit must not make every crash look like memory.
    script = (
        "import sys; from tests.importers.test_sandbox import _fails, TEXT\n"
        "big = bytearray(400 * 1024 * 1024)\n"
        "for i in range(0, len(big), 4096): big[i] = 1\n"
        "_fails(TEXT, 'failed', parser='aborts')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state  # a zombie waiting for init is dead


def test_the_whole_process_group_dies_at_the_wall_clock(tmp_path):
    pdf = tmp_path / "acta.pdf"
    pdf.write_bytes(TEXT.read_bytes())
    limits = Limits(**{**SMALL.__dict__, "wall_seconds": 3})
    _fails(pdf, "timeout", limits=limits, parser="orphan")
    pid = int(pdf.with_suffix(".pid").read_text())
    try:
        for _ in range(100):  # SIGKILL is sent; give a loaded machine a moment to carry it out
            if not _alive(pid):
                break
            time.sleep(0.05)
        assert not _alive(pid)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_stream_guard_stops_a_bomb_inside_the_parse_even_if_the_parser_swallows_errors(tmp_path):
    bomb = hostile.bomb(tmp_path / "bomba.pdf", size=256 * 1024 * 1024)
    limits = Limits(**{**SMALL.__dict__, "max_stream_bytes": 32 * 1024 * 1024})
    with pytest.raises(ActaParseError) as caught:
        run_child("parse", bomb, limits, parser=STUB + "inflates")  # no probe in front
    assert caught.value.reason == "bomb"
    assert "32 MB" in caught.value.message


def test_limits_from_app_settings():
    limits = Limits.from_config({"PARSE_MAX_MEMORY": 2 << 30, "PARSE_CPU_SECONDS": 5, "PARSE_WALL_SECONDS": 7,
                                 "PARSE_MAX_PAGES": 12, "OCR_SECONDS_PER_PAGE": 3, "OCR_MAX_SECONDS": 20,
                                 "UNRELATED": 1})
    assert (limits.max_memory, limits.cpu_seconds, limits.wall_seconds, limits.max_pages) == (2 << 30, 5, 7, 12)
    assert limits.stream_cap == (2 << 30) // 4
    assert limits.for_ocr(4).cpu_seconds == 12 and limits.for_ocr(4).wall_seconds == 12
    assert limits.for_ocr(100).wall_seconds == 20
    assert Limits.from_config({}) == Limits()


@pytest.mark.parametrize(("status", "reason"), [
    (signal.SIGXCPU, "timeout"),
    (signal.SIGKILL, "memory"),
    (signal.SIGSEGV, "failed"),
    (1 << 8, "failed"),
    (sandbox._EXIT_MEMORY << 8, "memory"),
])
def test_how_a_silent_death_is_explained(status, reason):
    class Usage:
        ru_utime = ru_stime = 0.1
        ru_maxrss = 1024

    assert sandbox._death(status, Usage(), SMALL).reason == reason


def test_a_peak_no_higher_than_the_parents_is_not_the_childs():
    class Usage:
        ru_utime = ru_stime = 0.1
        ru_maxrss = 400 * 1024  # KiB, above half of SMALL's 512 MB

    assert sandbox._death(signal.SIGABRT, Usage(), SMALL).reason == "memory"
    assert sandbox._death(signal.SIGABRT, Usage(), SMALL, inherited_maxrss=400 * 1024).reason == "failed"
