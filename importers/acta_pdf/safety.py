"""Cheap checks that run before any page is laid out, so that hostile or broken files end
with their own clear reason instead of exhausting time or memory.

* the file itself: empty, not a PDF (by content), truncated (no ``%%EOF``);
* opening: password-protected (pdfminer raises with an *empty* message there);
* the document: too many pages (from the page tree's /Count, before enumerating pages);
* every page: its area, its content streams decompressed with a cap (decompression bombs),
  Form XObjects that draw themselves (circular), and an estimate of its glyphs (strings
  shown by the content streams, forms expanded) before pdfminer builds objects for them.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from .model import ActaParseError

PT_PER_M = 72 / 0.0254


@dataclass
class Limits:
    max_pages: int = 300
    max_page_area_m2: float = 2.0        # A0 is 1 m²; real actas are A4/Letter (0.06 m²)
    max_chars_per_page: int = 100_000
    max_stream_bytes: int = 64 * 1024 * 1024     # one decompressed content/form/font stream
    max_total_stream_bytes: int = 512 * 1024 * 1024
    max_form_invocations: int = 5_000    # Form XObjects drawn on one page, nesting expanded
    max_image_pixels: int = 150_000_000  # pixels of the images of one page (decoded only by OCR)


def check_file_bytes(path) -> None:
    """Reasons that only need the bytes of the file."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
        if not head:
            raise ActaParseError("empty")
        if b"%PDF-" not in head:
            raise ActaParseError("not-pdf", message=_not_pdf_message(head))
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise ActaParseError("truncated")


def _not_pdf_message(head: bytes) -> str:
    kinds = [
        (b"PK\x03\x04", "un archivo ZIP u Office (docx/xlsx)"),
        (b"\xd0\xcf\x11\xe0", "un documento de Office antiguo (doc/xls)"),
        (b"\x89PNG", "una imagen PNG"),
        (b"\xff\xd8\xff", "una imagen JPEG"),
        (b"GIF8", "una imagen GIF"),
        (b"II*\x00", "una imagen TIFF"),
        (b"MM\x00*", "una imagen TIFF"),
        (b"{\\rtf", "un documento RTF"),
    ]
    for magic, what in kinds:
        if head.startswith(magic):
            return f"El archivo no es un PDF: parece {what}."
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "El archivo no es un PDF: parece una página web (HTML)."
    return "El archivo no es un PDF."


