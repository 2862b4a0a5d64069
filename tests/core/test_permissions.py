"""The permission predicates as a role x action table."""
from types import SimpleNamespace

import pytest

from gore_tracker import permissions as p
from gore_tracker.evidence.queries import FileOwners

ROLES = [("admin", None), ("coordinator", None), ("liaison", "MINSA"), ("liaison", "MTC"),
         ("regional_officer", "Cusco"), ("regional_officer", "Puno"), ("viewer", None)]
IDS = ["admin", "coordinator", "liaison_own", "liaison_other", "officer_own", "officer_other", "viewer"]

#                       admin coord l_own l_oth o_own o_oth viewer
TABLE = {
    "view":            [1, 1, 1, 1, 1, 1, 1],
    "record_any":      [1, 1, 0, 0, 0, 0, 0],
    "edit_meeting":    [1, 1, 1, 0, 0, 0, 0],
    "update":          [1, 1, 1, 0, 1, 0, 0],
    "change_due":      [1, 1, 1, 0, 0, 0, 0],
    "edit_details":    [1, 1, 1, 0, 0, 0, 0],
    "manage_users":    [1, 0, 0, 0, 0, 0, 0],
    # Stored files, by what they belong to (evidence.queries.FileOwners).
    "file_evidence":   [1, 1, 1, 1, 1, 1, 1],
    "file_acta":       [1, 1, 1, 1, 1, 1, 1],
    "file_own_draft":  [1, 1, 1, 1, 0, 0, 0],
    "file_other_draft": [1, 1, 0, 0, 0, 0, 0],
    "file_orphan":     [1, 1, 0, 0, 0, 0, 0],
}


@pytest.mark.parametrize("index", range(len(ROLES)), ids=IDS)
def test_permission_table(make, index):
    role, org = ROLES[index]
    user = make.user(role, org)
    c = make.commitment("Cusco")  # a MINSA commitment of Cusco
    own_draft, other_draft = SimpleNamespace(uploaded_by_id=user.id), SimpleNamespace(uploaded_by_id=-1)
    got = {
        "view": p.can_view(user),
        "record_any": p.can_record_meeting(user, make.sector("MTC").id) and p.can_record_meeting(
            user, make.sector("MINSA").id),
        "edit_meeting": p.can_edit_meeting(user, c.meeting),
        "update": p.can_update(user, c),
        "change_due": p.can_change_due(user, c),
        "edit_details": p.can_edit_details(user, c),
        "manage_users": p.can_manage_users(user),
        "file_evidence": p.can_download_file(user, None, FileOwners(commitments=[c])),
        "file_acta": p.can_download_file(user, None, FileOwners(meetings=[c.meeting])),
        "file_own_draft": p.can_download_file(user, None, FileOwners(drafts=[own_draft])),
        "file_other_draft": p.can_download_file(user, None, FileOwners(drafts=[other_draft])),
        "file_orphan": p.can_download_file(user, None, FileOwners()),
    }
    assert got == {k: bool(v[index]) for k, v in TABLE.items()}


def test_inactive_and_anonymous_users_can_do_nothing(make):
    from flask_login import AnonymousUserMixin

    admin = make.user("admin")
    admin.active = False
    c = make.commitment("Cusco")
    for user in (admin, AnonymousUserMixin(), None):
        assert not p.can_view(user) and not p.can_update(user, c) and not p.can_record_meeting(user)
        assert not p.can_download_file(user, None, FileOwners(commitments=[c]))
        assert not p.can_download_file(user, None, FileOwners())


def test_officer_sees_only_open_moves(make):
    officer = make.user("regional_officer", "Cusco")
    c = make.commitment("Cusco")
    assert p.allowed_statuses(officer, c) == ["en_proceso", "por_validar"]
    closed = make.commitment("Cusco", status="cumplido")
    assert p.allowed_statuses(officer, closed) == [] and not p.can_update(officer, closed)


def test_a_signed_in_user_does_not_leak_to_another_client(app, make, login_as, client):
    login_as(make.user("admin"))
    assert client.get("/admin/usuarios").status_code == 200
    other = app.test_client()
    response = other.get("/admin/usuarios")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
