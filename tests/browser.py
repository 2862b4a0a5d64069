"""Live server and headless Chromium (Debian's, through Playwright) for browser tests.

tests/conftest.py makes the fixtures (live_server, page, phone_page) available everywhere.
Tests using them skip with a clear reason where Chromium or Playwright is missing.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from gore_tracker import create_app
from gore_tracker.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(sqlite_template, tmp_path):
    """The app served on a free localhost port over a fresh SQLite copy (reference data loaded)."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "live-secret",
        "FILES_DIR": str(tmp_path / "files"), "SQLALCHEMY_ENGINE_OPTIONS": {},
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _browser():
    """One Playwright driver and one Chromium for the whole run."""
    if not CHROMIUM:
        pytest.skip("Chromium not installed (apt-get install chromium): browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python not installed: browser tests skipped")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


# how long an action may wait before the test fails: a bound for a hang, not a speed target
# (CI machines are shared; a loaded one takes seconds for what usually takes milliseconds)
TIMEOUT_MS = 30_000


@pytest.fixture
def page(_browser):
    """A fresh browser page (desktop viewport). Screenshots go to test-artifacts/."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


@pytest.fixture
def phone_page(_browser):
    context = _browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, locale="es-PE")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(target), full_page=True)
    return target


def login(pg, live, email: str, password: str = "correct-horse-battery") -> None:
    pg.goto(live("/login"))
    pg.fill("#email", email)
    pg.fill("#password", password)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login" not in url)
