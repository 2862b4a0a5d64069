"""The acta parser on layouts the samples do not have, built here with reportlab: borderless
tables, four columns with wrapped cells, long actas over many pages, label spellings,
region spellings, warnings, limits and bad files."""
from __future__ import annotations

import pytest

from importers.acta_pdf import ActaParseError, parse_acta
from importers.acta_pdf.ocr import ocr_status

from .conftest import ACTAS, Block, commitment_f1, simple_blocks

pytestmark = pytest.mark.slow  # each builds an acta with reportlab and parses it


def _content(acta):
    doc = acta.to_dict()
    doc.pop("source")
    return doc


def _commitments(doc):
    return [(r["region"], t["number"], c["number"], c["text"], c["due"], c["responsible"])
            for r in doc["regions"] for t in r["topics"] for c in t["commitments"]]


def test_four_columns_with_wrapped_dates_and_responsibles(make_acta, validate_acta):
    acta = parse_acta(make_acta(blocks=simple_blocks(2), four_columns=True))
    doc = acta.to_dict()
    validate_acta(doc)
    assert _commitments(doc)[:3] == [
        ("Cusco", 1, 1, "El ministerio evaluará el expediente técnico del hospital 1.", "2022-03-31", "MINSA"),
        ("Cusco", 1, 2, "Se conformará una mesa técnica de trabajo en un plazo de 15 días.", None, "MINSA / GORE"),
        ("Cusco", 2, 3, "El ministerio asignará plazas de serums a la región.", "2022-06-30", "DIGEP"),
    ]
    assert [r["region"] for r in doc["regions"]] == ["Cusco", "Puno"]
    assert doc["attendees"] == [
        {"name": "Juan Pérez Soto", "honorific": "Sr.", "position": "Gobernador Regional de Cusco",
         "side": "region", "region": "Cusco"},
        {"name": "Ana Ríos Vega", "honorific": "Dra.", "position": "Ministra de Salud", "side": "sector",
         "region": None},
    ]
    assert doc["meeting"] == {"title": "GORE Ejecutivo Ordinario", "session_type": "ordinaria", "date": "2022-03-14",
                              "place": "Cusco", "sector": "Ministerio de Salud", "moderator": "Rosa Quispe Mamani"}
    assert acta.warnings == []


@pytest.mark.parametrize("four", [False, True])
def test_borderless_tables_read_like_ruled_ones(make_acta, four):
    spec = dict(blocks=simple_blocks(3), four_columns=four,
                other_topics=[("GOBIERNO REGIONAL DE PUNO",
                               ["Solicitan la visita del ministro.", "Solicitan apoyo técnico."])],
                observations="No asistió el Gobierno Regional de Tacna.")
    ruled = parse_acta(make_acta(**spec))
    borderless = parse_acta(make_acta(borders=False, **spec))
    assert _content(borderless) == _content(ruled)
    assert ruled.other_topics == [
        {"region": "Puno", "text": "Solicitan la visita del ministro."},
        {"region": "Puno", "text": "Solicitan apoyo técnico."},
    ]
    assert ruled.observations == "No asistió el Gobierno Regional de Tacna."


