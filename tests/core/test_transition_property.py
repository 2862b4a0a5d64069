"""Property: no sequence of recordings and updates, by any roles, leaves a commitment in a state the
transition table forbids — whatever each step answers (done, refused, invalid)."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gore_tracker.commitments import rules
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import DomainError
from gore_tracker.extensions import db
from gore_tracker.meetings.operations import record_acta
from tests import factories

_sessions = itertools.count(1)
ROLES = ["admin", "coordinator", "liaison_own", "liaison_other", "officer_own", "officer_other", "viewer"]

step = st.tuples(
    st.sampled_from(ROLES),
    st.sampled_from(list(rules.STATUSES) + [None]),
    st.one_of(st.none(), st.integers(min_value=-5, max_value=120)),
    st.sampled_from([None, "", "Nota de seguimiento"]),
)


@pytest.fixture
def people(app):
    return {
        "admin": factories.user("admin"), "coordinator": factories.user("coordinator"),
        "liaison_own": factories.user("liaison", "MINSA"), "liaison_other": factories.user("liaison", "MTC"),
        "officer_own": factories.user("regional_officer", "Cusco"),
        "officer_other": factories.user("regional_officer", "Puno"), "viewer": factories.user("viewer"),
    }


@settings(max_examples=30, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(recorder=st.sampled_from(ROLES), initial=st.sampled_from(list(rules.STATUSES)),
       steps=st.lists(step, min_size=1, max_size=8))
def test_no_sequence_breaks_the_transition_table(people, recorder, initial, steps):
    # Each step is one request: committed when it succeeds, rolled back when refused.
    doc = factories.acta_document(regions=(("Cusco", 1),), body=f"Sesión de prueba {next(_sessions)}")
    doc["extensions"]["commitments"] = [{"region": "Cusco", "number": 1, "status": initial}]
    try:
        meeting = record_acta(doc, people[recorder])
        db.session.commit()
    except DomainError:
        db.session.rollback()
        doc["extensions"].pop("commitments")
        meeting = record_acta(doc, people["admin"])
        db.session.commit()
    c = meeting.commitments[0]
    _check(c, people)
    for role, status, progress, note in steps:
        try:
            apply_update(c, people[role], status=status, progress=progress, note=note, version=c.version)
            db.session.commit()
        except DomainError:
            db.session.rollback()
        _check(c, people)


def _check(c, people) -> None:
    officers = {people["officer_own"].id, people["officer_other"].id}
    nobody = {people["viewer"].id, people["liaison_other"].id, people["officer_other"].id}
    assert c.status in rules.STATUSES and 0 <= c.progress <= 100
    chain = sorted(c.history, key=lambda h: h.id)
    expected = rules.PENDIENTE
    for h in chain:
        assert h.old_status == expected
        assert rules.is_valid_transition(h.old_status, h.new_status), (h.old_status, h.new_status)
        assert h.author_id not in nobody
        if h.author_id in officers:
            assert rules.officer_may(h.old_status, h.new_status)
        if rules.note_required(h.old_status, h.new_status):
            assert h.note
        expected = h.new_status
    assert c.status == expected
