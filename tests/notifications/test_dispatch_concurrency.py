"""Two dispatchers at once on PostgreSQL (two scheduler processes, or `flask outbox send` beside
the scheduler): every message is sent exactly once.

These tests need committed rows seen by several connections, so they do not use the ``app``
fixture (whose PostgreSQL test runs inside one rolled-back transaction): they commit for real
and delete their rows afterwards. SQLite has no row locks and a single writer; there the
claim's ``status = 'pending'`` re-check alone keeps claims apart (test_dispatch.py).
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text

from gore_tracker import create_app
from gore_tracker.db import utcnow
from gore_tracker.extensions import db
from gore_tracker.notifications import outbox
from gore_tracker.notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import _base_config
from tests.smtp import SENDER
from tests.pgschema import with_options

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PREFIX = "concurrency-test:"


@pytest.fixture
def pg_app(pg_schema, smtp_server, tmp_path):
    """An app on the PostgreSQL test database that commits for real (skipped without one)."""
    # A dispatcher that waited for a locked row (instead of skipping it) fails fast.
    config = _base_config(tmp_path, with_options(pg_schema, "-c lock_timeout=5000"))
    config.update({
        "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port, "MAIL_DEFAULT_SENDER": SENDER,
    })
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.startswith(PREFIX)))
            db.session.commit()
            db.engine.dispose()


def _queue(app, n: int) -> list[str]:
    with app.app_context():
        for k in range(n):
            outbox.enqueue(key=f"{PREFIX}{k}", kind="other", user=None, to_email=f"p{k}@example.pe",
                           subject=f"Mensaje {k}", text_body="texto", html_body="<p>texto</p>")
        db.session.commit()
        return list(db.session.scalars(
            select(OutboxMessage.message_id).where(OutboxMessage.idempotency_key.startswith(PREFIX))
            .order_by(OutboxMessage.id)))


def _statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.idempotency_key.startswith(PREFIX))))


def test_two_dispatchers_racing_send_each_message_once(pg_app, smtp_server):
    message_ids = _queue(pg_app, 40)
    now = utcnow()
    start = threading.Barrier(2)
    results, errors = {}, []

    def run(name: str) -> None:
        try:
            with pg_app.app_context():
                start.wait()
                results[name] = outbox.dispatch(now, batch_size=3, worker_id=name)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below, not lost in the thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("scheduler-1", "scheduler-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.sent for r in results.values()) == 40
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(message_ids)  # each once
    assert set(_statuses(pg_app)) == {OutboxStatus.SENT}


def test_rows_locked_by_another_dispatcher_are_skipped_not_waited_for(pg_app, smtp_server):
    message_ids = _queue(pg_app, 6)
    with pg_app.app_context():
        # Another dispatcher in the middle of its claim: it holds the first three rows.
        other = db.engine.connect()
        claim = other.begin()
        other.execute(text(
            "SELECT id FROM outbox_message WHERE idempotency_key LIKE :p ORDER BY id LIMIT 3 FOR UPDATE"
        ), {"p": PREFIX + "%"})
        try:
            result = outbox.dispatch(utcnow(), worker_id="me")
            assert result.sent == 3
            assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(message_ids[3:])
        finally:
            claim.rollback()
            other.close()
        assert outbox.dispatch(utcnow(), worker_id="me").sent == 3
        db.session.remove()
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(message_ids)
