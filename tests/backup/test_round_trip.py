"""A full installation (migrations, reference and demo data, stored files, and an extra
append-only table the backup code has never heard of) backed up and restored into an
empty one, on SQLite and on PostgreSQL: every table row by row, every file byte by byte."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from gore_tracker.extensions import db

from .helpers import (
    PDF,
    PNG,
    cli,
    installation,
    ok,
    snapshot_files,
    snapshot_tables,
    store_files,
)

# Stands for any table added later, such as an audit log whose triggers refuse UPDATE,
# DELETE and TRUNCATE: restore must replace it without any of those.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TABLE extra_log (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
        ("CREATE TRIGGER extra_log_no_update BEFORE UPDATE ON extra_log "
         "BEGIN SELECT RAISE(ABORT, 'append-only'); END"),
        ("CREATE TRIGGER extra_log_no_delete BEFORE DELETE ON extra_log "
         "BEGIN SELECT RAISE(ABORT, 'append-only'); END"),
    ],
    "postgresql": [
        "CREATE TABLE extra_log (id serial PRIMARY KEY, note text NOT NULL)",
        ("CREATE FUNCTION extra_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
         "$$ BEGIN RAISE EXCEPTION 'append-only'; END $$"),
        ("CREATE TRIGGER extra_log_no_change BEFORE UPDATE OR DELETE ON extra_log "
         "FOR EACH ROW EXECUTE FUNCTION extra_log_refuse()"),
        ("CREATE TRIGGER extra_log_no_truncate BEFORE TRUNCATE ON extra_log "
         "FOR EACH STATEMENT EXECUTE FUNCTION extra_log_refuse()"),
    ],
}


def _populate(app, kind: str) -> None:
    ok(app, "db", "upgrade")
    ok(app, "refdata", "load")
    ok(app, "demo", "load")
    store_files(app, [PDF, PNG, PDF + b"% otra version\n"])
    with app.app_context():
        with db.engine.begin() as conn:
            for statement in APPEND_ONLY[kind]:
                conn.execute(sa.text(statement))
            conn.execute(sa.text("INSERT INTO extra_log (note) VALUES ('uno'), ('dos')"))
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), conn.begin_nested():
                conn.execute(sa.text("DELETE FROM extra_log"))
        db.engine.dispose()


def _urls(kind, tmp_path, request) -> list[str]:
    names = ("src", "dst", "bare")
    if kind == "sqlite":
        return [f"sqlite:///{tmp_path / name}.sqlite3" for name in names]
    databases = request.getfixturevalue("pg_databases")
    return [databases.create(name) for name in names]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_round_trip(kind, tmp_path, request):
    src_url, dst_url, bare_url = _urls(kind, tmp_path, request)
    src = installation(src_url, tmp_path / "src")
    _populate(src, kind)
    expected_tables, expected_files = snapshot_tables(src), snapshot_files(src)
    assert len(expected_files) > 3 and expected_tables["extra_log"]  # demo evidence + ours
    archive = tmp_path / "gore.tar.gz"
    created = ok(src, "backup", "create", str(archive))
    assert f", {len(expected_files)} archivos," in created.output
    assert "Copia válida" in ok(src, "backup", "verify", str(archive)).output

    # Into a migrated database (schema present, no rows) and into one never migrated.
    dst = installation(dst_url, tmp_path / "dst")
    ok(dst, "db", "upgrade")
    bare = installation(bare_url, tmp_path / "bare")
    for target in (dst, bare):
        restored = ok(target, "backup", "restore", str(archive))
        assert "Copia restaurada" in restored.output and "db upgrade" not in restored.output
        assert snapshot_tables(target) == expected_tables
        assert snapshot_files(target) == expected_files

    # Now the target has data: refused without --force, and nothing changes.
    store_files(dst, [PNG + b"nuevo"])
    refused = cli(dst, "backup", "restore", str(archive))
    assert refused.exit_code == 1
    assert "no está vacía" in refused.output and "--force" in refused.output
    assert len(snapshot_files(dst)) == len(expected_files) + 1

    # --force replaces everything (the append-only table too), and drops the extra file.
    ok(dst, "backup", "restore", "--force", str(archive))
    assert snapshot_tables(dst) == expected_tables
    assert snapshot_files(dst) == expected_files
    ok(dst, "db", "upgrade")
    with dst.app_context():
        assert dst.test_client().get("/login").status_code == 200
        db.engine.dispose()


@pytest.mark.slow
def test_backup_of_one_backend_is_refused_by_the_other(tmp_path, pg_databases):
    lite = installation(f"sqlite:///{tmp_path / 'lite.sqlite3'}", tmp_path / "lite")
    pg = installation(pg_databases.create("dst"), tmp_path / "pg")
    for app in (lite, pg):
        ok(app, "db", "upgrade")
    ok(lite, "backup", "create", str(tmp_path / "lite.tar.gz"))
    ok(pg, "backup", "create", str(tmp_path / "pg.tar.gz"))
    into_pg = cli(pg, "backup", "restore", "--force", str(tmp_path / "lite.tar.gz"))
    assert into_pg.exit_code == 1
    assert "La copia es de SQLite y esta instalación usa PostgreSQL" in into_pg.output
    into_lite = cli(lite, "backup", "restore", "--force", str(tmp_path / "pg.tar.gz"))
    assert into_lite.exit_code == 1
    assert "La copia es de PostgreSQL y esta instalación usa SQLite" in into_lite.output
