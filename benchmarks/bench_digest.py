#!/usr/bin/env python3
"""Weekly digest at scale (``make bench-digest``). Not a test.

Builds the weekly digests of 1,000 users over 200,000 commitments — figures, lists,
snapshots, rendering every email and writing it to the outbox — and reports the time and
the number of SQL statements (counted with a ``before_cursor_execute`` listener).

The data is generated with bulk inserts into a scratch SQLite file (or the PostgreSQL
database of ``BENCH_DATABASE_URL`` / ``TEST_DATABASE_URL``, whose schema is REPLACED):
the 26 regional governments and 19 sectors, meetings and topics, commitments in every
status with due dates over four years, and status updates (some in the digest's week).

Measured runs (each on an empty outbox and without snapshots):

  A. 1,000 users over the first quarter of the commitments (50,000);
  B. 1,000 users over all of them (200,000)                  <- the timed target;
  C. 500 of those users over all of them.

Targets (exit status 1 when one is missed):
  * B takes under 10 s;
  * the statement count does not grow with the commitments: A == B (once the cost per
    email is set aside, should the two runs skip different recipients);
  * it grows at most by a small constant per recipient: (B − C) / (emails B − emails C) <= 3.

    python benchmarks/bench_digest.py [--users 1000] [--commitments 200000] [--keep]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_SECONDS = 10.0
PER_RECIPIENT_MAX = 3.0
WEEK = "2026-W11"
MONDAY = date(2026, 3, 9)
CHUNK = 10_000

STATUS_WEIGHTS = {"pendiente": 45, "en_proceso": 20, "por_validar": 5, "cumplido": 20,
                  "no_cumplido": 5, "anulado": 5}
WORDS = ("instalar", "culminar", "transferir", "equipar", "contratar", "aprobar", "remitir", "ejecutar",
         "planta de oxígeno", "hospital", "expediente técnico", "carretera", "agua potable", "colegio",
         "puesto de salud", "presupuesto", "convenio", "estudio de preinversión", "ambulancias")


def _utc(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def _text(rng: random.Random, n: int) -> str:
    return (" ".join(rng.choice(WORDS) for _ in range(n))).capitalize()


def make_app(url: str):
    from gore_tracker import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}, "SECRET_KEY": "bench",
        "BASE_URL": "https://gore-tracker.example.pe", "LOG_LEVEL": "WARNING",
    })


def create_schema(app) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from gore_tracker.extensions import db
    from gore_tracker.organizations.operations import load_reference

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        import logging

        logging.disable(logging.INFO)  # alembic's own logging setup would print every step
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        load_reference()
        db.session.commit()


def _insert(table, rows: list[dict]) -> None:
    from gore_tracker.extensions import db

    conn = db.session.connection()
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start:start + CHUNK])


def generate_users(n_users: int, seed: int = 1) -> None:
    from sqlalchemy import select

    from gore_tracker.extensions import db
    from gore_tracker.organizations.models import Organization
    from gore_tracker.users.models import User

    rng = random.Random(seed)
    regions = list(db.session.scalars(select(Organization.id).where(Organization.kind == "region")))
    sectors = list(db.session.scalars(select(Organization.id).where(Organization.kind == "sector")))
    rows = []
    for i in range(n_users):
        share = i / n_users
        if share < 0.60:
            role, org = "regional_officer", regions[i % len(regions)]
        elif share < 0.90:
            role, org = "liaison", sectors[i % len(sectors)]
        elif share < 0.96:
            role, org = "coordinator", None
        elif share < 0.98:
            role, org = "admin", None
        else:
            role, org = "viewer", None
        rows.append({"email": f"persona{i:05d}@example.pe", "name": f"Persona {i:05d}", "role": role,
                     "organization_id": org, "password_hash": "!", "active": True,
                     "created_at": _utc(date(2025, 1, 1)), "reminders_enabled": True,
                     "digest_enabled": True if role == "viewer" else None})
    rng.shuffle(rows)
    _insert(User.__table__, rows)
    db.session.commit()


def generate_commitments(n: int, *, start_meeting: int, seed: int) -> int:
    """``n`` commitments in new meetings (100 per meeting, 20 per regional topic) with their
    status updates. Returns the number of meetings made."""
    from sqlalchemy import func, select

    from gore_tracker.commitments.models import Commitment, StatusUpdate
    from gore_tracker.extensions import db
    from gore_tracker.meetings.models import Meeting, Topic
    from gore_tracker.organizations.models import Organization

    rng = random.Random(seed)
    regions = list(db.session.scalars(select(Organization.id).where(Organization.kind == "region")))
    sectors = list(db.session.scalars(select(Organization.id).where(Organization.kind == "sector")))
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    per_meeting, per_topic = 100, 20
    n_meetings = (n + per_meeting - 1) // per_meeting
    topic_id = (db.session.scalar(select(func.max(Topic.id))) or 0) + 1
    commitment_id = (db.session.scalar(select(func.max(Commitment.id))) or 0) + 1
    meetings, topics, commitments, updates = [], [], [], []
    week_start = _utc(MONDAY - timedelta(days=7), 6)
    for m in range(start_meeting, start_meeting + n_meetings):
        day = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1500))
        sector = rng.choice(sectors)
        meetings.append({"id": m, "body": "GORE Ejecutivo", "title": "GORE Ejecutivo", "session_type": "ordinaria",
                         "date": day, "modality": "presencial", "sector_id": sector, "identity_key": f"bench-{m}",
                         "source_ocr": False, "created_at": _utc(day), "updated_at": _utc(day)})
        for region in rng.sample(regions, per_meeting // per_topic):
            topics.append({"id": topic_id, "meeting_id": m, "region_id": region, "number": 1,
                           "text": _text(rng, 4), "sort_order": 0})
            for k in range(1, per_topic + 1):
                if len(commitments) >= n:
                    break
                status = rng.choices(statuses, weights)[0]
                due = None if rng.random() < 0.1 else MONDAY + timedelta(days=rng.randrange(-1100, 400))
                text = _text(rng, 8)
                commitments.append({
                    "id": commitment_id, "topic_id": topic_id, "meeting_id": m, "region_id": region,
                    "sector_id": sector, "number": k, "text": text, "due": due, "status": status,
                    "progress": 100 if status == "cumplido" else rng.randrange(0, 90),
                    "search_text": text.lower(), "responsible_key": "", "version": 1,
                    "created_at": _utc(day), "updated_at": _utc(day),
                })
                if status != "pendiente":
                    # Most moved long ago; one in twenty during the digest's week.
                    at = (week_start + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
                          if rng.random() < 0.05 else _utc(day + timedelta(days=rng.randrange(1, 300))))
                    updates.append({"commitment_id": commitment_id, "created_at": at, "old_status": "pendiente",
                                    "new_status": status, "old_progress": 0, "progress": None,
                                    "note": "Avance reportado", "due_changed": False})
                commitment_id += 1
            topic_id += 1
    _insert(Meeting.__table__, meetings)
    _insert(Topic.__table__, topics)
    _insert(Commitment.__table__, commitments)
    _insert(StatusUpdate.__table__, updates)
    db.session.commit()
    return n_meetings


def measure(label: str) -> dict:
    """Build and enqueue the week's digests once (committed), then empty the outbox and the
    snapshots again. Returns seconds, statements, emails."""
    from sqlalchemy import delete, event

    from gore_tracker.extensions import db
    from gore_tracker.notifications import digest
    from gore_tracker.notifications.models import DigestSnapshot, OutboxMessage

    db.session.expire_all()
    count = [0]

    def _count(*_args, **_kwargs):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    started = time.perf_counter()
    try:
        result = digest.send_week(WEEK)
        db.session.commit()
    finally:
        elapsed = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", _count)
    emails = len(result.messages)
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(DigestSnapshot))
    db.session.commit()
    db.session.expunge_all()
    print(f"  {label:<44} {elapsed:7.2f} s  {count[0]:6d} statements  {emails:5d} emails "
          f"({len(result.skipped)} skipped)", flush=True)
    return {"seconds": elapsed, "statements": count[0], "emails": emails}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    scratch = None
    if not url:
        scratch = Path(tempfile.mkdtemp(prefix="bench-digest-")) / "bench.sqlite3"
        url = f"sqlite:///{scratch}"
    app = make_app(url)
    from sqlalchemy import update

    from gore_tracker.extensions import db
    from gore_tracker.users.models import User

    print(f"Digest benchmark on {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}", flush=True)
    t0 = time.perf_counter()
    create_schema(app)
    first = args.commitments // 4
    with app.app_context():
        generate_users(args.users)
        meetings = generate_commitments(first, start_meeting=1, seed=2)
        print(f"  data: {args.users} users, {first} commitments ({time.perf_counter() - t0:.1f} s)", flush=True)
        a = measure(f"A. {args.users} users, {first} commitments")

        generate_commitments(args.commitments - first, start_meeting=meetings + 1, seed=3)
        print(f"  data: {args.commitments} commitments ({time.perf_counter() - t0:.1f} s)", flush=True)
        measure("(warm-up)")
        b = measure(f"B. {args.users} users, {args.commitments} commitments")

        half = db.session.scalars(db.select(User.id).order_by(User.id).limit(args.users // 2)).all()
        db.session.execute(update(User).where(User.id.in_(half)).values(active=False))
        db.session.commit()
        c = measure(f"C. {args.users - len(half)} users, {args.commitments} commitments")
        db.session.remove()
        db.engine.dispose()
    if scratch and not args.keep:
        scratch.unlink(missing_ok=True)
        scratch.parent.rmdir()

    per_recipient = ((b["statements"] - c["statements"]) / (b["emails"] - c["emails"])
                     if b["emails"] != c["emails"] else float("inf"))
    # What a run costs besides its emails (A and B could skip different recipients).
    fixed_a = a["statements"] - per_recipient * a["emails"]
    fixed_b = b["statements"] - per_recipient * b["emails"]
    checks = [
        (f"time B under {MAX_SECONDS:.0f} s", b["seconds"] < MAX_SECONDS, f"{b['seconds']:.2f} s"),
        ("statements do not grow with commitments (A == B, per-email cost aside)",
         abs(fixed_a - fixed_b) < 0.5, f"{a['statements']} vs {b['statements']}"),
        (f"at most {PER_RECIPIENT_MAX:.0f} statements per extra recipient", per_recipient <= PER_RECIPIENT_MAX,
         f"{per_recipient:.2f} per email, "
         f"{b['statements'] - per_recipient * b['emails']:.0f} whatever the number of emails"),
    ]
    print()
    failed = 0
    for name, ok, detail in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {name}: {detail}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
