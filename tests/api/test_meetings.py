"""Reference lists and meetings: list, one as gore-acta/1, recording an acta."""
from __future__ import annotations

import copy

import pytest

from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting

from .conftest import error_of


@pytest.fixture
def admin_api(api, make):
    return api.login(make.user("admin"))


def strip_recorded(document: dict) -> dict:
    """A recorded meeting's document without what recording adds (ids, statuses, extensions)."""
    doc = copy.deepcopy(document)
    doc.pop("id")
    doc.pop("extensions")
    for block in doc["regions"]:
        for topic in block["topics"]:
            for c in topic["commitments"]:
                c.pop("id")
                c.pop("status")
    return doc


# --- reference lists ----------------------------------------------------------

def test_regions_lists_the_26_regional_governments(admin_api):
    response = admin_api.get("/api/v1/regions")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 26
    assert {"code": "08", "name": "Cusco", "official_name": "Gobierno Regional de Cusco"} in items
    assert [i["code"] for i in items] == sorted(i["code"] for i in items)
    assert any(i["name"] == "Lima Metropolitana" for i in items)


def test_sectors_lists_the_19_sectors(admin_api):
    response = admin_api.get("/api/v1/sectors")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 19
    assert {"acronym": "MINSA", "name": "Ministerio de Salud"} in items
    assert {"acronym": "PCM", "name": "Presidencia del Consejo de Ministros"} in items


# --- POST /meetings -------------------------------------------------------------

def test_the_seed_acta_round_trips_and_is_recorded_once(admin_api, make):
    seed = make.seed_document()
    response = admin_api.post("/api/v1/meetings", json=seed)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    meeting_id = created["id"]
    assert response.headers["Location"].endswith(f"/api/v1/meetings/{meeting_id}")

    fetched = admin_api.get(f"/api/v1/meetings/{meeting_id}")
    assert fetched.status_code == 200
    body = fetched.get_json()
    assert body == created
    assert strip_recorded(body) == seed
    statuses = {c["status"] for b in body["regions"] for t in b["topics"] for c in t["commitments"]}
    assert statuses == {"pendiente"}
    assert body["extensions"]["body"] == "GORE Ejecutivo"

    again = admin_api.post("/api/v1/meetings", json=seed)
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "duplicate_meeting"
    assert error["existing_id"] == meeting_id
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 1


def test_same_acta_with_regions_in_another_order_is_a_duplicate(admin_api, make):
    doc = make.acta_document(regions=(("Cusco", 1), ("Puno", 1)))
    first = admin_api.post("/api/v1/meetings", json=doc)
    assert first.status_code == 201
    swapped = copy.deepcopy(doc)
    swapped["regions"].reverse()
    again = admin_api.post("/api/v1/meetings", json=swapped)
    assert again.status_code == 409
    assert error_of(again)["existing_id"] == first.get_json()["id"]
    # Another set of regional governments (or another body) is another acta.
    assert admin_api.post("/api/v1/meetings", json=make.acta_document(regions=(("Cusco", 1),))).status_code == 201
    other_body = make.acta_document(regions=(("Cusco", 1), ("Puno", 1)), body="Muni Ejecutivo")
    assert admin_api.post("/api/v1/meetings", json=other_body).status_code == 201


def test_extensions_are_recorded_and_returned(admin_api, make):
    doc = make.acta_document(regions=(("Cusco", 2),), due="2025-03-31")
    doc["extensions"] = {
        "body": "Muni Ejecutivo", "edition": 4, "modality": "virtual", "absent_regions": ["Tacna"],
        "commitments": [{"region": "Cusco", "number": 2, "deliverable": "Planta instalada", "target": 2,
                         "cui": "2456789", "responsible_orgs": ["MINSA"], "source_page": 3}],
    }
    response = admin_api.post("/api/v1/meetings", json=doc)
    assert response.status_code == 201, response.get_json()
    ext = response.get_json()["extensions"]
    assert (ext["body"], ext["edition"], ext["modality"], ext["absent_regions"]) == (
        "Muni Ejecutivo", 4, "virtual", ["Tacna"])
    second = next(c for c in ext["commitments"] if c["number"] == 2)
    assert second == {"region": "Cusco", "number": 2, "deliverable": "Planta instalada", "target": 2.0,
                      "cui": "2456789", "responsible_orgs": ["Ministerio de Salud"], "source_page": 3}
    commitment_id = response.get_json()["regions"][0]["topics"][0]["commitments"][1]["id"]
    detail = admin_api.get(f"/api/v1/commitments/{commitment_id}").get_json()
    assert (detail["body"], detail["cui"], detail["target"], detail["due"]) == (
        "Muni Ejecutivo", "2456789", 2.0, "2025-03-31")


@pytest.mark.parametrize("role, org, sector_name, expected", [
    ("admin", None, "Ministerio de Salud", 201),
    ("coordinator", None, "Ministerio de Salud", 201),
    ("liaison", "MINSA", "Ministerio de Salud", 201),
    ("liaison", "MINEDU", "Ministerio de Salud", 403),
    ("regional_officer", "Cusco", "Ministerio de Salud", 403),
    ("viewer", None, "Ministerio de Salud", 403),
])
def test_who_may_record_an_acta(api, make, role, org, sector_name, expected):
    api.login(make.user(role, org))
    response = api.post("/api/v1/meetings", json=make.acta_document(sector_name=sector_name))
    assert response.status_code == expected, response.get_json()
    if expected == 403:
        assert error_of(response)["code"] == "forbidden"
        assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 0


