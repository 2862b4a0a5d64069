"""From PDF pages to a stream of positioned text: ruled table rows and free lines.

Each page is read once: ``extract_words`` (with font names, to know bold) on the page
with duplicate glyphs removed, and ``find_tables`` only when the page has ruling lines.
Words are assigned to table cells by their centre; words outside tables become free lines.
Nothing of pdfplumber's objects is kept once a page is done.
"""
from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from .text import collapse, fold, match_label


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool = False
    size: float = 0.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    words: list[Word]
    page: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words if w.text.strip("▪•·-–*"))


@dataclass
class Cell:
    x0: float
    x1: float
    top: float
    bottom: float
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        from .text import join_lines

        return join_lines([ln.text for ln in self.lines])

    @property
    def empty(self) -> bool:
        return not any(ln.words for ln in self.lines)


@dataclass
class Row:
    """A row of a ruled table (``ruled``) or a row made from free lines."""

    page: int
    cells: list[Cell]
    x0: float
    x1: float
    top: float
    bottom: float
    ruled: bool = True

    @property
    def text(self) -> str:
        return collapse(" ".join(c.text for c in self.cells))

    def nonempty(self) -> list[Cell]:
        return [c for c in self.cells if not c.empty]

    def lines(self) -> list[Line]:
        return [ln for c in self.cells for ln in c.lines]

    @property
    def full(self) -> bool:
        """One cell spanning (nearly) the whole row: a merged title row."""
        cells = self.cells
        if len(cells) == 1:
            return True
        ne = self.nonempty()
        if len(ne) == 1:
            c = ne[0]
            return (c.x1 - c.x0) >= 0.7 * (self.x1 - self.x0)
        return False


@dataclass
class Page:
    number: int
    width: float
    height: float
    items: list  # Row | Line, in reading order (top to bottom)
    ruled: bool  # has vector tables
    ocr_text: bool = False  # text layer looks like OCR output (GlyphLessFont)
    garbled: bool = False   # most glyphs have no Unicode mapping
    bands: list = field(default_factory=list)  # texts of the running header/footer, removed


# ----------------------------------------------------------------------------- words -> lines


def group_lines(words: list[Word], page: int = 0) -> list[Line]:
    """Words into lines by vertical overlap (robust to OCR words whose boxes differ in
    height), each line sorted left to right."""
    if not words:
        return []
    words = sorted(words, key=lambda w: (w.top, w.x0))
    lines: list[list] = []  # [top, bottom, words]
    for w in words:
        h = max(w.bottom - w.top, 1.0)
        best, best_ov = None, 0.0
        for ln in lines[-6:]:
            ov = min(ln[1], w.bottom) - max(ln[0], w.top)
            if ov <= 0:
                continue
            ref = min(h, max(ln[1] - ln[0], 1.0))
            frac = ov / ref
            if frac > best_ov:
                best, best_ov = ln, frac
        if best is not None and best_ov >= 0.5:
            best[2].append(w)
            # keep the line's extent from growing too much on tall glyphs
            best[0] = min(best[0], w.top) if h < 2.5 * (best[1] - best[0]) else best[0]
            best[1] = max(best[1], w.bottom) if h < 2.5 * (best[1] - best[0]) else best[1]
        else:
            lines.append([w.top, w.bottom, [w]])
    out = [Line(sorted(ln[2], key=lambda w: w.x0), page) for ln in lines]
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out


def _is_bold(fontname: str) -> bool:
    f = (fontname or "").lower()
    return any(k in f for k in ("bold", "black", "heavy", "semibold", "demi", ",b", "-bd", "bd+"))


_CID = re.compile(r"\(cid:\d+\)")


_PUA = re.compile("[\ue000-\uf8ff]+")


def _glyph_text(text: str) -> str:
    """Glyphs without a Unicode mapping come out as "(cid:N)", symbol-font glyphs (Word's
    Symbol and Wingdings bullets) as private-use characters (U+F0B7, U+F0A7, ...): opening a
    word they are list bullets, "•"; inside a word they are dropped."""
    if _CID.fullmatch(text) or re.fullmatch(r"(?:\(cid:\d+\))+", text):
        return "•"
    text = _CID.sub("", text)
    m = _PUA.match(text)
    if m:
        text = "•" + _PUA.sub("", text[m.end():])
    elif _PUA.search(text):
        text = _PUA.sub("", text)
    return text


