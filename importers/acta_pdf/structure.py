"""From laid-out pages to the acta's content: sections, meeting data, attendees, regional
blocks with topics and commitments, other topics and observations.

The stream of items (ruled table rows and free lines, in reading order over all pages) is
first cut into sections by their headings; free lines of each section are then rebuilt
into rows with the section's column structure (see ``columns``), so that ruled tables,
borderless layouts and OCR output all reach the same row handlers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import columns as colmod
from .layout import Cell, Line, Page, Row, group_lines
from .model import ParseWarning
from .reference import Reference
from .text import (
    collapse,
    fold,
    join_lines,
    match_label,
    name_case,
    parse_due,
    parse_place_date,
    split_honorific,
    strip_bullet,
    strip_final_period,
    title_case,
)

_POSITION_WORDS = (
    r"(?:vice|sub)?(?:director|gerent|gobernador|ministr|jef|especialista|asesor|alcald|coordinador|secretari|presidente|"
    r"president|consejer|representante|analista|responsable|funcionari|sectorista|administrador|encargad|prefect|"
    r"congresista|procurador|superintendente|intendente|comisionad|delegad|miembro|titular|profesional|consultor|"
    r"abogad|ingenier|tecnic|t[eé]cnic|economista|asistente|regidor|teniente)\w*"
)
# "Milagros Mamani Rojas, Directora Regional ..." : a name (capitalised words and particles)
# followed by a comma and a position word.
_PERSON_LINE = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ][\wáéíóúñü'’\-]+\s+|(?:de|del|la|las|los|y)\s+){1,6}?[A-ZÁÉÍÓÚÑ][\wáéíóúñü'’\-]+\s*,\s*"
    + _POSITION_WORDS + r"\b",
    re.I,
)

# a line holding only a name and its comma ("Percy Otárola Ticona,"), the position below it
_NAME_LINE = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ][\wáéíóúñü'’\-]+\s+|(?:de|del|la|las|los|y)\s+){1,5}[A-ZÁÉÍÓÚÑ][\wáéíóúñü'’\-]+\s*,$"
)


def _position_complete(lines: list[str]) -> bool:
    """An attendee's text whose position is under way (three words at least) and does not
    stop mid-phrase (after "de", "la", "y", a comma or a dash), so that the next line
    cannot continue it."""
    text = collapse(" ".join(lines))
    if "," not in text or len(text.split(",", 1)[1].split()) < 3:
        return False  # "Gerente" / "Regional de Planeamiento, ...": a position just begun
    return not re.search(r"(?:\b(?:de|del|la|las|los|y|e|en|a|para|por|con)|[,\-–—/])$", text, re.I)


# ----------------------------------------------------------------------------- vocabulary

META_KEYS = {
    "sector": "sector",
    "entidad": "sector",
    "moderador": "moderator",
    "moderadora": "moderator",
    "moderado por": "moderator",
    "fecha": "date",
    "lugar y fecha": "date",
    "fecha y lugar": "date",
    "lugar": "place",
    "sede": "place",
    "hora": "time",
    "asistentes": "attendees",
    "participantes": "attendees",
    "asistencia": "attendees",
}
_COMMIT_HEADINGS = re.compile(
    r"^(?:compromisos?(?:\s+(?:asumidos|adoptados|acordados|suscritos))?|acuerdos(?:\s+y\s+compromisos)?(?:\s+(?:adoptados|asumidos))?)\s*:?$"
)
# where the signatures begin: nothing after this is content
_SIGNATURES = re.compile(r"^(?:firmas?(?:\s+de\s+(?:los\s+)?(?:participantes|asistentes))?\s*:?$|_{5,}|suscriben\s*:?$|"
                         r"en senal de conformidad(?:,)? (?:firman|suscriben)\b|"
                         r"(?:firman|suscriben)(?: \w+){0,4} en senal de (?:conformidad|aceptacion)\b)")
# a closing "Ciudad, D de mes de AAAA" line (a place of at most four capitalised words)
_PLACE_DATE_LINE = re.compile(
    r"^\s*[A-ZÁÉÍÓÚÑ][\wáéíóúñ.'’\-]*(?:\s+(?:[A-ZÁÉÍÓÚÑ][\wáéíóúñ.'’\-]*|de|del|la|las|los)){0,4}\s*,\s*(?:\w+\s+)?\d{1,2}\s*(?:°|º)?\s+de\s+[A-Za-záéíóú]+\s+(?:de|del)\s+\d{4}\.?\s*$"
)
_OTHERS_HEADING = re.compile(r"^otros\s+temas(?:\s+tratados)?\s*:?")
_OBS = re.compile(r"^\s*observaci[oó]n(?:es)?\s*[:.\-–]?\s*", re.I)
_REGION_SIDE = re.compile(r"^por\s+(?:los|el)\s+gobiernos?(?:\s+regional(?:es)?)?\b")
_SECTOR_SIDE = re.compile(
    r"^por\s+(?:el|la|los)\s+(?:sector|ministerio|gobierno\s+nacional|poder\s+ejecutivo|ejecutivo|entidad)\b"
)
_TITLE = re.compile(r"(?:\b|\b[tl1i])gore\b.*\bejecutiv[oa0]\b|\bgobiernos?\s+regionales?\s+ejecutiv")
_ITEM_NO = re.compile(r"^\s*(\d{1,2})\s*[.)\-–]\s*(?=\S)")
_PLAZO = re.compile(
    r"^\s*(?:plazos?(?:\s+(?:de|del|para)\s+\w+)?|fecha\s+(?:l[ií]mite|de\s+\w+))\s*:\s*", re.I
)
_RESP = re.compile(r"^\s*(?:responsables?|responsable\(s\)|entidad\s+responsable)\s*:\s*", re.I)
_INLINE_PLAZO = re.compile(r"\s+(?:Plazo|PLAZO|Fecha l[ií]mite|Fecha de cumplimiento)\s*:\s*")


_META_RE = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(META_KEYS, key=len, reverse=True)) + r")"
    r"(?:\s*\((?:a|as|es|os)\)|/a)?(?=$|[\s:.\-–])\s*[:.\-–]?\s*"
)


def _meta_key(text: str) -> tuple[str, str] | None:
    """("SECTOR: MINISTERIO DE SALUD") -> ("sector", "MINISTERIO DE SALUD");
    "MODERADOR(A)", "Moderadora:" too."""
    t = collapse(text)
    ft = fold(t)
    m = _META_RE.match(ft)
    if not m:
        return None
    # folding keeps the length of Spanish text, so the offset is valid in the printed text
    rest = t[m.end():].strip() if len(ft) == len(t) else t.split(None, 1)[1].lstrip(" :.-–") if " " in t else ""
    return META_KEYS[m.group(1)], rest


# ----------------------------------------------------------------------------- working objects


@dataclass
class _Commitment:
    number: int
    page: int
    y: float
    lines: list[str] = field(default_factory=list)
    due_lines: list[str] = field(default_factory=list)
    resp_lines: list[str] = field(default_factory=list)
    mode: str = "text"  # where continuation lines go: text | due | resp


@dataclass
class _Topic:
    number: int
    page: int
    y: float
    lines: list[str] = field(default_factory=list)
    commitments: list[_Commitment] = field(default_factory=list)


@dataclass
class _Block:
    region: str
    printed: str
    matched: bool
    topics: list[_Topic] = field(default_factory=list)
    from_cell: bool = False


@dataclass
class Parsed:
    meeting: dict
    attendees: list
    regions: list
    other_topics: list
    observations: str | None
    warnings: list
    commitment_pages: dict
    found: dict  # what was recognised, to tell an acta from another document


class ActaReader:
    def __init__(self, pages: list[Page], ref: Reference, ocr: bool = False):
        self.pages = pages
        self.ref = ref
        self.ocr = ocr
        self.warnings: list[ParseWarning] = []
        self.title: str | None = None
        self.header_lines: list[str] = []
        self.title_line: str | None = None
        self.date = None
        self.place: str | None = None
        self.meta: dict[str, str] = {}
        self.attendees: list[dict] = []
        self.blocks: list[_Block] = []
        self.others: list[dict] = []
        self.observations: list[str] = []
        self.found = {"title": False, "commit_heading": False, "labels": 0, "regions": 0, "attendees_heading": False}
        # commitments table state
        self.colmap: list[tuple[float, float, str]] = []
        self._ruled_colmap = False  # colmap comes from a ruled column-header row
        self._last_person: dict[str, tuple[int, str]] = {}  # side -> (index, text) of its last attendee
        self._row_columns: list[tuple[float, float, str]] = []  # columns of the fullest ruled row
        self.topic: _Topic | None = None
        self.commitment: _Commitment | None = None
        self.last_item: object | None = None
        self.has_labels = False
        self.tema_labels = False
        self.comp_labels = False
        self._pitch: float | None = None

    def _strip_bullet(self, text: str) -> tuple[bool, str]:
        return strip_bullet(text, lookalikes=self.ocr)

    # ------------------------------------------------------------------ entry
    def read(self) -> Parsed:
        items = [it for pg in self.pages for it in pg.items]
        self._first_row_on_page = {}
        for pg in self.pages:
            for it in pg.items:
                if isinstance(it, Row):
                    self._first_row_on_page[pg.number] = it
                    break
        # each page's left text margin
        self._left = {pg.number: min((it.x0 for it in pg.items), default=0.0) for pg in self.pages}
        self.has_labels = any(self._row_has_label(it) for it in items)
        self.found["printed_labels"] = self.has_labels
        self.tema_labels = any(self._row_has_label(it, "tema") for it in items)
        self.comp_labels = any(self._row_has_label(it, "compromiso") for it in items)
        sections = self._sections(items)
        for name, group in sections:
            getattr(self, f"_do_{name}")(group)
        if self.title is None or self.date is None:
            # the heading (or the date) printed only in the running page header
            self._scan_header_lines([t for pg in self.pages for t in pg.bands])
        return self._result()

    # ------------------------------------------------------------------ sections
    @staticmethod
    def _text(it) -> str:
        return it.text if isinstance(it, (Row, Line)) else ""

    @staticmethod
    def _first(it) -> str:
        if isinstance(it, Row):
            ne = it.nonempty()
            return ne[0].text if ne else ""
        return it.text

    def _is_full(self, it) -> bool:
        return isinstance(it, Line) or it.full

    def _row_has_label(self, it, kind: str | None = None) -> bool:
        kinds = (kind,) if kind else ("tema", "compromiso")
        if isinstance(it, Row):
            return any(match_label(ln.text, k) for c in it.cells for ln in c.lines for k in kinds)
        return any(k in kinds for k, _, _ in colmod.label_positions(it))

    def _is_region_title(self, text: str, strict_caps: bool = False, cell: bool = False) -> bool:
        """A heading naming a regional government: "GOBIERNO REGIONAL DE X", "GORE X",
        "Municipalidad Metropolitana de Lima"... A bare name ("AREQUIPA") counts only in
        capitals or alone in a merged table row (``cell``), never with other punctuation."""
        t = collapse(text)
        if not t or len(t) > 90 or match_label(t, "tema") or match_label(t, "compromiso"):
            return False
        ft = fold(t)
        if _TITLE.search(ft.replace("0", "o")):
            return False
        if re.search(r"[()\[\]“”\"«»]", t):
            return False  # the end of a sentence naming a region: "... del GORE Ucayali)."
        upper = not any(ch.islower() for ch in t)
        if strict_caps and not upper:
            return False
        prefixed = bool(re.match(r"^(?:gobierno\s+regi|gob\.? reg|gore\b|municipalidad\b|region\b|regi0n\b)", ft))
        if re.search(r"\b(?:tema|compromiso)s?\b", ft):
            return False
        if len(ft.split()) > 7:
            return False
        if self.ref.match_region(t):
            if prefixed:
                return True
            bare = re.fullmatch(r"[^\W\d_][\w\s'’\-]*:?", t.strip())
            return bool(bare) and (upper or cell)
        return upper and prefixed

    def _opens_observations(self, it) -> bool:
        """The Observaciones label, told by its form rather than by the word: capitalised
        ("Observaciones", "OBSERVACIONES"), as a label (a colon or dash after it, or bold, or
        alone), opening the first cell of a row or a line at the page's left margin (or a
        heading alone on its line). A wrapped line of a commitment that happens to begin
        with "observaciones ..." is none of these."""
        if isinstance(it, Row):
            ne = it.nonempty()
            if not ne or (ne[0] is not it.cells[0] and not it.full):
                return False
            ln = ne[0].lines[0]
            return _obs_label(ln, self.ocr) is not None
        rest = _obs_label(it, self.ocr)
        if rest is None:
            return False
        return not rest or it.x0 - self._left.get(it.page, it.x0) < 30

    def _sections(self, items) -> list[tuple[str, list]]:
        out: list[tuple[str, list]] = []
        section = "header"

        def put(name, it):
            if out and out[-1][0] == name:
                out[-1][1].append(it)
            else:
                out.append((name, [it]))

        for it in items:
            text = collapse(self._text(it))
            ft = fold(text)
            first = fold(self._first(it))
            full = self._is_full(it)
            if self.ocr:
                # OCR reads specks and table borders before a heading: "o - COMPROMISOS ASUMIDOS"
                ft = _strip_noise(ft)
                first = _strip_noise(first)
            if not ft:
                continue
            if section == "tail":
                continue
            if _SIGNATURES.match(ft) and section in ("commitments", "others", "observations"):
                section = "tail"
                continue
            if section != "header" and self._opens_observations(it):
                section = "observations"
                put(section, it)
                continue
            if full and (_OTHERS_HEADING.match(ft) or (self.ocr and _near(ft, "otros temas tratados"))):
                section = "others"
                self.found["others_heading"] = True
                rest = _OTHERS_HEADING.sub("", ft).strip()
                if rest and isinstance(it, Line):
                    put(section, it)
                continue
            if full and (_COMMIT_HEADINGS.match(ft) or (self.ocr and _near(ft, "compromisos asumidos"))):
                if section in ("header", "meta", "attendees", "commitments"):
                    section = "commitments"
                    self.found["commit_heading"] = True
                    continue
            if section in ("header", "meta", "attendees"):
                mk = _meta_key(self._first(it))
                if _REGION_SIDE.match(ft) or _SECTOR_SIDE.match(ft) or (mk and mk[0] == "attendees") or (
                    len(ft) < 70 and re.search(r"\bpor (?:el sector|los gobiernos)\b", ft)
                ):
                    if section != "attendees":
                        section = "attendees"
                    self.found["attendees_heading"] = True
                    put(section, it)
                    continue
                if mk and mk[0] != "attendees" and (
                    section != "attendees"
                    # after the attendees only an unmistakable key row ("MODERADOR | ...",
                    # "Sector:"), not a wrapped position that begins with the word
                    or (isinstance(it, Row) and len(it.nonempty()) > 1 and _meta_key(it.nonempty()[0].text) is not None
                        and not _meta_key(it.nonempty()[0].text)[1])
                    or re.match(r"^\s*\w+(?:\(a\))?\s*:", text)
                ):
                    section = "meta"
                    put(section, it)
                    continue
                if self._row_has_label(it) or colmod.header_roles(it if isinstance(it, Line) else Line([])) or (
                    isinstance(it, Row) and self._is_header_row(it)
                ):
                    section = "commitments"
                    put(section, it)
                    continue
                if full and self._is_region_title(text, strict_caps=(section == "attendees")):
                    section = "commitments"
                    put(section, it)
                    continue
            put(section, it)
        return out

    # ------------------------------------------------------------------ header / meta
    def _do_header(self, items) -> None:
        lines = []
        for it in items:
            if isinstance(it, Row):
                for c in it.cells:
                    lines.extend(ln.text for ln in c.lines)
            else:
                lines.append(it.text)
        self._scan_header_lines(lines)

    def _scan_header_lines(self, lines: list[str]) -> None:
        for i, t in enumerate(lines):
            self.header_lines.append(t)
            ft = fold(t).replace("0", "o")
            if self.title is None and _TITLE.search(ft):
                title = collapse(t)
                if self.ocr:
                    # thin roman numerals misread: "TGORE", "Il GORE", "| GORE", "TI GORE"
                    title = re.sub(r"(?:(?<=\s)|^)([TIl1|!]{1,4})\s*(?=GORE\b)",
                                   lambda m: m.group(1).translate(str.maketrans("Tl1|!", "IIIII")) + " ", title)
                # a heading broken over two lines: "GORE EJECUTIVO" / "EXTRAORDINARIO"
                if i + 1 < len(lines) and re.fullmatch(
                        r"(?:extra)?ordinari[oa]|\d{4}|(?:sesi[oó]n\s+)?(?:extra)?ordinaria", fold(lines[i + 1])):
                    title += " " + collapse(lines[i + 1])
                title = re.sub(r"^[\"“”'«»]+|[\"“”'«»]+$", "", title)
                # the heading itself, without what surrounds it ("ACTA DEL ...", "– MINSA")
                m = re.search(r"(?:(?<!\S)(?:[IVXLC]{1,5}|\d{1,2}\s*(?:°|º|er|ero|do|ro|vo|to|mo|no)?)\s+)?GORE\b.*",
                              title, re.I)
                if m:
                    title = m.group(0)
                title = re.split(r"\s+[-–—:|]\s+", title)[0]
                self.title = title_case(title)
                self.title_line = collapse(t)
                self.found["title"] = True
                continue
            if re.search(r"\bacta\s+de\s+(?:compromisos|acuerdos)\b", ft):
                self.found["acta_heading"] = True
            if self.date is None:
                pd = parse_place_date(t)
                if pd and not fold(t).startswith(("ano ", "\"ano", "“ano")):
                    self.place, self.date = pd

    def _do_meta(self, items) -> None:
        last = None
        value_x = None
        last_bottom = 0.0
        used: set[int] = set()
        for n, it in enumerate(items):
            if id(it) in used:
                continue
            if isinstance(it, Row):
                ne = it.nonempty()
                if not ne:
                    continue
                mk = _meta_key(ne[0].text)
                if mk:
                    key, rest = mk
                    beside = []
                    if not rest and len(ne) == 1:
                        # a shaded key cell whose value has no cell of its own: the free text
                        # beside it, within the row's height
                        beside = [ln for ln in items[n + 1:n + 6] if isinstance(ln, Line) and ln.page == it.page
                                  and ln.x0 >= ne[0].x1 - 3 and it.top <= (ln.top + ln.bottom) / 2 <= it.bottom]
                        used.update(map(id, beside))
                    value = collapse(" ".join([rest] + [c.text for c in ne[1:]] + [ln.text for ln in beside]))
                    self._set_meta(key, value)
                    last = key
                elif last:
                    self._set_meta(last, collapse(self.meta.get(last, "") + " " + it.text))
                else:
                    self._do_header([it])
            else:
                mk = _meta_key(it.text)
                if mk:
                    key, rest = mk
                    self._set_meta(key, rest)
                    last = key
                    value_x = it.words[1].x0 if rest and len(it.words) > 1 else None
                    last_bottom = it.bottom
                elif (
                    last in ("sector", "moderator") and self.meta.get(last) and value_x is not None
                    and abs(it.x0 - value_x) < 6 and it.top - last_bottom < 1.2 * max(it.height, 8)
                    and not self._strip_bullet(it.text)[0]
                ):
                    # the value wrapped onto the next line, aligned under it
                    self._set_meta(last, collapse(self.meta[last] + " " + it.text))
                    last_bottom = it.bottom
                else:
                    last = None
                    self._scan_header_lines([it.text])

    def _set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value

    # ------------------------------------------------------------------ attendees
    def _do_attendees(self, items) -> None:
        sides: list[tuple[float, float, str]] = []
        free: list[Line] = []
        prev_page = None
        for it in items:
            if isinstance(it, Line):
                free.append(it)
                prev_page = None
                continue
            if free:
                self._free_attendees(free)
                free = []
            # the row goes on from the previous page's last row: a person may be cut in two
            carry = it.ruled and prev_page is not None and it.page == prev_page + 1
            prev_page = it.page
            cells = [c for c in it.cells if not c.empty]
            head_cells = []
            for c in cells:
                ft = fold(c.text)
                if _REGION_SIDE.match(ft) and len(ft) < 60:
                    head_cells.append((c.x0, c.x1, "region"))
                elif _SECTOR_SIDE.match(ft) and len(ft) < 60:
                    head_cells.append((c.x0, c.x1, "sector"))
            if head_cells:
                sides = head_cells
            for c in cells:
                ft = fold(c.text)
                mk = _meta_key(c.text)
                if mk and mk[0] == "attendees" and not mk[1]:
                    continue
                if (_REGION_SIDE.match(ft) or _SECTOR_SIDE.match(ft)) and len(ft) < 60:
                    continue
                side = None
                if sides:
                    best = max(sides, key=lambda s: min(s[1], c.x1) - max(s[0], c.x0))
                    if min(best[1], c.x1) - max(best[0], c.x0) > 0:
                        side = best[2]
                if side is None:
                    lists = [x for x in cells if not _meta_key(x.text)]
                    if len(lists) > 1:
                        side = "region" if c is lists[0] else "sector"
                    # one list and no side headings: each person's side from the position
                self._parse_attendee_lines(c.lines, side, carry=carry)
        if free:
            self._free_attendees(free)

    def _free_attendees(self, lines: list[Line]) -> None:
        """Borderless attendee block: two columns side by side (their headings on one line),
        or one list with sub-headings ("Por los Gobiernos Regionales:" ... "Por el Sector:")."""
        region_x = sector_x = None
        same_line = False
        body = []
        label_x1 = None
        for ln in lines:
            pos_s = _find_phrase(ln, r"por\s+(?:el|la)\s+(?:sector|ministerio|gobierno\s+nacional|poder)")
            pos_r = _find_phrase(ln, r"por\s+los\s+gobiernos")
            if pos_r is None and pos_s is not None:
                # "POR LOS" / "GOBIERNOS" / "REGIONALES" broken over lines beside "POR EL SECTOR"
                pos_r = _find_phrase(ln, r"por\s+los\b(?!.*\bpor\s+los\b)")
                if pos_r is not None and pos_r >= pos_s:
                    pos_r = None
            if pos_r is not None and pos_s is not None:
                region_x, sector_x, same_line = pos_r, pos_s, True
                continue
            if pos_r is not None or pos_s is not None:
                body.append(ln)  # a sub-heading inside one list
                continue
            words = list(ln.words)
            if words and fold(words[0].text).strip(":") in ("asistentes", "participantes"):
                label_x1 = words[0].x1
                words = words[1:]
            if words:
                body.append(Line(words, ln.page))
        if label_x1 is not None and body and sum(1 for ln in body if ln.x0 > label_x1) > len(body) / 2:
            # ASISTENTES in a left column of its own: drop that column
            body = [Line([w for w in ln.words if w.x0 > label_x1 - 1], ln.page) for ln in body]
            body = [ln for ln in body if ln.words]
        if same_line:
            # continuation of wrapped side headings ("REGIONALES")
            body = [ln for ln in body
                    if fold(ln.text) not in ("regionales", "gobiernos", "gobiernos regionales", "sector")]
            split = colmod.attendee_split(body, region_x, sector_x, lookalikes=self.ocr)
            if split is None:
                split = (region_x + sector_x) / 2
            left, right = [], []
            for ln in body:
                lw = [w for w in ln.words if w.x0 < split - 3]
                rw = [w for w in ln.words if w.x0 >= split - 3]
                if lw:
                    left.append(Line(lw, ln.page))
                if rw:
                    right.append(Line(rw, ln.page))
            first, second = ("region", "sector") if region_x <= sector_x else ("sector", "region")
            self._parse_attendee_lines(left, first)
            self._parse_attendee_lines(right, second)
            return
        split = colmod.attendee_split(body, None, None, lookalikes=self.ocr) if len(body) >= 4 else None
        if split is not None:
            left = [Line([w for w in ln.words if w.x0 < split - 3], ln.page) for ln in body
                    if any(w.x0 < split - 3 for w in ln.words)]
            right = [Line([w for w in ln.words if w.x0 >= split - 3], ln.page) for ln in body
                     if any(w.x0 >= split - 3 for w in ln.words)]

            def people(ls):
                return sum(1 for x in ls
                           if self._strip_bullet(x.text)[0] or split_honorific(self._strip_bullet(x.text)[1])[0])

            # two lists side by side only when both columns start people of their own
            if people(left) >= 2 and people(right) >= 2:
                self._parse_attendee_lines(left, None)
                self._parse_attendee_lines(right, None)
                return
        self._parse_attendee_lines(body, None)

    def _parse_attendee_lines(self, lines: list[Line], side: str | None, sub_headings: bool = True,
                              carry: bool = False) -> None:
        """One column of attendees. A person starts at a bullet, at an honorific, or (lists
        without bullets) after a line broken before the margin although the next line's first
        word would have fitted: a hard line break. ``side`` None: decided per person from the
        position (a regional government named -> region). ``carry``: the cell goes on from
        the previous page, where its last person may have been cut: text before the first
        bullet or honorific finishes that person."""
        if not lines:
            return
        items: list = []
        right_edge = max(ln.x1 for ln in lines)
        bullets = sum(1 for ln in lines if self._strip_bullet(ln.text)[0])
        prev: Line | None = None
        for ln in lines:
            text = collapse(ln.text)
            ft = fold(text)
            if sub_headings and (_REGION_SIDE.match(ft) or _SECTOR_SIDE.match(ft)) and len(ft) < 70:
                items.append(("side", "region" if _REGION_SIDE.match(ft) else "sector"))
                prev = None
                continue
            mk = _meta_key(text)
            if mk and mk[0] == "attendees":
                text = mk[1]
                if not text:
                    continue
            if ft in ("regionales", "gobiernos regionales", "sector") and (not items or items[-1][0] == "side"):
                continue
            bullet, rest = self._strip_bullet(text)
            hon = split_honorific(rest)[0] is not None
            if carry and not items and not bullet and not hon and side in self._last_person:
                items.append(("carry", [text]))
                prev = ln
                continue
            new = bullet or not items or items[-1][0] == "side" or prev is None
            if not new and hon and (not bullets or not self.ocr or True):
                new = not bullets or self.ocr
            if not new and not bullets and prev is not None and ln.words and not rest[:1].islower():
                w0 = ln.words[0]
                space = max(2.0, 0.25 * (w0.bottom - w0.top))
                slack = 12.0 if self.ocr else 1.0
                if prev.x1 + space + (w0.x1 - w0.x0) <= right_edge - slack:
                    new = True  # the first word would have fitted: the previous line ended its item
            if not new and not bullet and items and items[-1][0] == "item" and "," in " ".join(items[-1][1]):
                # "Name Surname, Directora ..." after a person whose position has begun, or a
                # line that is only "Name Surname," after a position that is complete
                if _PERSON_LINE.match(rest) or (
                        not bullets and _NAME_LINE.match(rest) and _position_complete(items[-1][1])):
                    new = True
            if new:
                items.append(("item", [rest if bullet else text]))
            else:
                items[-1][1].append(text)
            prev = ln
        cur_side = side
        for kind, val in items:
            if kind == "side":
                cur_side = val
                continue
            if kind == "carry":
                index, before = self._last_person[side]
                person = self._person(join_lines([before] + val), side)
                if person is not None:
                    self.attendees[index] = person
                    self._last_person[side] = (index, join_lines([before] + val))
                continue
            # the rest of a cell cut by a page break goes on after that cell's people
            self._add_attendee(join_lines(val), cur_side,
                               after_last=carry and cur_side == side and side in self._last_person)

    def _add_attendee(self, text: str, side: str | None, after_last: bool = False) -> None:
        person = self._person(text, side)
        if person is None:
            return
        at = self._last_person[side][0] + 1 if after_last else len(self.attendees)
        self.attendees.insert(at, person)
        # the people after it moved one place down
        self._last_person = {k: (i + 1 if i >= at else i, t) for k, (i, t) in self._last_person.items()}
        if side is not None:
            self._last_person[side] = (at, text)

    def _person(self, text: str, side: str | None) -> dict | None:
        """An attendee from its printed text ("Sr. Name Surname, Position")."""
        text = collapse(text).strip(" ;")
        if not text or len(text) < 3:
            return None
        bullet, text = self._strip_bullet(text)
        hon, rest = split_honorific(text)
        if "," in rest:
            name, position = rest.split(",", 1)
            position = strip_final_period(collapse(position)) or None
        else:
            name, position = rest, None
        name = collapse(name).strip(" ,.;")
        if not name:
            return None
        if side is None:
            side = "region" if position and self._names_region_body(position) else "sector"
        region = self.ref.find_region_in(position) if side == "region" and position else None
        return {"name": name, "honorific": hon, "position": position, "side": side, "region": region}

    def _names_region_body(self, position: str) -> bool:
        fp = fold(position)
        if re.search(r"\b(?:gobierno regional|gobernador|gobernadora|vicegobernador|vicegobernadora|gore"
                     r"|consejer[oa] regional|alcalde|alcaldesa|municipalidad|regional de|regional del)\b", fp):
            return True
        return False

    # ------------------------------------------------------------------ commitments
    def _is_header_row(self, row: Row) -> bool:
        ne = row.nonempty()
        if len(ne) < 2:
            return False
        roles = set()
        for c in ne:
            role = _header_role(c.text)
            if role is None:
                return False
            roles.add(role)
        return len(roles) >= 2

    def _header_colmap(self, row: Row) -> None:
        self.colmap = [(c.x0, c.x1, _header_role(c.text) or "number") for c in row.nonempty()]
        self._ruled_colmap = True

    def _role_of(self, cell: Cell, row: Row, idx: int, ncells: int) -> str:
        if self.colmap:
            best, ov = None, 0.0
            for x0, x1, role in self.colmap:
                o = min(x1, cell.x1) - max(x0, cell.x0)
                if o > ov:
                    best, ov = role, o
            if best:
                return best
        if row.ruled and 0 < ncells < len(self._row_columns):
            # a row with fewer cells (under a merged TEMA cell): the column it lies in, as laid
            # out by the table's fullest row
            best = max(self._row_columns, key=lambda c: min(c[1], cell.x1) - max(c[0], cell.x0))
            if min(best[1], cell.x1) - max(best[0], cell.x0) > 0:
                return best[2]
        return _INDEX_ROLES[min(idx, 3)] if ncells > 1 else "mixed"

    def _do_commitments(self, items) -> None:
        free: list[Line] = []
        all_free = [it for it in items if isinstance(it, Line)]
        cols = None
        if not self.found.get("commit_columns") and any(
            {"topic", "commitment"} & set(colmod.header_roles(ln) or ()) for ln in all_free
        ):
            self.found["commit_columns"] = True
        if all_free:
            cols = colmod.commitment_columns(all_free, self._line_is_full)
        for it in items:
            if isinstance(it, Line):
                free.append(it)
                continue
            if free:
                self._free_commitment_lines(free, cols)
                free = []
            self._commitment_row(it)
        if free:
            self._free_commitment_lines(free, cols)

    def _line_is_full(self, ln: Line) -> bool:
        t = collapse(ln.text)
        return self._is_region_title(t) or bool(_COMMIT_HEADINGS.match(fold(t)))

    def _free_commitment_lines(self, lines: list[Line], cols) -> None:
        ruled = self._ruled_columns(lines)
        if ruled:
            cols = ruled
        if not cols:
            # no body lines to learn columns from (only headings): one column, so that a
            # region title line still opens its block
            cols = [colmod.Column(min(ln.x0 for ln in lines), 1e9, "mixed")]
        # column map from the rebuilt columns, for these lines only (the next ruled rows keep
        # the one of their table's header)
        saved = self.colmap
        self.colmap = [(c.start, min(c.end, 1e6), c.role or "mixed") for c in cols]
        try:
            self._rows_of_free_lines(lines, cols)
        finally:
            self.colmap = saved

    def _line_pitch(self) -> float:
        if self._pitch is None:
            self._pitch = _line_pitch([it for pg in self.pages for it in pg.items if isinstance(it, Line)]) or 0.0
        return self._pitch

    def _ruled_columns(self, lines: list[Line]) -> list | None:
        """The columns of the table's ruled header row ("TEMA | COMPROMISO | RESPONSABLE |
        PLAZO"), or else of its fullest ruled row, for the body lines of a table that rules
        only its header (horizontal rules, no vertical borders) or of its continuation on
        later pages, or the part of a row cut off by a page break: the text sits under the
        cells it belongs to."""
        colmap = self.colmap if self._ruled_colmap and self.colmap else self._row_columns
        if not colmap or not lines:
            return None
        x0 = min(c[0] for c in colmap)
        x1 = max(c[1] for c in colmap)
        inside = sum(1 for ln in lines if ln.x0 >= x0 - 6 and ln.x1 <= x1 + 6)
        if inside < 0.9 * len(lines):
            return None
        cols = [colmod.Column(a, b, role) for a, b, role in sorted(colmap)]
        cols[-1].end = 1e9
        return cols

    def _rows_of_free_lines(self, lines: list[Line], cols) -> None:

        pitch = self._line_pitch()
        prev = [None]

        def starts_row(ln, parts, cs):
            last, prev[0] = prev[0], ln
            for i, ws in enumerate(parts):
                if not ws:
                    continue
                probe = " ".join(w.text for w in ws[:4])
                if cs[i].role in ("topic", "mixed") and match_label(probe, "tema"):
                    return True
                if cs[i].role in ("commitment", "mixed") and match_label(probe, "compromiso"):
                    return True
                if cs[i].role == "topic" and not self.tema_labels and _ITEM_NO.match(probe):
                    return True  # topics numbered as a list
            # without borders or labels, rows are told apart by the space between them
            if last is not None and last.page == ln.page and pitch and ln.top - last.bottom > 0.9 * pitch:
                return True
            return False

        rows = colmod.rows_from_lines(lines, cols, self._line_is_full, starts_row, min_gap=0.9 * pitch)
        for r in rows:
            self._commitment_row(r)

    def _commitment_row(self, row: Row) -> None:
        ne = row.nonempty()
        if not ne:
            return
        text = collapse(row.text)
        ft = fold(text)
        if self._is_header_row(row):
            if row.ruled:
                self._header_colmap(row)
            if {"topic", "commitment"} & {_header_role(c.text) for c in ne}:
                self.found["commit_columns"] = True
            return
        if (row.full and len(ne) == 1 and not match_label(ne[0].text, "tema")
                and not match_label(ne[0].text, "compromiso")):
            if _COMMIT_HEADINGS.match(ft):
                return
            if self._is_region_title(text, cell=row.ruled):
                self._new_block(text, row.page)
                return
            if row.ruled and len(row.cells) == 1 and not self.blocks:
                return
        self._topic_row(row)

    def _new_block(self, printed: str, page: int) -> None:
        printed = collapse(printed)
        name = self.ref.match_region(printed)
        self.blocks.append(_Block(name or printed, printed, name is not None))
        self.found["regions"] += 1
        self.topic = None
        self.commitment = None
        self.last_item = None

    def _ensure_block(self, page: int) -> _Block:
        if not self.blocks:
            regions = {a["region"] for a in self.attendees if a["side"] == "region" and a["region"]}
            name = regions.pop() if len(regions) == 1 else None
            self.blocks.append(_Block(name or "", "", name is not None))
        return self.blocks[-1]

    def _split_merged_cells(self, row: Row) -> list[Cell]:
        """The row's cells, with a cell that spans several columns of the table's header
        ("N° | TEMA" drawn as one cell where a page break cut the row, so that its border
        is missing) split at the header's column boundaries, each word to the column its left
        edge falls in."""
        if not (row.ruled and self._ruled_colmap and self.colmap and len(row.nonempty()) >= 2):
            return row.cells
        out: list[Cell] = []
        split = False
        for c in row.cells:
            inner = [col for col in self.colmap
                     if min(col[1], c.x1) - max(col[0], c.x0) > 0.6 * max(col[1] - col[0], 1.0)]
            if len(inner) < 2 or c.empty:
                out.append(c)
                continue
            inner.sort()
            parts = [[] for _ in inner]
            for ln in c.lines:
                for w in ln.words:
                    k = max((i for i, col in enumerate(inner) if w.x0 >= col[0] - 3), default=0)
                    parts[k].append(w)
            for i, col in enumerate(inner):
                x0 = c.x0 if i == 0 else col[0]
                x1 = c.x1 if i == len(inner) - 1 else inner[i + 1][0]
                out.append(Cell(x0, x1, c.top, c.bottom, group_lines(parts[i], row.page)))
            split = True
        return out if split else row.cells

    def _topic_row(self, row: Row) -> None:
        cells = self._split_merged_cells(row)
        if cells is not row.cells:
            row = Row(row.page, cells, row.x0, row.x1, row.top, row.bottom, row.ruled)
        n = len(cells)
        if row.ruled and not self.colmap and n >= 2 and n >= len(self._row_columns):
            # no column headers: the table's fullest row lays out its columns, by position
            self._row_columns = [(c.x0, c.x1, _INDEX_ROLES[min(i, 3)]) for i, c in enumerate(cells)]
        roles = [self._role_of(c, row, i, n) for i, c in enumerate(cells)]
        # a column naming the regional government (REGIÓN | TEMA | COMPROMISO ...)
        for i, c in enumerate(cells):
            if roles[i] == "region" and not c.empty:
                text = collapse(c.text)
                last = self.blocks[-1] if self.blocks else None
                if last is not None and not last.matched and last.from_cell:
                    # the region's name broken over two rows: "GOBIERNO REGIONAL DE" / "PUNO"
                    joined = collapse(last.printed + " " + text)
                    name = self.ref.match_region(joined)
                    if name:
                        last.region, last.printed, last.matched = name, joined, True
                        continue
                if fold(text) != fold(last.printed if last else "") and (
                    self._is_region_title(text, cell=True)
                    or re.match(r"^(?:gobierno|gore|municipalidad)\b", fold(text))
                ):
                    self._new_block(text, row.page)
                    self.blocks[-1].from_cell = True
        if self.has_labels and self.topic is None and self.commitment is None and not self._row_has_label(row):
            return  # nothing to continue yet: a heading or a stray row before the first topic
        block = self._ensure_block(row.page)
        if not self.colmap:
            # no column headers: a short third/fourth column of dates is the PLAZO
            for i, c in enumerate(cells):
                if roles[i] == "responsible" and not c.empty and colmod._DATEISH.search(c.text) and len(c.text) < 40:
                    roles[i] = "due"
        # labels decide over columns: a cell opening with TEMA is the topic, with COMPROMISO
        # the commitment
        for i, c in enumerate(cells):
            if c.lines:
                first = c.lines[0].text
                if match_label(first, "tema"):
                    roles[i] = "topic" if roles[i] != "mixed" else "mixed"
                elif match_label(first, "compromiso") and roles[i] == "topic":
                    has_tema = any(match_label(ln.text, "tema") for ln in c.lines)
                    roles[i] = "mixed" if has_tema else "commitment"
        new_topics: list[_Topic] = []
        new_commitments: list[_Commitment] = []
        # topics first (a commitment attaches to the topic opened at or above it)
        order = sorted(range(n), key=lambda i: {"topic": 0, "mixed": 1, "commitment": 2}.get(roles[i], 3))
        for i in order:
            c, role = cells[i], roles[i]
            if c.empty:
                continue
            if role in ("topic", "commitment", "mixed"):
                self._labeled_cell(c, role, row, block, new_topics, new_commitments)
        for i in range(n):
            c, role = cells[i], roles[i]
            if c.empty or role not in ("responsible", "due"):
                continue
            for ln in c.lines:
                target = None
                for cm in new_commitments:
                    if cm.page == row.page and cm.y <= ln.top + 3:
                        target = cm
                if target is None:
                    target = new_commitments[0] if new_commitments else self.commitment
                if target is None:
                    continue
                (target.resp_lines if role == "responsible" else target.due_lines).append(ln.text)

    def _labeled_cell(self, cell: Cell, role: str, row: Row, block: _Block, new_topics, new_commitments) -> None:
        segments: list[tuple[str | None, int | None, float, list[str]]] = []
        cur = (None, None, cell.top, [])
        segments.append(cur)
        for ln in cell.lines:
            t = ln.text
            kind = None
            m = None
            if role in ("topic", "mixed"):
                m = match_label(t, "tema")
                kind = "tema" if m else None
            if m is None and role in ("commitment", "mixed", "topic"):
                m = match_label(t, "compromiso")
                kind = "compromiso" if m else None
                if m and role == "topic":
                    # a COMPROMISO label inside the topic column: the layout has one column
                    role = "mixed"
            if m is None and role == "topic" and not self.tema_labels:
                # topics numbered as a list ("1. Financiamiento ...")
                m2 = _ITEM_NO.match(t)
                if m2 and (cur[0] is None and not cur[3]):
                    m = (int(m2.group(1)), t[m2.end():])
                    kind = "tema"
            if m is None and role == "commitment" and not self.comp_labels:
                # commitments as a numbered or bulleted list inside the cell
                m2 = _ITEM_NO.match(t)
                bullet, rest = self._strip_bullet(t)
                if m2:
                    m = (int(m2.group(1)), t[m2.end():])
                    kind = "compromiso"
                elif bullet and rest:
                    m = (None, rest)
                    kind = "compromiso"
            if m and cur[0] == kind and cur[1] == m[0] and not cur[3]:
                m = None  # "COMPROMISO 1" then a text that itself begins "Compromiso 1: ..."
            if m:
                num, rest = m
                cur = (kind, num, ln.top, [rest] if rest else [])
                segments.append(cur)
            else:
                cur[3].append(t)
        for kind, num, y, lines in segments:
            if kind is None:
                if not lines:
                    continue
                self._continue(role, lines, row, block, new_topics, new_commitments)
            elif kind == "tema":
                tp = _Topic(num, row.page, y, list(lines))
                block.topics.append(tp)
                new_topics.append(tp)
                self.topic = tp
                self.commitment = None
                self.last_item = tp
                self.found["labels"] += 1
            else:
                if num is None:
                    num = self._next_commitment_number(block)
                self._new_commitment(num, y, lines, row, block, new_topics, new_commitments)

    def _continue(self, role, lines, row, block, new_topics, new_commitments) -> None:
        """Text without a label: the rest of the item cut by a page break or a merged cell,
        or (in a document without labels) a new item."""
        if role == "topic" or (role == "mixed" and isinstance(self.last_item, _Topic)):
            if self.topic is not None and (self.tema_labels or not self._row_is_new_item(row)):
                self.topic.lines.extend(lines)
            else:
                num = (block.topics[-1].number + 1) if block.topics else 1
                tp = _Topic(num, row.page, row.top, list(lines))
                block.topics.append(tp)
                new_topics.append(tp)
                self.topic = tp
                self.commitment = None
                self.last_item = tp
            return
        # commitment text
        if self.commitment is not None and self.comp_labels and not (new_topics and not new_commitments):
            self._append_commitment_lines(self.commitment, lines)
            return
        if self.commitment is not None and not self.comp_labels and (
            new_commitments or (not new_topics and not self._row_is_new_item(row))
        ):
            self._append_commitment_lines(self.commitment, lines)
            return
        # a new, unlabeled commitment
        num = self._next_commitment_number(block)
        self._new_commitment(num, row.top, lines, row, block, new_topics, new_commitments)

    def _row_is_new_item(self, row: Row) -> bool:
        """In documents without labels, a ruled row is a new item unless it is the first
        row of a page (the rest of a row cut by the page break) with an empty topic cell."""
        if not row.ruled:
            return True
        return self._first_row_on_page.get(row.page) is not row

    def _next_commitment_number(self, block: _Block) -> int:
        nums = [c.number for t in block.topics for c in t.commitments]
        return (max(nums) + 1) if nums else 1

    def _new_commitment(self, num, y, lines, row, block, new_topics, new_commitments) -> None:
        topic = None
        for tp in new_topics:
            if tp.page == row.page and tp.y <= y + 3:
                topic = tp
        if topic is None:
            topic = self.topic
        if topic is None:
            topic = _Topic(len(block.topics) + 1, row.page, y, [])
            block.topics.append(topic)
            self.topic = topic
        cm = _Commitment(num, row.page, y)
        self._append_commitment_lines(cm, lines)
        topic.commitments.append(cm)
        new_commitments.append(cm)
        self.commitment = cm
        self.last_item = cm
        self.found["labels"] += 1

    def _append_commitment_lines(self, cm: _Commitment, lines: list[str]) -> None:
        for t in lines:
            m = _PLAZO.match(t)
            if m:
                cm.mode = "due"
                rest = t[m.end():].strip()
                if rest:
                    cm.due_lines.append(rest)
                continue
            m = _RESP.match(t)
            if m:
                cm.mode = "resp"
                rest = t[m.end():].strip()
                if rest:
                    cm.resp_lines.append(rest)
                continue
            {"text": cm.lines, "due": cm.due_lines, "resp": cm.resp_lines}[cm.mode].append(t)

    # ------------------------------------------------------------------ other topics
    def _do_others(self, items) -> None:
        region: str | None = None
        free: list[Line] = []
        last: dict | None = None
        cut: dict | None = None  # a region cell that did not match: perhaps cut by a page break
        pages_seen: set[int] = set()
        for it in items:
            if isinstance(it, Line):
                free.append(it)
                continue
            if free:
                region, last = self._free_others(free, region, last)
                free = []
            ne = it.nonempty()
            if not ne or self._is_repeated_heading(it):
                continue
            if _OBS.match(ne[0].text):
                continue
            first_on_page = it.page not in pages_seen
            pages_seen.add(it.page)
            if cut is not None and first_on_page and it.page == cut["page"] + 1 and it.ruled:
                joined = self._join_cut_region(cut, ne[0])
                if joined is not None:
                    region = joined
                    ne = ne[1:]
                    if not ne:
                        cut = None
                        continue
            cut = None
            if (len(ne) == 1 and it.full and self._is_region_title(ne[0].text, cell=it.ruled)
                    and not _ITEM_NO.match(ne[0].text)):
                region, cut = self._region_cell(ne[0], it)
                continue
            item_cells = ne
            if len(ne) >= 2 and not _ITEM_NO.match(ne[0].text):
                region, cut = self._region_cell(ne[0], it)
                item_cells = ne[1:]
            for c in item_cells:
                last = self._other_items([ln.text for ln in c.lines], region, last)
        if free:
            self._free_others(free, region, last)

    def _region_cell(self, cell: Cell, row: Row) -> tuple[str, dict | None]:
        """The region a cell of OTROS TEMAS names, and, when its name is not recognised, what
        is needed to join it with the rest of the cell on the next page."""
        n = len(self.warnings)
        region = self._region_name(cell.text, "other_topics")
        if len(self.warnings) == n:
            return region, None
        return region, {"printed": region, "page": row.page, "x0": cell.x0, "start": len(self.others),
                        "warning": self.warnings[-1]}

    def _join_cut_region(self, cut: dict, cell: Cell) -> str | None:
        """A region cell cut by a page break ("GOBIERNO REGIONAL" | "DE LA LIBERTAD"): the
        first cell of the next page's first row, in the same column, completes the name.
        The items read meanwhile take the whole name; None when the two do not make one."""
        if abs(cell.x0 - cut["x0"]) > 5 or _ITEM_NO.match(cell.text):
            return None
        name = self.ref.match_region(collapse(cut["printed"] + " " + cell.text))
        if name is None:
            return None
        for o in self.others[cut["start"]:]:
            if o["region"] == cut["printed"]:
                o["region"] = name
        if cut["warning"] in self.warnings:
            self.warnings.remove(cut["warning"])
        return name

    def _is_repeated_heading(self, it) -> bool:
        """The commitments table's heading or column-header row, printed again at the top of
        a page where the table goes on inside OTROS TEMAS TRATADOS."""
        if isinstance(it, Row) and self._is_header_row(it):
            return True
        if isinstance(it, Line) and colmod.header_roles(it):
            return True
        return self._is_full(it) and bool(_COMMIT_HEADINGS.match(fold(collapse(it.text))))

    def _region_name(self, printed: str, where: str) -> str:
        printed = collapse(printed)
        name = self.ref.match_region(printed)
        if name is None:
            self.warnings.append(ParseWarning(
                "region-unmatched", f"{where}.{len(self.others)}.region",
                f"No se reconoció el gobierno regional «{printed}».",
            ))
        return name or printed

    def _other_items(self, lines: list[str], region, last):
        for t in lines:
            m = _ITEM_NO.match(t)
            bullet, rest = self._strip_bullet(t)
            if m:
                last = {"region": region, "lines": [t[m.end():]], "number": int(m.group(1))}
                self.others.append(last)
            elif bullet and rest:
                last = {"region": region, "lines": [rest]}
                self.others.append(last)
            elif last is not None:
                last["lines"].append(t)
            else:
                last = {"region": region, "lines": [t]}
                self.others.append(last)
        return last

    def _free_others(self, lines: list[Line], region, last):
        """Borderless OTROS TEMAS: a narrow left column naming the region beside numbered
        items; items belong to the region label nearest to them."""
        lines = [ln for ln in lines if not self._is_repeated_heading(ln)]
        if not lines:
            return region, last
        item_x = [ln.words[0].x0 for ln in lines if _ITEM_NO.match(ln.text)]
        # numbered items that do not start the line (region text to their left)
        for ln in lines:
            for i, w in enumerate(ln.words[1:], 1):
                if re.fullmatch(r"\d{1,2}[.)]", w.text):
                    item_x.append(w.x0)
        left = min(ln.x0 for ln in lines)
        split = None
        xs = [x for x in item_x if x > left + 30]
        if xs:
            split = min(xs) - 2
        if split is None:
            for ln in lines:
                if _OBS.match(ln.text):
                    continue
                if self._is_region_title(ln.text):
                    region = self._region_name(ln.text, "other_topics")
                else:
                    last = self._other_items([ln.text], region, last)
            return region, last
        runs: list[dict] = []   # region label runs: {"lines", "top", "bottom", "page"}
        entries: list[dict] = []
        prev_had_left = False
        pitch = self._line_pitch()
        for ln in lines:
            lw = [w for w in ln.words if w.x0 < split]
            rw = [w for w in ln.words if w.x0 >= split]
            first_item = bool(rw) and bool(re.match(r"^\s*0?1\s*[.)\-–]", rw[0].text))
            if lw:
                # a region's label goes on over the lines below it, unless a row ends there:
                # a row's space, or the list beside it starting again at 1
                if (prev_had_left and runs and runs[-1]["page"] == ln.page and not first_item
                        and not (pitch and ln.top - runs[-1]["bottom"] > 0.9 * pitch)):
                    runs[-1]["lines"].append(" ".join(w.text for w in lw))
                    runs[-1]["bottom"] = ln.bottom
                else:
                    runs.append({"lines": [" ".join(w.text for w in lw)], "top": ln.top, "bottom": ln.bottom,
                                 "page": ln.page})
            prev_had_left = bool(lw)
            if rw:
                t = " ".join(w.text for w in rw)
                if _ITEM_NO.match(t) or not entries:
                    entries.append({"lines": [t], "top": ln.top, "bottom": ln.bottom, "page": ln.page})
                else:
                    entries[-1]["lines"].append(t)
                    entries[-1]["bottom"] = ln.bottom
        names = [self._region_name(join_lines(r["lines"]), "other_topics") for r in runs]
        for e in entries:
            t = join_lines(e["lines"])
            m = _ITEM_NO.match(t)
            best, score = None, None
            for i, r in enumerate(runs):
                if r["page"] != e["page"]:
                    d = 1e6 + abs(r["page"] - e["page"])
                else:
                    ov = min(r["bottom"], e["bottom"]) - max(r["top"], e["top"])
                    d = -ov if ov > 0 else min(abs(r["top"] - e["bottom"]), abs(e["top"] - r["bottom"]))
                if score is None or d < score:
                    best, score = i, d
            reg = names[best] if best is not None else region
            if (m and last is not None and last.get("number") is not None and int(m.group(1)) == last["number"] + 1
                    and (score is None or score > 0)):
                # beside no label: the next number of the list above (cut by a page break)
                reg = last["region"]
            if m:
                last = {"region": reg, "lines": [t[m.end():]], "number": int(m.group(1))}
                self.others.append(last)
            elif last is not None:
                last["lines"].append(t)
            else:
                last = {"region": reg, "lines": [t]}
                self.others.append(last)
        if names:
            region = names[-1]
        return region, last

    # ------------------------------------------------------------------ observations
    def _do_observations(self, items) -> None:
        prev_bottom = None
        prev_page = None
        started = False
        for it in items:
            if isinstance(it, Row):
                ne = it.nonempty()
                if not ne:
                    continue
                texts = [c.text for c in ne]
                if not started:
                    texts[0] = _OBS.sub("", texts[0], count=1)
                    started = True
                elif len(ne) > 1:
                    break
                self.observations.extend(t for t in texts if t)
                prev_bottom, prev_page = it.bottom, it.page
            else:
                t = it.text
                if not started:
                    t = _OBS.sub("", t, count=1)
                    started = True
                elif prev_bottom is not None and (
                    (it.page != prev_page and not self._first_on_page(it))
                    or (it.page == prev_page and it.top - prev_bottom > 2.2 * max(it.height, 6))
                ):
                    break
                elif _PLACE_DATE_LINE.match(t):
                    break  # "Lima, 11 de abril de 2017" closing the acta
                if t:
                    self.observations.append(t)
                prev_bottom, prev_page = it.bottom, it.page

    def _first_on_page(self, item) -> bool:
        for pg in self.pages:
            if pg.number == item.page:
                return bool(pg.items) and pg.items[0] is item
        return False

    # ------------------------------------------------------------------ result
    def _result(self) -> Parsed:
        w = self.warnings
        # meeting
        if self.date is None and not self.meta.get("date"):
            # "Ayacucho, 8 de diciembre de 2020" closing the acta instead of heading it
            for pg in self.pages:
                for it in pg.items:
                    if isinstance(it, Line) and _PLACE_DATE_LINE.match(it.text):
                        pd = parse_place_date(it.text)
                        if pd:
                            self.place, self.date = pd
                            break
                if self.date is not None:
                    break
        if self.date is None and self.meta.get("date"):
            pd = parse_place_date(self.meta["date"])
            if pd:
                self.date = pd[1]
                self.place = self.place or pd[0]
            else:
                self.date = parse_due(self.meta["date"])
        if self.place is None and self.meta.get("place"):
            self.place = collapse(self.meta["place"])
        title = self.title or "GORE Ejecutivo"
        if self.title is None:
            w.append(ParseWarning("title-missing", "meeting.title", "No se encontró el encabezado «GORE Ejecutivo»."))
        session = "extraordinaria" if re.search(r"extraordinari", fold(self.title_line or "")) else "ordinaria"
        sector_printed = collapse(self.meta.get("sector", "")) or None
        if sector_printed is None:
            # no SECTOR row: a ministry named in the heading lines
            for line in self.header_lines + (self.pages[0].bands if self.pages else []):
                m = re.search(r"\b(ministerio\s+(?:de|del)\s+[^,;:()\-–]+(?:,\s*[^,;:()\-–]+)?"
                              r"|presidencia del consejo de ministros)", line, re.I)
                if m and self.ref.match_sector(m.group(1)):
                    sector_printed = collapse(m.group(1))
                    break
        sector = None
        if sector_printed:
            sector = self.ref.match_sector(sector_printed)
            if sector is None:
                sector = sector_printed
                w.append(ParseWarning(
                    "sector-unmatched", "meeting.sector",
                    f"No se reconoció el sector «{sector_printed}»; se conservó el nombre impreso.",
                ))
        else:
            w.append(ParseWarning("sector-missing", "meeting.sector", "No se encontró el sector."))
        moderator = None
        if self.meta.get("moderator"):
            _, rest = split_honorific(self._strip_bullet(self.meta["moderator"])[1])
            rest = collapse(rest.split(",")[0]).strip(" .,;")  # "Juan Pérez, Viceministro de ..."
            if rest and not re.fullmatch(r"[-–—/.\s]*|n/?a|ninguno", fold(rest)):
                moderator = name_case(rest)
        if self.date is None:
            w.append(ParseWarning("date-missing", "meeting.date",
                                  "No se encontró la fecha del acta («Ciudad, D de mes de AAAA»)."))
        meeting = {
            "title": title,
            "session_type": session,
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "sector": sector,
            "moderator": moderator,
        }
        # regions
        regions = []
        pages = {}
        # a block that received nothing is a misread title (text that looked like one)
        blocks = [b for b in self.blocks if b.topics]
        for bi, b in enumerate(blocks):
            if not b.matched:
                if b.printed:
                    w.append(ParseWarning(
                        "region-unmatched", f"regions.{bi}.region",
                        f"No se reconoció el gobierno regional «{b.printed}»; se conservó el nombre impreso.",
                    ))
                else:
                    w.append(ParseWarning(
                        "region-missing", f"regions.{bi}.region",
                        "Los compromisos no están precedidos por el nombre de un gobierno regional.",
                    ))
            topics = []
            prev_t = 0
            prev_c = 0
            for ti, t in enumerate(b.topics):
                if t.number != prev_t + 1:
                    w.append(ParseWarning(
                        "numbering-gap", f"regions.{bi}.topics.{ti}.number",
                        f"La numeración de los temas pasa de {prev_t} a {t.number}.",
                    ))
                prev_t = t.number
                cms = []
                for ci, c in enumerate(t.commitments):
                    if c.number != prev_c + 1:
                        w.append(ParseWarning(
                            "numbering-gap", f"regions.{bi}.topics.{ti}.commitments.{ci}.number",
                            f"La numeración de los compromisos pasa de {prev_c} a {c.number}.",
                        ))
                    prev_c = c.number
                    text = join_lines(c.lines)
                    due_text = join_lines(c.due_lines)
                    m = _INLINE_PLAZO.search(text)
                    if m:
                        due_text = collapse(text[m.end():] + " " + due_text)
                        text = text[: m.start()].rstrip()
                    due = parse_due(due_text)
                    resp = join_lines(c.resp_lines) or None
                    if resp and re.fullmatch(r"[-–—.\s]*", resp):
                        resp = None
                    if resp and self.ocr:
                        # OCR reads the en dash between two bodies as a hyphen or an em dash and
                        # loses the spaces around it and around a slash: "PCM/GORE", "PCM- SD"
                        resp = re.sub(r"(?<=\w)\s*[—–-]+\s+|\s+[—–-]+\s*(?=\w)", " – ", resp)
                        resp = re.sub(r"(?<=[A-Za-zÁÉÍÓÚÑáéíóúñ])\s*/\s*(?=[A-Za-zÁÉÍÓÚÑáéíóúñ])", " / ", resp)
                    cms.append({"number": c.number, "text": text, "due": due.isoformat() if due else None,
                                "responsible": resp})
                    pages.setdefault((bi, c.number), c.page)
                topics.append({"number": t.number, "text": join_lines(t.lines), "commitments": cms})
            regions.append({"region": b.region, "topics": topics})
        others = [{"region": o["region"], "text": join_lines(o["lines"])} for o in self.others]
        others = [o for o in others if o["text"]]
        obs = join_lines(self.observations) or None
        return Parsed(meeting, self.attendees, regions, others, obs, w, pages, self.found)


_INDEX_ROLES = ("topic", "commitment", "responsible", "due")  # columns in their usual order

_HEADER_KEYS = {
    "topic": ("tema", "temas", "tematratado", "temastratados", "asunto", "asuntos", "problematica"),
    "commitment": ("compromiso", "compromisos", "compromisosasumidos", "acuerdo", "acuerdos", "compromisoasumido"),
    "responsible": ("responsable", "responsables", "entidadresponsable", "responsabledelcumplimiento"),
    "due": ("plazo", "plazos", "fecha", "fechalimite", "plazodecumplimiento", "plazodeejecucion",
            "fechadecumplimiento"),
    "number": ("n", "no", "nro", "item", "numero"),
    "region": ("gobiernoregional", "gobiernosregionales", "region", "regiones", "gore", "departamento"),
}


def _header_role(text: str) -> str | None:
    """Role of a column-header cell; words broken inside narrow cells ("RESPONSAB LE") are
    joined back before comparing."""
    if re.search(r"\d", text):
        return None  # "TEMA 1" is a label, not a column header
    key = re.sub(r"[^a-z]", "", fold(text))
    for role, keys in _HEADER_KEYS.items():
        if key in keys:
            return role
    return None


def _line_pitch(lines: list[Line]) -> float | None:
    """A gap between lines larger than this separates rows: the usual space between the
    lines of a paragraph (a low percentile: many gaps are row breaks) plus a third of a line."""
    gaps = sorted(
        b.top - a.bottom for a, b in zip(lines, lines[1:]) if a.page == b.page and -1 <= b.top - a.bottom < 40
    )
    if len(gaps) < 3:
        return None
    g = max(gaps[len(gaps) // 5], 0.5)
    height = sorted(ln.height for ln in lines)[len(lines) // 2]
    return (g + max(1.5, 0.25 * height)) / 0.9


_OBS_LABEL = re.compile(r"^(?:OBSERVACI[OÓ]N(?:ES)?|Observaci[oó]n(?:es)?)(?![\w])"
                        r"\s*(?P<sep>[:.\-–—]?)\s*(?P<rest>.*)$", re.S)


def _obs_label(line: Line, ocr: bool = False) -> str | None:
    """The text after an "Observaciones" label that opens ``line`` (capitalised, then a
    separator, or bold, or nothing else on the line); None when the line does not open so."""
    text = collapse(line.text)
    if ocr:
        text = re.sub(r"^(?:[^\w\s]+\s*|[a-z0-9]\s+)+(?=[A-Za-zÁÉÍÓÚ]{3})", "", text)
    m = _OBS_LABEL.match(text)
    if not m:
        return None
    rest = m.group("rest")
    first = next((w for w in line.words if w.text.strip()), None)
    if m.group("sep") or not rest or (first is not None and first.bold):
        return rest
    return None


def _near(ft: str, heading: str) -> bool:
    """An OCR reading of a heading ("dt'ros temas tratados")."""
    if abs(len(ft) - len(heading)) > 4:
        return False
    import difflib

    return difflib.SequenceMatcher(None, ft, heading).ratio() >= 0.85


def _strip_noise(ft: str) -> str:
    return re.sub(r"^(?:(?:[^\w\s]+|[a-z]|\d)\s+)+(?=[a-z]{3})", "", ft)


def _find_phrase(line: Line, pattern: str) -> float | None:
    """x0 of the first word of ``pattern`` (folded regex) in the line, if present."""
    ws = line.words
    for i in range(len(ws)):
        probe = fold(" ".join(w.text for w in ws[i:i + 4]))
        if re.match(pattern, probe):
            return ws[i].x0
    return None
