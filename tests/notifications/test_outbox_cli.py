"""`flask outbox send`, `flask outbox list [--status S]` and `flask outbox resend ID`."""
from __future__ import annotations

from gore_tracker.extensions import db
from gore_tracker.notifications import outbox
from gore_tracker.notifications.models import OutboxMessage, OutboxStatus


def queue(*addresses: str) -> list[OutboxMessage]:
    rows = [outbox.enqueue(key=f"cli-test:{a}", kind="digest", user=None, to_email=a,
                           subject=f"[GORE Tracker] Resumen semanal para {a}", text_body="Resumen",
                           html_body="<p>Resumen</p>") for a in addresses]
    db.session.commit()
    return rows


def test_send_dispatches_every_due_message_and_prints_counts(runner, smtp_server, mail_config):
    rows = queue("ana@example.pe", "beto@example.pe", "caro@example.pe")
    smtp_server.refuse("beto@example.pe")

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 1  # one message could not be sent (it stays queued)
    assert "enviados: 2, reintentos pendientes: 1, fallidos: 0, aplazados: 0" in result.stdout
    assert "beto@example.pe: 550" in result.stderr
    assert sorted(m["To"] for m in smtp_server.messages) == ["ana@example.pe", "caro@example.pe"]

    smtp_server.accept("beto@example.pe")
    again = runner.invoke(args=["outbox", "send"])
    assert again.exit_code == 0 and "enviados: 0," in again.stdout  # beto's retry is not due yet
    assert len(smtp_server.messages) == 2
    db.session.expire_all()
    assert db.session.get(OutboxMessage, rows[1].id).attempts == 1


def test_send_with_the_server_down_exits_1_and_keeps_everything(runner, smtp_server, mail_config):
    queue("ana@example.pe")
    smtp_server.stop()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "aplazados: 1" in result.stdout and "no disponible" in result.stderr
    smtp_server.start()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "enviados: 1," in result.stdout
    assert len(smtp_server.messages) == 1


def test_list_prints_one_line_per_message_and_filters_by_status(runner, smtp_server, mail_config):
    queue("ana@example.pe", "beto@example.pe")
    smtp_server.refuse("beto@example.pe")
    runner.invoke(args=["outbox", "send"])

    lines = runner.invoke(args=["outbox", "list"]).stdout.splitlines()
    assert len(lines) == 2
    sent = runner.invoke(args=["outbox", "list", "--status", "sent"]).stdout.splitlines()
    assert len(sent) == 1 and "\tsent\t1\t" in sent[0] and "ana@example.pe" in sent[0]
    pending = runner.invoke(args=["outbox", "list", "--status", "pending"]).stdout.splitlines()
    assert len(pending) == 1 and "beto@example.pe" in pending[0] and "550" in pending[0]

    empty = runner.invoke(args=["outbox", "list", "--status", "failed"])
    assert empty.exit_code == 0 and empty.stdout == "" and "No hay mensajes" in empty.stderr
    bad = runner.invoke(args=["outbox", "list", "--status", "lost"])
    assert bad.exit_code == 2


def test_resend_queues_a_sent_message_again(runner, smtp_server, mail_config):
    [row] = queue("ana@example.pe")
    runner.invoke(args=["outbox", "send"])
    result = runner.invoke(args=["outbox", "resend", str(row.id)])
    assert result.exit_code == 0 and "en cola" in result.stdout
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.PENDING
    again = runner.invoke(args=["outbox", "resend", str(row.id)])
    assert again.exit_code == 1 and "ya está en cola" in again.stderr
    assert runner.invoke(args=["outbox", "resend", "999999"]).exit_code == 1
    runner.invoke(args=["outbox", "send"])
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id, row.message_id]
