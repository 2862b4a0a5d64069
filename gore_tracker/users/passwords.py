"""The password policy: one rule for every place a password is set.

At least ``MIN_PASSWORD_LENGTH`` characters and a zxcvbn strength score of at least
``MIN_PASSWORD_SCORE`` (0–4), with the account's e-mail, its local part and its name given
to zxcvbn as user inputs, so ``aaaaaaaaaaaa``, sequences, ``password1234`` and the
account's own address are refused however long they are. The ``zxcvbn`` package does the
guessing-cost estimate (dictionaries, keyboard patterns, repeats, dates, l33t).
"""
from __future__ import annotations

import re

from zxcvbn import zxcvbn

from gore_tracker.exceptions import ValidationFailed
from gore_tracker.utils.text import fold

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_PASSWORD_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; its cost grows with length


def _user_inputs(email: str | None, name: str | None) -> list[str]:
    inputs: list[str] = []
    if email:
        email = email.strip().lower()
        local, _, domain = email.partition("@")
        inputs += [email, local, re.sub(r"[._+\-]", "", local), domain]
        inputs += [part for part in re.split(r"[._+\-]", local) if len(part) >= 3]
    if name:
        for variant in {name.strip().lower(), fold(name)}:  # "Pérez" and "perez"
            inputs += [variant, re.sub(r"\W", "", variant)]
            inputs += [part for part in variant.split() if len(part) >= 3]
    return list(dict.fromkeys(item for item in inputs if item))


def validate_new_password(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """Raise ``ValidationFailed`` (field ``password``) unless ``password`` follows the policy."""
    password = password or ""
    messages: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        messages.append(f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        messages.append(f"La contraseña no puede tener más de {MAX_PASSWORD_LENGTH} caracteres.")
    else:
        inputs = _user_inputs(email, name)
        lowered = password.lower()
        if any(len(item) >= 4 and item in lowered for item in inputs[:2]):
            messages.append("La contraseña no puede contener su correo electrónico.")
        else:
            result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
            if result["score"] < MIN_PASSWORD_SCORE:
                messages.append(
                    "La contraseña es fácil de adivinar: evite repeticiones (aaaa), secuencias "
                    "(1234, abcd, qwerty), palabras comunes con números añadidos y su nombre o correo. "
                    "Use, por ejemplo, tres o cuatro palabras poco relacionadas."
                )
    if messages:
        raise ValidationFailed("La contraseña no cumple la política.", {"password": messages})
