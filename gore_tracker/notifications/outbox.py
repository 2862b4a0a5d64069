"""The transactional outbox: jobs enqueue, the dispatcher sends.

``enqueue`` is the only way a message is created; it never sends anything.
``dispatch`` sends what is due (``flask outbox send``, and the scheduler every minute);
``resend`` queues a sent or failed message again (the admin outbox page).
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from gore_tracker.db import utcnow
from gore_tracker.exceptions import InvalidTransition
from gore_tracker.extensions import db

from . import mailer, sealed
from .models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def message_id_for(key: str, domain: str = "gore-tracker") -> str:
    """A stable Message-ID derived from the idempotency key."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def enqueue(*, key: str, kind: str, user, subject: str, text_body: str, html_body: str,
            to_email: str | None = None) -> OutboxMessage | None:
    """Add a message unless one with this idempotency key exists (then None). Flushes.

    Runs inside the caller's transaction, with whatever else it records (the reminder
    log…), so both are committed together or not at all. Concurrent writers of the same
    key are stopped by the unique constraint at commit.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return None
    message = OutboxMessage(
        idempotency_key=key, kind=kind, user=user, to_email=to_email or user.email,
        subject=subject, text_body=text_body, html_body=html_body, message_id=message_id_for(key),
    )
    db.session.add(message)
    db.session.flush()
    return message


# --- Dispatching ----------------------------------------------------------------------------
#
# Every state change is committed at once, so a crash loses nothing:
#   pending --claim--> sending --accepted by the server--> sent
#                         |--refused / error--> pending (later, backoff) or failed (last attempt)
#                         |--server unreachable--> pending (no attempt counted)
#                         '--dispatcher died: lease expired--> pending (sent again: the one
#                            message in flight at the crash may arrive twice, same Message-ID)

@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0  # refused or broken this time, pending again with a later next_attempt_at
    failed: int = 0  # refused on their last attempt
    deferred: int = 0  # left pending because the mail server could not be reached
    recovered: int = 0  # taken back from a dispatcher that died while sending (lease expired)
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.deferred

    def summary(self) -> str:
        text = (f"enviados: {self.sent}, reintentos pendientes: {self.retrying}, fallidos: {self.failed}, "
                f"aplazados: {self.deferred}")
        if self.recovered:
            text += f", recuperados: {self.recovered}"
        return text


def default_worker_id() -> str:
    return f"{socket.gethostname()[:150]}:{os.getpid()}"


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def recover_stale(now: datetime, *, lease_seconds: int | None = None) -> int:
    """Put messages left ``sending`` longer than the lease back to pending. Does not commit."""
    lease = lease_seconds if lease_seconds is not None else current_app.config["MAIL_LEASE_SECONDS"]
    cutoff = now - timedelta(seconds=lease)
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING,
               or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < cutoff))
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None, next_attempt_at=now,
                last_error="Envío interrumpido (el proceso que lo enviaba se detuvo); se enviará de nuevo.")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        log.warning("outbox: %d message(s) left sending past the %ds lease are pending again",
                    result.rowcount, lease)
    return result.rowcount or 0


def claim(now: datetime, *, batch_size: int, worker_id: str) -> tuple[str, list[OutboxMessage]]:
    """Take up to ``batch_size`` due messages for this dispatcher and COMMIT.

    On PostgreSQL the due rows are selected ``FOR UPDATE SKIP LOCKED``, so a concurrent
    dispatcher skips them instead of waiting; on every database the UPDATE repeats the
    ``status = 'pending'`` test, so a row is claimed by one dispatcher only.
    Returns the claim token (stored in ``claimed_by``) and the claimed rows.
    """
    stmt = (select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch_size))
    if _is_postgresql():
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(stmt))
    token = f"{worker_id}#{uuid.uuid4().hex[:12]}"
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=token)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return token, []
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == token, OutboxMessage.status == OutboxStatus.SENDING)
        .order_by(OutboxMessage.id)
    ).all()
    return token, list(rows)


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: base, 2·base, 4·base…"""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def _mark_sent(row: OutboxMessage, now: datetime) -> None:
    row.status = OutboxStatus.SENT
    row.attempts += 1
    row.sent_at = now
    row.last_error = None
    row.claimed_at = row.claimed_by = None


def _mark_attempt_failed(row: OutboxMessage, now: datetime, error: str, *, final: bool = False) -> bool:
    """Count a failed attempt; pending again after a backoff, or failed. True when failed."""
    config = current_app.config
    row.attempts += 1
    row.last_error = error[:4000]
    row.claimed_at = row.claimed_by = None
    if final or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        row.status = OutboxStatus.FAILED
        return True
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now + backoff(row.attempts, config["MAIL_RETRY_BASE_SECONDS"])
    return False


