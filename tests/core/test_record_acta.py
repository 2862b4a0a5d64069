"""record_acta: the one way an acta enters, and its validation."""
import copy

import pytest

from gore_tracker.exceptions import DuplicateMeeting, PermissionDenied, ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.meetings.documents import to_document
from gore_tracker.meetings.operations import record_acta, update_meeting


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("id", "status", "extensions")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_seed_acta_round_trips(make):
    doc = make.seed_document()
    m = record_acta(copy.deepcopy(doc), make.user("admin"))
    db.session.commit()
    assert _strip(to_document(m)) == doc
    assert len(m.commitments) == 15
    assert [b.region.name for b in m.blocks] == ["Cusco", "Moquegua", "Puno", "Tacna"]
    assert m.sector.code == "MINSA" and m.session_type == "extraordinaria"
    cusco = [c for c in m.commitments if c.region.name == "Cusco"]
    assert {c.sector_id for c in cusco} == {m.sector_id}


def test_same_acta_twice_is_a_duplicate_even_with_regions_reordered(make):
    admin = make.user("admin")
    doc = make.acta_document(regions=(("Cusco", 1), ("Puno", 1)))
    first = record_acta(copy.deepcopy(doc), admin)
    db.session.commit()
    doc["regions"].reverse()
    with pytest.raises(DuplicateMeeting) as exc:
        record_acta(doc, admin)
    assert exc.value.existing_id == first.id


def test_other_body_same_day_is_not_a_duplicate(make):
    admin = make.user("admin")
    record_acta(make.acta_document(), admin)
    record_acta(make.acta_document(body="Consejo Regional de Salud de Cusco"), admin)
    db.session.commit()


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["meeting"].update(sector="Ministerio de Magia"), "meeting.sector"),
    (lambda d: d["meeting"].update(date="1999-12-31"), "meeting.date"),
    (lambda d: d["meeting"].update(date="2101-01-01"), "meeting.date"),
    (lambda d: d["meeting"].update(date="08/12/2020"), "meeting.date"),
    (lambda d: d["meeting"].update(date=""), "meeting.date"),
    (lambda d: d["meeting"].update(title="   "), "meeting.title"),
    (lambda d: d["regions"][0].update(region="Gondor"), "regions.0.region"),
    (lambda d: d["regions"][0]["topics"][0].update(text=" "), "regions.0.topics.0.text"),
    (lambda d: d["regions"][0]["topics"][0]["commitments"][0].update(text=""),
     "regions.0.topics.0.commitments.0.text"),
    (lambda d: d["regions"][0]["topics"][0]["commitments"][1].update(number=1),
     "regions.0.topics.0.commitments.1.number"),
    (lambda d: d["regions"][0]["topics"][0]["commitments"][0].update(due="2020-02-30"),
     "regions.0.topics.0.commitments.0.due"),
    (lambda d: d["regions"].append(copy.deepcopy(d["regions"][0])), "regions.2.region"),
    (lambda d: d["attendees"][0].update(side="invitado"), "attendees.0.side"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["meeting"].pop("date"), "meeting.date"),
    (lambda d: d.update(regions=[]), "regions"),
    (lambda d: d.update(extensions={"edition": 0}), "extensions.edition"),
    (lambda d: d.update(extensions={"absent_regions": ["Cusco"]}), "extensions.absent_regions.0"),
])
def test_bad_documents_name_the_field_and_save_nothing(make, mutate, path):
    from gore_tracker.meetings.models import Meeting

    doc = make.acta_document(regions=(("Cusco", 2), ("Puno", 1)))
    mutate(doc)
    with pytest.raises(ValidationFailed) as exc:
        record_acta(doc, make.user("admin"))
    assert path in exc.value.fields, exc.value.fields
    db.session.rollback()
    assert db.session.query(Meeting).count() == 0


def test_regions_are_matched_in_any_usual_spelling(make):
    doc = make.acta_document(regions=(("GOBIERNO REGIONAL DEL CUSCO", 1), ("gore puno", 1),
                                      ("Municipalidad Metropolitana de Lima", 1), ("Ancash", 1)))
    doc["meeting"]["sector"] = "MINISTERIO DE VIVIENDA, CONSTRUCCIÓN Y SANEAMIENTO"
    m = record_acta(doc, make.user("admin"))
    assert [b.region.name for b in m.blocks] == ["Cusco", "Puno", "Lima Metropolitana", "Áncash"]
    assert m.sector.code == "MVCS"


