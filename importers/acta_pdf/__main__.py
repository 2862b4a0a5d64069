"""python -m importers.acta_pdf FILE.pdf — print the gore-acta/1 JSON of an acta.

Exit 0 with the JSON on stdout (warnings, if any, on stderr); exit 2 with one line on
stderr when the file cannot be read as an acta. Never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m importers.acta_pdf", description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", help="acta PDF")
    ap.add_argument("--max-pages", type=int, default=None)
    ap.add_argument("--no-ocr", action="store_true", help="do not OCR scanned PDFs")
    ap.add_argument("--ocr-timeout", type=float, default=None, help="seconds for the whole OCR run")
    ap.add_argument("--ocr-page-timeout", type=float, default=None, help="seconds per page of OCR")
    ap.add_argument("--timeout", type=float, default=None, help="seconds for the whole parse")
    ap.add_argument("--result", action="store_true",
                    help="print the importer result (acta, warnings, commitment pages) instead of the acta alone")
    a = ap.parse_args(argv)

    # pdfminer logs recoverable problems of the file; they are not the user's business here
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    logging.getLogger("pdfplumber").setLevel(logging.CRITICAL)

    from .model import ActaParseError

    options = {}
    if a.max_pages is not None:
        options["max_pages"] = a.max_pages
    if a.no_ocr:
        options["ocr"] = False
    if a.ocr_timeout is not None:
        options["ocr_timeout"] = a.ocr_timeout
    if a.ocr_page_timeout is not None:
        options["ocr_page_timeout"] = a.ocr_page_timeout
    if a.timeout is not None:
        options["timeout"] = a.timeout
    try:
        import warnings

        warnings.simplefilter("ignore")
        from . import parse_acta

        acta = parse_acta(a.pdf, **options)
    except ActaParseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"error: {ActaParseError('memory')}", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: El PDF tiene una estructura demasiado anidada.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrumpido.", file=sys.stderr)
        return 2
    except Exception as exc:  # last resort: one line, never a traceback
        print(f"error: No se pudo leer el PDF ({type(exc).__name__}).", file=sys.stderr)
        return 2
    doc = acta.to_result() if a.result else acta.to_dict()
    out = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.flush()
    for w in acta.warnings:
        where = f" [{w.field}]" if w.field else ""
        sys.stderr.buffer.write(f"aviso{where}: {w.message}\n".encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
