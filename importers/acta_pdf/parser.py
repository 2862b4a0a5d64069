"""parse_acta: checks, OCR when needed, layout, structure -> Acta."""
from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

from .layout import align_pages, read_page, remove_headers_footers
from .model import Acta, ActaParseError, ParseWarning
from .reference import Reference
from .safety import (
    Limits,
    check_file_bytes,
    check_fonts,
    check_page,
    declared_page_count,
    is_password_error,
    new_budget,
)
from .structure import ActaReader

DEFAULTS = dict(
    max_pages=300,
    max_page_area_m2=2.0,
    max_chars_per_page=100_000,
    max_stream_bytes=64 * 1024 * 1024,
    max_total_stream_bytes=512 * 1024 * 1024,
    max_image_pixels=150_000_000,
    ocr=True,                 # OCR scanned PDFs (False: fail with "ocr-unavailable" instead)
    ocr_page_timeout=120.0,   # seconds per page (Tesseract)
    ocr_timeout=600.0,        # seconds for the whole OCR run
    timeout=None,             # seconds for the whole parse (checked between pages)
    regions=None,             # reference lists to match against (default: the app's CSVs)
    sectors=None,
    filename=None,            # name to report in source.filename (default: the file's name)
)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_acta(path, **options) -> Acta:
    """Parse an acta de compromisos PDF. Raises ActaParseError (reason, page, message).

    Options (all optional, defaults in DEFAULTS): max_pages, max_page_area_m2,
    max_chars_per_page, max_stream_bytes, max_total_stream_bytes, max_image_pixels, ocr,
    ocr_page_timeout, ocr_timeout, timeout, regions, sectors, filename.

    Warnings (Acta.warnings, ParseWarning.code): "ocr" (text read by OCR), "region-unmatched",
    "region-missing", "sector-unmatched", "sector-missing", "date-missing" (meeting.date is
    then None), "title-missing", "numbering-gap", "no-commitments".
    """
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    opts = {**DEFAULTS, **options}
    path = Path(path)
    started = time.monotonic()
    deadline = started + opts["timeout"] if opts["timeout"] else None
    limits = Limits(
        max_pages=opts["max_pages"],
        max_page_area_m2=opts["max_page_area_m2"],
        max_chars_per_page=opts["max_chars_per_page"],
        max_stream_bytes=opts["max_stream_bytes"],
        max_total_stream_bytes=opts["max_total_stream_bytes"],
        max_image_pixels=opts["max_image_pixels"],
    )
    try:
        check_file_bytes(path)
    except OSError as exc:
        raise ActaParseError("failed", message=f"No se pudo abrir el archivo ({exc.strerror or exc}).") from None
    sha = _sha256(path)
    ref = Reference(opts["regions"], opts["sectors"])

    with tempfile.TemporaryDirectory(prefix="acta-") as tmp:
        pdf = _open(path)
        try:
            npages, needs_ocr, image_pages = _preflight(pdf, limits, deadline)
        except BaseException:
            pdf.close()
            raise
        ocr_used = False
        if needs_ocr:
            pdf.close()
            pdf = _ocr(path, Path(tmp), opts, npages, "force" if len(needs_ocr) == npages else "skip", deadline)
            ocr_used = True
        try:
            pages = _layout(pdf, limits, deadline, ocr_used)
        finally:
            pdf.close()
        parsed = _read(pages, ref, ocr_used)
        if not ocr_used and not _usable(parsed) and opts["ocr"] and (
            len(image_pages) * 2 >= npages or sum(pg.garbled for pg in pages) * 2 >= npages
        ):
            # a text layer that says nothing (a copier's bad OCR, glyphs without Unicode
            # mapping) over page images: read the pages themselves
            pdf = _ocr(path, Path(tmp), opts, npages, "force", deadline)
            ocr_used = True
            try:
                pages = _layout(pdf, limits, deadline, ocr_used)
            finally:
                pdf.close()
            parsed = _read(pages, ref, ocr_used)

    n_commitments = _count(parsed)
    if not _usable(parsed):
        if ocr_used and not any(pg.items for pg in pages):
            raise ActaParseError("ocr-failed", message="El reconocimiento de texto (OCR) no encontró texto en el PDF.")
        raise ActaParseError("not-acta")
    warnings = list(parsed.warnings)
    if n_commitments == 0:
        # an acta (its heading says so) whose commitments could not be read: hand over what
        # was read and say so, rather than refusing the file
        warnings.append(ParseWarning("no-commitments", "regions", "No se encontraron compromisos en el acta."))
    if ocr_used:
        warnings.insert(0, ParseWarning(
            "ocr", None,
            "El texto se obtuvo por reconocimiento óptico (OCR) de un PDF escaneado: revise todos los campos.",
        ))
    return Acta(
        source={"filename": opts["filename"] or path.name, "sha256": sha, "pages": npages, "ocr": ocr_used},
        meeting=parsed.meeting,
        attendees=parsed.attendees,
        regions=parsed.regions,
        other_topics=parsed.other_topics,
        observations=parsed.observations,
        warnings=warnings,
        commitment_pages=parsed.commitment_pages,
    )


