"""Signing in and replaying cookies from a second client, for the tests of tests/auth."""
from __future__ import annotations

from tests.conftest import csrf_from
from tests.factories import PASSWORD

SESSION = "session"
REMEMBER = "remember_token"


def login(client, email: str, password: str = PASSWORD, *, remember: bool = False, ip: str | None = None):
    """POST the real login form; returns the response (302 on success)."""
    environ = {"REMOTE_ADDR": ip} if ip else {}
    form = client.get("/login", environ_base=environ)
    data = {"csrf_token": csrf_from(form.get_data(as_text=True)), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, environ_base=environ)


def logout(client):
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def cookies(client, *names: str) -> dict[str, str]:
    found = {}
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        found[name] = cookie.value
    return found


def replay(app, values: dict[str, str]) -> int:
    """The status of the home page for a fresh client holding only ``values`` (200 = signed in)."""
    other = app.test_client()
    for name, value in values.items():
        other.set_cookie(name, value)
    return other.get("/").status_code