def is_password_error(exc: BaseException) -> bool:
    """pdfminer's encryption errors carry no message; recognise them by type (also when
    wrapped by pdfplumber's PdfminerException)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)):
            return True
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__
    return False


def declared_page_count(doc) -> int | None:
    try:
        pages = resolve1(doc.catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
        return int(count) if isinstance(count, (int, float)) else None
    except Exception:
        return None


# ----------------------------------------------------------------------------- streams


def _name(x) -> str | None:
    x = resolve1(x)
    if isinstance(x, PSLiteral):
        return str(x.name)
    if isinstance(x, (bytes, str)):
        return x.decode("latin-1") if isinstance(x, bytes) else x
    return None


def _filters(stream: PDFStream) -> list[str]:
    f = resolve1(stream.attrs.get("Filter") or stream.attrs.get("F"))
    if f is None:
        return []
    if isinstance(f, list):
        return [n for n in (_name(x) for x in f) if n]
    n = _name(f)
    return [n] if n else []


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0


def bounded_data(stream: PDFStream, budget: _Budget, page: int | None) -> bytes | None:
    """The decoded bytes of a content-like stream, never more than the limit; raises
    "bomb" when decompression would exceed it. None for filters we do not decode here
    (left to pdfminer)."""
    raw = stream.rawdata if stream.rawdata is not None else stream.data
    if raw is None:
        return None
    data = raw
    cap = budget.limits.max_stream_bytes
    for f in _filters(stream):
        if f in ("FlateDecode", "Fl"):
            d = zlib.decompressobj()
            try:
                out = d.decompress(data, cap + 1)
            except zlib.error:
                # pdfminer falls back to a lenient decoder; estimate on what we got
                return b""
            if len(out) > cap or d.unconsumed_tail:
                raise ActaParseError("bomb", page)
            data = out
        elif f in ("ASCIIHexDecode", "AHx"):
            from pdfminer.ascii85 import asciihexdecode

            data = asciihexdecode(data)
        elif f in ("ASCII85Decode", "A85"):
            from pdfminer.ascii85 import ascii85decode

            data = ascii85decode(data)
        else:
            return None
    budget.total += len(data)
    if budget.total > budget.limits.max_total_stream_bytes:
        raise ActaParseError("bomb", page)
    return data


_STR_LIT = re.compile(rb"\((?:\\.|[^\\()])*\)", re.S)
_STR_HEX = re.compile(rb"<(?!<)[0-9A-Fa-f\s]*>")
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def estimate_glyphs(content: bytes) -> int:
    n = 0
    for m in _STR_LIT.finditer(content):
        n += len(m.group(0)) - 2
    for m in _STR_HEX.finditer(content):
        n += (len(m.group(0)) - 2) // 2
    return n


def _xobjects(resources) -> dict:
    resources = resolve1(resources)
    if not isinstance(resources, dict):
        return {}
    xo = resolve1(resources.get("XObject"))
    return xo if isinstance(xo, dict) else {}


def check_page(page_obj, pageno: int, limits: Limits, budget: _Budget) -> int:
    """Raise for a page that is too large, a bomb, circular or too complex; return the
    estimated number of glyphs it shows."""
    box = page_obj.mediabox or [0, 0, 612, 792]
    try:
        w = abs(float(box[2]) - float(box[0]))
        h = abs(float(box[3]) - float(box[1]))
        unit = float(resolve1(page_obj.attrs.get("UserUnit", 1)) or 1)
    except (TypeError, ValueError, IndexError):
        w, h, unit = 612, 792, 1
    area = (w * unit / PT_PER_M) * (h * unit / PT_PER_M)
    if area > limits.max_page_area_m2:
        raise ActaParseError(
            "page-too-large", pageno,
            f"El PDF tiene páginas de tamaño excesivo ({area:.1f} m²; el máximo es {limits.max_page_area_m2:g} m²).",
        )

    pixels = 0
    for ref in _xobjects(page_obj.resources).values():
        x = resolve1(ref)
        if isinstance(x, PDFStream) and _name(x.attrs.get("Subtype")) == "Image":
            try:
                pixels += int(resolve1(x.attrs.get("Width", 0))) * int(resolve1(x.attrs.get("Height", 0)))
            except (TypeError, ValueError):
                pass
    if pixels > limits.max_image_pixels:
        raise ActaParseError(
            "bomb", pageno,
            f"El PDF contiene imágenes desmesuradas ({pixels / 1e6:.0f} megapíxeles en una página).",
        )

    glyphs = 0
    for ref in page_obj.contents or []:
        stream = resolve1(ref)
        if isinstance(stream, PDFStream):
            data = bounded_data(stream, budget, pageno)
            if data:
                glyphs += estimate_glyphs(data)
                glyphs += _expand_forms(data, page_obj.resources, pageno, limits, budget, {}, [], [0])
    if glyphs > limits.max_chars_per_page:
        raise ActaParseError(
            "too-complex", pageno,
            f"El PDF tiene páginas demasiado complejas para procesarlas (unos {glyphs:,} caracteres en una página; "
            f"el máximo es {limits.max_chars_per_page:,}).".replace(",", " "),
        )
    return glyphs


def _expand_forms(content: bytes, resources, pageno, limits, budget, memo, stack, calls) -> int:
    """Glyphs drawn by the Form XObjects that ``content`` invokes, recursively."""
    names = _DO.findall(content)
    if not names:
        return 0
    xobjs = _xobjects(resources)
    total = 0
    for raw_name in names:
        name = raw_name.decode("latin-1")
        ref = xobjs.get(name)
        key = (ref.objid if isinstance(ref, PDFObjRef) else id(ref))
        calls[0] += 1
        if calls[0] > limits.max_form_invocations:
            raise ActaParseError(
                "too-complex", pageno,
                "El PDF tiene páginas demasiado complejas para procesarlas (demasiados objetos anidados).",
            )
        if key in stack:
            raise ActaParseError("circular", pageno)
        if key in memo:
            total += memo[key]
            if total > limits.max_chars_per_page:
                return total
            continue
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream) or _name(stream.attrs.get("Subtype")) != "Form":
            memo[key] = 0
            continue
        data = bounded_data(stream, budget, pageno) or b""
        stack.append(key)
        sub_res = stream.attrs.get("Resources") or resources
        n = estimate_glyphs(data) + _expand_forms(data, sub_res, pageno, limits, budget, memo, stack, calls)
        stack.pop()
        memo[key] = n
        total += n
        if total > limits.max_chars_per_page:
            return total
    return total


def check_fonts(page_obj, pageno: int, budget: _Budget) -> None:
    """Font programs and ToUnicode maps are decoded by pdfminer too: bound them."""
    res = resolve1(page_obj.resources)
    if not isinstance(res, dict):
        return
    fonts = resolve1(res.get("Font"))
    if not isinstance(fonts, dict):
        return
    for ref in fonts.values():
        font = resolve1(ref)
        if not isinstance(font, dict):
            continue
        key = ref.objid if isinstance(ref, PDFObjRef) else None
        if key is not None and key in budget.__dict__.setdefault("fonts_seen", set()):
            continue
        if key is not None:
            budget.fonts_seen.add(key)
        streams = [font.get("ToUnicode")]
        desc = resolve1(font.get("FontDescriptor"))
        for sub in resolve1(font.get("DescendantFonts")) or []:
            sub = resolve1(sub)
            if isinstance(sub, dict):
                desc = desc or resolve1(sub.get("FontDescriptor"))
        if isinstance(desc, dict):
            streams += [desc.get("FontFile"), desc.get("FontFile2"), desc.get("FontFile3")]
        for s in streams:
            s = resolve1(s)
            if isinstance(s, PDFStream):
                bounded_data(s, budget, pageno)


def new_budget(limits: Limits) -> _Budget:
    return _Budget(limits)
