"""Factories for tests: users of each role, recorded actas, commitments in a given state."""
from __future__ import annotations

import copy
import itertools
import json
from datetime import date
from pathlib import Path

from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.users import operations as users

PASSWORD = "correct-horse-battery"
FIXTURES = Path(__file__).parent / "fixtures"
_seq = itertools.count(1)


def region(name: str):
    found = orgs.find_region(name)
    assert found is not None, name
    return found


def sector(name: str):
    found = orgs.find_sector(name)
    assert found is not None, name
    return found


def user(role: str = "admin", org: str | None = None, *, email: str | None = None,
         name: str | None = None, commit: bool = True):
    """A user of ``role``; ``org`` is a region (regional officer) or sector (liaison)."""
    organization = None
    if org is not None:
        organization = region(org) if role == "regional_officer" else orgs.find_org(org)
    n = next(_seq)
    u = users.create_user(email=email or f"{role}{n}@example.pe", name=name or f"Usuario {role} {n}",
                          role=role, organization=organization, password=PASSWORD)
    if commit:
        db.session.commit()
    return u


def seed_document() -> dict:
    """The reproduction of the real Ayacucho 2020-12-08 acta (gore-acta/1)."""
    return json.loads((FIXTURES / "seed-ayacucho-2020-12-08.json").read_text("utf-8"))


def acta_document(*, sector_name: str = "Ministerio de Salud", day: str = "2024-05-10",
                  regions=(("Cusco", 2), ("Puno", 1)), body: str | None = None,
                  due: str | None = None, topic_text: str = "Abastecimiento de oxígeno medicinal") -> dict:
    """A small valid gore-acta/1 document: ``regions`` is ((name, commitments), …)."""
    blocks = []
    for name, count in regions:
        blocks.append({
            "region": name,
            "topics": [{
                "number": 1,
                "text": topic_text,
                "commitments": [
                    {"number": k, "text": f"Compromiso {k} de {name}: instalar planta de oxígeno",
                     "due": due, "responsible": None}
                    for k in range(1, count + 1)
                ],
            }],
        })
    doc = {
        "format": "gore-acta/1",
        "meeting": {"title": "GORE Ejecutivo", "session_type": "ordinaria", "date": day,
                    "place": "Lima", "sector": sector_name, "moderator": "Ana Pérez"},
        "attendees": [
            {"name": "Juan Quispe", "honorific": "Sr.", "position": "Gobernador Regional de Cusco",
             "side": "region", "region": "Cusco"},
            {"name": "María Torres", "honorific": "Dra.", "position": "Viceministra", "side": "sector",
             "region": None},
        ],
        "regions": blocks,
        "other_topics": [],
        "observations": None,
    }
    if body:
        doc["extensions"] = {"body": body}
    return doc


def meeting(actor=None, document: dict | None = None, commit: bool = True, **kwargs):
    """Record an acta through ``record_acta`` (the one way in)."""
    from gore_tracker.meetings.operations import record_acta

    if actor is None:
        actor = user("admin")
    m = record_acta(copy.deepcopy(document) if document else acta_document(**kwargs), actor)
    if commit:
        db.session.commit()
    return m


def commitment(region_name: str = "Cusco", *, status: str = "pendiente", due: date | None = None,
               actor=None, **kwargs):
    """One commitment of a fresh meeting, moved to ``status`` through the operations."""
    from gore_tracker.commitments.operations import apply_update

    actor = actor or user("admin")
    m = meeting(actor, regions=((region_name, 1),), day=kwargs.pop("day", f"2024-01-{next(_seq) % 28 + 1:02d}"),
                **kwargs)
    c = m.commitments[0]
    if due is not None:
        c.due = due
        db.session.commit()
    if status != "pendiente":
        apply_update(c, actor, status=status, note="Preparado por la prueba", version=c.version)
        db.session.commit()
    return c
