"""Imports respect sectors: a liaison confirms a draft only as their own sector's acta, and
only when its PDF names that sector or none; a draft naming another sector is refused
(web and CLI) and can be handed over to the coordinators, who record it for any sector.

The worker runs synchronously (``worker.run``) through the real sandbox with the stub
parsers of ``web_stub`` (the sample's expected parse), so no real parse is needed.
"""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gore_tracker import permissions
from gore_tracker.audit.models import AuditEntry
from gore_tracker.extensions import db
from gore_tracker.imports import drafts as draft_ops
from gore_tracker.imports import worker
from gore_tracker.imports.models import ImportDraft
from gore_tracker.meetings.models import Meeting
from gore_tracker.notifications.models import OutboxMessage
from tests.conftest import csrf_from
from tests.imports.web_stub import NO_SECTOR, SAMPLES, STUB
from tests.meetings.htmlform import form_fields

SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"  # names the Ministerio de Salud
PRODUCE = SAMPLES / "acta-2017-10-02-produce.pdf"  # names the Ministerio de la Producción
REFUSAL = ("El acta nombra al sector «Ministerio de la Producción» y usted solo puede registrar actas de "
           "su propio sector (Ministerio de Salud).")


@pytest.fixture(autouse=True)
def _sync_worker(app):
    app.config["IMPORT_SPAWN"] = False
    app.config["IMPORT_PARSER"] = STUB


def ready_draft(owner, pdf: Path) -> ImportDraft:
    with open(pdf, "rb") as fh:
        upload = draft_ops.create_draft(fh, pdf.name, owner)
    db.session.commit()
    assert worker.run(upload.draft.id) == "ready"
    db.session.expire_all()
    return db.session.get(ImportDraft, upload.draft.id)


def review_fields(client, draft_id: int, **overrides) -> dict[str, list[str]]:
    page = client.get(f"/importar/{draft_id}/revisar")
    assert page.status_code == 200
    data: dict[str, list[str]] = {}
    for name, value in form_fields(page.get_data(as_text=True)):
        data.setdefault(name, []).append(value)
    data["_save"] = ["1"]
    for name, value in overrides.items():
        data[name] = [value]
    return data


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def meetings() -> list[Meeting]:
    db.session.expire_all()
    return list(db.session.scalars(select(Meeting)))


def outbox(kind: str = "handover") -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.to_email)))


def logout(client):
    page = client.get("/importar").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302


def hand_over(client, draft_id: int):
    page = client.get(f"/importar/{draft_id}/revisar").get_data(as_text=True)
    return client.post(f"/importar/{draft_id}/pasar-a-coordinacion", data={"csrf_token": csrf_from(page)})


# -- the refusal ----------------------------------------------------------------------------

def test_a_liaison_cannot_confirm_a_draft_that_names_another_sector(client, login_as, make):
    liaison = login_as(make.user("liaison", "MINSA"))
    draft = ready_draft(liaison, PRODUCE)

    page = client.get(f"/importar/{draft.id}/revisar")
    body = text(page)
    assert page.status_code == 200
    refusal = body.split('id="sector-refusal"', 1)[1].split("</div>", 1)[0]
    assert "No puede registrar esta acta." in refusal and REFUSAL in refusal
    assert "pásela a coordinación" in refusal and "Pasar a coordinación" in refusal
    assert "data-confirm" not in body  # no «Confirmar y registrar acta» button
    assert "data-hand-over-draft" in body
    # The sector list still offers only their own sector.
    assert re.findall(r'<select[^>]*name="sector".*?</select>', body, re.S)[0].count("<option") == 1

    # Submitting anyway, as the form shows it or with the acta's sector forced in: refused,
    # with the reason on the review page, and nothing saved.
    for overrides in ({}, {"sector": "Ministerio de la Producción"}):
        response = client.post(f"/importar/{draft.id}/revisar", data=review_fields(client, draft.id, **overrides))
        assert response.status_code == 403
        assert REFUSAL in text(response) and 'id="sector-refusal"' in text(response)
        assert meetings() == []
    assert db.session.get(ImportDraft, draft.id).meeting_id is None


