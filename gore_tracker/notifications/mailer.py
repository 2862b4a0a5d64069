"""Sending mail: the one module that talks to an SMTP server (or writes .eml files).

``build_message`` turns an outbox row into an RFC 5322 message (plain text with an HTML
alternative, its own ``To:``, the row's ``Message-ID``). ``open_transport`` returns a
context manager with one ``send(message, to)`` method: over ONE SMTP connection when
``MAIL_SERVER`` is set, else writing ``.eml`` files under ``MAIL_DIR``.

Errors are sorted for the dispatcher:

* ``TransportUnavailable`` — no connection could be made (server down, TLS or login
  refused): nothing was sent, every message stays pending for the next run;
* ``ConnectionLost`` — the connection broke during a message: that message may or may not
  have arrived, the connection is gone;
* any other exception from ``send`` — this message was refused (``SMTPRecipientsRefused``,
  ``SMTPDataError``…) and the connection can carry the next one.
"""
from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

log = logging.getLogger(__name__)


class TransportUnavailable(Exception):
    """The mail server could not be reached or refused the session; nothing was sent."""


class ConnectionLost(Exception):
    """The connection broke while sending one message; its fate is unknown."""


def build_message(row, sender: str, *, text: str | None = None, html: str | None = None) -> EmailMessage:
    """The message for an outbox row. Raises ``ValueError`` on unusable headers.

    ``text``/``html`` replace the row's bodies (the dispatcher passes them with their sealed
    placeholders filled, see ``sealed``)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_email
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    # Quoted-printable keeps the message 7-bit clean for any relay, accents and all.
    msg.set_content(row.text_body if text is None else text, cte="quoted-printable")
    msg.add_alternative(row.html_body if html is None else html, subtype="html", cte="quoted-printable")
    return msg


def envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1] or sender


class SmtpTransport:
    """One SMTP session (optionally SSL or STARTTLS, optionally authenticated)."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = config.get("MAIL_TIMEOUT", 30)
        self.sender = envelope_sender(config["MAIL_DEFAULT_SENDER"])
        self.smtp: smtplib.SMTP | None = None

    def describe(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def __enter__(self) -> SmtpTransport:
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password)
            except BaseException:
                smtp.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"{self.describe()}: {describe_error(exc)}") from exc
        self.smtp = smtp
        return self

    def send(self, message: EmailMessage, to: str) -> None:
        assert self.smtp is not None
        try:
            self.smtp.send_message(message, from_addr=self.sender, to_addrs=[to])
        except smtplib.SMTPServerDisconnected as exc:
            self.smtp.close()
            self.smtp = None
            raise ConnectionLost(describe_error(exc)) from exc
        except smtplib.SMTPException:
            raise  # refused by the server (an OSError subclass too): this message only
        except OSError as exc:  # reset, timeout…
            self.smtp.close()
            self.smtp = None
            raise ConnectionLost(describe_error(exc)) from exc

    def __exit__(self, *exc_info) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


class FileTransport:
    """Writes each message as ``<Message-ID>.eml`` (``-2``, ``-3``… when sent again) under a folder."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def describe(self) -> str:
        return str(self.directory)

    def __enter__(self) -> FileTransport:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportUnavailable(f"{self.directory}: {describe_error(exc)}") from exc
        return self

    def send(self, message: EmailMessage, to: str) -> Path:
        stem = re.sub(r"[^A-Za-z0-9._-]", "", str(message["Message-ID"]).split("@")[0]) or "message"
        data = message.as_bytes()
        for n in range(1, 1000):
            path = self.directory / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
            try:
                with open(path, "xb") as fh:
                    fh.write(data)
            except FileExistsError:
                continue
            return path
        raise OSError(f"too many copies of {stem}.eml in {self.directory}")

    def __exit__(self, *exc_info) -> None:
        return None


def open_transport(config):
    """SMTP when ``MAIL_SERVER`` is set, else .eml files under ``MAIL_DIR``."""
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return FileTransport(config["MAIL_DIR"])


def describe_error(exc: BaseException) -> str:
    """A one-line description of a sending error, for ``last_error`` and the logs."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for address, (code, text) in exc.recipients.items():
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            parts.append(f"{address}: {code} {text}")
        return "Destinatario rechazado: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"
    if isinstance(exc, (ConnectionLost, TransportUnavailable)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
