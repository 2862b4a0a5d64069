"""GORE Tracker: follow-up of the commitments of GORE Ejecutivo and similar sessions."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from . import config as settings
from . import security
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Application factory. ``config`` is a dict or object of settings overrides."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings.INSTANCE),
    )
    # Before any route is added: every <int:…> in every blueprint matches only 1…2³¹−1.
    from .utils.numbers import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_mapping(settings.from_environment())
    if config is not None:
        if isinstance(config, dict):
            app.config.from_mapping(config)
        else:
            app.config.from_object(config)
    security.apply_instance_defaults(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # Heroku-style URLs
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgres://"):]
    elif uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    security.ensure_secret_key(app)
    security.apply_session_settings(app)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: "es",
                   timezone_selector=lambda: app.config["TIMEZONE"])
    bootstrap.init_app(app)
    _sqlite_pragmas(app)

    from . import headers

    headers.init_app(app)

    from . import models  # noqa: F401  (register every mapper)
    from .errors import register_error_handlers
    from .templating import register_template_helpers

    register_error_handlers(app)
    _reject_unstorable_text(app)
    register_template_helpers(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _sqlite_pragmas(app: Flask) -> None:
    """Enforce foreign keys on SQLite, as PostgreSQL does."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(_sqlite_pragmas, "installed", False):
        return

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    _sqlite_pragmas.installed = True


def _reject_unstorable_text(app: Flask) -> None:
    """Web paths, forms and query strings (names and values) with NUL or invalid Unicode get a
    clear 400, not a 500 from the database (the API names the offending field itself)."""
    from flask import abort, request

    from .utils.text import bad_text

    @app.before_request
    def _check():
        if request.path.startswith("/api/"):
            return None

        def every(multidict):  # names and every value, repeated ones included
            for name, items in multidict.lists():
                yield name
                yield from items

        values = [request.path, *every(request.args)]
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*every(request.form), *request.files.keys()]
            values += [f.filename or "" for _, files in request.files.lists() for f in files]
        if any(isinstance(v, str) and bad_text(v) for v in values):
            abort(400, "bad_text")
        return None


def _register_blueprints(app: Flask) -> None:
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .audit.views import bp as audit_bp
    from .api import bp as api_bp
    from .auth.mfa import bp as mfa_bp
    from .auth.views import bp as auth_bp
    from .commitments.views import bp as commitments_bp
    from .evidence.views import bp as evidence_bp
    from .home.views import bp as home_bp
    from .imports.views import bp as imports_bp
    from .meetings.views import bp as meetings_bp
    from .notifications.user_views import bp as mail_bp
    from .notifications.views import bp as outbox_bp

    for bp in (auth_bp, mfa_bp, account_bp, home_bp, meetings_bp, commitments_bp, evidence_bp, admin_bp, audit_bp,
               imports_bp, outbox_bp, mail_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # token-authenticated, no cookies
    app.register_blueprint(api_bp)


def _register_cli(app: Flask) -> None:
    from .backup.cli import backup_cli
    from .demo.cli import demo_cli
    from .imports.cli import actas_cli
    from .notifications.cli import outbox_cli
    from .notifications.cli_jobs import digest_cli, reminders_cli
    from .organizations.cli import refdata_cli
    from .scheduler.cli import scheduler_cli
    from .users.cli import users_cli

    for group in (refdata_cli, users_cli, demo_cli, actas_cli, outbox_cli, scheduler_cli, reminders_cli,
                  digest_cli, backup_cli):
        app.cli.add_command(group)
