"""From PDF pages to a stream of positioned text: ruled table rows and free lines.

Each page is read once: ``extract_words`` (with font names, to know bold) on the page
with duplicate glyphs removed, and ``find_tables`` only when the page has ruling lines.
Words are assigned to table cells by their centre; words outside tables become free lines.
Nothing of pdfplumber's objects is kept once a page is done.
"""
from __future__ import annotations

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


def _glyph_text(text: str) -> str:
    """Glyphs without a Unicode mapping come out as "(cid:N)": alone they are almost always
    list bullets (Word's Symbol bullet, Helvetica's 0x7F); inside a word they are dropped."""
    if _CID.fullmatch(text) or re.fullmatch(r"(?:\(cid:\d+\))+", text):
        return "•"
    return _CID.sub("", text)


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
                if part.strip():
                    x0 = w.x0 + (w.x1 - w.x0) * pos / n
                    x1 = w.x0 + (w.x1 - w.x0) * (pos + len(part)) / n
                    out.append(Word(part, x0, x1, w.top, w.bottom, w.bold, w.size))
                pos += len(part) + 1
            continue
        if _OCR_NOISE.match(w.text):
            continue
        if len(w.text) > 1 and w.text[0] in "¡!|" and w.text[1].isalpha():
            w = Word(w.text[1:], w.x0 + (w.x1 - w.x0) / len(w.text), w.x1, w.top, w.bottom, w.bold, w.size)
        out.append(w)
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
    seen: dict[tuple, list[dict]] = {}
    for c in chars:
        key = (c.get("upright"), c.get("text"), c.get("fontname"), c.get("size"))
        iy, ix = int(c["doctop"] // step), int(c["x0"] // step)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for o in seen.get((key, iy + dy, ix + dx), ()):
                    if abs(o["doctop"] - c["doctop"]) <= tolerance and abs(o["x0"] - c["x0"]) <= tolerance:
                        return True
        seen.setdefault((key, iy, ix), []).append(c)
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
    ocr_text = bool(chars) and sum(1 for c in chars[:200] if "GlyphLess" in (c.get("fontname") or "")) > len(chars[:200]) // 2
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

    tables = []
    if find_tables and not ocr_text and _has_rulings(page):
        tables = page.find_tables()

    items: list = []
    claimed = [False] * len(words)
    order = sorted(range(len(words)), key=lambda i: (words[i].cy, words[i].cx))
    for t in tables:
        tx0, ttop, tx1, tbottom = t.bbox
        for trow in t.rows:
            cells = []
            for bbox in trow.cells:
                if bbox is None:
                    continue
                cx0, ctop, cx1, cbottom = bbox
                cw = []
                for i in order:
                    if claimed[i]:
                        continue
                    w = words[i]
                    if cx0 - 0.5 <= w.cx <= cx1 + 0.5 and ctop - 0.5 <= w.cy <= cbottom + 0.5:
                        cw.append(w)
                        claimed[i] = True
                cells.append(Cell(cx0, cx1, ctop, cbottom, group_lines(cw, number)))
            if not cells:
                continue
            cells.sort(key=lambda c: c.x0)
            items.append(Row(number, cells, tx0, tx1, min(c.top for c in cells), max(c.bottom for c in cells)))
    free = [w for i, w in enumerate(words) if not claimed[i]]
    items.extend(group_lines(free, number))
    items.sort(key=lambda it: (it.top, it.x0))
    return Page(number, float(page.width), float(page.height), items, bool(tables), ocr_text, garbled)


def _has_rulings(p) -> bool:
    try:
        return len(p.edges) >= 4
    except Exception:
        return False


# ----------------------------------------------------------------------------- headers and footers

_PAGE_NO = re.compile(
    r"^(?:p[aá]g(?:ina)?\.?\s*|page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:de|/|of)\s*\d{1,4})?$", re.I
)


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


def remove_headers_footers(pages: list[Page]) -> None:
    """Drop repeated page headers/footers and page numbers (free lines only; table rows are
    never touched). A header is a free line above the page's content that repeats, at about
    the same height, on another page (or repeats page 1's title); a footer likewise below."""
    zones = []
    for pg in pages:
        rows = [it for it in pg.items if isinstance(it, Row)]
        top_limit = min((r.top for r in rows), default=None)
        bottom_limit = max((r.bottom for r in rows), default=None)
        if top_limit is None:
            top_limit = max(pg.height * 0.16, 110.0)
        else:
            top_limit = min(top_limit, pg.height * 0.3)
        if bottom_limit is None:
            bottom_limit = pg.height * 0.88
        else:
            bottom_limit = max(bottom_limit, pg.height * 0.7)
        heads = [ln for ln in pg.items if isinstance(ln, Line) and ln.bottom <= top_limit + 1]
        foots = [ln for ln in pg.items if isinstance(ln, Line) and ln.top >= bottom_limit - 1]
        zones.append((heads, foots))

    def repeated(ln: Line, idx: int, which: int) -> bool:
        k = _key(ln.text)
        for j, z in enumerate(zones):
            if j == idx:
                continue
            for other in z[which]:
                if abs(other.top - ln.top) <= 12 and _similar(k, _key(other.text)):
                    return True
        return False

    title_keys = [_key(ln.text) for ln in zones[0][0]] if zones else []
    for idx, pg in enumerate(pages):
        heads, foots = zones[idx]
        drop = set()
        # only the run of lines at the very top (bottom) of the page can be a header (footer)
        for ln in sorted(heads, key=lambda l: l.top):
            t = collapse(ln.text)
            if _is_label_line(t):
                break
            if _PAGE_NO.match(t):
                drop.add(id(ln))
            elif idx > 0 and (repeated(ln, idx, 0) or any(_similar(_key(t), k) for k in title_keys)):
                drop.add(id(ln))
            else:
                break
        for ln in sorted(foots, key=lambda l: -l.bottom):
            t = collapse(ln.text)
            if _is_label_line(t):
                break
            if _PAGE_NO.match(t) or repeated(ln, idx, 1):
                drop.add(id(ln))
            else:
                break
        if drop:
            pg.items = [it for it in pg.items if id(it) not in drop]


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
