"""Looking accounts up."""
from __future__ import annotations

from sqlalchemy import select

from gore_tracker.extensions import db

from .models import User


def active_with_roles(roles) -> list[User]:
    """The active accounts of these roles, by name."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(list(roles))).order_by(User.name, User.id)))
