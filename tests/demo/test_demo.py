"""`flask demo load`: a realistic, deterministic, idempotent demo data set."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gore_tracker.commitments import rules
from gore_tracker.commitments.models import Commitment, StatusUpdate
from gore_tracker.demo import operations as demo
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization
from gore_tracker.users import operations as users
from gore_tracker.users.models import Role, User
from gore_tracker.utils.dates import today as lima_today
from tests.conftest import csrf_from

pytestmark = pytest.mark.slow  # each loads the whole demo data set


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot() -> tuple:
    return tuple(_count(m) for m in (Meeting, Commitment, StatusUpdate, User, Organization))


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_load_builds_a_realistic_data_set(runner, loaded):
    today = lima_today()
    assert "Datos de demostración cargados" in loaded.output
    for email, _name, _role, _org in demo.ACCOUNTS:
        assert email in loaded.output
    assert demo.PASSWORD in loaded.output

    assert 9 <= _count(Meeting) <= 13
    assert 180 <= _count(Commitment) <= 230

    by_status = dict(db.session.execute(
        select(Commitment.status, func.count()).group_by(Commitment.status)).all())
    assert set(by_status) == set(rules.STATUSES), by_status
    assert by_status[rules.POR_VALIDAR] >= 5          # waiting for a liaison or coordinator
    open_ = Commitment.status.in_(rules.OPEN)
    assert _count(Commitment, open_, Commitment.due < today) >= 10                      # overdue
    assert _count(Commitment, open_, Commitment.due >= today,
                  Commitment.due <= today + timedelta(days=14)) >= 3                    # due soon
    cusco = orgs.find_region("Cusco")
    assert _count(Commitment, open_, Commitment.region_id == cusco.id, Commitment.due >= today,
                  Commitment.due <= today + timedelta(days=14)) >= 2  # the demo officer's home shows some

    # Different sectors and bodies.
    sectors = set(db.session.scalars(select(Organization.code).join(
        Meeting, Meeting.sector_id == Organization.id)))
    assert {"MINSA", "MTC", "MVCS", "MINEDU", "MIDAGRI", "MINEM", "PRODUCE"} <= sectors
    bodies = set(db.session.scalars(select(Meeting.body)))
    assert {"GORE Ejecutivo", "Muni Ejecutivo", "Consejo Regional de Salud de Cusco"} <= bodies

    # The seed acta, recorded from its JSON.
    seed = db.session.scalar(select(Meeting).where(Meeting.date == date(2020, 12, 8)))
    assert seed is not None and seed.sector.code == "MINSA"
    assert seed.title == "GORE Ejecutivo Extraordinario" and seed.session_type == "extraordinaria"
    assert [r.name for r in seed.regions] == ["Cusco", "Moquegua", "Puno", "Tacna"]
    assert len(seed.commitments) == 15
    assert any("plantas de oxígeno" in c.text for c in seed.commitments)

    # Plausible histories written through apply_update.
    done = db.session.scalars(select(Commitment).where(Commitment.status == rules.CUMPLIDO)).all()
    assert all(c.history and c.history[0].new_status == rules.CUMPLIDO and c.history[0].note for c in done)
    waiting = db.session.scalars(select(Commitment).where(Commitment.status == rules.POR_VALIDAR)).all()
    assert all(c.history[0].new_status == rules.POR_VALIDAR for c in waiting)
    reprogrammed = db.session.scalars(select(StatusUpdate).where(StatusUpdate.due_changed)).all()
    assert reprogrammed and all(u.due_reason and u.new_due for u in reprogrammed)
    for c in db.session.scalars(select(Commitment)):
        assert c.version == len(c.history) + 1
        moments = [u.created_at for u in reversed(c.history)]
        assert moments == sorted(moments)
        assert all(u.created_at.date() >= c.meeting.date for u in c.history)
    # Some updates carry evidence files, stored by content.
    assert any(u.evidence for c in waiting + done for u in c.history)
    # Details from the extensions: deliverables, targets and CUIs.
    assert _count(Commitment, Commitment.deliverable.is_not(None)) >= 150
    assert _count(Commitment, Commitment.cui.is_not(None)) >= 20
    assert _count(Commitment, Commitment.target.is_not(None)) >= 50

    # One account per role, each bound to the organization its role needs.
    accounts = {email: users.find_user(email) for email, *_ in demo.ACCOUNTS}
    assert {u.role for u in accounts.values()} == set(Role.ALL)
    assert accounts["enlace.minsa@demo.example"].organization.code == "MINSA"
    assert accounts["funcionario.cusco@demo.example"].organization.name == "Cusco"

    # A second run says so and changes nothing.
    before = _snapshot()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "ya estaban cargados" in result.output
    assert "admin@demo.example" in result.output
    assert _snapshot() == before


def test_demo_accounts_can_sign_in(app, loaded):
    for email, _name, role, _org in demo.ACCOUNTS:
        # A fresh app context per account: Flask-Login and Flask-WTF keep the user and the
        # CSRF token in ``g``, which the test's own app context would share between clients.
        with app.app_context():
            client = app.test_client()
            page = client.get("/login")
            response = client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                  "email": email, "password": demo.PASSWORD})
            assert response.status_code == 302, (email, response.get_data(as_text=True)[:300])
            assert client.get("/admin/usuarios").status_code == (200 if role == "admin" else 403)


def test_demo_refuses_a_database_with_real_accounts(runner, make):
    make.user("admin", email="jefa@region.gob.pe")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "--force" in result.output
    assert _count(Meeting) == 0 and users.find_user("admin@demo.example") is None

    result = runner.invoke(args=["demo", "load", "--force"])
    assert result.exit_code == 0, result.output
    assert _count(Meeting) >= 9 and users.find_user("admin@demo.example") is not None


def test_demo_skips_an_acta_already_recorded(runner, make):
    # The seed acta was recorded by hand before: --force loads the rest and says so.
    make.meeting(document=make.seed_document())
    result = runner.invoke(args=["demo", "load", "--force"])
    assert result.exit_code == 0, result.output
    assert "Omitida (ya registrada)" in result.output
    assert _count(Meeting, Meeting.date == date(2020, 12, 8)) == 1


def test_demo_is_deterministic_and_relative_to_today(app):
    first = demo.load_demo(date(2030, 6, 1))
    texts = [c.text for c in db.session.scalars(select(Commitment).order_by(Commitment.id))]
    statuses = [c.status for c in db.session.scalars(select(Commitment).order_by(Commitment.id))]
    newest = db.session.scalar(select(func.max(Meeting.date)))
    assert newest == date(2030, 6, 1) - timedelta(days=12)
    db.session.rollback()
    second = demo.load_demo(date(2030, 6, 1))
    assert (first.meetings, first.commitments, first.updates) == (second.meetings, second.commitments,
                                                                  second.updates)
    assert [c.text for c in db.session.scalars(select(Commitment).order_by(Commitment.id))] == texts
    assert [c.status for c in db.session.scalars(select(Commitment).order_by(Commitment.id))] == statuses
    db.session.rollback()
