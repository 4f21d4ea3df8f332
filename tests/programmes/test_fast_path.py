"""The fast path of the programmes' readings (sides kept per data state, an attribute read once per events version,
a programme's figures in one query for a whole series) gives exactly what the slow path gave: each side computed
alone, period by period, reading the database as the first version of formulas.py did."""

from __future__ import annotations

import datetime as dt
from statistics import median

import pytest

from observatorio import state as holder
from observatorio.programmes import formulas, readings
from observatorio.programmes.models import Term
from observatorio.programmes.periods import periods_of

from .conftest import make_indicator

YEAR = 2025
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def st(demo, db):
    holder.reset()
    yield holder.current()
    holder.reset()


def _median_slow(st, measure, period, area_id, options):
    """The first version: the selected events' ids, their attribute read from the database, the median."""
    from observatorio.records.models import Event

    ids = [int(i) for i in formulas._event_ids(st, formulas.filters(st, measure, period, area_id, options))]
    values = [formulas._number(v) for v in Event.objects.filter(id__in=ids).values_list(
        f"attributes__{options['attribute']}", flat=True)]
    values = [v for v in values if v is not None]
    return float(median(values)) if values else None


def slow_side(indicator, which, period, area_id, st):
    term = Term(getattr(indicator, which) or Term.NONE)
    measure = getattr(indicator, f"{which}_measure", None)
    options = getattr(indicator, f"{which}_options", None) or {}
    if term == Term.NONE:
        return 1.0
    if term in formulas.PROGRAMME_TERMS:
        return formulas.programme_figure(term, indicator.programme, period, area_id)
    if term == Term.POPULATION:
        return formulas.population(st, period, area_id)
    if term == Term.MEASURE:
        return float(formulas.count(st, measure.code, period, area_id, options))
    if term == Term.MEASURE_MEDIAN:
        return _median_slow(st, measure.code, period, area_id, options)
    raise AssertionError(term)


@pytest.fixture
def indicators(st, people):
    from observatorio.programmes.models import Activity, Beneficiary, Programme
    from observatorio.records.models import Measure
    from observatorio.territory.models import Area

    uvs = list(Area.objects.filter(level="uv").order_by("code")[:4])
    prog = Programme.objects.create(code="p", name="P", unit=people["unit"], start=dt.date(2024, 1, 1))
    for n in range(40):
        day = dt.date(2024, 12, 1) + dt.timedelta(days=9 * n)
        area = uvs[n % 4] if n % 5 else None
        Activity.objects.create(programme=prog, title=f"a{n}", date=day, hours=1.25 + n % 3, participants=n % 7,
                                area=area)
        if n % 2:
            Beneficiary.objects.create(programme=prog, person_key=f"{n:064d}", first_served=day, area=area)
    calls, cases = Measure.objects.get(code="llamados-1461"), Measure.objects.get(code="casos-policiales")
    unit = people["unit"]
    return [
        make_indicator(unit, code="noche", numerator="medida", numerator_measure=calls,
                       numerator_options={"hours": [20, 6]}, denominator="medida", denominator_measure=calls,
                       kind="proportion", factor=100),
        make_indicator(unit, code="llegada", numerator="medida-mediana", numerator_measure=calls,
                       numerator_options={"attribute": "minutos_llegada"}, polarity="lower_is_better"),
        make_indicator(unit, code="tasa", numerator="medida", numerator_measure=cases, denominator="poblacion",
                       kind="rate", factor=1000, periodicity="trimestral"),
        make_indicator(unit, code="horas", programme=prog, numerator="horas", denominator="actividades", kind="value"),
        make_indicator(unit, code="part", programme=prog, numerator="participantes", denominator="beneficiarios", kind="value"),
    ], [None, *[u.id for u in uvs], uvs[0].parent_id]


def test_series_equals_each_side_computed_alone(st, indicators):
    found, areas = indicators
    compared = 0
    for indicator in found:
        periods = periods_of(indicator.periodicity, YEAR)
        for area_id in areas:
            for attempt in ("cold", "warm"):
                fast = readings.series(indicator, area=area_id, year=YEAR, today=TODAY, state=st)
                assert [r.period for r in fast] == periods
                for reading, period in zip(fast, periods, strict=True):
                    expected = (slow_side(indicator, "numerator", period, area_id, st),
                                slow_side(indicator, "denominator", period, area_id, st))
                    assert (reading.numerator, reading.denominator) == expected, (
                        indicator.code, area_id, period, attempt)
                    compared += 1
    assert compared > 300
    # The comparison is not vacuous: counts, medians and programme figures vary across periods and areas.
    for indicator in found:
        values = {r.numerator for a in areas for r in readings.series(indicator, area=a, year=YEAR, today=TODAY)}
        assert len(values) > 2, indicator.code


def test_an_edited_indicator_is_not_served_a_kept_side(st, indicators):
    found, _areas = indicators
    night = found[0]
    period = periods_of("mensual", YEAR)[9]
    before = formulas.compute(night, period, state=st).numerator
    night.numerator_options = {"hours": [8, 12]}
    night.save()
    after = formulas.compute(night, period, state=st).numerator
    assert after != before
    assert after == slow_side(night, "numerator", period, None, st)


def test_compute_periods_equals_compute_one_by_one(st, indicators):
    found, areas = indicators
    for indicator in found[3:]:
        periods = periods_of(indicator.periodicity, YEAR)
        together = formulas.compute_periods(indicator, periods, areas[1], state=st)
        assert together == [formulas.compute(indicator, p, areas[1], state=st) for p in periods]


def test_series_by_area_equals_series_of_each_area(st, indicators, people):
    from observatorio.programmes import entry

    found, areas = indicators
    entered = make_indicator(people["unit"], code="entrada", numerator="ingresado", denominator="ingresado",
                             kind="proportion", factor=100)
    months = periods_of("mensual", YEAR)
    for n, area_id in enumerate(areas):
        for period in months[n:n + 3]:
            entry.enter(entered, period, area_id, 10 + n, 40, user=people["mario"])
    for indicator in [*found, entered]:
        together = readings.series_by_area(indicator, areas, year=YEAR, today=TODAY, state=st)
        assert list(together) == areas
        for area_id in areas:
            assert together[area_id] == readings.series(indicator, area=area_id, year=YEAR, today=TODAY, state=st)
    stored = readings.series_by_area(entered, areas, year=YEAR, today=TODAY, state=st)
    assert [r.numerator for r in stored[areas[2]][2:5]] == [12, 12, 12]
    assert stored[areas[2]][5].numerator is None and stored[None][0].numerator == 10
