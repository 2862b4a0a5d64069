"""Every route × role × method, generated from the app's URL map: who gets in and who is refused.

A route that has no entry in ``ACCESS`` fails ``test_every_route_has_an_access_rule``, so a new
route cannot ship without someone deciding who may use it. Requests carry a valid CSRF token,
so a refusal is the permission check's and not the form's.
"""
from __future__ import annotations

import io
import re

import pytest

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.imports import drafts
from gore_tracker.notifications import outbox
from gore_tracker.organizations import operations as org_ops
from gore_tracker.users import operations as user_ops
from tests import factories
from tests.conftest import csrf_from

ROLES = ("anonymous", "admin", "coordinator", "liaison", "liaison_other", "officer", "officer_other", "viewer")
EVERYONE = set(ROLES) - {"anonymous"}
MANAGERS = {"admin", "coordinator"}
RECORDERS = MANAGERS | {"liaison", "liaison_other"}
SECTOR = MANAGERS | {"liaison"}

# endpoint → the roles let in (None: public, anyone may call it; only "no 5xx" is checked).
ACCESS: dict[str, set[str] | None] = {
    "auth.login": None, "account.forgot": None, "account.reset": None, "auth_mfa.verify": None,
    "api.openapi_document": None, "static": None, "bootstrap.static": None,
    "auth.logout": EVERYONE, "home.index": EVERYONE, "account.index": EVERYONE,
    "account.change_password": EVERYONE, "account.revoke_token": EVERYONE, "mail.preferences": EVERYONE,
    "mail.from_email": EVERYONE, "commitments.index": EVERYONE, "commitments.detail": EVERYONE,
    "meetings.index": EVERYONE, "meetings.detail": EVERYONE, "evidence.download": EVERYONE,
    "auth_mfa.enrol": MANAGERS,
    "audit.index": MANAGERS | {"liaison", "liaison_other"},
    "meetings.new": RECORDERS, "imports.index": RECORDERS, "imports.status": RECORDERS,
    "meetings.edit": SECTOR, "commitments.update_details": SECTOR,
    "commitments.update": SECTOR | {"officer"},
    # The draft was uploaded by "liaison": its uploader and the managers.
    "imports.review": SECTOR, "imports.pdf": SECTOR, "imports.retry": SECTOR, "imports.discard": SECTOR,
    "imports.hand_over": SECTOR,
    **{f"admin.{name}": {"admin"} for name in (
        "users", "new_user", "edit_user", "reset_password", "unlock_user", "revoke_token", "organizations",
        "new_organization", "edit_organization")},
    "outbox.index": {"admin"}, "outbox.show": {"admin"}, "outbox.resend": {"admin"},
    # API: bearer tokens.
    **{f"api.{name}": EVERYONE for name in (
        "list_regions", "list_sectors", "list_meetings", "get_meeting", "list_commitments", "get_commitment",
        "get_stats", "download_file")},
    "api.list_audit": MANAGERS | {"liaison", "liaison_other"},
    "api.create_meeting": RECORDERS,
    "api.create_update": SECTOR | {"officer"},
}
# Run last, in this order: they change what the others look at.
LAST = ("imports.retry", "imports.hand_over", "imports.discard", "account.revoke_token", "admin.revoke_token",
        "auth.logout")


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(ACCESS)) == []
    assert sorted(set(ACCESS) - endpoints) == []


