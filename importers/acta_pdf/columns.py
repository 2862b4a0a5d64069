"""Column structure for text without table borders (OCR output, borderless layouts).

Where a PDF has vector tables, cells come from their borders. Where it does not, the same
cells are rebuilt from word positions: vertical whitespace gutters that run through a
section's lines, anchored on label words (TEMA n / COMPROMISO n) and header words
(TEMA, COMPROMISO, RESPONSABLE, PLAZO, POR LOS GOBIERNOS REGIONALES, POR EL SECTOR).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from .layout import Cell, Line, Row, Word
from .text import fold, is_bullet_glyph, match_label


@dataclass
class Column:
    start: float
    end: float
    role: str | None = None  # "topic" | "commitment" | "responsible" | "due" | "mixed" | "region" | "sector" | "label"
    lead: float | None = None  # where the whitespace in front of the column begins


def gutters(lines: list[Line], min_gap: float = 6.0, noise: int = 0) -> list[tuple[float, float]]:
    """x-ranges crossed by no word (or by at most ``noise`` lines) in any of ``lines``,
    between the leftmost and rightmost text."""
    if not lines:
        return []
    lo = min(ln.x0 for ln in lines)
    hi = max(ln.x1 for ln in lines)
    n = int(hi - lo) + 2
    if n <= 0 or n > 20000:
        return []
    cov = coverage(lines, lo, n)
    out = []
    i = 0
    while i < n:
        if cov[i] <= noise:
            j = i
            while j < n and cov[j] <= noise:
                j += 1
            if j - i >= min_gap and i > 0 and j < n:
                out.append((lo + i, lo + j))
            i = j
        else:
            i += 1
    return out


def coverage(lines: list[Line], lo: float, n: int) -> list[int]:
    """For each 1-pt step from ``lo``, how many lines have a word over it (each line's word
    boxes merged first, then counted with a difference array)."""
    diff = [0] * (n + 1)
    for ln in lines:
        spans = sorted((max(0, int(w.x0 - lo)), min(n, int(w.x1 - lo) + 1)) for w in ln.words)
        cur_a = cur_b = None
        for a, b in spans:
            if b <= a:
                continue
            if cur_b is not None and a <= cur_b:
                cur_b = max(cur_b, b)
                continue
            if cur_b is not None:
                diff[cur_a] += 1
                diff[cur_b] -= 1
            cur_a, cur_b = a, b
        if cur_b is not None:
            diff[cur_a] += 1
            diff[cur_b] -= 1
    out, run = [], 0
    for i in range(n):
        run += diff[i]
        out.append(run)
    return out


def split_line(line: Line, starts: list[float], leads: list[float | None] | None = None) -> list[list[Word]]:
    """Words of a line per column (a word belongs to the column its left edge falls in).
    ``leads``: where the whitespace in front of each column begins; a word that begins
    inside that whitespace, apart from the words before it (a centred cell's longer line),
    belongs to the column on its right."""
    parts: list[list[Word]] = [[] for _ in starts]
    ws = line.words
    ks = []
    for w in ws:
        k = 0
        for i, s in enumerate(starts):
            # a word that straddles a boundary (OCR glued "de|La") goes by its centre
            if w.x0 >= s - 3 or (i > 0 and w.cx >= s):
                k = i
        ks.append(k)
    if leads:
        for j in range(len(ws) - 2, 0, -1):
            k = ks[j] + 1
            if k < len(starts) and leads[k] is not None and leads[k] <= ws[j].x0 < starts[k] - 3 and ks[j + 1] == k:
                before, after = ws[j].x0 - ws[j - 1].x1, ws[j + 1].x0 - ws[j].x1
                if before >= 5 and before >= 2 * max(after, 0.5):
                    ks[j] = k
    for w, k in zip(ws, ks):
        parts[k].append(w)
    return parts


# ----------------------------------------------------------------------------- labels in lines

_HEADER_WORDS = {
    "tema": "topic", "temas": "topic",
    "compromiso": "commitment", "compromisos": "commitment",
    "responsable": "responsible", "responsables": "responsible",
    "plazo": "due", "plazos": "due", "fecha": "due",
    "gobierno": "region", "gobiernos": "region", "regional": "region", "regionales": "region",
    "region": "region", "gore": "region",
}


def label_positions(line: Line) -> list[tuple[str, float, int]]:
    """(kind, x0, word index) of TEMA/COMPROMISO labels that start at a word of the line."""
    out = []
    ws = line.words
    for i, w in enumerate(ws):
        t = fold(w.text)
        if not (t.startswith("tem") or t.startswith("comp") or t.startswith("c0mp")):
            continue
        probe = " ".join(x.text for x in ws[i:i + 4])
        for kind in ("tema", "compromiso"):
            if match_label(probe, kind):
                out.append((kind, w.x0, i))
                break
    return out


def header_roles(line: Line) -> dict[str, float] | None:
    """For a column-header line ("TEMA COMPROMISO RESPONSABLE PLAZO"), role -> x centre."""
    roles: dict[str, float] = {}
    if any(ch.isdigit() for w in line.words for ch in w.text):
        return None  # "TEMA 1 COMPROMISO 1" are labels
    words = [w for w in line.words if re.sub(r"[^a-z]", "", fold(w.text))]
    for w in words:
        key = re.sub(r"[^a-z]", "", fold(w.text))
        role = _HEADER_WORDS.get(key)
        if role is None:
            if key in ("de", "limite", "n", "no", "entidad", "ejecucion", "cumplimiento"):
                continue
            return None
        roles.setdefault(role, w.cx)
    return roles if len(roles) >= 2 else None


# ----------------------------------------------------------------------------- commitments table


def commitment_columns(lines: list[Line], is_full) -> list[Column]:
    """Columns of a borderless TEMA | COMPROMISO [| RESPONSABLE | PLAZO] table."""
    body = [ln for ln in lines if not is_full(ln)]
    if not body:
        return []
    tema_x, comp_x, head, head_x0 = [], [], {}, {}
    for ln in body:
        h = header_roles(ln)
        if h:
            for k, v in h.items():
                head.setdefault(k, v)
            for w in ln.words:
                role = _HEADER_WORDS.get(re.sub(r"[^a-z]", "", fold(w.text)))
                if role:
                    head_x0.setdefault(role, w.x0)
            continue
        for kind, x, idx in label_positions(ln):
            (tema_x if kind == "tema" else comp_x).append(x)
    left = min(ln.x0 for ln in body)
    tx = statistics.median(tema_x) if tema_x else None
    far = [x for x in comp_x if tx is None or x > tx + 40]
    cx = min(far, key=lambda x: x) if far else None
    if far:
        # the most common position (labels at the column's left padding)
        cx = statistics.median(far)
        cx = min(x for x in far if abs(x - cx) < 15)
    noise = max(1, len(body) // 50) if len(body) >= 20 else 0
    gs = gutters(body, min_gap=6.0, noise=noise)
    starts = [left] + [g[1] for g in gs]
    # label words are where columns start, whitespace or not (OCR noise can fill a gutter)
    for anchor in (tx, cx):
        if anchor is not None and anchor > left + 20 and not any(anchor - 15 <= s <= anchor + 3 for s in starts):
            starts.append(anchor - 2)
    starts.sort()
    leads = {g[1]: g[0] for g in gs}
    cols = [Column(s, starts[i + 1] if i + 1 < len(starts) else 1e9, lead=leads.get(s)) for i, s in enumerate(starts)]

    def col_at(x):
        for c in cols:
            if c.start - 4 <= x < c.end:
                return c
        return cols[-1] if x >= cols[-1].start else cols[0]

    if tx is not None:
        col_at(tx).role = "topic"
    elif "topic" in head:
        col_at(head["topic"]).role = "topic"
    else:
        cols[0].role = "topic"
    if cx is not None:
        c = col_at(cx)
        c.role = "commitment" if c.role != "topic" else "mixed"
    elif "commitment" in head:
        c = col_at(head["commitment"])
        c.role = "commitment" if c.role != "topic" else "mixed"
    elif comp_x:
        # COMPROMISO labels in the topic column: one column holding both
        for c in cols:
            if c.role == "topic":
                c.role = "mixed"
    # Header words of the right-hand columns: a column of their own, split off at the
    # emptiest x left of the word when no clean gutter separates it (justified text, OCR).
    if "region" in head and head.get("topic") is not None and head["region"] < head["topic"]:
        c = col_at(head["region"])
        if c.role is None:
            c.role = "region"
    if not any(c.role in ("commitment", "mixed") for c in cols):
        # no COMPROMISO label or header: the first populated column right of the topics
        ti = next((i for i, c in enumerate(cols) if c.role == "topic"), 0)
        for c in cols[ti + 1:]:
            pop = sum(1 for ln in body if any(c.start - 3 <= w.x0 < c.end for w in ln.words))
            if c.role is None and pop >= max(2, len(body) // 5):
                c.role = "commitment"
                break
    right_edge = max(ln.x1 for ln in body)
    centred = "topic" in head_x0 and head_x0["topic"] - left > 12
    for role in ("due", "responsible"):  # right to left: the PLAZO column bounds RESPONSABLE
        if role not in head_x0:
            continue
        c = col_at(head[role])
        if c.role is None:
            c.role = role
        elif c.role != role:
            end = min(c.end, right_edge)
            # where the column starts: under a left-aligned header word, or as far left of a
            # centred one as the column reaches right of it
            est = 2 * head[role] - end if centred else head_x0[role] - 3
            est = min(est, head_x0[role] - 1)
            if est <= c.start + 30:
                continue
            cut = valley(body, max(c.start + 30, est - 15), min(est + 15, head_x0[role] + 1), force=True) or est
            idx = cols.index(c)
            cols.insert(idx + 1, Column(cut, c.end, role))
            c.end = cut

    # Columns without a role: spurious rivers of whitespace inside a column are merged into
    # their left neighbour; right of the commitment column, a column behind a clear gutter
    # with text on enough lines is an unnamed RESPONSABLE / PLAZO column.
    ci = next((i for i, c in enumerate(cols) if c.role in ("commitment", "mixed")), None)
    # the table's cell padding: the gutter in front of the commitment column, a known boundary
    known = max((g[1] - g[0] for g in gs if ci is not None and abs(g[1] - cols[ci].start) < 1), default=0)
    merged: list[Column] = []
    for i, c in enumerate(cols):
        if c.role is None and merged:
            if ci is not None and i > ci:
                gap = max((g[1] - g[0] for g in gs if abs(g[1] - c.start) < 1), default=0)
                pop = sum(1 for ln in body if any(c.start - 3 <= w.x0 < c.end for w in ln.words))
                # a clear gutter, or one as wide as the known column gap with the text beside it
                # starting flush on one edge (a column, not a river in justified text)
                flush = sum(1 for ln in body if any(abs(w.x0 - c.start) < 1.5 for w in ln.words))
                clear = gap >= 10 or (known and gap >= 0.8 * known and flush >= max(3, pop // 2))
                if clear and pop >= max(2, len(body) // 10):
                    c.role = "extra"
                    merged.append(c)
                    continue
            merged[-1].end = c.end
            continue
        merged.append(c)
    free_roles = [r for r in ("responsible", "due") if not any(c.role == r for c in merged)]
    extras = [c for c in merged if c.role == "extra"]
    if len(extras) == 1 and len(free_roles) == 2:
        extras[0].role = _guess_extra_role(extras[0], body)
    else:
        for c in extras:
            c.role = free_roles.pop(0) if free_roles else None
    merged = [c for c in merged if c.role is not None] or merged
    if merged and merged[0].role is None:
        merged[0].role = "topic"
    if merged:
        merged[-1].end = max(ln.x1 for ln in body) + 1
    return merged


def valley(lines: list[Line], lo: float, hi: float, force: bool = False) -> float | None:
    """Within [lo, hi], the right end of the x-range crossed by the fewest lines, when few
    enough lines cross it to be the space between two columns (``force``: in any case)."""
    if hi - lo < 6 or not lines:
        return None
    n = int(hi - lo) + 1
    cov = coverage(lines, lo, n)
    low = min(cov)
    if low > max(2, len(lines) * 0.12) and not force:
        return None
    # the widest run at the minimum; its right end is where the next column's text starts
    best, run_start, best_len = None, None, 0
    for i in range(n + 1):
        if i < n and cov[i] == low:
            if run_start is None:
                run_start = i
        elif run_start is not None:
            if i - run_start >= best_len:
                best, best_len = i, i - run_start
            run_start = None
    if best is None or (best_len < 2 and not force):
        return None
    return lo + best


_DATEISH = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}"
                      r"|\b(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
                      r"|noviembre|diciembre)\b|\bd[ií]as\b|permanente", re.I)


def _guess_extra_role(col: Column, lines: list[Line]) -> str:
    texts = [" ".join(w.text for w in ln.words if col.start - 3 <= w.x0 < col.end) for ln in lines]
    texts = [t for t in texts if t]
    dateish = sum(1 for t in texts if _DATEISH.search(t))
    return "due" if texts and dateish >= len(texts) / 2 else "responsible"


def rows_from_lines(lines: list[Line], cols: list[Column], is_full, starts_row, min_gap: float = 0.0) -> list[Row]:
    """Rebuild table rows from lines: a row starts at a line that opens a TEMA/COMPROMISO
    label (``starts_row``) and at full-width lines (region titles), which are rows alone.
    A title-like line closer than ``min_gap`` below the previous line is that paragraph's
    last line ("... del GORE Ucayali)."), not a title."""
    starts = [c.start for c in cols]
    rows: list[Row] = []
    cur: Row | None = None
    prev: Line | None = None
    for ln in lines:
        last, prev = prev, ln
        close = last is not None and last.page == ln.page and ln.top - last.bottom < min_gap
        if close and (ln.bold or not any(ch.islower() for ch in ln.text)):
            close = False  # a heading in capitals or bold needs no space above it
        # a title row starts in the first column or spans several; a title-like line
        # inside a later column is text of that column
        if cols[0].role != "region" and not close and is_full(ln) and (
            len(cols) < 2 or ln.x0 < cols[1].start - 3 or ln.x1 > cols[1].end + 3
        ):
            cell = Cell(ln.x0, ln.x1, ln.top, ln.bottom, [ln])
            rows.append(Row(ln.page, [cell], ln.x0, ln.x1, ln.top, ln.bottom, ruled=False))
            cur = None
            continue
        parts = split_line(ln, starts, [c.lead for c in cols])
        opens = starts_row(ln, parts, cols)  # always called: it may track the previous line
        if cur is None or cur.page != ln.page or opens:
            cells = [Cell(c.start, c.end, ln.top, ln.bottom, []) for c in cols]
            cur = Row(ln.page, cells, cols[0].start, cols[-1].end, ln.top, ln.bottom, ruled=False)
            rows.append(cur)
        for cell, ws in zip(cur.cells, parts):
            if ws:
                cell.lines.append(Line(ws, ln.page))
                cell.bottom = max(cell.bottom, ln.bottom)
        cur.bottom = max(cur.bottom, ln.bottom)
    return rows


# ----------------------------------------------------------------------------- attendees


def attendee_split(lines: list[Line], region_x: float | None, sector_x: float | None,
                   lookalikes: bool = True) -> float | None:
    """x where the sector column starts in a borderless two-column attendee list
    (``lookalikes``: OCR text, where a bullet may read as "e")."""
    body = [ln for ln in lines if len(ln.words) > 0]
    if not body:
        return None
    gs = gutters(body, min_gap=5.0, noise=max(0, len(body) // 30))
    # bullets in the middle of a line start the second list
    letters = "oe" if lookalikes else "o"
    mid = sorted(w.x0 for ln in body for w in ln.words[1:]
                 if len(w.text) == 1 and (w.text in letters or (w.text not in "-–—" and is_bullet_glyph(w.text))))
    # at least two such bullets, one under the other
    mid = [x for i, x in enumerate(mid) if any(abs(x - y) < 5 for j, y in enumerate(mid) if j != i)]
    if mid and (region_x is None or mid[0] > region_x + 20):
        x = mid[0]
        near = [g for g in gs if g[0] <= x + 1 and g[1] >= x - 1 or abs(g[1] - x) < 3]
        return near[0][1] if near else x - 1
    if region_x is not None and sector_x is not None:
        cands = [g for g in gs if region_x < (g[0] + g[1]) / 2 < sector_x]
        if cands:
            return max(cands, key=lambda g: g[1] - g[0])[1]
        return (region_x + sector_x) / 2
    lo = min(ln.x0 for ln in body)
    hi = max(ln.x1 for ln in body)
    mid = [g for g in gs if lo + 0.25 * (hi - lo) < (g[0] + g[1]) / 2 < lo + 0.8 * (hi - lo)]
    if mid:
        return max(mid, key=lambda g: g[1] - g[0])[1]
    return None
