"""The one set of limits of an acta, shared by the web form, the API and the PDF import (all of
which end in ``validation.validate_document``): column sizes and sane numeric bounds, checked
before anything reaches SQL."""
from __future__ import annotations

from decimal import Decimal

MAX_LEN = {"title": 300, "place": 200, "moderator": 200, "name": 200, "honorific": 20,
           "position": 300, "deliverable": 2000, "body": 200}
MAX_NUMBER = 9_999                          # TEMA / COMPROMISO numbers
MAX_EDITION = 1_000
MIN_TARGET = Decimal("0")
MAX_TARGET = Decimal("999999999999.99")     # Numeric(14, 2)
MAX_CUI_DIGITS = 10
