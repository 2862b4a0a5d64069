"""The ``smtp_server`` fixture itself: accepts, refuses, goes down and comes back."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest


def _send(server, to: str, subject: str = "Hola"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.pe", to, subject
    msg.set_content("cuerpo")
    with smtplib.SMTP(server.host, server.port, timeout=5) as smtp:
        return smtp.send_message(msg)


def test_collects_refuses_and_restarts(smtp_server):
    _send(smtp_server, "ana@example.pe", "Uno")
    assert [m["Subject"] for m in smtp_server.messages] == ["Uno"]
    assert smtp_server.envelopes == [("a@example.pe", ["ana@example.pe"])]
    assert smtp_server.connections == 1
    assert [m["To"] for m in smtp_server.to("ANA@example.pe")] == ["ana@example.pe"]

    smtp_server.refuse("ana@example.pe")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(smtp_server, "ana@example.pe")
    assert refused.value.recipients["ana@example.pe"][0] == 550
    smtp_server.accept("ana@example.pe")

    smtp_server.stop()
    with pytest.raises(ConnectionRefusedError):
        _send(smtp_server, "ana@example.pe")
    smtp_server.start()
    _send(smtp_server, "ana@example.pe", "Dos")
    assert [m["Subject"] for m in smtp_server.messages] == ["Uno", "Dos"]