def test_the_operation_refuses_too(app, make):
    liaison = make.user("liaison", "MINSA")
    draft = ready_draft(liaison, PRODUCE)
    from gore_tracker.exceptions import PermissionDenied

    document = draft_ops.review_document(draft)
    document["meeting"]["sector"] = "Ministerio de Salud"  # recorded under the wrong ministry
    with pytest.raises(PermissionDenied, match="nombra al sector «Ministerio de la Producción»"):
        draft_ops.confirm(draft, document, liaison)
    db.session.rollback()
    assert meetings() == []


def test_a_liaison_confirms_a_draft_of_their_own_sector(client, login_as, make):
    liaison = login_as(make.user("liaison", "MINSA"))
    draft = ready_draft(liaison, SEED)
    body = text(client.get(f"/importar/{draft.id}/revisar"))
    assert 'id="sector-refusal"' not in body and "data-confirm" in body
    response = client.post(f"/importar/{draft.id}/revisar", data=review_fields(client, draft.id))
    assert response.status_code == 302, text(response)[:2000]
    [meeting] = meetings()
    assert meeting.sector.code == "MINSA" and meeting.created_by_id == liaison.id


def test_a_liaison_confirms_a_draft_that_names_no_sector_as_their_own(app, client, login_as, make):
    app.config["IMPORT_PARSER"] = NO_SECTOR
    liaison = login_as(make.user("liaison", "PRODUCE"))
    draft = ready_draft(liaison, SEED)
    assert draft.acta["meeting"]["sector"] is None
    body = text(client.get(f"/importar/{draft.id}/revisar"))
    assert 'id="sector-refusal"' not in body and "data-confirm" in body
    assert "No se encontró el sector." in body
    data = review_fields(client, draft.id)
    assert data["sector"] == ["Ministerio de la Producción"]  # the only choice
    response = client.post(f"/importar/{draft.id}/revisar", data=data)
    assert response.status_code == 302, text(response)[:2000]
    [meeting] = meetings()
    assert meeting.sector.code == "PRODUCE"


def test_a_liaison_may_not_choose_another_sector_for_a_draft_that_names_none(app, client, login_as, make):
    app.config["IMPORT_PARSER"] = NO_SECTOR
    liaison = login_as(make.user("liaison", "MINSA"))
    draft = ready_draft(liaison, SEED)
    response = client.post(f"/importar/{draft.id}/revisar",
                           data=review_fields(client, draft.id, sector="Ministerio de la Producción"))
    assert response.status_code == 403
    assert "Solo puede registrar actas de su propio sector." in text(response)
    assert meetings() == []


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_managers_confirm_a_draft_of_any_sector(client, login_as, make, role):
    manager = login_as(make.user(role))
    draft = ready_draft(manager, PRODUCE)
    body = text(client.get(f"/importar/{draft.id}/revisar"))
    assert 'id="sector-refusal"' not in body and "data-hand-over-draft" not in body
    response = client.post(f"/importar/{draft.id}/revisar", data=review_fields(client, draft.id))
    assert response.status_code == 302, text(response)[:2000]
    assert [m.sector.code for m in meetings()] == ["PRODUCE"]


# -- the handover -----------------------------------------------------------------------------

