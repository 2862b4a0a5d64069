"""Pieces of the acta parser: labels, dates, honorifics, capitalisation, reference
matching, glyph dedupe, column gutters, safety checks."""
from __future__ import annotations

import datetime as dt
import zlib

import pytest

from importers.acta_pdf.layout import Line, Word, dedupe_chars, group_lines, clean_ocr_words
from importers.acta_pdf.reference import Reference
from importers.acta_pdf.text import (
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


@pytest.mark.parametrize("text,kind,expected", [
    ("TEMA 1", "tema", (1, "")),
    ("TEMA N° 2", "tema", (2, "")),
    ("TEMA Nº 3: Presupuesto", "tema", (3, "Presupuesto")),
    ("Tema 4: texto", "tema", (4, "texto")),
    ("TEMA N.° 5", "tema", (5, "")),
    ("TEMA Nro. 6 - Agua", "tema", (6, "Agua")),
    ("Tema 01.- Salud", "tema", (1, "Salud")),
    ("COMPROMISO 1", "compromiso", (1, "")),
    ("COMPROMISO N° 12", "compromiso", (12, "")),
    ("Compromiso 3:", "compromiso", (3, "")),
    # OCR renderings
    ("COMPROMISO N* 4", "compromiso", (4, "")),
    ("COMPROMISO N”* 5", "compromiso", (5, "")),
    ("COMPROMIS0 N° 6", "compromiso", (6, "")),
    ("TEMA N?7", "tema", (7, "")),
    # specks read between the number and the text
    ("COMPROMISO 7 , El MVCS", "compromiso", (7, "El MVCS")),
    ("TEMA 2 * Demanda adicional", "tema", (2, "Demanda adicional")),
    ("COMPROMISO N? 3 3 El MINSA", "compromiso", (3, "El MINSA")),
    ("COMPROMISO N? 2: > El MIDAGRI", "compromiso", (2, "El MIDAGRI")),
    ("COMPROMISO 1 “Mejoramiento”", "compromiso", (1, "“Mejoramiento”")),  # a quote is text
    ("TEMA l", "tema", (1, "")),
    # not labels
    ("TEMA", "tema", None),
    ("Temas tratados", "tema", None),
    ("Temario 1", "tema", None),
    ("Compromiso 1 del acta anterior se cumplió", "compromiso", None),
    ("COMPROMISO 1", "tema", None),
])
def test_label_variants(text, kind, expected):
    assert match_label(text, kind) == expected


@pytest.mark.parametrize("text,expected", [
    ("31/03/2021", dt.date(2021, 3, 31)),
    ("31-03-2021", dt.date(2021, 3, 31)),
    ("31.03.21", dt.date(2021, 3, 31)),
    ("31/03/20 22", dt.date(2022, 3, 31)),
    ("31 de marzo de 2021", dt.date(2021, 3, 31)),
    ("31 de marzo del 2021", dt.date(2021, 3, 31)),
    ("1° de julio de 2021", dt.date(2021, 7, 1)),
    ("15 de setiembre de 2021", dt.date(2021, 9, 15)),
    ("marzo 2021", dt.date(2021, 3, 31)),
    ("Febrero de 2024", dt.date(2024, 2, 29)),
    ("febrero 2023", dt.date(2023, 2, 28)),
    ("diciembre\n2025", dt.date(2025, 12, 31)),
    ("Hasta el 10/10/2017", dt.date(2017, 10, 10)),
    ("del 15/03/2021 al 30/06/2021", dt.date(2021, 6, 30)),
    ("marzo - junio 2021", dt.date(2021, 6, 30)),
    ("30 días", None),
    ("60 días calendario", None),
    ("Permanente", None),
    ("Trimestral", None),
    ("Por definir", None),
    ("31/02/2021", None),
    ("", None),
    (None, None),
])
def test_due_dates(text, expected):
    assert parse_due(text) == expected


@pytest.mark.parametrize("line,expected", [
    ("Ayacucho, 8 de diciembre de 2020", ("Ayacucho", dt.date(2020, 12, 8))),
    ("Lima, 10 de septiembre de 2021", ("Lima", dt.date(2021, 9, 10))),
    ("San Martín de Porres, 1° de julio del 2019", ("San Martín de Porres", dt.date(2019, 7, 1))),
    ("Cusco, lunes 14 de marzo de 2022", ("Cusco", dt.date(2022, 3, 14))),
    ("8 de diciembre de 2020", (None, dt.date(2020, 12, 8))),
    ("En la ciudad de Puno, siendo las 10:00 horas del 3 de mayo de 2019", ("Puno", dt.date(2019, 5, 3))),
    ("ACTA DE COMPROMISOS", None),
])
def test_place_and_date(line, expected):
    assert parse_place_date(line) == expected


@pytest.mark.parametrize("text,expected", [
    ("Dra. Noemí Cusi Aguirre", ("Dra.", "Noemí Cusi Aguirre")),
    ("Sr. Juan Pérez", ("Sr.", "Juan Pérez")),
    ("Sra. Ana", ("Sra.", "Ana")),
    ("Ing. Edwin Cusi", ("Ing.", "Edwin Cusi")),
    ("Lic. Germán Aguirre", ("Lic.", "Germán Aguirre")),
    ("Mg. Ricardo Ríos", ("Mg.", "Ricardo Ríos")),
    ("Econ. Renán Rojas", ("Econ.", "Renán Rojas")),
    ("Abog. Teófilo Quispe", ("Abog.", "Teófilo Quispe")),
    ("Sr, Aurelio Villanueva", ("Sr.", "Aurelio Villanueva")),  # OCR comma
    ("Rosa Luz Huarcaya Peña", (None, "Rosa Luz Huarcaya Peña")),
    ("Ingrid Soto", (None, "Ingrid Soto")),
    ("Dr.", (None, "Dr.")),
])
def test_honorific_split(text, expected):
    assert split_honorific(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("▪ Sr. Juan", (True, "Sr. Juan")),
    ("• Sra. Ana", (True, "Sra. Ana")),
    ("- Dr. Luis", (True, "Dr. Luis")),
    ("= Sr. Luis", (True, "Sr. Luis")),      # OCR
    ("« Sr. Luis", (True, "Sr. Luis")),      # OCR
    ("Sr. Luis", (False, "Sr. Luis")),
    ("e Ing. Luis", (True, "Ing. Luis")),    # OCR
    ("\uf0b7 Sr. Luis", (True, "Sr. Luis")),  # Word's Symbol bullet, a private-use glyph
    ("\uf0a7 Lic. Rosa", (True, "Lic. Rosa")),  # Wingdings square
    ("➔ Ing. Ana", (True, "Ing. Ana")),      # any pictographic symbol
    ("•", (False, "•")),                     # a bullet alone is no item
])
def test_bullets(text, expected):
    assert strip_bullet(text) == expected


