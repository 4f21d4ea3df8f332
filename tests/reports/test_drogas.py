"""The drug market report on the small demo: drug offences and drug-related 1461 calls are the engine's counts
over the taxonomy's categories, shown side by side; maps and charts are there (or say why not), two runs give
the same bytes, the public version withholds small counts, an empty period says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.reports.cells import cells, small_counts
from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2023, 1, 1), dt.date(2026, 11, 25)


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("drogas", start, end, public=public, language=language)


def counted(state, measure, codes):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for

    cat = state.catalog
    ids = {cat.category_id[c] for c in codes if c in cat.category_id}
    for c in codes:
        ids |= set(cat.family_children.get(c, ()))
    return engine.headline(state, filters_for(state, measure=measure, start=START, end=END, level="comuna",
                                              categories=tuple(sorted(ids))))


def test_figures_are_the_engines_over_the_taxonomys_categories(demo):
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import Event
    from observatorio.reports.render_pdf import render
    from observatorio.state import current

    state = current()
    r = report()
    text = squeeze(pdf_text(render(r)))
    offences = counted(state, "casos-policiales", ("familia-drogas",))
    calls = counted(state, "llamados-1461", ("familia-drogas", "consumo-via-publica"))
    assert offences.count > 0 and calls.count > 0
    # The same numbers straight from the records.
    assert calls.count == Event.objects.filter(source__code="1461", occurred_on__range=(START, END),
                                               category__code__in=("drogas", "consumo-via-publica")).count()
    assert squeeze(f"Losdelitosasociadosadrogassumaron{number(offences.count)}casos") in text
    assert squeeze(f"Losllamadosrelacionadoscondrogassumaron{number(calls.count)}llamados") in text
    rows = {row[0]: row for t in r.tables for row in t.rows}
    assert rows["Delitos asociados a drogas"][1:3] == (number(offences.count), number(offences.last_year.count))
    assert rows["Llamados relacionados con drogas"][1] == number(calls.count)
    assert [s.facts[0].count for s in r.sections[:2]] == [offences.count, calls.count]
    # Beside, never summed: no table adds the two.
    assert number(offences.count + calls.count) not in {c for t in r.tables for row in t.rows for c in row[1:2]}
    assert "Consumo de alcohol y drogas en la vía pública" in pdf_text(render(r))


def test_every_chart_and_map_is_present(demo):
    from observatorio.reports.document import Notice
    from observatorio.reports.render_pdf import render

    r = report()
    assert len(r.figures) == 3  # two trends and the macrosector map
    assert [f.svg.count(b"<path") > 5 for f in r.figures] == [True] * 3
    text = pdf_text(render(r))
    assert [int(n) for n in re.findall(r"Figura\s(\d+):", text)] == [1, 2, 3]
    places = next(s for s in r.sections if s.title == "Dónde ocurren")
    notices = [b.text for b in places.blocks if isinstance(b, Notice)]
    assert any("Densidad: muy pocos eventos" in n for n in notices)
    assert any("Gi*" in n and "se necesitan al menos" in n for n in notices)


def test_two_runs_give_identical_bytes(demo):
    from observatorio.reports.runs import generate, path_of

    one, two = generate("drogas", START, END), generate("drogas", START, END)
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()


def test_public_report_withholds_small_counts(demo):
    from observatorio.disclosure import policy

    k = policy.k()
    internal, public = report(), report(public=True)
    assert small_counts(internal)
    shown = cells(public)
    assert "reservado" in shown
    assert not any(c.isdigit() and 1 <= int(c) < k for c in shown)
    for s in public.sections:
        for point in s.main_points:
            undated = re.sub(r"\d{2}-\d{2}-\d{4}|p [<=>] [\d,]+", "", point)
            assert not any(1 <= int(n) < k for n in re.findall(r"(?<![\d.,])(\d+)(?![\d.,]|\s*%)", undated)), point


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1
    assert "No hay datos para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_english(demo):
    from observatorio.reports.render_pdf import render

    text = pdf_text(render(report(language="en")))
    assert "Thematic report: drug market" in text and "1461 calls about drugs" in text
