"""Listing import drafts: whose a user may see, newest first."""
from __future__ import annotations

from sqlalchemy import Select, select

from gore_tracker import permissions
from gore_tracker.extensions import db

from .models import ImportDraft


def drafts_for(user) -> Select:
    """The drafts ``user`` may see, newest first: their own, or everyone's for managers."""
    stmt = select(ImportDraft).order_by(ImportDraft.created_at.desc(), ImportDraft.id.desc())
    if not permissions.can_see_all_drafts(user):
        stmt = stmt.where(ImportDraft.uploaded_by_id == user.id)
    return stmt


def drafts_among(user, ids) -> list[ImportDraft]:
    """Those of the drafts ``ids`` that ``user`` may see (the drafts page follows them)."""
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(drafts_for(user).where(ImportDraft.id.in_(ids))))
