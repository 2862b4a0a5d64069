"""The email preferences page: login required, CSRF, each role's choices, and the jobs
honouring them."""
from __future__ import annotations

import re
from datetime import date

import pytest

from gore_tracker.extensions import db
from gore_tracker.notifications import digest, reminders
from tests.conftest import csrf_from
from tests.notifications.jobhelpers import commitment, lima

URL = "/preferencias/correo"


def checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no {name} field"
    return "checked" in tag.group(0)


def save(client, **fields):
    page = client.get(URL).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page)}
    data.update({k: "y" for k, v in fields.items() if v})
    return client.post(URL, data=data)


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.post(URL, data={"digest": "y"}).status_code in (302, 400)


def test_officer_switches_both_off_and_on(client, login_as, make):
    officer = login_as(make.user("regional_officer", "Cusco"))
    html = client.get(URL).get_data(as_text=True)
    assert checked(html, "reminders") and checked(html, "digest")
    assert "compromisos del Gobierno Regional de Cusco que vencen en 7 días o mañana" in html

    response = save(client, reminders=False, digest=False)
    assert response.status_code == 302 and response.headers["Location"] == URL
    db.session.expire_all()
    assert (officer.reminders_enabled, officer.digest_enabled, officer.wants_digest) == (False, False, False)
    html = client.get(URL).get_data(as_text=True)
    assert "Preferencias de correo guardadas." in html
    assert not checked(html, "reminders") and not checked(html, "digest")

    save(client, reminders=True, digest=True)
    db.session.expire_all()
    assert (officer.reminders_enabled, officer.digest_enabled) == (True, True)


def test_csrf_is_required(client, login_as, make):
    officer = login_as(make.user("liaison", "MINSA"))
    response = client.post(URL, data={})  # would switch both off
    assert response.status_code == 400
    db.session.expire_all()
    assert officer.reminders_enabled and officer.wants_digest


def test_roles_without_reminders_only_choose_the_digest(client, login_as, make):
    coordinator = login_as(make.user("coordinator"))
    html = client.get(URL).get_data(as_text=True)
    assert 'name="reminders"' not in html
    assert "Su rol no recibe recordatorios" in html and "resumen nacional" in html
    save(client, reminders=False, digest=False)
    db.session.expire_all()
    assert coordinator.reminders_enabled is True  # untouched
    assert coordinator.digest_enabled is False


def test_viewer_digest_is_off_until_switched_on(client, login_as, make):
    viewer = login_as(make.user("viewer", email="viewer@example.pe"))
    admin = make.user("admin", email="admin@example.pe")
    admin.digest_enabled = False
    db.session.commit()
    commitment(make, admin, "Cusco", due=date(2026, 3, 1))
    html = client.get(URL).get_data(as_text=True)
    assert not checked(html, "digest") and "desactivado salvo que lo active" in html
    assert digest.send_week("2026-W11").messages == []

    save(client, digest=True)
    db.session.expire_all()
    assert viewer.wants_digest
    [message] = digest.send_week("2026-W12").messages
    assert message.to_email == "viewer@example.pe" and "[GORE Tracker] Nacional:" in message.subject
    assert "/preferencias/correo" in message.text_body
    assert 'href="http://testserver/preferencias/correo"' in message.html_body


@pytest.mark.parametrize("field", ["reminders", "digest"])
def test_switching_a_kind_off_stops_that_kind_only(client, login_as, make, field):
    officer = login_as(make.user("regional_officer", "Cusco", email="cusco@example.pe"))
    admin = make.user("admin")
    admin.digest_enabled = False
    db.session.commit()
    commitment(make, admin, "Cusco", sector="MTC", due=date(2026, 3, 9))  # due the day before
    save(client, **{"reminders": field != "reminders", "digest": field != "digest"})

    got_reminder = bool(reminders.enqueue_due(lima(date(2026, 3, 10))).messages)
    got_digest = bool(digest.send_week("2026-W11").messages)

    assert (got_reminder, got_digest) == (field != "reminders", field != "digest")
    assert officer.email


@pytest.mark.browser
def test_preferences_in_the_browser(live_server, page, phone_page):
    from gore_tracker.users.models import User
    from tests import factories
    from tests.browser import login, screenshot

    with live_server.app.app_context():
        factories.user("liaison", "MINSA", email="jose@minsa.gob.pe", name="José Ñáñez Huamán")
        db.session.remove()

    login(page, live_server, "jose@minsa.gob.pe")
    page.click("text=Mis correos")
    page.wait_for_url(lambda url: url.endswith(URL))
    assert page.is_checked("#reminders") and page.is_checked("#digest")
    screenshot(page, "email-preferences-desktop")
    page.uncheck("#digest")
    page.click("button:has-text('Guardar')")
    page.wait_for_selector("text=Preferencias de correo guardadas.")
    assert page.is_checked("#reminders") and not page.is_checked("#digest")
    with live_server.app.app_context():
        user = db.session.execute(db.select(User).where(User.email == "jose@minsa.gob.pe")).scalar_one()
        assert (user.reminders_enabled, user.digest_enabled) == (True, False)
        db.session.remove()

    login(phone_page, live_server, "jose@minsa.gob.pe")
    phone_page.goto(live_server(URL))
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone_page, "email-preferences-phone")
