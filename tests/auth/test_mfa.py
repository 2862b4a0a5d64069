"""Optional TOTP second factor: enrolment with a QR code drawn by the app, the second login
step, one-time codes and recovery codes, and MFA_REQUIRED_ROLES."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from gore_tracker.audit.models import AuditEntry
from gore_tracker.extensions import db
from gore_tracker.users.models import User
from tests.conftest import csrf_from

from .helpers import login, logout


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _enrol(client, user) -> tuple[str, list[str]]:
    page = client.get("/cuenta/2fa")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "mfa-qr" in html  # the QR code is drawn by the app
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', html).group(1)
    assert secret not in (client.get_cookie("session").value or "")  # the cookie never holds it
    response = client.post("/cuenta/2fa", data={"csrf_token": csrf_from(html), "code": "000000"})
    assert response.status_code == 422 or secret  # a wrong code (almost surely) is refused
    response = client.post("/cuenta/2fa", data={"csrf_token": csrf_from(html), "code": _code(secret)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", response.get_data(as_text=True))
    assert len(codes) == 10
    db.session.expire_all()
    assert db.session.get(User, user.id).mfa_secret == secret
    return secret, codes


def _second_step(client, code: str):
    page = client.get("/login/2fa")
    assert page.status_code == 200
    return client.post("/login/2fa", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "code": code})


def test_enrol_then_sign_in_with_a_code(app, client, make):
    user = make.user("coordinator")
    assert login(client, user.email).status_code == 302
    secret, _ = _enrol(client, user)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.action == "update",
                                                        AuditEntry.entity_id == user.id)).all()[-1]
    assert set(entry.changes) == {"mfa"} and entry.changes["mfa"]["after"] == "[oculto]"  # never the secret
    logout(client)

    response = login(client, user.email)
    assert response.status_code == 302 and response.location.endswith("/login/2fa")
    assert client.get("/").status_code == 302  # the password alone does not sign in
    assert _second_step(client, "123456").status_code == 422
    code = _code(secret, 1)
    response = _second_step(client, code)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "auth")
                                 .order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["login_failed", "login"]

    # The same code does not work twice.
    logout(client)
    login(client, user.email)
    assert _second_step(client, code).status_code == 422


def test_recovery_codes_work_once(app, client, make):
    user = make.user("admin")
    login(client, user.email)
    _, codes = _enrol(client, user)
    logout(client)
    login(client, user.email)
    assert _second_step(client, codes[3].upper()).status_code == 302
    logout(client)
    login(client, user.email)
    assert _second_step(client, codes[3]).status_code == 422
    page = client.get("/login/2fa")
    assert page.status_code == 200


def test_second_step_needs_a_fresh_password_step(app, client, make):
    assert client.get("/login/2fa").status_code == 302


def test_only_privileged_roles_enrol(app, client, make):
    viewer = make.user("viewer")
    login(client, viewer.email)
    assert client.get("/cuenta/2fa").status_code == 403


def test_optional_factor_can_be_turned_off_with_a_code(app, client, make):
    user = make.user("coordinator")
    login(client, user.email)
    secret, _ = _enrol(client, user)
    page = client.get("/cuenta/2fa").get_data(as_text=True)
    assert "Segundo factor activo" in page and "<strong>10</strong>" in page
    response = client.post("/cuenta/2fa", data={"csrf_token": csrf_from(page), "code": _code(secret, 1)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).mfa_secret is None


def test_required_roles_must_enrol_first_and_cannot_turn_it_off(app, client, make):
    app.config["MFA_REQUIRED_ROLES"] = ["admin"]
    admin = make.user("admin")
    assert login(client, admin.email).status_code == 302
    response = client.get("/admin/usuarios")
    assert response.status_code == 302 and response.location.endswith("/cuenta/2fa")
    secret, _ = _enrol(client, admin)
    assert client.get("/admin/usuarios").status_code == 200
    page = client.get("/cuenta/2fa").get_data(as_text=True)
    assert "no puede desactivarse" in page
    response = client.post("/cuenta/2fa", data={"csrf_token": csrf_from(page), "code": _code(secret, 1)})
    assert response.status_code == 403
    # Other roles are not affected.
    other = app.test_client()
    login(other, make.user("coordinator").email)
    assert other.get("/").status_code == 200


@pytest.mark.parametrize("role", ["viewer"])
def test_required_roles_can_include_any_role(app, client, make, role):
    app.config["MFA_REQUIRED_ROLES"] = [role]
    user = make.user(role)
    login(client, user.email)
    assert client.get("/").location.endswith("/cuenta/2fa")
    assert client.get("/cuenta/2fa").status_code == 200
