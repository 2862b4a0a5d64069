"""`flask actas parse` and `flask actas import` through the CLI runner (and a real process).

Mechanics use a stub parser (``IMPORT_PARSER``: the expected .json beside each sample);
the tests marked ``real parser`` go through ``parse_acta`` itself, in the sandbox's child, by
way of the session's cache of parses (tests/parse_cache.py): a sample already parsed in this
session (tests/importers/test_parser_samples.py, or the test before) is not parsed again."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from tests.conftest import PG_URL
from tests.parse_cache import CACHED_PARSER, SCANS_GROUP

pytestmark = pytest.mark.slow  # nearly every test runs sandboxed parses or a flask process

ROOT = Path(__file__).resolve().parent.parent.parent
ACTAS = ROOT / "tests" / "fixtures" / "actas"
MANIFEST = json.loads((ACTAS / "manifest.json").read_text("utf-8"))["files"]
SCHEMA = json.loads((ACTAS / "acta.schema.json").read_text("utf-8"))
TEXT_ACTAS = sorted(n for n, f in MANIFEST.items() if f["kind"] == "text")
SCANS = sorted(n for n, f in MANIFEST.items() if f["kind"] == "scanned")
MALFORMED = sorted(n for n, f in MANIFEST.items() if f["kind"] == "malformed")
STUB = "tests.importers.stub_parser:"
MESSAGES = {  # the sample's reason -> words its one line must say
    "malformed-empty.pdf": "vacío",
    "malformed-encrypted.pdf": "contraseña",
    "malformed-not-acta.pdf": "no parece un acta",
    "malformed-truncated.pdf": "incompleto o dañado",
}


def _has_ocr() -> bool:
    if not shutil.which("ocrmypdf") or not shutil.which("tesseract"):
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return "spa" in langs.stdout.split()


needs_ocr = pytest.mark.skipif(
    not _has_ocr(), reason="OCR no instalado: apt-get install ocrmypdf tesseract-ocr-spa")


@pytest.fixture
def small_limits(app):
    app.config.update(PARSE_MAX_MEMORY=768 * 1024 * 1024, PARSE_CPU_SECONDS=30, PARSE_WALL_SECONDS=45)
    return app


@pytest.fixture
def real_parser(app, small_limits):
    app.config["IMPORT_PARSER"] = CACHED_PARSER
    return app


@pytest.fixture
def stub(app, small_limits):
    app.config["IMPORT_PARSER"] = STUB + "from_expected"
    return app


def _meetings() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Meeting.id)))


def _one_error_line(result, *words):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ flask actas parse
def test_parse_prints_the_document_and_warnings_go_to_stderr(runner, stub):
    result = runner.invoke(args=["actas", "parse", str(ACTAS / "seed-ayacucho-2020-12-08.pdf")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((ACTAS / "seed-ayacucho-2020-12-08.json").read_text("utf-8"))
    assert result.stderr.strip() == "Aviso: Lugar leído por la prueba. [meeting.place]"


@pytest.mark.parametrize("name", TEXT_ACTAS)
def test_parse_with_the_real_parser_prints_a_valid_gore_acta(runner, real_parser, name):
    result = runner.invoke(args=["actas", "parse", str(ACTAS / name)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["source"]["sha256"] == hashlib.sha256((ACTAS / name).read_bytes()).hexdigest()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_samples_exit_2_with_their_message(runner, small_limits, name):
    result = runner.invoke(args=["actas", "parse", str(ACTAS / name)])
    _one_error_line(result, name, MESSAGES[name])


def test_missing_file_and_folder_exit_2(runner, tmp_path):
    _one_error_line(runner.invoke(args=["actas", "parse", str(tmp_path / "no-existe.pdf")]), "No existe")
    _one_error_line(runner.invoke(args=["actas", "parse", str(tmp_path)]), "carpeta")


def _flask(*args, env_extra=None, tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
           "FILES_DIR": str(tmp_path / "files"), "PARSE_MAX_MEMORY": str(768 * 1024 * 1024),
           "PARSE_CPU_SECONDS": "30", "PARSE_WALL_SECONDS": "45", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_samples_in_a_real_process(tmp_path, name):
    done = _flask("actas", "parse", str(ACTAS / name), tmp_path=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert MESSAGES[name] in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------ flask actas import
def _import(runner, user, *paths, dry_run=False):
    args = ["actas", "import", "--user", user.email, *map(str, paths)]
    return runner.invoke(args=args + (["--dry-run"] if dry_run else []))


def _section(stdout: str, title: str) -> dict[str, str]:
    """{file name: why} of one section of the summary."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    count = int(lines[start].rsplit(":", 1)[1])
    rows = {}
    for line in lines[start + 1:start + 1 + count]:
        path, why = line.strip().split(": ", 1)
        rows[Path(path).name] = why
    return rows