_OCR_NOISE = re.compile(r"^[|¦\[\]{}!_~`'\"”“‘’,.:;]+$")


def clean_ocr_words(words: list[Word]) -> list[Word]:
    """Split OCR tokens at '|' (a table border read as a character) and drop tokens that are
    only border noise."""
    out = []
    for i, w in enumerate(words):
        if (w.text in ("|", "¦", "!") and i + 2 < len(words) and words[i + 1].text.upper() == "GORE"
                and words[i + 2].text.upper().startswith("EJECUTIV")):
            out.append(Word("I", w.x0, w.x1, w.top, w.bottom, w.bold, w.size))  # "| GORE EJECUTIVO": a roman I
            continue
        if "|" in w.text or "¦" in w.text:
            parts = re.split(r"[|¦]", w.text)
            n = max(len(w.text), 1)
            pos = 0
            for part in parts:
                if part.strip() and not _OCR_NOISE.match(part):
                    x0 = w.x0 + (w.x1 - w.x0) * pos / n
                    x1 = w.x0 + (w.x1 - w.x0) * (pos + len(part)) / n
                    out.append(Word(part, x0, x1, w.top, w.bottom, w.bold, w.size))
                pos += len(part) + 1
            continue
        if _OCR_NOISE.match(w.text):
            continue
        m = _LABEL_SPECK.match(w.text)
        if m or (len(w.text) > 1 and w.text[0] in "¡!|" and w.text[1].isalpha()):
            k = m.end() if m else 1  # a speck glued to a label ("[COMPROMISO") or a border
            w = Word(w.text[k:], w.x0 + (w.x1 - w.x0) * k / len(w.text), w.x1, w.top, w.bottom, w.bold, w.size)
        out.append(w)
    return out


# punctuation read from a speck in front of a TEMA / COMPROMISO label
_LABEL_SPECK = re.compile(r"^[^\w\s]+(?=(?:TEMA|Tema|COMPROMIS|Compromis))")


