"""The role x transition table of issue 2, through apply_update (no HTTP)."""
import pytest

from gore_tracker.commitments import rules
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from gore_tracker.extensions import db

ACTORS = {
    "admin": ("admin", None),
    "coordinator": ("coordinator", None),
    "liaison_own": ("liaison", "MINSA"),
    "liaison_other": ("liaison", "MTC"),
    "officer_own": ("regional_officer", "Cusco"),
    "officer_other": ("regional_officer", "Puno"),
    "viewer": ("viewer", None),
}
MANAGERS = {"admin", "coordinator", "liaison_own"}


def expected(actor: str, old: str, new: str) -> str:
    if actor in MANAGERS:
        return "ok" if rules.is_valid_transition(old, new) else "422"
    if actor == "officer_own" and old in ("pendiente", "en_proceso"):
        if not rules.is_valid_transition(old, new):
            return "422"
        return "ok" if rules.officer_may(old, new) else "403"
    return "403"


@pytest.mark.parametrize("old", rules.STATUSES)
@pytest.mark.parametrize("actor", ACTORS)
def test_role_by_transition(make, actor, old):
    role, org = ACTORS[actor]
    user = make.user(role, org)
    for new in rules.STATUSES:
        c = make.commitment("Cusco", status=old)
        want = expected(actor, old, new)
        try:
            apply_update(c, user, status=new, progress=50 if new == "en_proceso" else None,
                         note="Nota de prueba", version=c.version)
            db.session.commit()
            got = "ok"
        except PermissionDenied:
            got = "403"
        except ValidationFailed:
            got = "422"
        db.session.rollback()
        assert got == want, f"{actor}: {old} -> {new}"
        if got == "ok":
            db.session.refresh(c)
            assert c.status == new
            assert c.history[0].old_status == old and c.history[0].new_status == new
            assert c.history[0].author_id == user.id


@pytest.mark.parametrize("old,new", [
    ("en_proceso", "no_cumplido"), ("pendiente", "anulado"), ("por_validar", "en_proceso"),
    ("cumplido", "en_proceso"), ("anulado", "pendiente"),
])
def test_note_is_required_for_closing_returning_and_reopening(make, old, new):
    admin = make.user("admin")
    c = make.commitment("Cusco", status=old)
    with pytest.raises(ValidationFailed) as exc:
        apply_update(c, admin, status=new, version=c.version)
    assert "note" in exc.value.fields


def test_officer_needs_note_or_evidence_to_ask_for_validation(make):
    officer = make.user("regional_officer", "Cusco")
    c = make.commitment("Cusco")
    with pytest.raises(ValidationFailed) as exc:
        apply_update(c, officer, status="por_validar", version=c.version)
    assert exc.value.fields["note"]
    apply_update(c, officer, status="por_validar", note="Obra concluida, ver acta de recepción",
                 version=c.version)
    db.session.commit()
    assert c.status == "por_validar"


def test_two_party_check_is_in_the_history(make):
    officer = make.user("regional_officer", "Cusco")
    liaison = make.user("liaison", "MINSA")
    c = make.commitment("Cusco")
    apply_update(c, officer, status="por_validar", note="Cumplido", version=c.version)
    db.session.commit()
    apply_update(c, liaison, status="cumplido", version=c.version)
    db.session.commit()
    assert [(h.new_status, h.author_id) for h in reversed(c.history)] == [
        ("por_validar", officer.id), ("cumplido", liaison.id)]
    assert c.progress == 100


def test_missing_and_stale_version(make):
    admin = make.user("admin")
    c = make.commitment("Cusco")
    with pytest.raises(ValidationFailed) as exc:
        apply_update(c, admin, status="en_proceso", version=None)
    assert "version" in exc.value.fields
    apply_update(c, admin, status="en_proceso", version=c.version)
    db.session.commit()
    with pytest.raises(StaleVersion):
        apply_update(c, admin, progress=40, version=1)
    db.session.rollback()
    assert len(c.history) == 1


def test_due_change_needs_a_reason_and_a_manager(make):
    from datetime import date

    officer = make.user("regional_officer", "Cusco")
    liaison = make.user("liaison", "MINSA")
    c = make.commitment("Cusco", due=date(2025, 3, 31))
    with pytest.raises(PermissionDenied):
        apply_update(c, officer, status="en_proceso", due=date(2025, 6, 30), due_reason="x", version=c.version)
    db.session.rollback()
    with pytest.raises(ValidationFailed) as exc:
        apply_update(c, liaison, due=date(2025, 6, 30), version=c.version)
    assert "due_reason" in exc.value.fields
    db.session.rollback()
    apply_update(c, liaison, due=date(2025, 6, 30), due_reason="Demora en la licitación", version=c.version)
    db.session.commit()
    h = c.history[0]
    assert (h.old_due, h.new_due, h.due_reason, h.due_changed) == (
        date(2025, 3, 31), date(2025, 6, 30), "Demora en la licitación", True)
    assert c.due == date(2025, 6, 30)


@pytest.mark.parametrize("kwargs,field", [
    ({"status": "terminado"}, "status"),
    ({"progress": 101}, "progress"),
    ({"progress": "mucho"}, "progress"),
    ({"due": "2150-01-01", "due_reason": "x"}, "due"),
    ({"due": "31/02/2025", "due_reason": "x"}, "due"),
])
def test_invalid_values_are_422_naming_the_field(make, kwargs, field):
    admin = make.user("admin")
    c = make.commitment("Cusco")
    with pytest.raises(ValidationFailed) as exc:
        apply_update(c, admin, version=c.version, note="n", **kwargs)
    assert field in exc.value.fields


def test_no_role_may_skip_reopening(make):
    admin = make.user("admin")
    c = make.commitment("Cusco", status="cumplido")
    with pytest.raises(InvalidTransition):
        apply_update(c, admin, status="por_validar", note="n", version=c.version)