def test_a_lone_e_is_a_bullet_only_in_ocr_text():
    # in a text layer "e" opening a line is the conjunction of a wrapped position
    assert strip_bullet("e Inclusión Social", lookalikes=False) == (False, "e Inclusión Social")
    assert strip_bullet("e Inclusión Social", lookalikes=True) == (True, "Inclusión Social")


def test_symbol_font_glyphs_become_bullets_or_vanish():
    from importers.acta_pdf.layout import _glyph_text

    assert _glyph_text("(cid:127)") == "•"
    assert _glyph_text("\uf0b7") == "•"
    assert _glyph_text("\uf0a7Texto") == "•Texto"
    assert _glyph_text("Tex\uf0b7to") == "Texto"
    assert _glyph_text("Oxígeno") == "Oxígeno"


def test_title_and_name_case():
    assert title_case("GORE EJECUTIVO EXTRAORDINARIO") == "GORE Ejecutivo Extraordinario"
    assert title_case("I GORE EJECUTIVO 2023") == "I GORE Ejecutivo 2023"
    assert title_case("XIV GORE EJECUTIVO DE LA REGIÓN SUR") == "XIV GORE Ejecutivo de la Región Sur"
    assert name_case("DIONISIO BÉJAR DE LA CRUZ") == "Dionisio Béjar de la Cruz"
    assert name_case("ZULEMA ÑAHUI MALLMA") == "Zulema Ñahui Mallma"
    assert name_case("Walter Valdivia de la Cruz") == "Walter Valdivia de la Cruz"
    assert strip_final_period("Asesora del Despacho Ministerial.") == "Asesora del Despacho Ministerial"


