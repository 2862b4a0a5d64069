"""The scheduler's jobs: each takes ``now`` and is one call into the notifications area.

``run`` wraps a job for APScheduler: an app context, the call, one commit (a rollback when
it raises, and the exception goes on to APScheduler, whose listener logs it).
The notifications modules are imported when a job runs, not when the scheduler starts.
"""
from __future__ import annotations

import logging
from datetime import datetime

from gore_tracker.db import utcnow
from gore_tracker.extensions import db

log = logging.getLogger(__name__)


def reminders(now: datetime):
    from gore_tracker.notifications.reminders import enqueue_due
    return enqueue_due(now)


def digest(now: datetime):
    from gore_tracker.notifications.digest import enqueue_week
    return enqueue_week(now)


def dispatch(now: datetime):
    from gore_tracker.notifications.outbox import dispatch as send_due
    return send_due(now)


def heartbeat(now: datetime):
    from .heartbeat import beat
    return beat(now).last_seen


def run(app, job) -> object:
    """Run ``job(now)`` inside an app context and commit what it wrote."""
    with app.app_context():
        try:
            result = job(utcnow())
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
