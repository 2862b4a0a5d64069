"""Sessions that end: a copied session or remember-me cookie is refused after logout,
password reset and deactivation (+ reactivation); idle sessions expire; cookie flags."""
from __future__ import annotations

import time
from datetime import timedelta

import itsdangerous
import pytest
from flask_login.utils import encode_cookie

from gore_tracker import create_app
from gore_tracker.extensions import db
from gore_tracker.users import operations as users
from tests.conftest import _base_config

from .helpers import REMEMBER, SESSION, cookies, login, logout, replay


@pytest.fixture
def viewer(make):
    return make.user("viewer")


def _signed_in_copies(app, client, user) -> dict[str, dict[str, str]]:
    """Sign in with «Recordarme»; the session cookie and the remember cookie, each alone."""
    assert login(client, user.email, remember=True).status_code == 302
    copied = cookies(client, SESSION, REMEMBER)
    session_only, remember_only = {SESSION: copied[SESSION]}, {REMEMBER: copied[REMEMBER]}
    # Before anything happens, each copy alone opens the app from another client.
    assert replay(app, session_only) == 200
    assert replay(app, remember_only) == 200
    return {"session": session_only, "remember": remember_only}


def test_logout_kills_copied_cookies(app, client, viewer):
    copies = _signed_in_copies(app, client, viewer)
    assert logout(client).status_code == 302
    assert replay(app, copies["session"]) == 302
    assert replay(app, copies["remember"]) == 302
    # And the account signs in again normally.
    assert login(client, viewer.email).status_code == 302


def test_logout_on_one_device_ends_the_others(app, client, viewer):
    other = app.test_client()
    assert login(other, viewer.email).status_code == 302
    assert other.get("/").status_code == 200
    login(client, viewer.email)
    logout(client)
    assert other.get("/").status_code == 302


def test_admin_password_reset_kills_copied_cookies(app, client, viewer):
    copies = _signed_in_copies(app, client, viewer)
    users.reset_password(viewer, "otra-clave-bien-larga")
    db.session.commit()
    assert replay(app, copies["session"]) == 302
    assert replay(app, copies["remember"]) == 302
    assert client.get("/").status_code == 302  # the original client too


def test_admin_form_reset_kills_cookies(app, client, viewer, make, login_as):
    copies = _signed_in_copies(app, client, viewer)
    admin_client = app.test_client()
    admin = make.user("admin")
    assert login(admin_client, admin.email).status_code == 302
    from tests.conftest import csrf_from

    page = admin_client.get(f"/admin/usuarios/{viewer.id}").get_data(as_text=True)
    response = admin_client.post(f"/admin/usuarios/{viewer.id}/contrasena",
                                 data={"csrf_token": csrf_from(page), "password": ""})
    assert response.status_code == 200  # the generated password, shown once
    assert replay(app, copies["session"]) == 302
    assert replay(app, copies["remember"]) == 302


def test_deactivation_then_reactivation_does_not_revive_cookies(app, client, viewer):
    copies = _signed_in_copies(app, client, viewer)
    users.update_user(viewer, name=viewer.name, role=viewer.role, active=False)
    db.session.commit()
    assert replay(app, copies["session"]) == 302
    assert replay(app, copies["remember"]) == 302
    users.update_user(viewer, name=viewer.name, role=viewer.role, active=True)
    db.session.commit()
    assert replay(app, copies["session"]) == 302
    assert replay(app, copies["remember"]) == 302
    assert login(app.test_client(), viewer.email).status_code == 302


def test_an_old_style_cookie_without_epoch_is_refused(app, client, viewer):
    login(client, viewer.email)
    payload = app.session_interface.get_signing_serializer(app).loads(client.get_cookie(SESSION).value)
    payload["_user_id"] = str(viewer.id)  # what the cookies held before session epochs
    forged = app.session_interface.get_signing_serializer(app).dumps(payload)
    assert replay(app, {SESSION: forged}) == 302


def _session_signed_at(app, payload: dict, seconds_ago: int, monkeypatch) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    with monkeypatch.context() as m:
        m.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                  lambda self: int(time.time()) - seconds_ago)
        return serializer.dumps(payload)


def test_idle_session_expires_on_the_server(app, client, viewer, monkeypatch):
    login(client, viewer.email)
    payload = app.session_interface.get_signing_serializer(app).loads(client.get_cookie(SESSION).value)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(seconds=idle)
    assert replay(app, {SESSION: _session_signed_at(app, payload, idle - 60, monkeypatch)}) == 200
    assert replay(app, {SESSION: _session_signed_at(app, payload, idle + 60, monkeypatch)}) == 302


def test_each_request_renews_the_idle_timeout(app, client, viewer):
    login(client, viewer.email)
    response = client.get("/")
    assert response.status_code == 200
    set_cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{SESSION}=")]
    assert set_cookie and "Expires=" in set_cookie[0]  # re-signed: a fresh timestamp


def test_remember_cookie_restores_an_idle_session(app, client, viewer):
    login(client, viewer.email, remember=True)
    assert replay(app, {REMEMBER: client.get_cookie(REMEMBER).value}) == 200


def test_a_sign_in_older_than_the_remember_duration_is_refused(app, viewer):
    limit = int(app.config["REMEMBER_COOKIE_DURATION"].total_seconds())
    fresh = encode_cookie(f"{viewer.id}:{viewer.session_epoch}:{int(time.time()) - limit + 60}")
    stale = encode_cookie(f"{viewer.id}:{viewer.session_epoch}:{int(time.time()) - limit - 60}")
    assert replay(app, {REMEMBER: fresh}) == 200
    assert replay(app, {REMEMBER: stale}) == 302


def test_remember_cookie_flags(app, client, viewer):
    response = login(client, viewer.email, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{REMEMBER}="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    cookie = client.get_cookie(REMEMBER)
    assert cookie.expires is not None
    lifetime = cookie.expires.timestamp() - time.time()
    assert 29 * 86400 < lifetime <= 30 * 86400


def test_secure_session_cookie_makes_the_remember_cookie_secure_and_duration_is_capped(tmp_path):
    app = create_app({**_base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"),
                      "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_DURATION": timedelta(days=365)})
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True


def test_logout_and_login_are_audited(app, client, viewer):
    from sqlalchemy import select

    from gore_tracker.audit.models import AuditEntry

    login(client, viewer.email)
    logout(client)
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.entity_id)
                              .where(AuditEntry.entity == "auth").order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rows] == [("login", viewer.email, viewer.id), ("logout", viewer.email, viewer.id)]
    # The epoch change itself is bookkeeping: no "user update" entry for logging out.
    updates = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user",
                                                          AuditEntry.action == "update")).all()
    assert updates == []
