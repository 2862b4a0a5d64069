"""Login protection (Flask-Limiter): failed sign-ins per account and per IP, lockout and
unlock, bad API tokens per IP; unknown e-mails cost one hash check too.

These tests run with the limiter on (``RATELIMIT_ENABLED``), on SQLite only (the counters
are in the limiter's storage, not the database): memory:// for each test, and once Redis.
"""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import select

from gore_tracker import create_app
from gore_tracker.audit.models import AuditEntry
from gore_tracker.extensions import db
from gore_tracker.users import models as user_models
from gore_tracker.users import operations as users
from tests.conftest import _base_config, _fresh_g_per_request, csrf_from
from tests.factories import PASSWORD

from .helpers import login

WRONG = "no-es-la-clave-correcta"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _limited_app(tmp_path, template, **extra):
    path = tmp_path / "limited.sqlite3"
    shutil.copy(template, path)
    app = create_app({**_base_config(tmp_path, f"sqlite:///{path}"), "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": "memory://", **extra})
    _fresh_g_per_request(app)
    return app


@pytest.fixture
def app(tmp_path, sqlite_template):
    """The app with the limiter on (overrides the conftest fixture for this module)."""
    app = _limited_app(tmp_path, sqlite_template)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _actions(*, entity: str = "auth") -> list[tuple[str, str, int | None]]:
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.entity_id)
                              .where(AuditEntry.entity == entity).order_by(AuditEntry.id)).all()
    return [tuple(r) for r in rows]


def test_sixth_attempt_on_an_account_gets_429_even_with_the_right_password(app, client, make):
    user = make.user("viewer")
    for n in range(5):  # from five addresses: the account limit does not depend on the IP
        response = login(client, user.email, WRONG, ip=f"10.0.0.{n + 1}")
        assert response.status_code == 200, n
        assert "Correo o contraseña incorrectos." in response.get_data(as_text=True)
    response = login(client, user.email, PASSWORD, ip="10.0.0.99")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Demasiados intentos fallidos" in html and "vuelva a intentarlo en 15 minutos" in html
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert client.get("/").status_code == 302  # not signed in
    actions = _actions()
    assert actions.count(("login_failed", user.email, user.id)) == 5
    assert actions[-1] == ("lockout", user.email, user.id)
    assert [a for a in actions if a[0] == "login"] == []
    # Another account is not affected.
    other = make.user("viewer")
    assert login(client, other.email, ip="10.0.0.99").status_code == 302


def test_unknown_accounts_are_limited_the_same_way(app, client):
    for _ in range(5):
        assert login(client, "nadie@example.pe", WRONG).status_code == 200
    assert login(client, "NADIE@example.pe", WRONG).status_code == 429
    assert _actions()[-1] == ("lockout", "nadie@example.pe", None)


def test_twenty_failures_from_one_address_block_it(app, client, make):
    user = make.user("viewer")
    for n in range(20):
        assert login(client, f"persona{n}@example.pe", WRONG, ip="10.1.1.1").status_code == 200
    response = login(client, user.email, PASSWORD, ip="10.1.1.1")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert login(client, user.email, PASSWORD, ip="10.1.1.2").status_code == 302


