"""Email rendering: template pairs with the subject as a block, absolute links from BASE_URL,
HTML that mail clients show (inline styles, nothing remote), escaping, and a rendered
reminder and digest written to test-artifacts/emails/ to be read as a recipient would."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.notifications import digest, emails, reminders
from tests.browser import ARTIFACTS, screenshot
from tests.notifications.jobhelpers import commitment, lima, move, to

MONDAY = date(2026, 3, 9)
URL = re.compile(r"""https?://[^\s"'<>)]+""")


def realistic(make):
    """A liaison of MINSA, a Cusco officer and a coordinator, with commitments in every list,
    a previous digest (W10) to compare with, and the W11 digest and a Tuesday reminder sent."""
    admin = make.user("admin", email="admin@example.pe")
    admin.digest_enabled = False
    people = {
        "minsa": make.user("liaison", "MINSA", email="lparedes@minsa.gob.pe", name="Luis Paredes Rojas"),
        "cusco": make.user("regional_officer", "Cusco", email="rhuaman@regioncusco.gob.pe", name="Rosa Huamán Quispe"),
        "coordinator": make.user("coordinator", email="coordinacion@pcm.gob.pe", name="Carla Mendoza"),
    }
    db.session.commit()
    texts = [  # (region, text, due relative to Monday 9 March)
        ("Cusco", "Culminar el expediente técnico del Hospital de Quillabamba", -7),
        ("Cusco", "Transferir los recursos para el equipamiento de la planta de oxígeno de Espinar", 0),
        ("Puno", "Instalar la planta de oxígeno medicinal del Hospital Carlos Monge Medrano de Juliaca", -30),
        ("Cusco", "Contratar a 40 profesionales de salud para los establecimientos de La Convención", 2),
        ("Puno", "Aprobar el plan de vacunación contra la influenza en las zonas altoandinas", 7),
        ("Cusco", "Remitir la relación de establecimientos con brechas de personal", 10),
        ("Cusco", "Habilitar 12 camas UCI en el Hospital Antonio Lorena", 8),
    ]
    made = [commitment(make, admin, region, sector="MINSA", due=MONDAY + timedelta(days=d), text=text)
            for region, text, d in texts]
    digest.send_week("2026-W10")
    db.session.commit()
    move(made[0], admin, "en_proceso", at=lima(MONDAY - timedelta(days=5), 10, 15), progress=40,
         note="Se concluyó el estudio de suelos; falta la memoria descriptiva.")
    apply_update(made[5], admin, status="cumplido", note="Relación remitida con oficio 123-2026",
                 version=made[5].version)
    db.session.commit()
    waiting = commitment(make, admin, "Puno", sector="MINSA", due=MONDAY + timedelta(days=20),
                         text="Entregar las ambulancias asignadas a la Red de Salud Puno")
    move(waiting, admin, "por_validar", at=lima(MONDAY - timedelta(days=4), 16), note="Se adjunta acta de entrega")
    digest.send_week("2026-W11")
    reminders.enqueue_due(lima(MONDAY + timedelta(days=1)))
    db.session.commit()
    return people, made


def write(name: str, message) -> Path:
    folder = ARTIFACTS / "emails"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(f"Subject: {message.subject}\nTo: {message.to_email}\n\n{message.text_body}",
                                        encoding="utf-8")
    path = folder / f"{name}.html"
    path.write_text(message.html_body, encoding="utf-8")
    return path


def test_realistic_emails_read_well(app, make):
    people, made = realistic(make)
    liaison_digest = [m for m in to("lparedes@minsa.gob.pe") if m.kind == "digest"][-1]
    [officer_reminder] = [m for m in to("rhuaman@regioncusco.gob.pe") if m.kind == "reminder"]
    write("digest-liaison", liaison_digest)
    write("reminder-officer", officer_reminder)
    write("digest-coordinator", [m for m in to("coordinacion@pcm.gob.pe") if m.kind == "digest"][-1])

    text = liaison_digest.text_body
    assert liaison_digest.subject == ("[GORE Tracker] Ministerio de Salud: resumen semanal al 9 de marzo de 2026 "
                                      "— 2 compromisos vencidos")
    assert text.startswith("Hola, Luis Paredes Rojas:\n")
    assert "frente al resumen anterior, semana 2026-W10" in text
    assert "En proceso 1 antes 0 (+1)" in " ".join(text.split())
    assert "Pendiente → En proceso · avance 0 % → 40 %" in text
    assert "Nota: Se concluyó el estudio de suelos" in text
    assert "ESPERAN SU VALIDACIÓN (1)" in text and "Entregar las ambulancias" in text
    assert text.rstrip().endswith("http://testserver/preferencias/correo")
    assert officer_reminder.subject == ("[GORE Tracker] Cusco: 2 compromisos vencidos, 1 vence mañana, "
                                        "1 vence en 7 días")
    assert "vencido hace 8 días" in officer_reminder.text_body


