"""No published key: SECRET_KEY generated once per instance on SQLite, required otherwise;
INSTANCE_PATH moves the default database, files and mail folders."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gore_tracker import create_app
from gore_tracker.security import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


def _unset(instance: Path, **extra) -> dict:
    return {"TESTING": True, "SECRET_KEY": None, "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": None, "FILES_DIR": None, "MAIL_DIR": None, **extra}


def test_sqlite_without_key_generates_one_and_keeps_it(tmp_path):
    instance = tmp_path / "inst"
    app = create_app(_unset(instance))
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = app.config["SECRET_KEY"]
    assert len(key) >= 64 and key_file.read_text().strip() == key
    # A restart (or another worker) shares it; another instance gets its own.
    assert create_app(_unset(instance)).config["SECRET_KEY"] == key
    assert create_app(_unset(tmp_path / "other")).config["SECRET_KEY"] != key
    assert list(instance.glob(".secret_key.*")) == []  # no temporary file left


def test_instance_path_moves_the_defaults(tmp_path):
    instance = tmp_path / "inst"
    app = create_app(_unset(instance))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'gore_tracker.sqlite3'}"
    assert app.config["FILES_DIR"] == str(instance / "files")
    assert app.config["MAIL_DIR"] == str(instance / "mail")
    assert app.instance_path == str(instance)


def test_a_given_key_is_used_and_nothing_written(tmp_path):
    instance = tmp_path / "inst"
    app = create_app(_unset(instance, SECRET_KEY="k" * 64))
    assert app.config["SECRET_KEY"] == "k" * 64
    assert not (instance / "secret_key").exists()


def test_other_databases_refuse_to_start_without_a_key(tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        create_app(_unset(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@127.0.0.1:1/x"))
    message = str(caught.value)
    assert "SECRET_KEY" in message and "\n" not in message
    assert not (tmp_path / "secret_key").exists()


def test_a_broken_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("corta\n")
    with pytest.raises(ConfigurationError, match="secret_key"):
        create_app(_unset(tmp_path))


def test_the_cli_says_it_in_one_line(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "FLASK_APP": "wsgi",
           "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x", "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "flask", "users", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "SECRET_KEY no está definida" in result.stderr + result.stdout


def test_no_key_is_published():
    for path in (ROOT / "README.md", ROOT / "gore_tracker" / "config.py"):
        text = path.read_text("utf-8")
        assert "dev-only-insecure" not in text, path
