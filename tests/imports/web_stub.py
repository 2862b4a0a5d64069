"""A stand-in for ``parse_acta`` in web import tests (``IMPORT_PARSER``), usable in the
sandbox child: it answers the expected parse of the sample corpus file with the same
bytes (the worker hands the parser the content-addressed copy, not the sample's path).
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from importers.acta_pdf import Acta, ActaParseError, ParseWarning

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "actas"
STUB = "tests.imports.web_stub:parse"


@lru_cache(maxsize=1)
def _by_hash() -> dict[str, Path]:
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in SAMPLES.glob("*.pdf")}


def expected_result(sample: Path | str) -> dict:
    """What the stub answers for a sample: its expected parse, one warning, a page per block."""
    return stub_acta(Path(sample)).to_result()


def stub_acta(sample: Path) -> Acta:
    expected = json.loads(sample.with_suffix(".json").read_text("utf-8"))
    if expected.get("expect") == "error":
        raise ActaParseError(expected["reason"])
    pages = max(1, expected["source"]["pages"])
    commitment_pages = {}
    for b, block in enumerate(expected["regions"]):
        for topic in block["topics"]:
            for c in topic["commitments"]:
                commitment_pages[(b, c["number"])] = min(pages, 1 + b)
    return Acta(source=expected["source"], meeting=expected["meeting"], attendees=expected["attendees"],
                regions=expected["regions"], other_topics=expected["other_topics"],
                observations=expected["observations"],
                warnings=[ParseWarning("place-guess", "meeting.place", "Lugar deducido de la línea de la fecha.")],
                commitment_pages=commitment_pages)


def parse(path, **_options) -> Acta:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    sample = _by_hash().get(digest)
    if sample is None:
        raise ActaParseError("not-acta")
    return stub_acta(sample)


DOUBTS = "tests.imports.web_stub:parse_with_doubts"


def parse_with_doubts(path, **options) -> Acta:
    """The sample's parse with what a hard acta leaves: no date, a regional government
    spelled past recognition, a gap in the numbering."""
    acta = parse(path, **options)
    acta.meeting = {**acta.meeting, "date": ""}
    printed = "GOBIERNO REGIONAL DEL KALLAO"
    acta.regions[1] = {**acta.regions[1], "region": printed}
    acta.warnings = [
        ParseWarning("date-missing", "meeting.date", "No se encontró la fecha de la sesión."),
        ParseWarning("region-unmatched", "regions.1.region",
                     f"No se reconoció el gobierno regional «{printed}»; elíjalo de la lista."),
        ParseWarning("numbering-gap", "regions.0.topics.0.commitments.0.number",
                     "La numeración de los compromisos salta del 0 al 2."),
    ]
    return acta


NO_SECTOR = "tests.imports.web_stub:parse_without_sector"


def parse_without_sector(path, **options) -> Acta:
    """The sample's parse from a PDF that names no sector."""
    acta = parse(path, **options)
    acta.meeting = {**acta.meeting, "sector": None}
    acta.warnings = [ParseWarning("sector-missing", "meeting.sector", "No se encontró el sector.")]
    return acta
