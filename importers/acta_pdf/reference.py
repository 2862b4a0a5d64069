"""Reference lists (regional governments, sectors) and matching printed names against them.

The default lists are the app's CSVs, read by path so that this package never imports the
Flask app. Callers can pass their own lists to ``parse_acta(regions=..., sectors=...)``.
"""
from __future__ import annotations

import csv
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .text import fold_alnum

DATA_DIR = Path(__file__).resolve().parents[2] / "gore_tracker" / "organizations" / "data"

# Names that sectors had in earlier years, or usual short forms, -> canonical acronym.
SECTOR_ALIASES = {
    "minagri": "MIDAGRI",
    "ministerio de agricultura": "MIDAGRI",
    "ministerio de agricultura y riego": "MIDAGRI",
    "mincu": "MINCUL",
    "minjus": "MINJUSDH",
    "ministerio de justicia": "MINJUSDH",
    "mintra": "MTPE",
    "ministerio de trabajo": "MTPE",
    "vivienda": "MVCS",
    "ministerio de vivienda": "MVCS",
    "presidencia del consejo de ministros pcm": "PCM",
    "ministerio de comercio exterior": "MINCETUR",
    "ministerio de transportes": "MTC",
    "ministerio de la mujer": "MIMP",
    "ministerio de la mujer y desarrollo social": "MIMP",
    "ministerio de energia": "MINEM",
}

_REGION_PREFIX = re.compile(
    r"^(?:el\s+)?(?:gobierno\s+regional|gob\s+reg|gob\s+regional|gore|gr|region|departamento)"
    r"(?:\s+(?:de\s+la|del|de|la))?\s+"
)


def _ocr_letters(key: str) -> str:
    """Undo OCR's usual digit-for-letter swaps inside words ("REGI0NAL" -> "regional")."""
    return re.sub(r"(?<=[a-zñ])0|0(?=[a-zñ])", "o", key)


@dataclass
class Region:
    name: str
    official_name: str = ""
    aliases: list[str] = field(default_factory=list)


@dataclass
class Sector:
    name: str
    acronym: str = ""
    aliases: list[str] = field(default_factory=list)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.lru_cache(maxsize=1)
def default_regions() -> tuple[Region, ...]:
    out = []
    for row in _read_csv(DATA_DIR / "regions.csv"):
        aliases = [a for a in (row.get("aliases") or "").split("|") if a.strip()]
        out.append(Region(row["name"], row.get("official_name") or "", aliases))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def default_sectors() -> tuple[Sector, ...]:
    return tuple(Sector(row["name"], row.get("acronym") or "") for row in _read_csv(DATA_DIR / "sectors.csv"))


def _as_regions(items: Iterable) -> tuple[Region, ...]:
    out = []
    for it in items:
        if isinstance(it, Region):
            out.append(it)
        elif isinstance(it, str):
            out.append(Region(it))
        elif isinstance(it, dict):
            aliases = it.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [a for a in aliases.split("|") if a.strip()]
            out.append(Region(it["name"], it.get("official_name") or "", list(aliases)))
        else:
            raise TypeError(f"region entry not understood: {it!r}")
    return tuple(out)


def _as_sectors(items: Iterable) -> tuple[Sector, ...]:
    out = []
    for it in items:
        if isinstance(it, Sector):
            out.append(it)
        elif isinstance(it, str):
            out.append(Sector(it))
        elif isinstance(it, dict):
            aliases = it.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [a for a in aliases.split("|") if a.strip()]
            out.append(Sector(it["name"], it.get("acronym") or "", list(aliases)))
        else:
            raise TypeError(f"sector entry not understood: {it!r}")
    return tuple(out)


