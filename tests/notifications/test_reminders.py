"""Daily reminders: who gets them, which steps, one grouped email per recipient, idempotency,
the Lima date, preferences, and a bounded number of SQL statements."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from gore_tracker.extensions import db
from gore_tracker.notifications import reminders
from gore_tracker.notifications.models import OutboxMessage, ReminderLog
from tests.notifications.jobhelpers import commitment, count_statements, lima, mentions, move, outbox, steps, to

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = lima(TODAY, 8)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def people(make):
    return {
        "admin": make.user("admin", email="admin@example.pe"),
        "coordinator": make.user("coordinator", email="coord@example.pe"),
        "viewer": make.user("viewer", email="viewer@example.pe"),
        "cusco": make.user("regional_officer", "Cusco", email="cusco@example.pe", name="Rosa Huamán"),
        "puno": make.user("regional_officer", "Puno", email="puno@example.pe"),
        "minsa": make.user("liaison", "MINSA", email="minsa@example.pe", name="Luis Paredes"),
        "minedu": make.user("liaison", "MINEDU", email="minedu@example.pe"),
    }


def run(now=NOW):
    result = reminders.enqueue_due(now)
    db.session.commit()
    return result


def test_one_email_per_recipient_lists_all_their_commitments(make, people):
    admin = people["admin"]
    week = commitment(make, admin, "Cusco", sector="MINSA", due=days(7), text="Instalar la planta de oxígeno")
    tomorrow = commitment(make, admin, "Cusco", sector="MINEDU", due=days(1), status="en_proceso")
    overdue = commitment(make, admin, "Cusco", sector="MINSA", due=days(-8))
    puno = commitment(make, admin, "Puno", sector="MINSA", due=days(-1))
    commitment(make, admin, "Cusco", sector="MINSA", due=days(3))  # no step today

    result = run()

    assert len(result.messages) == 4
    [cusco] = to("cusco@example.pe")
    assert cusco.idempotency_key == f"reminder:{people['cusco'].id}:2026-03-10"
    assert cusco.kind == "reminder" and cusco.user_id == people["cusco"].id
    assert cusco.subject == ("[GORE Tracker] Cusco: 1 compromiso vencido, 1 vence mañana, "
                             "1 vence en 7 días")
    for c in (week, tomorrow, overdue):
        assert mentions(cusco, c)
    assert not mentions(cusco, puno)
    assert "Instalar la planta de oxígeno" in cusco.text_body and "Rosa Huamán" in cusco.text_body

    [minsa] = to("minsa@example.pe")
    assert minsa.subject == "[GORE Tracker] Ministerio de Salud: 2 compromisos vencidos, 1 vence en 7 días"
    assert {mentions(minsa, c) for c in (week, overdue, puno)} == {True}
    assert not mentions(minsa, tomorrow)  # MINEDU's
    [minedu] = to("minedu@example.pe")
    assert mentions(minedu, tomorrow)
    [puno_mail] = to("puno@example.pe")
    assert "1 compromiso vencido" in puno_mail.subject
    # Coordinators, admins and viewers get no reminders.
    assert not to("coord@example.pe") + to("admin@example.pe") + to("viewer@example.pe")
    assert result.items == 3 + 3 + 1 + 1


@pytest.mark.parametrize("offset, step, section", [
    (7, "before-7", "Vencen en 7 días"),
    (1, "before-1", "Vencen mañana"),
    (-1, "overdue-1", "Vencidos"),
    (-8, "overdue-8", "Vencidos"),
    (-15, "overdue-15", "Vencidos"),
    (-365, "overdue-365", "Vencidos"),
])
def test_steps_that_remind(make, people, offset, step, section):
    c = commitment(make, people["admin"], "Cusco", due=days(offset))

    run()

    [mail] = to("cusco@example.pe")
    assert section.upper() in mail.text_body
    assert steps(people["cusco"]) == {(c.id, f"{step}:{days(offset).isoformat()}")}


@pytest.mark.parametrize("offset", [8, 6, 2, 0, -2, -7, -9, -14, -16])
def test_days_without_a_step(make, people, offset):
    commitment(make, people["admin"], "Cusco", due=days(offset))
    assert run().messages == []


@pytest.mark.parametrize("status", ["por_validar", "cumplido", "no_cumplido", "anulado"])
def test_only_open_commitments_get_due_reminders(make, people, status):
    commitment(make, people["admin"], "Cusco", due=days(-1), status=status)
    commitment(make, people["admin"], "Cusco", due=None)
    assert run().messages == []


def test_every_week_while_overdue(make, people):
    c = commitment(make, people["admin"], "Cusco", due=days(-1))
    sent_on = []
    for d in range(0, 16):
        if run(lima(TODAY + timedelta(days=d))).messages:
            sent_on.append(d + 1)  # days overdue on that day
    assert sent_on == [1, 8, 15]
    assert {s for _, s in steps(people["cusco"])} == {f"overdue-{n}:{c.due.isoformat()}" for n in (1, 8, 15)}


def test_validation_reminders_go_to_liaisons_after_three_days(make, people):
    admin = people["admin"]
    c = commitment(make, admin, "Cusco", sector="MINSA", due=days(30))
    sent = move(c, admin, "por_validar", at=lima(days(-3), 17))  # sent 3 Lima days ago
    recent = commitment(make, admin, "Cusco", sector="MINSA", due=days(30))
    move(recent, admin, "por_validar", at=lima(days(-2), 7))  # only 2 days: not yet

    run()

    [mail] = to("minsa@example.pe")
    assert mail.subject == "[GORE Tracker] Ministerio de Salud: 1 compromiso espera su validación"
    assert "por validar desde hace 3 días" in mail.text_body
    assert not mentions(mail, recent)
    assert steps(people["minsa"]) == {(c.id, f"validation-3:{sent.id}")}
    assert not to("cusco@example.pe")  # officers are not asked to validate

    # A note while waiting does not restart the clock nor remind again the next days.
    move(c, admin, "por_validar", note="Se adjunta informe", at=lima(days(0), 12))
    for d in (1, 2, 5):
        assert not any(mentions(m, c) for m in run(lima(days(d))).messages)
    assert [s for cid, s in steps(people["minsa"]) if cid == c.id] == [f"validation-3:{sent.id}"]

    # Returned, then sent again: a new validation round, reminded again after 3 days.
    move(c, admin, "en_proceso", note="Falta el acta de recepción", at=lima(days(6), 9))
    again = move(c, admin, "por_validar", note="Acta adjunta", at=lima(days(7), 9))
    assert not any(mentions(m, c) for m in run(lima(days(9))).messages)
    result = run(lima(days(10)))
    assert [m.to_email for m in result.messages] == ["minsa@example.pe"]
    assert mentions(result.messages[0], c)
    assert (c.id, f"validation-3:{again.id}") in steps(people["minsa"])


def test_running_twice_the_same_day_sends_once(make, people):
    admin = people["admin"]
    commitment(make, admin, "Cusco", due=days(7))
    commitment(make, admin, "Puno", due=days(-1))
    first = run()
    logged = db.session.query(ReminderLog).count()

    second = run()

    assert len(first.messages) == 3 and second.messages == []
    assert len(outbox()) == 3
    assert db.session.query(ReminderLog).count() == logged


def test_new_items_later_the_same_day_go_out_once_under_a_new_key(make, people):
    admin = people["admin"]
    first = commitment(make, admin, "Cusco", sector="MINEDU", due=days(7))
    run()
    # Later that day a deadline is moved to tomorrow: the officer is told, once.
    late = commitment(make, admin, "Cusco", sector="MINEDU", due=days(20))
    from gore_tracker.commitments.operations import apply_update

    apply_update(late, admin, due=days(1), due_reason="Adelanto acordado", note="Nuevo plazo",
                 version=late.version)
    db.session.commit()

    second = run(lima(TODAY, 15))
    third = run(lima(TODAY, 18))

    keys = [m.idempotency_key for m in to("cusco@example.pe")]
    uid = people["cusco"].id
    assert keys == [f"reminder:{uid}:2026-03-10", f"reminder:{uid}:2026-03-10:2"]
    [extra] = [m for m in second.messages if m.to_email == "cusco@example.pe"]
    assert mentions(extra, late) and not mentions(extra, first)
    assert extra.subject == "[GORE Tracker] Cusco: 1 compromiso vence mañana"
    assert third.messages == []


def test_a_new_deadline_is_reminded_again(make, people):
    admin = people["admin"]
    c = commitment(make, admin, "Cusco", sector="MINEDU", due=days(7))
    run()
    from gore_tracker.commitments.operations import apply_update

    apply_update(c, admin, due=days(14), due_reason="Ampliación", note="Se amplía", version=c.version)
    db.session.commit()
    assert run(lima(days(1))).messages == []
    result = run(lima(days(7)))
    assert sorted(m.to_email for m in result.messages) == ["cusco@example.pe", "minedu@example.pe"]
    assert steps(people["cusco"]) == {(c.id, f"before-7:{days(7).isoformat()}"),
                                      (c.id, f"before-7:{days(14).isoformat()}")}


def test_today_is_the_date_in_lima(make, people):
    """22:30 in Lima on the 10th is already the 11th in UTC: the 10th's reminders go out."""
    admin = people["admin"]
    late_evening = lima(TODAY, 22, 30)
    assert late_evening.date() == date(2026, 3, 11)  # UTC
    due_today = commitment(make, admin, "Cusco", sector="MINEDU", due=TODAY)
    due_tomorrow = commitment(make, admin, "Cusco", sector="MINEDU", due=days(1))
    overdue = commitment(make, admin, "Cusco", sector="MINEDU", due=days(-1))

    run(late_evening)

    [mail] = to("cusco@example.pe")
    assert mail.idempotency_key.endswith(":2026-03-10")
    assert not mentions(mail, due_today)  # due today: not overdue yet
    assert "1 compromiso vencido, 1 vence mañana" in mail.subject
    assert steps(people["cusco"]) == {(due_tomorrow.id, f"before-1:{days(1).isoformat()}"),
                       (overdue.id, f"overdue-1:{days(-1).isoformat()}")}


