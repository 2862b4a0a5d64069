"""GET /files/<id>: download an evidence file or source acta with the bearer token
(only those who may see what it belongs to; anyone else gets 404)."""
from __future__ import annotations

from flask import send_file

from gore_tracker.evidence import storage
from gore_tracker.evidence.queries import downloadable_file
from gore_tracker.exceptions import NotFound
from gore_tracker.headers import file_download

from . import bp
from .auth import current_user


@bp.get("/files/<int:file_id>")
@file_download
def download_file(file_id: int):
    row = downloadable_file(file_id, current_user())
    if row is None:  # missing, or not this account's to see: the same answer
        raise NotFound(f"No existe el archivo {file_id}.")
    path = storage.path_for(row.sha256)
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.original_name, conditional=True, etag=row.sha256)
