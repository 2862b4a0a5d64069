"""Downloading stored files (evidence and source actas): only by those who may see what the
file belongs to (``permissions.can_download_file``); anyone else gets the same 404 as a missing id."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from gore_tracker.headers import file_download

from . import storage
from .queries import downloadable_file

bp = Blueprint("evidence", __name__)


@bp.route("/archivos/<int:file_id>/<path:name>")
@bp.route("/archivos/<int:file_id>")
@file_download
@login_required
def download(file_id: int, name: str | None = None):
    row = downloadable_file(file_id, current_user)
    if row is None:
        abort(404)
    path = storage.path_for(row.sha256)
    inline = row.content_type == "application/pdf" or row.content_type.startswith("image/")
    return send_file(path, mimetype=row.content_type, as_attachment=not inline,
                     download_name=row.original_name, conditional=True, etag=row.sha256)