def _read(pages, ref: Reference, ocr_used: bool):
    remove_headers_footers(pages)
    ocr_text = ocr_used or any(pg.ocr_text for pg in pages)
    if ocr_text:
        align_pages(pages)
    return ActaReader(pages, ref, ocr=ocr_text).read()


def _count(parsed) -> int:
    return sum(len(t["commitments"]) for r in parsed.regions for t in r["topics"])


def _usable(parsed) -> bool:
    """The document announces itself as an acta (its heading, a COMPROMISOS heading), or
    commitments were read under some mark of one (TEMA/COMPROMISO labels or column headers,
    the attendees' side headings): a table of another document is not read as commitments."""
    f = parsed.found
    if f["title"] or f["commit_heading"] or f.get("acta_heading"):
        return True
    return _count(parsed) > 0 and bool(
        f.get("printed_labels") or f.get("commit_columns") or f["attendees_heading"] or f.get("others_heading")
    )


def _ocr(path: Path, tmp: Path, opts: dict, npages: int, mode: str, deadline):
    if not opts["ocr"]:
        raise ActaParseError("ocr-unavailable", message="El PDF es escaneado y el OCR está desactivado.")
    from .ocr import run_ocr

    out = tmp / f"ocr-{mode}.pdf"
    budget = opts["ocr_timeout"]
    if deadline is not None:
        budget = min(budget, max(1.0, deadline - time.monotonic()))
    run_ocr(path, out, pages=npages, mode=mode, page_timeout=opts["ocr_page_timeout"], total_timeout=budget)
    return _open(out)


def _open(path: Path):
    import pdfplumber

    try:
        return pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types, some with an empty message
        if is_password_error(exc):
            raise ActaParseError("encrypted") from None
        raise ActaParseError("failed", message="El PDF está dañado y no se puede leer.") from None
    except RecursionError:
        raise ActaParseError("too-complex", message="El PDF tiene una estructura demasiado anidada.") from None


def _preflight(pdf, limits: Limits, deadline) -> tuple[int, list[int], list[int]]:
    """Page count, per-page limits and which pages have no text layer (scans)."""
    declared = declared_page_count(pdf.doc)
    if declared is not None and declared > limits.max_pages:
        raise ActaParseError(
            "too-many-pages",
            message=f"El PDF tiene demasiadas páginas ({declared}; el máximo es {limits.max_pages}).",
        )
    try:
        pages = pdf.pages
    except Exception as exc:
        if is_password_error(exc):
            raise ActaParseError("encrypted") from None
        raise ActaParseError("failed", message="El PDF está dañado y no se puede leer.") from None
    n = len(pages)
    if n == 0:
        raise ActaParseError("empty", message="El PDF no tiene páginas.")
    if n > limits.max_pages:
        raise ActaParseError(
            "too-many-pages", message=f"El PDF tiene demasiadas páginas ({n}; el máximo es {limits.max_pages}).",
        )
    budget = new_budget(limits)
    needs_ocr = []
    image_pages = []
    for i, page in enumerate(pages, 1):
        _check_deadline(deadline, i)
        try:
            glyphs = check_page(page.page_obj, i, limits, budget)
            check_fonts(page.page_obj, i, budget)
        except ActaParseError:
            raise
        except RecursionError:
            raise ActaParseError("too-complex", i, "El PDF tiene una estructura demasiado anidada.") from None
        except Exception:
            # malformed objects: leave it to the layout step, which reports its own error
            glyphs = 1
        has_image = _has_image(page.page_obj)
        if has_image:
            image_pages.append(i)
        if glyphs < 10 and has_image:
            needs_ocr.append(i)
    return n, needs_ocr, image_pages


def _has_image(page_obj) -> bool:
    from pdfminer.pdftypes import resolve1

    try:
        res = resolve1(page_obj.resources) or {}
        xo = resolve1(res.get("XObject")) or {}
        for ref in xo.values():
            x = resolve1(ref)
            sub = x.attrs.get("Subtype") if hasattr(x, "attrs") else None
            if sub is not None and getattr(sub, "name", None) in ("Image", "Form"):
                return True
    except Exception:
        return False
    return False


def _layout(pdf, limits: Limits, deadline, ocr_used: bool):
    out = []
    for i, page in enumerate(pdf.pages, 1):
        _check_deadline(deadline, i)
        try:
            # OCR'd pages (GlyphLessFont text) skip table finding themselves
            out.append(read_page(page, i, max_chars=limits.max_chars_per_page))
        except ActaParseError:
            raise
        except RecursionError:
            raise ActaParseError("too-complex", i, "El PDF tiene una estructura demasiado anidada.") from None
        except MemoryError:
            raise ActaParseError("memory", i) from None
        except Exception as exc:
            if is_password_error(exc):
                raise ActaParseError("encrypted") from None
            raise ActaParseError("failed", i, "El PDF está dañado y no se puede leer.") from None
        finally:
            page.close()
    return out


def _check_deadline(deadline, page: int) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ActaParseError("timeout", page)
