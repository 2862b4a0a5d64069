"""/recuperar, /recuperar/<token> and the password change are rate-limited by the shared
Flask-Limiter instance (``gore_tracker.extensions.limiter``, wired by the auth work)."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from gore_tracker import create_app, extensions
from gore_tracker.extensions import db
from gore_tracker.notifications.models import OutboxMessage
from tests.conftest import _base_config, _fresh_g_per_request

from .helpers import post_form

pytestmark = pytest.mark.skipif(getattr(extensions, "limiter", None) is None,
                                reason="gore_tracker.extensions.limiter comes with the auth branch; "
                                       "not merged here yet")


@pytest.fixture
def app(tmp_path, sqlite_template):
    """The app with the limiter on, in memory (overrides the conftest fixture for this module)."""
    path = tmp_path / "limited.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({**_base_config(tmp_path, f"sqlite:///{path}"), "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    _fresh_g_per_request(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_reset_form_allows_five_requests_per_ip_in_15_minutes(client, make):
    user = make.user("viewer")
    statuses = [post_form(client, "/recuperar", {"email": user.email}).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert client.get("/recuperar").status_code == 200  # the form itself stays reachable
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert sent == 3  # RESET_MAX_PER_HOUR: the address gets no more mail anyway


def test_guessing_the_current_password_is_limited(client, make, login_as):
    login_as(make.user("viewer"))
    statuses = [post_form(client, "/cuenta/contrasena", {
        "current_password": f"adivinanza-{n}", "new_password": "x", "confirm": "x"},
        form_url="/cuenta").status_code for n in range(11)]
    assert statuses == [422] * 10 + [429]
