"""The domestic violence report on the small demo: its figures are the engine's and the database's (victims
counted by their keyed id, repeat victims recounted here), every chart is there, two runs give the same
bytes, the public version never shows a small count of this sensitive measure, an empty period says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.reports.cells import cells, small_counts
from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2023, 1, 1), dt.date(2026, 11, 25)  # the small demo has ~15 VIF cases a year


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("vif", start, end, public=public, language=language)


def test_figures_are_the_engines_and_the_records(demo):
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import Event
    from observatorio.reports.render_pdf import render
    from observatorio.state import current

    state = current()
    r = report()
    text = squeeze(pdf_text(render(r)))
    h = engine.headline(state, filters_for(state, measure="casos-vif", start=START, end=END, level="comuna"))
    assert h.count > 10
    assert squeeze(f"sumaron{number(h.count)}casos") in text
    assert (r.sections[0].facts[0].measure, r.sections[0].facts[0].count) == ("casos-vif", h.count)
    # Victims recounted from the records by their keyed id.
    rows = Event.objects.filter(source__code="vif", occurred_on__range=(START, END)).values_list(
        "victim_key", "victim_sex", "id").order_by("id")
    assert len(rows) == h.count
    first: dict[str, str] = {}
    times: dict[str, int] = {}
    for key, sex, _id in rows:
        first.setdefault(key, sex)
        times[key] = times.get(key, 0) + 1
    women = sum(1 for s in first.values() if s == "F")
    repeat = sum(1 for n in times.values() if n > 1)
    assert repeat > 0
    sex_table = next(t for t in r.tables if t.caption.startswith("Víctimas por sexo"))
    assert ("Mujeres", number(women), number(100 * women / len(first), 1) + " %") in sex_table.rows
    assert sex_table.rows[-1][:2] == ("Total", number(len(first)))
    repeat_table = next(t for t in r.tables if t.caption.startswith("Víctimas según"))
    assert repeat_table.rows[1][:2] == ("Dos o más casos", number(repeat))
    assert squeeze(f"({number(repeat)}de{number(len(first))})") in text
    # No keyed id or RUT is ever printed.
    assert not any(k and k[:12] in text for k in first)
    assert not re.search(r"\d{7,8}-[\dkK]", pdf_text(render(r)))


def test_every_chart_is_present_and_states_its_measure(demo):
    from observatorio.reports.render_pdf import render

    r = report()
    assert len(r.figures) == 2
    text = pdf_text(render(r))
    assert [int(n) for n in re.findall(r"Figura\s(\d+):", text)] == [1, 2]
    assert squeeze("Medida: Casos de violencia intrafamiliar (casos)") in squeeze(text)
    for figure in r.figures:
        assert figure.svg.count(b"<path") > 5


def test_two_runs_give_identical_bytes(demo):
    from observatorio.reports.runs import generate, path_of

    one, two = generate("vif", START, END), generate("vif", START, END)
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()
    html, again = generate("vif", START, END, fmt="html"), generate("vif", START, END, fmt="html")
    assert html.sha256 == again.sha256
    page = path_of(html).read_bytes()
    assert b"<svg" in page and not re.search(rb"https?://", page)


def test_public_report_never_shows_a_small_count(demo):
    from observatorio.disclosure import policy

    k = policy.k()
    internal, public = report(), report(public=True)
    assert small_counts(internal), "the demo's VIF cases by macrosector or age should include small counts"
    shown = cells(public)
    assert "reservado" in shown
    for cell in shown:
        assert not (cell.isdigit() and 1 <= int(cell) < k), f"a count of {cell} in the public VIF report"
    for s in public.sections:
        for point in s.main_points:
            undated = re.sub(r"\d{2}-\d{2}-\d{4}|p [<=>] [\d,]+", "", point)
            for n in re.findall(r"(?<![\d.,])(\d+)(?![\d.,]|\s*%)", undated):
                assert not 1 <= int(n) < k, point
    # A sensitive measure over 14 days is refused to an aggregate-only reader.
    from observatorio.records.models import Event

    day = Event.objects.filter(source__code="vif", occurred_on__year=2025).order_by("occurred_on")[0].occurred_on
    short = report(public=True, start=day, end=day + dt.timedelta(days=13))
    assert "Dato sensible" in str(short.sections[0].blocks[0])


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.document import Notice
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1 and isinstance(r.sections[0].blocks[0], Notice)
    assert "No hay datos para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_english(demo):
    from observatorio.reports.render_pdf import render

    text = pdf_text(render(report(language="en")))
    assert "Thematic report: domestic violence" in text and "Repeat victimisation" in text
