"""Listing accounts and organizations for the admin pages (filters in SQL)."""
from __future__ import annotations

from sqlalchemy import Select, case, func, or_, select

from gore_tracker.extensions import db
from gore_tracker.organizations.models import Organization, OrgKind
from gore_tracker.users.models import Role, User
from gore_tracker.utils.text import fold, like_escape

# Accented letters folded in SQL, so that "jose" finds "José" on SQLite (whose lower()
# only knows ASCII) and PostgreSQL alike. Accounts have no stored folded key.
_FOLD = [("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ü", "u"), ("ñ", "n"),
         ("Á", "a"), ("É", "e"), ("Í", "i"), ("Ó", "o"), ("Ú", "u"), ("Ü", "u"), ("Ñ", "n")]


def folded(column):
    expr = func.lower(column)
    for accented, plain in _FOLD:
        expr = func.replace(expr, accented, plain)
    return expr


def _contains(expr, text: str):
    return expr.like("%" + like_escape(fold(text)) + "%", escape="\\")


def users_query(*, q: str | None = None, role: str | None = None, org_id: int | None = None) -> Select:
    stmt = select(User).order_by(User.active.desc(), User.name, User.id)
    if role in Role.ALL:
        stmt = stmt.where(User.role == role)
    if org_id:
        stmt = stmt.where(User.organization_id == org_id)
    if q and fold(q):
        stmt = stmt.where(or_(_contains(folded(User.name), q), _contains(func.lower(User.email), q)))
    return stmt


_KIND_ORDER = {kind: i for i, kind in enumerate(OrgKind.ALL)}


def organizations_query(*, q: str | None = None, kind: str | None = None) -> Select:
    stmt = select(Organization).order_by(
        case(_KIND_ORDER, value=Organization.kind), Organization.name_key, Organization.id)
    if kind in OrgKind.ALL:
        stmt = stmt.where(Organization.kind == kind)
    if q and fold(q):
        stmt = stmt.where(or_(_contains(Organization.name_key, q), _contains(folded(Organization.code), q),
                              _contains(folded(Organization.official_name), q)))
    return stmt


def user_counts() -> dict[int, int]:
    """Accounts per organization id."""
    rows = select(User.organization_id, func.count(User.id)).where(
        User.organization_id.is_not(None)).group_by(User.organization_id)
    return dict(db.session.execute(rows).all())
