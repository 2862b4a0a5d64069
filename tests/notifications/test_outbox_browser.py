"""The outbox pages in headless Chromium on a desktop and a phone (screenshots in test-artifacts/)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def mail(live_server):
    from gore_tracker.db import utcnow
    from gore_tracker.extensions import db
    from gore_tracker.notifications import outbox
    from gore_tracker.scheduler import heartbeat
    from tests import factories

    with live_server.app.app_context():
        factories.user("admin", email="admin@example.pe", name="Lucía Ramírez")
        rows = []
        for n, (to, subject) in enumerate([
            ("rosa.quispe@regioncusco.gob.pe", "[GORE Tracker] Cusco: 3 compromisos vencidos"),
            ("jose.nanez@minsa.gob.pe", "[GORE Tracker] MINSA: resumen semanal del 23 de noviembre"),
            ("buzon.inexistente@regionpuno.gob.pe", "[GORE Tracker] Puno: 1 compromiso vence mañana"),
        ], start=1):
            rows.append(outbox.enqueue(key=f"browser:{n}", kind="reminder" if n != 2 else "digest", user=None,
                                       to_email=to, subject=subject,
                                       text_body=f"Hola:\n\nEstos compromisos necesitan su atención:\n\n"
                                                 f"- Compromiso {n}: instalar planta de oxígeno "
                                                 "(vence el 24/11/2026)\n",
                                       html_body="<p>Hola</p>"))
        rows[0].status, rows[0].sent_at, rows[0].attempts = "sent", utcnow(), 1
        rows[2].status, rows[2].attempts = "failed", 6
        rows[2].last_error = ("Destinatario rechazado: buzon.inexistente@regionpuno.gob.pe: 550 5.1.1 "
                              "Mailbox unavailable")
        heartbeat.beat(utcnow() - timedelta(hours=3))
        db.session.commit()
        ids = [r.id for r in rows]
        db.session.remove()
    return ids


def _fits(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_sees_the_outbox_and_resends_a_failed_message(live_server, mail, page):
    login(page, live_server, "admin@example.pe")
    page.click("text=Administración")
    assert "Los recordatorios no se están enviando" in page.locator(".scheduler-banner").inner_text()
    page.click(".admin-nav >> text=Correo saliente")
    page.wait_for_selector("table.outbox-table")
    assert page.locator("table.outbox-table tbody tr").count() == 3
    screenshot(page, "outbox-list-desktop")

    page.click(".outbox-filter >> text=Fallidos")
    rows = page.locator("table.outbox-table tbody tr")
    assert rows.count() == 1 and "550 5.1.1" in rows.inner_text()
    rows.locator("a").first.click()
    assert "Mailbox unavailable" in page.locator(".outbox-error").inner_text()
    assert "buzon.inexistente@regionpuno.gob.pe" in page.locator(".message-headers").inner_text()
    screenshot(page, "outbox-message-desktop")
    page.click("button:has-text('Reenviar')")
    assert "volverá a enviarse" in page.locator(".alert-success").inner_text()
    assert page.locator(".outbox-status").first.inner_text() == "Pendiente"


def test_outbox_on_a_phone(live_server, mail, phone_page):
    login(phone_page, live_server, "admin@example.pe")
    phone_page.goto(live_server("/admin/correo/"))
    assert phone_page.locator("table.outbox-table tbody tr").count() == 3
    assert _fits(phone_page)
    screenshot(phone_page, "outbox-list-phone")
    phone_page.goto(live_server(f"/admin/correo/{mail[2]}"))
    assert _fits(phone_page)
    screenshot(phone_page, "outbox-message-phone")
