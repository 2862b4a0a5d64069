"""Every model declares whether it is audited: a new model cannot slip past the trail."""
from __future__ import annotations

from gore_tracker.audit.spec import Audited, Exempt
from gore_tracker.extensions import db


def test_every_model_is_declared_audited_or_exempt(app):
    undeclared = [m.class_.__name__ for m in db.Model.registry.mappers
                  if not isinstance(m.class_.__dict__.get("__audit__"), (Audited, Exempt))]
    assert undeclared == []


def test_every_association_table_belongs_to_an_audited_relationship_or_an_exempt_model(app):
    mapped = {m.local_table.name for m in db.Model.registry.mappers}
    audited_collections = {
        rel.secondary.name
        for m in db.Model.registry.mappers if isinstance(m.class_.__dict__.get("__audit__"), Audited)
        for rel in m.relationships
        if rel.secondary is not None and rel.key in m.class_.__audit__.collections
    }
    # status_update_file links evidence to an update: both sides are exempt, immutable rows.
    exempt_links = {"status_update_file"}
    others = set(db.metadata.tables) - mapped - {"alembic_version"}
    assert others - audited_collections - exempt_links == set()