def test_hand_over_audits_emails_every_active_coordinator_and_a_coordinator_records_it(app, client, login_as, make):
    first = make.user("coordinator", name="Carla Coordinadora")
    second = make.user("coordinator", name="Ciro Coordinador")
    gone = make.user("coordinator")
    gone.active = False
    make.user("admin")
    make.user("liaison", "PRODUCE")
    db.session.commit()
    liaison = login_as(make.user("liaison", "MINSA", name="Lucía Enlace"))
    draft = ready_draft(liaison, PRODUCE)

    response = hand_over(client, draft.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/importar")
    flashed = text(client.get("/importar"))
    assert f"Se pasó «{PRODUCE.name}» a coordinación y se avisó por correo a 2 coordinadores." in flashed
    assert "Pasado a coordinación" in flashed

    db.session.expire_all()
    draft = db.session.get(ImportDraft, draft.id)
    assert draft.handed_over_by_id == liaison.id and draft.handed_over_at is not None
    assert draft.meeting_id is None

    # Audited: the draft's fields (captured with the flush) and a «handover» entry.
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "import_draft", AuditEntry.entity_id == draft.id,
        AuditEntry.action.in_(("update", "handover")))).all()
    [update] = [e for e in entries if e.action == "update" and "handed_over_at" in e.changes]
    assert update.actor == liaison.email
    assert update.changes["handed_over_by_id"] == {"before": None, "after": liaison.id}
    assert update.changes["handed_over_at"]["before"] is None and update.changes["handed_over_at"]["after"]
    [event] = [e for e in entries if e.action == "handover"]
    assert event.actor == liaison.email and event.ip  # from the request
    assert event.changes == {"sector": {"before": "Ministerio de Salud", "after": "Ministerio de la Producción"}}
    assert event.reason == REFUSAL

    # One message per active coordinator, with a link to the draft's review page.
    messages = outbox()
    assert [m.to_email for m in messages] == sorted([first.email, second.email])
    review_url = f"{app.config['BASE_URL'].rstrip('/')}/importar/{draft.id}/revisar"
    for message in messages:
        assert message.status == "pending" and message.kind == "handover"
        assert PRODUCE.name in message.subject and "Ministerio de la Producción" in message.subject
        assert review_url in message.text_body and f'href="{review_url}"' in message.html_body
        assert "Lucía Enlace (enlace sectorial, Ministerio de Salud)" in message.text_body
    assert f"Hola, {first.name}:" in next(m for m in messages if m.to_email == first.email).text_body

    # Handed over once: the liaison still sees it, without the button, and cannot do it again.
    body = text(client.get(f"/importar/{draft.id}/revisar"))
    assert "Ya la pasó a coordinación" in body and "data-hand-over" not in body
    again = hand_over(client, draft.id)
    assert again.status_code == 302
    assert "Este borrador ya se pasó a coordinación." in text(client.get("/importar"))
    assert len(outbox()) == 2

    # A coordinator sees it in their list, marked, and records it as PRODUCE's acta.
    logout(client)
    login_as(first)
    listing = text(client.get("/importar"))
    assert PRODUCE.name in listing and "Pasado a coordinación por Lucía Enlace" in listing
    body = text(client.get(f"/importar/{draft.id}/revisar"))
    assert 'id="handed-over"' in body and 'id="sector-refusal"' not in body and "data-confirm" in body
    data = review_fields(client, draft.id)
    assert data["sector"] == ["Ministerio de la Producción"]
    response = client.post(f"/importar/{draft.id}/revisar", data=data)
    assert response.status_code == 302, text(response)[:2000]
    [meeting] = meetings()
    assert meeting.sector.code == "PRODUCE" and meeting.created_by_id == first.id
    assert db.session.get(ImportDraft, draft.id).meeting_id == meeting.id


def test_without_active_coordinators_the_handover_still_happens(client, login_as, make):
    liaison = login_as(make.user("liaison", "MINSA"))
    draft = ready_draft(liaison, PRODUCE)
    assert hand_over(client, draft.id).status_code == 302
    assert "No hay coordinadores activos" in text(client.get("/importar"))
    assert outbox() == []
    db.session.expire_all()
    assert db.session.get(ImportDraft, draft.id).handed_over_at is not None


def test_who_may_hand_over(client, login_as, make):
    owner = make.user("liaison", "MINSA")
    own_sector = ready_draft(owner, SEED)
    other_sector = ready_draft(owner, PRODUCE)

    login_as(owner)  # a draft they may confirm themselves: nothing to hand over
    assert "data-hand-over" not in text(client.get(f"/importar/{own_sector.id}/revisar"))
    assert hand_over(client, own_sector.id).status_code == 403
    logout(client)

    login_as(make.user("liaison", "MINSA"))  # not their draft
    page = client.get("/importar").get_data(as_text=True)
    response = client.post(f"/importar/{other_sector.id}/pasar-a-coordinacion", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    logout(client)

    login_as(make.user("coordinator"))  # may record it: no handover
    assert hand_over(client, other_sector.id).status_code == 403

    assert client.post(f"/importar/{other_sector.id}/pasar-a-coordinacion").status_code == 400  # no CSRF
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ImportDraft)
                             .where(ImportDraft.handed_over_at.is_not(None))) == 0
    assert outbox() == []


