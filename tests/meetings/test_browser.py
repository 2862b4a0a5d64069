"""The acta form in headless Chromium: add and remove rows, numbers suggested, typed text kept."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gore_tracker.extensions import db
from gore_tracker.meetings.documents import to_document
from gore_tracker.meetings.models import Meeting
from tests import factories
from tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def _value(pg, name: str) -> str:
    return pg.locator(f'[name="{name}"]').input_value()


def test_record_an_acta_adding_and_removing_rows(live_server, page, phone_page):
    with live_server.app.app_context():
        email = factories.user("liaison", "MINSA").email
    login(page, live_server, email)
    page.goto(live_server("/sesiones/nueva"))

    # Header
    page.fill("#date", "2024-05-10")
    page.fill("#place", "Cusco")
    page.fill("#moderator", "Ana Pérez Rojas")
    page.select_option("#session_type", "extraordinaria")
    page.fill("#edition", "3")
    assert page.locator("#title").get_attribute("placeholder") == "3er GORE Ejecutivo Extraordinario"

    # Attendees: the four blank rows the page starts with, one of them removed.
    page.fill("#attendees-0-honorific", "Sr.")
    page.fill("#attendees-0-name", "Juan Quispe Mamani")
    page.fill("#attendees-0-position", "Gobernador Regional de Cusco")
    page.select_option("#attendees-0-region", "Cusco")
    page.fill("#attendees-1-name", "Rosa Huamán")
    page.fill("#attendees-1-position", "Gobernadora Regional de Puno")
    page.select_option("#attendees-1-region", "Puno")
    page.fill("#attendees-2-honorific", "Dra.")
    page.fill("#attendees-2-name", "María Torres")
    page.fill("#attendees-2-position", "Viceministra de Salud Pública")
    assert page.locator("#attendees-2-region").is_disabled()  # sector side: no region asked
    page.locator('[data-kind="attendee"]').nth(1).locator("[data-remove]").click()
    assert page.locator('[data-kind="attendee"]').count() == 3
    assert _value(page, "attendees-0-name") == "Juan Quispe Mamani"
    assert _value(page, "attendees-1-name") == "María Torres"  # renumbered after the removal
    page.click('[data-add="attendee"]')
    assert page.locator("#attendees-3-side").input_value() == "sector"  # side of the previous row
    page.fill("#attendees-3-name", "Luis Ramos")

    # First region block: Cusco, topic 1 with commitments 1 and 2, then topic 2 with commitment 3.
    block = page.locator('[data-kind="region"]').nth(0)
    page.select_option("#regions-0-region", "Cusco")
    page.fill("#regions-0-topics-0-text", "Abastecimiento de oxígeno medicinal")
    page.fill("#regions-0-topics-0-commitments-0-text", "Instalar planta de oxígeno en el Hospital Regional")
    page.fill("#regions-0-topics-0-commitments-0-responsible", "DIRESA Cusco")
    page.fill("#regions-0-topics-0-commitments-0-due", "2024-09-30")
    block.locator('[data-add="commitment"]').first.click()
    assert _value(page, "regions-0-topics-0-commitments-1-number") == "2"
    page.fill("#regions-0-topics-0-commitments-1-text", "Texto que se quitará")
    block.locator('[data-add="topic"]').click()
    assert _value(page, "regions-0-topics-1-number") == "2"
    assert _value(page, "regions-0-topics-1-commitments-0-number") == "3"  # runs through the block
    page.fill("#regions-0-topics-1-text", "Brechas de personal de salud")
    page.fill("#regions-0-topics-1-commitments-0-text", "Plan de cierre de brechas de recursos humanos")
    page.fill("#regions-0-topics-1-commitments-0-deliverable", "Plan aprobado")
    page.fill("#regions-0-topics-1-commitments-0-target", "1")
    page.fill("#regions-0-topics-1-commitments-0-cui", "2456789")
    block.locator('[data-add="commitment"]').first.click()
    assert _value(page, "regions-0-topics-0-commitments-2-number") == "4"
    page.fill("#regions-0-topics-0-commitments-2-text", "Asistencia técnica para el expediente")
    # Remove commitment 2: commitment 4 moves up and keeps its text.
    block.locator('[data-kind="commitment"]').nth(1).locator("[data-remove]").click()
    assert _value(page, "regions-0-topics-0-commitments-1-text") == "Asistencia técnica para el expediente"
    assert _value(page, "regions-0-topics-0-commitments-1-number") == "4"
    assert page.locator("text=Texto que se quitará").count() == 0
    assert page.locator('[name="regions-0-topics-0-commitments-2-text"]').count() == 0

    # Second region block: Puno, added with the button; an extra topic added and removed (confirmed).
    page.click('[data-add="region"]')
    assert page.locator('[data-kind="region"]').count() == 2
    assert _value(page, "regions-1-topics-0-number") == "1"
    assert _value(page, "regions-1-topics-0-commitments-0-number") == "1"
    page.select_option("#regions-1-region", "Puno")
    page.fill("#regions-1-topics-0-text", "Vacunación en zonas altoandinas")
    page.fill("#regions-1-topics-0-commitments-0-text", "Brigadas itinerantes de vacunación")
    puno = page.locator('[data-kind="region"]').nth(1)
    puno.locator('[data-add="topic"]').click()
    page.fill("#regions-1-topics-1-text", "Tema que sobra")
    page.once("dialog", lambda dialog: dialog.accept())
    puno.locator('[data-kind="topic"]').nth(1).locator("[data-remove]").first.click()
    assert puno.locator('[data-kind="topic"]').count() == 1

    # Other topics
    page.select_option("#other_topics-0-region", "Puno")
    page.fill("#other_topics-0-text", "Protocolo sanitario de frontera")

    # Everything typed before the additions and removals is still there.
    assert _value(page, "regions-0-topics-0-text") == "Abastecimiento de oxígeno medicinal"
    assert _value(page, "regions-0-topics-0-commitments-0-responsible") == "DIRESA Cusco"
    assert _value(page, "regions-0-topics-1-commitments-0-cui") == "2456789"
    assert _value(page, "attendees-0-position") == "Gobernador Regional de Cusco"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the sticky save bar in its place
    screenshot(page, "meetings-form-desktop")

    # A first try with Puno's topic text missing: the error comes back beside it, nothing is lost.
    page.fill("#regions-1-topics-0-text", "")
    page.get_by_role("button", name="Registrar acta").click()
    page.wait_for_selector("#error-summary")
    feedback = page.locator("#regions-1-topics-0-text-err")
    assert feedback.inner_text() == "Ingrese el texto del tema." and feedback.is_visible()
    assert "is-invalid" in page.locator("#regions-1-topics-0-text").get_attribute("class")
    assert _value(page, "regions-0-topics-0-commitments-1-text") == "Asistencia técnica para el expediente"
    assert _value(page, "regions-0-topics-1-commitments-0-cui") == "2456789"
    assert _value(page, "attendees-3-name") == "Luis Ramos"
    screenshot(page, "meetings-form-errors-desktop")
    page.fill("#regions-1-topics-0-text", "Vacunación en zonas altoandinas")

    page.get_by_role("button", name="Registrar acta").click()
    page.wait_for_url(re.compile(r"/sesiones/\d+$"))
    assert "Acta registrada" in page.content()
    screenshot(page, "meetings-page-desktop")

    with live_server.app.app_context():
        meeting = db.session.scalar(select(Meeting))
        doc = to_document(meeting)
        db.session.remove()
    assert doc["meeting"]["title"] == "3er GORE Ejecutivo Extraordinario"
    assert [a["name"] for a in doc["attendees"]] == ["Juan Quispe Mamani", "María Torres", "Luis Ramos"]
    assert [(b["region"], [(t["number"], [c["number"] for c in t["commitments"]]) for t in b["topics"]])
            for b in doc["regions"]] == [("Cusco", [(1, [1, 4]), (2, [3])]), ("Puno", [(1, [1])])]
    cusco = doc["regions"][0]["topics"]
    assert cusco[0]["commitments"][1]["text"] == "Asistencia técnica para el expediente"
    assert cusco[0]["commitments"][0]["due"] == "2024-09-30"
    details = {(e["region"], e["number"]): e for e in doc["extensions"]["commitments"]}
    assert details[("Cusco", 3)]["cui"] == "2456789" and details[("Cusco", 3)]["target"] == 1
    assert doc["other_topics"] == [{"region": "Puno", "text": "Protocolo sanitario de frontera"}]

    # The acta page shows the blocks as the paper does, with statuses and follow-up links.
    page_text = page.locator("#acta").inner_text()
    assert "Cusco, 10 de mayo de 2024" in page_text
    assert "COMPROMISO 4:" in page_text and "Pendiente" in page_text
    assert page.locator('#acta a:has-text("Ver seguimiento")').count() == 4

    # Phone
    login(phone_page, live_server, email)
    phone_page.goto(live_server("/sesiones/nueva"))
    phone_page.click('[data-add="commitment"]')
    phone_page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(phone_page, "meetings-form-phone")
    phone_page.goto(live_server(f"/sesiones/{meeting.id}"))
    screenshot(phone_page, "meetings-page-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    phone_page.goto(live_server("/sesiones"))
    screenshot(phone_page, "meetings-list-phone")
    page.goto(live_server("/sesiones"))
    screenshot(page, "meetings-list-desktop")
