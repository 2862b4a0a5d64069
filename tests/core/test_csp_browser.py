"""The Content-Security-Policy in headless Chromium: the main pages load and their scripts work
(acta form rows, import page polling, Bootstrap collapse, select-on-focus) with no violation
reported, neither as a ``securitypolicyviolation`` event nor in the console."""
from __future__ import annotations

import io
import re

import pytest

from gore_tracker.extensions import db
from gore_tracker.imports import drafts
from tests import factories
from tests.browser import TIMEOUT_MS, login, screenshot

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python not installed").expect

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Added to every document before its own scripts (through the DevTools protocol, so the
# page's CSP does not apply to it): keeps each violation the browser reports.
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                              + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """Console errors and uncaught script errors of one page, and its CSP violations."""

    def __init__(self, pg):
        self.pg = pg
        self.console: list[str] = []
        self.errors: list[str] = []
        pg.context.add_init_script(LISTENER)
        pg.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def check(self, where: str) -> None:
        violations = self.pg.evaluate("window.__cspViolations || []")
        csp_console = [m for m in self.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
        assert not violations, f"{where}: {violations}"
        assert not csp_console, f"{where}: {csp_console}"
        assert not self.errors, f"{where}: {self.errors}"
        self.console.clear()


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        admin = factories.user("admin")
        commitment = factories.commitment(actor=admin)
        # A queued draft that no worker reads: the import page keeps polling its status.
        draft = drafts.create_draft(io.BytesIO(PDF), "acta-en-cola.pdf", admin).draft
        db.session.commit()
        return {"admin": admin.email, "admin_id": admin.id, "meeting": commitment.meeting_id,
                "commitment": commitment.id, "draft": draft.id}


def test_main_pages_run_under_the_policy(live_server, page, world):
    live = live_server
    watch = Watch(page)
    page.goto(live("/login"))
    watch.check("login")
    login(page, live, world["admin"])

    for path in ("/", "/compromisos", "/sesiones", f"/sesiones/{world['meeting']}",
                 f"/compromisos/{world['commitment']}", "/admin/usuarios", "/admin/entidades",
                 "/admin/correo/", "/preferencias/correo"):
        response = page.goto(live(path))
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        watch.check(path)

    # The acta form: its script adds rows.
    page.goto(live("/sesiones/nueva"))
    before = page.locator('[data-kind="attendee"]').count()
    page.click('[data-add="attendee"]')
    assert page.locator('[data-kind="attendee"]').count() == before + 1
    page.fill("#edition", "2")
    assert page.locator("#title").get_attribute("placeholder").startswith("2do ")
    watch.check("acta form")

    # The import page follows the queued draft with fetch() (connect-src 'self').
    with page.expect_response(lambda r: "/importar/estado" in r.url and r.status == 200):
        page.goto(live("/importar"))
    assert page.locator(f'[data-draft-id="{world["draft"]}"]').is_visible()
    watch.check("import page")

    # A generated password is selected when it gets the focus (was an inline onfocus=).
    page.goto(live(f"/admin/usuarios/{world['admin_id']}"))
    page.get_by_role("button", name="Restablecer contraseña").click()
    page.wait_for_selector("#generated-password")
    page.focus("#generated-password")
    assert page.evaluate("""() => { const el = document.getElementById("generated-password");
                                    return el.selectionStart === 0 && el.selectionEnd === el.value.length; }""")
    watch.check("generated password")
    screenshot(page, "csp-generated-password")


def test_bootstrap_collapse_on_a_phone(live_server, phone_page, world):
    watch = Watch(phone_page)
    login(phone_page, live_server, world["admin"])
    phone_page.goto(live_server("/compromisos"))
    menu = phone_page.locator("#mainnav")
    assert not menu.is_visible()
    phone_page.click(".navbar-toggler")
    expect(menu).to_have_class(re.compile(r"\bshow\b"), timeout=TIMEOUT_MS)
    filters = phone_page.locator("#filtros")
    assert not filters.is_visible()
    phone_page.locator('[data-bs-target="#filtros"]').click()
    expect(filters).to_have_class(re.compile(r"\bshow\b"), timeout=TIMEOUT_MS)  # after Bootstrap's transition
    watch.check("phone collapse")
    screenshot(phone_page, "csp-phone-collapse")
