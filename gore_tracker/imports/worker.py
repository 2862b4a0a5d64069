"""The process that reads uploaded acta PDFs: ``python -m gore_tracker.imports.worker ID…``.

The upload view starts one such process per request (``spawn``), after committing the
drafts, and never parses in the web worker itself. The process claims each queued
draft (``parsing``), runs the sandboxed parse (``importers.acta_pdf.sandbox.run_parse``:
its own child processes with memory, CPU, wall-clock and page limits from the app's
PARSE_* / OCR_* settings) and writes ``ready`` with the result or ``failed`` with the
parser's error to the draft, committing after each step so the drafts page can show it.

Tests call ``run(draft_id)`` directly, in the test's app context.
"""
from __future__ import annotations

import argparse
import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import current_app

from gore_tracker.evidence import storage
from gore_tracker.extensions import db

from . import drafts
from .models import DraftStatus, ImportDraft

log = logging.getLogger(__name__)

# Settings the child process must share with the web app that starts it.
INHERITED = ("SECRET_KEY", "INSTANCE_PATH", "FILES_DIR", "IMPORT_MAX_BYTES", "PARSE_MAX_MEMORY", "PARSE_CPU_SECONDS",
             "PARSE_WALL_SECONDS", "PARSE_MAX_PAGES", "OCR_SECONDS_PER_PAGE", "OCR_MAX_SECONDS",
             "PARSE_MAX_GLYPHS", "PARSE_MAX_PAGE_SIDE", "PARSE_MAX_STREAM_BYTES", "IMPORT_WORKERS",
             "TIMEZONE", "LOG_LEVEL")


def parse_pdf(path: str, config) -> dict:
    """``Acta.to_result()`` of the PDF at ``path``, parsed in limited child processes;
    raises ``ActaParseError``. ``IMPORT_PARSER`` ("module:function") lets tests stand a
    stub in for ``parse_acta``."""
    from importers.acta_pdf.sandbox import PARSER, Limits, run_parse

    return run_parse(path, limits=Limits.from_config(config),
                     parser=config.get("IMPORT_PARSER") or PARSER)


def run(draft_id: int) -> str | None:
    """Parse one queued draft and record the outcome; returns its final status, or None
    when the draft was not waiting (already taken, discarded)."""
    from importers.acta_pdf import ActaParseError

    draft = drafts.claim(draft_id)
    db.session.commit()
    if draft is None:
        log.info("import draft %s: not queued, nothing to do", draft_id)
        return None
    path = str(storage.path_for(draft.sha256))
    try:
        result = parse_pdf(path, current_app.config)
    except ActaParseError as exc:
        outcome = ("failed", exc.reason, exc.page, exc.message)
    except Exception:  # whatever happens, the draft must not stay "parsing"
        log.exception("import draft %s: unexpected error", draft_id)
        outcome = ("failed", "failed", None, drafts.UNEXPECTED)
    else:
        outcome = ("ready", result)
    db.session.rollback()
    draft = db.session.get(ImportDraft, draft_id)
    if draft is None:  # discarded while it was being read
        return None
    if outcome[0] == "ready":
        drafts.finish(draft, outcome[1])
    else:
        drafts.fail(draft, *outcome[1:])
    db.session.commit()
    log.info("import draft %s: %s", draft_id, draft.status)
    return draft.status


def spawn(draft_ids) -> subprocess.Popen:
    """Start the worker process for ``draft_ids`` (already committed) and return at once.

    The child gets the app's database and file store through its environment, runs in
    a session of its own (a web server restart does not kill it) and is reaped by a
    daemon thread so it never lingers as a zombie. Raises ``OSError`` if it cannot start.
    """
    config = current_app.config
    env = dict(os.environ)
    env["DATABASE_URL"] = config["SQLALCHEMY_DATABASE_URI"]
    for key in INHERITED:
        if config.get(key) is not None:
            env[key] = str(config[key])
    command = [sys.executable, "-m", "gore_tracker.imports.worker"]
    if config.get("IMPORT_PARSER"):
        command += ["--parser", config["IMPORT_PARSER"]]
    command += [str(i) for i in draft_ids]
    proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            start_new_session=True, close_fds=True)
    threading.Thread(target=proc.wait, name=f"import-worker-{proc.pid}", daemon=True).start()
    log.info("import worker %s started for drafts %s", proc.pid, ", ".join(map(str, draft_ids)))
    return proc


def start(draft_ids) -> bool:
    """Have ``draft_ids`` parsed: a worker process, unless ``IMPORT_SPAWN`` is off (tests run
    ``run`` themselves). Returns False, with the drafts marked failed, if it cannot start."""
    draft_ids = list(draft_ids)
    if not draft_ids or not current_app.config.get("IMPORT_SPAWN", True):
        return True
    try:
        spawn(draft_ids)
    except OSError:
        log.exception("could not start the import worker")
        for draft_id in draft_ids:
            draft = db.session.get(ImportDraft, draft_id)
            if draft is not None and draft.status == DraftStatus.QUEUED:
                drafts.fail(draft, "failed", None, drafts.START_FAILED)
        db.session.commit()
        return False
    return True


def parse_slot(config, *, poll: float = 0.5):
    """Wait for one of ``IMPORT_WORKERS`` parse slots (file locks under ``FILES_DIR``) and
    return its open lock file; the slot is free again when the file is closed or the
    process ends. Several uploads at once then queue instead of each starting parses of
    up to ``PARSE_MAX_MEMORY`` side by side."""
    slots = max(1, int(config.get("IMPORT_WORKERS") or 2))
    folder = Path(config["FILES_DIR"]) / ".import-slots"
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        for i in range(slots):
            handle = open(folder / f"slot-{i}", "a+b")  # noqa: SIM115 - held for the whole run
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            return handle
        time.sleep(poll)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gore_tracker.imports.worker",
                                     description="Parse queued acta import drafts.")
    parser.add_argument("--parser", help="module:function standing in for parse_acta (tests)")
    parser.add_argument("draft_ids", nargs="+", type=int)
    args = parser.parse_args(argv)
    try:
        os.nice(5)  # the web workers come first
    except OSError:
        pass
    from gore_tracker import create_app

    app = create_app({"IMPORT_PARSER": args.parser} if args.parser else None)
    with app.app_context(), parse_slot(app.config):
        for draft_id in args.draft_ids:
            try:
                run(draft_id)
            except Exception:  # keep going with the next draft
                log.exception("import draft %s: worker error", draft_id)
                db.session.rollback()
        db.session.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