@pytest.fixture
def world(app):
    people = {
        "admin": factories.user("admin"), "coordinator": factories.user("coordinator"),
        "liaison": factories.user("liaison", "MINSA"), "liaison_other": factories.user("liaison", "MTC"),
        "officer": factories.user("regional_officer", "Cusco"),
        "officer_other": factories.user("regional_officer", "Puno"), "viewer": factories.user("viewer"),
    }
    meeting = factories.meeting(people["admin"], regions=(("Cusco", 1),))
    c = meeting.commitments[0]
    pdf = (factories.FIXTURES / "actas" / "acta-2017-01-11-mef.pdf").read_bytes()
    apply_update(c, people["admin"], note="Evidencia", version=c.version, evidence=[(io.BytesIO(pdf), "a.pdf")])
    draft = drafts.create_draft(io.BytesIO(pdf), "acta.pdf", people["liaison"]).draft
    org = org_ops.create_organization(kind="unit", name="Unidad de prueba", parent=factories.sector("MINSA"))
    tokens = {role: user_ops.issue_token(u) for role, u in people.items()}
    message = outbox.enqueue(key="test:1", kind="other", user=people["viewer"], subject="Asunto",
                             text_body="Texto", html_body="<p>Texto</p>")
    db.session.commit()
    token_rows = {role: user_ops.list_tokens(u)[0] for role, u in people.items()}
    return {"people": people, "meeting": meeting, "commitment": c, "file": c.history[0].evidence[0],
            "draft": draft, "org": org, "tokens": tokens, "token_rows": token_rows, "message": message}


def _values(rule, world, role) -> dict:
    own_token = world["token_rows"].get(role) or world["token_rows"]["viewer"]
    values = {"commitment_id": world["commitment"].id, "meeting_id": world["meeting"].id,
              "draft_id": world["draft"].id, "file_id": world["file"].id, "name": "a.pdf",
              "user_id": world["people"]["viewer"].id, "org_id": world["org"].id, "message_id": world["message"].id,
              "token": "enlace-no-valido",
              "token_id": world["token_rows"]["viewer"].id if rule.endpoint.startswith("admin.") else own_token.id}
    return {arg: values[arg] for arg in rule.arguments}


def _requests(app, world, role):
    rules = [r for r in app.url_map.iter_rules() if ACCESS.get(r.endpoint) is not None]
    rules.sort(key=lambda r: LAST.index(r.endpoint) + 1 if r.endpoint in LAST else 0)
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, rule.build(_values(rule, world, role))[1]


def _outcome(response, api: bool) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if api and response.status_code == 401:
        return "signed out"
    location = response.headers.get("Location", "")
    if not api and response.status_code == 302 and "/login" in location and "next=" in location:
        return "signed out"  # Flask-Login's redirect to sign in (logout's own redirect has no next=)
    if response.status_code in (403, 404) or (api and response.status_code == 429):
        return "refused"
    return "let in"


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_routes_its_rule_allows(app, client, login_as, world, role):
    user = world["people"].get(role)
    if user is not None:
        login_as(user)
    csrf = csrf_from(client.get("/cuenta" if user else "/login").get_data(as_text=True))
    wrong = []
    for rule, method, path in _requests(app, world, role):
        api = path.startswith("/api/")
        headers = {}
        kwargs = {}
        if api:
            if user is not None:
                headers["Authorization"] = f"Bearer {world['tokens'][role]}"
            if method == "POST":
                kwargs = {"json": {}}
            response = app.test_client().open(path, method=method, headers=headers, **kwargs)
        else:
            if method == "POST":
                kwargs = {"data": {"csrf_token": csrf}}
            response = client.open(path, method=method, **kwargs)
        response.get_data()
        response.close()  # downloads stream their file
        got = _outcome(response, api)
        allowed = role in ACCESS[rule.endpoint]
        expected = "let in" if allowed else ("signed out" if role == "anonymous" else "refused")
        if got != expected:
            wrong.append(f"{method} {path} ({rule.endpoint}) as {role}: {got} ({response.status_code}), "
                         f"expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_public_routes_answer_everyone_without_errors(app, client, login_as, world, role):
    if role != "anonymous":
        login_as(world["people"][role])
    csrf = csrf_from(client.get("/login" if role == "anonymous" else "/cuenta").get_data(as_text=True))
    for rule in app.url_map.iter_rules():
        if ACCESS.get(rule.endpoint, 0) is not None or rule.endpoint.endswith("static"):
            continue
        path = rule.build(_values(rule, world, role))[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": csrf} if method == "POST" else None)
            response.close()
            assert response.status_code < 500, (method, path, role)
    assert re.match(r"^\S+$", csrf)
