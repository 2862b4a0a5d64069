"""Fixtures for the commitments UI: users of each role and commitments built through record_acta."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from gore_tracker.extensions import db
from gore_tracker.utils.dates import today as lima_today
from tests.conftest import csrf_from

_days = itertools.count(1)


@pytest.fixture
def today(app) -> date:
    return lima_today()


@pytest.fixture
def record(make):
    """Record one acta with a single commitment and return the commitment.

    ``record("Cusco", sector="Ministerio de Salud", topic="…", text="…", due=date, responsible="…",
    body="…", status="en_proceso", extensions={...})``
    """
    actor = make.user("admin")

    def _record(region="Cusco", *, sector="Ministerio de Salud", topic="Abastecimiento de agua",
                text="Elaborar el expediente técnico", due=None, responsible=None, body=None,
                status="pendiente", day=None, commitment_ext=None):
        doc = make.acta_document(sector_name=sector, regions=((region, 1),), body=body,
                                 topic_text=topic,
                                 day=(day or date(2023, 1, 1) + timedelta(days=next(_days))).isoformat())
        c = doc["regions"][0]["topics"][0]["commitments"][0]
        c["text"] = text
        c["due"] = due.isoformat() if due else None
        c["responsible"] = responsible
        if commitment_ext:
            doc.setdefault("extensions", {})["commitments"] = [
                dict({"region": region, "number": 1}, **commitment_ext)]
        meeting = make.meeting(actor, document=doc)
        commitment = meeting.commitments[0]
        if status != "pendiente":
            from gore_tracker.commitments.operations import apply_update

            apply_update(commitment, actor, status=status, note="Estado inicial de la prueba",
                         version=commitment.version)
            db.session.commit()
        return commitment

    return _record


@pytest.fixture
def users(make):
    """One user per role; liaison of MINSA, regional officers of Cusco and Puno."""
    return {
        "admin": make.user("admin"),
        "coordinator": make.user("coordinator"),
        "liaison": make.user("liaison", "MINSA"),
        "other_liaison": make.user("liaison", "MINEDU"),
        "cusco": make.user("regional_officer", "Cusco"),
        "puno": make.user("regional_officer", "Puno"),
        "viewer": make.user("viewer"),
    }


@pytest.fixture
def client_for(app):
    """A separate test client signed in as ``user`` through the login form (CSRF on)."""

    def _client(user, password: str = "correct-horse-battery"):
        client = app.test_client()
        page = client.get("/login")
        response = client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                "email": user.email, "password": password})
        assert response.status_code == 302
        return client

    return _client
