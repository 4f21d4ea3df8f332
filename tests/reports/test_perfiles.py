"""Victim and offender profiles on the small demo: every cell is the count of the records' person fields,
aggregated only (no keyed id or RUT printed), the public version withholds every small cell and no sentence
names one, two runs give the same bytes, an empty period says so."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from tests.reports.cells import small_counts
from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2023, 1, 1), dt.date(2026, 11, 25)


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("perfiles", start, end, public=public, language=language)


def table(r, caption_start):
    return next(t for t in r.tables if t.caption.startswith(caption_start))


def test_cells_are_the_records_counts(demo):
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import Event
    from observatorio.reports.render_pdf import render

    r = report()
    vif = Event.objects.filter(source__code="vif", occurred_on__range=(START, END))
    sexes = Counter(vif.values_list("victim_sex", flat=True))
    t = table(r, "Casos de violencia intrafamiliar por familia y sexo de víctimas")
    assert t.columns == ("Familia", "Mujer", "Hombre", "Total")
    assert t.rows[-1] == ("Total", number(sexes["F"]), number(sexes["M"]), number(vif.count()))
    nations = Counter(vif.values_list("offender_nationality", flat=True))
    t = table(r, "Casos de violencia intrafamiliar por familia y nacionalidad de imputados")
    top = sorted(nations.items(), key=lambda kv: (-kv[1], kv[0]))
    assert t.columns[1] == top[0][0] and t.rows[-1][1] == number(top[0][1])
    text = pdf_text(render(r))
    share = 100 * sexes["F"] / vif.count()
    assert squeeze(f"({number(sexes['F'])} de {number(vif.count())})") in squeeze(text)
    assert f"{round(share)} %" in text
    # Police cases carry no person fields in the demo: the report says so rather than showing empty tables.
    assert squeeze("no traen datos de víctimas ni de imputados") in squeeze(text)
    assert squeeze("Casos policiales") in squeeze(text.split("no traen datos")[0])
    keys = set(vif.values_list("victim_key", flat=True)) | set(vif.values_list("offender_key", flat=True))
    assert not any(k[:10] in text for k in keys if k)


def test_public_report_withholds_every_small_cell(demo):
    from observatorio.disclosure import policy

    k = policy.k()
    internal, public = report(), report(public=True)
    assert small_counts(internal)
    cells = [c for t in public.tables for row in t.rows for c in row[1:]]
    assert "reservado" in cells and not any(c.isdigit() and 1 <= int(c) < k for c in cells)
    for s in public.sections:
        for point in s.main_points:
            undated = re.sub(r"\d{2}-\d{2}-\d{4}|\d+ %", "", point)
            assert not any(1 <= int(n) < k for n in re.findall(r"(?<![\d.,])(\d+)(?![\d.,])", undated)), point


def test_two_runs_give_identical_bytes(demo):
    from observatorio.reports.runs import generate, path_of

    one, two = generate("perfiles", START, END), generate("perfiles", START, END)
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1 and "No hay datos para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_english(demo):
    from observatorio.reports.render_pdf import render

    text = pdf_text(render(report(language="en")))
    assert "Thematic report: victim and offender profiles" in text and "Woman" in text


def test_a_sensitive_measure_over_a_short_period_is_refused_in_public(demo):
    from observatorio.records.models import Event

    day = Event.objects.filter(source__code="vif", occurred_on__year=2025).order_by("occurred_on")[0].occurred_on
    r = report(public=True, start=day, end=day + dt.timedelta(days=13))
    vif = [s for s in r.sections if s.title == "Casos de violencia intrafamiliar"]
    assert vif and any(b.text.startswith("Dato sensible: elija un período") for b in vif[0].blocks)
    assert not any("violencia intrafamiliar por familia" in t.caption for t in r.tables)
