"""Text helpers for actas: folding, label words, Spanish dates, honorifics, capitalisation.

Everything here is pure (strings in, values out) so it can be unit-tested on its own.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

# ----------------------------------------------------------------------------- folding


def fold(s: str | None) -> str:
    """Lower case, no accents, whitespace collapsed: the key used for comparisons."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())


def fold_alnum(s: str | None) -> str:
    """``fold`` with punctuation turned into spaces (for matching names of bodies)."""
    s = fold(s)
    s = re.sub(r"[^0-9a-zñ]+", " ", s)
    return " ".join(s.split())


def collapse(s: str | None) -> str:
    return " ".join((s or "").split())


def join_lines(lines: list[str]) -> str:
    """Join the printed lines of a paragraph: a space between lines, except after a word
    that ends in a hyphen or an en dash ("COVID-" + "19" -> "COVID-19", "2024–" + "2025"
    -> "2024–2025": the dash was printed, the line break was not)."""
    out = ""
    for raw in lines:
        line = collapse(raw)
        if not line:
            continue
        if not out:
            out = line
        elif re.search(r"[0-9A-Za-zÀ-ÿ][-‐‑–]$", out):
            out += line
        else:
            out += " " + line
    return out


# ----------------------------------------------------------------------------- labels

# "N°", "Nº", "N.°", "No.", "Nro.", "N*", "N?", "N”*" (OCR) ... between the label word and its number.
_NUM_SIGN = r"(?:N(?:ro|um|ú?m(?:ero)?)?\s?(?:[^\w\s]|[ºª°˚oO0_]){0,3}\s?|#)"
_DIGITS = r"[0-9OoIl|$]{1,3}"


def _fuzzy_word(word: str) -> str:
    """A regex for ``word`` in any case, with accents and OCR look-alikes (O/0, I/1/l)."""
    out = []
    for ch in word:
        if ch == "O":
            out.append("[O0Oo]")
        elif ch == "I":
            out.append("[I1lií|]")
        elif ch == "A":
            out.append("[AÁaá]")
        elif ch == "E":
            out.append("[EÉeé]")
        else:
            out.append(f"[{ch}{ch.lower()}]")
    return "".join(out)


_TEMA_RE = re.compile(
    rf"^\s*{_fuzzy_word('TEMA')}\s*{_NUM_SIGN}?\s*(?P<num>{_DIGITS})(?![0-9A-Za-z])\s*(?P<sep>[:.\-–—)]*)\s*(?P<rest>.*)$",
    re.S,
)
_COMP_RE = re.compile(
    rf"^\s*{_fuzzy_word('COMPROMISO')}\s*{_NUM_SIGN}?\s*(?P<num>{_DIGITS})(?![0-9A-Za-z])\s*(?P<sep>[:.\-–—)]*)\s*(?P<rest>.*)$",
    re.S,
)
def _digits(s: str) -> int | None:
    s = s.translate(str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "$": "5"}))
    return int(s) if s.isdigit() else None


# between a label's number and its text, what OCR reads from specks: punctuation alone
# ("COMPROMISO 7 , El MVCS", "TEMA 2 * Demanda") or a stray digit ("N? 3 3 El MINSA")
_LABEL_NOISE = re.compile(r"^(?:[^\w\s“\"«¿¡(\[]{1,3}|\d)\s+(?=[A-ZÁÉÍÓÚÑ“\"«¿¡(])")


def match_label(text: str, kind: str) -> tuple[int, str] | None:
    """``("TEMA N° 2 Texto", "tema") -> (2, "Texto")``; None when the text does not start
    with that label. ``kind`` is "tema" or "compromiso"."""
    rx = _TEMA_RE if kind == "tema" else _COMP_RE
    m = rx.match(text)
    if not m:
        return None
    num = _digits(m.group("num"))
    if num is None:
        return None
    rest = _LABEL_NOISE.sub("", m.group("rest").strip())
    if rest and not m.group("sep") and rest[0].islower():
        return None  # prose: "Compromiso 1 del acta anterior ..."
    return num, rest


# ----------------------------------------------------------------------------- dates

MONTHS = {
    "enero": 1, "ene": 1,
    "febrero": 2, "feb": 2,
    "marzo": 3, "mar": 3,
    "abril": 4, "abr": 4,
    "mayo": 5, "may": 5,
    "junio": 6, "jun": 6,
    "julio": 7, "jul": 7,
    "agosto": 8, "ago": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "set": 9,
    "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11,
    "diciembre": 12, "dic": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))