def test_import_the_samples_twice_imports_each_acta_once(runner, stub, make):
    admin = make.user("admin")
    first = _import(runner, admin, ACTAS)
    assert first.exit_code == 1, first.output  # the malformed samples fail
    assert "Importando actas" in first.stderr  # the progress bar
    imported = _section(first.stdout, "Importadas")
    assert sorted(imported) == TEXT_ACTAS
    assert all("compromisos" in why for why in imported.values())
    skipped = _section(first.stdout, "Omitidas")
    assert sorted(skipped) == SCANS
    assert all(why.startswith("acta ya registrada (reunión ") for why in skipped.values())
    failed = _section(first.stdout, "Con errores")
    assert sorted(failed) == MALFORMED
    assert "vacío" in failed["malformed-empty.pdf"] and "contraseña" in failed["malformed-encrypted.pdf"]
    assert _meetings() == len(TEXT_ACTAS)

    second = _import(runner, admin, ACTAS)
    assert second.exit_code == 1
    assert _section(second.stdout, "Importadas") == {}
    skipped = _section(second.stdout, "Omitidas")
    assert sorted(skipped) == sorted(TEXT_ACTAS + SCANS)
    assert all(skipped[n].startswith("archivo ya importado (reunión ") for n in TEXT_ACTAS)
    assert all(skipped[n].startswith("acta ya registrada (reunión ") for n in SCANS)
    assert _meetings() == len(TEXT_ACTAS)


def test_imported_meeting_keeps_its_pdf_and_the_commitment_pages(runner, stub, make):
    admin = make.user("admin")
    pdf = ACTAS / "acta-2017-10-02-produce.pdf"
    result = _import(runner, admin, pdf)
    assert result.exit_code == 0, result.output
    meeting = db.session.scalars(select(Meeting)).one()
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert meeting.source_sha256 == digest
    assert meeting.source_file is not None and meeting.source_file.sha256 == digest
    assert meeting.source_filename == pdf.name
    assert meeting.created_by_id == admin.id


def test_one_transaction_per_file_and_exit_0_when_nothing_failed(runner, stub, make, tmp_path):
    admin = make.user("admin")
    folder = tmp_path / "actas"
    folder.mkdir()
    for name in ("acta-2017-10-02-produce", "acta-2023-02-06-minedu", "malformed-truncated"):
        for ext in (".pdf", ".json"):
            shutil.copy(ACTAS / f"{name}{ext}", folder / f"{name}{ext}")
    (folder / "notas.txt").write_text("no es un pdf", "utf-8")  # not *.pdf: ignored
    result = _import(runner, admin, folder)
    assert result.exit_code == 1
    assert sorted(_section(result.stdout, "Importadas")) == ["acta-2017-10-02-produce.pdf",
                                                             "acta-2023-02-06-minedu.pdf"]
    assert _meetings() == 2  # the failure did not undo the others
    (folder / "malformed-truncated.pdf").unlink()
    again = _import(runner, admin, folder)
    assert again.exit_code == 0, again.output
    assert _meetings() == 2


def test_dry_run_saves_nothing_but_reports_what_would_happen(runner, stub, make, app):
    admin = make.user("admin")
    result = _import(runner, admin, ACTAS, dry_run=True)
    assert result.exit_code == 1
    imported = _section(result.stdout, "Importadas (simulación, nada se guardó)")
    assert sorted(imported) == TEXT_ACTAS
    assert all(why.startswith("se importaría") for why in imported.values())
    assert sorted(_section(result.stdout, "Omitidas")) == SCANS  # copies collide within the run
    assert _meetings() == 0
    files = Path(app.config["FILES_DIR"])
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))


