"""Stored files: evidence attached to status updates and the source PDF of an acta.

The bytes live once on disk under ``FILES_DIR``, named by their SHA-256; each row
is one upload of those bytes, with the name it was uploaded under.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gore_tracker.audit.spec import Exempt
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db


# Evidence attached to a status update (a file row belongs to at most one update).
status_update_file = Table(
    "status_update_file",
    db.Model.metadata,
    Column("status_update_id", ForeignKey("status_update.id", ondelete="CASCADE"), primary_key=True),
    Column("stored_file_id", ForeignKey("stored_file.id"), primary_key=True, unique=True),
)


class StoredFile(db.Model):
    __tablename__ = "stored_file"
    __audit__ = Exempt("immutable upload rows attributed by uploaded_by; what they are attached to is audited")
    __table_args__ = (CheckConstraint("size >= 0", name="size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(120))
    extension: Mapped[str] = mapped_column(String(10))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")
