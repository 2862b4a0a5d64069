"""The upload really starts the worker process, which writes its outcome to the draft.

SQLite only: the child process connects to the database on its own, and on PostgreSQL
each test runs in a transaction no other connection can see.
"""
from __future__ import annotations

import io
import subprocess
import time

import pytest
from sqlalchemy import select

from gore_tracker.extensions import db
from gore_tracker.imports import worker
from gore_tracker.imports.models import ImportDraft
from tests.conftest import csrf_from
from tests.imports.web_stub import SAMPLES, STUB

pytestmark = pytest.mark.slow  # worker processes

SEED = SAMPLES / "seed-ayacucho-2020-12-08.pdf"


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("the worker process cannot see a PostgreSQL test's transaction")


def _upload(client, path):
    page = client.get("/importar").get_data(as_text=True)
    return client.post("/importar", data={"csrf_token": csrf_from(page),
                                          "files": [(io.BytesIO(path.read_bytes()), path.name)]},
                       content_type="multipart/form-data")


def _wait_until_done(draft_id: int, seconds: float = 90) -> ImportDraft:
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        draft = db.session.get(ImportDraft, draft_id)
        if draft.status in ("ready", "failed") or time.monotonic() > deadline:
            db.session.rollback()  # no read transaction left open on the SQLite file
            return draft
        db.session.rollback()
        time.sleep(0.2)


@pytest.fixture
def spawned(app, monkeypatch):
    """Record the worker processes the upload starts, and wait for them at the end."""
    started = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        started.append((args[0], kwargs, proc))
        return proc

    monkeypatch.setattr(worker.subprocess, "Popen", popen)
    yield started
    for _, _, proc in started:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("parser", [STUB, None], ids=["stub-parser", "real-parser"])
def test_upload_starts_a_worker_process_that_fills_the_draft(app, client, login_as, make, sqlite_only,
                                                              spawned, parser):
    app.config["IMPORT_SPAWN"] = True
    app.config["IMPORT_PARSER"] = parser
    login_as(make.user("liaison", "MINSA"))
    response = _upload(client, SEED)
    assert response.status_code == 302
    draft_id = db.session.scalar(select(ImportDraft.id))
    db.session.rollback()

    [(command, kwargs, proc)] = spawned
    assert command[1:3] == ["-m", "gore_tracker.imports.worker"] and command[-1] == str(draft_id)
    assert kwargs["start_new_session"] is True
    assert kwargs["env"]["DATABASE_URL"] == app.config["SQLALCHEMY_DATABASE_URI"]
    assert kwargs["env"]["FILES_DIR"] == app.config["FILES_DIR"]
    assert kwargs["env"]["PARSE_WALL_SECONDS"] == str(app.config["PARSE_WALL_SECONDS"])
    assert proc.pid != 0

    draft = _wait_until_done(draft_id)
    assert draft.status == "ready", (draft.status, draft.error_message)
    assert draft.started_at is not None and draft.finished_at is not None
    assert proc.wait(timeout=30) == 0
    regions = [b["region"] for b in draft.result["acta"]["regions"]]
    assert regions == ["Cusco", "Moquegua", "Puno", "Tacna"]
    assert draft.result["commitment_pages"]
    page = client.get(f"/importar/{draft_id}/revisar")
    assert page.status_code == 200 and 'id="acta-form"' in page.get_data(as_text=True)


def test_a_malformed_pdf_fails_in_the_worker_process(app, client, login_as, make, sqlite_only, spawned):
    app.config["IMPORT_SPAWN"] = True
    app.config["IMPORT_PARSER"] = None  # the probe refuses it before any parser runs
    login_as(make.user("liaison", "MINSA"))
    assert _upload(client, SAMPLES / "malformed-truncated.pdf").status_code == 302
    draft = _wait_until_done(db.session.scalar(select(ImportDraft.id)))
    assert draft.status == "failed" and draft.error_reason == "truncated"
    assert draft.error_message in client.get("/importar").get_data(as_text=True)


def test_a_worker_that_cannot_start_fails_the_draft_with_a_message(app, client, login_as, make, monkeypatch):
    app.config["IMPORT_SPAWN"] = True

    def broken(*_args, **_kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(worker.subprocess, "Popen", broken)
    login_as(make.user("liaison", "MINSA"))
    response = _upload(client, SEED)
    assert response.status_code == 302
    draft = db.session.scalar(select(ImportDraft))
    assert draft.status == "failed"
    assert "No se pudo iniciar la lectura del PDF" in client.get("/importar").get_data(as_text=True)


def test_worker_command_line_runs_a_draft(app, make, sqlite_only):
    """``python -m gore_tracker.imports.worker ID`` on its own (e.g. run by an operator)."""
    import os
    import sys

    from gore_tracker.imports import drafts

    owner = make.user("liaison", "MINSA")
    with open(SEED, "rb") as fh:
        draft_id = drafts.create_draft(fh, SEED.name, owner).draft.id
    db.session.commit()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], FILES_DIR=app.config["FILES_DIR"],
               SECRET_KEY=app.config["SECRET_KEY"])
    done = subprocess.run([sys.executable, "-m", "gore_tracker.imports.worker", "--parser", STUB, str(draft_id)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    db.session.expire_all()
    assert db.session.get(ImportDraft, draft_id).status == "ready"


def test_parses_wait_for_a_free_slot(app, tmp_path):
    """At most IMPORT_WORKERS worker processes parse at once; the next one waits."""
    import threading

    config = {"FILES_DIR": str(tmp_path), "IMPORT_WORKERS": 1}
    first = worker.parse_slot(config)
    got = []
    waiter = threading.Thread(target=lambda: got.append(worker.parse_slot(config, poll=0.01)))
    waiter.start()
    waiter.join(timeout=0.3)
    assert waiter.is_alive() and got == []  # still waiting
    first.close()
    waiter.join(timeout=5)
    assert len(got) == 1
    got[0].close()
