"""The web import in headless Chromium: upload a PDF, watch it being read, review the
pre-filled acta form, confirm; desktop and phone, with screenshots in test-artifacts/."""
from __future__ import annotations

import importlib.util
import re

import pytest

from tests import factories
from tests.browser import ARTIFACTS, login, screenshot
from tests.imports.web_stub import DOUBTS, SAMPLES, STUB

pytestmark = pytest.mark.browser

SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"
PCM = SAMPLES / "acta-2017-04-11-pcm.pdf"


def _parser_available() -> bool:
    return importlib.util.find_spec("importers.acta_pdf.parser") is not None


@pytest.fixture
def live(live_server):
    # The real parser when it is there; until then the stub that answers the samples' parse.
    live_server.app.config["IMPORT_PARSER"] = None if _parser_available() else STUB
    return live_server


def _upload_and_review(pg, live, path, shot: str):
    pg.goto(live("/importar"))
    pg.set_input_files("#files", str(path))
    pg.get_by_role("button", name="Subir y leer").click()
    pg.wait_for_url(re.compile(r"/importar$"))
    screenshot(pg, f"{shot}-uploaded")  # queued or being read, whichever it is by now
    item = pg.locator("[data-draft-id]").filter(has_text=path.name)
    # The page follows the worker process and reloads when the draft is ready.
    item.get_by_role("link", name="Revisar y confirmar").wait_for(timeout=90_000)
    screenshot(pg, f"{shot}-drafts")
    item.get_by_role("link", name="Revisar y confirmar").click()
    pg.wait_for_url(re.compile(r"/importar/\d+/revisar$"))
    assert pg.locator("#acta-form").is_visible()


def test_import_a_pdf_review_and_confirm(live, page, phone_page):
    with live.app.app_context():
        liaison = factories.user("liaison", "MINSA").email
        coordinator = factories.user("coordinator").email

    # Desktop: a liaison imports the Ayacucho acta.
    login(page, live, liaison)
    page.get_by_role("link", name="Importar acta").click()
    page.wait_for_url(re.compile(r"/importar$"))
    _upload_and_review(page, live, SEED, "import-desktop")
    assert page.locator("#date").input_value() == "2020-12-08"
    assert page.locator("#sector").input_value() == "Ministerio de Salud"
    assert page.locator("#regions-0-region").input_value() == "Cusco"
    assert page.locator("#parse-warnings").is_visible() or page.locator("#parse-clean").is_visible()
    screenshot(page, "import-desktop-review")
    page.screenshot(path=str(ARTIFACTS / "import-desktop-review-top.png"))  # what one sees first
    page.get_by_role("button", name="Confirmar y registrar acta").click()
    page.wait_for_url(re.compile(r"/sesiones/\d+$"))
    assert "Acta importada y registrada" in page.locator(".alert-success").inner_text()
    source = page.locator("[data-source-link]")
    assert source.is_visible()
    href = source.get_attribute("href")
    assert href.endswith(SEED.name)
    first_page_link = page.locator("[data-page-link]").first
    assert first_page_link.get_attribute("href") == f"{href}#page=1"
    pdf = page.request.get(live(href))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body() == SEED.read_bytes()
    screenshot(page, "import-desktop-meeting")
    # A commitment's page link opens the PDF at that page (Chromium's viewer honours #page=N).
    moquegua = page.locator("[data-page-link]").nth(4)  # Cusco has 4 commitments on page 1
    assert moquegua.get_attribute("href") == f"{href}#page=2"
    opened = page.goto(live(moquegua.get_attribute("href")))
    assert opened.ok and opened.headers["content-type"] == "application/pdf"
    page.wait_for_timeout(1500)  # let the viewer scroll to the page before the screenshot
    page.screenshot(path=str(ARTIFACTS / "import-desktop-pdf-page-2.png"))

    # The same file again points to the meeting.
    page.goto(live("/importar"))
    page.set_input_files("#files", str(SEED))
    page.get_by_role("button", name="Subir y leer").click()
    page.wait_for_url(re.compile(r"/importar$"))
    assert "ya fue importado" in page.locator(".alert-warning").first.inner_text()

    # Phone: a coordinator imports the PCM acta, read with doubts the review must settle.
    live.app.config["IMPORT_PARSER"] = DOUBTS
    login(phone_page, live, coordinator)
    _upload_and_review(phone_page, live, PCM, "import-phone")
    screenshot(phone_page, "import-phone-review")
    phone_page.screenshot(path=str(ARTIFACTS / "import-phone-review-top.png"))
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width  # nothing wider than the phone
    assert "3 avisos" in phone_page.locator("#parse-warnings").inner_text()
    assert phone_page.locator("#date-warn").inner_text().endswith("No se encontró la fecha de la sesión.")
    region_warning = phone_page.locator("#regions-1-region-warn")
    assert "«GOBIERNO REGIONAL DEL KALLAO»" in region_warning.inner_text()
    region_warning.scroll_into_view_if_needed()
    phone_page.screenshot(path=str(ARTIFACTS / "import-phone-review-region-warning.png"))
    # Confirming as read is refused beside the fields; settled, it is recorded.
    phone_page.get_by_role("button", name="Confirmar y registrar acta").click()
    assert "Indique la fecha de la sesión." in phone_page.locator("#error-summary").inner_text()
    phone_page.fill("#date", "2017-04-11")
    phone_page.select_option("#regions-1-region", "Callao")
    phone_page.get_by_role("button", name="Confirmar y registrar acta").click()
    phone_page.wait_for_url(re.compile(r"/sesiones/\d+$"))
    assert phone_page.locator("[data-source-link]").is_visible()
    screenshot(phone_page, "import-phone-meeting")
