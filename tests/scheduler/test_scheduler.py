"""The scheduler process, inspected without running it for real: jobs and their settings,
what each job calls (with ``now``, in an app context, committing once), the listeners that
log runs, missed runs and failures, the heartbeat, and `flask scheduler run`."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import types
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from gore_tracker.extensions import db
from gore_tracker.notifications import outbox
from gore_tracker.scheduler import heartbeat, jobs
from gore_tracker.scheduler.process import build_scheduler, log_job_event

LIMA = ZoneInfo("America/Lima")


def lima(*args) -> datetime:
    return datetime(*args, tzinfo=LIMA)


@pytest.fixture
def scheduler(app):
    return build_scheduler(app)


def test_every_job_is_coalesced_single_instance_with_a_generous_grace_time(app, scheduler):
    assert isinstance(scheduler, BlockingScheduler)
    assert scheduler.timezone == LIMA
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == {"reminders", "digest", "dispatch", "heartbeat"}
    for job in found.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"] == 3600
        assert str(job.trigger.timezone) == "America/Lima"
        assert job.func is jobs.run and job.args[0] is app
    assert found["reminders"].args[1] is jobs.reminders
    assert found["digest"].args[1] is jobs.digest
    assert found["dispatch"].args[1] is jobs.dispatch
    assert found["heartbeat"].args[1] is jobs.heartbeat


def test_reminders_daily_at_8_and_digest_on_mondays_at_7_lima_time(scheduler):
    found = {job.id: job for job in scheduler.get_jobs()}
    reminders, digest = found["reminders"].trigger, found["digest"].trigger
    assert reminders.get_next_fire_time(None, lima(2026, 11, 23, 7, 59)) == lima(2026, 11, 23, 8, 0)
    assert reminders.get_next_fire_time(None, lima(2026, 11, 23, 8, 1)) == lima(2026, 11, 24, 8, 0)
    # 08:00 in Lima is 13:00 UTC (Peru keeps UTC-5 all year).
    assert reminders.get_next_fire_time(None, lima(2026, 11, 23, 7, 59)).astimezone(timezone.utc).hour == 13
    # 2026-11-24 is a Tuesday: the next digest is Monday 30 November, 07:00.
    assert digest.get_next_fire_time(None, lima(2026, 11, 24, 9, 0)) == lima(2026, 11, 30, 7, 0)
    assert digest.get_next_fire_time(None, lima(2026, 11, 30, 6, 59)) == lima(2026, 11, 30, 7, 0)
    assert found["dispatch"].trigger.interval == timedelta(minutes=1)
    assert found["heartbeat"].trigger.interval == timedelta(minutes=1)


def test_the_heartbeat_and_the_dispatch_also_run_at_start(app):
    start = lima(2026, 11, 24, 15, 0)  # a Tuesday afternoon: nothing else to catch up
    found = {job.id: job for job in build_scheduler(app, now=start).get_jobs()}
    for name in ("heartbeat", "dispatch"):
        assert found[name].next_run_time == start
    for name in ("reminders", "digest"):
        assert not hasattr(found[name], "next_run_time")  # computed from the trigger at start


@pytest.mark.parametrize(("start", "caught_up"), [
    (lima(2026, 11, 30, 7, 30), {"digest": lima(2026, 11, 30, 7, 0)}),  # Monday, digest 30 min late
    (lima(2026, 11, 30, 8, 59), {"reminders": lima(2026, 11, 30, 8, 0)}),  # digest now 2 h late: not run
    (lima(2026, 11, 30, 9, 1), {}),  # both beyond the hour of grace
    (lima(2026, 11, 30, 6, 59), {}),  # before both
])
def test_a_run_due_shortly_before_the_scheduler_started_runs_at_once(app, start, caught_up):
    found = {job.id: job for job in build_scheduler(app, now=start).get_jobs()}
    got = {name: found[name].next_run_time for name in ("reminders", "digest")
           if hasattr(found[name], "next_run_time")}
    assert got == caught_up


def test_times_come_from_the_settings(app):
    app.config.update(SCHEDULER_REMINDERS_TIME="06:30", SCHEDULER_DIGEST_DAY="fri", SCHEDULER_DIGEST_TIME="18:15",
                      SCHEDULER_DISPATCH_SECONDS=30, SCHEDULER_MISFIRE_GRACE_SECONDS=7200)
    found = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert found["reminders"].trigger.get_next_fire_time(None, lima(2026, 11, 23, 0, 0)) == lima(2026, 11, 23, 6, 30)
    assert found["digest"].trigger.get_next_fire_time(None, lima(2026, 11, 23, 0, 0)) == lima(2026, 11, 27, 18, 15)
    assert found["dispatch"].trigger.interval == timedelta(seconds=30)
    assert {job.misfire_grace_time for job in found.values()} == {7200}
    app.config["SCHEDULER_REMINDERS_TIME"] = "8h"
    with pytest.raises(ValueError, match="SCHEDULER_REMINDERS_TIME"):
        build_scheduler(app)


def test_creating_the_web_app_schedules_nothing():
    code = ("import sys, threading; from gore_tracker import create_app; "
            "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
            "print('apscheduler' in ' '.join(sys.modules), threading.active_count())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.stdout.split() == ["False", "1"]


# --- What a job does ----------------------------------------------------------------------

@pytest.fixture
def fixed_now(monkeypatch):
    now = datetime(2026, 11, 23, 13, 0, tzinfo=timezone.utc)  # 08:00 in Lima
    monkeypatch.setattr(jobs, "utcnow", lambda: now)
    return now


def test_a_job_calls_its_notifications_function_with_now_and_commits(app, fixed_now, monkeypatch):
    calls = []

    def enqueue_week(now):
        calls.append(now)
        heartbeat.beat(now, name="digest-test")  # something written, to see the commit
        return "2 mensajes"

    monkeypatch.setitem(sys.modules, "gore_tracker.notifications.digest",
                        types.SimpleNamespace(enqueue_week=enqueue_week))
    assert jobs.run(app, jobs.digest) == "2 mensajes"
    assert calls == [fixed_now]
    db.session.rollback()  # only committed data is left
    assert heartbeat.last_seen("digest-test") == fixed_now


def test_the_reminders_job_calls_enqueue_due(app, fixed_now, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, "gore_tracker.notifications.reminders",
                        types.SimpleNamespace(enqueue_due=calls.append))
    jobs.run(app, jobs.reminders)
    assert calls == [fixed_now]


def test_a_failing_job_rolls_back_and_raises(app, fixed_now):
    def boom(now):
        heartbeat.beat(now)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        jobs.run(app, boom)
    assert heartbeat.last_seen() is None


def test_the_heartbeat_job_writes_the_heartbeat(app, fixed_now):
    jobs.run(app, jobs.heartbeat)
    row = db.session.get(heartbeat.SchedulerHeartbeat, heartbeat.NAME)
    assert (row.last_seen, row.pid) == (fixed_now, os.getpid())
    assert not heartbeat.is_stale(fixed_now + timedelta(minutes=15), row.last_seen)
    assert heartbeat.is_stale(fixed_now + timedelta(minutes=16), row.last_seen)
    assert heartbeat.is_stale(fixed_now, None)


def test_the_dispatch_job_sends_queued_mail(app, smtp_server, mail_config):
    outbox.enqueue(key="scheduler-test:1", kind="other", user=None, to_email="ana@example.pe",
                   subject="Hola", text_body="Hola", html_body="<p>Hola</p>")
    db.session.commit()
    result = jobs.run(app, jobs.dispatch)
    assert result.sent == 1
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.pe"]


# --- Logging runs, missed runs and failures -------------------------------------------------

def _event(code, job_id="digest", **kw):
    return JobExecutionEvent(code, job_id, "default", lima(2026, 11, 23, 7, 0), **kw)


def test_the_listener_logs_runs_missed_runs_and_failures(caplog):
    caplog.set_level(logging.INFO, logger="gore_tracker.scheduler")
    log_job_event(_event(EVENT_JOB_EXECUTED, retval=outbox.DispatchResult(sent=3)))
    log_job_event(_event(EVENT_JOB_MISSED))
    try:
        raise RuntimeError("database down")
    except RuntimeError as exc:
        log_job_event(_event(EVENT_JOB_ERROR, job_id="reminders", exception=exc))
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "gore_tracker.scheduler"]
    assert records[0][0] == "INFO" and "job digest ran" in records[0][1] and "enviados: 3" in records[0][1]
    assert records[1][0] == "WARNING" and "job digest MISSED" in records[1][1]
    assert records[2][0] == "ERROR" and "job reminders FAILED" in records[2][1] and "database down" in records[2][1]
    assert caplog.records[-1].exc_info[1].args == ("database down",)


def test_a_real_scheduler_logs_a_failed_and_a_missed_run(app, caplog, monkeypatch):
    """The listeners are wired: a job that raises and a job far too late for its grace time,
    run by APScheduler itself (a background scheduler here, so the test keeps control)."""
    caplog.set_level(logging.INFO, logger="gore_tracker.scheduler")

    def failing(now):
        raise RuntimeError("reminders broke")

    monkeypatch.setattr(jobs, "reminders", failing)
    scheduler = build_scheduler(app, scheduler_class=BackgroundScheduler)
    now = datetime.now(LIMA)
    scheduler.modify_job("reminders", next_run_time=now)
    scheduler.modify_job("digest", next_run_time=now - timedelta(hours=2))  # beyond the 1 h grace
    scheduler.pause_job("dispatch")
    scheduler.pause_job("heartbeat")
    seen, both = [], threading.Event()

    def collect(event):
        seen.append(event)
        if {e.code for e in seen} >= {EVENT_JOB_ERROR, EVENT_JOB_MISSED}:
            both.set()

    scheduler.add_listener(collect, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.start()
    try:
        assert both.wait(30), "the scheduler reported no failed and missed runs"
    finally:
        scheduler.shutdown(wait=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "gore_tracker.scheduler"]
    assert any("job reminders FAILED" in m and "reminders broke" in m for m in messages)
    assert any("job digest MISSED" in m for m in messages)


# --- flask scheduler run --------------------------------------------------------------------

def test_flask_scheduler_run_starts_the_blocking_scheduler(runner, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="gore_tracker.scheduler")
    started, handlers = [], {}
    monkeypatch.setattr(BlockingScheduler, "start", lambda self: started.append(sorted(j.id for j in self.get_jobs())))
    monkeypatch.setattr(signal, "signal", lambda sig, handler: handlers.setdefault(sig, handler))
    apscheduler_log = logging.getLogger("apscheduler")
    level = apscheduler_log.level
    try:
        result = runner.invoke(args=["scheduler", "run"])
    finally:
        apscheduler_log.setLevel(level)
    assert result.exit_code == 0, result.output
    assert started == [["digest", "dispatch", "heartbeat", "reminders"]]
    assert signal.SIGTERM in handlers  # stops cleanly, letting a running job finish
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "scheduler started (time zone America/Lima)" in messages
    assert "job reminders: cron[hour='8', minute='0']" in messages
