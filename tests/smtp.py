"""A real SMTP server (aiosmtpd) on a free localhost port, for every test that sends mail
(the fixtures are made available to the whole suite by tests/conftest.py).

``smtp_server`` is started by the test and collects every message it accepts:

    smtp_server.messages          accepted messages, parsed (email.message.EmailMessage)
    smtp_server.envelopes         (mail_from, [rcpt_to, …]) of each accepted message
    smtp_server.connections       how many SMTP connections delivered those messages
    smtp_server.port / .host
    smtp_server.to(address)       the accepted messages whose envelope recipient is ``address``
    smtp_server.refuse(address)   answer RCPT TO for ``address`` with 550 (``code=450`` for a
                                  temporary refusal); ``accept(address)`` undoes it
    smtp_server.stop() / start()  take the server down (connections refused) and bring it back
                                  on the same port
    smtp_server.require_login(user, password)  accept mail only after AUTH with these
    smtp_server.clear()           forget the collected messages

``mail_config`` points the running app at it (MAIL_SERVER, MAIL_PORT, MAIL_DEFAULT_SENDER…)
and returns the settings it applied.
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SENDER = "GORE Tracker <no-responder@gore-tracker.test>"


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.server.credentials and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = self.server.refused.get(address.lower())
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.server.peers.append(session.peer)
        return "250 Message accepted for delivery"


class SmtpServer:
    host = "127.0.0.1"

    def __init__(self):
        self.port = _free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.peers: list = []  # the client address and port of each accepted message
        self.refused: dict[str, str] = {}
        self.lock = threading.Lock()
        self.credentials: tuple[str, str] | None = None
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        if self._controller is None:
            # A new controller each time: a stopped one has closed its event loop.
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port,
                                          authenticator=self._authenticate, auth_require_tls=False)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def require_login(self, user: str, password: str) -> None:
        self.credentials = (user, password)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=self.credentials is not None and given == self.credentials, handled=False)

    @property
    def connections(self) -> int:
        with self.lock:
            return len(set(self.peers))

    def refuse(self, address: str, code: int = 550) -> None:
        kind = "Mailbox unavailable" if code >= 500 else "Try again later"
        self.refused[address.lower()] = f"{code} {kind}: {address}"

    def accept(self, address: str) -> None:
        self.refused.pop(address.lower(), None)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m, (_, rcpts) in zip(self.messages, self.envelopes)
                    if address.lower() in (r.lower() for r in rcpts)]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.peers.clear()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_config(app, smtp_server, tmp_path):
    """Send the app's mail to ``smtp_server`` (plain SMTP, no TLS, no login)."""
    settings = {
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_DEFAULT_SENDER": SENDER,
        "MAIL_DIR": str(tmp_path / "mail"),
        "MAIL_TIMEOUT": 10,  # a hung exchange fails the test instead of stalling it
    }
    app.config.update(settings)
    return settings
