"""The commitment list: each filter, accent-insensitive search, sorting, pagination, badges."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gore_tracker.extensions import db


def ids_on_page(html: str) -> list[int]:
    """Commitment ids in table order (the desktop table; the phone cards repeat them)."""
    table = html.split('class="d-md-none"')[0]
    return [int(i) for i in re.findall(r'class="commitment-row" data-id="(\d+)"', table)]


def total_on_page(html: str) -> int:
    match = re.search(r'class="mb-0 result-count"[^>]*>\s*<strong>(\d+)</strong>', html)
    assert match, "no result count"
    return int(match.group(1))


@pytest.fixture
def dataset(record, today):
    """Five commitments differing in every filterable attribute."""
    return {
        "oxygen": record("Cusco", sector="Ministerio de Salud", topic="Abastecimiento de Oxígeno medicinal",
                         text="Instalar la planta de OXÍGENO del hospital regional", due=today - timedelta(days=10),
                         responsible="Dirección Regional de Salud"),
        "school": record("Cusco", sector="Ministerio de Educación", topic="Infraestructura educativa",
                         text="Culminar el colegio emblemático", due=today + timedelta(days=40),
                         responsible="PRONIED", body="Muni Ejecutivo", status="en_proceso"),
        "puno": record("Puno", sector="Ministerio de Salud", topic="Hospital de Juliaca",
                       text="Transferir recursos para el equipamiento", due=today - timedelta(days=3),
                       status="en_proceso"),
        "road": record("Ayacucho", sector="Ministerio de Transportes y Comunicaciones",
                       topic="Carretera Huanta", text="Aprobar la adenda del contrato",
                       due=today + timedelta(days=5), status="cumplido"),
        "nodue": record("Puno", sector="Ministerio de Educación", topic="Becas",
                        text="Ampliar la cobertura de becas", due=None, status="por_validar"),
    }


@pytest.fixture
def signed_in(login_as, users):
    return login_as(users["viewer"])


def get_ids(client, query: str = "") -> list[int]:
    response = client.get("/compromisos" + query)
    assert response.status_code == 200
    return ids_on_page(response.get_data(as_text=True))


def test_requires_login(client):
    response = client.get("/compromisos")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_all_listed_with_total(client, dataset, signed_in):
    response = client.get("/compromisos")
    html = response.get_data(as_text=True)
    assert sorted(ids_on_page(html)) == sorted(c.id for c in dataset.values())
    assert total_on_page(html) == 5


@pytest.mark.parametrize("query, expected", [
    ("?region=Cusco", {"oxygen", "school"}),
    ("?region=08", {"oxygen", "school"}),        # by code as well
    ("?sector=MINSA", {"oxygen", "puno"}),
    ("?sector=Ministerio+de+Educaci%C3%B3n", {"school", "nodue"}),
    ("?body=Muni+Ejecutivo", {"school"}),
    ("?status=en_proceso", {"school", "puno"}),
    ("?status=en_proceso&status=por_validar", {"school", "puno", "nodue"}),
    ("?overdue=true", {"oxygen", "puno"}),
    ("?responsible=pronied", {"school"}),
    ("?responsible=direccion+regional", {"oxygen"}),
    ("?q=oxigeno", {"oxygen"}),
    ("?q=OXIGENO+hospital", {"oxygen"}),
    ("?q=Ox%C3%ADgeno", {"oxygen"}),
    ("?q=juliaca", {"puno"}),              # topic text is searched too
    ("?q=inexistente", set()),
    ("?region=Cusco&status=pendiente&overdue=true", {"oxygen"}),
])
def test_each_filter(client, dataset, signed_in, query, expected):
    assert set(get_ids(client, query)) == {dataset[k].id for k in expected}


def test_meeting_filter(client, dataset, signed_in):
    meeting_id = dataset["road"].meeting_id
    assert get_ids(client, f"?meeting_id={meeting_id}") == [dataset["road"].id]


def test_due_range(client, dataset, signed_in, today):
    start = (today - timedelta(days=5)).isoformat()
    end = (today + timedelta(days=10)).isoformat()
    assert set(get_ids(client, f"?due_from={start}&due_to={end}")) == {dataset["puno"].id, dataset["road"].id}
    assert set(get_ids(client, f"?due_from={start}")) == {dataset["puno"].id, dataset["road"].id,
                                                          dataset["school"].id}
    assert set(get_ids(client, f"?due_to={today.isoformat()}")) == {dataset["oxygen"].id, dataset["puno"].id}


def test_invalid_filters_are_ignored_with_a_spanish_warning(client, dataset, signed_in):
    response = client.get("/compromisos?region=Atlantida&due_from=2024-13-40&status=perdido&sector=MINSA")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Se ignoró el filtro de gobierno regional" in html
    assert "Atlantida" in html
    assert "Se ignoró el filtro de plazo desde" in html
    assert "Se ignoró el filtro de estado" in html
    # The valid filter still applies.
    assert set(ids_on_page(html)) == {dataset["oxygen"].id, dataset["puno"].id}


def test_filter_form_keeps_choices(client, dataset, signed_in):
    html = client.get("/compromisos?region=Cusco&status=en_proceso&overdue=true&q=ox%C3%ADgeno").get_data(as_text=True)
    assert re.search(r'<option selected value="Cusco">|<option value="Cusco" selected>', html)
    assert re.search(r'id="status-en_proceso"\s+checked', html)
    assert not re.search(r'id="status-pendiente"\s+checked', html)
    assert re.search(r'id="overdue"\s+checked', html)
    assert 'value="oxígeno"' in html
    # A summary of the filters in force (shown above the results on a phone).
    summary = html.split('class="d-md-none mb-2 small active-filters"')[1].split("</div>")[0]
    for chip in ("Búsqueda: oxígeno", "Región: Cusco", "Estado: En proceso", "Vencidos: sí"):
        assert chip in summary


@pytest.mark.parametrize("sort, key", [
    ("due", lambda c: (c.due is None, c.due, c.id)),
    ("-due", lambda c: (c.due is None, -(c.due.toordinal()) if c.due else 0, c.id)),
    ("id", lambda c: c.id),
])
def test_sorting(client, dataset, signed_in, sort, key):
    expected = [c.id for c in sorted(dataset.values(), key=key)]
    assert get_ids(client, f"?sort={sort}") == expected


def test_sort_by_region_and_most_overdue(client, dataset, signed_in):
    ids = get_ids(client, "?sort=region")
    regions = [db.session.get(type(dataset["oxygen"]), i).region.name for i in ids]
    assert regions == sorted(regions)
    # The most overdue first: oxygen (10 days) before puno (3 days).
    assert get_ids(client, "?sort=overdue")[:2] == [dataset["oxygen"].id, dataset["puno"].id]


def test_pagination_keeps_filters(app, client, record, signed_in, today):
    app.config["PER_PAGE_DEFAULT"] = 2
    made = [record("Cusco", text=f"Compromiso número {i}", due=today + timedelta(days=i),
                   status="en_proceso" if i % 2 else "pendiente") for i in range(5)]
    record("Puno", text="De otra región", due=today)
    html = client.get("/compromisos?region=Cusco&status=pendiente&status=en_proceso").get_data(as_text=True)
    assert total_on_page(html) == 5
    assert ids_on_page(html) == [made[0].id, made[1].id]
    # Page links carry every filter, the repeated status included.
    links = set(re.findall(r'href="(/compromisos\?[^"]*page=2[^"]*)"', html))
    assert links
    link = links.pop().replace("&amp;", "&")
    for part in ("region=Cusco", "status=pendiente", "status=en_proceso", "page=2"):
        assert part in link
    page2 = client.get(link).get_data(as_text=True)
    assert ids_on_page(page2) == [made[2].id, made[3].id]
    page3 = client.get("/compromisos?region=Cusco&page=3").get_data(as_text=True)
    assert ids_on_page(page3) == [made[4].id]
    past = client.get("/compromisos?region=Cusco&page=9")
    assert past.status_code == 200
    past_html = past.get_data(as_text=True)
    assert ids_on_page(past_html) == []
    assert "Esta página no tiene resultados" in past_html
    assert client.get("/compromisos?page=abc").status_code == 200


def test_row_shows_badges_dates_and_numbers(client, dataset, signed_in, today):
    html = client.get("/compromisos").get_data(as_text=True)
    assert "Vencido · 10 días" in html
    assert "Vencido · 3 días" in html
    assert html.count("overdue-badge") == 4  # two overdue rows, each in the table and in the card
    assert 'data-status="cumplido"' in html and "Cumplido" in html
    assert 'data-status="por_validar"' in html and "Por validar" in html
    assert (today - timedelta(days=10)).strftime("%d/%m/%Y") in html
    assert "Sin plazo" in html
    assert "T1 · C1" in html
    assert "Dirección Regional de Salud" in html
    assert "Ministerio de Salud" in html and "Puno" in html and "Ayacucho" in html
    assert f'href="/compromisos/{dataset["oxygen"].id}"' in html


def test_long_text_is_truncated(client, record, signed_in):
    record("Cusco", text="Palabra " * 80 + "FINAL")
    html = client.get("/compromisos").get_data(as_text=True)
    assert "…" in html
    assert "FINAL" not in html
