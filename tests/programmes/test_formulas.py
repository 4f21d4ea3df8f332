"""Each term of a formula on the small demo, against the same figure worked out from the database by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from statistics import median

import numpy as np
import pytest

from observatorio import state as holder
from observatorio.programmes import formulas
from observatorio.programmes.periods import Period

from .conftest import make_indicator, month

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def st(demo, db):
    holder.reset()
    yield holder.current()
    holder.reset()


def events_of(code: str, period: Period):
    from observatorio.records.models import Event, Measure

    m = Measure.objects.get(code=code)
    rows = Event.objects.filter(source__in=m.sources.all(), occurred_on__gte=period.start, occurred_on__lte=period.end)
    if m.categories.exists():
        rows = rows.filter(category__in=m.categories.all())
    return rows


@pytest.fixture
def crowded(demo, db):
    """The demo plus 900 police cases (a third of them within ~50 m of one place) from July 2024 to December
    2025: enough events for the map's Gi* hot spots, which the small demo alone is too thin for."""
    from observatorio.records import snapshot
    from observatorio.records.models import Event

    rng = np.random.default_rng(7)
    seen = list(events_of("casos-policiales", Period(dt.date(2023, 1, 1), dt.date(2026, 12, 31))).filter(
        lon__isnull=False, outside=False).values_list("source_id", "category_id", "lon", "lat"))
    assert seen
    src, cat, lon0, lat0 = seen[0]
    days = (dt.date(2025, 12, 31) - dt.date(2024, 7, 1)).days
    rows = []
    for i in range(900):
        _s, c, lon, lat = seen[rng.integers(len(seen))] if i % 3 else (src, cat, lon0, lat0)
        jitter = 0.0005 if i % 3 == 0 else 0.001
        rows.append(Event(source_id=src, category_id=c, occurred_on=dt.date(2024, 7, 1) + dt.timedelta(
            days=int(rng.integers(days))), lon=lon + rng.uniform(-jitter, jitter),
            lat=lat + rng.uniform(-jitter, jitter)))
    Event.objects.bulk_create(rows)
    snapshot.bump()  # what every writer of events does: the next state reads them
    holder.reset()
    yield holder.current()
    holder.reset()


def measure(code):
    from observatorio.records.models import Measure

    return Measure.objects.get(code=code)


def test_measure_counts_as_the_database_with_area_and_hours(st, people):
    from observatorio.territory.models import Area

    oct25 = month(2025, 10)
    ind = make_indicator(people["unit"], numerator="medida", numerator_measure=measure("llamados-1461"),
                         numerator_options={"hours": [20, 6]}, denominator="medida",
                         denominator_measure=measure("llamados-1461"), kind="proportion", factor=100)
    rows = events_of("llamados-1461", oct25)
    night = [t for t in rows.values_list("occurred_time", flat=True) if t is not None and (t.hour >= 20 or t.hour < 6)]
    sides = formulas.compute(ind, oct25, state=st)
    assert (sides.numerator, sides.denominator) == (len(night), rows.count())
    assert 0 < sides.numerator < sides.denominator and sides.data_version == st.events.version
    uv = Area.objects.get(code="13122-UV03")
    assert formulas.compute(ind, YEAR, uv, state=st).denominator == events_of("llamados-1461", YEAR).filter(
        area=uv).count()


def test_categories_by_code_and_family(st, people):
    from observatorio.records.models import Category

    family = Category.objects.get(code="familia-robos-violentos")
    codes = list(family.children.values_list("code", flat=True))
    expected = events_of("casos-policiales", YEAR).filter(category__code__in=codes).count()
    assert expected > 0
    assert formulas.count(st, "casos-policiales", YEAR, None, {"categories": ["familia-robos-violentos"]}) == expected
    assert formulas.count(st, "casos-policiales", YEAR, None, {"categories": codes}) == expected


def test_median_of_an_event_attribute(st, people):
    oct25 = month(2025, 10)
    ind = make_indicator(people["unit"], numerator="medida-mediana", numerator_measure=measure("llamados-1461"),
                         numerator_options={"attribute": "minutos_llegada"}, polarity="lower_is_better",
                         unit_label="minutos")
    values = [float(a["minutos_llegada"]) for a in events_of("llamados-1461", oct25).values_list(
        "attributes", flat=True) if "minutos_llegada" in a]
    assert values
    assert formulas.compute(ind, oct25, state=st) == formulas.Sides(median(values), 1.0, st.events.version)


def test_repeat_counts_the_events_of_persons_seen_more_than_once(st, people):
    from observatorio.records.models import Event

    # Five of the year's cases made two persons' (the snapshot does not hold the keys: only the database does).
    ids = list(events_of("casos-vif", YEAR).order_by("id").values_list("id", flat=True)[:5])
    assert len(ids) == 5
    for event_id, key in zip(ids, ("k1", "k1", "k2", "k2", "k2")):
        Event.objects.filter(id=event_id).update(victim_key=key * 32)
    keys = [k for k in events_of("casos-vif", YEAR).values_list("victim_key", flat=True) if k]
    expected = sum(n for n in Counter(keys).values() if n > 1)
    assert expected >= 5
    ind = make_indicator(people["unit"], numerator="repeticion", numerator_measure=measure("casos-vif"),
                         denominator="medida", denominator_measure=measure("casos-vif"), kind="proportion", factor=100)
    sides = formulas.compute(ind, YEAR, state=st)
    assert sides.numerator == expected and sides.denominator == events_of("casos-vif", YEAR).count()


