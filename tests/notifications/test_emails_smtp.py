"""End to end against a real SMTP server (aiosmtpd): the jobs enqueue, ``outbox.dispatch``
(and ``flask outbox send``) delivers one grouped email per recipient, and running
everything again delivers nothing new."""
from __future__ import annotations

from datetime import date, timedelta

from gore_tracker.db import utcnow
from gore_tracker.extensions import db
from gore_tracker.notifications import digest, outbox, reminders
from tests.notifications.jobhelpers import commitment, lima, mentions

TUESDAY = date(2026, 3, 10)


def subject(message) -> str:
    """The subject as read by a client, spaces collapsed: Python's header folding can leave a
    doubled space where it folds before an encoded word (the dispatcher's concern)."""
    return " ".join(message["Subject"].split())


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_reminders_arrive_once_per_recipient(app, make, smtp_server, mail_config):
    admin = make.user("admin", email="admin@example.pe")
    officer = make.user("regional_officer", "Cusco", email="cusco@example.pe")
    liaison = make.user("liaison", "MINSA", email="minsa@example.pe")
    made = [commitment(make, admin, "Cusco", sector="MINSA", due=TUESDAY + timedelta(days=d)) for d in (7, 1, -1, -8)]
    puno = commitment(make, admin, "Puno", sector="MINSA", due=TUESDAY + timedelta(days=1))

    for _ in range(2):  # the job twice, the dispatcher twice
        reminders.enqueue_due(lima(TUESDAY))
        db.session.commit()
        outbox.dispatch(utcnow(), batch_size=10, worker_id="test")

    assert len(smtp_server.messages) == 2
    [to_officer] = smtp_server.to(officer.email)
    assert to_officer["To"] == officer.email  # its own To:, nobody else's
    assert subject(to_officer) == ("[GORE Tracker] Cusco: 2 compromisos vencidos, 1 vence mañana, "
                                     "1 vence en 7 días")
    text, html = parts(to_officer)
    assert all(mentions(text, c) for c in made) and not mentions(text, puno)
    assert "Actualizar" in html and 'href="http://testserver/preferencias/correo"' in html
    [to_liaison] = smtp_server.to(liaison.email)
    text, _ = parts(to_liaison)
    assert all(mentions(text, c) for c in made + [puno])
    assert to_liaison["Message-ID"] == outbox.message_id_for(f"reminder:{liaison.id}:2026-03-10")


def test_digest_arrives_once_per_subscriber(app, make, smtp_server, mail_config):
    admin = make.user("admin", email="admin@example.pe")
    make.user("regional_officer", "Cusco", email="cusco@example.pe")
    make.user("regional_officer", "Puno", email="puno@example.pe")  # nothing to report for Puno
    viewer = make.user("viewer", email="viewer@example.pe")
    commitment(make, admin, "Cusco", sector="MTC", due=date(2026, 3, 1))

    for _ in range(2):
        digest.enqueue_week(lima(date(2026, 3, 9), 7))
        db.session.commit()
        outbox.dispatch(utcnow(), batch_size=10, worker_id="test")

    assert sorted(r for _, rcpts in smtp_server.envelopes for r in rcpts) == ["admin@example.pe", "cusco@example.pe"]
    [mail] = smtp_server.to("cusco@example.pe")
    assert subject(mail) == "[GORE Tracker] Cusco: resumen semanal al 9 de marzo de 2026 — 1 compromiso vencido"
    assert smtp_server.to(viewer.email) == []


def test_cli_flow_delivers_then_nothing_new(app, make, runner, smtp_server, mail_config):
    admin = make.user("admin", email="admin@example.pe")
    make.user("regional_officer", "Cusco", email="cusco@example.pe")
    commitment(make, admin, "Cusco", sector="MTC", due=TUESDAY - timedelta(days=1))

    for _ in range(2):
        result = runner.invoke(args=["reminders", "run", "--date", TUESDAY.isoformat()])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["outbox", "send"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["digest", "send", "--week", "2026-W11"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["outbox", "send"])
        assert result.exit_code == 0, result.output

    delivered = sorted((rcpts[0], subject(m))
                       for m, (_, rcpts) in zip(smtp_server.messages, smtp_server.envelopes, strict=True))
    assert delivered == [
        ("admin@example.pe",
         "[GORE Tracker] Nacional: resumen semanal al 9 de marzo de 2026 — sin compromisos vencidos"),
        ("cusco@example.pe", "[GORE Tracker] Cusco: 1 compromiso vencido"),
        ("cusco@example.pe", "[GORE Tracker] Cusco: resumen semanal al 9 de marzo de 2026 — sin compromisos vencidos"),
    ]
