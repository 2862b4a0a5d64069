"""The scheduler's heartbeat: written every minute by the scheduler process, read by the
admin pages, which warn when it is missing or older than ``SCHEDULER_STALE_MINUTES``."""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from flask import current_app

from gore_tracker.extensions import db
from gore_tracker.notifications.models import SchedulerHeartbeat

NAME = "scheduler"


def beat(now: datetime, *, name: str = NAME) -> SchedulerHeartbeat:
    """Record that the scheduler is alive at ``now``. Flushes."""
    row = db.session.get(SchedulerHeartbeat, name)
    if row is None:
        row = SchedulerHeartbeat(name=name)
        db.session.add(row)
    row.last_seen = now
    row.pid = os.getpid()
    row.host = socket.gethostname()[:200]
    db.session.flush()
    return row


def last_seen(name: str = NAME) -> datetime | None:
    row = db.session.get(SchedulerHeartbeat, name)
    return row.last_seen if row is not None else None


def is_stale(now: datetime, seen: datetime | None, *, minutes: int | None = None) -> bool:
    """True when the heartbeat is missing or older than the allowed minutes."""
    if minutes is None:
        minutes = current_app.config["SCHEDULER_STALE_MINUTES"]
    return seen is None or now - seen > timedelta(minutes=minutes)