def test_preferences_and_accounts_are_honoured(make, people):
    admin = people["admin"]
    commitment(make, admin, "Cusco", sector="MINSA", due=days(1))
    people["cusco"].reminders_enabled = False
    people["minsa"].active = False
    other = make.user("liaison", "MINSA", email="otra@example.pe")
    db.session.commit()

    result = run()

    assert [m.to_email for m in result.messages] == [other.email]
    # Switched back on the same day: the officer gets what is still due today.
    people["cusco"].reminders_enabled = True
    db.session.commit()
    assert [m.to_email for m in run().messages] == ["cusco@example.pe"]


def test_now_must_be_aware(app):
    from datetime import datetime

    with pytest.raises(ValueError):
        reminders.enqueue_due(datetime(2026, 3, 10, 8))


def test_statements_do_not_grow_with_commitments(make, people):
    admin = people["admin"]
    for offset in (7, 1, -1, -8):
        commitment(make, admin, "Cusco", sector="MINSA", due=days(offset))
    with count_statements() as small:
        reminders.plan_due(NOW)
    for offset in (7, 7, 1, 1, -1, -8, -15, -22, -29, 3, 4):
        commitment(make, admin, "Cusco", sector="MINSA", due=days(offset))
        commitment(make, admin, "Puno", sector="MINSA", due=days(offset))
    with count_statements() as large:
        reminders.plan_due(NOW)
    assert large[0] == small[0] <= 6

    with count_statements() as enqueue:
        run()
    messages = len(outbox())
    # Per message: the outbox's key check, the message and its log rows (one flush).
    assert enqueue[0] <= 8 + 3 * messages


