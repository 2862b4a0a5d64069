"""Cheap checks of a PDF before the real parse: is it a PDF at all, can it be opened, how
many pages and how large, does it hide a decompression bomb or circular form objects,
how many glyphs per page, and does it have a usable text layer (or needs OCR).

Runs inside the limited child process of ``sandbox`` (never in a web worker); raises
``ActaParseError`` with its own reason and a Spanish message for every hostile file.
No Flask, no database.

``guard_streams`` also bounds pdfminer's own Flate decoding, so that the parse that
follows cannot inflate a stream beyond the same cap either.
"""
from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field

from .model import ActaParseError

# A page with fewer characters than this in its text layer is an image (needs OCR).
MIN_TEXT_CHARS = 20
# Largest form-XObject nesting and number of form drawings on one page.
MAX_FORM_DEPTH = 24
MAX_FORM_DRAWS = 10_000
_CHUNK = 1 << 20
_MB = 1024 * 1024


@dataclass
class ProbeResult:
    pages: int
    chars: list[int] = field(default_factory=list)  # text-layer characters per page
    needs_ocr: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def _n(value: int | float) -> str:
    """200000 -> '200 000' (Spanish thousands separator)."""
    return f"{int(value):,}".replace(",", " ")


# ------------------------------------------------------------------ bounded inflation
class StreamTooLarge(BaseException):
    """A compressed stream inflates beyond the cap. A BaseException so that a parser's
    ``except Exception`` cannot swallow it; the sandbox child turns it into "bomb"."""

    def __init__(self, cap: int):
        super().__init__(cap)
        self.cap = cap


def bomb_error(cap: int, page: int | None = None) -> ActaParseError:
    return ActaParseError(
        "bomb", page,
        "El PDF contiene datos comprimidos anormalmente grandes: un flujo se expande a más de "
        f"{_n(cap // _MB)} MB al descomprimirlo.")


def _inflate(chunks):
    """Yield the inflated output of a zlib stream fed as ``chunks``, at most _CHUNK at a time."""
    d = zlib.decompressobj()
    for data in chunks:
        while True:
            out = d.decompress(data, _CHUNK)
            if out:
                yield out
            data = d.unconsumed_tail
            if d.eof or (not data and len(out) < _CHUNK):
                break
        if d.eof:
            return


def inflated_size(data: bytes, layers: int, cap: int) -> int:
    """Size of ``data`` after ``layers`` nested Flate decodings, counting without keeping the
    output and stopping just past ``cap``. Corrupt data counts what came out before the error."""
    if layers <= 0:
        return len(data)
    chunks = iter((data,))
    for _ in range(layers):
        chunks = _inflate(chunks)
    total = 0
    try:
        for out in chunks:
            total += len(out)
            if total > cap:
                break
    except zlib.error:
        pass
    return total


class _BoundedDecompressObj:
    def __init__(self, guard: StreamGuard, *args, **kwargs):
        self._d = zlib.decompressobj(*args, **kwargs)
        self._guard = guard
        self._total = 0

    def decompress(self, data, max_length=0):
        out = self._d.decompress(data, max_length)
        self._total += len(out)
        if self._total > self._guard.cap:
            self._guard.trip()
        return out

    def __getattr__(self, name):
        return getattr(self._d, name)


class StreamGuard:
    """Stands in for the ``zlib`` module inside pdfminer.pdftypes: ``decompress`` first
    measures (without keeping) what the data would inflate to and refuses above ``cap``."""

    error = zlib.error

    def __init__(self, cap: int):
        self.cap = cap
        self.tripped = False

    def trip(self):
        self.tripped = True
        raise StreamTooLarge(self.cap)

    def decompress(self, data, *args, **kwargs):
        if inflated_size(bytes(data), 1, self.cap) > self.cap:
            self.trip()
        return zlib.decompress(data, *args, **kwargs)

    def decompressobj(self, *args, **kwargs):
        return _BoundedDecompressObj(self, *args, **kwargs)

    def __getattr__(self, name):  # crc32, adler32, constants…
        return getattr(zlib, name)


