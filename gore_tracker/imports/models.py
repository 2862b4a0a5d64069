"""Import drafts: an uploaded acta PDF on its way to becoming a meeting.

A draft is created by the upload (``queued``), claimed by the worker process that
parses it (``parsing``), and ends ``ready`` with the parse result or ``failed`` with
the parser's error. A ready draft becomes a meeting only when the person who
uploaded it (or a coordinator) reviews the pre-filled acta form and confirms;
``meeting_id`` then points to it. A liaison whose draft names another sector may not
confirm it: they hand it over to the coordinators (``handed_over_at``/``_by``).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gore_tracker.audit.spec import Audited
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db


class DraftStatus:
    QUEUED = "queued"
    PARSING = "parsing"
    READY = "ready"
    FAILED = "failed"

    ALL = (QUEUED, PARSING, READY, FAILED)
    ACTIVE = (QUEUED, PARSING)
    LABELS = {
        QUEUED: "En cola",
        PARSING: "Leyendo el PDF",
        READY: "Listo para revisar",
        FAILED: "No se pudo leer",
    }


class ImportDraft(db.Model):
    __tablename__ = "import_draft"
    __audit__ = Audited("import_draft", exclude=frozenset({"stage", "result", "started_at", "finished_at"}))
    __table_args__ = (
        CheckConstraint("status IN ('queued','parsing','ready','failed')", name="status"),
        CheckConstraint("status <> 'ready' OR result IS NOT NULL", name="ready_has_result"),
        CheckConstraint("status <> 'failed' OR error_message IS NOT NULL", name="failed_has_error"),
        CheckConstraint("meeting_id IS NULL OR status = 'ready'", name="meeting_only_when_ready"),
        CheckConstraint("size >= 0", name="size"),
        CheckConstraint("error_page IS NULL OR error_page > 0", name="error_page"),
        CheckConstraint("(handed_over_at IS NULL AND handed_over_by_id IS NULL) OR "
                        "(handed_over_at IS NOT NULL AND handed_over_by_id IS NOT NULL)", name="handed_over"),
        # The drafts page lists one person's drafts, newest first.
        Index("ix_import_draft_uploaded_by_created", "uploaded_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_import_draft_uploaded_by_created (leading column).
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    # The uploaded bytes, kept in the content-addressed file store.
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=DraftStatus.QUEUED, index=True)
    stage: Mapped[Optional[str]] = mapped_column(String(200))
    # Acta.to_result(): {"acta": gore-acta/1, "warnings": [...], "commitment_pages": [...]}.
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON(none_as_null=True))
    # ActaParseError: reason code, page (1-based) when known, Spanish message.
    error_reason: Mapped[Optional[str]] = mapped_column(String(30))
    error_page: Mapped[Optional[int]]
    error_message: Mapped[Optional[str]] = mapped_column(Text)
    meeting_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Passed to the coordinators by its uploader («Pasar a coordinación»): when and by whom.
    handed_over_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    handed_over_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    handed_over_by = relationship("User", foreign_keys=[handed_over_by_id])
    stored_file = relationship("StoredFile")
    meeting = relationship("Meeting")

    @property
    def status_label(self) -> str:
        return DraftStatus.LABELS.get(self.status, self.status)

    @property
    def is_active(self) -> bool:
        return self.status in DraftStatus.ACTIVE

    @property
    def warnings(self) -> list[dict]:
        return list((self.result or {}).get("warnings") or [])

    @property
    def acta(self) -> dict:
        return (self.result or {}).get("acta") or {}

    @property
    def is_handed_over(self) -> bool:
        return self.handed_over_at is not None

    @property
    def ocr(self) -> bool:
        return bool((self.acta.get("source") or {}).get("ocr"))

    def __repr__(self) -> str:
        return f"<ImportDraft {self.id} {self.status} {self.original_name!r}>"
