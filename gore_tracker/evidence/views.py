"""Downloading stored files (evidence and source actas); any signed-in user may."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import login_required

from gore_tracker.extensions import db
from gore_tracker.headers import file_download

from . import storage
from .models import StoredFile

bp = Blueprint("evidence", __name__)


@bp.route("/archivos/<int:file_id>/<path:name>")
@bp.route("/archivos/<int:file_id>")
@file_download
@login_required
def download(file_id: int, name: str | None = None):
    row = db.session.get(StoredFile, file_id)
    if row is None:
        abort(404)
    path = storage.path_for(row.sha256)
    if not path.exists():
        abort(404)
    inline = row.content_type == "application/pdf" or row.content_type.startswith("image/")
    return send_file(path, mimetype=row.content_type, as_attachment=not inline,
                     download_name=row.original_name, conditional=True, etag=row.sha256)
