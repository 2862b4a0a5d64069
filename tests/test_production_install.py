"""The README's production install — a fresh virtual environment, the project installed
WITHOUT the ``dev`` extra — migrates, loads reference data, imports every module and
serves a page. Fails when code needs a package that ``dependencies`` does not list.

The checkout's runtime parts are copied first (pip writes build metadata into the tree
it installs). Skipped only when pip cannot reach a package index.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = {".git", ".venv", ".ci", "instance", "tests", "benchmarks", "test-artifacts", "build"}
OFFLINE = ("Failed to establish a new connection", "Temporary failure in name resolution",
           "Network is unreachable", "Max retries exceeded", "No route to host")

IMPORT_EVERYTHING = """
import importlib, pkgutil, gore_tracker, importers
assert gore_tracker.__file__.startswith({src!r}), gore_tracker.__file__
for package in (gore_tracker, importers):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
from gore_tracker import create_app
response = create_app().test_client().get("/login")
assert response.status_code == 200, response.status_code
print("login", response.status_code)
"""


def _run(args, *, cwd, env, timeout=900):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.mark.slow
def test_production_install_without_the_dev_extra_runs(tmp_path):
    src = tmp_path / "gore-tracker"
    shutil.copytree(ROOT, src, ignore=lambda folder, names: (
        NOT_SHIPPED & set(names) if Path(folder) == ROOT else
        {n for n in names if n in ("__pycache__", ".pytest_cache", ".ruff_cache") or n.endswith(".egg-info")}))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = str(venv / "bin" / "python")
    env = {key: value for key, value in os.environ.items()
           if key.startswith(("PIP_", "LANG", "LC_")) or key in ("HOME", "TMPDIR")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", PYTHONNOUSERSITE="1")
    installed = _run([python, "-m", "pip", "install", "--quiet", "-e", str(src)], cwd=tmp_path, env=env)
    if installed.returncode != 0 and any(sign in installed.stderr for sign in OFFLINE):
        pytest.skip(f"pip cannot reach a package index: {installed.stderr.strip().splitlines()[-1]}")
    assert installed.returncode == 0, installed.stderr[-3000:]

    env.update(SECRET_KEY="production-install-test-secret", FLASK_APP="wsgi", LOG_LEVEL="WARNING",
               DATABASE_URL=f"sqlite:///{tmp_path / 'gore.sqlite3'}", FILES_DIR=str(tmp_path / "files"),
               MAIL_DIR=str(tmp_path / "mail"))
    flask = str(venv / "bin" / "flask")
    for command in (["db", "upgrade"], ["refdata", "load"]):
        done = _run([flask, *command], cwd=src, env=env)
        assert done.returncode == 0, f"flask {' '.join(command)}:\n{done.stderr[-3000:]}"
    served = _run([python, "-c", IMPORT_EVERYTHING.format(src=str(src))], cwd=src, env=env)
    assert served.returncode == 0, served.stderr[-3000:]
    assert "login 200" in served.stdout
