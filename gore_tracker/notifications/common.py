"""Pieces shared by the reminder and digest jobs: SQL date arithmetic, Lima midnights,
organization names and the columns an email shows of a commitment."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import NamedTuple

from sqlalchemy import Integer, cast, func, literal, select
from sqlalchemy.types import Date

from gore_tracker.commitments.models import Commitment
from gore_tracker.extensions import db
from gore_tracker.meetings.models import Meeting
from gore_tracker.organizations.models import Organization
from gore_tracker.users.models import User
from gore_tracker.utils.dates import tz

from .emails import CommitmentLine


def dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(later: date, column):
    """``later − column`` in whole days, computed by the database."""
    if dialect() == "postgresql":
        return literal(later, Date) - column  # date − date is an integer in PostgreSQL
    return cast(func.julianday(later.isoformat()) - func.julianday(column), Integer)


def lima_midnight(day: date) -> datetime:
    """The UTC moment at which ``day`` starts in the configured time zone (America/Lima)."""
    return datetime.combine(day, time.min, tzinfo=tz()).astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(tz()).date()


class OrgName(NamedTuple):
    name: str = ""
    code: str = ""
    official: str = ""

    def phrase(self, kind: str) -> str:
        """How an email names a scope after "compromisos": 'del Gobierno Regional de Cusco',
        'de su sector (Ministerio de Salud)'."""
        if kind == "region":
            official = self.official or f"Gobierno Regional de {self.name}"
            return ("de la " if official.split()[0].endswith("a") else "del ") + official
        if kind == "sector":
            return f"de su sector ({self.name})"
        return f"de {self.name}"


def org_names() -> dict[int, OrgName]:
    """Every organization's name, code and official name, by id (a short table)."""
    return {row.id: OrgName(row.name, row.code or "", row.official_name or "") for row in
            db.session.execute(select(Organization.id, Organization.name, Organization.code,
                                      Organization.official_name))}


def usable_email():
    """Accounts that can receive mail: active, with an address."""
    return (User.active.is_(True), User.email.is_not(None), User.email != "")


# The commitment columns every email line needs (the meeting for its date).
LINE_COLUMNS = (Commitment.id, Commitment.number, Commitment.text, Commitment.status, Commitment.due,
                Commitment.region_id, Commitment.sector_id, Meeting.date.label("meeting_date"))


def line_from(row, orgs: dict[int, OrgName], **extra) -> CommitmentLine:
    region = orgs.get(row.region_id, OrgName())
    sector = orgs.get(row.sector_id, OrgName())
    return CommitmentLine(
        id=row.id, number=row.number, text=row.text, status=row.status, due=row.due,
        region_id=row.region_id, sector_id=row.sector_id, region_name=region.name,
        sector_name=sector.name, sector_code=sector.code, meeting_date=row.meeting_date, **extra,
    )


def days_phrase(days: int) -> str:
    return "1 día" if days == 1 else f"{days} días"
