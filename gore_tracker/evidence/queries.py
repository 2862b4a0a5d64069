"""What a stored file belongs to, for deciding who may download it.

A ``StoredFile`` row is attached to at most one status update (``status_update_file``),
and may be the source acta of meetings or the upload of import drafts. Every download
(web and API) asks ``owners_of`` and then ``permissions.can_download_file``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from gore_tracker.extensions import db

from .models import StoredFile, status_update_file


@dataclass(frozen=True)
class FileOwners:
    """The rows a file is evidence or source of; all empty: an orphan file."""

    commitments: list = field(default_factory=list)  # Commitment whose history has it as evidence
    meetings: list = field(default_factory=list)      # Meeting whose source acta it is
    drafts: list = field(default_factory=list)        # ImportDraft not yet confirmed (meeting_id NULL)

    @property
    def is_orphan(self) -> bool:
        return not (self.commitments or self.meetings or self.drafts)


def owners_of(stored_file: StoredFile) -> FileOwners:
    from gore_tracker.commitments.models import Commitment, StatusUpdate
    from gore_tracker.imports.models import ImportDraft
    from gore_tracker.meetings.models import Meeting

    commitments = db.session.scalars(
        select(Commitment).join(StatusUpdate, StatusUpdate.commitment_id == Commitment.id)
        .join(status_update_file, status_update_file.c.status_update_id == StatusUpdate.id)
        .where(status_update_file.c.stored_file_id == stored_file.id)).all()
    meetings = db.session.scalars(select(Meeting).where(Meeting.source_file_id == stored_file.id)).all()
    drafts = db.session.scalars(select(ImportDraft).where(
        ImportDraft.stored_file_id == stored_file.id, ImportDraft.meeting_id.is_(None))).all()
    return FileOwners(list(commitments), list(meetings), list(drafts))


def downloadable_file(file_id: int, user) -> StoredFile | None:
    """The file ``user`` may download, or None: missing, its bytes gone, or not theirs to see
    (the same answer in each case, so ids cannot be probed)."""
    from gore_tracker import permissions

    from . import storage

    row = db.session.get(StoredFile, file_id)
    if row is None or not permissions.can_download_file(user, row, owners_of(row)):
        return None
    if not storage.path_for(row.sha256).exists():
        return None
    return row
