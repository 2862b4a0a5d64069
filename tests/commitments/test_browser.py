"""A regional officer's day in a real browser: home, a commitment, an update; screenshots of
home, list and commitment page on desktop and phone (test-artifacts/commitments-*.png)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from gore_tracker.extensions import db
from gore_tracker.utils.dates import today as lima_today
from tests import factories
from tests.browser import login, screenshot

from .helpers import PDF_BYTES

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_world(live_server):
    """A realistic acta (the Ayacucho seed) plus Cusco commitments overdue, due soon and later."""
    with live_server.app.app_context():
        today = lima_today()
        admin = factories.user("admin")
        factories.user("regional_officer", "Cusco", email="cusco@example.pe",
                       name="Rosa Huamán")
        seed = factories.meeting(admin, document=factories.seed_document())
        cusco = [c for c in seed.commitments if c.region.name == "Cusco"]
        cusco[0].due = today - timedelta(days=12)
        cusco[1].due = today + timedelta(days=5)
        cusco[2].due = today + timedelta(days=45)
        db.session.commit()
        doc = factories.acta_document(sector_name="Ministerio de Educación", day="2024-04-18",
                                      regions=(("Cusco", 3), ("Puno", 2)),
                                      topic_text="Infraestructura educativa en zonas altoandinas",
                                      due=(today - timedelta(days=3)).isoformat())
        factories.meeting(admin, document=doc)
        overdue_id = cusco[0].id
        db.session.remove()
    return {"email": "cusco@example.pe", "overdue_id": overdue_id}


def no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_officer_updates_a_commitment(live_server, page, officer_world, tmp_path):
    login(page, live_server, officer_world["email"])
    page.goto(live_server("/"))
    assert page.locator("h1").inner_text() == "Compromisos de Cusco"
    urgent = page.locator("#vencidos")
    assert "Vencido · 12 días" in urgent.inner_text()
    screenshot(page, "commitments-home-desktop")

    # Open the most overdue commitment from the home page.
    overdue_id = officer_world["overdue_id"]
    urgent.locator(f'tr[data-id="{overdue_id}"] a[href$="/compromisos/{overdue_id}"]').click()
    page.wait_for_url(f"**/compromisos/{overdue_id}")
    assert "Para enviar a validación adjunte evidencia o escriba una nota" in page.content()
    screenshot(page, "commitments-detail-desktop")

    # Report progress with evidence.
    pdf = tmp_path / "avance.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.select_option("#status", "en_proceso")
    page.fill("#progress", "40")
    page.fill("#note", "Se adjudicó la obra de la planta de oxígeno.")
    page.set_input_files("#evidence", str(pdf))
    page.click("form.update-form button[type=submit]")
    page.wait_for_url("**#historial")
    assert "Actualización registrada." in page.content()
    entry = page.locator(".history-entry").first
    assert "Se adjudicó la obra" in entry.inner_text()
    assert "avance.pdf" in entry.inner_text()
    assert "Se adjuntó 1 archivo." in page.content()
    assert page.locator(".commitment-context .status-badge").first.inner_text() == "En proceso"
    screenshot(page, "commitments-detail-updated-desktop")

    # A validation request without note or evidence is explained beside the note.
    page.select_option("#status", "por_validar")
    page.click("form.update-form button[type=submit]")
    assert page.locator("#note-err").inner_text() == \
        "Para enviar a validación adjunte evidencia o escriba una nota."
    screenshot(page, "commitments-detail-error-desktop")

    page.goto(live_server("/compromisos?region=Cusco&sort=overdue"))
    assert page.locator("table.commitment-table tbody tr").count() == 7
    screenshot(page, "commitments-list-desktop")
    assert no_horizontal_scroll(page)


def test_phone_layout(live_server, phone_page, officer_world):
    pg = phone_page
    login(pg, live_server, officer_world["email"])
    for name, path in (("home", "/"), ("list", "/compromisos"),
                       ("detail", f"/compromisos/{officer_world['overdue_id']}")):
        pg.goto(live_server(path))
        screenshot(pg, f"commitments-{name}-phone")
        assert no_horizontal_scroll(pg), f"{name} scrolls sideways on a phone"
    # On a phone the list is cards, and the filters open from a button.
    pg.goto(live_server("/compromisos"))
    assert pg.locator(".commitment-card").first.is_visible()
    assert not pg.locator("table.commitment-table").is_visible()
    assert not pg.locator("#filtros").is_visible()
    pg.get_by_role("button", name="Filtros").click()
    # visible as soon as Bootstrap starts unfolding it: wait until it has finished
    pg.locator("#filtros.show:not(.collapsing)").wait_for(state="visible")
    pg.fill("#q", "oxigeno")
    with pg.expect_navigation(url="**q=oxigeno**"):
        pg.get_by_role("button", name="Filtrar").click()
    cards = pg.locator(".commitment-card")
    assert cards.count() >= 1
    assert all("xígeno" in cards.nth(i).inner_text() or "XÍGENO" in cards.nth(i).inner_text().upper()
               for i in range(cards.count()))
    screenshot(pg, "commitments-list-search-phone")
