"""The outbox dispatcher against a real SMTP server (aiosmtpd): each message once, with its
headers; nothing lost or doubled when the server is down, refuses a recipient, or the
dispatcher dies between sending and marking; .eml files without MAIL_SERVER."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gore_tracker.db import utcnow
from gore_tracker.exceptions import InvalidTransition
from gore_tracker.extensions import db
from gore_tracker.notifications import mailer, outbox
from gore_tracker.notifications.models import OutboxMessage, OutboxStatus
from tests.smtp import SENDER


def queue(make, n: int = 3, *, prefix: str = "test", emails=None) -> list[OutboxMessage]:
    """``n`` messages to ``n`` users (or to ``emails``), committed."""
    rows = []
    for i, address in enumerate(emails or [f"persona{k}@example.pe" for k in range(1, n + 1)], start=1):
        user = make.user("regional_officer", "Cusco", email=address, name=f"Persona {i}", commit=False)
        rows.append(outbox.enqueue(
            key=f"{prefix}:{user.id}:2026-11-23", kind="reminder", user=user,
            subject=f"[GORE Tracker] Cusco: {i} compromisos vencidos",
            text_body=f"Hola Persona {i}:\nTiene {i} compromisos vencidos en Ñuñoa, Apurímac.\n",
            html_body=f"<p>Hola Persona {i}:</p><p>Tiene <b>{i}</b> compromisos vencidos.</p>",
        ))
    db.session.commit()
    return rows


def reload(row: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def message_ids(server) -> list[str]:
    return sorted(m["Message-ID"] for m in server.messages)


def test_each_pending_message_is_sent_once_with_its_headers(app, make, smtp_server, mail_config):
    rows = queue(make, 3)
    now = utcnow()

    result = outbox.dispatch(now, batch_size=10, worker_id="test")

    assert (result.sent, result.retrying, result.failed, result.deferred) == (3, 0, 0, 0)
    assert smtp_server.connections == 1  # one connection for the batch
    assert len(smtp_server.messages) == 3
    for row in rows:
        [msg] = smtp_server.to(row.to_email)
        assert msg["Message-ID"] == row.message_id == outbox.message_id_for(row.idempotency_key)
        assert msg["To"] == row.to_email  # own To:, nobody else's address
        assert msg["Subject"] == row.subject
        assert msg["From"] == SENDER
        assert msg["Date"] is not None and msg["Auto-Submitted"] == "auto-generated"
        assert msg.get_content_type() == "multipart/alternative"
        parts = {p.get_content_type(): p.get_content().replace("\r\n", "\n") for p in msg.iter_parts()}
        assert {p["Content-Transfer-Encoding"] for p in msg.iter_parts()} == {"quoted-printable"}
        assert parts["text/plain"] == row.text_body
        assert parts["text/html"].strip() == row.html_body
        sent = reload(row)
        assert (sent.status, sent.attempts, sent.sent_at) == (OutboxStatus.SENT, 1, now)
        assert sent.claimed_by is None and sent.last_error is None
    assert {e[0] for e in smtp_server.envelopes} == {"no-responder@gore-tracker.test"}

    again = outbox.dispatch(now + timedelta(minutes=5), worker_id="test")
    assert again.total == 0
    assert len(smtp_server.messages) == 3


def test_batches_of_batch_size_one_connection_each(app, make, smtp_server, mail_config):
    queue(make, 5)
    result = outbox.dispatch(utcnow(), batch_size=2)
    assert result.sent == 5
    assert smtp_server.connections == 3
    assert len(set(message_ids(smtp_server))) == 5


def test_only_due_messages_are_sent(app, make, smtp_server, mail_config):
    early, late = queue(make, 2)
    late.next_attempt_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    outbox.dispatch(utcnow())
    assert [m["To"] for m in smtp_server.messages] == [early.to_email]
    assert reload(late).status == OutboxStatus.PENDING


def test_smtp_down_then_back_loses_nothing_and_doubles_nothing(app, make, smtp_server, mail_config):
    rows = queue(make, 3)
    now = utcnow()
    smtp_server.stop()

    down = outbox.dispatch(now)

    assert (down.sent, down.deferred) == (0, 3)
    for row in rows:
        row = reload(row)
        # Not the message's fault: still pending and due, no attempt used up.
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
        assert row.next_attempt_at <= now and row.claimed_by is None
        assert "no disponible" in row.last_error
    assert outbox.dispatch(now + timedelta(minutes=1)).deferred == 3  # still down

    smtp_server.start()
    back = outbox.dispatch(now + timedelta(minutes=2))
    assert (back.sent, back.deferred) == (3, 0)
    assert outbox.dispatch(now + timedelta(minutes=3)).total == 0
    assert message_ids(smtp_server) == sorted(r.message_id for r in rows)
    assert all(reload(r).status == OutboxStatus.SENT for r in rows)


def test_a_refused_recipient_fails_alone_retries_with_backoff_then_fails(app, make, smtp_server, mail_config):
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=60)
    first, refused, third = queue(make, 3)
    smtp_server.refuse(refused.to_email)
    now = utcnow()

    result = outbox.dispatch(now)

    assert (result.sent, result.retrying, result.failed) == (2, 1, 0)
    assert smtp_server.connections == 1  # the refusal did not break the connection
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([first.to_email, third.to_email])
    row = reload(refused)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert "550" in row.last_error and refused.to_email in row.last_error

    # Not due before its backoff has passed.
    assert outbox.dispatch(now + timedelta(seconds=59)).total == 0
    second = outbox.dispatch(now + timedelta(seconds=60))
    assert (second.retrying, second.failed) == (1, 0)
    row = reload(refused)
    assert row.attempts == 2
    assert row.next_attempt_at == now + timedelta(seconds=60 + 120)

    last = outbox.dispatch(now + timedelta(seconds=180))
    assert (last.retrying, last.failed) == (0, 1)
    row = reload(refused)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert outbox.dispatch(now + timedelta(days=1)).total == 0  # failed is final until resent
    assert smtp_server.to(refused.to_email) == []
    assert len(smtp_server.messages) == 2


def test_login_when_a_username_is_set(app, make, smtp_server, mail_config):
    smtp_server.require_login("gore", "s3creto")
    [row] = queue(make, 1)
    app.config.update(MAIL_USERNAME="gore", MAIL_PASSWORD="equivocada")
    wrong = outbox.dispatch(utcnow())
    assert wrong.deferred == 1 and "535" in reload(row).last_error  # stays queued, no try used
    assert reload(row).attempts == 0

    app.config.update(MAIL_PASSWORD="s3creto")
    assert outbox.dispatch(utcnow()).sent == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_backoff_doubles():
    assert [outbox.backoff(n, 60).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 960]


def test_a_crash_between_sending_and_marking_resends_only_the_message_in_flight(
        app, make, smtp_server, mail_config, monkeypatch):
    rows = queue(make, 4)
    now = utcnow()
    real_mark_sent = outbox._mark_sent
    calls = []

    def crash_on_second(row, when):
        calls.append(row.id)
        if len(calls) == 2:
            raise KeyboardInterrupt("the process is killed")
        real_mark_sent(row, when)

    monkeypatch.setattr(outbox, "_mark_sent", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        outbox.dispatch(now, batch_size=10)
    db.session.rollback()
    monkeypatch.setattr(outbox, "_mark_sent", real_mark_sent)

    # The server got the first two; the second was never marked, the other two never sent.
    assert len(smtp_server.messages) == 2
    statuses = [reload(r).status for r in rows]
    assert statuses == [OutboxStatus.SENT] + [OutboxStatus.SENDING] * 3

    # Another run within the lease leaves them alone (their dispatcher might still be alive)…
    assert outbox.dispatch(now + timedelta(minutes=5)).total == 0
    # …after it, they are taken back and sent.
    later = outbox.dispatch(now + timedelta(seconds=app.config["MAIL_LEASE_SECONDS"] + 1))
    assert (later.recovered, later.sent) == (3, 3)
    assert all(reload(r).status == OutboxStatus.SENT for r in rows)
    received = [m["Message-ID"] for m in smtp_server.messages]
    assert sorted(received) == sorted([rows[0].message_id, rows[1].message_id, rows[1].message_id,
                                       rows[2].message_id, rows[3].message_id])


def test_a_broken_connection_counts_one_attempt_and_keeps_the_rest(app, make, smtp_server, mail_config,
                                                                   monkeypatch):
    rows = queue(make, 3)
    real_send = mailer.SmtpTransport.send

    def break_on_second(self, message, to):
        if to == rows[1].to_email:
            self.smtp.close()
            raise mailer.ConnectionLost("Connection unexpectedly closed")
        return real_send(self, message, to)

    monkeypatch.setattr(mailer.SmtpTransport, "send", break_on_second)
    now = utcnow()
    result = outbox.dispatch(now)
    assert (result.sent, result.retrying, result.deferred) == (1, 1, 1)
    assert [reload(r).attempts for r in rows] == [1, 1, 0]
    assert [reload(r).status for r in rows] == [OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.PENDING]

    monkeypatch.setattr(mailer.SmtpTransport, "send", real_send)
    outbox.dispatch(now + timedelta(minutes=1))
    assert all(reload(r).status == OutboxStatus.SENT for r in rows)
    assert message_ids(smtp_server) == sorted(r.message_id for r in rows)


def test_a_message_with_unusable_headers_fails_at_once_and_the_others_go(app, make, smtp_server, mail_config):
    bad, good = queue(make, 2)
    bad.subject = "Asunto\r\nBcc: todos@example.pe"
    db.session.commit()
    result = outbox.dispatch(utcnow())
    assert (result.sent, result.failed) == (1, 1)
    row = reload(bad)
    assert row.status == OutboxStatus.FAILED and "inválido" in row.last_error
    assert [m["To"] for m in smtp_server.messages] == [good.to_email]


def test_recover_stale_takes_back_only_expired_leases(app, make):
    rows = queue(make, 2)
    now = utcnow()
    for row in rows:
        row.next_attempt_at = now - timedelta(hours=1)
    db.session.commit()
    outbox.claim(now - timedelta(minutes=30), batch_size=1, worker_id="dead")
    outbox.claim(now - timedelta(minutes=1), batch_size=1, worker_id="alive")
    assert outbox.recover_stale(now, lease_seconds=600) == 1
    db.session.commit()
    first, second = (reload(r) for r in rows)
    assert first.status == OutboxStatus.PENDING and first.claimed_by is None
    assert "interrumpido" in first.last_error
    assert second.status == OutboxStatus.SENDING and second.claimed_by.startswith("alive#")


def test_claim_takes_each_row_once(app, make):
    queue(make, 3)
    now = utcnow()
    token_a, rows_a = outbox.claim(now, batch_size=2, worker_id="a")
    token_b, rows_b = outbox.claim(now, batch_size=2, worker_id="b")
    _, rows_c = outbox.claim(now, batch_size=2, worker_id="c")
    assert len(rows_a) == 2 and len(rows_b) == 1 and rows_c == []
    assert {r.claimed_by for r in rows_a} == {token_a} and rows_b[0].claimed_by == token_b
    assert not {r.id for r in rows_a} & {r.id for r in rows_b}


def test_without_mail_server_messages_become_eml_files(app, make, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_DIR=str(tmp_path / "buzon"))
    rows = queue(make, 2)
    result = outbox.dispatch(utcnow())
    assert result.sent == 2
    files = sorted((tmp_path / "buzon").glob("*.eml"))
    assert len(files) == 2
    parsed = {}
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        parsed[msg["Message-ID"]] = msg
    for row in rows:
        msg = parsed[row.message_id]
        assert msg["To"] == row.to_email and msg["Subject"] == row.subject
        assert msg.get_content_type() == "multipart/alternative"
        assert reload(row).status == OutboxStatus.SENT
    assert outbox.dispatch(utcnow()).total == 0
    assert len(list((tmp_path / "buzon").glob("*.eml"))) == 2

    # A resend writes a second file beside the first, never over it.
    outbox.resend(reload(rows[0]))
    db.session.commit()
    assert outbox.dispatch(utcnow()).sent == 1
    assert len(list((tmp_path / "buzon").glob("*.eml"))) == 3


def test_resend_queues_the_same_row_again(app, make, smtp_server, mail_config):
    [row] = queue(make, 1)
    outbox.dispatch(utcnow())
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    outbox.resend(reload(row))
    db.session.commit()
    again = reload(row)
    assert (again.status, again.attempts, again.message_id) == (OutboxStatus.PENDING, 0, row.message_id)
    with pytest.raises(InvalidTransition):
        outbox.resend(again)  # already queued

    assert outbox.dispatch(utcnow()).sent == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == count
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id, row.message_id]


def test_enqueue_twice_with_one_key_keeps_one_message(app, make, smtp_server, mail_config):
    queue(make, 1, emails=["ana@example.pe"])
    user = db.session.scalar(select(OutboxMessage)).user
    assert outbox.enqueue(key=f"test:{user.id}:2026-11-23", kind="reminder", user=user, subject="x",
                          text_body="x", html_body="x") is None
    db.session.commit()
    outbox.dispatch(utcnow())
    outbox.dispatch(utcnow())
    assert len(smtp_server.messages) == 1
