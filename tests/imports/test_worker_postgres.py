"""The worker process on PostgreSQL, the production database: it connects on its own, so
these tests commit for real (not inside the ``app`` fixture's rolled-back transaction)
and delete their rows afterwards. Skipped without TEST_DATABASE_URL."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import delete

from gore_tracker import create_app
from gore_tracker.evidence.models import StoredFile
from gore_tracker.extensions import db
from gore_tracker.imports import drafts
from gore_tracker.imports.models import ImportDraft
from gore_tracker.users.models import User
from tests import factories
from tests.conftest import _base_config
from tests.imports.web_stub import SAMPLES, STUB

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # worker processes
SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"


@pytest.fixture
def pg_app(pg_schema, tmp_path):
    app = create_app(_base_config(tmp_path, pg_schema))
    made = {}
    with app.app_context():
        owner = factories.user("liaison", "MINSA", email="worker-pg@example.pe")
        with open(SEED, "rb") as fh:
            draft = drafts.create_draft(fh, SEED.name, owner).draft
        db.session.commit()
        made.update(owner=owner.id, draft=draft.id, file=draft.stored_file_id)
    try:
        yield app, made["draft"]
    finally:
        with app.app_context():
            db.session.execute(delete(ImportDraft).where(ImportDraft.id == made["draft"]))
            db.session.execute(delete(StoredFile).where(StoredFile.id == made["file"]))
            db.session.execute(delete(User).where(User.id == made["owner"]))
            db.session.commit()
            db.engine.dispose()


def _worker(app, draft_id: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], FILES_DIR=app.config["FILES_DIR"],
               SECRET_KEY=app.config["SECRET_KEY"])
    return subprocess.Popen([sys.executable, "-m", "gore_tracker.imports.worker", "--parser", STUB, str(draft_id)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _status(app, draft_id: int) -> ImportDraft:
    with app.app_context():
        draft = db.session.get(ImportDraft, draft_id)
        db.session.expunge(draft)
        return draft


def test_the_worker_process_fills_a_committed_draft_on_postgresql(pg_app):
    app, draft_id = pg_app
    proc = _worker(app, draft_id)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    draft = _status(app, draft_id)
    assert draft.status == "ready", (draft.status, draft.error_message)
    assert [b["region"] for b in draft.result["acta"]["regions"]] == ["Cusco", "Moquegua", "Puno", "Tacna"]
    assert draft.started_at is not None and draft.finished_at is not None


def test_two_workers_started_for_one_draft_parse_it_once(pg_app):
    app, draft_id = pg_app
    procs = [_worker(app, draft_id) for _ in range(2)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    # Exactly one claimed it (queued -> parsing); the other found nothing to do.
    assert sum("not queued, nothing to do" in e for e in errors) == 1, errors
    assert _status(app, draft_id).status == "ready"
