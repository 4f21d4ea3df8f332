"""The document model and its renderers on a hand-made report: escaping, numbering, identical bytes, no
external host. No database."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from observatorio.reports import charts, render_pdf
from observatorio.reports.document import Figure, Notice, Paragraph, Report, Section, Table, content_hash
from tests.reports.pdftext import pdf_text, squeeze

MARKUP = 'Villa #1 *negrita* _it_ $x^2$ @ref <b> [c] \\d "q" = - + ~ `code` // nota'


def report(name: str = "Peñalolén", language: str = "es", public: bool = False) -> Report:
    trend = charts.trend(["01-2025", "02-2025", "03-2025"], [1234, None, 987], language=language,
                         marked=[False, False, True], marked_label="período")
    bars = charts.bars(["uno", "dos"], [5, None], language=language, withheld="reservado")
    heat = charts.heatmap([[h + d for h in range(24)] for d in range(7)], list("LMMJVSD"), language=language)
    return Report(
        "prueba", "Informe de prueba", name, dt.date(2025, 3, 1), dt.date(2025, 3, 31), language, "7-abcdef12",
        public,
        (Section("Primera", ("Punto uno: 1.234 casos.", MARKUP),
                 (Paragraph(MARKUP), Table("Tabla de áreas " + MARKUP, ("Área", "Conteo"),
                                           ((MARKUP, "1.234"), ("Otra", "reservado")), ("Fuente: prueba",),
                                           (False, True)),
                  Figure("Tendencia", "Medida: casos-policiales · " + MARKUP, "línea", svg=trend))),
         Section("Segunda", (), (Figure("Barras", "Medida: x", "barras", svg=bars),
                                 Figure("Horas", "Medida: x", "calor", svg=heat),
                                 Table("Vacía", ("a", "b", "c"), ()), Notice("Sin datos para el período.")))))


def test_two_compilations_give_identical_bytes():
    one, two = render_pdf.render(report()), render_pdf.render(report())
    assert one[:5] == b"%PDF-"
    assert one == two


def test_charts_are_identical_across_runs():
    assert charts.trend(["a", "b"], [1, 2]) == charts.trend(["a", "b"], [1, 2])
    assert charts.bars(["a"], [3]) == charts.bars(["a"], [3])
    assert charts.trend(["a", "b"], [1, 2]) != charts.trend(["a", "b"], [1, 3])


def test_markup_characters_are_printed_as_written():
    text = pdf_text(render_pdf.render(report(name=MARKUP)))
    flat = squeeze(text)
    assert squeeze(MARKUP) in flat
    # Every place the text went: header (municipality), cover, main point, paragraph, table cell, stated line.
    assert flat.count(squeeze(MARKUP)) >= 6


def test_pdf_has_cover_contents_numbered_captions_and_page_numbers():
    r = report()
    text = pdf_text(render_pdf.render(r))
    assert "Informe de prueba" in text and "Índice" in text
    assert "Período: 01-03-2025 a 31-03-2025" in text
    assert "Versión de los datos: 7-abcdef12" in text
    assert content_hash(r)[:32] in text
    assert [int(n) for n in re.findall(r"Figura\s(\d+):", text)] == [1, 2, 3]
    assert [int(n) for n in re.findall(r"Tabla\s(\d+):", text)] == [1, 2]
    pages = re.findall(r"Página (\d+) de (\d+)", text)
    assert pages and all(m == pages[-1][0] for _n, m in pages) and pages[-1][0] == pages[-1][1]
    assert "Peñalolén · 01-03-2025 a 31-03-2025" in text  # the running header
    assert "Sin datos para el período." in text


def test_english_words():
    text = pdf_text(render_pdf.render(report(language="en")))
    assert "Contents" in text and re.search(r"Figure\s1:", text) and re.search(r"Table\s1:", text) and re.search(r"Page \d+ of \d+", text)
    assert "2025-03-01 to 2025-03-31" in text


def test_the_date_is_the_period_end_not_the_clock():
    meta = pypdf.PdfReader(io.BytesIO(render_pdf.render(report()))).metadata
    assert meta["/CreationDate"].startswith("D:20250331")


def test_content_hash_follows_the_content():
    assert content_hash(report()) == content_hash(report())
    assert content_hash(report()) != content_hash(report(name="Otra"))


def test_a_figure_needs_exactly_one_image_and_rows_their_columns():
    with pytest.raises(ValueError):
        Figure("x", "y", "z")
    with pytest.raises(ValueError):
        Table("t", ("a", "b"), (("1",),))


@pytest.mark.parametrize("language,marks", [("es", "1.234"), ("en", "1,234")])
def test_axis_numbers_in_the_report_language(language, marks):
    assert charts.format_number(1234, language) == marks
    assert charts.format_number(0.5, language, 1) == ("0,5" if language == "es" else "0.5")


def test_html_is_self_contained_and_numbered(settings):
    from observatorio.reports import render_html

    page = render_html.render(report(name=MARKUP))
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I), "an external address in the page"
    assert "<script" not in page and "<link" not in page
    assert page.count("<svg") == 3
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id defined twice in the page"
    for ref in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', page):
        assert (ref[0] or ref[1]) in ids
    assert "Tabla 1:" in page and "Tabla 2:" in page and "Figura 3:" in page
    assert "Villa #1 *negrita* _it_ $x^2$ @ref &lt;b&gt; [c]" in page  # escaped by the template, not markup
    assert "@media print" in page


def test_document_charts_and_pdf_renderer_load_no_django():
    import subprocess
    import sys

    code = ("import sys; import observatorio.reports.document, observatorio.reports.facts, "
            "observatorio.reports.charts, observatorio.reports.render_pdf; "
            "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.stdout.strip() == "[]"
