"""Parsers that stand in for ``parse_acta`` inside the sandbox child (``parser="module:fn"``).

They run in the child process, so they can misbehave for real: sleep, spin, allocate,
crash, print on stdout, leave grandchildren behind.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from importers.acta_pdf import Acta, ActaParseError, ParseWarning


def _acta(path, **meeting) -> Acta:
    return Acta(source={"filename": Path(path).name, "sha256": "0" * 64, "pages": 1, "ocr": False},
                meeting={"title": "GORE Ejecutivo", **meeting})


def from_expected(path, **_options) -> Acta:
    """The ``.json`` beside the PDF: the perfect parser of the sample corpus (errors too)."""
    expected = json.loads(Path(path).with_suffix(".json").read_text("utf-8"))
    if expected.get("expect") == "error":
        raise ActaParseError(expected["reason"])
    return Acta(source=expected["source"], meeting=expected["meeting"],
                attendees=expected["attendees"], regions=expected["regions"],
                other_topics=expected["other_topics"], observations=expected["observations"],
                warnings=[ParseWarning("demo", "meeting.place", "Lugar leído por la prueba.")],
                commitment_pages={(0, 1): 1})


def limits(path, **_options) -> Acta:
    """Reports the limits and environment it runs under."""
    return _acta(path, cpu=resource.getrlimit(resource.RLIMIT_CPU)[0],
                 memory=resource.getrlimit(resource.RLIMIT_AS)[0],
                 omp=os.environ.get("OMP_THREAD_LIMIT"), pgid=os.getpgid(0) == os.getpid())


def chatty(path, **_options) -> Acta:
    """Prints on stdout (Python and C level) before answering."""
    print("ruido en stdout")
    os.write(1, b"{not json}\n")
    subprocess.run(["echo", "ruido de un subproceso"], check=False)
    return _acta(path)


def options(path, **opts) -> Acta:
    return _acta(path, options=opts)


def refuses(path, **_options) -> Acta:
    raise ActaParseError("not-acta", 2, "No es un acta: prueba.")


def buggy(path, **_options) -> Acta:
    raise KeyError("a bug in the parser")


def sleeps(path, **_options) -> Acta:
    time.sleep(3600)
    return _acta(path)


def spins(path, **_options) -> Acta:
    while True:
        pass


def hogs(path, **_options) -> Acta:
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def aborts(path, **_options) -> Acta:
    os.abort()


def orphan(path, **_options) -> Acta:
    """Starts a grandchild that would outlive it, writes its pid, then hangs."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    Path(path).with_suffix(".pid").write_text(str(child.pid))
    time.sleep(3600)
    return _acta(path)


def inflates(path, **_options) -> Acta:
    """Decodes every stream through pdfminer, as a parser would (the guard must stop bombs)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream

    with open(path, "rb") as fh:
        doc = PDFDocument(PDFParser(fh))
        for xref in doc.xrefs:
            for objid in xref.get_objids():
                obj = doc.getobj(objid)
                if isinstance(obj, PDFStream):
                    try:
                        obj.get_data()
                    except Exception:  # a parser swallowing errors must not hide the bomb
                        pass
    return _acta(path)


def unknown_region(path, **options) -> Acta:
    """The expected parse with its first block's regional government not in the reference
    list (the parser keeps the printed name and warns)."""
    acta = from_expected(path, **options)
    acta.regions[0]["region"] = "Gobierno Regional de Atlántida"
    acta.warnings = [ParseWarning("region-unmatched", "regions.0.region",
                                  "No se reconoce el gobierno regional «Atlántida».")]
    return acta


def no_sector(path, **options) -> Acta:
    """The expected parse of a PDF that names no sector."""
    acta = from_expected(path, **options)
    acta.meeting = {**acta.meeting, "sector": None}
    acta.warnings = [ParseWarning("sector-missing", "meeting.sector", "No se encontró el sector.")]
    return acta