def test_long_acta_over_many_pages_keeps_every_commitment(make_acta):
    blocks = []
    for k, name in enumerate(["GOBIERNO REGIONAL DE AMAZONAS", "GOBIERNO REGIONAL DE ÁNCASH", "GORE APURÍMAC",
                              "Gobierno Regional de Arequipa", "GOBIERNO REGIONAL DE AYACUCHO"]):
        rows = []
        n = 0
        for t in range(1, 5):
            comps = []
            for _ in range(2):
                n += 1
                comps.append((f"COMPROMISO {n}",
                              f"Compromiso {n} del tema {t} en el bloque {k}: el sector " + "coordinará " * 12
                              + "con el gobierno regional.", None, None))
            rows.append((f"TEMA {t}", f"Tema {t} del bloque {k}, " + "problemática " * 15 + "regional.", comps))
        blocks.append(Block(name, rows))
    pdf = make_acta(blocks=blocks)
    acta = parse_acta(pdf)
    assert acta.source["pages"] >= 4
    assert [r["region"] for r in acta.regions] == ["Amazonas", "Áncash", "Apurímac", "Arequipa", "Ayacucho"]
    for k, r in enumerate(acta.regions):
        assert [t["number"] for t in r["topics"]] == [1, 2, 3, 4]
        numbers = [c["number"] for t in r["topics"] for c in t["commitments"]]
        assert numbers == list(range(1, 9))
        for t in r["topics"]:
            assert "GORE EJECUTIVO" not in t["text"] and "Página" not in t["text"]
            assert t["text"].startswith(f"Tema {t['number']} del bloque {k},") and t["text"].endswith("regional.")
            for c in t["commitments"]:
                assert c["text"].endswith("con el gobierno regional."), c["text"]
    assert acta.warnings == []
    assert max(acta.commitment_pages.values()) == acta.source["pages"] or max(acta.commitment_pages.values()) >= 3


def test_label_variants_are_not_part_of_the_texts(make_acta):
    pdf = make_acta(blocks=[Block("GOBIERNO REGIONAL DE TACNA", [
        ("TEMA N° 1", "Agua potable para la provincia de Candarave.", [
            ("COMPROMISO N° 1", "El sector evaluará el expediente.", None, None)]),
        ("Tema 2:", "Carretera Tacna – Tarata.", [
            ("Compromiso 2:", "El sector brindará asistencia técnica.", None, None)]),
        ("TEMA Nº 3.-", "Saneamiento físico legal.", [
            ("COMPROMISO Nº 3:", "El GORE culminará el saneamiento.", None, None),
            ("COMPROMISO N.° 4", "Se informará en la próxima sesión.", None, None)]),
    ])])
    doc = parse_acta(pdf).to_dict()
    topics = doc["regions"][0]["topics"]
    assert [(t["number"], t["text"]) for t in topics] == [
        (1, "Agua potable para la provincia de Candarave."),
        (2, "Carretera Tacna – Tarata."),
        (3, "Saneamiento físico legal."),
    ]
    assert [(c["number"], c["text"]) for t in topics for c in t["commitments"]] == [
        (1, "El sector evaluará el expediente."),
        (2, "El sector brindará asistencia técnica."),
        (3, "El GORE culminará el saneamiento."),
        (4, "Se informará en la próxima sesión."),
    ]


def test_region_titles_in_usual_spellings(make_acta):
    titles = ["MUNICIPALIDAD METROPOLITANA DE LIMA", "GOBIERNO REGIONAL DE LIMA", "Gobierno Regional del Callao",
              "GORE CUSCO", "GOBIERNO REGIONAL DE HUANUCO", "Gobierno Regional de San Martin"]
    blocks = [Block(t, [("TEMA 1", "Un tema.", [("COMPROMISO 1", f"Compromiso del bloque {i}.", None, None)])])
              for i, t in enumerate(titles)]
    acta = parse_acta(make_acta(blocks=blocks))
    assert [r["region"] for r in acta.regions] == [
        "Lima Metropolitana", "Lima", "Callao", "Cusco", "Huánuco", "San Martín"]
    assert acta.warnings == []


def test_unmatched_names_are_kept_with_a_warning(make_acta):
    pdf = make_acta(sector="MINISTERIO DE ASUNTOS MÁGICOS", blocks=[
        Block("GOBIERNO REGIONAL DE CUSCO", [("TEMA 1", "Un tema.", [("COMPROMISO 1", "Uno.", None, None)])]),
        Block("GOBIERNO REGIONAL DE NARNIA", [("TEMA 1", "Otro tema.", [("COMPROMISO 1", "Dos.", None, None)])]),
    ])
    acta = parse_acta(pdf)
    assert acta.meeting["sector"] == "MINISTERIO DE ASUNTOS MÁGICOS"
    assert [r["region"] for r in acta.regions] == ["Cusco", "GOBIERNO REGIONAL DE NARNIA"]
    found = {(w.code, w.field) for w in acta.warnings}
    assert found == {("sector-unmatched", "meeting.sector"), ("region-unmatched", "regions.1.region")}
    assert all(w.message for w in acta.warnings)


