"""``flask outbox send``, ``flask outbox list``, ``flask outbox show`` and ``flask outbox resend``.

Sealed parts of a message (a password reset link) are never in the outbox: ``show`` prints
the notice that stands in for them (``sealed.mask``)."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from gore_tracker.db import utcnow
from gore_tracker.exceptions import InvalidTransition
from gore_tracker.extensions import db
from gore_tracker.utils import dates

from . import outbox, sealed
from .models import OutboxKind, OutboxMessage, OutboxStatus

outbox_cli = AppGroup("outbox", help="Correo saliente: enviar lo pendiente, listar, ver, reenviar.")


@outbox_cli.command("send")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Mensajes por conexión SMTP (por defecto MAIL_BATCH_SIZE).")
def send(batch_size):
    """Send every due message now; exit 1 when some could not be sent (they stay queued)."""
    result = outbox.dispatch(utcnow(), batch_size=batch_size)
    click.echo(result.summary())
    for error in dict.fromkeys(result.errors):
        click.echo(f"  {error}", err=True)
    if result.retrying or result.failed or result.deferred:
        sys.exit(1)


@outbox_cli.command("list")
@click.option("--status", type=click.Choice(OutboxStatus.ALL), default=None)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
def list_(status, limit):
    """One line per message, newest first: id, status, attempts, created, recipient, subject."""
    rows = db.session.scalars(outbox.messages_query(status).limit(limit)).all()
    for row in rows:
        line = (f"{row.id}\t{row.status}\t{row.attempts}\t{row.created_at.astimezone(dates.tz()):%Y-%m-%d %H:%M}"
                f"\t{row.to_email}\t{row.subject}")
        if row.last_error and row.status != OutboxStatus.SENT:
            line += f"\t{row.last_error.splitlines()[0]}"
        click.echo(line)
    if not rows:
        click.echo("No hay mensajes" + (f" con estado {status}." if status else "."), err=True)


@outbox_cli.command("show")
@click.argument("message_id", type=int)
def show(message_id):
    """Print one message: its state, headers and text (personal links masked)."""
    row = db.session.get(OutboxMessage, message_id) if 0 < message_id < 2**31 else None
    if row is None:
        raise click.ClickException(f"No existe el mensaje {message_id}.")
    click.echo(f"Estado: {row.status} · intentos: {row.attempts} · tipo: {OutboxKind.LABELS.get(row.kind, row.kind)}")
    if row.last_error and row.status != OutboxStatus.SENT:
        click.echo(f"Último error: {row.last_error}")
    click.echo(f"To: {row.to_email}")
    click.echo(f"Subject: {row.subject}")
    click.echo(f"Date: {row.created_at.astimezone(dates.tz()):%Y-%m-%d %H:%M}")
    click.echo(f"Message-ID: {row.message_id}")
    click.echo("")
    click.echo(sealed.mask(row.text_body).rstrip("\n"))


@outbox_cli.command("resend")
@click.argument("message_id", type=int)
def resend(message_id):
    """Queue a sent or failed message again (the same message, same Message-ID)."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise click.ClickException(f"No existe el mensaje {message_id}.")
    try:
        outbox.resend(row)
    except InvalidTransition as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Mensaje {row.id} en cola para {row.to_email}.")