def test_measure_in_hotspots_matches_the_map_cells_worked_out_apart(crowded, people):
    st = crowded
    from observatorio.analysis.projection import to_metres
    from observatorio.dashboard.layers.base import GI_CELL

    period = Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    spots = formulas.hotspots(st, "casos-policiales", period.start)
    assert spots.end == dt.date(2025, 6, 30) and spots.start == dt.date(2024, 7, 1)
    assert spots.hot is not None and 0 < spots.cells < spots.hot.size
    grid, _ = spots.territory.grid(GI_CELL)
    rows = events_of("casos-policiales", period).filter(lon__isnull=False, lat__isnull=False, outside=False)
    lon, lat = np.array(list(rows.values_list("lon", "lat")), dtype=float).T
    x, y, _ = to_metres(lon, lat, spots.territory.epsg)
    flat = grid.flat_index(x, y)
    expected = int(np.count_nonzero(spots.hot[flat[flat >= 0]]))
    assert formulas.in_hotspots(st, "casos-policiales", period) == expected
    assert 0 < expected < rows.count()


def test_programme_terms_by_hand(st, people):
    from observatorio.programmes.models import Activity, Beneficiary, Programme
    from observatorio.territory.models import Area

    uv = Area.objects.get(code="13122-UV03")
    prog = Programme.objects.create(code="p", name="P", unit=people["unit"], start=dt.date(2025, 1, 1), spent=1500000)
    for day, hours, people_n, area in ((dt.date(2025, 3, 2), 2.5, 10, uv), (dt.date(2025, 3, 20), 1, 4, None),
                                      (dt.date(2025, 4, 1), 3, 7, uv)):
        Activity.objects.create(programme=prog, title="a", date=day, hours=hours, participants=people_n, area=area)
    Beneficiary.objects.create(programme=prog, person_key="a" * 64, first_served=dt.date(2025, 3, 5), area=uv)
    Beneficiary.objects.create(programme=prog, person_key="b" * 64, first_served=dt.date(2025, 2, 5))
    march = month(2025, 3)

    made = iter(range(100))

    def term(t, period=march, area=None):
        ind = make_indicator(people["unit"], code=f"t{next(made)}", programme=prog, numerator=t)
        return formulas.compute(ind, period, area, state=st).numerator

    assert (term("actividades"), term("horas"), term("participantes"), term("beneficiarios")) == (2, 3.5, 14, 1)
    assert (term("actividades", area=uv), term("participantes", YEAR, uv), term("beneficiarios", YEAR)) == (1, 17, 2)
    assert term("gasto") == 1500000


def test_activities_in_hotspots_counts_the_points_in_hot_cells(crowded, people):
    st = crowded
    from observatorio.analysis.projection import to_lonlat
    from observatorio.dashboard.layers.base import GI_CELL
    from observatorio.programmes.models import Activity, Programme

    period = Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    spots = formulas.hotspots(st, "casos-policiales", period.start)
    assert spots.hot is not None and 0 < spots.cells < spots.hot.size
    grid, inside = spots.territory.grid(GI_CELL)
    xs, ys = grid.centres()
    hot_cell = int(np.flatnonzero(spots.hot)[0])
    cold_cell = int(np.flatnonzero(~spots.hot & inside.ravel())[0])
    prog = Programme.objects.create(code="patrol", name="Patrullaje", unit=people["unit"], start=dt.date(2025, 1, 1))
    for cell in (hot_cell, hot_cell, cold_cell):
        lon, lat = to_lonlat(np.array([xs.ravel()[cell]]), np.array([ys.ravel()[cell]]), spots.territory.epsg)
        Activity.objects.create(programme=prog, title="ronda", date=dt.date(2025, 8, 1), lon=float(lon[0]),
                                lat=float(lat[0]))
    Activity.objects.create(programme=prog, title="sin punto", date=dt.date(2025, 8, 2))
    ind = make_indicator(people["unit"], programme=prog, numerator="actividades-en-focos", denominator="actividades",
                         kind="proportion", factor=100)
    sides = formulas.compute(ind, period, state=st)
    assert (sides.numerator, sides.denominator) == (2, 4)


def test_population_of_an_area_and_of_the_comuna(st, people):
    from observatorio.territory.models import Area, Demography

    uv = Area.objects.get(code="13122-UV03")
    own = Demography.objects.filter(area=uv, year__lte=2025).order_by("-year").first()
    ind = make_indicator(people["unit"], numerator="medida", numerator_measure=measure("casos-policiales"),
                         denominator="poblacion", kind="rate", factor=100000)
    sides = formulas.compute(ind, YEAR, uv, state=st)
    assert sides.denominator == own.population
    comuna = formulas.compute(ind, YEAR, state=st).denominator
    assert comuna > own.population


def test_entered_sides_are_none_and_describe_in_words(people):
    ind = make_indicator(people["unit"], numerator="ingresado", numerator_label="Llamados atendidos en menos de 15 min",
                         denominator="ingresado", denominator_label="llamados", factor=100, kind="proportion")
    assert formulas.compute(ind, month(2025, 1)) == formulas.Sides(None, None, None)
    assert formulas.describe(ind) == "Llamados atendidos en menos de 15 min / llamados × 100"
    rate = make_indicator(people["unit"], code="rate", numerator="medida", numerator_measure=measure_or_none(),
                          denominator="poblacion", factor=100000, kind="rate")
    assert formulas.describe(rate).endswith("Población del área × 100.000")


def measure_or_none():
    from observatorio.records.models import Measure

    return Measure.objects.first()