def test_cli_runs_for_a_date_and_reports(runner, make, people):
    commitment(make, people["admin"], "Puno", sector="MTC", due=days(1))

    result = runner.invoke(args=["reminders", "run", "--date", "2026-03-10"])

    assert result.exit_code == 0, result.output
    assert "puno@example.pe: 1 compromiso(s) · [GORE Tracker] Puno: 1 compromiso vence mañana" in result.output
    assert "Recordatorios del 2026-03-10: 1 correo(s)" in result.output
    again = runner.invoke(args=["reminders", "run", "--date", "2026-03-10"])
    assert "0 correo(s)" in again.output
    assert db.session.query(OutboxMessage).count() == 1


@pytest.mark.parametrize("value", ["2026-02-30", "10/03/2026", "mañana", "1999-12-31"])
def test_cli_bad_date_is_one_clear_line(runner, value):
    result = runner.invoke(args=["reminders", "run", "--date", value])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"Error: Fecha no válida: «{value}». Use AAAA-MM-DD, entre 2000 y 2100."]


def test_cli_default_is_today_in_lima(runner, make, people):
    from gore_tracker.utils.dates import today

    commitment(make, people["admin"], "Puno", sector="MTC", due=today() + timedelta(days=1))
    result = runner.invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    assert f"Recordatorios del {today().isoformat()}: 1 correo(s)" in result.output
