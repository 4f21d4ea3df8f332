"""Impact: the WDD of a place-based programme by hand on synthetic points, and on the demo equal to calling
analysis.wdd on the same counts."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from shapely.geometry import box

from observatorio.analysis.wdd import wdd
from observatorio.programmes.impact import windows, zone_counts, zones


def test_zones_and_counts_by_hand():
    # Treatment: the square 0..100; ring of 50 m; outline 0..1000 → control = outline less the buffered square.
    t, d, c = zones(box(0, 0, 100, 100), box(-500, -500, 1000, 1000), 50)
    points = [(50, 50, False)] * 10 + [(50, 50, True)] * 5 + [(120, 50, False)] * 8 + [(120, 50, True)] * 6 \
        + [(600, 600, False)] * 20 + [(600, 600, True)] * 20 + [(2000, 2000, True)]  # last: outside everything
    x, y, after = zip(*points)
    T, D, C = zone_counts(x, y, after, (t, d, c))
    assert (T, D, C) == ((10, 5), (8, 6), (20, 20))
    r = wdd(T, C, D, C)
    # ΔT − ΔC + ΔD − ΔC = −5 − 0 − 2 − 0 = −7; Var = 10 + 5 + 20 + 20 + 8 + 6 + 20 + 20 = 109.
    assert r.estimate == -7
    assert r.se == pytest.approx(math.sqrt(109))
    assert r.lower == pytest.approx(-7 - 1.959964 * math.sqrt(109), abs=1e-4)


def test_windows_equal_and_bounded_by_the_data():
    before, after = windows(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert after == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert before == (dt.date(2025, 1, 29), dt.date(2025, 2, 28))  # 31 days each
    before, after = windows(dt.date(2024, 1, 1), dt.date(2026, 1, 1))
    assert (after[1] - after[0]).days + 1 == 365 == (before[1] - before[0]).days + 1
    from observatorio.errors import UserError

    with pytest.raises(UserError):
        windows(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


@pytest.mark.django_db
def test_demo_programme_impact_is_the_engine_on_its_counts(demo):
    from observatorio.programmes.impact import programme_impact
    from observatorio.programmes.models import Programme, Unit
    from observatorio.state import holder
    from observatorio.territory.models import Area

    state = holder.current()
    unit = Unit.objects.get_or_create(code="test-impact", defaults={"name": "Unidad de prueba"})[0]
    prog = Programme.objects.create(code="test-impact", name="Prueba", unit=unit, place_based=True,
                                    start=state.as_of - dt.timedelta(days=180))
    uvs = list(Area.objects.filter(level="uv").order_by("code")[:2])
    prog.target_areas.set(uvs)
    got = programme_impact(prog, state=state)
    assert got.after[0] == prog.start and (got.after[1] - got.after[0]) == (got.before[1] - got.before[0])
    assert sum(got.treated) > 0 and sum(got.control) > sum(got.treated)
    assert got.result == wdd(got.treated, got.control, got.displacement, got.control)
    wider = programme_impact(prog, state=state, buffer_m=800)
    assert sum(wider.displacement) >= sum(got.displacement)
    assert sum(wider.control) <= sum(got.control)
    assert "Diferencia de desplazamiento ponderada" in got.words()
    prog.place_based = False
    assert programme_impact(prog, state=state) is None


@pytest.mark.django_db
def test_trend_json_marks_programme_starts_in_the_window_and_areas(demo, client, personas):
    from observatorio.programmes.models import Programme, Unit
    from observatorio.state import holder
    from observatorio.territory.models import Area

    state = holder.current()
    end = state.as_of
    start = end - dt.timedelta(days=364)
    Programme.objects.all().delete()
    unit = Unit.objects.get_or_create(code="test-marks", defaults={"name": "Unidad de prueba"})[0]
    uv_a, uv_b = Area.objects.filter(level="uv").order_by("code")[:2]
    inside = Programme.objects.create(code="a", name="Ronda en A", unit=unit, start=end - dt.timedelta(days=100))
    inside.target_areas.set([uv_a])
    Programme.objects.create(code="b", name="Comunal", unit=unit, start=end - dt.timedelta(days=50))
    elsewhere = Programme.objects.create(code="c", name="Ronda en B", unit=unit, start=end - dt.timedelta(days=20))
    elsewhere.target_areas.set([uv_b])
    Programme.objects.create(code="d", name="Antiguo", unit=unit, start=start - dt.timedelta(days=1))
    client.force_login(personas["bob"])
    query = f"?measure=casos-policiales&period=custom&start={start}&end={end}"
    body = client.get("/tablero/datos/tendencia.json" + query).json()
    assert [m["label"] for m in body["markers"]] == ["Ronda en A", "Comunal", "Ronda en B"]
    assert body["markers"][0]["date"] == inside.start.isoformat()
    shapes = body["figure"]["layout"]["shapes"]
    assert [s["x0"] for s in shapes] == [m["date"] for m in body["markers"]]
    assert body["figure"]["layout"]["annotations"][1]["text"] == "Inicio: Comunal"
    body = client.get("/tablero/datos/tendencia.json" + query + f"&area={uv_a.id}").json()
    assert [m["label"] for m in body["markers"]] == ["Ronda en A", "Comunal"]


def test_impact_template_and_words():
    from django.template.loader import render_to_string

    from observatorio.programmes.impact import Impact

    r = wdd((10, 5), (20, 20), (8, 6), (20, 20))
    got = Impact(1, "casos-policiales", 400.0, (dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
                 (dt.date(2025, 7, 1), dt.date(2025, 12, 28)), (10, 5), (8, 6), (20, 20), 3, r)
    assert got.words().startswith("Diferencia de desplazamiento ponderada: -7,0 eventos (IC 95 %: ")
    assert got.words().endswith("sin diferencia significativa con el control.")
    html = render_to_string("programmes/_impact.html", {"impact": got})
    assert "anillo de desplazamiento de 400 m" in html and "<td>10</td><td>5</td>" in html
