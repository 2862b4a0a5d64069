"""The result of parsing an acta and the errors a parse can end in.

Shared contract between the parser, the sandboxed runner, the CLI and the web import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "gore-acta/1"

# Reason codes of ActaParseError (stable: the CLI, the web import and tests rely on them).
REASONS = {
    "empty": "El archivo está vacío.",
    "not-pdf": "El archivo no es un PDF.",
    "truncated": "El PDF está incompleto o dañado.",
    "encrypted": "El PDF está protegido con contraseña; quite la protección y vuelva a intentarlo.",
    "not-acta": "El PDF no parece un acta de compromisos (no se encontraron sus secciones).",
    "too-many-pages": "El PDF tiene demasiadas páginas.",
    "page-too-large": "El PDF tiene páginas de tamaño excesivo.",
    "too-complex": "El PDF tiene páginas demasiado complejas para procesarlas.",
    "bomb": "El PDF contiene datos comprimidos anormalmente grandes.",
    "circular": "El PDF contiene objetos gráficos que se incluyen a sí mismos (referencia circular).",
    "timeout": "El procesamiento del PDF tardó demasiado y se detuvo.",
    "memory": "El procesamiento del PDF requirió demasiada memoria y se detuvo.",
    "ocr-unavailable": "El PDF es escaneado y el reconocimiento de texto (OCR) no está instalado.",
    "ocr-failed": "No se pudo reconocer el texto del PDF escaneado.",
    "failed": "No se pudo leer el PDF.",
}


class ActaParseError(Exception):
    """A file that cannot be read as an acta: ``reason`` (a REASONS key), ``page`` when
    known (1-based), and a Spanish ``message`` for people."""

    def __init__(self, reason: str, page: int | None = None, message: str | None = None):
        self.reason = reason
        self.page = page
        self.message = message or REASONS.get(reason, REASONS["failed"])
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" (página {self.page})" if self.page else ""
        return f"{self.message}{where}"

    def to_dict(self) -> dict:
        return {"reason": self.reason, "page": self.page, "message": self.message}


@dataclass
class ParseWarning:
    """Something the parser was unsure of. ``field`` is a dotted path into the gore-acta/1
    document ("meeting.sector", "regions.2.region", "regions.0.topics.1.commitments.0.due")."""

    code: str          # e.g. "region-unmatched", "sector-unmatched", "date-missing", "numbering-gap", "ocr"
    field: str | None
    message: str       # Spanish, shown beside the field in the review form

    def to_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass
class Acta:
    """A parsed acta. ``to_dict()`` is exactly the gore-acta/1 document."""

    source: dict[str, Any]
    meeting: dict[str, Any]
    attendees: list[dict[str, Any]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    other_topics: list[dict[str, Any]] = field(default_factory=list)
    observations: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list)
    # (index of the region block, commitment number) -> 1-based page it was read from.
    commitment_pages: dict[tuple[int, int], int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "source": self.source,
            "meeting": self.meeting,
            "attendees": self.attendees,
            "regions": self.regions,
            "other_topics": self.other_topics,
            "observations": self.observations,
        }

    def to_result(self) -> dict[str, Any]:
        """Everything the importer needs, JSON-serialisable (crosses the process boundary)."""
        return {
            "acta": self.to_dict(),
            "warnings": [w.to_dict() for w in self.warnings],
            "commitment_pages": [
                {"block": b, "number": n, "page": p} for (b, n), p in sorted(self.commitment_pages.items())
            ],
        }