def test_links_are_absolute_from_base_url_whatever_the_request(app, make):
    app.config["BASE_URL"] = "https://seguimiento.pcm.gob.pe/gore/"
    officer = make.user("regional_officer", "Cusco", email="cusco@example.pe")
    c = commitment(make, make.user("admin"), "Cusco", sector="MTC", due=date(2026, 3, 11))
    with app.test_request_context("/compromisos", base_url="http://10.0.0.5:8000"):
        result = reminders.enqueue_due(lima(date(2026, 3, 10)))
    [message] = [m for m in result.messages if m.to_email == officer.email]
    urls = URL.findall(message.text_body) + URL.findall(message.html_body)
    assert len(urls) >= 4
    assert all(u.startswith("https://seguimiento.pcm.gob.pe/gore/") for u in urls), urls
    assert f"https://seguimiento.pcm.gob.pe/gore/compromisos/{c.id}\n" in message.text_body
    assert "https://seguimiento.pcm.gob.pe/gore/preferencias/correo" in message.html_body


def test_html_is_self_contained_and_escaped(app, make):
    make.user("regional_officer", "Cusco", email="cusco@example.pe")
    commitment(make, make.user("admin"), "Cusco", sector="MTC", due=date(2026, 3, 11),
               text='Revisar <script>alert("x")</script> & "comillas" <img src="http://evil.example/x.png">')

    [message] = reminders.enqueue_due(lima(date(2026, 3, 10))).messages

    html = message.html_body
    assert "<script" not in html and "<img" not in html.lower()
    assert "&lt;script&gt;" in html and "&amp; &#34;comillas&#34;" in html
    assert not re.search(r"<(link|style|iframe|object)\b", html, re.I)
    assert not re.search(r"""src=["']?https?://""", html, re.I)
    assert 'style="' in html and "<!doctype html>" in html and 'lang="es"' in html
    # The text part is plain text: no escaping there.
    assert 'Revisar <script>alert("x")</script> & "comillas"' in message.text_body
    # One recipient each, and a one-line subject.
    assert message.to_email == "cusco@example.pe" and "\n" not in message.subject


def test_subject_comes_from_the_template_block(app, make):
    user = make.user("liaison", "MINSA")
    line = emails.CommitmentLine(id=1, text="Texto", status="pendiente", due=date(2026, 3, 11),
                                 region_id=1, sector_id=user.organization_id, region_name="Cusco",
                                 reason="vence mañana")
    section = reminders.Section("tomorrow", "Vencen mañana", [line])
    rendered = emails.reminder_email(user, today=date(2026, 3, 10), scope_label="Ministerio de Salud",
                                     sections=[section])
    assert rendered.subject == "[GORE Tracker] Ministerio de Salud: 1 compromiso vence mañana"
    assert rendered.subject not in rendered.text  # the block is not part of the body
    assert "<title>[GORE Tracker] Ministerio de Salud: 1 compromiso vence mañana</title>" in rendered.html


@pytest.mark.parametrize("counts, expected", [
    ({"overdue": 3}, "3 compromisos vencidos"),
    ({"overdue": 1, "tomorrow": 2}, "1 compromiso vencido, 2 vencen mañana"),
    ({"week": 1, "validation": 4}, "1 compromiso vence en 7 días, 4 esperan su validación"),
    ({"validation": 1}, "1 compromiso espera su validación"),
])
def test_reminder_summary(counts, expected):
    assert emails.reminder_summary(counts) == expected


@pytest.mark.browser
def test_rendered_emails_in_a_browser(app, make, page, phone_page):
    realistic(make)
    liaison_digest = [m for m in to("lparedes@minsa.gob.pe") if m.kind == "digest"][-1]
    [reminder] = [m for m in to("rhuaman@regioncusco.gob.pe") if m.kind == "reminder"]
    requests = []
    for pg in (page, phone_page):
        pg.on("request", lambda r: requests.append(r.url))
    for name, message in (("digest", liaison_digest), ("reminder", reminder)):
        for pg, size in ((page, "desktop"), (phone_page, "phone")):
            pg.set_content(message.html_body)
            screenshot(pg, f"email-{name}-{size}")
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= pg.viewport_size["width"], f"{name} scrolls sideways on {size}"
    assert all(not u.startswith("http") for u in requests), requests  # nothing fetched
    phone_page.set_content(liaison_digest.html_body)
    assert phone_page.get_by_role("link", name="Actualizar").count() >= 3
    assert phone_page.get_by_text("Esperan su validación (1)").is_visible()