def test_permission_predicates(app, make):
    minsa = make.sector("MINSA").id
    produce = make.sector("PRODUCE").id
    liaison = make.user("liaison", "MINSA")
    for role in ("admin", "coordinator"):
        manager = make.user(role)
        assert permissions.can_record_imported(manager, produce, minsa)
        assert permissions.can_record_imported(manager, None, produce)
    assert permissions.can_record_imported(liaison, minsa, minsa)
    assert permissions.can_record_imported(liaison, None, minsa)
    assert permissions.can_record_imported(liaison, None)
    assert not permissions.can_record_imported(liaison, produce)
    assert not permissions.can_record_imported(liaison, produce, minsa)
    assert not permissions.can_record_imported(liaison, None, produce)
    for role, org in (("regional_officer", "Cusco"), ("viewer", None)):
        assert not permissions.can_record_imported(make.user(role, org), None)
    assert [u.role for u in make_all(make) if permissions.receives_handovers(u)] == ["coordinator"]


def make_all(make):
    return [make.user(role, org) for role, org in (
        ("admin", None), ("coordinator", None), ("liaison", "MINSA"), ("regional_officer", "Cusco"),
        ("viewer", None))]


# -- the command line ---------------------------------------------------------------------------

def _import(runner, user, *paths):
    return runner.invoke(args=["actas", "import", "--user", user.email, *map(str, paths)])


@pytest.fixture
def cli_stub(app):
    app.config["IMPORT_PARSER"] = "tests.importers.stub_parser:from_expected"
    return app


def test_cli_refuses_a_liaison_an_acta_of_another_sector_with_the_reason(runner, cli_stub, make):
    liaison = make.user("liaison", "MINSA")
    result = _import(runner, liaison, PRODUCE, SEED)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "Importadas: 1" in lines and "Con errores: 1" in lines
    [failed] = [line for line in lines if line.strip().startswith(f"{PRODUCE}: ")]
    assert REFUSAL in failed and "pásela a coordinación" in failed
    assert [m.sector.code for m in meetings()] == ["MINSA"]


def test_cli_records_a_liaisons_acta_that_names_no_sector_as_theirs(runner, cli_stub, app, make):
    app.config["IMPORT_PARSER"] = "tests.importers.stub_parser:no_sector"
    liaison = make.user("liaison", "PRODUCE")
    result = _import(runner, liaison, SEED)
    assert result.exit_code == 0, result.output
    assert [m.sector.code for m in meetings()] == ["PRODUCE"]
    # An admin may record any sector: the acta must say which.
    admin = make.user("admin")
    other = _import(runner, admin, PRODUCE)
    assert other.exit_code == 1 and "meeting.sector: Indique el sector." in other.stdout


def test_a_handed_over_draft_is_the_coordinators_to_discard(client, login_as, make):
    liaison = login_as(make.user("liaison", "MINSA"))
    draft = ready_draft(liaison, PRODUCE)
    assert hand_over(client, draft.id).status_code == 302
    assert "data-discard" not in text(client.get("/importar"))
    page = client.get("/importar").get_data(as_text=True)
    response = client.post(f"/importar/{draft.id}/descartar", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ImportDraft, draft.id) is not None
    logout(client)

    login_as(make.user("coordinator"))
    assert "data-discard-draft" in text(client.get(f"/importar/{draft.id}/revisar"))
    page = client.get("/importar").get_data(as_text=True)
    assert client.post(f"/importar/{draft.id}/descartar", data={"csrf_token": csrf_from(page)}).status_code == 302