def test_extensions_carry_body_edition_modality_and_details(make):
    doc = make.acta_document(regions=(("Cusco", 1),))
    doc["extensions"] = {
        "body": "Muni Ejecutivo", "edition": 4, "modality": "virtual", "absent_regions": ["Tacna"],
        "commitments": [{"region": "Cusco", "number": 1, "deliverable": "Expediente técnico",
                         "target": 12.5, "cui": "2345678", "responsible_orgs": ["MINSA", "GORE Cusco"]}],
    }
    m = record_acta(doc, make.user("admin"))
    c = m.commitments[0]
    assert (m.body, m.edition, m.modality) == ("Muni Ejecutivo", 4, "virtual")
    assert [r.name for r in m.absent_regions] == ["Tacna"]
    assert (c.deliverable, float(c.target), c.cui) == ("Expediente técnico", 12.5, "2345678")
    assert sorted(o.name for o in c.responsible_orgs) == ["Cusco", "Ministerio de Salud"]
    assert to_document(m)["extensions"]["commitments"][0]["cui"] == "2345678"


def test_liaison_records_only_their_sector(make):
    liaison = make.user("liaison", "MTC")
    with pytest.raises(PermissionDenied):
        record_acta(make.acta_document(sector_name="Ministerio de Salud"), liaison)
    db.session.rollback()
    m = record_acta(make.acta_document(sector_name="MTC"), liaison)
    assert m.created_by_id == liaison.id
    for role, org in (("regional_officer", "Cusco"), ("viewer", None)):
        with pytest.raises(PermissionDenied):
            record_acta(make.acta_document(day="2024-06-01"), make.user(role, org))


def test_update_meeting_keeps_status_and_history(make):
    from gore_tracker.commitments.operations import apply_update

    admin = make.user("admin")
    m = make.meeting(admin, regions=(("Cusco", 2),))
    c1 = [c for c in m.commitments if c.number == 1][0]
    apply_update(c1, admin, status="en_proceso", progress=30, version=c1.version)
    db.session.commit()
    doc = to_document(m)
    doc.pop("id")
    doc["regions"][0]["topics"][0]["commitments"][0]["text"] = "Texto corregido"
    doc["regions"][0]["topics"][0]["commitments"].pop(1)
    doc["extensions"]["commitments"].pop(1)
    with pytest.raises(ValidationFailed) as exc:
        update_meeting(m, doc, admin)  # a recorded commitment's text changes: a reason is needed
    assert "reason" in exc.value.fields
    db.session.rollback()
    update_meeting(m, doc, admin, reason="Error de transcripción")
    db.session.commit()
    db.session.refresh(c1)
    assert c1.text == "Texto corregido" and c1.status == "en_proceso" and len(c1.history) == 1
    assert len(m.commitments) == 1
    # A commitment with history cannot be removed by editing the acta.
    doc["regions"][0]["topics"][0]["commitments"] = []
    doc["extensions"]["commitments"] = []
    with pytest.raises(ValidationFailed):
        update_meeting(m, doc, admin)


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["meeting"].update(title="T" * 301), "meeting.title"),
    (lambda d: d["meeting"].update(place="P" * 201), "meeting.place"),
    (lambda d: d["attendees"][0].update(name="N" * 201), "attendees.0.name"),
    (lambda d: d["attendees"][0].update(honorific="H" * 21), "attendees.0.honorific"),
    (lambda d: d["regions"][0]["topics"][0].update(number=2**40), "regions.0.topics.0.number"),
    (lambda d: d["regions"][0]["topics"][0]["commitments"][0].update(number=2**31),
     "regions.0.topics.0.commitments.0.number"),
    (lambda d: d.update(extensions={"edition": 10**9}), "extensions.edition"),
    (lambda d: d.update(extensions={"commitments": [{"region": "Cusco", "number": 1, "target": 1e15}]}),
     "extensions.commitments.0.target"),
])
def test_values_that_do_not_fit_the_columns_are_422(make, mutate, path):
    doc = make.acta_document(regions=(("Cusco", 2),))
    mutate(doc)
    with pytest.raises(ValidationFailed) as exc:
        record_acta(doc, make.user("admin"))
    assert path in exc.value.fields, exc.value.fields


def test_web_pages_refuse_nul_with_a_clear_400(client, make, login_as):
    login_as(make.user("viewer"))
    response = client.get("/compromisos?q=ox%00igeno")
    assert response.status_code == 400
    assert "caracteres no permitidos" in response.get_data(as_text=True)
