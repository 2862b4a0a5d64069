"""`flask db upgrade` from an empty database gives exactly the models' schema; downgrade works.

SQLite always; PostgreSQL when TEST_DATABASE_URL is set, in a database of its own, created and
dropped here: ``<test database>_migrations_<worker>`` (e.g. ``test_migrations_gw1``), so neither
the workers' test schemas nor another run on the same server (another worker, another test
database) can meet it.
"""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from gore_tracker import create_app
from gore_tracker.extensions import db
from tests.conftest import PG_URL, WORKER

pytestmark = pytest.mark.slow  # migrations up, down and up again

PG_DB = f"{make_url(PG_URL).database}_migrations_{WORKER}" if PG_URL else ""


def _compare(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def _check_round_trip(uri: str, tmp_path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "FILES_DIR": str(tmp_path / "files"),
                      "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_ENGINE_OPTIONS": {}})
    runner = app.test_cli_runner()
    with app.app_context():
        try:
            result = runner.invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as conn:
                assert _compare(conn) == []
                tables = set(inspect(conn).get_table_names())
            assert {"organization", "user_account", "meeting", "commitment", "status_update",
                    "stored_file", "alembic_version"} <= tables

            # The reference data loads into the migrated schema.
            result = runner.invoke(args=["refdata", "load"])
            assert result.exit_code == 0 and "45 creados" in result.output, result.output

            result = runner.invoke(args=["db", "downgrade", "base"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as conn:
                assert set(inspect(conn).get_table_names()) <= {"alembic_version"}

            # And up again: the downgrade left nothing behind that breaks a new upgrade.
            result = runner.invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as conn:
                assert _compare(conn) == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    _check_round_trip(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path)


@pytest.fixture
def pg_database():
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL migration test skipped")
    import psycopg

    url = make_url(PG_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    run(f'CREATE DATABASE "{PG_DB}"')
    try:
        yield url.set(database=PG_DB).render_as_string(hide_password=False)
    finally:
        run(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def test_postgresql_upgrade_matches_models_and_downgrades(pg_database, tmp_path):
    _check_round_trip(pg_database, tmp_path)