class Reference:
    """Matches printed names of regional governments and sectors to canonical names."""

    def __init__(self, regions: Iterable | None = None, sectors: Iterable | None = None):
        self.regions = _as_regions(regions) if regions is not None else default_regions()
        self.sectors = _as_sectors(sectors) if sectors is not None else default_sectors()
        # folded key -> canonical region name
        self._region_keys: dict[str, str] = {}
        for r in self.regions:
            for k in [r.name, r.official_name, *r.aliases]:
                fk = fold_alnum(k)
                if fk:
                    self._region_keys.setdefault(fk, r.name)
                    stripped = _REGION_PREFIX.sub("", fk)
                    if stripped and stripped != fk:
                        self._region_keys.setdefault(stripped, r.name)
        # longest keys first for searching inside longer texts
        self._region_search = sorted(self._region_keys, key=len, reverse=True)
        self._region_search_re = [
            (re.compile(rf"(?<![0-9a-zñ]){re.escape(k)}(?![0-9a-zñ])"), k) for k in self._region_search
        ]
        self._sector_keys: dict[str, str] = {}
        acronyms = {}
        for s in self.sectors:
            for k in [s.name, s.acronym, *s.aliases]:
                fk = fold_alnum(k)
                if fk:
                    self._sector_keys.setdefault(fk, s.name)
            if s.acronym:
                acronyms[s.acronym.upper()] = s.name
        for alias, acr in SECTOR_ALIASES.items():
            if acr in acronyms:
                self._sector_keys.setdefault(alias, acronyms[acr])

    # ------------------------------------------------------------------ regions
    def match_region(self, printed: str | None, fuzzy: bool = True) -> str | None:
        """"GOBIERNO REGIONAL DE CUSCO", "GORE Cusco", "Gobierno Regional del Callao",
        "Municipalidad Metropolitana de Lima" -> canonical name; None when unknown."""
        key = _ocr_letters(fold_alnum(printed))
        if not key:
            return None
        if key in self._region_keys:
            return self._region_keys[key]
        stripped = _REGION_PREFIX.sub("", key)
        if stripped in self._region_keys:
            return self._region_keys[stripped]
        bare = [k for k in self._region_keys if not _REGION_PREFIX.match(k + " ")]
        words = stripped.split()
        if re.match(r"^(?:gobierno|gob|gore|municipalidad|region)\b", key) and len(words) >= 2:
            # a garbled prefix ("Gobierno Regionadlel Callao"): the name is at the end
            for n in (3, 2, 1):
                tail = " ".join(words[-n:])
                if tail in self._region_keys and tail in bare:
                    return self._region_keys[tail]
            if fuzzy:
                for n in (3, 2, 1):
                    tail = " ".join(words[-n:])
                    if len(tail) >= 4:
                        close = difflib.get_close_matches(tail, bare, n=1, cutoff=0.85)
                        if close:
                            return self._region_keys[close[0]]
        if fuzzy and len(stripped) >= 4:
            close = difflib.get_close_matches(stripped, bare, n=1, cutoff=0.8)
            if close:
                return self._region_keys[close[0]]
        return None

    def looks_like_region_title(self, printed: str) -> bool:
        """A heading that names a regional government block (matched or not)."""
        key = fold_alnum(printed)
        if not key or len(key) > 80:
            return False
        if self.match_region(printed, fuzzy=False):
            return True
        return bool(
            re.match(r"^(?:gobierno regional|gob reg|gore|municipalidad (?:metropolitana|provincial)|region)\b", key)
        )

    def find_region_in(self, text: str | None) -> str | None:
        """The region named inside a longer text (an attendee's position): the longest name
        found, the last one when several are equally long."""
        key = fold_alnum(text)
        if not key:
            return None
        best = None  # (length, position, name)
        for rx, k in self._region_search_re:
            if best and len(k) < best[0]:
                break
            for m in rx.finditer(key):
                cand = (len(k), m.start(), self._region_keys[k])
                if best is None or cand[:2] > best[:2]:
                    best = cand
        return best[2] if best else None

    # ------------------------------------------------------------------ sectors
    def match_sector(self, printed: str | None) -> str | None:
        key = fold_alnum(printed)
        if not key:
            return None
        if key in self._sector_keys:
            return self._sector_keys[key]
        stripped = re.sub(r"^sector\s+", "", key)
        stripped = re.sub(r"\s+(?:sector)$", "", stripped)
        if stripped in self._sector_keys:
            return self._sector_keys[stripped]
        # "MINISTERIO DE SALUD - MINSA", "Ministerio de Salud (MINSA)"
        words = stripped.split()
        if len(words) > 1 and words[-1] in self._sector_keys:
            head = " ".join(words[:-1])
            if head in self._sector_keys:
                return self._sector_keys[head]
        close = difflib.get_close_matches(stripped, list(self._sector_keys), n=1, cutoff=0.88)
        if close:
            return self._sector_keys[close[0]]
        return None
