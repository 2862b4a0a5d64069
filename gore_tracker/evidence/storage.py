"""Content-addressed file store under ``FILES_DIR`` with type decided by content.

Bytes are written once per SHA-256 (``ab/cd/abcd…``), atomically (temporary file,
then rename). A rolled-back transaction may leave bytes no row points to; they are
harmless and a later upload of the same content reuses them.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app

from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from importers.office import KINDS as OFFICE_KINDS
from importers.office import OfficeFileError, OfficeLimits, probe_office

from .models import StoredFile

# Extension decided by content -> MIME type. PDF, images and Office documents only.
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
ALLOWED_LABEL = "PDF, imágenes (JPG, PNG, GIF, WebP) o documentos de Office (Word, Excel, PowerPoint, OpenDocument)"


def sniff(head: bytes) -> str | None:
    """The allowed extension for these leading bytes, or None."""
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        return None
    return kind.extension


def office_limits() -> OfficeLimits:
    """The limits of the Office probe, from the settings."""
    cfg = current_app.config
    return OfficeLimits(max_total_bytes=cfg["OFFICE_MAX_UNCOMPRESSED_BYTES"],
                        max_entries=cfg["OFFICE_MAX_ENTRIES"], max_ratio=cfg["OFFICE_MAX_RATIO"])


def check_office(data: bytes, ext: str, name: str, field: str) -> None:
    """Office ZIP files must be what they claim and safe to open (not a zip bomb…)."""
    try:
        probe_office(data, ext, office_limits())
    except OfficeFileError as exc:
        raise ValidationFailed("Archivo de Office no válido.",
                               {field: [f"El archivo «{name}» {exc.message}"]}) from exc


def files_dir() -> Path:
    return Path(current_app.config["FILES_DIR"])


def path_for(sha256: str) -> Path:
    return files_dir() / sha256[:2] / sha256[2:4] / sha256


def _read_capped(stream: BinaryIO, cap: int) -> bytes:
    data = stream.read(cap + 1)
    return data if isinstance(data, bytes) else bytes(data)


def store(stream: BinaryIO, original_name: str, *, uploaded_by=None, field: str = "evidence",
          max_bytes: int | None = None, allowed: set[str] | None = None) -> StoredFile:
    """Check size and type, write the bytes and add a ``StoredFile`` row (flushed)."""
    cap = max_bytes if max_bytes is not None else current_app.config["EVIDENCE_MAX_BYTES"]
    name = os.path.basename((original_name or "").replace("\\", "/")).strip() or "archivo"
    data = _read_capped(stream, cap)
    if len(data) == 0:
        raise ValidationFailed("Archivo vacío.", {field: [f"El archivo «{name}» está vacío."]})
    if len(data) > cap:
        mb = cap / (1024 * 1024)
        raise ValidationFailed(
            "Archivo demasiado grande.",
            {field: [f"El archivo «{name}» supera el máximo de {mb:g} MB."]},
        )
    ext = sniff(data[:8192])
    if ext is None or (allowed is not None and ext not in allowed):
        raise ValidationFailed(
            "Tipo de archivo no permitido.",
            {field: [f"«{name}» no es un tipo permitido: {ALLOWED_LABEL}."]},
        )
    if ext in OFFICE_KINDS:
        check_office(data, ext, name, field)
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    row = StoredFile(sha256=digest, size=len(data), content_type=ALLOWED[ext], extension=ext,
                     original_name=name[:255], uploaded_by=uploaded_by)
    db.session.add(row)
    db.session.flush()
    return row
