"""``flask users create`` and ``flask users token``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from gore_tracker import audit
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db

from . import operations
from .models import Role

users_cli = AppGroup("users", help="Cuentas de usuario.")


def _fail(exc: ValidationFailed) -> None:
    details = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
    raise click.ClickException(details)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(Role.ALL))
@click.option("--org", "org_text", default=None,
              help="Gobierno regional (código, nombre o alias) o sector (sigla o nombre).")
@click.option("--password", default=None, help="Sin esta opción se genera una y se muestra una vez.")
def create(email, name, role, org_text, password):
    """Create an account; prints the generated password once when none is given."""
    try:
        generated = None if password is not None else operations.generate_password()
        with audit.acting_as(None, source="cli"):
            org = operations.resolve_org_for_role(role, org_text)
            user = operations.create_user(email=email, name=name, role=role, organization=org,
                                          password=password)
            if generated:
                user.set_password(generated)
                db.session.flush()
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        _fail(exc)
    click.echo(f"Cuenta creada: {user.email} ({Role.LABELS[user.role]}"
               + (f", {user.organization.name}" if user.organization else "") + ")")
    if generated:
        click.echo(f"Contraseña: {generated}")


@users_cli.command("token")
@click.argument("email")
@click.option("--revoke-all", is_flag=True,
              help="Revocar todos los tokens de la cuenta (no se emite ninguno nuevo).")
def token(email, revoke_all):
    """Print a new API token for EMAIL (and nothing else on stdout), or revoke them all."""
    user = operations.find_user(email)
    if user is None:
        raise click.ClickException(f"No existe una cuenta con el correo {email}.")
    if revoke_all:
        with audit.acting_as(None, source="cli"):
            count = operations.revoke_all_tokens(user)
        db.session.commit()
        click.echo(f"Tokens revocados: {count}")
        return
    if not user.is_active:
        raise click.ClickException(f"La cuenta {email} está desactivada.")
    with audit.acting_as(None, source="cli"):
        value = operations.issue_token(user)
    db.session.commit()
    click.echo(value)
