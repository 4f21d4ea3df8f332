"""The bulletin's section on programme indicators whose status changed between the month before and the month:
every changed indicator is listed with the statuses the programmes core reads, and no unchanged one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tests.reports.pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def expected_changes():
    """Computed here from readings.series directly: (indicator name, status before, status now)."""
    from observatorio.programmes import readings
    from observatorio.programmes.models import Indicator

    today = END + dt.timedelta(days=1)
    out = []
    for indicator in Indicator.objects.filter(active=True).order_by("code"):
        try:
            rows = [r for r in readings.series(indicator, year=2026, today=today) if r.value is not None]
        except Exception:  # an indicator whose definition cannot be computed reads as without data
            continue
        now = [r for r in rows if r.period.end <= END]
        before = [r for r in rows if r.period.end < START]
        if now and before and now[-1].period != before[-1].period and now[-1].status != before[-1].status:
            out.append((indicator.name, before[-1].status, now[-1].status))
    return out


def test_the_bulletin_lists_every_status_change(demo_programmes):
    from observatorio.labels import status_label
    from observatorio.reports.render_pdf import render
    from observatorio.reports.runs import build

    with translation.override("es"):
        expected = expected_changes()
        report = build("boletin", START, END)
        section = [s for s in report.sections if s.title == "Indicadores de programas que cambiaron de estado"]
        assert len(section) == 1
        section = section[0]
        assert expected, "the demo's indicators should change status in some month"
        table = section.blocks[0]
        assert [row[1] for row in table.rows] == [name for name, *_s in expected]
        for row, (_name, before, now) in zip(table.rows, expected):
            assert row[2].endswith(status_label(before)) and row[3].endswith(status_label(now))
        assert section.main_points[0].startswith(f"{len(expected)} indicador")
        assert "entre septiembre de 2026 y octubre de 2026" in section.main_points[0]
        text = pdf_text(render(report))
    assert report.sections[-1].title == "Notas metodológicas"
    squeezed = squeeze(text)
    assert all(squeeze(name) in squeezed for name, *_s in expected)
    assert squeeze(section.main_points[0]) in squeezed


def test_without_indicators_the_section_says_none_changed(demo_programmes):
    from observatorio.programmes.models import Indicator
    from observatorio.reports.runs import build

    Indicator.objects.all().delete()  # rolled back after the test

    report = build("boletin", START, END)
    section = [s for s in report.sections if s.title == "Indicadores de programas que cambiaron de estado"][0]
    assert section.main_points == ("Ningún indicador de programa cambió de estado entre septiembre de 2026 y "
                                   "octubre de 2026.",)
