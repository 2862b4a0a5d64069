"""Shared fixtures: the app on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set).

Every pytest process (each pytest-xdist worker, or the one process without ``-n``) builds its
databases once, with the migrations (``flask db upgrade``) and the reference data:
SQLite: a template file, which every test gets a fresh copy of.
PostgreSQL: a schema of its own in the TEST_DATABASE_URL database (tests/pgschema.py), dropped at
the end; each test then runs inside an outer transaction that is rolled back at the end (the
session commits to savepoints), so no test can leave data behind or see another worker's.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest
from sqlalchemy.orm import scoped_session, sessionmaker

from gore_tracker import create_app
from gore_tracker.extensions import db
from tests.browser import _browser, live_server, page, phone_page  # noqa: F401  (fixtures)
from tests.smtp import mail_config, smtp_server  # noqa: F401  (fixtures)
from tests.parse_cache import PARSE_CACHE_ENV
from tests.pgschema import WorkerSchema


def _reuse_url_builders() -> None:
    """Every test creates its app, and 80 % of ``create_app`` was werkzeug compiling the same URL
    builders again (Python code generated and compiled per rule). A builder is a pure function
    of the rule's parsed trace (it reads converters through its ``self`` argument), so the tests
    share one per rule text; rules with defaults (baked into the code) are compiled as before."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return
    builders: dict = {}

    def shared(self, append_unknown: bool = True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    shared.shared = True
    Rule._compile_builder = shared


def _share_compiled_templates() -> None:
    """Each test's app has its own Jinja environment, which compiled every template it rendered
    again (a quarter of a typical test's time). One in-memory bytecode cache for all of them:
    Jinja checks each entry against the template's source, so an edited template recompiles."""
    from flask import Flask
    from jinja2 import BytecodeCache

    if getattr(Flask.create_jinja_environment, "shared", False):
        return

    class Memory(BytecodeCache):
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            code = self.codes.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    cache = Memory()
    create = Flask.create_jinja_environment

    def create_jinja_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    create_jinja_environment.shared = True
    Flask.create_jinja_environment = create_jinja_environment


def _sqlite_without_fsync() -> None:
    """Test databases need no durability: without ``synchronous=OFF`` each commit of a test's
    SQLite copy waits for the disk (20 ms apiece on a busy machine, hundreds of commits a module)."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")


_reuse_url_builders()
_share_compiled_templates()
_sqlite_without_fsync()

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# "gw0", "gw1"… under pytest-xdist, "master" without it: names what a worker owns alone.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "master")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    # Every test that drives Chromium is a browser test, marked or not (``-m "not browser"``).
    for item in items:
        if "_browser" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _acta_parse_cache(tmp_path_factory):
    """One folder of acta parses for the whole session, shared by the xdist workers (their
    temporary directories sit side by side in the session's) and the children they start."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if WORKER != "master" else base) / "acta-parses"
    folder.mkdir(exist_ok=True)
    os.environ[PARSE_CACHE_ENV] = str(folder)
    yield folder
    os.environ.pop(PARSE_CACHE_ENV, None)


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
    """The URL of this worker's migrated PostgreSQL schema (its connections' search_path)."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    schema = WorkerSchema(PG_URL, WORKER)
    url = schema.open()
    try:
        _migrate_and_seed(create_app(_base_config(tmp_path_factory.mktemp("pg"), url)))
        yield url
    finally:
        schema.close()


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
