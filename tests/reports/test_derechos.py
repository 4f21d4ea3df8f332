"""Rights violations on the small demo: with no such category the report names the categories it would count
and says the period has none; once a category «vulneracion-derechos» exists and a source's events reach it,
they are counted through the engine; the public version withholds small counts; an empty period says so."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def report(public=False, start=START, end=END, language="es"):
    from observatorio.reports.runs import build

    return build("derechos", start, end, public=public, language=language)


def test_without_the_category_it_says_what_it_would_count(demo):
    from observatorio.reports.render_pdf import render

    r = report()
    text = squeeze(pdf_text(render(r)))
    assert squeeze("no tiene categorías de vulneración de derechos") in text
    assert squeeze("«familia-vulneracion-derechos»") in text and squeeze("«vulneracion-derechos»") in text
    assert squeeze("el período 01-01-2025 a 31-12-2025 no registra vulneraciones de derechos") in text


def test_minors_beside_are_the_records_counts_and_withheld_in_public(demo):
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import Event

    vif = Event.objects.filter(source__code="vif", occurred_on__range=(START, END))
    minors = vif.filter(victim_age_group="0-17").count()
    t = next(t for t in report().tables if t.caption.startswith("Casos de violencia intrafamiliar por edad"))
    assert t.rows[0][1] == number(minors) and t.rows[-1][1] == number(vif.count())
    public = next(t for t in report(public=True).tables if t.caption.startswith("Casos de violencia"))
    if 1 <= minors < 5:
        assert public.rows[0][1] == "reservado"


def test_a_rights_category_is_counted_once_it_exists(demo):
    from django.db import transaction

    from observatorio import state
    from observatorio.dashboard.numbers import number
    from observatorio.records.models import Category, Event
    from observatorio.records.snapshot import bump

    with transaction.atomic():
        cat = Category.objects.create(code="vulneracion-derechos", name="Vulneración de derechos",
                                      family="No delictual: incivilidades y servicios", is_crime=False)
        ids = list(Event.objects.filter(source__code="1461", occurred_on__range=(START, END)).order_by("id")
                   .values_list("id", flat=True)[:12])
        Event.objects.filter(id__in=ids).update(category=cat)
        bump()
        state.reset()
        try:
            r, public = report(), report(public=True)
        finally:
            transaction.set_rollback(True)
    state.reset()
    section = next(s for s in r.sections if s.title == "Vulneración de derechos: Llamados al 1461")
    assert section.main_points[0].startswith(f"Las vulneraciones de derechos sumaron {number(len(ids))} llamados")
    rows = {row[0]: row for t in r.tables for row in t.rows}
    assert rows["Llamados al 1461: vulneración de derechos"][1] == number(len(ids))
    cells = [c for t in public.tables for row in t.rows for c in row[1:]]
    assert not any(c.isdigit() and 1 <= int(c) < 5 for c in cells)


def test_a_period_without_data_says_so(demo):
    from observatorio.reports.render_pdf import render

    r = report(start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31))
    assert len(r.sections) == 1 and "No hay datos para el período 01-01-2010 a 31-12-2010" in pdf_text(render(r))


def test_two_runs_give_identical_bytes_and_english(demo):
    from observatorio.reports.render_pdf import render
    from observatorio.reports.runs import generate, path_of

    one, two = generate("derechos", START, END), generate("derechos", START, END)
    assert one.sha256 == two.sha256 and path_of(one).read_bytes() == path_of(two).read_bytes()
    text = pdf_text(render(report(language="en")))
    assert "Thematic report: rights violations" in text and "Domestic violence against children" in text
