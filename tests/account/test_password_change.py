"""Mis datos: the account's details and changing one's own password (current one required)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from gore_tracker.audit.models import AuditEntry
from gore_tracker.extensions import db
from tests.factories import PASSWORD

from .helpers import STRONG, error_beside, post_form, sign_in, signed_in


@pytest.fixture
def officer(make, login_as):
    return login_as(make.user("regional_officer", "Cusco", email="rosa.quispe@example.pe",
                              name="Rosa Quispe Mamani"))


def change(client, current: str, new: str, confirm: str | None = None):
    return post_form(client, "/cuenta/contrasena", {
        "current_password": current, "new_password": new, "confirm": new if confirm is None else confirm,
    }, form_url="/cuenta")


def test_every_page_links_to_mis_datos_and_it_shows_the_account(client, officer):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/cuenta"' in home and "Mis datos" in home
    response = client.get("/cuenta")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for text in ("Rosa Quispe Mamani", "rosa.quispe@example.pe", "Funcionario regional", "Cusco",
                 "Cambiar contraseña", "Tokens de API"):
        assert text in html


def test_signed_out_visitors_are_sent_to_login(client):
    assert client.get("/cuenta").status_code == 302
    assert "/login" in client.get("/cuenta").headers["Location"]
    assert client.post("/cuenta/contrasena").status_code in (302, 400)


def test_wrong_current_password_is_refused_beside_the_field(client, officer):
    response = change(client, "not-my-password", STRONG)
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "current_password") == "La contraseña actual no es correcta."
    db.session.expire_all()
    assert officer.check_password(PASSWORD) and not officer.check_password(STRONG)


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "password1234", "rosa.quispe@example.pe", "corta"])
def test_a_weak_new_password_gets_the_policy_message(client, officer, weak):
    response = change(client, PASSWORD, weak)
    assert response.status_code == 422
    message = error_beside(response.get_data(as_text=True), "new_password")
    assert "contraseña" in message.lower()
    db.session.expire_all()
    assert officer.check_password(PASSWORD)


def test_the_two_new_passwords_must_match(client, officer):
    response = change(client, PASSWORD, STRONG, STRONG + "x")
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "confirm") == "Las dos contraseñas no coinciden."
    db.session.expire_all()
    assert officer.check_password(PASSWORD)


def test_without_csrf_token_nothing_changes(client, officer):
    response = client.post("/cuenta/contrasena", data={
        "current_password": PASSWORD, "new_password": STRONG, "confirm": STRONG})
    assert response.status_code in (400, 422)
    db.session.expire_all()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, officer):
    other = app.test_client()
    assert sign_in(other, officer.email).status_code == 302 and signed_in(other)
    remembered = app.test_client()
    page = remembered.get("/login")
    from tests.conftest import csrf_from

    assert remembered.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                           "email": officer.email, "password": PASSWORD,
                                           "remember": "y"}).status_code == 302

    response = change(client, PASSWORD, STRONG)
    assert response.status_code == 302 and response.headers["Location"].endswith("/cuenta")
    assert "Contraseña cambiada" in client.get("/cuenta").get_data(as_text=True)
    assert signed_in(client)  # this browser stays signed in
    assert not signed_in(other)  # every other session ended…
    remembered.delete_cookie("session")
    assert not signed_in(remembered)  # …and so did the remember-me cookie

    fresh = app.test_client()
    assert sign_in(fresh, officer.email, PASSWORD).status_code == 200  # the old password fails
    assert sign_in(fresh, officer.email, STRONG).status_code == 302


def test_the_change_is_audited_without_the_password(client, officer):
    change(client, PASSWORD, STRONG)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == officer.id, AuditEntry.action == "update")).all()
    assert [e.changes for e in entries] == [{"password": {"before": "[oculto]", "after": "[oculto]"}}]
    assert entries[0].actor == officer.email
    assert STRONG not in str(entries[0].changes) and PASSWORD not in str(entries[0].changes)


def test_the_new_password_must_differ_from_the_current_one(client, make, login_as):
    user = login_as(make.user("viewer"))
    from gore_tracker.users import operations as users

    users.reset_password(user, STRONG)
    db.session.commit()
    client2 = client.application.test_client()
    assert sign_in(client2, user.email, STRONG).status_code == 302
    response = change(client2, STRONG, STRONG)
    assert response.status_code == 422
    assert "distinta" in error_beside(response.get_data(as_text=True), "new_password")


def test_mis_datos_links_to_the_second_factor_for_privileged_roles(app, client, make, login_as):
    if "auth_mfa.enrol" not in app.view_functions:
        pytest.skip("the second factor (/cuenta/2fa) comes with the auth branch; not merged here yet")
    login_as(make.user("coordinator"))
    assert 'href="/cuenta/2fa"' in client.get("/cuenta").get_data(as_text=True)
    viewer = app.test_client()
    assert sign_in(viewer, make.user("viewer").email).status_code == 302
    assert 'href="/cuenta/2fa"' not in viewer.get("/cuenta").get_data(as_text=True)
