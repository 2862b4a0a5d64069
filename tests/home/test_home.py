"""The home page per role: the right sections, in the right order, with the right commitments."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db


def section(html: str, section_id: str) -> str:
    """The HTML of one home section (up to the next section)."""
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else len(html)]


def row_ids(fragment: str) -> list[int]:
    table = fragment.split('class="d-md-none"')[0]
    return [int(i) for i in re.findall(r'class="commitment-row" data-id="(\d+)"', table)]


def count(fragment: str) -> int:
    return int(re.search(r'class="badge[^"]*section-count">(\d+)<', fragment).group(1))


@pytest.fixture
def world(record, today, users):
    """Cusco and Puno commitments of MINSA and MINEDU in every situation a home page sorts."""
    w = {
        "cusco_overdue": record("Cusco", text="CUSCO VENCIDO", due=today - timedelta(days=20)),
        "cusco_soon": record("Cusco", text="CUSCO POR VENCER", due=today + timedelta(days=7),
                             status="en_proceso"),
        "cusco_later": record("Cusco", text="CUSCO MAS ADELANTE", due=today + timedelta(days=60)),
        "cusco_nodue": record("Cusco", text="CUSCO SIN PLAZO", status="en_proceso"),
        "cusco_sent": record("Cusco", text="CUSCO ENVIADO", due=today - timedelta(days=5)),
        "cusco_done": record("Cusco", text="CUSCO CUMPLIDO", due=today - timedelta(days=50),
                             status="cumplido"),
        "cusco_minedu": record("Cusco", sector="Ministerio de Educación", text="CUSCO EDUCACION VENCIDO",
                               due=today - timedelta(days=2)),
        "puno_overdue": record("Puno", text="PUNO VENCIDO", due=today - timedelta(days=90)),
        "puno_sent": record("Puno", text="PUNO ENVIADO", status="por_validar"),
        "puno_cancelled": record("Puno", text="PUNO ANULADO", status="anulado"),
    }
    # The Cusco officer sends one to validation through the operation.
    sent = w["cusco_sent"]
    apply_update(sent, users["cusco"], status="por_validar", note="Se entregó la obra", version=sent.version)
    db.session.commit()
    return w


def test_anonymous_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_regional_officer_home(client_for, users, world, today):
    html = client_for(users["cusco"]).get("/").get_data(as_text=True)
    assert "Compromisos de Cusco" in html
    # Overdue and due within 14 days first, then the rest waiting for action, then those sent.
    assert html.index('id="vencidos"') < html.index('id="su-accion"') < html.index('id="enviados"')
    urgent = section(html, "vencidos")
    assert row_ids(urgent) == [world["cusco_overdue"].id, world["cusco_minedu"].id, world["cusco_soon"].id]
    assert count(urgent) == 3
    assert "Vencido · 20 días" in urgent
    waiting = section(html, "su-accion")
    assert row_ids(waiting) == [world["cusco_later"].id, world["cusco_nodue"].id]
    sent = section(html, "enviados")
    assert row_ids(sent) == [world["cusco_sent"].id]
    # Nothing from another region, nothing closed.
    for text in ("PUNO", "CUSCO CUMPLIDO"):
        assert text not in html
    # Counters link to the filtered list.
    assert 'href="/compromisos?region=Cusco&amp;overdue=true&amp;sort=overdue"' in html


def test_liaison_home(client_for, users, world):
    html = client_for(users["liaison"]).get("/").get_data(as_text=True)
    assert '<h1 class="h3 mb-1">Ministerio de Salud</h1>' in html
    assert html.index('id="vencidos"') < html.index('id="por-validar"')
    urgent = section(html, "vencidos")
    assert row_ids(urgent) == [world["puno_overdue"].id, world["cusco_overdue"].id, world["cusco_soon"].id]
    to_validate = section(html, "por-validar")
    assert set(row_ids(to_validate)) == {world["cusco_sent"].id, world["puno_sent"].id}
    assert "EDUCACION" not in html  # another sector's commitment


def test_other_sector_liaison_sees_only_theirs(client_for, users, world):
    html = client_for(users["other_liaison"]).get("/").get_data(as_text=True)
    assert row_ids(section(html, "vencidos")) == [world["cusco_minedu"].id]
    assert "Ningún gobierno regional espera validación." in section(html, "por-validar")


@pytest.mark.parametrize("role", ["coordinator", "admin", "viewer"])
def test_national_picture(client_for, users, world, role):
    html = client_for(users[role]).get("/").get_data(as_text=True)
    assert "Panorama nacional" in html
    assert html.index("national-totals") < html.index('id="por-sector"') < html.index('id="mas-vencidos"') \
        < html.index('id="por-region"')
    # Totals: 10 commitments, 1 cumplido, 1 anulado → compliance 1/9 = 11 %.
    totals = html[html.index("national-totals"):html.index("Cumplimiento = ")]
    assert "11 %" in totals
    overdue = re.search(r'Vencidos</div>\s*<div[^>]*><a[^>]*>(\d+)</a>', totals)
    assert overdue and overdue.group(1) == "3"
    most = section(html, "mas-vencidos")
    assert row_ids(most)[:3] == [world["puno_overdue"].id, world["cusco_overdue"].id, world["cusco_minedu"].id]
    by_sector = section(html, "por-sector")
    assert "Ministerio de Salud" in by_sector and "Ministerio de Educación" in by_sector
    minsa = re.search(r'title="Ministerio de Salud">.*?</a></th>\s*<td[^>]*>(\d+)</td>', by_sector)
    assert minsa.group(1) == "9"
    by_region = section(html, "por-region")
    cusco = re.search(r'title="Cusco">Cusco</a></th>(.*?)</tr>', by_region, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", cusco, re.S)
    # total, six statuses, overdue, compliance: 7 total, 1 cumplido of 7 → 14 %.
    assert cells[0] == "7"
    assert ">2<" in cells[7]
    assert cells[8].strip() == "14 %"
    if role == "viewer":
        assert 'id="por-validar"' not in html
        assert "Vista de consulta" in html
    else:
        assert set(row_ids(section(html, "por-validar"))) == {world["cusco_sent"].id, world["puno_sent"].id}


def test_empty_national_picture(client_for, users):
    html = client_for(users["viewer"]).get("/").get_data(as_text=True)
    assert "Aún no hay compromisos registrados." in html
    assert "No hay compromisos vencidos." in html


def test_officer_home_with_nothing_due(client_for, users, record, today):
    record("Cusco", due=today + timedelta(days=30))
    html = client_for(users["cusco"]).get("/").get_data(as_text=True)
    assert "Nada vencido ni por vencer en los próximos 14 días." in html
    assert count(section(html, "su-accion")) == 1


def test_limit_and_link_to_full_list(client_for, users, record, today):
    from gore_tracker.home import queries

    for i in range(queries.LIMIT + 2):
        record("Cusco", text=f"VENCIDO {i}", due=today - timedelta(days=i + 1))
    html = client_for(users["cusco"]).get("/").get_data(as_text=True)
    urgent = section(html, "vencidos")
    assert count(urgent) == queries.LIMIT + 2
    assert len(row_ids(urgent)) == queries.LIMIT
    assert f"Ver los {queries.LIMIT + 2}" in urgent
