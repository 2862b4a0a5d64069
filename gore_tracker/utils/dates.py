"""Dates: "today" in the configured time zone (America/Lima) and Spanish formats."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app, has_app_context

MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]
MIN_YEAR, MAX_YEAR = 2000, 2100


def tz() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", "America/Lima") if has_app_context() else "America/Lima"
    return ZoneInfo(name)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def today(now: datetime | None = None) -> date:
    """Today's date in the configured time zone (America/Lima by default)."""
    now = now or now_utc()
    return now.astimezone(tz()).date()


def long_date(value: date | datetime | None) -> str:
    """'8 de diciembre de 2020' (Babel's Spanish month names)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tz()).date()
    return format_date(value, "d 'de' MMMM 'de' y", locale="es")


def short_date(value: date | datetime | None) -> str:
    """'08/12/2020'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tz()).date()
    return value.strftime("%d/%m/%Y")


def moment(value: datetime | None) -> str:
    """'8 de diciembre de 2020, 14:05' in local time."""
    if value is None:
        return ""
    local = value.astimezone(tz())
    return f"{long_date(local.date())}, {local:%H:%M}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def in_range(value: date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def parse_field(value, path: str, errors) -> date | None:
    """An ISO date (or ``date``) within 2000–2100, else None with a Spanish message added to
    ``errors`` (a ``FieldErrors``) under ``path``. Empty values are None without error."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            errors.add(path, "Fecha no válida; use el formato AAAA-MM-DD.")
            return None
    if not in_range(parsed):
        errors.add(path, "La fecha debe estar entre los años 2000 y 2100.")
        return None
    return parsed
