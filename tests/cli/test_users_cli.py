"""`flask users create` and `flask users token` through the CLI runner."""
from __future__ import annotations

import re

import pytest

from gore_tracker.users import operations as users


def _create(runner, *args):
    return runner.invoke(args=["users", "create", *args])


@pytest.mark.parametrize(("role", "org", "expected"), [
    ("regional_officer", "cusco", "Cusco"),
    ("regional_officer", "CUZCO", "Cusco"),
    ("regional_officer", "08", "Cusco"),
    ("regional_officer", "apurimac", "Apurímac"),
    ("regional_officer", "Gobierno Regional de Apurímac", "Apurímac"),
    ("liaison", "minsa", "Ministerio de Salud"),
    ("liaison", "ministerio de salud", "Ministerio de Salud"),
    ("liaison", "MINISTERIO DE EDUCACIÓN", "Ministerio de Educación"),
    ("coordinator", "pcm", "Presidencia del Consejo de Ministros"),
])
def test_create_matches_org_ignoring_case_and_accents(runner, role, org, expected):
    result = _create(runner, "--email", "Ana@Example.pe", "--name", "Ana Pérez", "--role", role,
                     "--org", org, "--password", "una-clave-larga")
    assert result.exit_code == 0, result.output
    user = users.find_user("ana@example.pe")
    assert user is not None and user.role == role
    assert user.organization.name == expected
    assert user.check_password("una-clave-larga")
    assert "Contraseña" not in result.output  # given, so not printed


def test_create_generates_password_and_prints_it_once(runner):
    result = _create(runner, "--email", "luis@example.pe", "--name", "Luis Rojas", "--role", "viewer")
    assert result.exit_code == 0, result.output
    printed = re.findall(r"^Contraseña: (\S+)$", result.output, re.M)
    assert len(printed) == 1
    assert len(printed[0]) >= users.MIN_PASSWORD
    user = users.find_user("luis@example.pe")
    assert user.check_password(printed[0])
    assert printed[0] not in user.password_hash


@pytest.mark.parametrize(("args", "needle"), [
    (["--role", "jefe"], "--role"),
    (["--role", "liaison", "--org", "Narnia"], "Narnia"),
    (["--role", "regional_officer", "--org", "minsa"], "minsa"),      # a sector is no region
    (["--role", "liaison", "--org", "cusco"], "cusco"),              # a region is no sector
    (["--role", "liaison"], "sector"),                              # liaison without org
    (["--role", "viewer", "--org", "Ministerio de la Alegría"], "Alegría"),
    (["--role", "viewer", "--password", "corta"], "12"),
    (["--role", "viewer", "--password", "password1234"], "fácil de adivinar"),
    (["--role", "viewer", "--password", "aaaaaaaaaaaa"], "fácil de adivinar"),
    (["--role", "viewer", "--password", "malo@example.pe"], "correo"),
])
def test_create_rejects_bad_input_with_one_clear_line(runner, args, needle):
    result = _create(runner, "--email", "malo@example.pe", "--name", "Malo", *args)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert needle in errors[0]
    assert users.find_user("malo@example.pe") is None


def test_create_rejects_duplicate_email(runner, make):
    make.user("viewer", email="dup@example.pe")
    result = _create(runner, "--email", "DUP@example.pe", "--name", "Otra", "--role", "viewer")
    assert result.exit_code == 1
    assert "Ya existe una cuenta con ese correo." in result.output


def test_token_prints_only_the_token(app, runner, make):
    user = make.user("viewer", email="api@example.pe")
    result = runner.invoke(args=["users", "token", "API@example.pe"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    token = lines[0]
    assert re.fullmatch(r"gt_[A-Za-z0-9_-]{20,}", token)
    assert users.user_for_token(token) == user
    # A second call issues another token; both work.
    again = runner.invoke(args=["users", "token", "api@example.pe"]).stdout.strip()
    assert again != token and users.user_for_token(again) == user

    client = app.test_client()
    response = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 404:
        pytest.skip("/api/v1/regions is not there yet")
    assert response.status_code == 200
    assert len(response.get_json()["items"]) == 26
    assert client.get("/api/v1/regions", headers={"Authorization": "Bearer gt_wrong"}).status_code == 401


def test_token_for_unknown_or_inactive_account_fails_cleanly(runner, make):
    result = runner.invoke(args=["users", "token", "nadie@example.pe"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No existe una cuenta" in result.output
    user = make.user("viewer", email="baja@example.pe")
    user.active = False
    from gore_tracker.extensions import db

    db.session.commit()
    result = runner.invoke(args=["users", "token", "baja@example.pe"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "desactivada" in result.output
