"""A PostgreSQL schema of its own for each pytest process (each xdist worker, or "master").

Every worker creates ``t_<worker>_<random>`` in the TEST_DATABASE_URL database and gets a URL
whose connections start with ``search_path`` set to it (libpq ``options``, passed through by
psycopg 3), so the migrations, alembic's version table, the app and any child process given
that URL all live in the worker's schema and never meet another worker's rows.

A worker holds a session-level advisory lock named after its schema for as long as it runs.
A schema whose lock nobody holds was left by a run that died: the next run drops it.
"""
from __future__ import annotations

import re
import secrets
import sys
import zlib

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

PREFIX = "t_"
_NAME = re.compile(r"^t_[a-z0-9]+_[0-9a-f]{8}$")
_LOCK_CLASS = 0x607E  # first key of the two-int advisory locks taken here


def with_options(url: str, *options: str) -> str:
    """``url`` with libpq run-time ``options`` (``-c name=value``) added to those it already has.

    Use it instead of ``connect_args={"options": ...}``, which would replace the worker's
    ``search_path``."""
    parsed = make_url(url)
    current = parsed.query.get("options", "")
    if isinstance(current, tuple):
        current = " ".join(current)
    merged = " ".join(o for o in (current, *options) if o)
    return parsed.update_query_dict({"options": merged}).render_as_string(hide_password=False)


def _lock_key(schema: str) -> int:
    key = zlib.crc32(schema.encode())
    return key - 2**32 if key >= 2**31 else key


def _drop(conn: Connection, schema: str) -> None:
    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


class WorkerSchema:
    """Create (``open``) and drop (``close``) one worker's schema; ``url`` points into it."""

    def __init__(self, base_url: str, worker: str):
        self.base_url = base_url
        worker = re.sub(r"[^a-z0-9]", "", worker.lower()) or "master"
        self.name = f"{PREFIX}{worker}_{secrets.token_hex(4)}"
        # synchronous_commit=off: the tests that commit for real need not wait for the disk
        self.url = with_options(base_url, f"-c search_path={self.name}", "-c synchronous_commit=off")
        self._engine = create_engine(base_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._lease: Connection | None = None

    def open(self) -> str:
        self._lease = self._engine.connect()
        self._lease.execute(text("SELECT pg_advisory_lock(:c, :k)"), {"c": _LOCK_CLASS, "k": _lock_key(self.name)})
        self._drop_abandoned()
        self._lease.execute(text(f'CREATE SCHEMA "{self.name}"'))
        return self.url

    def _drop_abandoned(self) -> None:
        names = self._lease.scalars(text(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": PREFIX + "%"}).all()
        for name in names:
            if not _NAME.match(name) or name == self.name:
                continue
            params = {"c": _LOCK_CLASS, "k": _lock_key(name)}
            if self._lease.scalar(text("SELECT pg_try_advisory_lock(:c, :k)"), params):
                try:
                    _drop(self._lease, name)
                finally:
                    self._lease.execute(text("SELECT pg_advisory_unlock(:c, :k)"), params)

    def close(self) -> None:
        if self._lease is None:
            return
        try:
            # A connection a test forgot inside a transaction would make the drop wait forever;
            # then the schema stays until the next run finds it abandoned.
            self._lease.execute(text("SET lock_timeout = '20s'"))
            _drop(self._lease, self.name)
        except Exception as exc:  # noqa: BLE001  (teardown: say it, do not hide the run's result)
            print(f"\ntests/pgschema.py: could not drop schema {self.name}: {exc}", file=sys.stderr)
        finally:
            self._lease.close()
            self._lease = None
            self._engine.dispose()
