"""GET /files/<id>: download an evidence file or source acta with the bearer token."""
from __future__ import annotations

from flask import send_file

from gore_tracker.evidence import storage
from gore_tracker.evidence.models import StoredFile
from gore_tracker.exceptions import NotFound
from gore_tracker.extensions import db
from gore_tracker.headers import file_download

from . import bp


@bp.get("/files/<int:file_id>")
@file_download
def download_file(file_id: int):
    row = db.session.get(StoredFile, file_id)
    path = storage.path_for(row.sha256) if row is not None else None
    if path is None or not path.exists():
        raise NotFound(f"No existe el archivo {file_id}.")
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.original_name, conditional=True, etag=row.sha256)
