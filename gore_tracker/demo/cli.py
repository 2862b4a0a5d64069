"""``flask demo load``: the demo data set, for `make run` and for trying the app out."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from gore_tracker.extensions import db
from gore_tracker.users.models import Role

from . import operations

demo_cli = AppGroup("demo", help="Datos de demostración.")


def echo_accounts() -> None:
    click.echo("Cuentas de demostración (contraseña para todas: "
               f"{operations.PASSWORD}):")
    for email, _name, role, org in operations.ACCOUNTS:
        click.echo(f"  {Role.LABELS[role]:<22} {email:<34} {org or ''}".rstrip())


@demo_cli.command("load")
@click.option("--force", is_flag=True,
              help="Cargar aunque la base de datos ya tenga cuentas que no son de demostración.")
def load(force):
    """Load about 10 sessions and 200 commitments with their histories; safe to run again.

    Refuses when the database already has accounts of its own (a real installation),
    unless --force is given: demo accounts have a published password.
    """
    try:
        result = operations.load_demo(force=force)
    except operations.DemoRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    if not result.loaded:
        click.echo("Los datos de demostración ya estaban cargados; no se cambió nada.")
    else:
        db.session.commit()
        click.echo(f"Datos de demostración cargados: {result.meetings} sesiones, "
                   f"{result.commitments} compromisos, {result.updates} actualizaciones, "
                   f"{result.users} cuentas, {result.organizations} entidades.")
        for label in result.skipped:
            click.echo(f"Omitida (ya registrada): {label}")
    echo_accounts()
