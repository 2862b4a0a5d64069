"""Parse acta de compromisos PDFs into gore-acta/1 documents. No Flask, no database.

    from importers.acta_pdf import parse_acta, ActaParseError
    acta = parse_acta("acta.pdf")        # -> Acta; acta.to_dict() is gore-acta/1
"""
from .model import REASONS, Acta, ActaParseError, ParseWarning

__all__ = ["Acta", "ActaParseError", "ParseWarning", "REASONS", "parse_acta"]


def parse_acta(path, **options) -> Acta:
    from .parser import parse_acta as _parse

    return _parse(path, **options)
