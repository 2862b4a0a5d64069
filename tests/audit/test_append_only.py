"""Nothing can change or remove an entry: the database refuses it (triggers), on both backends."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from gore_tracker.audit import record_event
from gore_tracker.extensions import db


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET actor = 'alguien@otro.pe'",
    "DELETE FROM audit_entry",
])
def test_entries_cannot_be_updated_or_deleted(app, make, statement):
    record_event("login", entity="auth", entity_id=1, actor_label="x@example.pe")
    db.session.commit()
    savepoint = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    savepoint.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM audit_entry WHERE actor = 'x@example.pe'")) == 1


def test_truncate_is_refused_on_postgresql(app, backend):
    if backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none")
    savepoint = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_entry"))
    savepoint.rollback()