def test_join_lines_keeps_printed_hyphens():
    assert join_lines(["vacunación COVID-", "19"]) == "vacunación COVID-19"
    assert join_lines(["convenio UNI -", "MINSA"]) == "convenio UNI - MINSA"
    assert join_lines(["Macro", " regionales "]) == "Macro regionales"
    assert join_lines(["periodo 2024–", "2025"]) == "periodo 2024–2025"  # en dash


@pytest.mark.parametrize("text,pages,expected", [
    ("Página 2 de 6", 6, True),
    ("- 3 -", 6, True),
    ("4/9", 9, True),
    ("2024", 3, False),   # the end of a wrapped date at the foot of a page
    ("Texto", 3, False),
])
def test_page_numbers(text, pages, expected):
    from importers.acta_pdf.layout import _is_page_number

    assert _is_page_number(text, pages) is expected


@pytest.mark.parametrize("text,expected", [
    ("COMPROMISOS ASUMIDOS", True),
    ("TEMA COMPROMISO RESPONSABLE PLAZO", True),
    ("TEMA N° | COMPROMISOS", True),
    ("Presidencia del Consejo de Ministros", False),
    ("", False),
])
def test_table_headings_are_content_not_page_headers(text, expected):
    from importers.acta_pdf.layout import _is_table_heading

    assert _is_table_heading(text) is expected


def test_uncovered_spans_of_a_ruled_row():
    from importers.acta_pdf.layout import _uncovered

    # a shaded key cell (0-100) beside a value without a border of its own (100-400)
    assert _uncovered([(0, 100)], 0, 400) == [(100, 400)]
    assert _uncovered([(0, 100), (100, 400)], 0, 400) == []
    assert _uncovered([(0, 100), (105, 400)], 0, 400) == []  # a hairline gap is no cell


def _obs_line(text, bold=False, x0=50):
    words, x = [], x0
    for t in text.split():
        words.append(Word(t, x, x + 6 * len(t), 100, 110, bold))
        x += 6 * len(t) + 4
    return Line(words)


@pytest.mark.parametrize("text,bold,expected", [
    ("Observaciones:", False, ""),
    ("OBSERVACIONES", False, ""),
    ("Observaciones: ninguna", False, "ninguna"),
    ("Observaciones ninguna", True, "ninguna"),        # a bold label without a colon
    ("observaciones del expediente técnico", False, None),  # a wrapped commitment line
    ("Observaciones del expediente técnico", False, None),  # a sentence, not a label
])
def test_observations_label(text, bold, expected):
    from importers.acta_pdf.structure import _obs_label

    assert _obs_label(_obs_line(text, bold)) == expected


def test_graphic_list_markers_become_bullets():
    from importers.acta_pdf.layout import graphic_bullets

    class FakePage:  # pdfplumber's page: curves and rects as dicts
        curves = [{"x0": 40, "x1": 44, "top": 103, "bottom": 107}]
        rects = [{"x0": 0, "x1": 500, "top": 200, "bottom": 201},   # a rule, not a mark
                 {"x0": 300, "x1": 304, "top": 103, "bottom": 107}]  # a square far from any word
    words = [Word("Sr.", 50, 62, 100, 110), Word("Juan", 64, 90, 100, 110)]
    marks = graphic_bullets(FakePage(), words)
    assert [(m.text, m.x0, m.top) for m in marks] == [("•", 40, 100)]


# ----------------------------------------------------------------------------- reference lists


@pytest.fixture(scope="module")
def ref():
    return Reference()


