"""``parse_acta`` once per file per test session, shared by every pytest-xdist worker and by
the sandbox children they start (``flask actas parse/import`` with ``IMPORT_PARSER`` set to
``tests.parse_cache:parse_acta``).

The corpus files are parsed by several tests: exactly against their .json, through the CLI,
imported twice…; scans go through OCR each time (tens of seconds). Here a successful parse is
written to a folder that all the processes of one session share (``PARSE_CACHE_ENV``, set by
tests/conftest.py), under a key made of the file's SHA-256, a hash of the parser's source
(importers/acta_pdf) and the options that can change a result. The folder lives as long as the
session's temporary directory, so every run still parses every file at least once.

Errors are never stored: a file that fails is parsed again each time, so the tests of limits,
timeouts and hostile files always meet the real parser. Time limits are left out of the key (a
parse that succeeded gives the same result under any time limit), so a parse made in-process
with the defaults serves the CLI's parse made under the sandbox's limits. Only tests that ask
for it use the cache: ``parsed(path)`` below, or ``IMPORT_PARSER = CACHED_PARSER``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from importers.acta_pdf import Acta, ParseWarning
from importers.acta_pdf import parse_acta as real_parse_acta

PARSE_CACHE_ENV = "GORE_TEST_PARSE_CACHE"
CACHED_PARSER = "tests.parse_cache:parse_acta"
# xdist_group of the tests that OCR the sample scans and of those that reuse their parses: one
# worker runs them in collection order, so a scan is OCR'd once, not on two workers at once
# (``make test`` runs pytest with ``--dist loadgroup``).
SCANS_GROUP = "acta-scans"
PARSER_SOURCE = Path(__file__).resolve().parent.parent / "importers" / "acta_pdf"
# options that bound time, not the result of a parse that finished
_TIME_OPTIONS = {"timeout", "ocr_timeout", "ocr_page_timeout"}


@functools.lru_cache(maxsize=1)
def parser_version() -> str:
    digest = hashlib.sha256()
    for source in sorted(PARSER_SOURCE.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def _key(path: Path, options: dict) -> str:
    from importers.acta_pdf.parser import DEFAULTS

    relevant = {k: v for k, v in {**DEFAULTS, **options}.items() if k not in _TIME_OPTIONS}
    relevant["filename"] = relevant["filename"] or path.name  # source.filename: same bytes, other names
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    spec = json.dumps(relevant, sort_keys=True, default=repr)
    return hashlib.sha256(f"{digest}\0{parser_version()}\0{spec}".encode()).hexdigest()


def acta_from_result(result: dict) -> Acta:
    """The ``Acta`` back from its ``to_result()`` (what crosses the sandbox's process boundary)."""
    document = {k: v for k, v in result["acta"].items() if k != "format"}
    return Acta(**document, warnings=[ParseWarning(**w) for w in result["warnings"]],
                commitment_pages={(p["block"], p["number"]): p["page"] for p in result["commitment_pages"]})


def parse_acta(path, **options) -> Acta:
    """``importers.acta_pdf.parse_acta``, answered from the session's cache when it can be."""
    folder = os.environ.get(PARSE_CACHE_ENV)
    if not folder:
        return real_parse_acta(path, **options)
    path = Path(path)
    entry = Path(folder) / f"{_key(path, options)}.json"
    try:
        return acta_from_result(json.loads(entry.read_text("utf-8")))
    except FileNotFoundError:
        pass
    acta = real_parse_acta(path, **options)  # errors propagate, and are not stored
    # Two workers may parse the same file at once: each writes whole files, the last one stays.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as out:
        json.dump(acta.to_result(), out)
    os.replace(out.name, entry)
    return acta


def parsed(path, **options) -> Acta:
    """For tests: the cached parse of ``path`` (a fresh object each call; mutate freely)."""
    return parse_acta(path, **options)
