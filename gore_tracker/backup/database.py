"""The database half of a backup: a consistent copy out, a copy back in, and whether a
target is empty. SQLite uses the online backup API (``sqlite3.Connection.backup``),
PostgreSQL the client tools ``pg_dump`` (custom format), ``pg_restore`` and ``psql``.

Nothing here deletes or updates rows: a restore replaces whole tables (SQLite: the backup
API overwrites every page; PostgreSQL: every table is dropped and the dump recreates it),
so append-only tables whose triggers refuse UPDATE, DELETE and TRUNCATE are no obstacle.
Tables are found by inspection, never listed by name.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from psycopg.conninfo import make_conninfo

from gore_tracker.extensions import db

from .archive import BackupError

BOOKKEEPING = {"alembic_version"}  # rows here do not make a database "not empty"


def backend() -> str:
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Las copias de seguridad solo funcionan con SQLite y PostgreSQL, no con {name}.")
    return name


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _tables(conn) -> list[tuple[str | None, str]]:
    inspector = sa.inspect(conn)
    if conn.dialect.name == "sqlite":
        schemas = [None]
    else:
        schemas = [s for s in inspector.get_schema_names()
                   if s != "information_schema" and not s.startswith("pg_")]
    return [(schema, table) for schema in schemas for table in inspector.get_table_names(schema=schema)]


def tables_with_rows() -> list[str]:
    """Names of the tables that hold at least one row (``alembic_version`` aside)."""
    found = []
    with db.engine.connect() as conn:
        for schema, name in _tables(conn):
            if name in BOOKKEEPING:
                continue
            table = sa.table(name, schema=schema)
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                found.append(name if schema in (None, "public") else f"{schema}.{name}")
    return found


def dump(dest: Path) -> None:
    """Write a consistent copy of the whole database to ``dest``."""
    if backend() == "sqlite":
        _sqlite_copy(_sqlite_path(), dest)
    else:
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(dest)])


def restore(source: Path) -> None:
    """Replace the whole database with the copy in ``source`` (one transaction)."""
    db.session.remove()
    db.engine.dispose()
    if backend() == "sqlite":
        _sqlite_copy(source, _sqlite_path())
        return
    script = source.with_name("restore.sql")
    _run("pg_restore", ["--no-owner", "--no-privileges", "--clean", "--if-exists",
                        "--file", str(script), str(source)], connect=False)
    drops = source.with_name("drop.sql")
    with db.engine.connect() as conn:
        quote = conn.dialect.identifier_preparer.quote
        statements = [f"DROP TABLE IF EXISTS {quote(schema)}.{quote(name)} CASCADE;"
                      for schema, name in _tables(conn)]
    db.engine.dispose()
    drops.write_text("\n".join(statements) + "\n")
    _run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                  "-f", str(drops), "-f", str(script)])


def _sqlite_path() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Solo se puede copiar una base de datos SQLite guardada en un archivo.")
    return Path(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"No existe la base de datos SQLite {source}.")
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"No se pudo copiar la base de datos SQLite: {exc}.") from exc
    finally:
        src.close()


def _connection() -> tuple[str, dict]:
    """A libpq connection string without the password, and an environment carrying it
    (``PGPASSWORD``), so the password never appears on a command line."""
    url = db.engine.url
    params = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        params[key] = value[-1] if isinstance(value, tuple) else value
    password = params.pop("password", None) or url.password
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}), env


def _run(tool: str, args: list[str], *, connect: bool = True) -> None:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(f"No se encontró {tool} en el PATH: instale el cliente de PostgreSQL "
                          "(p. ej. apt-get install postgresql-client).")
    env = dict(os.environ)
    if connect:
        conninfo, env = _connection()
        args = [*args, "--dbname", conninfo]
    result = subprocess.run([binary, *args], check=False, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else "")
        raise BackupError(f"{tool} falló (código {result.returncode}): {detail.strip()}")