def test_source_is_optional(admin_api, make):
    doc = make.seed_document()
    del doc["source"]
    response = admin_api.post("/api/v1/meetings", json=doc)
    assert response.status_code == 201
    assert response.get_json()["source"] is None


def test_an_invalid_acta_names_every_bad_field(admin_api, make):
    doc = make.acta_document()
    doc["meeting"]["date"] = "1999-02-30"
    doc["meeting"]["sector"] = "Ministerio de Magia"
    doc["regions"][0]["region"] = "Narnia"
    doc["regions"][1]["topics"][0]["text"] = "   "
    response = admin_api.post("/api/v1/meetings", json=doc)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {"meeting.date", "meeting.sector", "regions.0.region", "regions.1.topics.0.text"} <= set(fields)
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 0


def test_an_acta_of_the_wrong_shape_is_422(admin_api, make):
    doc = make.acta_document()
    del doc["meeting"]["title"]
    doc["surprise"] = True
    doc["regions"][0]["topics"][0]["commitments"][0]["number"] = "uno"
    response = admin_api.post("/api/v1/meetings", json=doc)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert "meeting.title" in fields and "surprise" in fields
    assert "regions.0.topics.0.commitments.0.number" in fields


def test_duplicate_commitment_numbers_in_a_block_are_422(admin_api, make):
    doc = make.acta_document(regions=(("Cusco", 2),))
    doc["regions"][0]["topics"][0]["commitments"][1]["number"] = 1
    response = admin_api.post("/api/v1/meetings", json=doc)
    assert response.status_code == 422
    assert "regions.0.topics.0.commitments.1.number" in error_of(response)["fields"]


@pytest.mark.parametrize("body", [b"{\"format\": ", b"", b"\xff\xfe{", b"not json"])
def test_malformed_json_is_400(admin_api, body):
    response = admin_api.post("/api/v1/meetings", data=body, content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_json"
    assert "JSON" in error["message"]


@pytest.mark.parametrize("payload", ["[]", '"acta"', "3", "null"])
def test_json_that_is_not_an_object_is_422(admin_api, payload):
    response = admin_api.post("/api/v1/meetings", data=payload, content_type="application/json")
    assert response.status_code == 422
    assert "" in error_of(response)["fields"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(admin_api, make, content_type):
    import json

    kwargs = {"data": json.dumps(make.acta_document())}
    if content_type:
        kwargs["content_type"] = content_type
    response = admin_api.post("/api/v1/meetings", **kwargs)
    assert response.status_code == 415
    assert "application/json" in error_of(response)["message"]


def test_unknown_meeting_is_404(admin_api):
    response = admin_api.get("/api/v1/meetings/999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- GET /meetings ---------------------------------------------------------------

@pytest.fixture
def three_meetings(make):
    admin = make.user("admin")
    a = make.meeting(admin, day="2021-03-01", sector_name="Ministerio de Salud", regions=(("Cusco", 2),))
    b = make.meeting(admin, day="2022-06-15", sector_name="Ministerio de Educación",
                     regions=(("Puno", 1),), body="Muni Ejecutivo")
    c = make.meeting(admin, day="2023-09-30", sector_name="Ministerio de Salud", regions=(("Puno", 3),))
    return a, b, c


def test_meetings_list_newest_first_with_counts(admin_api, three_meetings):
    a, b, c = three_meetings
    response = admin_api.get("/api/v1/meetings")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 25)
    assert [m["id"] for m in body["items"]] == [c.id, b.id, a.id]
    first = body["items"][0]
    assert (first["date"], first["sector"], first["regions"], first["commitment_count"]) == (
        "2023-09-30", "Ministerio de Salud", ["Puno"], 3)


@pytest.mark.parametrize("query, expected", [
    ({"sector": "MINSA"}, ["c", "a"]),
    ({"sector": "ministerio de educacion"}, ["b"]),
    ({"body": "muni ejecutivo"}, ["b"]),
    ({"body": "GORE Ejecutivo"}, ["c", "a"]),
    ({"from": "2022-06-15"}, ["c", "b"]),
    ({"to": "2022-06-15"}, ["b", "a"]),
    ({"from": "2022-01-01", "to": "2022-12-31", "sector": "MINEDU"}, ["b"]),
    ({"from": "2024-01-01"}, []),
])
def test_meetings_filters(admin_api, three_meetings, query, expected):
    ids = dict(zip("abc", (m.id for m in three_meetings)))
    response = admin_api.get("/api/v1/meetings", query_string=query)
    assert response.status_code == 200
    assert [m["id"] for m in response.get_json()["items"]] == [ids[k] for k in expected]


def test_meetings_pagination(admin_api, three_meetings):
    page2 = admin_api.get("/api/v1/meetings", query_string={"per_page": 2, "page": 2}).get_json()
    assert (page2["total"], page2["page"], page2["per_page"], len(page2["items"])) == (3, 2, 2, 1)
    past = admin_api.get("/api/v1/meetings", query_string={"per_page": 2, "page": 5}).get_json()
    assert past["items"] == [] and past["total"] == 3


@pytest.mark.parametrize("query, field", [
    ({"sector": "Ministerio de Magia"}, "sector"),
    ({"from": "2022-02-30"}, "from"),
    ({"to": "mañana"}, "to"),
    ({"per_page": 201}, "per_page"),
    ({"per_page": 0}, "per_page"),
    ({"page": "dos"}, "page"),
])
def test_meetings_bad_filters_are_422(admin_api, query, field):
    response = admin_api.get("/api/v1/meetings", query_string=query)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