def guard_streams(cap: int) -> StreamGuard:
    """Bound every Flate decoding pdfminer does in this process to ``cap`` bytes."""
    from pdfminer import pdftypes

    guard = StreamGuard(cap)
    pdftypes.zlib = guard
    return guard


# ------------------------------------------------------------------ the probe
def _open(fh):
    from pdfminer.pdfdocument import (
        PDFDocument,
        PDFEncryptionError,
        PDFPasswordIncorrect,
    )
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(fh), password="")
    except PDFPasswordIncorrect:
        # pdfminer raises it with an empty message: a user password is set.
        raise ActaParseError("encrypted") from None
    except PDFEncryptionError:
        raise ActaParseError(
            "encrypted", None,
            "El PDF está cifrado con un método que no se puede abrir; quite la protección y "
            "vuelva a intentarlo.") from None
    except (StreamTooLarge, MemoryError, RecursionError):
        raise
    except Exception:
        raise ActaParseError("truncated") from None


def _check_header(path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise ActaParseError("empty")
    if b"%PDF-" not in head:
        raise ActaParseError("not-pdf")


def _check_streams(doc, cap: int) -> None:
    """Every stream of the file, measured after its leading Flate filters (a bomb)."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    seen = set()
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue
            seen.add(objid)
            try:
                obj = doc.getobj(objid)
            except (StreamTooLarge, MemoryError, RecursionError):
                raise
            except Exception:
                continue
            if not isinstance(obj, PDFStream) or obj.rawdata is None:
                continue
            try:
                filters = obj.get_filters()
            except Exception:
                continue
            layers = 0
            for f, _params in filters:
                if f not in LITERALS_FLATE_DECODE:
                    break
                layers += 1
            if not layers:
                continue
            data = obj.rawdata
            if obj.decipher:
                try:
                    data = obj.decipher(obj.objid, obj.genno, data, obj.attrs)
                except Exception:
                    continue
            if inflated_size(data, layers, cap) > cap:
                raise bomb_error(cap)


def _decoded(stream, cap: int) -> bytes:
    """A stream's data without caching it in the document (bounded by the guard)."""
    from pdfminer.pdftypes import PDFStream

    copy = PDFStream(stream.attrs, stream.rawdata or b"", stream.decipher)
    copy.objid, copy.genno = stream.objid, stream.genno
    try:
        return copy.get_data()
    except (StreamTooLarge, MemoryError, RecursionError):
        raise
    except Exception:
        return b""


_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")
_ESC = re.compile(rb"#([0-9A-Fa-f]{2})")


def _forms_of(resources):
    """{name: (objid, stream)} of the Form XObjects in a resource dictionary."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

    resources = resolve1(resources)
    if not isinstance(resources, dict):
        return {}
    xobjects = resolve1(resources.get("XObject"))
    if not isinstance(xobjects, dict):
        return {}
    forms = {}
    for name, ref in xobjects.items():
        obj = resolve1(ref)
        if not isinstance(obj, PDFStream):
            continue
        subtype = resolve1(obj.get("Subtype"))
        if getattr(subtype, "name", None) != "Form":
            continue
        objid = ref.objid if isinstance(ref, PDFObjRef) else id(obj)
        forms[str(name)] = (objid, obj)
    return forms


def _drawn(streams, cap: int) -> Counter:
    data = b"\n".join(_decoded(s, cap) for s in streams)
    names = Counter()
    for match in _DO.finditer(data):
        raw = _ESC.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        names[raw.decode("latin-1")] += 1
    return names


def _check_forms(page, pageno: int, cap: int) -> None:
    """Circular or explosively nested form XObjects, as pdfminer would draw them."""
    from pdfminer.pdftypes import resolve1

    memo: dict[tuple, int] = {}

    def too_complex(message):
        return ActaParseError("too-complex", pageno, message)

    def draws(streams, resources, depth, stack) -> int:
        forms = _forms_of(resources)
        if not forms:
            return 0
        total = 0
        for name, count in _drawn(streams, cap).items():
            if name not in forms:
                continue
            objid, form = forms[name]
            if objid in stack:
                raise ActaParseError(
                    "circular", pageno,
                    "El PDF tiene objetos de formulario circulares (un formulario que se dibuja "
                    "a sí mismo, directamente o a través de otro) y no se puede procesar.")
            if depth >= MAX_FORM_DEPTH:
                raise too_complex(
                    "El PDF tiene objetos de formulario anidados a demasiada profundidad "
                    f"(más de {MAX_FORM_DEPTH} niveles).")
            own = resolve1(form.get("Resources"))
            form_resources = own if isinstance(own, dict) and own else resources
            key = (objid, id(form_resources))
            if key not in memo:
                memo[key] = 1 + draws([form], form_resources, depth + 1, stack | {objid})
            total += count * memo[key]
            if total > MAX_FORM_DRAWS:
                raise too_complex(
                    "El PDF tiene páginas demasiado complejas: sus objetos de formulario se "
                    f"dibujan más de {_n(MAX_FORM_DRAWS)} veces en una página.")
        return total

    draws(page.contents, page.resources, 0, frozenset())


def _page_size(page) -> tuple[float, float]:
    from pdfminer.pdftypes import resolve1

    x0, y0, x1, y1 = page.mediabox
    unit = resolve1(page.attrs.get("UserUnit", 1))
    unit = float(unit) if isinstance(unit, (int, float)) and unit > 0 else 1.0
    return abs(x1 - x0) * unit, abs(y1 - y0) * unit


def _page_count_hint(doc) -> int | None:
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(doc.catalog.get("Pages")).get("Count"))
    except Exception:
        return None
    return count if isinstance(count, int) else None


def _check_pages(doc, limits) -> list:
    from pdfminer.pdfpage import PDFPage

    pages = []
    try:
        for page in PDFPage.create_pages(doc):
            pages.append(page)
            if len(pages) > limits.max_pages:
                hint = _page_count_hint(doc)
                count = f"{_n(hint)}" if hint and hint > limits.max_pages else f"más de {_n(limits.max_pages)}"
                raise ActaParseError(
                    "too-many-pages", None,
                    f"El PDF tiene demasiadas páginas: {count}; el máximo es {_n(limits.max_pages)}.")
            width, height = _page_size(page)
            if max(width, height) > limits.max_page_side:
                raise ActaParseError(
                    "page-too-large", len(pages),
                    f"El PDF tiene páginas de tamaño excesivo: {_n(width)} × {_n(height)} puntos "
                    f"({_n(width / 72 * 2.54)} × {_n(height / 72 * 2.54)} cm); el máximo es "
                    f"{_n(limits.max_page_side)} puntos por lado.")
    except (ActaParseError, StreamTooLarge, MemoryError, RecursionError):
        raise
    except Exception:
        raise ActaParseError("truncated") from None
    if not pages:
        raise ActaParseError("truncated", None, "El PDF no tiene páginas o su estructura está dañada.")
    return pages


def _count_chars(path, limits) -> list[int]:
    """Characters of each page's text layer (pdfium, fast C). Empty when pdfium cannot
    open a file pdfminer could; the parse decides then."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception:
        return []
    counts = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                text = page.get_textpage()
                try:
                    count = text.count_chars()
                finally:
                    text.close()
            finally:
                page.close()
            if count > limits.max_glyphs:
                raise ActaParseError(
                    "too-complex", index + 1,
                    f"El PDF tiene páginas demasiado complejas: {_n(count)} caracteres en una "
                    f"página; el máximo es {_n(limits.max_glyphs)}.")
            counts.append(count)
    finally:
        pdf.close()
    return counts


def probe(path, limits) -> ProbeResult:
    """Check ``path`` against ``limits`` (a ``sandbox.Limits``); raise ``ActaParseError``."""
    _check_header(path)
    cap = limits.stream_cap
    guard_streams(cap)
    try:
        with open(path, "rb") as fh:
            doc = _open(fh)
            _check_streams(doc, cap)
            pages = _check_pages(doc, limits)
            for number, page in enumerate(pages, start=1):
                _check_forms(page, number, cap)
    except StreamTooLarge:
        raise bomb_error(cap) from None
    chars = _count_chars(path, limits)
    needs_ocr = bool(chars) and any(c < MIN_TEXT_CHARS for c in chars)
    return ProbeResult(pages=len(pages), chars=chars, needs_ocr=needs_ocr)
