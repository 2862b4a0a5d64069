"""Fixtures of the backup tests."""
from __future__ import annotations

import pytest

from .helpers import PG_URL, PgDatabases


@pytest.fixture
def pg_databases():
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL backup tests skipped")
    databases = PgDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()
