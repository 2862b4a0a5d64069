"""Matching a printed or typed organization name against the reference lists."""
from __future__ import annotations

import re
from typing import Iterable

from gore_tracker.utils.text import fold

# Prefixes under which a regional government is commonly named.
_REGION_PREFIXES = re.compile(
    r"^(?:gobierno regional (?:de la |del |de )?|gore |gr |region (?:de )?|"
    r"municipalidad metropolitana de |departamento de )"
)
_SECTOR_PREFIXES = re.compile(r"^(?:sector |el )")


def region_keys(text: str) -> list[str]:
    """Folded candidates for a region name: as given, and without a usual prefix."""
    key = fold(text).strip(" .:-")
    keys = [key]
    stripped = _REGION_PREFIXES.sub("", key)
    if stripped != key:
        keys.append(stripped)
        if key.startswith("municipalidad metropolitana de lima"):
            keys.insert(0, "lima metropolitana")
    return keys


def match(text: str | None, orgs: Iterable, *, region: bool = False):
    """The organization whose code, name, official name or an alias equals ``text``
    ignoring case and accents (and, for regions, the usual prefixes); else None."""
    if not text or not text.strip():
        return None
    orgs = list(orgs)
    candidates = region_keys(text) if region else [_SECTOR_PREFIXES.sub("", fold(text))]
    for key in candidates:
        for org in orgs:
            if key in org.match_keys():
                return org
    return None
