"""Settings, read from environment variables with safe development defaults.

Every setting is listed in the README's configuration table. ``create_app(config)``
applies overrides (a dict or an object) on top of these.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"  # the default INSTANCE_PATH
REMEMBER_DAYS_MAX = 30


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
    secure = _bool("SESSION_COOKIE_SECURE", False)
    return {
        # No default: unset, create_app generates one kept in <INSTANCE_PATH>/secret_key
        # (SQLite only) or refuses to start (any other database). See secret_key.py.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        # Where the default SQLite database, stored files, mail and the generated key live.
        "INSTANCE_PATH": os.environ.get("INSTANCE_PATH") or str(INSTANCE),
        # These three default to places under INSTANCE_PATH (filled in by create_app).
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or None,
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "FILES_DIR": os.environ.get("FILES_DIR") or None,
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
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (ProxyFix):
        # the client address the audit trail and the login limits see.
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        # Strict-Transport-Security, sent only when SESSION_COOKIE_SECURE is on (gore_tracker/headers.py).
        "HSTS_MAX_AGE": _int("HSTS_MAX_AGE", 31536000),  # one year, in seconds
        "HSTS_INCLUDE_SUBDOMAINS": _bool("HSTS_INCLUDE_SUBDOMAINS", True),
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A session without «Recordarme» ends after this many idle minutes: every session is
        # permanent with this lifetime and re-signed on each request, and Flask refuses a
        # cookie whose signed timestamp is older (PERMANENT_SESSION_LIFETIME, set by create_app).
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 120),
        # Flask-Login's remember-me cookie; its lifetime is also the longest any sign-in lasts
        # (users/sessions.py refuses older ones), capped at 30 days.
        # (environment: days; in a config override also a timedelta).
        "REMEMBER_COOKIE_DURATION": timedelta(days=_int("REMEMBER_COOKIE_DURATION", REMEMBER_DAYS_MAX)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
        "API_TOKEN_DAYS": _int("API_TOKEN_DAYS", 365),
        # Login protection (Flask-Limiter). memory:// is per process: use Redis
        # (redis://host:6379/N) as soon as more than one worker serves the app.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "gore_tracker"),
        "RATELIMIT_STRATEGY": "moving-window",
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_FAILURES_PER_IP": os.environ.get("LOGIN_FAILURES_PER_IP", "20 per 15 minutes"),
        "API_TOKEN_FAILURES_PER_IP": os.environ.get("API_TOKEN_FAILURES_PER_IP", "20 per 15 minutes"),
        # Roles that must sign in with a second factor (TOTP), comma-separated, e.g. "admin,coordinator".
        "MFA_REQUIRED_ROLES": [r.strip() for r in os.environ.get("MFA_REQUIRED_ROLES", "").split(",") if r.strip()],
        "WTF_CSRF_ENABLED": _bool("WTF_CSRF_ENABLED", True),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "America/Lima"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # werkzeug's password hashing method; tests use a cheap one.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Password reset by e-mail (/recuperar): how long a link works, mails per address and hour.
        "RESET_LINK_MINUTES": _int("RESET_LINK_MINUTES", 60),
        "RESET_MAX_PER_HOUR": _int("RESET_MAX_PER_HOUR", 3),
        # Outgoing mail. Without MAIL_SERVER, messages are written as .eml files under MAIL_DIR.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),  # STARTTLS on a plain connection (587)
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),  # TLS from the start (465)
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER",
                                              "GORE Tracker <no-responder@localhost>"),
        "MAIL_DIR": os.environ.get("MAIL_DIR") or None,
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