def drop_specks(lines: list[Line]) -> list[Line]:
    """Remove what OCR reads from specks of dirt on a scan: a token of one letter or of a
    few punctuation marks standing alone, far from the words on both sides of it on its
    line ("COMPROMISO 4 ⋯ o ⋯", "Cruz ⋯ E"). A one-letter word of the text ("y", "a", "e")
    is set at the line's word space from its neighbours, however wide justification makes
    it; digits stay (a N° column)."""
    out = []
    for ln in lines:
        ws = ln.words
        if len(ws) < 2:
            out.append(ln)
            continue
        gaps = [b.x0 - a.x1 for a, b in zip(ws, ws[1:])]
        keep = []
        for i, w in enumerate(ws):
            t = w.text
            speck = (len(t) == 1 and not t.isdigit()) or (len(t) <= 3 and not any(ch.isalnum() for ch in t))
            if speck:
                left = gaps[i - 1] if i > 0 else float("inf")
                right = gaps[i] if i < len(gaps) else float("inf")
                others = sorted(g for j, g in enumerate(gaps) if j not in (i - 1, i))
                space = others[len(others) // 2] if others else 0.0
                far = max(15.0, 1.6 * ln.height, 2.5 * space)
                if left >= far and right >= far:
                    continue
            keep.append(w)
        if keep:
            out.append(Line(keep, ln.page) if len(keep) != len(ws) else ln)
    return out


# ----------------------------------------------------------------------------- pages


def dedupe_chars(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop doubled glyphs (fake bold, overprinted text): chars with the same text, font and
    size within ``tolerance`` of each other. Same rule as pdfplumber's
    ``Page.dedupe_chars()``, without its quadratic re-sorting (which dominated the parse
    time of long actas)."""
    if not _may_have_duplicates(chars, tolerance):
        return chars
    groups: dict[tuple, list[int]] = {}
    for i, c in enumerate(chars):
        groups.setdefault((c.get("upright"), c.get("text"), c.get("fontname"), c.get("size")), []).append(i)
    keep: list[int] = []
    for idxs in groups.values():
        if len(idxs) == 1:
            keep.append(idxs[0])
            continue
        for ycl in _clusters(idxs, lambda i: chars[i]["doctop"], tolerance):
            for xcl in _clusters(ycl, lambda i: chars[i]["x0"], tolerance):
                keep.append(min(xcl, key=lambda i: (chars[i]["doctop"], chars[i]["x0"])))
    keep.sort()
    return [chars[i] for i in keep]


def _may_have_duplicates(chars: list[dict], tolerance: float) -> bool:
    """Whether two chars with the same text and font lie within ``tolerance`` of each other
    (grid buckets of the tolerance's size: one pass, nine look-ups per char)."""
    step = max(tolerance, 0.01)
    grids: dict[tuple, dict[tuple[int, int], list[tuple[float, float]]]] = {}
    for c in chars:
        grid = grids.setdefault((c.get("upright"), c.get("text"), c.get("fontname"), c.get("size")), {})
        y, x = c["doctop"], c["x0"]
        iy, ix = int(y // step), int(x // step)
        for cell in ((iy, ix), (iy, ix - 1), (iy, ix + 1), (iy - 1, ix - 1), (iy - 1, ix), (iy - 1, ix + 1),
                     (iy + 1, ix - 1), (iy + 1, ix), (iy + 1, ix + 1)):
            for oy, ox in grid.get(cell, ()):
                if abs(oy - y) <= tolerance and abs(ox - x) <= tolerance:
                    return True
        grid.setdefault((iy, ix), []).append((y, x))
    return False


def _clusters(idxs: list[int], value, tolerance: float) -> list[list[int]]:
    """Group indices whose values chain within ``tolerance`` (pdfplumber's cluster_list)."""
    vals = sorted(set(value(i) for i in idxs))
    cluster_of: dict = {}
    cid, last = -1, None
    for v in vals:
        if last is None or v - last > tolerance:
            cid += 1
        cluster_of[v] = cid
        last = v
    out: dict[int, list[int]] = {}
    for i in idxs:
        out.setdefault(cluster_of[value(i)], []).append(i)
    return list(out.values())


def read_page(page, number: int, *, find_tables: bool = True, max_chars: int | None = None) -> Page:
    """Lay out one pdfplumber page: ruled table rows and free lines, top to bottom."""
    from .model import ActaParseError

    from pdfplumber.utils import extract_words

    chars = dedupe_chars(page.chars)
    if max_chars is not None and len(chars) > max_chars:
        raise ActaParseError(
            "too-complex", number,
            f"El PDF tiene páginas demasiado complejas para procesarlas ({len(chars)} caracteres en una página).",
        )
    head = chars[:200]
    ocr_text = bool(chars) and sum(1 for c in head if "GlyphLess" in (c.get("fontname") or "")) > len(head) // 2
    # glyphs without Unicode mapping come out as "(cid:N)": such a text layer says nothing
    garbled = bool(chars) and sum(1 for c in chars if (c.get("text") or "").startswith("(cid:")) > 0.3 * len(chars)
    raw = extract_words(chars, extra_attrs=["fontname", "size"], keep_blank_chars=False, use_text_flow=False)
    words = [
        Word(_glyph_text(w["text"]), float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
             _is_bold(w.get("fontname", "")), float(w.get("size") or 0))
        for w in raw
        if w.get("upright", True) and w["text"].strip()
    ]
    words = [w for w in words if w.text]
    if ocr_text:
        words = clean_ocr_words(words)
    else:
        words.extend(graphic_bullets(page, words))

    tables = []
    if find_tables and not ocr_text and _has_rulings(page):
        tables = page.find_tables()

    items: list = []
    claimed = [False] * len(words)
    # words by their centre, top to bottom: a cell takes those whose centre lies inside it
    centres = sorted((w.cy, w.cx, i) for i, w in enumerate(words))
    cys = [c[0] for c in centres]

    def claim(cx0, ctop, cx1, cbottom) -> list[Word]:
        cw = []
        for k in range(bisect.bisect_left(cys, ctop - 0.5), bisect.bisect_right(cys, cbottom + 0.5)):
            _, cx, i = centres[k]
            if not claimed[i] and cx0 - 0.5 <= cx <= cx1 + 0.5:
                cw.append(words[i])
                claimed[i] = True
        return cw

    for t in tables:
        tx0, ttop, tx1, tbottom = t.bbox
        for trow in t.rows:
            cells = []
            for bbox in trow.cells:
                if bbox is None:
                    continue
                cx0, ctop, cx1, cbottom = bbox
                cells.append(Cell(cx0, cx1, ctop, cbottom, group_lines(claim(cx0, ctop, cx1, cbottom), number)))
            if not cells:
                continue
            # a row whose cells leave part of the table's width uncovered (a shaded label cell
            # beside a value with no border of its own): the text there is the row's cell
            rtop, rbottom = min(c.top for c in cells), max(c.bottom for c in cells)
            for gx0, gx1 in _uncovered(sorted((c.x0, c.x1) for c in cells), tx0, tx1):
                cw = claim(gx0, rtop, gx1, rbottom)
                if cw:
                    cells.append(Cell(gx0, gx1, rtop, rbottom, group_lines(cw, number)))
            cells.sort(key=lambda c: c.x0)
            items.append(Row(number, cells, tx0, tx1, min(c.top for c in cells), max(c.bottom for c in cells)))
    free = [w for i, w in enumerate(words) if not claimed[i]]
    lines = group_lines(free, number)
    if ocr_text:
        lines = drop_specks(lines)
    items.extend(lines)
    items.sort(key=lambda it: (it.top, it.x0))
    return Page(number, float(page.width), float(page.height), items, bool(tables), ocr_text, garbled)


def _uncovered(spans: list[tuple[float, float]], lo: float, hi: float,
               min_width: float = 10.0) -> list[tuple[float, float]]:
    """x-ranges of [lo, hi] that none of the (sorted) spans covers, at least ``min_width`` wide."""
    out = []
    x = lo
    for a, b in spans:
        if a - x >= min_width:
            out.append((x, a))
        x = max(x, b)
    if hi - x >= min_width:
        out.append((x, hi))
    return out


def graphic_bullets(page, words: list[Word], max_marks: int = 400) -> list[Word]:
    """List bullets drawn as graphics (a small filled circle or square, as browsers print
    list markers) become "•" words: a small, squarish vector mark just left of a word,
    within that word's line height. Anything else (rules, shading, logos) is ignored."""
    try:
        objs = page.curves + page.rects
    except Exception:
        return []
    marks = []
    for o in objs:
        w, h = float(o["x1"]) - float(o["x0"]), float(o["bottom"]) - float(o["top"])
        if 1.5 <= w <= 8 and 1.5 <= h <= 8 and abs(w - h) <= 1.5:
            marks.append((float(o["x0"]), float(o["x1"]), float(o["top"]), float(o["bottom"])))
    if not marks or len(marks) > max_marks:
        return []
    out = []
    for x0, x1, top, bottom in marks:
        cy = (top + bottom) / 2
        for w in words:
            if 0 <= w.x0 - x1 <= 12 and w.top <= cy <= w.bottom and bottom - top <= w.bottom - w.top:
                out.append(Word("•", x0, x1, w.top, w.bottom, w.bold, w.size))
                break
    return out


def _has_rulings(p) -> bool:
    try:
        return len(p.edges) >= 4
    except Exception:
        return False


# ----------------------------------------------------------------------------- headers and footers

_PAGE_NO = re.compile(
    r"^(?:p[aá]g(?:ina)?\.?\s*|page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:de|/|of)\s*\d{1,4})?$", re.I
)


def _is_page_number(text: str, npages: int) -> bool:
    """"Página 2 de 6", "- 3 -", "4/9": a page number of a document of ``npages`` pages (a
    bare "2024" at the foot of a page is the end of a wrapped date, not page 2024)."""
    if not _PAGE_NO.match(text):
        return False
    return int(re.search(r"\d+", text).group(0)) <= max(2 * npages, npages + 10)


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", fold(text))


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > max(4, 0.2 * max(len(a), len(b))):
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _is_label_line(text: str) -> bool:
    return bool(match_label(text, "tema") or match_label(text, "compromiso"))


_HEADING_WORDS = {
    "compromisos", "compromiso", "asumidos", "adoptados", "acordados", "acuerdos", "tema", "temas",
    "tratados", "responsable", "responsables", "plazo", "plazos", "otros", "n", "no", "y",
}


def _is_table_heading(text: str) -> bool:
    """A section heading or a table's column-header row ("COMPROMISOS ASUMIDOS", "TEMA |
    COMPROMISO | PLAZO"): repeated at the top of continuation pages by the table itself, it
    is content, not a page header."""
    words = re.sub(r"[^a-z ]", " ", fold(text)).split()
    return bool(words) and all(w in _HEADING_WORDS for w in words)


def _band_text(it) -> str:
    if isinstance(it, Row):
        return collapse(" ".join(c.text for c in it.cells))
    return collapse(it.text)


def remove_headers_footers(pages: list[Page], zone: float = 0.3) -> None:
    """Drop the running page header and footer: the run of items (free lines and table
    rows alike: a logo table, a year line, the repeated heading) at the very top (bottom)
    of a page that print again at about the same height on another page, plus page numbers
    and, on later pages, lines repeating the first page's heading. Only the top and bottom
    ``zone`` of a page is looked at, and the run stops at the first item that is content.
    Dropped texts are kept in ``Page.bands`` (a heading printed only there is still found)."""
    if not pages:
        return
    # where each text sits: exact matches (digits folded: page numbers) over all pages
    keyed: list[list[tuple]] = []  # per page: (item, key, top, which)
    exact: dict[tuple, set[int]] = {}
    for idx, pg in enumerate(pages):
        entries = []
        for it in pg.items:
            which = 0 if it.top <= pg.height * zone else 1 if it.bottom >= pg.height * (1 - zone) else None
            if which is None:
                continue
            k = _key(_band_text(it))
            if not k:
                continue
            entries.append((it, k, it.top, which))
            exact.setdefault((which, k), set()).add(idx)
        keyed.append(entries)

    # a running header repeats on (nearly) every page; content that happens to repeat at the
    # same height (a templated commitment) does so on a page or two
    need = 1 if len(pages) <= 3 else max(2, (len(pages) - 1) // 2)

    def repeated(idx: int, it, k: str, top: float, which: int) -> bool:
        same = exact.get((which, k), set())
        hits = sum(1 for j in same if j != idx and any(
            e[1] == k and e[3] == which and abs(e[2] - top) <= 12 for e in keyed[j]))
        if hits < need and isinstance(it, Line) and pages[idx].ocr_text:
            # OCR reads the same header a little differently on each page
            for j in range(len(pages)):
                if j != idx and j not in same and any(
                        e[3] == which and isinstance(e[0], Line) and abs(e[2] - top) <= 12 and _similar(k, e[1])
                        for e in keyed[j]):
                    hits += 1
        return hits >= need

    def run(idx: int, which: int) -> list:
        """Items of the header (footer) run of page ``idx``, top down (bottom up)."""
        entries = [e for e in keyed[idx] if e[3] == which]
        entries.sort(key=lambda e: e[2] if which == 0 else -e[0].bottom)
        out = []
        for it, k, top, _ in entries:
            t = _band_text(it)
            if _is_label_line(t) or _is_table_heading(t):
                break
            if _is_page_number(t, len(pages)) or repeated(idx, it, k, top, which):
                out.append(it)
            elif which == 0 and idx > 0 and isinstance(it, Line) and any(_similar(k, tk) for tk in title_keys):
                out.append(it)
            else:
                break
        # a page's header (footer) is set apart from its body: lines that run on at the
        # text's own leading are body text that happens to repeat (templated commitments)
        items = sorted(pages[idx].items, key=(lambda i: i.top) if which == 0 else (lambda i: -i.bottom))
        gap_min = max(3.0, 1.5 * _leading(pages[idx]))
        while out and not _is_page_number(_band_text(out[-1]), len(pages)):
            ids = set(map(id, out))
            inner = next((i for i in items if id(i) not in ids and (
                i.top >= out[-1].bottom - 1 if which == 0 else i.bottom <= out[-1].top + 1)), None)
            if inner is None:
                break
            gap = inner.top - out[-1].bottom if which == 0 else out[-1].top - inner.bottom
            if gap >= gap_min:
                break
            out.pop()
        return out

    # the first page's heading lines (above its first table row that is not a header)
    title_keys: list[str] = []
    first_heads = set(map(id, run(0, 0)))
    for it, k, top, which in sorted(keyed[0], key=lambda e: e[2]):
        if which != 0 or id(it) in first_heads:
            continue
        if isinstance(it, Row):
            break
        title_keys.append(k)
    drops = [{id(it) for it in run(idx, 0) + run(idx, 1)} for idx in range(len(pages))]
    # where each page's body begins once its header is gone
    body_top = [min((it.top for it in pg.items if id(it) not in drops[i]), default=None) for i, pg in enumerate(pages)]
    for idx, pg in enumerate(pages):
        if idx > 0:
            others = [t for j, t in enumerate(body_top) if j != idx and t is not None]
            m = _margin_line(pg, drops[idx], others, title_keys)
            if m is not None:
                drops[idx].add(id(m))
        if drops[idx]:
            pg.bands.extend(_band_text(it) for it in pg.items if id(it) in drops[idx])
            pg.items = [it for it in pg.items if id(it) not in drops[idx]]


def _leading(pg: Page) -> float:
    """The usual space between consecutive lines of a paragraph on the page (free lines and
    the lines inside each table cell)."""
    runs = [sorted((it for it in pg.items if isinstance(it, Line)), key=lambda ln: ln.top)]
    runs += [c.lines for it in pg.items if isinstance(it, Row) for c in it.cells if len(c.lines) > 1]
    gaps = sorted(b.top - a.bottom for ls in runs for a, b in zip(ls, ls[1:]) if 0 <= b.top - a.bottom < 30)
    return gaps[len(gaps) // 2] if gaps else 0.0


def _margin_line(pg: Page, dropped: set, other_tops: list[float], title_keys: list[str]):
    """A running header printed on this page only (a two-page acta whose first page has
    none): the page's first line, printed above where the body of every other page begins
    (in the top margin), set apart from the text below it, and in smaller type than the
    page's text or repeating the first page's heading."""
    if not other_tops:
        return None
    rest = [it for it in pg.items if id(it) not in dropped]
    if len(rest) < 2 or not isinstance(rest[0], Line):
        return None
    first, below = rest[0], rest[1]
    t = collapse(first.text)
    if _is_label_line(t) or _is_table_heading(t):
        return None
    if first.bottom > min(other_tops) - 2 or below.top - first.bottom < max(8.0, 1.2 * first.height):
        return None
    sizes = sorted(w.size for it in rest[1:] for ln in (it.lines() if isinstance(it, Row) else [it])
                   for w in ln.words if w.size)
    small = bool(sizes) and max(w.size for w in first.words) < sizes[len(sizes) // 2] - 0.5
    k = _key(t)
    heading = any(len(tk) >= 8 and (tk in k or k in tk) for tk in title_keys)
    return first if small or heading else None


def align_pages(pages: list[Page]) -> None:
    """Scanned pages sit a few points apart from each other (paper position, deskew); shift
    each page horizontally so that its left text margin matches the first page's, which
    keeps the whitespace between columns aligned across pages."""

    def margin(pg: Page) -> float | None:
        xs = sorted(
            (it.x0 for it in pg.items if isinstance(it, Line) and len(it.words) >= 3),
        )
        if len(xs) < 5:
            return None
        return xs[len(xs) // 10]

    ref = None
    for pg in pages:
        m = margin(pg)
        if m is None:
            continue
        if ref is None:
            ref = m
            continue
        dx = ref - m
        if abs(dx) < 0.5 or abs(dx) > 40:
            continue
        for it in pg.items:
            if isinstance(it, Line):
                for w in it.words:
                    w.x0 += dx
                    w.x1 += dx
