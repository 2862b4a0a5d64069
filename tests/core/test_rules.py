"""Status rules, overdue and the Lima calendar, without a database."""
from datetime import date, datetime, timezone

import pytest

from gore_tracker.commitments import rules
from gore_tracker.utils import dates
from gore_tracker.utils.text import fold

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize("status,due,expected", [
    ("pendiente", date(2025, 6, 14), 1),
    ("en_proceso", date(2025, 6, 1), 14),
    ("pendiente", date(2025, 6, 15), 0),     # due today: not yet overdue
    ("pendiente", None, 0),
    ("por_validar", date(2025, 1, 1), 0),    # waiting for validation is not overdue
    ("cumplido", date(2025, 1, 1), 0),
    ("no_cumplido", date(2025, 1, 1), 0),
    ("anulado", date(2025, 1, 1), 0),
])
def test_days_overdue(status, due, expected):
    assert rules.days_overdue(status, due, TODAY) == expected
    assert rules.is_overdue(status, due, TODAY) is (expected > 0)


def test_today_is_lima_when_utc_is_already_tomorrow(app):
    # 2025-06-16 03:00 UTC is still 2025-06-15 22:00 in Lima (UTC-5).
    now = datetime(2025, 6, 16, 3, 0, tzinfo=timezone.utc)
    assert dates.today(now) == date(2025, 6, 15)
    assert rules.days_overdue("pendiente", date(2025, 6, 15), dates.today(now)) == 0


@pytest.mark.parametrize("old,new,valid", [
    ("pendiente", "en_proceso", True),
    ("en_proceso", "pendiente", False),
    ("por_validar", "pendiente", False),
    ("cumplido", "por_validar", False),
    ("cumplido", "cumplido", False),
    ("cumplido", "en_proceso", True),
    ("anulado", "pendiente", True),
    ("por_validar", "cumplido", True),
])
def test_transition_graph(old, new, valid):
    assert rules.is_valid_transition(old, new) is valid


@pytest.mark.parametrize("old,new,needs_note", [
    ("en_proceso", "no_cumplido", True),
    ("pendiente", "anulado", True),
    ("por_validar", "en_proceso", True),   # returned by the validator
    ("cumplido", "en_proceso", True),      # reopened
    ("por_validar", "cumplido", False),
    ("pendiente", "en_proceso", False),
])
def test_note_required(old, new, needs_note):
    assert rules.note_required(old, new) is needs_note


def test_long_date_is_spanish():
    assert dates.long_date(date(2020, 12, 8)) == "8 de diciembre de 2020"


def test_fold_ignores_accents_case_and_spacing():
    assert fold("  Oxígeno   MEDICINAL ") == "oxigeno medicinal"
    assert fold("Áncash y Ñuñoa") == "ancash y nunoa"
