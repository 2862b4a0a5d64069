"""The backup archive: a gzip-compressed tar with the database copy, the stored files and
``manifest.json`` (the last member) listing every other member with its size and SHA-256.

Member names are fixed: ``database.sqlite3`` or ``database.pgdump``, and
``files/ab/cd/abcd…`` (the layout of ``FILES_DIR``, each file named by its SHA-256).
Anything else in an archive — another name, a link, a directory entry, a duplicate —
makes it invalid, so reading never writes outside the target folders.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

FORMAT = "gore-backup/1"
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FILE_MEMBER = re.compile(r"files/([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})")
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
META_KEYS = ("format", "app_version", "backend", "alembic_revision", "created_at", "members")


class BackupError(Exception):
    """A backup could not be made, read or restored; the message is one line for the user."""


def _hashing_copy(src: BinaryIO, dst: BinaryIO | None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if dst is not None:
            dst.write(chunk)
    return size, digest.hexdigest()


class _HashingReader:
    """Wraps a file so that what tarfile reads from it is hashed on the way."""

    def __init__(self, fh: BinaryIO):
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def write(path: Path, members: Iterable[tuple[str, Path]], meta: dict) -> dict:
    """Write ``members`` (archive name, source file) and the manifest to ``path``, atomically:
    into a temporary file beside it, renamed into place only when complete."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    listed = []
    try:
        with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tar:
            for name, source in members:
                with open(source, "rb") as fh:
                    info = tar.gettarinfo(fileobj=fh, arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o644
                    reader = _HashingReader(fh)
                    tar.addfile(info, reader)
                if reader.size != info.size:
                    raise BackupError(f"El archivo {source} cambió mientras se copiaba.")
                sha = reader.digest.hexdigest()
                match = FILE_MEMBER.fullmatch(name)
                if match and match.group(3) != sha:
                    raise BackupError(f"El archivo guardado {source} está dañado: su contenido no "
                                      "coincide con su nombre (SHA-256).")
                listed.append({"name": name, "size": info.size, "sha256": sha})
            manifest = dict(meta, format=FORMAT, members=listed)
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, _BytesReader(data))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n is None or n < 0 else self.pos + n
        chunk, self.pos = self.data[self.pos:end], min(end, len(self.data))
        return chunk


Sink = Callable[[str], BinaryIO | None]


def read(path: Path, sink: Sink | None = None) -> dict:
    """Read the whole archive, check every member against the manifest and return the
    manifest. ``sink(name)`` may return an open file to copy that member's bytes into (or
    None to skip it); the copy is only trustworthy once this returns without error."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"No existe el archivo {path}.")
    if not path.is_file():
        raise BackupError(f"{path} no es un archivo.")
    try:
        return _read(path, sink)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"{path} no es una copia de seguridad legible (archivo dañado, truncado "
                          f"o de otro tipo: {str(exc) or type(exc).__name__}).") from exc


def _read(path: Path, sink: Sink | None) -> dict:
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    with tarfile.open(path, "r|gz") as tar:
        for info in tar:
            name = info.name
            if name in seen or (name == MANIFEST and manifest is not None):
                raise BackupError(f"La copia {path} no es válida: el miembro {name} aparece dos veces.")
            if not info.isfile() or not (name == MANIFEST or name in DB_MEMBERS.values()
                                         or FILE_MEMBER.fullmatch(name)):
                raise BackupError(f"La copia {path} no es válida: contiene un miembro inesperado ({name}).")
            fh = tar.extractfile(info)
            if name == MANIFEST:
                if info.size > MANIFEST_MAX_BYTES:
                    raise BackupError(f"La copia {path} no es válida: manifest.json es demasiado grande.")
                manifest = _parse_manifest(path, fh.read())
                continue
            out = sink(name) if sink else None
            try:
                seen[name] = _hashing_copy(fh, out)
            finally:
                if out is not None:
                    out.close()
    if manifest is None:
        raise BackupError(f"La copia {path} no es válida: le falta manifest.json.")
    _check(path, manifest, seen)
    return manifest


def _parse_manifest(path: Path, data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or any(key not in manifest for key in META_KEYS) or not all(
            isinstance(manifest[key], str) for key in ("format", "app_version", "backend", "created_at")) \
            or not isinstance(manifest["alembic_revision"], (str, type(None))):
        raise BackupError(f"La copia {path} no es válida: manifest.json está dañado.")
    if manifest["format"] != FORMAT:
        raise BackupError(f"La copia {path} tiene un formato desconocido ({manifest['format']!r}; "
                          f"se esperaba {FORMAT}).")
    if manifest["backend"] not in DB_MEMBERS:
        raise BackupError(f"La copia {path} es de una base de datos desconocida ({manifest['backend']!r}).")
    members = manifest["members"]
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("size"), int)
            and isinstance(m.get("sha256"), str) for m in members):
        raise BackupError(f"La copia {path} no es válida: la lista de miembros de manifest.json está dañada.")
    return manifest


def _check(path: Path, manifest: dict, seen: dict[str, tuple[int, str]]) -> None:
    listed = {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]}
    if len(listed) != len(manifest["members"]):
        raise BackupError(f"La copia {path} no es válida: manifest.json repite un miembro.")
    database = DB_MEMBERS[manifest["backend"]]
    if database not in listed:
        raise BackupError(f"La copia {path} no es válida: le falta la base de datos ({database}).")
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"La copia {path} está incompleta: falta {name}.")
        if name not in listed:
            raise BackupError(f"La copia {path} no es válida: {name} no figura en manifest.json.")
        if seen[name] != listed[name]:
            raise BackupError(f"La copia {path} está dañada o fue modificada: {name} no coincide con "
                              "su tamaño o SHA-256 en manifest.json.")
        match = FILE_MEMBER.fullmatch(name)
        if match and match.group(3) != seen[name][1]:
            raise BackupError(f"La copia {path} está dañada: el contenido de {name} no coincide con su nombre.")
        if name != database and not match:
            raise BackupError(f"La copia {path} no es válida: {name} no corresponde a una copia de "
                              f"{manifest['backend']}.")