def _release(rows: list[OutboxMessage], error: str) -> None:
    """Back to pending without counting an attempt: they were never handed to the server."""
    for row in rows:
        row.status = OutboxStatus.PENDING
        row.claimed_at = row.claimed_by = None
        row.last_error = error[:4000]


def _send_batch(rows: list[OutboxMessage], token: str, now: datetime, result: DispatchResult) -> bool:
    """Send claimed rows over one connection. False when the server could not be reached
    or the connection broke (the caller stops: the rest waits for the next run)."""
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    lease = config["MAIL_LEASE_SECONDS"]
    started = last_refresh = time.monotonic()
    transport = mailer.open_transport(config)
    try:
        with transport:
            for index, row in enumerate(rows):
                try:
                    text, html = sealed.open_bodies(row, now)
                except sealed.Unsendable as exc:  # e.g. a reset link that expired while queued
                    _mark_attempt_failed(row, now, exc.reason, final=True)
                    result.failed += 1
                    db.session.commit()
                    continue
                try:
                    message = mailer.build_message(row, sender, text=text, html=html)
                except (ValueError, TypeError) as exc:  # bad headers: no retry can fix them
                    _mark_attempt_failed(row, now, f"Mensaje inválido: {exc}", final=True)
                    result.failed += 1
                    db.session.commit()
                    continue
                try:
                    transport.send(message, row.to_email)
                except mailer.ConnectionLost as exc:
                    error = mailer.describe_error(exc)
                    log.warning("outbox: connection lost sending message %s to %s: %s", row.id, row.to_email, error)
                    if _mark_attempt_failed(row, now, error):
                        result.failed += 1
                    else:
                        result.retrying += 1
                    rest = rows[index + 1:]
                    _release(rest, f"Conexión interrumpida: {error}")
                    result.deferred += len(rest)
                    result.errors.append(error)
                    db.session.commit()
                    return False
                except Exception as exc:  # noqa: BLE001  (refused by the server: this message only)
                    error = mailer.describe_error(exc)
                    failed = _mark_attempt_failed(row, now, error)
                    log.warning("outbox: message %s to %s %s: %s", row.id, row.to_email,
                                "failed for good" if failed else f"will be retried (attempt {row.attempts})",
                                error)
                    if failed:
                        result.failed += 1
                    else:
                        result.retrying += 1
                    result.errors.append(error)
                    db.session.commit()
                    continue
                # Accepted by the server: record it before anything else can go wrong.
                _mark_sent(row, now)
                result.sent += 1
                if time.monotonic() - last_refresh > lease / 4:
                    # A long batch keeps its lease, so no other dispatcher takes its rows back.
                    last_refresh = time.monotonic()
                    db.session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.claimed_by == token, OutboxMessage.status == OutboxStatus.SENDING)
                        .values(claimed_at=now + timedelta(seconds=last_refresh - started))
                        .execution_options(synchronize_session=False)
                    )
                db.session.commit()
                log.info("outbox: sent message %s (%s) to %s", row.id, row.kind, row.to_email)
    except mailer.TransportUnavailable as exc:
        error = f"Servidor de correo no disponible: {exc}"
        log.warning("outbox: %s; %d message(s) stay pending", error, len(rows))
        _release(rows, error)
        result.deferred += len(rows)
        result.errors.append(error)
        db.session.commit()
        return False
    return True


def dispatch(now: datetime | None = None, *, batch_size: int | None = None,
             worker_id: str | None = None) -> DispatchResult:
    """Send every message due at ``now``: batches of ``batch_size``, one connection each.

    Commits as it goes (claims, then each message right after the server accepted it).
    Safe to run in several processes at once: each message is claimed by one of them.
    """
    config = current_app.config
    now = now or utcnow()
    batch_size = batch_size or config["MAIL_BATCH_SIZE"]
    worker_id = worker_id or default_worker_id()
    result = DispatchResult()
    result.recovered = recover_stale(now)
    db.session.commit()
    while True:
        token, rows = claim(now, batch_size=batch_size, worker_id=worker_id)
        if not rows or not _send_batch(rows, token, now, result):
            break
    if result.total or result.recovered:
        log.info("outbox dispatch by %s: %s", worker_id, result.summary())
    return result


# --- Administration -------------------------------------------------------------------------

def resend(message: OutboxMessage, now: datetime | None = None) -> None:
    """Queue a sent or failed message again: the same row (same Message-ID), never a copy.
    Flushes; raises ``InvalidTransition`` for a message that is pending or being sent."""
    if message.status not in (OutboxStatus.SENT, OutboxStatus.FAILED):
        raise InvalidTransition("Este mensaje ya está en cola para enviarse.")
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now or utcnow()
    message.last_error = None
    message.claimed_at = message.claimed_by = None
    db.session.flush()


def messages_query(status: str | None = None):
    """Newest first, optionally of one status."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return stmt


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {status: 0 for status in OutboxStatus.ALL}
    counts.update({status: n for status, n in rows})
    return counts
