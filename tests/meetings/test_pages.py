"""The meeting list (filters, counts, pagination) and the acta page laid out like the paper."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.evidence import storage
from gore_tracker.extensions import db
from gore_tracker.meetings.operations import record_acta
from gore_tracker.utils.dates import today
from tests import factories


@pytest.fixture
def admin(login_as):
    return login_as(factories.user("admin"))


def counts_of(html: str, meeting_id: int) -> dict[str, int]:
    row = re.search(r'<tr data-meeting-id="%d">(.*?)</tr>' % meeting_id, html, re.S)
    assert row, f"meeting {meeting_id} not listed"
    return {name: int(re.sub(r"<[^>]+>", " ", cell).split()[0])
            for name, cell in re.findall(r'data-count="(\w+)">(.*?)</td>', row.group(1), re.S)}


def listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-meeting-id="(\d+)">', html)]


def test_list_counts_commitments_fulfilled_and_overdue(client, admin):
    seed = factories.meeting(admin, document=factories.seed_document())
    cs = seed.commitments
    apply_update(cs[0], admin, status="cumplido", note="Acta de reunión", version=cs[0].version)
    apply_update(cs[1], admin, status="cumplido", note="Informe", version=cs[1].version)
    past = today() - timedelta(days=10)
    for c in cs[2:5]:
        c.due = past
    apply_update(cs[5], admin, status="anulado", note="Ya no corresponde", version=cs[5].version)
    cs[5].due = past  # closed: not overdue
    db.session.commit()
    other = factories.meeting(admin, sector_name="Ministerio de Educación", day="2024-05-10",
                              regions=(("Piura", 2),), body="Muni Ejecutivo")
    html = client.get("/sesiones").get_data(as_text=True)
    assert listed(html) == [other.id, seed.id]  # newest first
    assert counts_of(html, seed.id) == {"total": 15, "fulfilled": 2, "overdue": 3}
    assert counts_of(html, other.id) == {"total": 2, "fulfilled": 0, "overdue": 0}
    assert "8 de diciembre de 2020" in html and "Cusco, Moquegua, Puno, Tacna" in html


def test_list_filters_by_sector_body_and_year(client, admin):
    salud = factories.meeting(admin, document=factories.seed_document())
    educacion = factories.meeting(admin, sector_name="Ministerio de Educación", day="2024-05-10",
                                  regions=(("Piura", 1),))
    muni = factories.meeting(admin, sector_name="Ministerio de Educación", day="2023-02-01",
                             regions=(("Lima Metropolitana", 1),), body="Muni Ejecutivo")
    assert listed(client.get("/sesiones?sector=MINEDU").get_data(as_text=True)) == [educacion.id, muni.id]
    assert listed(client.get("/sesiones?sector=Ministerio de Salud").get_data(as_text=True)) == [salud.id]
    assert listed(client.get("/sesiones?body=Muni Ejecutivo").get_data(as_text=True)) == [muni.id]
    assert listed(client.get("/sesiones?year=2020").get_data(as_text=True)) == [salud.id]
    assert listed(client.get("/sesiones?sector=MINEDU&year=2024").get_data(as_text=True)) == [educacion.id]
    html = client.get("/sesiones?year=2019").get_data(as_text=True)
    assert listed(html) == [] and "No hay sesiones con esos filtros." in html
    # Options come from the data; nonsense in the URL is ignored, never a 500.
    html = client.get("/sesiones").get_data(as_text=True)
    assert '<option value="Muni Ejecutivo">' in html and '<option value="2020">' in html
    assert client.get("/sesiones?year=abc&sector=Narnia&page=x").status_code == 200


def test_list_is_paginated_keeping_the_filters(client, admin):
    ids = [factories.meeting(admin, day=(date(2023, 1, 1) + timedelta(days=i)).isoformat(),
                             regions=(("Cusco", 1),)).id for i in range(23)]
    first = client.get("/sesiones?sector=MINSA").get_data(as_text=True)
    assert listed(first) == ids[::-1][:20]
    assert "23 sesiones" in first
    assert 'href="/sesiones?sector=MINSA&amp;page=2"' in first
    second = client.get("/sesiones?sector=MINSA&page=2").get_data(as_text=True)
    assert listed(second) == ids[::-1][20:]
    assert listed(client.get("/sesiones?page=9").get_data(as_text=True)) == []


def test_acta_page_reads_like_the_paper(client, admin):
    doc = factories.seed_document()
    doc["extensions"] = {"absent_regions": ["Arequipa"]}
    doc["observations"] = "No asistió el Gobierno Regional de Arequipa"
    meeting = factories.meeting(admin, document=doc)
    html = client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "GORE Ejecutivo Extraordinario" in text
    assert "Ayacucho, 8 de diciembre de 2020" in text
    assert "SECTOR Ministerio de Salud" in text and "MODERADOR Freddy Vega Benites" in text
    assert "Por los gobiernos regionales" in text and "Por el sector" in text
    assert "Sr. Jean Paul Benavente García, Gobernador Regional de Cusco" in text
    assert "Sra. Pilar Mazzetti Soler, Ministra de Salud" in text
    blocks = re.findall(r'class="acta-region"[^>]*>([^<]+)<', html)
    assert blocks == ["Gobierno Regional de Cusco", "Gobierno Regional de Moquegua",
                      "Gobierno Regional de Puno", "Gobierno Regional de Tacna"]
    assert "TEMA 3: Falta inversión en plantas de oxígeno." in text
    assert "COMPROMISO 3: Implementar plantas de oxígeno" in text
    assert text.count("Ver seguimiento") == 15
    for c in meeting.commitments:
        assert f'href="/compromisos/{c.id}"' in html
    assert "NO ASISTIERON Gobierno Regional de Arequipa" in text
    assert "OTROS TEMAS TRATADOS" in text.upper()
    assert "Tacna 1. Solicitan opinión del MINSA del protocolo sanitario" in text
    assert "Observaciones: No asistió el Gobierno Regional de Arequipa" in text
    assert "Responsable" not in text  # the seed acta has only TEMA | COMPROMISO columns


def test_acta_page_shows_status_overdue_responsible_due_and_source_pages(client, admin):
    pdf = storage.store(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "acta-minsa.pdf", uploaded_by=admin)
    doc = factories.seed_document()
    doc["regions"][0]["topics"][0]["commitments"][0].update(due="2021-03-31", responsible="DIRESA Cusco")
    doc["extensions"] = {"commitments": [
        {"region": "Cusco", "number": 1, "source_page": 2, "deliverable": "Actas de reunión", "target": 4,
         "cui": "2456789"}]}
    meeting = record_acta(doc, admin, source_file=pdf)
    db.session.commit()
    c1 = next(c for c in meeting.commitments if c.region.name == "Cusco" and c.number == 1)
    c2 = next(c for c in meeting.commitments if c.region.name == "Cusco" and c.number == 2)
    apply_update(c2, admin, status="cumplido", note="Plan aprobado", version=c2.version)
    db.session.commit()
    html = client.get(f"/sesiones/{meeting.id}").get_data(as_text=True)
    row1 = re.search(r'<tr class="acta-commitment-row" id="compromiso-%d">(.*?)</tr>' % c1.id, html, re.S).group(1)
    assert 'data-status="pendiente"' in row1
    days = (today() - date(2021, 3, 31)).days
    assert f"Vencido · {days} días" in row1
    assert "DIRESA Cusco" in row1 and "31 de marzo de 2021" in row1
    assert "Producto: Actas de reunión" in row1 and "Meta: 4" in row1 and "CUI 2456789" in row1
    assert f'href="/archivos/{pdf.id}/acta-minsa.pdf#page=2"' in row1
    row2 = re.search(r'<tr class="acta-commitment-row" id="compromiso-%d">(.*?)</tr>' % c2.id, html, re.S).group(1)
    assert 'data-status="cumplido"' in row2 and "Vencido" not in row2
    assert f'href="/archivos/{pdf.id}/acta-minsa.pdf"' in html  # download of the whole acta
    assert ">Responsable<" in html and ">Plazo<" in html
