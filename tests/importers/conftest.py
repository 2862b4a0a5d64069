"""Fixtures for the acta parser tests: the sample corpus, the schema, a scorer-like
commitment F1, and a small reportlab builder of actas in other layouts."""
from __future__ import annotations

import collections
import difflib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ACTAS = FIXTURES / "actas"
SCHEMA = json.loads((ACTAS / "acta.schema.json").read_text("utf-8"))


def corpus(kind: str) -> list[str]:
    """Names of the sample PDFs of one kind: "text", "scanned" or "malformed"."""
    out = []
    for pdf in sorted(ACTAS.glob("*.pdf")):
        truth = json.loads(pdf.with_suffix(".json").read_text("utf-8"))
        if truth.get("expect") == "error":
            k = "malformed"
        else:
            k = "scanned" if truth["source"]["ocr"] else "text"
        if k == kind:
            out.append(pdf.name)
    return out


@pytest.fixture(scope="session")
def acta_schema():
    return SCHEMA


@pytest.fixture(scope="session")
def validate_acta(acta_schema):
    import jsonschema

    validator = jsonschema.Draft202012Validator(acta_schema, format_checker=jsonschema.FormatChecker())

    def check(document):
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    return check


# ----------------------------------------------------------------------------- scoring as the judges do


def _norm_text(s):
    return " ".join(str(s).lower().split())


def _norm_key(s):
    if s is None:
        return None
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())


def commitments_of(doc):
    return [
        {"region": r["region"], "text": c["text"]}
        for r in doc.get("regions", []) for t in r["topics"] for c in t["commitments"]
    ]


