"""Meetings (one acta de compromisos each), their attendees, regional blocks and topics."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gore_tracker.audit.spec import Audited
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db
from gore_tracker.organizations.models import Organization

DEFAULT_BODY = "GORE Ejecutivo"


def _meeting_scope(row) -> tuple[int | None, int | None]:
    """A part of an acta is in the scope of its meeting's sector (audit trail)."""
    meeting = row.meeting
    return (meeting.sector_id if meeting is not None else None), row.meeting_id


class Meeting(db.Model):
    __tablename__ = "meeting"
    __audit__ = Audited("meeting", exclude=frozenset({"identity_key"}), scope=lambda m: (m.sector_id, m.id))
    __table_args__ = (
        CheckConstraint("session_type IN ('ordinaria','extraordinaria')", name="session_type"),
        CheckConstraint("modality IN ('presencial','virtual')", name="modality"),
        CheckConstraint("edition IS NULL OR edition > 0", name="edition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(200), default=DEFAULT_BODY, index=True)
    edition: Mapped[Optional[int]]
    title: Mapped[str] = mapped_column(String(300))
    session_type: Mapped[str] = mapped_column(String(20), default="ordinaria")
    date: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[Optional[str]] = mapped_column(String(200))
    modality: Mapped[str] = mapped_column(String(20), default="presencial")
    sector_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    moderator: Mapped[Optional[str]] = mapped_column(String(200))
    observations: Mapped[Optional[str]] = mapped_column(Text)
    # Sector, body, date and the set of regional governments: one acta is recorded once.
    identity_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The acta document it was recorded from (gore-acta/1 ``source``), when known.
    source_file_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stored_file.id"))
    source_filename: Mapped[Optional[str]] = mapped_column(String(255))
    source_sha256: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    source_pages: Mapped[Optional[int]]
    source_ocr: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sector: Mapped[Organization] = relationship()
    source_file = relationship("StoredFile")
    created_by = relationship("User")
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", order_by="Attendee.sort_order", cascade="all, delete-orphan"
    )
    blocks: Mapped[list["RegionBlock"]] = relationship(
        back_populates="meeting", order_by="RegionBlock.sort_order", cascade="all, delete-orphan"
    )
    topics: Mapped[list["Topic"]] = relationship(
        back_populates="meeting", order_by="Topic.sort_order", cascade="all, delete-orphan"
    )
    other_topics: Mapped[list["OtherTopic"]] = relationship(
        back_populates="meeting", order_by="OtherTopic.sort_order", cascade="all, delete-orphan"
    )
    absences: Mapped[list["Absence"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    commitments = relationship(
        "Commitment", back_populates="meeting", order_by="Commitment.id", viewonly=True
    )

    @property
    def regions(self) -> list[Organization]:
        return [b.region for b in self.blocks]

    @property
    def absent_regions(self) -> list[Organization]:
        return [a.region for a in self.absences]

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.body} {self.date}>"


class Attendee(db.Model):
    __tablename__ = "attendee"
    __audit__ = Audited("attendee", scope=_meeting_scope)
    __table_args__ = (CheckConstraint("side IN ('region','sector','other')", name="side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    honorific: Mapped[Optional[str]] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[Optional[str]] = mapped_column(String(300))
    side: Mapped[str] = mapped_column(String(10))
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    organization: Mapped[Optional[Organization]] = relationship()


class RegionBlock(db.Model):
    """A regional government's block in the acta, in document order."""

    __tablename__ = "region_block"
    __audit__ = Audited("region_block", scope=_meeting_scope)
    __table_args__ = (UniqueConstraint("meeting_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="blocks")
    region: Mapped[Organization] = relationship()

    @property
    def topics(self) -> list["Topic"]:
        return [t for t in self.meeting.topics if t.region_id == self.region_id]


class Absence(db.Model):
    """A regional government that was invited and did not attend."""

    __tablename__ = "meeting_absence"
    __audit__ = Audited("absence", scope=_meeting_scope)
    __table_args__ = (UniqueConstraint("meeting_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="absences")
    region: Mapped[Organization] = relationship()


class Topic(db.Model):
    __tablename__ = "topic"
    __audit__ = Audited("topic", scope=_meeting_scope)
    __table_args__ = (
        UniqueConstraint("meeting_id", "region_id", "number"),
        CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="topics")
    region: Mapped[Organization] = relationship()
    commitments = relationship(
        "Commitment", back_populates="topic", order_by="Commitment.number",
        cascade="all, delete-orphan",
    )


class OtherTopic(db.Model):
    """An item of OTROS TEMAS TRATADOS, optionally tied to a regional government."""

    __tablename__ = "other_topic"
    __audit__ = Audited("other_topic", scope=_meeting_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="other_topics")
    region: Mapped[Optional[Organization]] = relationship()
