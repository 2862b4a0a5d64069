"""Commitments and their immutable history of status updates."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKey, Index, Integer, Numeric, String, Table, Text,
    UniqueConstraint,
)
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gore_tracker.audit.spec import Audited, Exempt
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db
from gore_tracker.organizations.models import Organization

from . import rules

_STATUS_CHECK = "IN ('" + "','".join(rules.STATUSES) + "')"

commitment_responsible = Table(
    "commitment_responsible",
    db.Model.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id"), primary_key=True, index=True),
)


class Commitment(db.Model):
    __tablename__ = "commitment"
    __audit__ = Audited("commitment", collections=("responsible_orgs",), scope=lambda c: (c.sector_id, c.meeting_id))
    __table_args__ = (
        # Commitment numbers run through a regional block of one meeting.
        UniqueConstraint("meeting_id", "region_id", "number"),
        CheckConstraint("number > 0", name="number"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("status " + _STATUS_CHECK, name="status"),
        Index("ix_commitment_status_due", "status", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    # Denormalised from the topic and meeting so that filters need no joins.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    responsible_text: Mapped[Optional[str]] = mapped_column(Text)
    due: Mapped[Optional[date]] = mapped_column(Date, index=True)
    deliverable: Mapped[Optional[str]] = mapped_column(Text)
    target: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    achieved: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    cui: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default=rules.PENDIENTE, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # Page of the source PDF the commitment was read from (imported actas).
    source_page: Mapped[Optional[int]]
    # Folded topic + commitment + responsible text: accent/case-insensitive search in SQL.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Folded responsible bodies (names of linked organizations and the free text).
    responsible_key: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    topic = relationship("Topic", back_populates="commitments")
    meeting = relationship("Meeting", back_populates="commitments")
    region: Mapped[Organization] = relationship(foreign_keys=[region_id])
    sector: Mapped[Organization] = relationship(foreign_keys=[sector_id])
    responsible_orgs: Mapped[list[Organization]] = relationship(
        secondary=commitment_responsible, order_by=Organization.name
    )
    history: Mapped[list["StatusUpdate"]] = relationship(
        back_populates="commitment",
        order_by="(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())",
        cascade="all, delete-orphan",
    )

    # Derived values; ``today`` defaults to today in America/Lima.
    def is_overdue(self, today: date | None = None) -> bool:
        return rules.is_overdue(self.status, self.due, today)

    def days_overdue(self, today: date | None = None) -> int:
        return rules.days_overdue(self.status, self.due, today)

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def responsible_display(self) -> str:
        names = [o.name for o in self.responsible_orgs]
        if self.responsible_text:
            names.append(self.responsible_text)
        return "; ".join(names)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.status}>"


class StatusUpdate(db.Model):
    """One entry of a commitment's history. Rows are never updated or deleted."""

    __tablename__ = "status_update"
    __audit__ = Exempt("append-only history with its author and time; the commitment fields an update "
                       "changes are audited")
    __table_args__ = (
        CheckConstraint("old_status IS NULL OR old_status " + _STATUS_CHECK, name="old_status"),
        CheckConstraint("new_status " + _STATUS_CHECK, name="new_status"),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint(
            "NOT due_changed OR (due_reason IS NOT NULL AND due_reason <> '')", name="due_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    old_status: Mapped[Optional[str]] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    old_progress: Mapped[Optional[int]]
    progress: Mapped[Optional[int]]
    note: Mapped[Optional[str]] = mapped_column(Text)
    due_changed: Mapped[bool] = mapped_column(default=False)
    old_due: Mapped[Optional[date]] = mapped_column(Date)
    new_due: Mapped[Optional[date]] = mapped_column(Date)
    due_reason: Mapped[Optional[str]] = mapped_column(Text)
    achieved: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))

    commitment: Mapped[Commitment] = relationship(back_populates="history")
    author = relationship("User")
    evidence = relationship("StoredFile", secondary="status_update_file", order_by="StoredFile.id")

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status



@event.listens_for(Session, "before_flush")
def _keep_search_keys_in_sync(session, _flush_context, _instances):
    """Rebuild the folded search keys of every commitment whose texts may have changed,
    however the change was made (operations, admin edits, scripts)."""
    from .operations import refresh_search_text

    from gore_tracker.meetings.models import Topic

    touched = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Commitment):
            touched.add(obj)
        elif isinstance(obj, Topic) and obj in session.dirty:
            touched.update(c for c in obj.commitments)
    for c in touched:
        refresh_search_text(c)
