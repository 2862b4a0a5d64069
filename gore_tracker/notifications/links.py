"""Signed links in emails: "open the update form of this commitment".

A token binds one user to one commitment and expires after 14 days. It is only a
shortcut: the page it leads to requires login, checks that the token was issued to the
signed-in user, and the update form then applies the usual permissions. The link alone
never grants anything.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Callable

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

SALT = "gore-tracker.commitment-email-link"
MAX_AGE = timedelta(days=14)


class LinkError(Exception):
    """The token cannot be used; ``message`` is Spanish, for the page."""

    status = 400
    message = "El enlace no es válido o está incompleto. Abra el compromiso desde la lista de compromisos."


class LinkExpired(LinkError):
    status = 410
    message = ("El enlace venció: los enlaces de los correos valen 14 días. Abra el compromiso "
               "desde la lista de compromisos o espere el próximo correo.")


class LinkNotYours(LinkError):
    status = 403
    message = ("Este enlace fue enviado a otra persona o es de otro compromiso: no le da acceso. "
               "Inicie sesión con su propia cuenta.")


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock can be set (tests, and checking links at a given time)."""

    def __init__(self, *args, clock: Callable[[], float] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clock = clock or time.time

    def get_timestamp(self) -> int:
        return int(self.clock())


def _serializer(clock: Callable[[], float] | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT,
                                  signer=_ClockSigner, signer_kwargs={"clock": clock})


def make_token(user_id: int, commitment_id: int, *, clock: Callable[[], float] | None = None) -> str:
    return _serializer(clock).dumps([int(user_id), int(commitment_id)])


class TokenMaker:
    """Makes many tokens fast (a digest run signs tens of thousands): one signer, and the
    payload encoded directly — byte for byte what ``URLSafeTimedSerializer.dumps`` makes for
    ``[user id, commitment id]`` (compact JSON, too short to be compressed), so
    ``read_token`` reads them."""

    def __init__(self, clock: Callable[[], float] | None = None):
        self.signer = _serializer(clock).make_signer(SALT)

    def __call__(self, user_id: int, commitment_id: int) -> str:
        payload = base64_encode(f"[{int(user_id)},{int(commitment_id)}]".encode())
        return self.signer.sign(payload).decode("ascii")


def read_token(token: str | None, *, max_age: timedelta = MAX_AGE,
               clock: Callable[[], float] | None = None) -> tuple[int, int]:
    """(user id, commitment id) of a valid, unexpired token; else ``LinkError``/``LinkExpired``."""
    if not token:
        raise LinkError()
    try:
        payload = _serializer(clock).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkError() from exc
    if (not isinstance(payload, list) or len(payload) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)):
        raise LinkError()
    return payload[0], payload[1]


def check(token: str | None, *, user_id: int, commitment_id: int, max_age: timedelta = MAX_AGE,
          clock: Callable[[], float] | None = None) -> None:
    """Raise unless ``token`` is valid, unexpired and issued to this user for this commitment."""
    token_user, token_commitment = read_token(token, max_age=max_age, clock=clock)
    if token_user != user_id or token_commitment != commitment_id:
        raise LinkNotYours()


def update_link(user_id: int, commitment_id: int) -> str:
    """The absolute signed URL (needs a request context built from BASE_URL; see emails)."""
    return url_for("mail.from_email", commitment_id=commitment_id,
                   t=make_token(user_id, commitment_id), _external=True)


class LinkMaker:
    """``update_link`` for many links: the URL pattern is built once (inside
    ``emails.link_context()``), the tokens by a ``TokenMaker``."""

    _ID = 987654321

    def __init__(self):
        self.tokens = TokenMaker()
        sample = url_for("mail.from_email", commitment_id=self._ID, t="TOKEN", _external=True)
        self._head, self._tail = sample.split(f"/{self._ID}/", 1)
        self._tail = self._tail.replace("TOKEN", "")

    def __call__(self, user_id: int, commitment_id: int) -> str:
        return f"{self._head}/{int(commitment_id)}/{self._tail}{self.tokens(user_id, commitment_id)}"