def test_injected_reference_lists_are_used(make_acta):
    pdf = make_acta(blocks=simple_blocks(1))
    acta = parse_acta(pdf, regions=[{"name": "Qosqo", "aliases": "Cusco"}], sectors=["Ministerio de Salud"])
    assert acta.regions[0]["region"] == "Qosqo"
    assert acta.meeting["sector"] == "Ministerio de Salud"
    acta = parse_acta(pdf, regions=["Puno"])
    assert acta.regions[0]["region"] == "GOBIERNO REGIONAL DE CUSCO"
    assert any(w.code == "region-unmatched" for w in acta.warnings)


def test_numbering_gaps_and_missing_date_are_warned(make_acta):
    pdf = make_acta(date_line=None, moderator=None, blocks=[Block("GOBIERNO REGIONAL DE PUNO", [
        ("TEMA 1", "Primero.", [("COMPROMISO 1", "Uno.", None, None)]),
        ("TEMA 3", "Tercero.", [("COMPROMISO 2", "Dos.", None, None), ("COMPROMISO 4", "Cuatro.", None, None)]),
    ])])
    acta = parse_acta(pdf)
    assert acta.meeting["date"] is None and acta.meeting["moderator"] is None
    found = {(w.code, w.field) for w in acta.warnings}
    assert found == {
        ("date-missing", "meeting.date"),
        ("numbering-gap", "regions.0.topics.1.number"),
        ("numbering-gap", "regions.0.topics.1.commitments.1.number"),
    }


def test_extraordinary_edition_heading(make_acta):
    acta = parse_acta(make_acta(heading="II GORE EJECUTIVO EXTRAORDINARIO 2024", blocks=simple_blocks(1)))
    assert acta.meeting["title"] == "II GORE Ejecutivo Extraordinario 2024"
    assert acta.meeting["session_type"] == "extraordinaria"


# ----------------------------------------------------------------------------- OCR of a fresh scan


@pytest.mark.ocr
@pytest.mark.skipif(ocr_status() is not None, reason=f"OCR not available: {ocr_status()}")
def test_a_fresh_scan_goes_through_ocr(make_acta, tmp_path):
    import pypdfium2

    pdf = make_acta(blocks=simple_blocks(2), four_columns=True)
    truth = parse_acta(pdf).to_dict()
    doc = pypdfium2.PdfDocument(str(pdf))
    images = [page.render(scale=200 / 72, grayscale=True).to_pil().rotate(0.8, expand=True, fillcolor=255)
              for page in doc]
    doc.close()
    scan = tmp_path / "scan.pdf"
    images[0].save(scan, save_all=True, append_images=images[1:], resolution=200.0)
    acta = parse_acta(scan)
    assert acta.source["ocr"] is True
    assert acta.warnings[0].code == "ocr"
    assert commitment_f1(truth, acta.to_dict()) >= 0.95
    assert acta.meeting["sector"] == "Ministerio de Salud"


# ----------------------------------------------------------------------------- limits and bad files


def test_more_pages_than_allowed_is_refused_before_reading_them(make_acta):
    pdf = make_acta(blocks=simple_blocks(3) * 3)
    with pytest.raises(ActaParseError) as info:
        parse_acta(pdf, max_pages=1)
    assert info.value.reason == "too-many-pages"
    assert "máximo es 1" in info.value.message


def test_page_with_too_many_glyphs_is_too_complex():
    with pytest.raises(ActaParseError) as info:
        parse_acta(ACTAS / "acta-2017-04-11-pcm.pdf", max_chars_per_page=500)
    assert (info.value.reason, info.value.page) == ("too-complex", 1)


