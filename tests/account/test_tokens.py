"""API tokens under Mis datos (the owner's) and on an account's admin page (any account's):
listed with created, last used, expiry and state; revoked by POST with CSRF."""
from __future__ import annotations

import re

import pytest

from gore_tracker.extensions import db
from gore_tracker.users import operations as users
from gore_tracker.users.models import ApiToken
from tests.conftest import csrf_from


def issue(user) -> tuple[ApiToken, str]:
    secret = users.issue_token(user)
    db.session.commit()
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)
                               .order_by(ApiToken.id.desc())).first()
    return token, secret


def api_ok(client, secret: str) -> bool:
    return client.get("/api/v1/regions", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def rows(html: str) -> dict[int, str]:
    """token id → the text of its table row."""
    found = {}
    for match in re.finditer(r'<tr data-token-id="(\d+)">(.*?)</tr>', html, re.DOTALL):
        found[int(match.group(1))] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()
    return found


def revoke(client, url: str, page_url: str):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


@pytest.fixture
def owner(make, login_as):
    return login_as(make.user("liaison", "MINSA", email="enlace@example.pe"))


def test_mis_datos_lists_the_accounts_own_tokens_only(client, owner, make):
    mine, secret = issue(owner)
    api_ok(client.application.test_client(), secret)  # records a use
    used = mine
    old, _ = issue(owner)
    users.revoke_token(old, owner)
    db.session.commit()
    theirs, _ = issue(make.user("viewer"))

    listed = rows(client.get("/cuenta").get_data(as_text=True))
    assert set(listed) == {used.id, old.id}
    assert "Vigente" in listed[used.id] and "Nunca" not in listed[used.id]  # last used is shown
    assert "Revocado" in listed[old.id] and "Revocar" not in listed[old.id]
    assert theirs.id not in listed


def test_the_owner_revokes_a_token_and_the_api_refuses_it(client, owner):
    token, secret = issue(owner)
    _, other_secret = issue(owner)
    api = client.application.test_client()
    assert api_ok(api, secret)
    response = revoke(client, f"/cuenta/tokens/{token.id}/revocar", "/cuenta")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cuenta#tokens")
    assert "Token revocado" in client.get("/cuenta").get_data(as_text=True)
    assert not api_ok(api, secret)
    assert api_ok(api, other_secret)  # only that one


def test_another_accounts_token_is_not_found_under_mis_datos(client, owner, make):
    token, secret = issue(make.user("viewer"))
    assert revoke(client, f"/cuenta/tokens/{token.id}/revocar", "/cuenta").status_code == 404
    assert revoke(client, "/cuenta/tokens/99999/revocar", "/cuenta").status_code == 404
    assert revoke(client, "/cuenta/tokens/99999999999999999999/revocar", "/cuenta").status_code == 404
    db.session.refresh(token)
    assert token.revoked is False and api_ok(client.application.test_client(), secret)


def test_even_an_admin_revokes_others_tokens_on_the_admin_page_not_under_mis_datos(client, make, login_as):
    login_as(make.user("admin"))
    token, _ = issue(make.user("viewer"))
    assert revoke(client, f"/cuenta/tokens/{token.id}/revocar", "/cuenta").status_code == 404


def test_an_expired_token_is_listed_as_such_without_a_revoke_button(client, owner):
    from datetime import timedelta

    from gore_tracker.db import utcnow

    token, _ = issue(owner)
    token.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    listed = rows(client.get("/cuenta").get_data(as_text=True))
    assert "Vencido" in listed[token.id] and "Revocar" not in listed[token.id]


def test_revoking_needs_post_and_a_csrf_token(client, owner):
    token, _ = issue(owner)
    assert client.get(f"/cuenta/tokens/{token.id}/revocar").status_code == 405
    assert client.post(f"/cuenta/tokens/{token.id}/revocar").status_code == 400
    db.session.refresh(token)
    assert token.revoked is False


def test_an_admin_sees_and_revokes_any_accounts_tokens_on_its_page(client, make, login_as):
    login_as(make.user("admin"))
    target = make.user("regional_officer", "Cusco")
    token, secret = issue(target)
    page = f"/admin/usuarios/{target.id}"
    listed = rows(client.get(page).get_data(as_text=True))
    assert list(listed) == [token.id] and "Vigente" in listed[token.id]

    response = revoke(client, f"/admin/usuarios/{target.id}/tokens/{token.id}/revocar", page)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}#tokens")
    assert not api_ok(client.application.test_client(), secret)
    assert "Revocado" in rows(client.get(page).get_data(as_text=True))[token.id]


def test_the_admin_route_checks_the_token_belongs_to_that_account(client, make, login_as):
    login_as(make.user("admin"))
    one, other = make.user("viewer"), make.user("viewer")
    token, _ = issue(other)
    assert revoke(client, f"/admin/usuarios/{one.id}/tokens/{token.id}/revocar",
                  f"/admin/usuarios/{one.id}").status_code == 404
    db.session.refresh(token)
    assert token.revoked is False


@pytest.mark.parametrize(("role", "org"), [("coordinator", None), ("liaison", "MINSA"), ("viewer", None)])
def test_only_admins_revoke_on_the_admin_page(client, make, login_as, role, org):
    target = make.user("viewer")
    token, _ = issue(target)
    login_as(make.user(role, org))
    response = revoke(client, f"/admin/usuarios/{target.id}/tokens/{token.id}/revocar", "/cuenta")
    assert response.status_code == 403
    db.session.refresh(token)
    assert token.revoked is False