def test_admin_unlocks_an_account(app, client, make):
    user = make.user("viewer")
    admin = make.user("admin")
    for _ in range(5):
        login(client, user.email, WRONG, ip="10.2.2.2")
    assert login(client, user.email, PASSWORD, ip="10.2.2.2").status_code == 429

    admin_client = app.test_client()
    assert login(admin_client, admin.email, ip="10.3.3.3").status_code == 302
    page = admin_client.get(f"/admin/usuarios/{user.id}").get_data(as_text=True)
    assert "Ingreso bloqueado" in page
    response = admin_client.post(f"/admin/usuarios/{user.id}/desbloquear", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert "Ingreso bloqueado" not in admin_client.get(f"/admin/usuarios/{user.id}").get_data(as_text=True)
    assert _actions()[-1] == ("unlock", admin.email, user.id)
    assert login(client, user.email, PASSWORD, ip="10.2.2.2").status_code == 302


def test_only_admins_unlock(app, client, make):
    user, coordinator = make.user("viewer"), make.user("coordinator")
    assert login(client, coordinator.email).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert client.post(f"/admin/usuarios/{user.id}/desbloquear",
                       data={"csrf_token": csrf_from(page)}).status_code == 403
    from gore_tracker.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        users.unlock_login(user, coordinator)


def test_bad_api_tokens_from_one_address_get_429(app, client, make):
    good = users.issue_token(make.user("viewer"))
    db.session.commit()
    for n in range(20):
        response = client.get("/api/v1/regions", headers={"Authorization": f"Bearer gt_falso{n}"})
        assert response.status_code == 401, n
    response = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {good}"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0
    other = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {good}"},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_limits_against_redis(tmp_path, sqlite_template, make):
    """Several workers share the counters through Redis (RATELIMIT_STORAGE_URI)."""
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"gore_test_{uuid.uuid4().hex[:8]}"
    extra = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first = _limited_app(tmp_path, sqlite_template, **extra)
    try:
        with first.app_context():
            user = make.user("viewer")
            email = user.email
            client = first.test_client()
            for _ in range(3):
                assert login(client, email, WRONG).status_code == 200
            db.session.remove()
        # A second "worker": another app on the same database and Redis sees the count.
        second = create_app({**first.config, "RATELIMIT_ENABLED": True})
        _fresh_g_per_request(second)
        with second.app_context():
            client = second.test_client()
            for _ in range(2):
                assert login(client, email, WRONG).status_code == 200
            assert login(client, email, PASSWORD).status_code == 429
            assert any(f"/{prefix}/login-account/".encode() in key for key in server.scan_iter(f"*{prefix}*"))
            db.session.remove()
            db.engine.dispose()
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)


@pytest.mark.parametrize("case", ["unknown", "wrong", "inactive", "right"])
def test_every_attempt_costs_one_hash_check(app, client, make, monkeypatch, case):
    user = make.user("viewer")
    if case == "inactive":
        users.update_user(user, name=user.name, role=user.role, active=False)
        db.session.commit()
    calls = []
    real = user_models.password_matches
    monkeypatch.setattr(user_models, "password_matches", lambda h, p: calls.append(h) or real(h, p))
    email = "nadie@example.pe" if case == "unknown" else user.email
    password = PASSWORD if case in ("right", "inactive") else WRONG
    response = login(client, email, password)
    assert response.status_code == (302 if case == "right" else 200)
    assert len(calls) == 1
    if case == "unknown":
        assert calls[0] != user.password_hash and calls[0].startswith(app.config["PASSWORD_HASH_METHOD"])


def test_wrong_second_factor_codes_count_as_failed_sign_ins(app, client, make):
    import pyotp

    from gore_tracker.users import mfa

    user = make.user("coordinator")
    secret = mfa.new_secret()
    mfa.enable(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    for _ in range(5):
        assert login(client, user.email).location.endswith("/login/2fa")
        page = client.get("/login/2fa").get_data(as_text=True)
        assert client.post("/login/2fa", data={"csrf_token": csrf_from(page), "code": "12345x"}).status_code == 422
    assert login(client, user.email).status_code == 429
    assert _actions()[-1] == ("lockout", user.email, user.id)


def test_an_unreachable_store_does_not_break_sign_in(tmp_path, sqlite_template, make, caplog):
    """Redis down: sign-ins still work (uncounted, logged), never a 500."""
    app = _limited_app(tmp_path, sqlite_template, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        user = make.user("viewer")
        client = app.test_client()
        assert login(client, user.email, WRONG).status_code == 200
        assert login(client, user.email).status_code == 302
        assert "rate-limit storage failed" in caplog.text
        db.session.remove()
        db.engine.dispose()