def test_giant_page_is_refused(make_acta):
    pdf = make_acta(blocks=simple_blocks(1), pagesize=(5000, 5000))
    with pytest.raises(ActaParseError) as info:
        parse_acta(pdf)
    assert (info.value.reason, info.value.page) == ("page-too-large", 1)
    assert parse_acta(pdf, max_page_area_m2=10).regions


def test_time_limit_stops_the_parse():
    with pytest.raises(ActaParseError) as info:
        parse_acta(ACTAS / "acta-2017-01-11-mef.pdf", timeout=1e-9)
    assert info.value.reason == "timeout"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not-pdf"),
    (b"Hola, esto es texto plano y no un PDF.", "not-pdf"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "truncated"),
    (b"%PDF-1.4\ngarbage garbage\n%%EOF\n", "failed"),
])
def test_bad_bytes_have_their_own_reason(tmp_path, content, reason):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    with pytest.raises(ActaParseError) as info:
        parse_acta(path)
    assert info.value.reason == reason
    assert info.value.message


def test_not_pdf_says_what_it_looks_like(tmp_path):
    path = tmp_path / "acta.pdf"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ActaParseError) as info:
        parse_acta(path)
    assert "ZIP" in info.value.message


def test_truncated_sample_copy(tmp_path):
    data = (ACTAS / "acta-2017-10-02-produce.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ActaParseError) as info:
        parse_acta(path)
    assert info.value.reason == "truncated"


def test_a_pdf_that_is_not_an_acta(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "carta.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Estimado señor: le escribo para invitarle a la inauguración del puente.")
    c.save()
    with pytest.raises(ActaParseError) as info:
        parse_acta(path)
    assert info.value.reason == "not-acta"


def test_error_renders_with_its_page():
    err = ActaParseError("too-complex", 3)
    assert str(err).endswith("(página 3)")
    assert err.to_dict() == {"reason": "too-complex", "page": 3, "message": err.message}


# ----------------------------------------------------------------------------- table shapes


def _story_acta(path, commitments_story, *, title="GORE EJECUTIVO", date="Cusco, 14 de marzo de 2022",
                moderator="ROSA QUISPE MAMANI"):
    """An acta with the usual head and ``commitments_story(P, grid)`` for the rest."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=9, leading=11)
    bold = ParagraphStyle("h", parent=body, fontName="Helvetica-Bold")
    center = ParagraphStyle("c", parent=bold, alignment=1, fontSize=12, leading=15)

    def P(text, b=False):
        return Paragraph(text.replace("\n", "<br/>"), bold if b else body)

    def grid(borders):
        return [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] * borders + [("VALIGN", (0, 0), (-1, -1), "TOP")]

    story = [Paragraph(title, center), Paragraph("ACTA DE COMPROMISOS", center)]
    if date:
        story.append(Paragraph(date, ParagraphStyle("r", parent=body, alignment=2)))
    story += [Spacer(1, 6),
             Table([[P("SECTOR", True), P("MINISTERIO DE SALUD", True)], [P("MODERADOR", True), P(moderator)]],
                   colWidths=[90, 350], style=TableStyle(grid(True))), Spacer(1, 6)]
    story += commitments_story(P, grid, Table, TableStyle)
    SimpleDocTemplate(str(path), pagesize=A4, topMargin=50, bottomMargin=45, leftMargin=60, rightMargin=60).build(story)
    return path


T1, T2 = "Financiamiento del hospital regional.", "Brecha de personal de salud."
C1, C2, C3 = ("El ministerio evaluará el expediente técnico.", "Se conformará una mesa técnica de trabajo.",
              "El ministerio asignará plazas de serums.")


def _shape_region_column(P, grid, Table, TableStyle, borders):
    rows = [[P("GOBIERNO REGIONAL", True), P("TEMA", True), P("COMPROMISO", True)],
            [P("GOBIERNO REGIONAL DE CUSCO"), P("<b>TEMA 1</b>\n" + T1), P("<b>COMPROMISO 1</b>\n" + C1)],
            ["", "", P("<b>COMPROMISO 2</b>\n" + C2)],
            ["", P("<b>TEMA 2</b>\n" + T2), P("<b>COMPROMISO 3</b>\n" + C3)],
            [P("GOBIERNO REGIONAL DE PUNO"), P("<b>TEMA 1</b>\n" + T2), P("<b>COMPROMISO 1</b>\n" + C1)]]
    return [P("COMPROMISOS ASUMIDOS", True),
            Table(rows, colWidths=[100, 150, 200], style=TableStyle(grid(borders) + [("SPAN", (0, 1), (0, 3))]))]


def _shape_no_labels(P, grid, Table, TableStyle, borders):
    rows = [[P("TEMA", True), P("COMPROMISO", True)], [P("GOBIERNO REGIONAL DE CUSCO", True), ""],
            [P(T1), P(C1)], ["", P(C2)], [P(T2), P(C3)], [P("GOBIERNO REGIONAL DE PUNO", True), ""], [P(T2), P(C1)]]
    return [P("COMPROMISOS ASUMIDOS", True),
            Table(rows, colWidths=[170, 270],
                  style=TableStyle(grid(borders) + [("SPAN", (0, 1), (-1, 1)), ("SPAN", (0, 5), (-1, 5))]))]


def _shape_numbered_lists(P, grid, Table, TableStyle, borders):
    rows = [[P("TEMA", True), P("COMPROMISO", True)], [P("GOBIERNO REGIONAL DE CUSCO", True), ""],
            [P("1. " + T1), P("1. " + C1 + "\n2. " + C2)], [P("2. " + T2), P("3. " + C3)],
            [P("GOBIERNO REGIONAL DE PUNO", True), ""], [P("1. " + T2), P("1. " + C1)]]
    return [P("COMPROMISOS ASUMIDOS", True),
            Table(rows, colWidths=[170, 270],
                  style=TableStyle(grid(borders) + [("SPAN", (0, 1), (-1, 1)), ("SPAN", (0, 4), (-1, 4))]))]


def _shape_single_column(P, grid, Table, TableStyle, borders):
    return [P("COMPROMISOS ASUMIDOS", True), P("GOBIERNO REGIONAL DE CUSCO", True),
            P("<b>Tema 1:</b> " + T1), P("<b>Compromiso 1:</b> " + C1), P("<b>Compromiso 2:</b> " + C2),
            P("<b>Tema 2:</b> " + T2), P("<b>Compromiso 3:</b> " + C3),
            P("GOBIERNO REGIONAL DE PUNO", True), P("<b>Tema 1:</b> " + T2), P("<b>Compromiso 1:</b> " + C1)]


EXPECTED_SHAPE = [("Cusco", 1, T1, 1, C1), ("Cusco", 1, T1, 2, C2), ("Cusco", 2, T2, 3, C3), ("Puno", 1, T2, 1, C1)]


@pytest.mark.parametrize("borders", [True, False], ids=["ruled", "borderless"])
@pytest.mark.parametrize("shape", [_shape_region_column, _shape_no_labels, _shape_numbered_lists, _shape_single_column],
                         ids=["region-column", "no-labels", "numbered-lists", "single-column"])
def test_table_shapes(tmp_path, shape, borders):
    pdf = _story_acta(tmp_path / "acta.pdf",
                      lambda P, grid, Table, TableStyle: shape(P, grid, Table, TableStyle, borders))
    acta = parse_acta(pdf)
    got = [(r["region"], t["number"], t["text"], c["number"], c["text"])
           for r in acta.regions for t in r["topics"] for c in t["commitments"]]
    assert got == EXPECTED_SHAPE
    assert acta.warnings == []


def test_three_columns_with_plazo_and_no_header(tmp_path):
    def shape(P, grid, Table, TableStyle):
        rows = [[P("COMPROMISOS ASUMIDOS", True), "", ""], [P("GOBIERNO REGIONAL DE CUSCO", True), "", ""],
                [P("<b>TEMA 1</b>\n" + T1), P("<b>COMPROMISO 1</b>\n" + C1), P("31/03/2022")],
                ["", P("<b>COMPROMISO 2</b>\n" + C2), P("30 días")],
                [P("<b>TEMA 2</b>\n" + T2), P("<b>COMPROMISO 3</b>\n" + C3), P("junio 2022")]]
        return [Table(rows, colWidths=[150, 230, 60],
                      style=TableStyle(grid(True) + [("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-1, 1))]))]

    acta = parse_acta(_story_acta(tmp_path / "acta.pdf", shape))
    got = [(c["number"], c["due"], c["responsible"])
           for r in acta.regions for t in r["topics"] for c in t["commitments"]]
    assert got == [(1, "2022-03-31", None), (2, None, None), (3, "2022-06-30", None)]


def test_heading_inside_a_sentence_and_prose_date(tmp_path):
    def shape(P, grid, Table, TableStyle):
        return [P("En la ciudad de Puno, siendo las 10:00 horas del día 3 de mayo de 2019, se reunieron."),
                P("COMPROMISOS ASUMIDOS", True), P("GOBIERNO REGIONAL DE PUNO", True),
                P("<b>TEMA 1</b> " + T1), P("<b>COMPROMISO 1</b> " + C1),
                P("<b>OBSERVACIONES</b>"), P("Sin observaciones adicionales."),
                P("FIRMAS", True), P("Sr. Juan Pérez Soto, Gobernador Regional de Puno")]

    pdf = _story_acta(tmp_path / "acta.pdf", shape, title="ACTA DEL III GORE EJECUTIVO EXTRAORDINARIO")
    acta = parse_acta(pdf)
    assert acta.meeting["title"] == "III GORE Ejecutivo Extraordinario"
    assert acta.meeting["session_type"] == "extraordinaria"
    assert acta.observations == "Sin observaciones adicionales."
    assert [c["text"] for r in acta.regions for t in r["topics"] for c in t["commitments"]] == [C1]


def test_date_closing_the_acta_and_moderator_with_position(tmp_path):
    def shape(P, grid, Table, TableStyle):
        return [P("COMPROMISOS ASUMIDOS", True), P("GOBIERNO REGIONAL DE PUNO", True),
                P("<b>TEMA 1</b> " + T1), P("<b>COMPROMISO 1</b> " + C1),
                P("<b>Observaciones:</b> Ninguna."), P("San Martín de Porres, 1 de julio del 2019")]

    pdf = _story_acta(tmp_path / "acta.pdf", shape, date=None,
                      moderator="Dr. Luis Ríos Vega, Viceministro de Salud Pública")
    acta = parse_acta(pdf)
    assert (acta.meeting["date"], acta.meeting["place"]) == ("2019-07-01", "San Martín de Porres")
    assert acta.meeting["moderator"] == "Luis Ríos Vega"
    assert acta.observations == "Ninguna."
    assert not any(w.code == "date-missing" for w in acta.warnings)


@pytest.mark.ocr
@pytest.mark.skipif(ocr_status() is not None, reason=f"OCR not available: {ocr_status()}")
def test_scan_with_a_useless_text_layer_is_read_from_its_images(make_acta, tmp_path):
    """A copier's invisible text (here a stamp line) over the page images: the text layer says
    nothing about the acta, so the pages themselves are OCR'd."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = make_acta(blocks=simple_blocks(1))
    truth = parse_acta(pdf).to_dict()
    doc = pypdfium2.PdfDocument(str(pdf))
    out = tmp_path / "copier.pdf"
    c = canvas.Canvas(str(out), pagesize=(595.27, 841.89))
    for page in doc:
        image = page.render(scale=200 / 72, grayscale=True).to_pil()
        c.drawImage(ImageReader(image), 0, 0, width=595.27, height=841.89)
        text = c.beginText(40, 20)
        text.setTextRenderMode(3)  # invisible
        text.textLine("Escaneado con Copiadora XYZ-2000 por usuario01")
        c.drawText(text)
        c.showPage()
    doc.close()
    c.save()
    acta = parse_acta(out)
    assert acta.source["ocr"] is True
    assert commitment_f1(truth, acta.to_dict()) >= 0.95
