"""What the trail records for each kind of change, who and from where, through the public doors."""
from __future__ import annotations

import copy

import pytest

from gore_tracker import audit
from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.meetings.documents import to_document
from gore_tracker.meetings.operations import update_meeting
from gore_tracker.users import operations as user_ops
from tests.conftest import csrf_from
from tests.meetings.conftest import acta_form_data

from .helpers import entries, last_id, since


def _doc(meeting):
    doc = to_document(meeting)
    doc.pop("id")
    return doc


def test_recording_an_acta_on_the_web_records_every_part_with_who_and_from_where(client, make, login_as):
    liaison = login_as(make.user("liaison", "MINSA"))
    token = csrf_from(client.get("/sesiones/nueva").get_data(as_text=True))
    mark = last_id()
    response = client.post("/sesiones/nueva", data=acta_form_data(make.acta_document(), token),
                           headers={"User-Agent": "Navegador de prueba/1.0"},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    made = since(mark)
    kinds = sorted({(e.entity, e.action) for e in made})
    assert kinds == [("attendee", "create"), ("commitment", "create"), ("meeting", "create"),
                     ("region_block", "create"), ("topic", "create")]
    assert {e.actor for e in made} == {liaison.email}
    assert {e.ip for e in made} == {"203.0.113.7"}
    assert {e.user_agent for e in made} == {"Navegador de prueba/1.0"}
    meeting = next(e for e in made if e.entity == "meeting")
    assert meeting.changes["sector"] == {"before": None, "after": "Ministerio de Salud"}
    assert meeting.changes["date"] == {"before": None, "after": "2024-05-10"}
    assert {e.sector_id for e in made} == {liaison.organization_id}
    assert {e.meeting_id for e in made} == {meeting.entity_id}
    commitment = next(e for e in made if e.entity == "commitment")
    assert commitment.changes["text"]["after"].startswith("Compromiso 1 de Cusco")
    assert commitment.changes["region"] == {"before": None, "after": "Cusco"}


def test_an_edit_records_only_what_really_changed_with_its_reason(make):
    admin = make.user("admin")
    m = make.meeting(admin, regions=(("Cusco", 2),), due="2027-03-31")
    doc = _doc(m)
    commitment = doc["regions"][0]["topics"][0]["commitments"][0]
    commitment["text"] = "Instalar dos plantas de oxígeno"
    commitment["due"] = "2030-03-31"
    doc["meeting"]["place"] = "Cusco"
    mark = last_id()
    with audit.acting_as(admin, source="cli"):
        update_meeting(m, doc, admin, reason="Error de transcripción del acta firmada")
    db.session.commit()
    made = since(mark)
    # The attendees, the block, the topic and the second commitment were sent unchanged.
    assert sorted((e.entity, e.action) for e in made) == [("commitment", "update"), ("commitment", "update"),
                                                          ("meeting", "update")]
    assert {e.reason for e in made} == {"Error de transcripción del acta firmada"}
    assert {e.ip for e in made} == {"cli"} and {e.actor for e in made} == {admin.email}
    meeting_entry = next(e for e in made if e.entity == "meeting")
    assert meeting_entry.changes == {"place": {"before": "Lima", "after": "Cusco"}}
    changes = {}
    for e in made:
        if e.entity == "commitment":
            changes.update(e.changes)
    assert changes["text"] == {"before": "Compromiso 1 de Cusco: instalar planta de oxígeno",
                               "after": "Instalar dos plantas de oxígeno"}
    assert changes["due"] == {"before": "2027-03-31", "after": "2030-03-31"}
    c = m.commitments[0]
    assert c.history[0].due_changed and c.history[0].due_reason == "Error de transcripción del acta firmada"


def test_removing_attendees_and_commitments_records_what_they_said(make):
    admin = make.user("admin")
    m = make.meeting(admin, regions=(("Cusco", 2),))
    doc = _doc(m)
    doc["attendees"].pop(0)
    doc["regions"][0]["topics"][0]["commitments"].pop(1)
    doc["extensions"]["commitments"].pop(1)
    mark = last_id()
    update_meeting(m, doc, admin)
    db.session.commit()
    deleted = [e for e in since(mark) if e.action == "delete"]
    assert sorted(e.entity for e in deleted) == ["attendee", "commitment"]
    gone = next(e for e in deleted if e.entity == "commitment")
    assert gone.changes["text"] == {"before": "Compromiso 2 de Cusco: instalar planta de oxígeno", "after": None}
    # The remaining attendee moved up: only its position changed.
    moved = [e for e in since(mark) if e.entity == "attendee" and e.action == "update"]
    assert [e.changes for e in moved] == [{"name": {"before": "Juan Quispe", "after": "María Torres"},
                                           "honorific": {"before": "Sr.", "after": "Dra."},
                                           "position": {"before": "Gobernador Regional de Cusco",
                                                        "after": "Viceministra"},
                                           "side": {"before": "region", "after": "sector"},
                                           "organization": {"before": "Cusco", "after": "Ministerio de Salud"}}]


def test_commitment_updates_details_and_responsibles_are_recorded(make):
    admin = make.user("admin")
    c = make.commitment("Cusco", actor=admin)
    mark = last_id()
    apply_update(c, admin, status="en_proceso", progress=40, version=c.version)
    db.session.commit()
    (entry,) = since(mark, entity="commitment")
    assert entry.changes == {"status": {"before": "pendiente", "after": "en_proceso"},
                             "progress": {"before": 0, "after": 40}}
    from gore_tracker.commitments.operations import update_details
    from tests.factories import sector

    mark = last_id()
    update_details(c, admin, deliverable="Planta operativa", target="2", cui="2501234",
                   responsible_orgs=[sector("MINSA")])
    db.session.commit()
    (entry,) = since(mark, entity="commitment")
    assert entry.changes["deliverable"] == {"before": None, "after": "Planta operativa"}
    assert entry.changes["target"] == {"before": None, "after": "2"}
    assert entry.changes["responsible_orgs"] == {"before": [], "after": ["Ministerio de Salud"]}


def test_accounts_and_organizations_changes_never_show_the_password(make):
    admin = make.user("admin")
    user = make.user("viewer")
    mark = last_id()
    user_ops.update_user(user, name=user.name, role="liaison", organization=make.sector("MINSA"),
                         active=False, actor=admin)
    user_ops.reset_password(user, "otra-clave-muy-larga-2026")
    db.session.commit()
    changes = {}
    for e in since(mark, entity="user"):
        changes.update(e.changes)
    assert changes["role"] == {"before": "viewer", "after": "liaison"}
    assert changes["organization"] == {"before": None, "after": "Ministerio de Salud"}
    assert changes["active"] == {"before": True, "after": False}
    assert changes["password"] == {"before": "[oculto]", "after": "[oculto]"}
    assert "otra-clave" not in str([e.changes for e in entries()])
    assert "password_hash" not in str([e.changes for e in entries()])

    from gore_tracker.organizations import operations as org_ops

    mark = last_id()
    org = org_ops.create_organization(kind="unit", name="PRONIS", code=None, official_name=None,
                                      parent=make.sector("MINSA"), aliases="")
    db.session.commit()
    (created,) = since(mark, entity="organization")
    assert created.action == "create" and created.changes["name"] == {"before": None, "after": "PRONIS"}
    assert created.changes["parent"]["after"] == "Ministerio de Salud"
    assert org.id == created.entity_id


def test_api_tokens_are_recorded_without_their_hash(make):
    user = make.user("viewer")
    mark = last_id()
    token = user_ops.issue_token(user)
    db.session.commit()
    (entry,) = since(mark, entity="api_token")
    assert entry.action == "create" and entry.changes["user_id"] == {"before": None, "after": user.id}
    assert token not in str(entry.changes) and "token_hash" not in entry.changes


def test_a_status_given_when_recording_becomes_the_first_history_entry(make):
    admin = make.user("admin")
    doc = make.acta_document(regions=(("Cusco", 1),))
    doc["extensions"] = {"commitments": [{"region": "Cusco", "number": 1, "status": "en_proceso", "progress": 20}]}
    m = make.meeting(admin, document=doc)
    c = m.commitments[0]
    assert c.status == "en_proceso" and c.progress == 20
    (first,) = c.history
    assert (first.old_status, first.new_status, first.author_id) == ("pendiente", "en_proceso", admin.id)
    assert first.note == "Estado indicado al registrar el acta."


def test_a_status_the_recorder_could_not_set_is_refused_at_its_path(make):
    from gore_tracker.exceptions import ValidationFailed

    admin = make.user("admin")
    doc = make.acta_document(regions=(("Cusco", 1),))
    doc["extensions"] = {"commitments": [{"region": "Cusco", "number": 1, "status": "por_validar",
                                          "progress": 101}]}
    with pytest.raises(ValidationFailed) as exc:
        make.meeting(admin, document=copy.deepcopy(doc))
    assert any(path.startswith("extensions.commitments.0") for path in exc.value.fields), exc.value.fields
