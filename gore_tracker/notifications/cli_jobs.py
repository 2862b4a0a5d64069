"""``flask reminders run`` and ``flask digest send``: the jobs, by hand.

They do what the scheduler does (enqueue into the outbox; ``flask outbox send``
dispatches), for a given day or ISO week.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import click
from flask.cli import AppGroup

from gore_tracker.extensions import db
from gore_tracker.utils.dates import in_range, now_utc, tz

from . import digest, reminders

reminders_cli = AppGroup("reminders", help="Recordatorios de plazos por correo.")
digest_cli = AppGroup("digest", help="Resumen semanal por correo.")

REMINDER_HOUR = time(8, 0)
DIGEST_HOUR = time(7, 0)


def _at(day: date, hour: time) -> datetime:
    """``hour`` of ``day`` in America/Lima, as an aware UTC moment."""
    return datetime.combine(day, hour, tzinfo=tz()).astimezone(timezone.utc)


def _parse_date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value.strip())
        if not in_range(parsed):
            raise ValueError
    except ValueError:
        raise click.ClickException(f"Fecha no válida: «{value}». Use AAAA-MM-DD, entre 2000 y 2100.") from None
    return parsed


@reminders_cli.command("run")
@click.option("--date", "day", callback=_parse_date, metavar="AAAA-MM-DD",
              help="Día de los recordatorios (por defecto, hoy en America/Lima).")
def run_reminders(day: date | None):
    """Enqueue today's reminders (one email per recipient)."""
    now = _at(day, REMINDER_HOUR) if day else now_utc()
    result = reminders.enqueue_due(now)
    db.session.commit()
    for message, plan in zip(result.messages, result.plans, strict=True):
        click.echo(f"{message.to_email}: {plan.count} compromiso(s) · {message.subject}")
    click.echo(f"Recordatorios del {result.today.isoformat()}: {len(result.messages)} correo(s) en la "
               f"bandeja de salida, {result.items} compromiso(s).")


def _parse_week(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        digest.parse_week(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    return value.strip()


@digest_cli.command("send")
@click.option("--week", callback=_parse_week, metavar="AAAA-Www",
              help="Semana ISO del resumen (por defecto, la actual en America/Lima).")
@click.option("--dry-run", is_flag=True, help="Mostrar quién recibiría qué, sin encolar nada.")
def send_digest(week: str | None, dry_run: bool):
    """Enqueue the weekly digest of every subscribed user."""
    week = week or digest.week_of(now_utc())
    if dry_run:
        built = digest.build_week(week)
        for plan in built.plans:
            click.echo(digest.describe(plan))
        would = sum(1 for p in built.plans if not p.skip_reason)
        click.echo(f"Resumen {week} (simulación): se enviarían {would} correo(s) de "
                   f"{len(built.plans)} suscriptor(es); no se encoló nada.")
        return
    result = digest.send_week(week)
    db.session.commit()
    for message in result.messages:
        click.echo(f"{message.to_email}: {message.subject}")
    for plan in result.skipped:
        click.echo(digest.describe(plan))
    click.echo(f"Resumen {week}: {len(result.messages)} correo(s) en la bandeja de salida, "
               f"{len(result.skipped)} sin enviar.")
