"""Whole numbers from URLs and query strings, bounded to what the database can store.

Ids are ``INTEGER`` columns (32-bit signed on PostgreSQL): a number outside
1…2³¹−1 can name no row, and sending it to the database fails (PostgreSQL:
*integer out of range*; SQLite: *Python int too large*). So:

- ``BoundedIntConverter`` replaces the app's ``int`` URL converter (see ``create_app``):
  ``/compromisos/99999999999999999999`` does not match any route, i.e. 404;
- ``parse_id`` reads an id from a query value (None when it is not one);
- ``page_number`` reads the ``page`` argument of every paginated list.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only 1…2³¹−1 (anything else is a 404, never a database error)."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = DB_INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _digits(value) -> str | None:
    """``value`` as ASCII digits without leading zeros ("0" for zero), or None.

    Stricter than ``int()``, which also takes "٣", " 3 ", "+3" and "3_0"."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return text.lstrip("0") or "0"


def parse_int(value, *, lo: int = 1, hi: int = DB_INT_MAX) -> int | None:
    """``value`` (an int, or text of ASCII digits) within ``lo``…``hi``, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        digits = _digits(value)
        if digits is None or len(digits) > len(str(hi)):
            return None
        number = int(digits)
    return number if lo <= number <= hi else None


def parse_id(value) -> int | None:
    """A row id (1…2³¹−1) from a query value, or None."""
    return parse_int(value)


def page_number(args, name: str = "page") -> int:
    """The page asked for in ``args`` (a request's query arguments), from 1.

    Not a number, or below 1: page 1. Beyond 2³¹−1: page 2³¹−1 (empty), so the list's
    ``OFFSET`` stays a number every database accepts. Never an error.
    """
    digits = _digits(args.get(name))
    if digits is None:
        return 1
    if len(digits) > len(str(DB_INT_MAX)):
        return DB_INT_MAX
    return min(max(int(digits), 1), DB_INT_MAX)
