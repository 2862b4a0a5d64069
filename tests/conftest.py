"""Shared fixtures: the app on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set).

SQLite: the schema is built once per session with the migrations (``flask db upgrade``)
into a template file, which every test gets a fresh copy of.
PostgreSQL: the schema is built once with the migrations; each test then runs inside
an outer transaction that is rolled back at the end (the session commits to savepoints),
so no test can leave data behind.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from gore_tracker import create_app
from gore_tracker.extensions import db
from tests.browser import _browser, live_server, page, phone_page  # noqa: F401  (fixtures)
from tests.smtp import mail_config, smtp_server  # noqa: F401  (fixtures)

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# `make test` with PostgreSQL runs two pytest processes side by side (one per core):
# TEST_SHARD=postgresql takes the tests that use the PostgreSQL test schema, and
# TEST_SHARD=sqlite all the others. Only one process ever touches that schema.
SHARD = os.environ.get("TEST_SHARD", "")


def _uses_test_schema(item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("app") == "postgresql":
        return True
    return "pg_schema" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    if SHARD not in ("sqlite", "postgresql"):
        return
    want = SHARD == "postgresql"
    keep = [it for it in items if _uses_test_schema(it) == want]
    drop = [it for it in items if _uses_test_schema(it) != want]
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def _base_config(tmp_path, uri: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": "test-secret",
        "FILES_DIR": str(tmp_path / "files"),
        "MAIL_SERVER": "",  # never a real server from the environment
        "MAIL_DIR": str(tmp_path / "mail"),
        "BASE_URL": "http://testserver",
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt is deliberately slow
        "RATELIMIT_ENABLED": False,  # the limiter's own tests (tests/auth/) turn it on
    }


def _migrate_and_seed(app) -> None:
    from flask_migrate import upgrade

    from gore_tracker.organizations.operations import load_reference

    with app.app_context():
        upgrade()
        load_reference()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app(_base_config(path.parent, f"sqlite:///{path}"))
    _migrate_and_seed(app)
    return path


@pytest.fixture(scope="session")
def pg_schema(tmp_path_factory):
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    app = create_app(_base_config(tmp_path_factory.mktemp("pg"), PG_URL))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()
    _migrate_and_seed(app)
    return PG_URL


def _fresh_g_per_request(app) -> None:
    """The test holds an app context open, and Flask reuses it for every request made
    inside it, so ``g`` (Flask-Login's user, the CSRF token) would leak from one request
    (or client) to the next. Start every request with an empty ``g``, as in production."""
    from flask import g

    def _clear():
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, _clear)


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        app = create_app(_base_config(tmp_path, f"sqlite:///{path}"))
        _fresh_g_per_request(app)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
        return
    url = request.getfixturevalue("pg_schema")
    app = create_app(_base_config(tmp_path, url))
    _fresh_g_per_request(app)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            db.engine.dispose()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name if hasattr(db, "engine") else "sqlite"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login_as(client):
    """Sign a user in through the real login form (CSRF on)."""

    def _login(user, password: str = "correct-horse-battery"):
        form = client.get("/login")
        response = client.post("/login", data={
            "csrf_token": csrf_from(form.get_data(as_text=True)),
            "email": user.email, "password": password,
        })
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def make(app):
    """Factories with sensible defaults; see tests/factories.py."""
    from tests import factories

    return factories
