"""Weekly digest: recipients and scopes, sections, caps with "y N más", the comparison with
the previous snapshot, no empty emails, idempotency, weeks in Lima, the CLI and a bounded
number of SQL statements."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.notifications import digest
from gore_tracker.notifications.models import DigestSnapshot, OutboxMessage
from tests.notifications.jobhelpers import commitment, count_statements, lima, mentions, move, outbox, to

WEEK = "2026-W11"
MONDAY = date(2026, 3, 9)
NOW = lima(MONDAY, 7)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


@pytest.fixture
def people(make):
    return {
        "admin": make.user("admin", email="admin@example.pe"),
        "coordinator": make.user("coordinator", email="coord@example.pe"),
        "viewer": make.user("viewer", email="viewer@example.pe"),
        "cusco": make.user("regional_officer", "Cusco", email="cusco@example.pe", name="Rosa Huamán"),
        "puno": make.user("regional_officer", "Puno", email="puno@example.pe"),
        "minsa": make.user("liaison", "MINSA", email="minsa@example.pe", name="Luis Paredes"),
    }


def send(week: str = WEEK):
    result = digest.send_week(week)
    db.session.commit()
    return result


def scope(built, user) -> digest.ScopeDigest:
    return next(p.scope for p in built.plans if p.user.id == user.id)


def section(scope_digest, key) -> digest.Section:
    return next(s for s in scope_digest.sections if s.key == key)


def test_each_role_gets_its_scope(make, people):
    admin = people["admin"]
    cusco = commitment(make, admin, "Cusco", sector="MINSA", due=day(-3), text="Equipar el hospital de Quillabamba")
    puno = commitment(make, admin, "Puno", sector="MTC", due=day(5))

    result = digest.enqueue_week(NOW)
    db.session.commit()

    assert sorted(m.to_email for m in result.messages) == [
        "admin@example.pe", "coord@example.pe", "cusco@example.pe", "minsa@example.pe", "puno@example.pe"]
    [mail] = to("cusco@example.pe")
    assert mail.idempotency_key == f"digest:{people['cusco'].id}:2026-W11" and mail.kind == "digest"
    assert mail.subject == "[GORE Tracker] Cusco: resumen semanal al 9 de marzo de 2026 — 1 compromiso vencido"
    assert mentions(mail, cusco) and not mentions(mail, puno)
    assert "Gobierno Regional de Cusco" in mail.text_body and "Rosa Huamán" in mail.text_body
    [mail] = to("puno@example.pe")
    assert mail.subject == "[GORE Tracker] Puno: resumen semanal al 9 de marzo de 2026 — sin compromisos vencidos"
    assert mentions(mail, puno) and "vence en 5 días" in mail.text_body
    [mail] = to("minsa@example.pe")
    assert mail.subject.startswith("[GORE Tracker] Ministerio de Salud: resumen semanal")
    assert mentions(mail, cusco) and not mentions(mail, puno)
    for address in ("coord@example.pe", "admin@example.pe"):
        [mail] = to(address)
        assert mail.subject.startswith("[GORE Tracker] Nacional: resumen semanal")
        assert mentions(mail, cusco) and mentions(mail, puno)
    assert to("viewer@example.pe") == []  # off for viewers unless they switch it on


def test_preferences_are_honoured(make, people):
    commitment(make, people["admin"], "Cusco", sector="MINSA", due=day(-3))
    people["viewer"].digest_enabled = True
    people["cusco"].digest_enabled = False
    people["coordinator"].active = False
    db.session.commit()

    result = send()

    assert sorted(m.to_email for m in result.messages) == [
        "admin@example.pe", "minsa@example.pe", "viewer@example.pe"]
    [mail] = to("viewer@example.pe")
    assert mail.subject.startswith("[GORE Tracker] Nacional:")
    assert "Actualizar" not in mail.text_body  # a viewer may update nothing


def test_sections_cover_the_right_days(make, people):
    admin = people["admin"]
    overdue = commitment(make, admin, "Cusco", sector="MTC", due=day(-1), status="en_proceso")
    long_overdue = commitment(make, admin, "Cusco", sector="MTC", due=day(-40))
    closed_late = commitment(make, admin, "Cusco", sector="MTC", due=day(-5), status="cumplido")
    due_today = commitment(make, admin, "Cusco", sector="MTC", due=day(0))
    last_soon = commitment(make, admin, "Cusco", sector="MTC", due=day(13))
    too_far = commitment(make, admin, "Cusco", sector="MTC", due=day(14))
    changed = commitment(make, admin, "Cusco", sector="MTC", due=day(30))
    first_minute = move(changed, admin, "en_proceso", at=lima(day(-7), 0, 0), progress=30)
    last_minute = move(changed, admin, "en_proceso", at=lima(day(-1), 23, 59), progress=50, note="Avance de obra")
    move(changed, admin, "en_proceso", at=lima(day(-8), 23, 59), progress=10)  # the week before
    move(changed, admin, "en_proceso", at=lima(day(0), 0, 1), progress=60)  # this week

    built = digest.build_week(WEEK)
    cusco = scope(built, people["cusco"])

    assert [c.id for c in section(cusco, "overdue").items] == [long_overdue.id, overdue.id]
    assert section(cusco, "overdue").items[1].reason == "vencido hace 1 día"
    assert [c.id for c in section(cusco, "due_soon").items] == [due_today.id, last_soon.id]
    assert section(cusco, "due_soon").items[0].reason == "vence hoy"
    changes = section(cusco, "changes").items
    assert [(c.commitment.id, c.progress) for c in changes] == [(changed.id, 50), (changed.id, 30)]
    assert changes[0].describe() == "Avance 30 % → 50 %"
    assert changes[0].note == "Avance de obra" and last_minute.id and first_minute.id
    assert [s.key for s in cusco.sections] == ["overdue", "due_soon", "changes"]
    assert not any(i.id in (closed_late.id, too_far.id) for i in section(cusco, "overdue").items
                   + section(cusco, "due_soon").items)
    # Figures on Monday: 7 commitments, 2 overdue, 1 cumplido (rate 1/7).
    assert (cusco.figures.total, cusco.figures.overdue, cusco.figures.by_status["cumplido"]) == (7, 2, 1)
    assert cusco.figures.compliance_rate == pytest.approx(1 / 7)

    send()
    [mail] = to("cusco@example.pe")
    text = mail.text_body
    assert "Los cambios son los del 2 de marzo de 2026 al 8 de marzo de 2026" in text
    assert "COMPROMISOS VENCIDOS (2)" in text and "VENCEN EN LOS PRÓXIMOS 14 DÍAS (2)" in text
    assert "CAMBIOS DE LA SEMANA (2)" in text and "Nota: Avance de obra" in text
    assert text.index(f"/compromisos/{long_overdue.id}\n") < text.index(f"/compromisos/{overdue.id}\n")


def test_liaison_digest_is_grouped_by_region_with_validations(make, people):
    admin = people["admin"]
    puno = commitment(make, admin, "Puno", sector="MINSA", due=day(-2))
    cusco = commitment(make, admin, "Cusco", sector="MINSA", due=day(-1))
    waiting = commitment(make, admin, "Cusco", sector="MINSA", due=day(20))
    move(waiting, admin, "por_validar", at=lima(day(-4), 10), note="Se adjunta el acta de entrega")
    commitment(make, admin, "Cusco", sector="MTC", due=day(-1))  # another sector

    send()

    [mail] = to("minsa@example.pe")
    text = mail.text_body
    overdue_part = text[text.index("COMPROMISOS VENCIDOS (2)"):text.index("VENCEN EN LOS PRÓXIMOS")]
    assert overdue_part.index("\n  Cusco\n") < overdue_part.index("\n  Puno\n")
    assert overdue_part.index("\n  Cusco\n") < overdue_part.index(f"/compromisos/{cusco.id}\n")
    assert overdue_part.index("\n  Puno\n") < overdue_part.index(f"/compromisos/{puno.id}\n")
    assert "ESPERAN SU VALIDACIÓN (1)" in text and "por validar desde hace 4 días" in text
    assert mentions(text[text.index("ESPERAN SU VALIDACIÓN"):], waiting)
    [officer] = to("cusco@example.pe")
    assert "ESPERAN SU VALIDACIÓN" not in officer.text_body


def test_lists_are_capped_with_a_link_to_the_rest(make, people):
    admin = people["admin"]
    meeting = make.meeting(admin, regions=(("Cusco", 23),), sector_name="Ministerio de Transportes y Comunicaciones",
                           day="2025-06-01")
    for k, c in enumerate(meeting.commitments):
        c.due = day(-30 + k)  # all overdue
    db.session.commit()

    send()

    [mail] = to("cusco@example.pe")
    assert mail.subject.endswith("— 23 compromisos vencidos")
    text = mail.text_body
    assert "COMPROMISOS VENCIDOS (23)" in text
    listed = text[text.index("COMPROMISOS VENCIDOS"):text.index("VENCEN EN LOS")]
    assert listed.count("  Ver: ") == 20
    assert "y 3 más: http://testserver/compromisos?region=08&overdue=true&sort=overdue" in text
    assert '<a href="http://testserver/compromisos?region=08&amp;overdue=true&amp;sort=overdue"' in mail.html_body
    assert ">y 3 más</a>" in mail.html_body
    # The 20 shown are the most overdue.
    shown = [c for c in meeting.commitments if mentions(listed, c)]
    assert shown == meeting.commitments[:20]
    [national] = to("coord@example.pe")
    assert "y 3 más: http://testserver/compromisos?overdue=true&sort=overdue" in national.text_body


def test_first_digest_has_no_comparison_then_compares_with_the_previous_snapshot(make, people):
    admin = people["admin"]
    a = commitment(make, admin, "Cusco", sector="MTC", due=day(-10))
    b = commitment(make, admin, "Cusco", sector="MTC", due=day(-20))
    commitment(make, admin, "Cusco", sector="MTC", due=day(3))

    send("2026-W09")
    [first] = to("cusco@example.pe")
    assert "Primer resumen" in first.text_body and "antes" not in first.text_body
    assert "Semana 2026-W" not in first.html_body
    snapshot = db.session.scalar(
        select(DigestSnapshot).where(DigestSnapshot.scope == f"region:{people['cusco'].organization_id}"))
    assert snapshot.iso_week == "2026-W09"
    assert snapshot.figures == {"total": 3, "by_status": {"pendiente": 3, "en_proceso": 0, "por_validar": 0,
                                                          "cumplido": 0, "no_cumplido": 0, "anulado": 0},
                                "overdue": 1, "compliance_rate": 0.0}
    assert {s.scope for s in db.session.scalars(select(DigestSnapshot))} == {
        "national", f"region:{people['cusco'].organization_id}", f"region:{people['puno'].organization_id}",
        f"sector:{people['minsa'].organization_id}"}

    apply_update(a, admin, status="cumplido", note="Entregado", version=a.version)
    apply_update(b, admin, status="anulado", note="Ya no corresponde", version=b.version)
    db.session.commit()
    send(WEEK)  # two weeks later: compared with W09, the latest before

    [_, second] = to("cusco@example.pe")
    text = second.text_body
    assert "frente al resumen anterior, semana 2026-W09" in text and "Primer resumen" not in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert lines["Compromisos"].split() == ["Compromisos", "3", "antes", "3", "(=)"]
    assert lines["Cumplido"].split() == ["Cumplido", "1", "antes", "0", "(+1)"]
    assert lines["Pendiente"].split() == ["Pendiente", "1", "antes", "3", "(−2)"]
    assert lines["Vencidos"].split() == ["Vencidos", "0", "antes", "1", "(−1)"]
    assert lines["Cumplimiento"].split() == ["Cumplimiento", "50,0", "%", "antes", "0,0", "%", "(+50,0", "pp)"]
    assert "Semana 2026-W09" in second.html_body


def test_nobody_gets_an_empty_digest(make, people, runner):
    admin = people["admin"]
    commitment(make, admin, "Cusco", sector="MTC", due=day(60))  # nothing to report about it
    commitment(make, admin, "Cusco", sector="MTC", due=day(-60), status="cumplido")

    result = send()

    assert result.messages == []
    assert {p.skip_reason for p in result.skipped} == {"nada que informar"}
    assert db.session.scalar(select(func.count()).select_from(DigestSnapshot)) == 4  # figures kept
    out = runner.invoke(args=["digest", "send", "--week", "2026-W12", "--dry-run"])
    assert "cusco@example.pe (Funcionario regional, Cusco): no se envía (nada que informar)" in out.output


def test_sending_twice_sends_once(make, people):
    commitment(make, people["admin"], "Cusco", sector="MINSA", due=day(-3))
    first = send()
    snapshots = db.session.scalar(select(func.count()).select_from(DigestSnapshot))

    second = send()

    assert len(first.messages) == 4 and second.messages == []
    assert {p.skip_reason for p in second.skipped} == {"ya enviado", "nada que informar"}
    assert len(outbox("digest")) == 4
    assert db.session.scalar(select(func.count()).select_from(DigestSnapshot)) == snapshots


@pytest.mark.parametrize("moment, week", [
    (datetime(2026, 3, 9, 5, 30, tzinfo=timezone.utc), "2026-W11"),   # Monday 00:30 in Lima
    (datetime(2026, 3, 9, 4, 30, tzinfo=timezone.utc), "2026-W10"),   # still Sunday in Lima
    (datetime(2021, 1, 3, 12, 0, tzinfo=timezone.utc), "2020-W53"),
    (datetime(2026, 12, 31, 12, 0, tzinfo=timezone.utc), "2026-W53"),
])
def test_the_week_is_the_iso_week_in_lima(app, moment, week):
    assert digest.week_of(moment) == week
    assert digest.parse_week(week).isoweekday() == 1


@pytest.mark.parametrize("text", ["2026-W54", "2021-W53", "2026-11", "2026-W1", "semana", "1999-W10"])
def test_bad_weeks(text):
    with pytest.raises(ValueError, match="Semana no válida"):
        digest.parse_week(text)


def test_cli_dry_run_enqueues_nothing(runner, make, people):
    commitment(make, people["admin"], "Cusco", sector="MINSA", due=day(-3))

    result = runner.invoke(args=["digest", "send", "--week", WEEK, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert ("cusco@example.pe (Funcionario regional, Cusco): vencidos 1, vencen en 14 días 0, "
            "cambios 0") in result.output
    assert "puno@example.pe (Funcionario regional, Puno): no se envía (nada que informar)" in result.output
    assert ("minsa@example.pe (Enlace sectorial, Ministerio de Salud): vencidos 1, vencen en 14 días 0, "
            "cambios 0, por validar 0") in result.output
    assert "se enviarían 4 correo(s) de 5 suscriptor(es); no se encoló nada" in result.output
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(DigestSnapshot)) == 0


def test_cli_sends_the_current_week_by_default(runner, make, people):
    from gore_tracker.utils.dates import now_utc

    commitment(make, people["admin"], "Cusco", sector="MINSA", due=date(2020, 1, 1))

    result = runner.invoke(args=["digest", "send"])

    assert result.exit_code == 0, result.output
    week = digest.week_of(now_utc())
    assert f"Resumen {week}: 4 correo(s) en la bandeja de salida" in result.output
    assert {m.idempotency_key.rsplit(":", 1)[1] for m in outbox()} == {week}
    again = runner.invoke(args=["digest", "send"])
    assert f"Resumen {week}: 0 correo(s)" in again.output


@pytest.mark.parametrize("value", ["2026-W54", "2026-03-09", "W11"])
def test_cli_bad_week_is_one_clear_line(runner, value):
    result = runner.invoke(args=["digest", "send", "--week", value])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: Semana no válida: «{value}».")


def test_statements_do_not_grow_with_commitments(make, people):
    admin = people["admin"]
    for region, sector in (("Cusco", "MINSA"), ("Puno", "MTC")):
        commitment(make, admin, region, sector=sector, due=day(-3))
    with count_statements() as small:
        digest.build_week(WEEK)
    for k in range(6):
        for region, sector in (("Cusco", "MINSA"), ("Puno", "MINSA"), ("Cusco", "MTC")):
            c = commitment(make, admin, region, sector=sector, due=day(-k * 3 + 5))
            move(c, admin, "en_proceso", at=lima(day(-2), 10))
            if k % 2 and sector == "MINSA":
                move(c, admin, "por_validar", at=lima(day(-5), 10))
    with count_statements() as large:
        built = digest.build_week(WEEK)
    assert large[0] == small[0] <= 16
    assert sum(len(s.items) for s in scope(built, people["minsa"]).sections) > 10

    with count_statements() as sending:
        result = send()
    assert sending[0] <= 20 + 2 * len(result.messages)


def test_recipients_of_one_scope_get_their_own_name_and_links(make, people):
    from gore_tracker.notifications import links

    admin = people["admin"]
    other = make.user("regional_officer", "Cusco", email="cusco2@example.pe", name="Ana <Quispe>")
    people["viewer"].digest_enabled = True
    db.session.commit()
    c = commitment(make, admin, "Cusco", sector="MTC", due=day(-3), text="Texto con ⟦abc:1⟧ y ⟦name⟧")

    send()

    [rosa] = to("cusco@example.pe")
    [ana] = to("cusco2@example.pe")
    assert "Hola, Rosa Huamán:" in rosa.text_body and "Hola, Ana <Quispe>:" in ana.text_body
    assert "Hola, Ana &lt;Quispe&gt;:" in ana.html_body
    for message, user in ((rosa, people["cusco"]), (ana, other)):
        tokens = set(re.findall(r"desde-correo\?t=([\w.-]+)", message.text_body + message.html_body))
        assert tokens and {links.read_token(t) for t in tokens} == {(user.id, c.id)}
    assert "Texto con ⟦abc:1⟧ y ⟦name⟧" in rosa.text_body
    [viewer] = to("viewer@example.pe")
    [coordinator] = to("coord@example.pe")
    assert "desde-correo" not in viewer.text_body + viewer.html_body
    assert {links.read_token(t) for t in re.findall(r"desde-correo\?t=([\w.-]+)", coordinator.text_body)} == {
        (people["coordinator"].id, c.id)}
