"""Forms of the web import: the upload (one or several PDFs) and the small action forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField


class UploadForm(FlaskForm):
    # Type and size are decided per file by the file store (by content, not by name).
    files = MultipleFileField("Actas en PDF", render_kw={"accept": ".pdf,application/pdf", "multiple": True})

    def uploads(self) -> list:
        """The files actually chosen (browsers send one empty part when none is)."""
        return [f for f in (self.files.data or []) if f is not None and getattr(f, "filename", "")]


class ActionForm(FlaskForm):
    """Discard / retry buttons: only the CSRF token."""
