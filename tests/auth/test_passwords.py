"""The password policy (users/passwords.py): length and zxcvbn strength with the account's own data."""
from __future__ import annotations

import pytest

from gore_tracker.exceptions import ValidationFailed
from gore_tracker.users.passwords import MIN_PASSWORD_LENGTH, validate_new_password
from tests.factories import PASSWORD

EMAIL = "juan.perez@minsa.gob.pe"
NAME = "Juan Pérez Quispe"


@pytest.mark.parametrize(("password", "needle"), [
    ("", "al menos 12"),
    ("Corta-1!", "al menos 12"),
    ("aaaaaaaaaaaa", "fácil de adivinar"),
    ("abcdefghijkl", "fácil de adivinar"),
    ("123456789012", "fácil de adivinar"),
    ("qwertyuiop12", "fácil de adivinar"),
    ("password1234", "fácil de adivinar"),
    ("Password1234", "fácil de adivinar"),
    (EMAIL, "correo"),
    ("juan.perez2024", "correo"),
    ("JuanPerez2024", "fácil de adivinar"),
    ("x" * 129, "más de 128"),
])
def test_weak_passwords_are_refused_with_a_spanish_reason(password, needle):
    with pytest.raises(ValidationFailed) as caught:
        validate_new_password(password, email=EMAIL, name=NAME)
    messages = caught.value.fields["password"]
    assert any(needle in m for m in messages), messages


@pytest.mark.parametrize("password", [PASSWORD, "Correcto-caballo-bateria-42", "tres palabras lejanas 19"])
def test_strong_passwords_pass(password):
    validate_new_password(password, email=EMAIL, name=NAME)


def test_the_account_data_counts_only_for_that_account():
    # The name (accents or not) makes these guessable for Juan Pérez Quispe, not for someone else.
    for password in ("JuanPerezQuispe", "Juan Pérez Quispe"):
        with pytest.raises(ValidationFailed):
            validate_new_password(password, email=EMAIL, name=NAME)
        validate_new_password(password, email="ana@example.pe", name="Ana Soto")


def test_minimum_length_constant():
    assert MIN_PASSWORD_LENGTH == 12
