"""``flask backup`` on the test installation (SQLite and PostgreSQL): what an archive holds,
and every bad input ending as one line and a non-zero exit, with nothing changed."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import tarfile

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gore_tracker.backup import archive as backup_archive
from gore_tracker.extensions import db

from .helpers import PDF, PG_URL, installation


@pytest.fixture
def stored(app):
    from gore_tracker.evidence.storage import store

    row = store(io.BytesIO(PDF), "acta.pdf")
    db.session.commit()
    return row


@pytest.fixture
def made(app, runner, stored, tmp_path):
    path = tmp_path / "gore.tar.gz"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    return path


def members(path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def rewrite(path, contents: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def fails(result, *fragments) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_archive_holds_database_files_and_manifest(made, stored, backend, runner):
    contents = members(made)
    manifest = json.loads(contents.pop("manifest.json"))
    database = "database.sqlite3" if backend == "sqlite" else "database.pgdump"
    file_member = f"files/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"
    assert set(contents) == {database, file_member}
    assert contents[file_member] == PDF
    assert manifest["format"] == "gore-backup/1" and manifest["backend"] == backend
    assert manifest["alembic_revision"] == db.session.execute(
        sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert manifest["app_version"] and manifest["created_at"].endswith("+00:00")
    assert {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in contents.items()}
    result = runner.invoke(args=["backup", "verify", str(made)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Copia válida: {made} — ") and len(result.output.splitlines()) == 1


def _flip_file(contents):
    name = next(n for n in contents if n.startswith("files/"))
    contents[name] = contents[name][:-1] + b"X"


def _flip_manifest(contents):
    manifest = json.loads(contents["manifest.json"])
    manifest["members"][0]["sha256"] = "0" * 64
    contents["manifest.json"] = json.dumps(manifest).encode()


def _drop_database(contents):
    del contents[next(n for n in contents if n.startswith("database."))]


TAMPERING = {
    "changed file": (_flip_file, "no coincide"),
    "changed manifest": (_flip_manifest, "no coincide"),
    "missing member": (_drop_database, "falta"),
    "extra member": (lambda c: c.update({"files/../../evil": b"x"}), "miembro inesperado"),
    "unlisted file": (lambda c: c.update({f"files/00/00/0000{'0' * 60}": b""}), "no figura"),
    "no manifest": (lambda c: c.pop("manifest.json"), "le falta manifest.json"),
    "broken manifest": (lambda c: c.update({"manifest.json": b"{not json"}), "manifest.json está dañado"),
}


@pytest.mark.parametrize("damage", TAMPERING)
def test_verify_and_restore_refuse_a_tampered_archive(made, runner, damage):
    change, message = TAMPERING[damage]
    contents = members(made)
    change(contents)
    rewrite(made, contents)
    fails(runner.invoke(args=["backup", "verify", str(made)]), message)
    # Restore verifies first: the damage is reported before the target's data (no --force
    # here, so that a failure of this test can never replace the shared test database).
    fails(runner.invoke(args=["backup", "restore", str(made)]), message)


@pytest.mark.parametrize("content", [b"", b"hola, no soy un archivo tar\n", "truncated"])
def test_verify_refuses_what_is_not_a_whole_archive(made, runner, content):
    data = made.read_bytes()[: made.stat().st_size // 2] if content == "truncated" else content
    made.write_bytes(data)
    fails(runner.invoke(args=["backup", "verify", str(made)]), "no es una copia de seguridad legible")


def test_missing_paths(runner, tmp_path):
    fails(runner.invoke(args=["backup", "verify", str(tmp_path / "nada.tar.gz")]), "No existe el archivo")
    fails(runner.invoke(args=["backup", "restore", str(tmp_path)]), "no es un archivo")
    fails(runner.invoke(args=["backup", "create", str(tmp_path / "no" / "b.tar.gz")]), "No existe la carpeta")
    fails(runner.invoke(args=["backup", "create", str(tmp_path)]), "es una carpeta")


def test_create_refuses_a_damaged_stored_file_and_leaves_no_archive(app, runner, stored, tmp_path):
    from gore_tracker.evidence.storage import path_for

    damaged = path_for(stored.sha256)
    damaged.chmod(stat.S_IWUSR | stat.S_IRUSR)
    damaged.write_bytes(PDF + b"corrupto")
    out = tmp_path / "out"
    out.mkdir()
    fails(runner.invoke(args=["backup", "create", str(out / "b.tar.gz")]), "está dañado", stored.sha256)
    assert list(out.iterdir()) == []


def test_restore_refuses_a_target_with_data_without_force(made, runner, app):
    before = db.session.execute(sa.text("SELECT count(*) FROM organization")).scalar_one()
    assert before > 0  # reference data
    fails(runner.invoke(args=["backup", "restore", str(made)]), "no está vacía", "organization", "--force")
    assert db.session.execute(sa.text("SELECT count(*) FROM organization")).scalar_one() == before


def _foreign(tmp_path, **meta) -> str:
    """A well-formed archive (its checksums are right) with the given manifest fields."""
    dump = tmp_path / "dump"
    dump.write_bytes(b"not really a dump")
    meta = {"app_version": "0.1.0", "backend": "postgresql", "alembic_revision": None,
            "created_at": "2026-01-01T00:00:00+00:00", **meta}
    path = tmp_path / "foreign.tar.gz"
    backup_archive.write(path, [(backup_archive.DB_MEMBERS[meta["backend"]], dump)], meta)
    return str(path)


def test_restore_refuses_a_backup_of_the_other_backend(runner, backend, tmp_path):
    other = "postgresql" if backend == "sqlite" else "sqlite"
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    fails(runner.invoke(args=["backup", "restore", _foreign(tmp_path, backend=other)]),
          f"La copia es de {labels[other]} y esta instalación usa {labels[backend]}")


def test_restore_refuses_a_backup_from_newer_code(runner, backend, tmp_path):
    fails(runner.invoke(args=["backup", "restore",
                              _foreign(tmp_path, backend=backend, alembic_revision="ffffffffffff")]),
          "ffffffffffff", "actualice el código")


def test_restore_refuses_stored_files_in_the_target(tmp_path):
    target = installation(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "target")
    sha = hashlib.sha256(PDF).hexdigest()
    stray = tmp_path / "target" / "files" / sha[:2] / sha[2:4] / sha
    stray.parent.mkdir(parents=True)
    stray.write_bytes(PDF)
    foreign = _foreign(tmp_path, backend="sqlite")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "restore", foreign])
        db.engine.dispose()
    fails(result, "La carpeta de archivos", "no está vacía", "--force")
    assert stray.read_bytes() == PDF


def _fake_tool(folder, name):
    """A stand-in for a PostgreSQL client tool that records its arguments and PGPASSWORD."""
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$@" > "{folder}/args"\necho "$PGPASSWORD" > "{folder}/env"\n'
                      'echo "pg_dump: error: pretend failure" >&2\nexit 1\n')
    script.chmod(0o755)


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set: PostgreSQL backup tests skipped")
def test_pg_dump_gets_the_password_from_the_environment_not_the_command_line(tmp_path, monkeypatch):
    url = make_url(PG_URL).set(password="s3cret-pw").render_as_string(hide_password=False)
    app = installation(url, tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with app.app_context():
        _fake_tool(tmp_path, "pg_dump")
        result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b.tar.gz")])
        fails(result, "pg_dump falló", "pretend failure")
        assert "s3cret-pw" not in (tmp_path / "args").read_text()
        assert "dbname=" in (tmp_path / "args").read_text()
        assert (tmp_path / "env").read_text().strip() == "s3cret-pw"
        (tmp_path / "pg_dump").unlink()
        result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b.tar.gz")])
        fails(result, "No se encontró pg_dump en el PATH")
        db.engine.dispose()
    assert not (tmp_path / "b.tar.gz").exists()
    assert os.environ["PATH"] == str(tmp_path)


def test_backup_is_a_committed_snapshot_while_a_write_is_open(app, runner, backend, make, tmp_path):
    make.user("viewer", email="comprometido@example.org", commit=False)
    db.session.commit()
    make.user("viewer", email="pendiente@example.org", commit=False)
    db.session.flush()  # an open write transaction, as in a request being served
    path = tmp_path / "b.tar.gz"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    dump = members(path)["database.sqlite3" if backend == "sqlite" else "database.pgdump"]
    if backend == "sqlite":
        (tmp_path / "copy.sqlite3").write_bytes(dump)
        copy = sqlite3.connect(tmp_path / "copy.sqlite3")
        emails = {row[0] for row in copy.execute("SELECT email FROM user_account")}
        copy.close()
        assert "pendiente@example.org" not in emails
        assert "comprometido@example.org" in emails
    else:  # the PostgreSQL fixture never commits for real: pg_dump sees neither
        (tmp_path / "dump").write_bytes(dump)
        script = subprocess.run(["pg_restore", "--data-only", "-f", "-", str(tmp_path / "dump")],
                                capture_output=True, text=True, check=True).stdout
        # The table's schema is the test worker's own (tests/pgschema.py), "public" in production.
        assert re.search(r"^COPY \w+\.user_account ", script, re.M) and "@example.org" not in script
    assert db.session.execute(sa.text("SELECT count(*) FROM user_account")).scalar_one() == 2
