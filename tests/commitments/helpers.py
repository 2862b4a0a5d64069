"""Helpers for the commitments UI tests: file contents and submitting the update form."""
from __future__ import annotations

import io
import re

from tests.conftest import csrf_from

# A small but valid PDF and PNG, and text that claims to be a PDF.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
             b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
             b"\x00\x00\x00IEND\xaeB`\x82")
TEXT_BYTES = b"Informe de avance: se instalo la planta.\n" * 20


VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def form_version(html: str) -> str | None:
    match = VERSION_RE.search(html)
    return (match.group(1) or match.group(2)) if match else None


def post_update(client, commitment_id: int, data: dict | None = None, *, files=(), version=None):
    """Open the commitment page (for its CSRF token and version) and submit the update form.

    ``files`` is a sequence of ``(bytes, filename)``.
    """
    html = client.get(f"/compromisos/{commitment_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(html),
            "version": str(version if version is not None else (form_version(html) or "1"))}
    form.update(data or {})
    if files:
        form["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/compromisos/{commitment_id}/actualizar", data=form,
                       content_type="multipart/form-data")
