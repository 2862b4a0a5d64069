"""Settings, read from environment variables with safe development defaults.

Every setting is listed in the README's configuration table. ``create_app(config)``
applies overrides (a dict or an object) on top of these.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def from_environment() -> dict:
    """Build the settings dict from the process environment."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'gore_tracker.sqlite3'}"
        ),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "FILES_DIR": os.environ.get("FILES_DIR", str(INSTANCE / "files")),
        "TIMEZONE": os.environ.get("TIMEZONE", "America/Lima"),
        # Evidence files (commitment updates) and whole requests.
        "EVIDENCE_MAX_BYTES": _int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024),
        # Acta PDF import: upload cap, and the limits of the child process that parses
        # (address space, CPU, wall clock, pages) and of OCR for scanned actas.
        "IMPORT_MAX_BYTES": _int("IMPORT_MAX_BYTES", 50 * 1024 * 1024),
        "IMPORT_MAX_FILES": _int("IMPORT_MAX_FILES", 10),  # PDFs in one web upload
        "IMPORT_WORKERS": _int("IMPORT_WORKERS", 2),  # web uploads parsed at the same time
        "PARSE_MAX_MEMORY": _int("PARSE_MAX_MEMORY", 1024 * 1024 * 1024),
        "PARSE_CPU_SECONDS": _int("PARSE_CPU_SECONDS", 60),
        "PARSE_WALL_SECONDS": _int("PARSE_WALL_SECONDS", 90),
        "PARSE_MAX_PAGES": _int("PARSE_MAX_PAGES", 300),
        # Refused before parsing (importers.acta_pdf.probe): characters on one page, the
        # longer side of a page in points, one inflated stream (0: a quarter of the memory).
        "PARSE_MAX_GLYPHS": _int("PARSE_MAX_GLYPHS", 50_000),
        "PARSE_MAX_PAGE_SIDE": _int("PARSE_MAX_PAGE_SIDE", 5080),
        "PARSE_MAX_STREAM_BYTES": _int("PARSE_MAX_STREAM_BYTES", 0) or None,
        # Office files in ZIP containers (importers.office.probe): uncompressed total, entries,
        # and the largest compression ratio of an entry over 1 MiB; beyond them, a zip bomb.
        "OFFICE_MAX_UNCOMPRESSED_BYTES": _int("OFFICE_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024),
        "OFFICE_MAX_ENTRIES": _int("OFFICE_MAX_ENTRIES", 10_000),
        "OFFICE_MAX_RATIO": _int("OFFICE_MAX_RATIO", 200),
        "OCR_SECONDS_PER_PAGE": _int("OCR_SECONDS_PER_PAGE", 60),
        "OCR_MAX_SECONDS": _int("OCR_MAX_SECONDS", 900),
        "PER_PAGE_DEFAULT": _int("PER_PAGE_DEFAULT", 25),
        "PER_PAGE_MAX": _int("PER_PAGE_MAX", 200),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_ENABLED": _bool("WTF_CSRF_ENABLED", True),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "America/Lima"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # werkzeug's password hashing method; tests use a cheap one.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Outgoing mail. Without MAIL_SERVER, messages are written as .eml files under MAIL_DIR.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),  # STARTTLS on a plain connection (587)
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),  # TLS from the start (465)
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER",
                                              "GORE Tracker <no-responder@localhost>"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(INSTANCE / "mail")),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),  # seconds, each SMTP command
        "MAIL_BATCH_SIZE": _int("MAIL_BATCH_SIZE", 50),  # messages per SMTP connection
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 6),  # then the message is marked failed
        "MAIL_RETRY_BASE_SECONDS": _int("MAIL_RETRY_BASE_SECONDS", 60),  # doubled after each failure
        # A message left "sending" longer than this (a dispatcher died) is sent again.
        "MAIL_LEASE_SECONDS": _int("MAIL_LEASE_SECONDS", 600),
        # The scheduler process (`flask scheduler run`): times in SCHEDULER_TIMEZONE.
        "SCHEDULER_TIMEZONE": os.environ.get("SCHEDULER_TIMEZONE",
                                             os.environ.get("TIMEZONE", "America/Lima")),
        "SCHEDULER_REMINDERS_TIME": os.environ.get("SCHEDULER_REMINDERS_TIME", "08:00"),  # daily
        "SCHEDULER_DIGEST_DAY": os.environ.get("SCHEDULER_DIGEST_DAY", "mon"),
        "SCHEDULER_DIGEST_TIME": os.environ.get("SCHEDULER_DIGEST_TIME", "07:00"),
        "SCHEDULER_DISPATCH_SECONDS": _int("SCHEDULER_DISPATCH_SECONDS", 60),
        "SCHEDULER_HEARTBEAT_SECONDS": _int("SCHEDULER_HEARTBEAT_SECONDS", 60),
        "SCHEDULER_MISFIRE_GRACE_SECONDS": _int("SCHEDULER_MISFIRE_GRACE_SECONDS", 3600),
        # Admin pages warn when the scheduler's heartbeat is older than this.
        "SCHEDULER_STALE_MINUTES": _int("SCHEDULER_STALE_MINUTES", 15),
    }
