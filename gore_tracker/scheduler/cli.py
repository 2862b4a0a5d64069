"""``flask scheduler run``: the scheduler process, in the foreground."""
from __future__ import annotations

import logging
import signal

from flask import current_app
from flask.cli import AppGroup

scheduler_cli = AppGroup("scheduler", help="Proceso programador: recordatorios, resumen semanal, envío de correo.")


@scheduler_cli.command("run")
def run():
    """Run the jobs until stopped (Ctrl+C or SIGTERM). Run exactly one per installation."""
    from .process import build_scheduler

    app = current_app._get_current_object()
    log = logging.getLogger("gore_tracker.scheduler")
    if log.getEffectiveLevel() > logging.DEBUG:
        # Our listener logs each run, miss and failure once; APScheduler's own lines repeat them.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        log.info("job %s: %s", job.id, job.trigger)
    log.info("scheduler started (time zone %s); Ctrl+C to stop", app.config["SCHEDULER_TIMEZONE"])
    # systemd and `make run` stop it with SIGTERM: let running jobs finish first.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    log.info("scheduler stopped")