def commitment_f1(truth: dict, pred: dict) -> float:
    """Commitment F1 as the corpus README scores it: same region (case/accent-insensitive)
    and difflib ratio >= 0.9 after lowercasing and collapsing whitespace, matched one to
    one, greedily by similarity."""
    tc, pc = commitments_of(truth), commitments_of(pred)
    by_region = collections.defaultdict(list)
    for j, p in enumerate(pc):
        by_region[_norm_key(p["region"])].append(j)
    pairs = []
    for i, t in enumerate(tc):
        a = _norm_text(t["text"])
        for j in by_region.get(_norm_key(t["region"]), []):
            r = difflib.SequenceMatcher(None, a, _norm_text(pc[j]["text"]), autojunk=False).ratio()
            if r >= 0.9:
                pairs.append((-r, i, j))
    pairs.sort()
    used_t, used_p = set(), set()
    for _, i, j in pairs:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
    tp = len(used_t)
    if not tc and not pc:
        return 1.0
    p = tp / len(pc) if pc else 0.0
    r = tp / len(tc) if tc else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def collapsed(value):
    """Strings with whitespace collapsed, recursively (the README's equality of texts)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [collapsed(v) for v in value]
    if isinstance(value, dict):
        return {k: collapsed(v) for k, v in value.items()}
    return value


# ----------------------------------------------------------------------------- building actas


@dataclass
class Block:
    title: str
    rows: list  # [(tema_label_or_None, tema_text, [(comp_label, comp_text, responsible, plazo)])]


@dataclass
class ActaSpec:
    heading: str = "GORE EJECUTIVO ORDINARIO"
    date_line: str | None = "Cusco, 14 de marzo de 2022"
    sector: str = "MINISTERIO DE SALUD"
    moderator: str | None = "ROSA QUISPE MAMANI"
    region_people: list = field(default_factory=lambda: ["Sr. Juan Pérez Soto, Gobernador Regional de Cusco"])
    sector_people: list = field(default_factory=lambda: ["Dra. Ana Ríos Vega, Ministra de Salud"])
    blocks: list = field(default_factory=list)
    four_columns: bool = False
    borders: bool = True
    other_topics: list = field(default_factory=list)  # [(region title, [item texts])]
    observations: str | None = None
    pagesize: tuple | None = None
    repeat_heading: bool = True


def build_acta(path: Path, spec: ActaSpec) -> Path:
    """Write an acta in the usual shape (meta table, attendees, commitments table with
    region rows, other topics, observations) with reportlab."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=9, leading=11)
    bold = ParagraphStyle("h", parent=body, fontName="Helvetica-Bold")
    center = ParagraphStyle("c", parent=bold, alignment=1, fontSize=12, leading=15)

    def p(text, style=body):
        return Paragraph(text.replace("\n", "<br/>"), style)

    story = [p(spec.heading, center), Spacer(1, 6), p("ACTA DE COMPROMISOS", center)]
    if spec.date_line:
        story.append(p(spec.date_line, ParagraphStyle("r", parent=body, alignment=2)))
    story.append(Spacer(1, 8))
    grid = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] if spec.borders else []
    meta = [[p("SECTOR", bold), p(spec.sector, bold)]]
    if spec.moderator is not None:
        meta.append([p("MODERADOR", bold), p(spec.moderator, bold)])
    meta.append([p("ASISTENTES", bold), Table(
        [[p("POR LOS GOBIERNOS REGIONALES", bold), p("POR EL SECTOR", bold)],
         [p("\n".join("• " + x for x in spec.region_people)), p("\n".join("• " + x for x in spec.sector_people))]],
        colWidths=[170, 170], style=TableStyle(grid + [("VALIGN", (0, 0), (-1, -1), "TOP")]))])
    story.append(Table(meta, colWidths=[90, 350], style=TableStyle(grid + [("VALIGN", (0, 0), (-1, -1), "TOP")])))
    story.append(Spacer(1, 8))

    ncol = 4 if spec.four_columns else 2
    widths = [130, 190, 70, 50] if spec.four_columns else [170, 270]
    rows = [[p("COMPROMISOS ASUMIDOS", bold)] + [""] * (ncol - 1)]
    styles = list(grid) + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, 0), (-1, 0))]
    header = ["TEMA", "COMPROMISO", "RESPONSABLE", "PLAZO"][:ncol]
    rows.append([p(h, bold) for h in header])
    for block in spec.blocks:
        styles.append(("SPAN", (0, len(rows)), (-1, len(rows))))
        rows.append([p(block.title, bold)] + [""] * (ncol - 1))
        for tema_label, tema_text, comps in block.rows:
            first = True
            for comp_label, comp_text, resp, plazo in comps:
                tema_cell = ""
                if first:
                    tema_cell = p((f"<b>{tema_label}</b>\n" if tema_label else "") + tema_text)
                comp_cell = p((f"<b>{comp_label}</b>\n" if comp_label else "") + comp_text)
                row = [tema_cell, comp_cell]
                if spec.four_columns:
                    row += [p(resp or ""), p(plazo or "")]
                rows.append(row)
                first = False
    story.append(Table(rows, colWidths=widths, style=TableStyle(styles), repeatRows=0))
    if spec.other_topics:
        story.append(Spacer(1, 8))
        orows = [[p("OTROS TEMAS TRATADOS", bold), ""]]
        for title, items in spec.other_topics:
            orows.append([p(title, bold), p("\n".join(f"{i}. {t}" for i, t in enumerate(items, 1)))])
        story.append(Table(orows, colWidths=[120, 320], style=TableStyle(grid + [("SPAN", (0, 0), (-1, 0))])))
    if spec.observations:
        story.append(Spacer(1, 8))
        story.append(p("<b>Observaciones:</b> " + spec.observations))

    def on_page(canvas, doc):
        if spec.repeat_heading and doc.page > 1:
            canvas.setFont("Helvetica-Bold", 12)
            canvas.drawCentredString(doc.pagesize[0] / 2, doc.pagesize[1] - 30, spec.heading)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(doc.pagesize[0] - 40, 25, f"Página {doc.page}")

    doc = SimpleDocTemplate(str(path), pagesize=spec.pagesize or A4, topMargin=50, bottomMargin=45,
                            leftMargin=60, rightMargin=60)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return path


@pytest.fixture
def make_acta(tmp_path):
    counter = iter(range(1000))

    def make(spec: ActaSpec | None = None, **kwargs) -> Path:
        spec = spec or ActaSpec(**kwargs)
        return build_acta(tmp_path / f"acta-{next(counter)}.pdf", spec)

    return make


def simple_blocks(n_regions: int = 2) -> list[Block]:
    names = ["GOBIERNO REGIONAL DE CUSCO", "GOBIERNO REGIONAL DE PUNO", "GOBIERNO REGIONAL DE TACNA"]
    out = []
    for k in range(n_regions):
        out.append(Block(names[k], [
            ("TEMA 1", f"Financiamiento del hospital regional número {k + 1}.", [
                ("COMPROMISO 1", f"El ministerio evaluará el expediente técnico del hospital {k + 1}.", "MINSA",
                 "31/03/2022"),
                ("COMPROMISO 2", "Se conformará una mesa técnica de trabajo en un plazo de 15 días.", "MINSA / GORE",
                 "30 días"),
            ]),
            ("TEMA 2", "Brecha de personal de salud en zonas rurales.", [
                ("COMPROMISO 3", "El ministerio asignará plazas de serums a la región.", "DIGEP", "junio 2022"),
            ]),
        ]))
    return out
