"""Start-up security settings: the secret key, the instance folder, session lifetimes.

``SECRET_KEY`` is never a value printed anywhere. Unset with SQLite (one host: ``make run``,
a small install), a random key is generated once and kept in ``<INSTANCE_PATH>/secret_key``
(mode 600), so restarts and the worker processes share it. Unset with any other database
(several hosts, which must share one key) the app refuses to start.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from .config import REMEMBER_DAYS_MAX

KEY_FILE = "secret_key"


class ConfigurationError(SystemExit):
    """A setting the app cannot start without: one clear line, no traceback."""

    def __init__(self, message: str):
        super().__init__(f"GORE Tracker no puede iniciar: {message}")


def apply_instance_defaults(app: Flask) -> None:
    """Default database, files and mail folders under INSTANCE_PATH."""
    instance = Path(app.config.get("INSTANCE_PATH") or app.instance_path)
    app.config["INSTANCE_PATH"] = str(instance)
    app.instance_path = str(instance)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'gore_tracker.sqlite3'}"
    if not app.config.get("FILES_DIR"):
        app.config["FILES_DIR"] = str(instance / "files")
    if not app.config.get("MAIL_DIR"):
        app.config["MAIL_DIR"] = str(instance / "mail")


def ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigurationError(
            "SECRET_KEY no está definida. Con una base de datos distinta de SQLite todas las "
            "instancias deben compartir una clave: defina SECRET_KEY (por ejemplo, "
            "python3 -c 'import secrets; print(secrets.token_hex(32))').")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri in ("sqlite://", "sqlite:///:memory:"):  # a database that dies with the process
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    app.config["SECRET_KEY"] = _instance_key(Path(app.config["INSTANCE_PATH"]) / KEY_FILE)


def _instance_key(path: Path) -> str:
    """The key kept in ``path``, created (mode 600, never overwritten) on first use.

    Written to a temporary file and hard-linked into place, so two processes starting at
    once agree on one key and none reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            tmp.unlink()
    key = path.read_text("ascii").strip()
    if len(key) < 32:
        raise ConfigurationError(f"el archivo {path} no contiene una clave válida; bórrelo o defina SECRET_KEY.")
    return key


def apply_session_settings(app: Flask) -> None:
    """Idle timeout for sessions and a capped remember-me cookie."""
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=int(app.config["SESSION_IDLE_MINUTES"]))
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    duration = app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=REMEMBER_DAYS_MAX)
    if not isinstance(duration, timedelta):
        duration = timedelta(seconds=int(duration))
    app.config["REMEMBER_COOKIE_DURATION"] = min(duration, timedelta(days=REMEMBER_DAYS_MAX))
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.config["REMEMBER_COOKIE_SECURE"] = True

    from flask import request, session
    from flask.sessions import SecureCookieSessionInterface

    class _NoCookieOnApi(SecureCookieSessionInterface):
        """The token-only API never re-signs (or sets) the browser's session cookie."""

        def should_set_cookie(self, app, session) -> bool:
            if request.path.startswith("/api/"):
                return False
            return super().should_set_cookie(app, session)

    app.session_interface = _NoCookieOnApi()

    @app.before_request
    def _sessions_are_permanent():
        # Flask refuses a session cookie whose signed timestamp is older than
        # PERMANENT_SESSION_LIFETIME (itsdangerous max_age), permanent or not; a permanent
        # session is re-signed on every request, so the timestamp is the last activity.
        # (The API is token-only and never gets a cookie; an empty session gets none either.)
        if session and not session.permanent and not request.path.startswith("/api/"):
            session.permanent = True