@pytest.mark.parametrize("printed,expected", [
    ("GOBIERNO REGIONAL DE CUSCO", "Cusco"),
    ("GORE CUSCO", "Cusco"),
    ("Gobierno Regional del Cusco", "Cusco"),
    ("Gobierno Regional del Callao", "Callao"),
    ("Municipalidad Metropolitana de Lima", "Lima Metropolitana"),
    ("MUNICIPALIDAD METROPOLITANA DE LIMA", "Lima Metropolitana"),
    ("Lima Metropolitana", "Lima Metropolitana"),
    ("GOBIERNO REGIONAL DE LIMA", "Lima"),
    ("Lima", "Lima"),
    ("GOBIERNO REGIONAL DE HUÁNUCO", "Huánuco"),
    ("GOBIERNO REGIONAL DE HUANUCO", "Huánuco"),
    ("GOBIERNO REGIONAL DE APURIMAC", "Apurímac"),
    ("GOBIERNO REGIONAL DE ÁNCASH", "Áncash"),
    ("GOBIERNO REGIONAL DE LA LIBERTAD", "La Libertad"),
    ("GOBIERNO\nREGIONAL DE\nAMAZONAS", "Amazonas"),
    ("GOBIERNO REGI0NAL DE AMAZ0NAS", "Amazonas"),  # OCR
    ("GOBIERNO REGIONAL DE NARNIA", None),
    ("Dirección Regional de Salud", None),
])
def test_region_matching(ref, printed, expected):
    assert ref.match_region(printed) == expected


@pytest.mark.parametrize("position,expected", [
    ("Gobernador Regional de Amazonas", "Amazonas"),
    ("Alcalde de Lima Metropolitana", "Lima Metropolitana"),
    ("Gerenta General Regional del Gobierno Regional de Lima", "Lima"),
    ("Gobernador Regional de Madre de Dios", "Madre de Dios"),
    ("Gerente Regional de Seguridad Ciudadana de Ica", "Ica"),
    ("Gobernador Regional del Callao", "Callao"),
    ("Jefe de la Oficina de Política", None),
])
def test_region_named_in_a_position(ref, position, expected):
    assert ref.find_region_in(position) == expected


@pytest.mark.parametrize("printed,expected", [
    ("MINISTERIO DE ECONOMÍA Y FINANZAS", "Ministerio de Economía y Finanzas"),
    ("MINISTERIO DE ECONOMIA Y FINANZAS", "Ministerio de Economía y Finanzas"),
    ("PRESIDENCIA DEL CONSEJO DE MINISTROS", "Presidencia del Consejo de Ministros"),
    ("MINISTERIO DE VIVIENDA, CONSTRUCCIÓN Y SANEAMIENTO", "Ministerio de Vivienda, Construcción y Saneamiento"),
    ("MINSA", "Ministerio de Salud"),
    ("Ministerio de Salud - MINSA", "Ministerio de Salud"),
    ("MINISTERIO DE AGRICULTURA Y RIEGO", "Ministerio de Desarrollo Agrario y Riego"),
    ("MINISTERIO DEL INTERIOR", "Ministerio del Interior"),
    ("MINISTERIO DE ASUNTOS MÁGICOS", None),
])
def test_sector_matching(ref, printed, expected):
    assert ref.match_sector(printed) == expected


# ----------------------------------------------------------------------------- layout pieces


def _char(text, x0, top, font="F", size=10.0):
    return {"text": text, "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + size, "doctop": top,
            "upright": True, "fontname": font, "size": size}


def test_dedupe_chars_matches_pdfplumber():
    from pdfplumber.utils.text import dedupe_chars as reference

    chars = []
    for i, ch in enumerate("Compromiso asumido"):
        chars.append(_char(ch, 10 + 5 * i, 100))
        if i % 3 == 0:  # fake bold: the glyph printed twice, slightly shifted
            chars.append(_char(ch, 10.4 + 5 * i, 100.3))
    chars.append(_char("o", 200, 100, font="G"))  # same place, other font: kept
    assert dedupe_chars(chars) == reference(chars)
    assert len(dedupe_chars(chars)) == len("Compromiso asumido") + 1


