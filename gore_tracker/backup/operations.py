"""Backups of one installation: the database and the stored files under ``FILES_DIR``,
in one archive (see ``archive``), made while the app runs and restored into an empty
installation.

Rows refer to files by SHA-256 and a file is written before the row that names it is
committed, so copying the database first and the files second is consistent: every row
in the copy finds its file in the same archive.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app

from . import archive, database
from .archive import DB_MEMBERS, FILE_MEMBER, BackupError

BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _files_dir() -> Path:
    return Path(current_app.config["FILES_DIR"])


def stored_files(root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every stored file under ``root``: ``ab/cd/<sha256>``.
    Hidden entries (temporary uploads, the import slots' lock files) are not data."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder, name)
            member = "files/" + path.relative_to(root).as_posix()
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                if not FILE_MEMBER.fullmatch(member):
                    raise BackupError(f"{path} no es un archivo guardado por la aplicación "
                                      f"(se esperaba {root}/ab/cd/<sha256>); muévalo fuera de FILES_DIR.")
                found.append((member, path))
    return found


def app_version() -> str:
    try:
        return version("gore-tracker")
    except PackageNotFoundError:
        return "desconocida"


def create_backup(path: Path) -> dict:
    """Write a backup archive to ``path`` and return its manifest."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} es una carpeta; indique el nombre del archivo (p. ej. {path}/gore.tar.gz).")
    if not path.parent.is_dir():
        raise BackupError(f"No existe la carpeta {path.parent}.")
    kind = database.backend()
    meta = {"app_version": app_version(), "backend": kind, "alembic_revision": database.current_revision(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".gore-backup-") as tmp:
        dumped = Path(tmp, DB_MEMBERS[kind])
        database.dump(dumped)
        members = [(DB_MEMBERS[kind], dumped), *stored_files(_files_dir())]
        return archive.write(path, members, meta)


def verify_backup(path: Path) -> dict:
    """Check every member of the archive against its manifest; return the manifest."""
    return archive.read(Path(path))


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    upgrade_needed: bool


def restore_backup(path: Path, *, force: bool = False) -> RestoreResult:
    """Replace this installation's database and stored files with the backup at ``path``.
    The target must be empty (a database with no rows, migrated or not, and no stored
    files) unless ``force``. The archive is verified before anything changes."""
    path = Path(path)
    manifest = archive.read(path)
    kind = database.backend()
    if manifest["backend"] != kind:
        raise BackupError(
            f"La copia es de {BACKEND_LABELS[manifest['backend']]} y esta instalación usa "
            f"{BACKEND_LABELS[kind]}: restáurela en una instalación con {BACKEND_LABELS[manifest['backend']]} "
            "(DATABASE_URL); no se convierte de una base de datos a otra.")
    upgrade_needed = _check_revision(manifest["alembic_revision"])
    root = _files_dir()
    if not force:
        _refuse_unless_empty(root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".restore-"))
    try:
        archive.read(path, _stage_into(staging))
        keep = _move_files(staging / "files", root)
        database.restore(staging / DB_MEMBERS[kind])
        if force:
            for _member, stale in stored_files(root):
                if stale.name not in keep:
                    stale.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(manifest, len(keep), upgrade_needed)


def _check_revision(revision: str | None) -> bool:
    """Refuse a backup made by a newer version of the code; say whether the restored
    database then needs ``flask db upgrade``."""
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    if revision is None:
        return True
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None or known.revision != revision:  # get_revision also takes a prefix
        raise BackupError(f"La copia tiene la revisión de esquema {revision}, que esta versión de la "
                          "aplicación no conoce: actualice el código antes de restaurarla.")
    return revision not in script.get_heads()


def _refuse_unless_empty(root: Path) -> None:
    tables = database.tables_with_rows()
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise BackupError(f"La base de datos de destino no está vacía (tablas con datos: {shown}); "
                          "use --force para reemplazar sus datos.")
    if root.is_dir() and stored_files(root):
        raise BackupError(f"La carpeta de archivos {root} no está vacía; use --force para reemplazar su contenido.")


def _stage_into(staging: Path):
    def sink(name: str):
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return open(target, "wb")
    return sink


def _move_files(staged: Path, root: Path) -> set[str]:
    names = set()
    for member, path in stored_files(staged) if staged.is_dir() else []:
        target = root / member.removeprefix("files/")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        names.add(path.name)
    return names
