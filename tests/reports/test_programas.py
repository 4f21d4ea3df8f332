"""The programme-evaluation report on the small demo with its programmes: the PDF's figures are the programmes
core's (readings, focus, impact, the web's scorecard), two runs give the same bytes, a public version reserves
small counts, and a period without programme data says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("programas", start, end, public=public, language=language)


@pytest.fixture(scope="module")
def built(demo_programmes, django_db_blocker):
    from observatorio.reports.render_pdf import render

    with django_db_blocker.unblock(), translation.override("es"):
        r = report()
        return r, squeeze(pdf_text(render(r)))


def test_indicator_readings_in_the_pdf_are_the_cores(built):
    from observatorio.dashboard.numbers import number
    from observatorio.labels import status_label
    from observatorio.programmes import readings
    from observatorio.programmes.models import Programme

    r, text = built
    checked = 0
    with translation.override("es"):
        for programme in Programme.objects.all():
            for indicator in programme.indicators.filter(active=True):
                rows = [x for x in readings.series(indicator, year=2025, today=dt.date(2026, 1, 1))
                        if x.value is not None]
                if not rows:
                    continue
                last = rows[-1]
                row = (indicator.name, last.period.label("es"), f"{number(last.value, 1)} {indicator.unit_label}",
                       status_label(last.status))
                cells = [t for t in r.tables if t.caption.startswith(f"Indicadores de {programme.name}:")][0].rows
                assert any((c[0], c[1], c[2], c[5]) == row for c in cells), row
                assert squeeze(row[2]) in text and squeeze(row[3]) in text
                checked += 1
    assert checked >= 8
    # The summary's main point counts the same statuses as the tables show.
    summary = r.sections[0]
    statuses = [c[5] for t in r.tables if t.caption.startswith("Indicadores de ") for c in t.rows]
    meets = statuses.count("cumple la meta")
    assert f", {meets} la cumple" in summary.main_points[0]
    assert squeeze(summary.main_points[0]) in text


def test_focus_and_impact_are_the_cores(built):
    from observatorio.dashboard.numbers import number
    from observatorio.programmes.focus import programme_focus
    from observatorio.programmes.impact import programme_impact
    from observatorio.programmes.models import Programme
    from observatorio.reports import sentences
    from observatorio.state import current

    r, text = built
    state = current()
    impacts = 0
    with translation.override("es"):
        for programme in Programme.objects.all():
            f = programme_focus(programme, state=state, start=START, end=END)
            table = [t for t in r.tables if t.caption.startswith(f"Foco de {programme.name}:")][0]
            for row in f.rows():
                assert (row["label"], row["share"], row["n"]) in {c[:3] for c in table.rows}
            i = programme_impact(programme, state=state)
            if i is None:
                continue
            impacts += 1
            point = sentences.displacement(sentences.Displacement(
                programme.name, i.result.estimate, i.result.lower, i.result.upper, i.result.p_value), "es")
            section = [s for s in r.sections if s.title == programme.name][0]
            assert point in section.main_points and squeeze(point) in text
            assert squeeze(f"Tratamiento(áreasdelprograma){number(i.treated[0])}{number(i.treated[1])}") in text
    assert impacts >= 1


def test_scorecard_cells_are_the_webs(built):
    from observatorio.programmes import views

    r, _text = built
    with translation.override("es"):
        web = views.scorecard_of(None, 2025, "periodos", None)
        section = [s for s in r.sections if s.title.startswith("Tablero de indicadores")][0]
        mine = section.facts[0]
    assert [c.label for c in mine.columns] == [c.label for c in web.columns]
    assert [(row.spec.indicator_id, [(c.status, c.value) for c in row.cells]) for row in mine.rows] == \
        [(row.spec.indicator_id, [(c.status, c.value) for c in row.cells]) for row in web.rows]
    assert dict(mine.counts) == dict(web.counts)
    assert len(section.blocks[0].rows) == len(web.rows)


def test_every_chart_present_two_runs_identical(demo_programmes, data_dir):
    from observatorio.reports.runs import generate, path_of

    one = generate("programas", START, END, fmt="pdf")
    two = generate("programas", START, END, fmt="pdf")
    assert one.sha256 == two.sha256
    assert path_of(one).read_bytes() == path_of(two).read_bytes()
    text = pdf_text(path_of(one).read_bytes())
    assert re.findall(r"Figura\s1:", text)
    assert "Puntos principales" in text


def test_public_version_reserves_small_counts(demo_programmes):
    from observatorio.disclosure import policy
    from observatorio.programmes.models import Programme
    from observatorio.programmes.views import reserved
    from observatorio.reports.kinds.programas import _last
    from observatorio.reports.programme_status import as_of, guard_of
    from observatorio.reports.runs import Context, data_version
    from observatorio.state import current

    internal, public = report(), report(public=True)
    k = policy.k()
    people = [t for t in public.tables if t.caption.startswith("Actividades y")]
    internal_people = [t for t in internal.tables if t.caption.startswith("Actividades y")]
    small_seen = 0
    for t, ti in zip(people, internal_people):
        for cell, cell_i in zip(t.rows[0], ti.rows[0]):
            assert not (cell.isdigit() and 1 <= int(cell) < k), f"{cell} shown in a public report"
            if cell_i.isdigit() and 1 <= int(cell_i) < k:
                small_seen += 1
                assert cell == "reservado"
    assert public.disclosure_note and not internal.disclosure_note
    # An indicator counting a guarded measure: its value is «reservado» exactly when a side is 1 … k − 1.
    state = current()
    ctx = Context(state, "programas", START, END, "es", True, data_version(state))
    guarded = plain = 0
    for programme in Programme.objects.all():
        table = [t for t in public.tables if t.caption.startswith(f"Indicadores de {programme.name}:")][0]
        cells = {row[0]: row for row in table.rows}
        for indicator in programme.indicators.filter(active=True):
            guard = guard_of(ctx, indicator)
            reading = _last(ctx, indicator, as_of(ctx))
            if guard is None or reading is None:
                continue
            guarded += 1
            assert (cells[indicator.name][2] == "reservado") == reserved(reading, guard, indicator)
            if (indicator.denominator or "") == "" and reading.numerator >= k:
                # A count indicator reads with a denominator of 1: that 1 is no small count.
                assert cells[indicator.name][2] != "reservado"
                plain += 1
    assert guarded, "the demo has indicators counting a measure an authority sees only in aggregate"
    assert plain, "the demo has a count indicator of a guarded measure"


def test_a_period_without_programme_data_says_so(demo_programmes):
    from observatorio.reports.document import Notice
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1 and isinstance(r.sections[0].blocks[0], Notice)
    assert "No hay datos de programas para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_english_version(demo_programmes):
    r = report(language="en")
    assert r.sections[0].main_points[0].startswith("Of ")


def test_special_causes_are_the_pages_within_the_period(built):
    from observatorio.programmes import readings
    from observatorio.programmes.models import Indicator
    from observatorio.programmes.views import _control

    r, _text = built
    paragraphs = [b.text for s in r.sections for b in s.blocks if getattr(b, "text", "").startswith("Causas especiales")]
    seen = 0
    with translation.override("es"):
        for indicator in Indicator.objects.filter(active=True, programme__isnull=False):
            explained = _control(indicator)[1]
            inside = {p.label("es") for p, _v in readings.history(indicator) if p.start.year == 2025}
            mine = [p for p in paragraphs if f"«{indicator.name}»" in p]
            wanted = [e for e in explained if e["x"] in inside]
            if not wanted:
                assert not mine or all(e["x"] not in mine[0] for e in explained if e["x"] not in inside)
                continue
            seen += 1
            for e in wanted:
                assert f'{e["x"]}: {e["value"]} ({e["variation"]}: {e["rules"]})' in mine[0]
            assert "2026" not in mine[0]
    assert seen >= 1