def test_group_lines_tolerates_uneven_word_boxes():
    words = [Word("TEMA", 10, 40, 100, 110), Word("N*", 42, 55, 101.5, 110.5), Word("1", 57, 62, 99, 109),
             Word("Texto", 10, 40, 114, 124)]
    lines = group_lines(words)
    assert [ln.text for ln in lines] == ["TEMA N* 1", "Texto"]


def _words(spec, top=100):
    """"COMPROMISO@300 4@370 o@560": words at those x positions, 10 pt high."""
    out = []
    for tok in spec.split():
        text, x = tok.rsplit("@", 1)
        out.append(Word(text, float(x), float(x) + 6 * len(text), top, top + 10))
    return out


@pytest.mark.parametrize("spec,expected", [
    ("COMPROMISO@300 4@370 o@560", "COMPROMISO 4"),                      # a speck far right
    ("COMPROMISO@300 N*@362 2@380 S@460 GORE@600", "COMPROMISO N* 2 GORE"),
    ("Cruz@100 E@340", "Cruz"),
    ("MIDAGRI@100 y@145 GORE@155", "MIDAGRI y GORE"),                    # a word, at a word space
    # a justified line whose every space is wide: "a" is a word
    ("para@100 la@142 GORE@172 sujeta@214 a@268 la@292 de@322", "para la GORE sujeta a la de"),
    ("TEMA@50 1@80 3@200 GORE@400", "TEMA 1 3 GORE"),                    # digits stay: a N° column
])
def test_ocr_specks_are_dropped(spec, expected):
    from importers.acta_pdf.layout import drop_specks

    [line] = drop_specks([Line(_words(spec))])
    assert line.text == expected


def test_a_speck_glued_to_a_label_is_cut_off():
    words = clean_ocr_words([Word("[COMPROMISO", 100, 166, 0, 10), Word("“|", 20, 30, 0, 10),
                             Word("TEMA", 40, 64, 0, 10)])
    assert [w.text for w in words] == ["COMPROMISO", "TEMA"]
    assert words[0].x0 == pytest.approx(106)


def test_ocr_border_noise_is_removed():
    words = clean_ocr_words([Word("de|La", 100, 130, 0, 10), Word("|", 140, 142, 0, 10),
                             Word("Texto", 150, 180, 0, 10)])
    assert [w.text for w in words] == ["de", "La", "Texto"]
    assert words[1].x0 > words[0].x1


def test_gutters_between_columns():
    from importers.acta_pdf.columns import gutters

    lines = [Line([Word("aaaa", 10, 50, y, y + 10), Word("bbbb", 80, 120, y, y + 10)]) for y in range(0, 100, 12)]
    assert gutters(lines) == [(pytest.approx(50, abs=2), pytest.approx(80, abs=2))]


# ----------------------------------------------------------------------------- safety pieces


def test_bounded_decompression_stops_a_bomb():
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import LIT

    from importers.acta_pdf.model import ActaParseError
    from importers.acta_pdf.safety import Limits, bounded_data, new_budget

    data = zlib.compress(b"\0" * (8 * 1024 * 1024), 9)
    stream = PDFStream({"Filter": LIT("FlateDecode"), "Length": len(data)}, data)
    budget = new_budget(Limits(max_stream_bytes=1024 * 1024))
    with pytest.raises(ActaParseError) as info:
        bounded_data(stream, budget, 1)
    assert info.value.reason == "bomb"
    ok = PDFStream({"Filter": LIT("FlateDecode"), "Length": 10}, zlib.compress(b"BT (Hola) Tj ET"))
    assert bounded_data(ok, new_budget(Limits()), 1) == b"BT (Hola) Tj ET"


def test_glyph_estimate_counts_shown_strings():
    from importers.acta_pdf.safety import estimate_glyphs

    # bytes shown (an upper bound for 2-byte fonts)
    assert estimate_glyphs(b"BT (Hola) Tj [(Mun) -20 (do)] TJ <00410042> Tj ET") == 4 + 3 + 2 + 4
