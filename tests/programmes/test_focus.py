"""Focus: shares of activities inside hot cells and high-rate areas, against hand-computed cases on a synthetic
grid, and on the demo's data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from observatorio.analysis.grid import Grid
from observatorio.programmes.focus import Zones, high_rate_ids, share


def _zones():
    """A 4 × 4 grid of 100 m cells from (0, 0); hot cells (row, col) (0, 0) and (3, 3): 2 of 16 → 1/8.
    UVs: 1 = west half (x < 200), 2 = east half; UV 2 is high-rate → baseline 1/2."""
    grid = Grid(0.0, 0.0, 100.0, 4, 4, 32719)
    hot = np.zeros((4, 4), dtype=bool)
    hot[0, 0] = hot[3, 3] = True
    return Zones(32719, grid, hot, 2 / 16, frozenset({2}), box(200, 0, 400, 400), 0.5, frozenset({1, 2}),
                 "casos-policiales", dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_classify_by_point_and_by_uv():
    z = _zones()
    # 1: hot cell (0,0) west; 2: hot cell (3,3) east; 3: plain east; 4: plain west; 5: no point, UV 2;
    # 6: no point, UV 1; 7: no point nor UV; 8: off the grid.
    x = [50, 350, 250, 150, np.nan, np.nan, np.nan, 900]
    y = [50, 350, 50, 250, np.nan, np.nan, np.nan, 900]
    in_hot, placed_hot, in_high, placed_high = z.classify(x, y, [1, 2, 2, 1, 2, 1, None, None])
    assert in_hot.tolist() == [True, True, False, False, False, False, False, False]
    assert placed_hot.tolist() == [True, True, True, True, False, False, False, False]
    assert in_high.tolist() == [False, True, True, False, True, False, False, False]
    assert placed_high.tolist() == [True, True, True, True, True, True, False, True]


def test_share_and_wilson_by_hand():
    # 2 of 4 in hot cells; Wilson 95 % for 2/4: (0.1500, 0.8500) (Newcombe 1998, table I style: p=0.5, n=4).
    s = share([True, True, False, False], 1 / 8)
    assert s.share == 0.5
    z = 1.959963984540054
    centre, half = (0.5 + z * z / 8) / (1 + z * z / 4), z / (1 + z * z / 4) * np.sqrt(0.25 / 4 + z * z / 64)
    assert s.lower == pytest.approx(centre - half) and s.upper == pytest.approx(centre + half)
    assert s.lower == pytest.approx(0.1500, abs=5e-5)
    assert s.above_baseline  # 0.15 > 0.125
    assert not share([True, False, False, False], 1 / 8).above_baseline  # 1/4: interval reaches below 1/8
    hours = share([True, False, False], 0.5, [6, 2, 2], interval=False)
    assert hours.share == 0.6 and hours.lower is None and hours.above_baseline
    assert share([], 0.5).share is None


def test_high_rate_areas_top_quintile_or_significant():
    # Rates per person: a 10/1000, b 1/1000, c 1/1000, d 1/1000, e 1/1000 → a is the top quintile.
    counts = {1: 10, 2: 1, 3: 1, 4: 1, 5: 1}
    pops = {i: 1000 for i in counts}
    assert high_rate_ids(counts, pops) == {1}
    # Ten areas: the two highest rates form the top quintile; area 3 is not among them but, at 30 against an
    # expected 10 (the whole's rate), it is significantly above.
    counts = {1: 60, 2: 50, 3: 30, **{i: 1 for i in range(4, 11)}}
    pops = {i: 1000 for i in counts}
    assert high_rate_ids(counts, pops) == {1, 2, 3}
    assert high_rate_ids({1: 0, 2: 0}, {1: 10, 2: 10}) == set()


@pytest.mark.django_db
def test_demo_programme_focus(demo):
    from observatorio.programmes.focus import programme_focus
    from observatorio.programmes.models import Activity, Programme, Unit
    from observatorio.state import holder
    from observatorio.territory.models import Area

    state = holder.current()
    from observatorio.programmes.focus import zones

    z = zones(state, "casos-policiales")
    assert z is not None and z.high_rate and 0 < z.high_rate_baseline < 1
    unit = Unit.objects.get_or_create(code="test-focus", defaults={"name": "Unidad de prueba"})[0]
    prog = Programme.objects.create(code="test-focus", name="Prueba", unit=unit, start=z.start)
    high_uv = Area.objects.get(pk=sorted(z.high_rate)[0])
    low_uv = Area.objects.get(pk=sorted(z.uv_ids - z.high_rate)[0])
    inside = shapely.point_on_surface(high_uv.boundaries.get().shape)
    Activity.objects.create(programme=prog, title="en", date=z.end, lon=inside.x, lat=inside.y, hours=3)
    Activity.objects.create(programme=prog, title="area alta", date=z.end, area=high_uv, hours=1)
    Activity.objects.create(programme=prog, title="area baja", date=z.end, area=low_uv, hours=1)
    f = programme_focus(prog, state=state)
    assert f.activities_high.inside == 2 and f.activities_high.total == 3
    assert f.hours_high.share == pytest.approx(4 / 5)
    assert f.activities_hot is None or f.activities_hot.total == 1


def test_rows_in_words():
    from observatorio.programmes.focus import Focus

    f = Focus(1, _zones(), share([True, True, False, False], 1 / 8), None, None, None)
    (row,) = f.rows()
    assert row == {"label": "Actividades en puntos calientes", "share": "50,0 %", "n": "2 / 4",
                   "interval": "15,0 % – 85,0 %", "baseline": "12,5 %", "above": True}


def test_focus_template_in_words_in_both_languages():
    from django.template.loader import render_to_string
    from django.utils import translation

    from observatorio.programmes.focus import Focus

    f = Focus(1, _zones(), share([True, True, False, False], 1 / 8), None, None, None)
    html = render_to_string("programmes/_focus.html", {"focus": f})
    assert "Actividades en puntos calientes" in html and "50,0 % (2 / 4)" in html and "más que al azar" in html
    assert "casos-policiales" in html and "01-01-2025" in html
    with translation.override("en"):
        html = render_to_string("programmes/_focus.html", {"focus": f})
    assert "Activities in hot spots" in html and "more than chance" in html and "Focus: are the" in html
