"""Installations of their own for backup tests: committed databases (SQLite files, or
PostgreSQL databases created and dropped here) that other processes — pg_dump, psql —
can see, unlike the rolled-back transaction of the ``app`` fixture."""
from __future__ import annotations

import io
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gore_tracker import create_app
from gore_tracker.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))


def installation(uri: str, root: Path):
    """An app for ``uri`` with its own FILES_DIR under ``root``."""
    return create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test-secret",
        "FILES_DIR": str(root / "files"), "MAIL_SERVER": "", "MAIL_DIR": str(root / "mail"),
        "SQLALCHEMY_ENGINE_OPTIONS": {}, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOG_LEVEL": "WARNING",
    })


def cli(app, *args):
    """Run ``flask ARGS`` against ``app`` in a fresh app context; return the result."""
    with app.app_context():
        try:
            return app.test_cli_runner().invoke(args=list(args))
        finally:
            db.session.remove()
            db.engine.dispose()


def ok(app, *args):
    result = cli(app, *args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def store_files(app, contents) -> None:
    from gore_tracker.evidence.storage import store

    with app.app_context():
        for i, data in enumerate(contents):
            store(io.BytesIO(data), f"prueba-{i}.bin")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class PgDatabases:
    """Create PostgreSQL databases named after TEST_DATABASE_URL's and the xdist worker's
    (``<name>_gw0_src``…), so tests on two workers never drop each other's, and drop them all
    at the end."""

    def __init__(self):
        self.base = make_url(PG_URL)
        self.admin = sa.create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self, suffix: str) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
        name = f"{self.base.database}_{worker}_{suffix}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def snapshot_tables(app) -> dict[str, list]:
    """Every table's rows (sorted), by table name, read by reflection."""
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                meta = sa.MetaData()
                meta.reflect(conn)
                return {name: sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
                        for name, table in meta.tables.items()}
        finally:
            db.engine.dispose()


def snapshot_files(app) -> dict[str, bytes]:
    root = Path(app.config["FILES_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(root).parts)}
