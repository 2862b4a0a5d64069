"""Hostile PDFs the sample corpus lacks, written byte by byte (tests build them in tmp_path).

Each function writes one file and returns its path:
decompression bomb, glyph flood, circular form XObjects (self and mutual), form
"billion laughs", hundreds of pages, giant pages, and a file that only pretends to
be a PDF by its name.
"""
from __future__ import annotations

import zlib
from pathlib import Path

_MB = 1024 * 1024


class RawPDF:
    """Numbered objects written with a correct cross-reference table."""

    def __init__(self) -> None:
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def set(self, number: int, body: bytes) -> int:
        self.objects[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.set(self.reserve(), body)

    def stream(self, entries: bytes, data: bytes, number: int | None = None) -> int:
        body = b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        return self.set(number, body) if number else self.add(body)

    def write(self, path: Path, root: int) -> Path:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            assert body is not None, f"object {number} reserved but never set"
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(self.objects) + 1, root, xref)
        Path(path).write_bytes(bytes(out))
        return Path(path)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _document(pdf: RawPDF, pages: list[tuple[bytes, int]], media: bytes = b"[0 0 595 842]",
              page_extra: bytes = b"") -> int:
    """Catalog and page tree over ``pages`` = [(resources dict, contents object)]."""
    tree = pdf.reserve()
    kids = []
    for resources, contents in pages:
        kids.append(pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox " % tree + media
                            + b" /Resources " + resources + b" /Contents %d 0 R" % contents
                            + page_extra + b" >>"))
    pdf.set(tree, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
            + b"] /Count %d >>" % len(kids))
    return pdf.add(b"<< /Type /Catalog /Pages %d 0 R >>" % tree)


def _text_page(pdf: RawPDF, text: bytes = b"Acta de prueba") -> tuple[bytes, int]:
    font = pdf.add(FONT)
    contents = pdf.stream(b"", b"BT /F1 12 Tf 72 770 Td (" + text + b") Tj ET")
    return b"<< /Font << /F1 %d 0 R >> >>" % font, contents


def zeros_deflate(size: int) -> bytes:
    """A valid zlib stream of ``size`` zero bytes (a multiple of 1 MiB), built without
    compressing them all: after a full flush, every further MiB of zeros compresses to
    the same bytes."""
    assert size % _MB == 0 and size >= 3 * _MB
    block = bytes(_MB)
    c = zlib.compressobj(9)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    middle = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert middle == again
    tail = c.flush(zlib.Z_FINISH)[:-4]  # the end-of-stream block, without the checksum
    adler = 1
    for _ in range(size // _MB):
        adler = zlib.adler32(block, adler)
    return first + middle * (size // _MB - 1) + tail + adler.to_bytes(4, "big")


def bomb(path: Path, size: int = 4 * 1024 * _MB) -> Path:
    """A page whose content stream is a few MB of Flate that inflates to ``size`` (4 GiB)."""
    pdf = RawPDF()
    contents = pdf.stream(b"/Filter /FlateDecode", zeros_deflate(size))
    root = _document(pdf, [(b"<< >>", contents)])
    return pdf.write(path, root)


def glyph_flood(path: Path, glyphs: int = 200_000) -> Path:
    """One page showing ``glyphs`` characters in tiny type."""
    pdf = RawPDF()
    font = pdf.add(FONT)
    per_line = 500
    lines = [b"BT /F1 1 Tf 1 TL 10 832 Td"]
    for i in range(glyphs // per_line):
        lines.append(b"(" + bytes([65 + i % 26]) * per_line + b") '")
    lines.append(b"ET")
    contents = pdf.stream(b"", b"\n".join(lines))
    root = _document(pdf, [(b"<< /Font << /F1 %d 0 R >> >>" % font, contents)])
    return pdf.write(path, root)


def _form(pdf: RawPDF, number: int, content: bytes, xobjects: dict[bytes, int]) -> int:
    entries = b" ".join(b"/" + name + b" %d 0 R" % ref for name, ref in xobjects.items())
    return pdf.stream(b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << "
                      + entries + b" >> >>", content, number)


def circular_self(path: Path) -> Path:
    """A form XObject that draws itself."""
    pdf = RawPDF()
    form = pdf.reserve()
    _form(pdf, form, b"0 0 m 10 10 l S /Fx Do", {b"Fx": form})
    contents = pdf.stream(b"", b"/Fx Do")
    root = _document(pdf, [(b"<< /XObject << /Fx %d 0 R >> >>" % form, contents)])
    return pdf.write(path, root)


def circular_pair(path: Path) -> Path:
    """Two form XObjects drawing each other (each twice: unbounded and exponential)."""
    pdf = RawPDF()
    a, b = pdf.reserve(), pdf.reserve()
    _form(pdf, a, b"q /FmB Do Q q /FmB Do Q", {b"FmB": b})
    _form(pdf, b, b"q /FmA Do Q q /FmA Do Q", {b"FmA": a})
    text_resources, contents = _text_page(pdf)
    page_contents = pdf.stream(b"", b"/FmA Do")
    root = _document(pdf, [(text_resources, contents),
                           (b"<< /XObject << /FmA %d 0 R >> >>" % a, page_contents)])
    return pdf.write(path, root)


def form_laughs(path: Path, depth: int = 20) -> Path:
    """No cycle, but each form draws the next one twice: 2**depth drawings of one page."""
    pdf = RawPDF()
    font = pdf.add(FONT)
    previous = pdf.stream(b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /Font << "
                          b"/F1 %d 0 R >> >>" % font, b"BT /F1 1 Tf (x) Tj ET")
    for _ in range(depth):
        previous = _form(pdf, pdf.reserve(), b"/Fn Do /Fn Do", {b"Fn": previous})
    contents = pdf.stream(b"", b"/Fn Do")
    root = _document(pdf, [(b"<< /XObject << /Fn %d 0 R >> >>" % previous, contents)])
    return pdf.write(path, root)


def many_pages(path: Path, pages: int = 320) -> Path:
    """``pages`` pages sharing one small content stream."""
    pdf = RawPDF()
    resources, contents = _text_page(pdf, b"Pagina")
    root = _document(pdf, [(resources, contents)] * pages)
    return pdf.write(path, root)


def giant_page(path: Path, side: int = 14_400, user_unit: float | None = None) -> Path:
    """One page of ``side`` × ``side`` points (14 400 pt = 200 in, the PDF maximum), or a
    normal-looking MediaBox scaled by /UserUnit."""
    pdf = RawPDF()
    resources, contents = _text_page(pdf)
    extra = b" /UserUnit %g" % user_unit if user_unit else b""
    root = _document(pdf, [(resources, contents)], media=b"[0 0 %d %d]" % (side, side),
                     page_extra=extra)
    return pdf.write(path, root)


def not_a_pdf(path: Path) -> Path:
    """A PNG image named .pdf: the content decides."""
    png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01" * 2
           + b"\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 64)
    Path(path).write_bytes(png)
    return Path(path)
