"""Build the scheduler: jobs defined in code, times in ``SCHEDULER_TIMEZONE`` (America/Lima).

Every job has ``coalesce`` (runs missed while the process was down collapse into one),
``max_instances=1`` (a slow run is never overlapped by the next) and a generous
``misfire_grace_time`` (a digest that starts late still goes out; APScheduler's default of
one second would silently skip it). Each run, missed run and failure is logged.

Only ``flask scheduler run`` builds one: web workers never run jobs (APScheduler cannot
share a job store between processes, so every gunicorn worker would send every email).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent,
)
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from . import jobs

log = logging.getLogger("gore_tracker.scheduler")

LISTENED = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES


def _hour_minute(value: str, setting: str) -> tuple[int, int]:
    try:
        hour, minute = (int(part) for part in str(value).split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise ValueError(f"{setting} must be HH:MM, not {value!r}") from None
    return hour, minute


def job_specs(config) -> list[dict]:
    """(id, name, function, trigger, at_start) of every job, from the settings; ``at_start``
    jobs also run as soon as the scheduler starts (the heartbeat, and mail left queued)."""
    tz = ZoneInfo(config["SCHEDULER_TIMEZONE"])
    r_hour, r_minute = _hour_minute(config["SCHEDULER_REMINDERS_TIME"], "SCHEDULER_REMINDERS_TIME")
    d_hour, d_minute = _hour_minute(config["SCHEDULER_DIGEST_TIME"], "SCHEDULER_DIGEST_TIME")
    return [
        {"id": "reminders", "name": "Daily reminders", "func": jobs.reminders,
         "trigger": CronTrigger(hour=r_hour, minute=r_minute, timezone=tz)},
        {"id": "digest", "name": "Weekly digest", "func": jobs.digest,
         "trigger": CronTrigger(day_of_week=config["SCHEDULER_DIGEST_DAY"], hour=d_hour, minute=d_minute,
                                timezone=tz)},
        {"id": "dispatch", "name": "Outbox dispatch", "func": jobs.dispatch,
         "trigger": IntervalTrigger(seconds=config["SCHEDULER_DISPATCH_SECONDS"], timezone=tz),
         "at_start": True},
        {"id": "heartbeat", "name": "Heartbeat", "func": jobs.heartbeat,
         "trigger": IntervalTrigger(seconds=config["SCHEDULER_HEARTBEAT_SECONDS"], timezone=tz),
         "at_start": True},
    ]


def build_scheduler(app, scheduler_class=BlockingScheduler, *, now: datetime | None = None):
    """The configured scheduler, not started (``.start()`` blocks for a BlockingScheduler).

    Jobs live in memory, so a run due while no scheduler process was up would be forgotten:
    a daily or weekly run that fell due within the misfire grace time before ``now`` (a
    restart at 07:30 on a Monday) runs at once instead. The jobs are idempotent, so a run
    the previous process had already done sends nothing new.
    """
    config = app.config
    tz = ZoneInfo(config["SCHEDULER_TIMEZONE"])
    now = (now or datetime.now(tz)).astimezone(tz)
    grace = config["SCHEDULER_MISFIRE_GRACE_SECONDS"]
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": grace}
    scheduler = scheduler_class(timezone=tz, job_defaults=defaults)
    for spec in job_specs(config):
        extra = {}
        if spec.get("at_start"):
            extra["next_run_time"] = now
        else:
            recent = spec["trigger"].get_next_fire_time(None, now - timedelta(seconds=grace))
            if recent is not None and recent <= now:
                log.info("job %s: catching up the run of %s", spec["id"], recent)
                extra["next_run_time"] = recent
        scheduler.add_job(
            jobs.run, spec["trigger"], args=(app, spec["func"]), id=spec["id"], name=spec["name"],
            replace_existing=True, **defaults, **extra,
        )
    scheduler.add_listener(log_job_event, LISTENED)
    return scheduler


def log_job_event(event) -> None:
    """Log each run, missed run (beyond the grace time) and failure of a job."""
    if event.code == EVENT_JOB_MISSED:
        log.warning("job %s MISSED its run of %s (more than the misfire grace time late)",
                    event.job_id, event.scheduled_run_time)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        when = ", ".join(str(t) for t in getattr(event, "scheduled_run_times", []))
        log.warning("job %s skipped its run of %s: the previous run is still going", event.job_id, when)
    elif isinstance(event, JobExecutionEvent) and event.exception is not None:
        log.error("job %s FAILED (run of %s): %s", event.job_id, event.scheduled_run_time,
                  event.exception, exc_info=(type(event.exception), event.exception,
                                             event.exception.__traceback__))
    elif isinstance(event, JobExecutionEvent):
        log.info("job %s ran (run of %s): %s", event.job_id, event.scheduled_run_time,
                 _describe(event.retval))


def _describe(value) -> str:
    if value is None:
        return "done"
    summary = getattr(value, "summary", None)
    return summary() if callable(summary) else str(value)