def test_same_file_twice_in_one_run_is_skipped(runner, stub, make, tmp_path):
    admin = make.user("admin")
    copy = tmp_path / "copia.pdf"
    shutil.copy(ACTAS / "acta-2017-10-02-produce.pdf", copy)
    shutil.copy(ACTAS / "acta-2017-10-02-produce.json", tmp_path / "copia.json")
    result = _import(runner, admin, ACTAS / "acta-2017-10-02-produce.pdf", copy)
    assert result.exit_code == 0, result.output
    assert _section(result.stdout, "Omitidas") == {"copia.pdf": "mismo archivo que acta-2017-10-02-produce.pdf"}
    assert _meetings() == 1


def test_unknown_regional_government_fails_that_file_with_the_reason(runner, stub, make, app):
    app.config["IMPORT_PARSER"] = STUB + "unknown_region"
    admin = make.user("admin")
    result = _import(runner, admin, ACTAS / "acta-2017-10-02-produce.pdf")
    assert result.exit_code == 1
    why = _section(result.stdout, "Con errores")["acta-2017-10-02-produce.pdf"]
    assert why.startswith("regions.0.region: ")
    assert _meetings() == 0


def test_a_liaison_imports_only_actas_of_their_sector(runner, stub, make):
    liaison = make.user("liaison", "Ministerio de la Producción")
    result = _import(runner, liaison, ACTAS / "acta-2017-10-02-produce.pdf", ACTAS / "acta-2023-02-06-minedu.pdf")
    assert result.exit_code == 1
    assert sorted(_section(result.stdout, "Importadas")) == ["acta-2017-10-02-produce.pdf"]
    assert "propio sector" in _section(result.stdout, "Con errores")["acta-2023-02-06-minedu.pdf"]


def test_files_over_the_upload_cap_fail(runner, stub, make, app):
    app.config["IMPORT_MAX_BYTES"] = 1000
    result = _import(runner, make.user("admin"), ACTAS / "acta-2017-10-02-produce.pdf")
    assert result.exit_code == 1
    assert "supera el máximo" in _section(result.stdout, "Con errores")["acta-2017-10-02-produce.pdf"]


@pytest.mark.parametrize(("role", "message"), [(None, "No existe una cuenta"), ("viewer", "no puede registrar")])
def test_import_needs_an_account_that_records_actas(runner, stub, make, role, message):
    email = make.user(role).email if role else "nadie@example.pe"
    result = runner.invoke(args=["actas", "import", "--user", email, str(ACTAS)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert _meetings() == 0


def test_missing_path_is_a_failure(runner, stub, make, tmp_path):
    result = _import(runner, make.user("admin"), tmp_path / "no-existe")
    assert result.exit_code == 1
    assert _section(result.stdout, "Con errores") == {"no-existe": "no existe el archivo o la carpeta"}


@needs_ocr
@pytest.mark.ocr
@pytest.mark.xdist_group(SCANS_GROUP)  # after test_parser_samples.py has OCR'd the scans, on this worker
def test_real_parser_import_the_samples_twice_imports_each_acta_once(runner, real_parser, make, backend):
    """The issue's "done when": each acta once, scans skipped as already recorded.

    Real parses and OCR of the whole corpus take most of a minute: run once, on PostgreSQL
    (production's database) when it is there. The stub-parser variant covers both."""
    if backend == "sqlite" and PG_URL:
        pytest.skip("run on PostgreSQL only (the same import, a minute of real parsing)")
    admin = make.user("admin")
    first = _import(runner, admin, ACTAS)
    assert first.exit_code == 1, first.output
    assert sorted(_section(first.stdout, "Importadas")) == TEXT_ACTAS, first.output
    skipped = _section(first.stdout, "Omitidas")
    assert sorted(skipped) == SCANS, first.output
    assert all(why.startswith("acta ya registrada") for why in skipped.values())
    failed = _section(first.stdout, "Con errores")
    assert sorted(failed) == MALFORMED
    for name, words in MESSAGES.items():
        assert words in failed[name]
    second = _import(runner, admin, ACTAS)
    assert _section(second.stdout, "Importadas") == {}
    assert sorted(_section(second.stdout, "Omitidas")) == sorted(TEXT_ACTAS + SCANS)
    assert _meetings() == len(TEXT_ACTAS)
