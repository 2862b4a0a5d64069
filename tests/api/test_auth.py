"""Bearer tokens only: no token, a bad one or a browser session answer 401."""
from __future__ import annotations

import pytest

from gore_tracker.extensions import db
from gore_tracker.users.models import ApiToken

from .conftest import error_of

PROTECTED = [
    ("GET", "/api/v1/regions"),
    ("GET", "/api/v1/sectors"),
    ("GET", "/api/v1/meetings"),
    ("POST", "/api/v1/meetings"),
    ("GET", "/api/v1/meetings/1"),
    ("GET", "/api/v1/commitments"),
    ("GET", "/api/v1/commitments/1"),
    ("POST", "/api/v1/commitments/1/updates"),
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/files/1"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
def test_no_token_is_401_on_every_route(api, method, path):
    response = api.open(method, path, token=None, json={"version": 1} if method == "POST" else None)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert "Authorization" in error_of(response)["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer gt_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "gt_token"])
def test_an_invalid_token_or_scheme_is_401(api, make, header):
    api.login(make.user("admin"))  # a valid token exists, but is not the one sent
    response = api.get("/api/v1/regions", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_revoked_token_is_401(api, make):
    api.login(make.user("admin"))
    assert api.get("/api/v1/regions").status_code == 200
    for row in db.session.scalars(db.select(ApiToken)):
        row.revoked = True
    db.session.commit()
    assert api.get("/api/v1/regions").status_code == 401


def test_a_deactivated_user_is_401(api, make):
    user = make.user("coordinator")
    api.login(user)
    user.active = False
    db.session.commit()
    assert api.get("/api/v1/regions").status_code == 401


def test_a_browser_session_cookie_does_not_authenticate(api, make, login_as):
    login_as(make.user("admin"))  # same test client: it now holds a session cookie
    response = api.get("/api/v1/regions", token=None)
    assert response.status_code == 401


def test_a_token_records_its_last_use(api, make):
    api.login(make.user("viewer"))
    assert db.session.scalar(db.select(ApiToken.last_used_at)) is None
    assert api.get("/api/v1/sectors").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(ApiToken.last_used_at)) is not None

