"""Helpers of the Mis datos and password reset tests."""
from __future__ import annotations

import re

from tests.conftest import csrf_from
from tests.factories import PASSWORD

# zxcvbn score 4, no name or e-mail in it.
STRONG = "Tranvía-lúcuma-orégano-47"
STRONGER = "Quena-cóndor-Paucartambo-93"


def error_beside(html: str, field: str) -> str:
    """The message shown beside ``field`` (the ui.field macro's invalid-feedback)."""
    match = re.search(rf'<div class="invalid-feedback" id="{field}-err">([^<]*)</div>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Through the real login form; returns the response (302 when it worked)."""
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                       "email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def post_form(client, url: str, data: dict, *, form_url: str | None = None):
    page = client.get(form_url or url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data})
