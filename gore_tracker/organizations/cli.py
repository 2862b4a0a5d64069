"""``flask refdata load``."""
import click
from flask.cli import AppGroup

from gore_tracker.extensions import db

from . import operations

refdata_cli = AppGroup("refdata", help="Datos de referencia (gobiernos regionales y sectores).")


@refdata_cli.command("load")
def load():
    """Load the 26 regional governments and 19 sectors; safe to run again."""
    counts = operations.load_reference()
    db.session.commit()
    click.echo(f"Datos de referencia: {counts['created']} creados, {counts['updated']} actualizados.")
