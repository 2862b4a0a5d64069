"""Outbox, reminder log, digest snapshots and the scheduler heartbeat.

Jobs only write ``OutboxMessage`` rows (unique idempotency key); a dispatcher sends them.
``ReminderLog`` makes each reminder step happen once per commitment and recipient.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gore_tracker.audit.spec import Exempt
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db


class OutboxKind:
    REMINDER = "reminder"
    DIGEST = "digest"
    PASSWORD_RESET = "password_reset"  # its link is sealed (see ``sealed``): never stored here
    HANDOVER = "handover"  # an import draft handed over to the coordinators
    OTHER = "other"
    LABELS = {REMINDER: "Recordatorio", DIGEST: "Resumen semanal",
              PASSWORD_RESET: "Recuperación de contraseña", HANDOVER: "Acta pasada a coordinación", OTHER: "Otro"}


class OutboxStatus:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    ALL = (PENDING, SENDING, SENT, FAILED)
    LABELS = {PENDING: "Pendiente", SENDING: "Enviando", SENT: "Enviado", FAILED: "Fallido"}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __audit__ = Exempt("outgoing mail bookkeeping")
    __table_args__ = (
        CheckConstraint("status IN ('pending','sending','sent','failed')", name="status"),
        CheckConstraint("kind IN ('reminder','digest','password_reset','handover','other')", name="kind"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # kind + recipient + date or ISO week, e.g. "reminder:12:2026-11-23", "digest:12:2026-W48".
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Derived from the idempotency key, so a resend is recognisably the same message.
    message_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    claimed_by: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user = relationship("User")


class ReminderLog(db.Model):
    """One reminder step for one commitment and one recipient: never reminded twice."""

    __tablename__ = "reminder_log"
    __audit__ = Exempt("reminder bookkeeping")
    __table_args__ = (UniqueConstraint("commitment_id", "user_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # "before-7", "before-1", "overdue-1", "overdue-8", … "validation-3"
    step: Mapped[str] = mapped_column(String(30))
    reminded_on: Mapped[date] = mapped_column(Date)
    outbox_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestSnapshot(db.Model):
    """The figures of one digest scope for one ISO week, to compare with next week's."""

    __tablename__ = "digest_snapshot"
    __audit__ = Exempt("digest bookkeeping")
    __table_args__ = (UniqueConstraint("scope", "iso_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "national", "region:<org id>", "sector:<org id>"
    scope: Mapped[str] = mapped_column(String(50))
    iso_week: Mapped[str] = mapped_column(String(8))  # "2026-W48"
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerHeartbeat(db.Model):
    """Written by the scheduler process; admin pages warn when it is missing or old."""

    __tablename__ = "scheduler_heartbeat"
    __audit__ = Exempt("scheduler heartbeat")

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pid: Mapped[Optional[int]]
    host: Mapped[Optional[str]] = mapped_column(String(200))
