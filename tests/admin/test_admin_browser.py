"""The admin pages in headless Chromium, on a desktop and a phone (screenshots in test-artifacts/)."""
from __future__ import annotations

import pytest

from tests.browser import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    from gore_tracker.extensions import db
    from gore_tracker.organizations import operations as orgs
    from tests import factories

    with live_server.app.app_context():
        factories.user("admin", email="admin@example.pe", name="Lucía Ramírez")
        factories.user("liaison", "MINSA", email="jose@minsa.gob.pe", name="José Ñáñez Huamán")
        factories.user("regional_officer", "Cusco", email="rosa@regioncusco.gob.pe", name="Rosa Quispe Ccori")
        factories.user("viewer", email="consulta@example.pe", name="Consulta General")
        orgs.create_organization(kind="unit", name="PRONIS", code="PRONIS",
                                 official_name="Programa Nacional de Inversiones en Salud",
                                 parent=orgs.find_sector("MINSA"))
        db.session.commit()
        db.session.remove()


def _fits(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_creates_an_account_in_the_browser(live_server, people, page):
    login(page, live_server, "admin@example.pe")
    page.click("text=Administración")
    page.wait_for_selector("table.users-table")
    assert page.locator(".admin-nav .nav-link.active").inner_text() == "Usuarios"
    screenshot(page, "admin-users-desktop")

    page.fill("#q", "nanez")
    page.click("button:has-text('Filtrar')")
    rows = page.locator("table.users-table tbody tr")
    assert rows.count() == 1 and "José Ñáñez Huamán" in rows.inner_text()

    page.click("text=Nueva cuenta")
    page.fill("#email", "carmen@minsa.gob.pe")
    page.fill("#name", "Carmen Quispe")
    page.select_option("#role", "liaison")
    page.click("button:has-text('Crear cuenta')")
    # No organization for a liaison: the error is beside the field and what was typed stays.
    assert "requiere un sector" in page.locator("#org-err").inner_text()
    assert page.input_value("#email") == "carmen@minsa.gob.pe"
    screenshot(page, "admin-user-form-error-desktop")

    page.select_option("#org", label="MINSA · Ministerio de Salud")
    page.click("button:has-text('Crear cuenta')")
    password = page.input_value("#generated-password")
    assert len(password) >= 10
    screenshot(page, "admin-password-once-desktop")

    page.click("text=Entidades")
    page.wait_for_selector("table.organizations-table")
    assert "PRONIS" in page.inner_text("table.organizations-table")
    screenshot(page, "admin-organizations-desktop")
    page.click("text=Nueva entidad")
    page.select_option("#kind", "unit")
    page.fill("#name", "OPMI del MINSA")
    page.click("button:has-text('Registrar entidad')")
    assert "debe pertenecer a un sector" in page.locator("#parent_id-err").inner_text()
    screenshot(page, "admin-organization-form-error-desktop")


def test_admin_pages_fit_a_phone(live_server, people, phone_page):
    login(phone_page, live_server, "admin@example.pe")
    for path, name in [("/admin/usuarios", "admin-users-phone"), ("/admin/usuarios/nuevo", "admin-user-form-phone"),
                       ("/admin/entidades", "admin-organizations-phone")]:
        phone_page.goto(live_server(path))
        assert _fits(phone_page), path
        screenshot(phone_page, name)