_DMY_NUM = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})(?!\d)")
_DMY_WORDS = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:°|º|ro|er|\.)?\s*(?:de\s+)?({_MONTH_ALT})\.?\s*(?:de[l]?\s+|,\s*|\s)\s*(\d{{4}})(?!\d)"
)
_MY_WORDS = re.compile(rf"(?<![a-z])({_MONTH_ALT})\.?\s*(?:de[l]?\s+|,\s*|/\s*|-\s*|\s)\s*(\d{{4}})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _mkdate(y: int, m: int, d: int) -> dt.date | None:
    if y < 100:
        y += 2000
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_due(text: str | None) -> dt.date | None:
    """A deadline as printed -> date. "31/03/2021", "31 de marzo de 2021" -> 2021-03-31;
    "marzo 2021" -> the last day of the month; durations and words ("30 días",
    "Permanente", "Trimestral") -> None."""
    if not text:
        return None
    t = fold(text)
    # a date broken inside a narrow column: "31/03/20 22"
    t = re.sub(r"(?<=\d[/.\-]\d\d[/.\-]\d\d)\s+(?=\d\d\b)", "", t)
    t = re.sub(r"(?<=[/.\-])\s+(?=\d)|(?<=\d)\s+(?=[/.\-]\d)", "", t)
    # every date written; of a range ("del 15/03/2021 al 30/06/2021") the deadline is the last
    found = []
    for m in _ISO.finditer(t):
        found.append((m.end(), m.end() - m.start(), _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    for m in _DMY_NUM.finditer(t):
        found.append((m.end(), m.end() - m.start(), _mkdate(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    for m in _DMY_WORDS.finditer(t):
        found.append((m.end(), m.end() - m.start(), _mkdate(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))))
    for m in _MY_WORDS.finditer(t):
        y, mo = int(m.group(2)), MONTHS[m.group(1)]
        found.append((m.end(), m.end() - m.start(), _mkdate(y, mo, calendar.monthrange(y, mo)[1])))
    found = [f for f in found if f[2] is not None]
    if not found:
        return None
    return max(found, key=lambda f: (f[0], f[1]))[2]


_PLACE_DATE = re.compile(
    rf"^\s*(?P<place>[^\d,;:]{{2,60}}?)\s*,\s*(?:(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s*,?\s*)?"
    rf"(?P<d>\d{{1,2}})\s*(?:°|º|ro|er|\.)?\s*de\s+(?P<m>{_MONTH_ALT})\.?\s+(?:de[l]?\s+)?(?P<y>\d{{4}})\b",
)
_DATE_ONLY = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?:°|º|ro|er|\.)?\s*de\s+(?P<m>{_MONTH_ALT})\.?\s+(?:de[l]?\s+)?(?P<y>\d{{4}})\b"
)


def parse_place_date(line: str) -> tuple[str | None, dt.date] | None:
    """"Ayacucho, 8 de diciembre de 2020" -> ("Ayacucho", date(2020, 12, 8)). The place keeps
    its printed spelling. A bare date gives (None, date). None when there is no full date."""
    folded = fold(line)
    m = _PLACE_DATE.match(folded)
    if m:
        d = _mkdate(int(m.group("y")), MONTHS[m.group("m")], int(m.group("d")))
        if d:
            # Same length after folding only when no character was decomposed away; cut the
            # printed line at the comma instead of relying on offsets.
            place = collapse(line.split(",", 1)[0])
            place = re.sub(r"^(?:en\s+)?(?:la\s+)?ciudad\s+de\s+", "", place, flags=re.I).strip()
            return (place or None), d
    m = _DATE_ONLY.search(folded)
    if m:
        d = _mkdate(int(m.group("y")), MONTHS[m.group("m")], int(m.group("d")))
        if d:
            place = None
            pm = re.search(r"ciudad\s+de\s+([^,\d]+?)(?:,|\s+siendo|\s+el\s+d|\s+a\s+los|$)", line, re.I)
            if pm:
                place = collapse(pm.group(1))
            return place, d
    return None


# ----------------------------------------------------------------------------- honorifics

HONORIFICS = [
    "Sr.", "Sra.", "Srta.", "Dr.", "Dra.", "Ing.", "Lic.", "Mg.", "Mag.", "Msc.", "MSc.", "M.Sc.",
    "Econ.", "Abog.", "Arq.", "Prof.", "Psic.", "Obst.", "Blgo.", "Bach.", "Tec.", "CPC.", "C.P.C.",
    "Gral.", "Crnl.", "Cmdte.", "Tte.", "Q.F.", "Med.", "Mtro.", "Mtra.",
]
_HON_NODOT = {fold(h).replace(".", ""): h for h in HONORIFICS}
# Honorifics recognised even without their period (OCR often loses it).
_HON_BARE_OK = {"sr", "sra", "srta", "dr", "dra", "ing", "lic", "mg", "econ", "abog", "arq", "prof"}

BULLET_CHARS = "▪•·●○■□◦‣⁃∙➢➤►▶✓✔-–—*»«=+~>°¤§¢©®o◆◇❖"
# printed bullets (and OCR renderings of one: '=', '«', '»', '+'), besides any symbol glyph
_BULLET_MARKS = set("▪•·●○■□◦‣⁃∙➢➤►▶✓✔-–—*»«=+~>¤§¢©®◆◇❖")


def is_bullet_glyph(ch: str) -> bool:
    """A character that can only be a list bullet when it opens an item: the usual marks,
    any private-use glyph (Word's Symbol/Wingdings bullets come out as U+F0B7, U+F0A7, ...)
    and any other pictographic symbol (arrows, squares, check marks, dingbats)."""
    if ch in _BULLET_MARKS:
        return True
    cat = unicodedata.category(ch)
    return cat == "Co" or (cat == "So" and ch != "°")


def strip_bullet(text: str, lookalikes: bool = True) -> tuple[bool, str]:
    """Remove a leading list bullet (also OCR renderings of one: '=', '«', '»', '+', 'e'...).
    ``lookalikes`` False: a text layer, where a lone "e" is the Spanish conjunction of a
    wrapped line ("Ministro de Desarrollo" / "e Inclusión Social"), never a bullet."""
    t = text.lstrip()
    i = 0
    while i < len(t) and is_bullet_glyph(t[i]):
        i += 1
    if i:
        rest = t[i:].lstrip()
        return (True, rest) if rest else (False, t)
    m = re.match(r"^[oe°](?=\s+[A-ZÁÉÍÓÚÑ])\s*" if lookalikes else r"^[o°](?=\s+[A-ZÁÉÍÓÚÑ])\s*", t)
    if m and len(t) > len(m.group(0)):
        return True, t[m.end():]
    return False, t


def split_honorific(text: str) -> tuple[str | None, str]:
    """"Dra. Noemí Cusi Aguirre" -> ("Dra.", "Noemí Cusi Aguirre"). The honorific is kept as
    printed; OCR's "Sr," (or a lost period) gives the listed spelling "Sr."."""
    t = text.strip()
    parts = t.split(None, 1)
    if len(parts) < 2:
        return None, t
    tok, rest = parts
    key = fold(tok).rstrip(".,").replace(".", "")
    canonical = _HON_NODOT.get(key)
    if canonical is None:
        return None, t
    if tok.endswith(".") and fold(tok).replace(".", "") == key:
        return tok, rest.strip()
    if not tok.endswith(".") and key not in _HON_BARE_OK:
        return None, t
    return canonical, rest.strip()


def starts_with_honorific(text: str) -> bool:
    ok, rest = strip_bullet(text)
    return split_honorific(rest)[0] is not None


# ----------------------------------------------------------------------------- capitalisation

_PARTICLES = {"de", "del", "la", "las", "los", "y", "e", "el", "en", "a", "para", "por", "con", "da", "di", "van",
              "von"}
_ROMAN = re.compile(r"^(?=[IVXLC]+$)M{0,3}(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_KEEP_UPPER = {"GORE", "MML", "PCM", "MEF"}


def _cap_word(w: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))


def title_case(text: str) -> str:
    """"I GORE EJECUTIVO 2023" -> "I GORE Ejecutivo 2023"."""
    out = []
    for i, w in enumerate(collapse(text).split(" ")):
        core = w.strip("“”\"'()")
        if core.upper() in _KEEP_UPPER or _ROMAN.match(core) or any(ch.isdigit() for ch in core):
            out.append(w if core.upper() not in _KEEP_UPPER else w.upper())
        elif i > 0 and fold(core) in _PARTICLES:
            out.append(w.lower())
        else:
            out.append(_cap_word(w))
    return " ".join(out)


def name_case(name: str) -> str:
    """A person's name in normal capitalisation: "DIONISIO BÉJAR DE LA CRUZ" ->
    "Dionisio Béjar de la Cruz"; names already in mixed case are kept."""
    name = collapse(name)
    if any(ch.islower() for ch in name):
        return name
    out = []
    for i, w in enumerate(name.split(" ")):
        if i > 0 and fold(w) in _PARTICLES:
            out.append(w.lower())
        else:
            out.append(_cap_word(w))
    return " ".join(out)


def strip_final_period(s: str) -> str:
    s = s.strip()
    while s.endswith(".") and not re.search(r"\b[A-Z]\.$", s):
        s = s[:-1].rstrip()
    return s
