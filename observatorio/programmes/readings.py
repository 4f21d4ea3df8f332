"""What an indicator says, period by period: value, interval, traffic light, trend, late flags and the XmR chart.

The statistics are :func:`observatorio.analysis.indicator.assess` (Byar's / exact Poisson intervals for rates
and counts, Wilson's for proportions, none for entered values; status from the whole interval against the
target, on unrounded values) and :func:`observatorio.analysis.xmr.xmr` (limits from 12 points). This module only
gathers the numbers: stored measurements first; a computed indicator's closed period with nothing stored yet is
computed on the fly (:func:`observatorio.programmes.formulas.compute`), not stored.

*Late* (docs/decisions.md): an indicator that the unit enters has a period whose measurement is missing (no row,
or a side still empty) after :func:`~observatorio.programmes.periods.due` — ``late_after_days`` days after the
period ends. Computed indicators are never late; a period not yet due is only missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from observatorio.analysis.indicator import Kind, Polarity, Status, Trend, assess
from observatorio.analysis.xmr import XmR, xmr

from . import formulas
from .models import Measurement, Target
from .periods import Period, due, period_containing, periods_of

XMR_POINTS = 12


@dataclass(frozen=True)
class IndicatorReading:
    indicator_id: int
    period: Period
    area_id: int | None
    numerator: float | None
    denominator: float | None
    value: float | None
    lower: float | None
    upper: float | None
    target: float | None
    status: Status
    trend: Trend | None
    late: bool
    origin: str | None
    """The measurement's origin; "calculada" also for a value computed on the fly; None: nothing yet."""
    approval: str | None
    measurement_id: int | None

    def as_dict(self) -> dict:
        return {"indicator": self.indicator_id, "period": self.period.label(), "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(), "area": self.area_id, "numerator": self.numerator,
                "denominator": self.denominator, "value": self.value, "lower": self.lower, "upper": self.upper,
                "target": self.target, "status": self.status.value,
                "trend": None if self.trend is None else self.trend.value, "late": self.late,
                "origin": self.origin, "approval": self.approval, "measurement": self.measurement_id}


def _area_id(area) -> int | None:
    return getattr(area, "pk", area)


def target_for(indicator, period: Period, area=None) -> float | None:
    """The target set for the period and area; an area without its own takes the comuna's when the indicator
    is a ratio (a rate or a share compares across areas; a count does not)."""
    if Polarity(indicator.polarity) is Polarity.NONE:
        return None
    area_id = _area_id(area)
    rows = Target.objects.filter(indicator=indicator, period_start=period.start, period_end=period.end)
    found = rows.filter(area_id=area_id).first() if area_id is not None else rows.filter(area__isnull=True).first()
    if found is None and area_id is not None and (indicator.denominator or "") != "":
        found = rows.filter(area__isnull=True).first()
    return None if found is None else float(found.value)


def is_late(indicator, period: Period, measurement, today: dt.date) -> bool:
    """Whether an entered measurement of ``period`` is missing after its due date."""
    if indicator.computed:
        return False
    complete = measurement is not None and measurement.numerator is not None and (
        measurement.denominator is not None or (indicator.denominator or "") == "")
    return not complete and today > due(period, indicator.late_after_days)


def _computed(indicator, periods, area_id, stored, today, state) -> dict:
    """The sides of a computed indicator's closed periods with nothing stored, computed together."""
    if not indicator.computed:
        return {}
    wanted = [p for p in periods if (p.start, p.end) not in stored and p.end < today]
    if not wanted:
        return {}
    return dict(zip(wanted, formulas.compute_periods(indicator, wanted, area_id, state=state), strict=True))


def _sides(indicator, period, area_id, stored, today, state, computed=None):
    m = stored.get((period.start, period.end))
    if m is not None:
        return m.numerator, m.denominator, m
    if indicator.computed and period.end < today:
        sides = (computed or {}).get(period) or formulas.compute(indicator, period, area_id, state=state)
        return sides.numerator, sides.denominator, None
    return None, None, None


def series(indicator, *, area=None, year: int | None = None, today=None, state=None) -> list[IndicatorReading]:
    """The year's periods that have begun by ``today`` (default: every period of the year when it is past)."""
    return series_by_area(indicator, [area], year=year, today=today, state=state)[_area_id(area)]


def series_by_area(indicator, areas, *, year: int | None = None, today=None, state=None
                   ) -> dict[int | None, list[IndicatorReading]]:
    """:func:`series` for each of ``areas`` (Areas, ids, or None for the comuna), keyed by area id: the same
    readings, with the measurements and targets of all the areas read in one query each."""
    today = today or dt.date.today()
    year = year or today.year
    ids = list(dict.fromkeys(_area_id(a) for a in areas))
    periods = [p for p in periods_of(indicator.periodicity, year) if p.start <= today]
    if not periods:
        return {area_id: [] for area_id in ids}
    before = period_containing(indicator.periodicity, periods[0].start - dt.timedelta(days=1))
    stored_by_area = _stored_by_area(indicator, ids, before.start, periods[-1].end)
    targets = {(t.period_start, t.period_end, t.area_id): t.value for t in Target.objects.filter(
        indicator=indicator, period_start__gte=periods[0].start, period_end__lte=periods[-1].end)}
    found = {}
    for area_id in ids:
        stored = stored_by_area.get(area_id, {})
        computed = _computed(indicator, [before, *periods], area_id, stored, today, state)
        previous = _sides(indicator, before, area_id, stored, today, state, computed)[:2]
        out = []
        for period in periods:
            num, den, m = _sides(indicator, period, area_id, stored, today, state, computed)
            target = _target(indicator, targets, period, area_id)
            out.append(reading(indicator, period, area_id, num, den, target, previous, m,
                               is_late(indicator, period, m, today),
                               origin=m.origin if m is not None else ("calculada" if num is not None else None)))
            previous = (num, den)
        found[area_id] = out
    return found


def _stored_by_area(indicator, area_ids: list, start: dt.date, end: dt.date) -> dict:
    """area id → {(period start, end): the stored measurement} of that area, in one query."""
    from django.db.models import Q

    wanted = Q(area_id__in=[a for a in area_ids if a is not None])
    if None in area_ids:
        wanted |= Q(area__isnull=True)
    out: dict = {}
    for m in Measurement.objects.filter(wanted, indicator=indicator, period_start__gte=start, period_end__lte=end):
        out.setdefault(m.area_id, {})[(m.period_start, m.period_end)] = m
    return out


def _target(indicator, targets: dict, period: Period, area_id) -> float | None:
    if Polarity(indicator.polarity) is Polarity.NONE:
        return None
    found = targets.get((period.start, period.end, area_id))
    if found is None and area_id is not None and (indicator.denominator or "") != "":
        found = targets.get((period.start, period.end, None))
    return found


def reading(indicator, period: Period, area_id, numerator, denominator, target, previous, measurement, late: bool,
            origin: str | None = None) -> IndicatorReading:
    """One period's reading: :func:`observatorio.analysis.indicator.assess` of the sides against the target."""
    kind = Kind(indicator.kind)
    if (indicator.denominator or "") == "" and numerator is not None and denominator is None:
        denominator = 1.0
    prev = tuple(previous) if previous is not None and None not in previous else None
    r = assess(numerator, denominator, factor=indicator.factor, kind=kind, polarity=Polarity(indicator.polarity),
               target=target, previous=prev)
    # No value: no trend; a value without the previous period's: a trend that cannot be tested.
    trend = None if numerator is None else (r.trend if prev is not None else Trend.NOT_TESTABLE)
    return IndicatorReading(indicator.pk, period, area_id, numerator, denominator, r.value, r.lower, r.upper,
                            target, r.status, trend, late, origin,
                            None if measurement is None else measurement.approval,
                            None if measurement is None else measurement.pk)


def latest(indicator, *, area=None, today=None, state=None) -> IndicatorReading | None:
    """The most recent period with a value (this year or last), else the most recent period at all."""
    today = today or dt.date.today()
    found = None
    for year in (today.year - 1, today.year):
        for r in series(indicator, area=area, year=year, today=today, state=state):
            if r.value is not None or found is None or found.value is None:
                found = r
    return found


def history(indicator, *, area=None) -> list[tuple[Period, float]]:
    """Every stored measurement with a value, oldest first (the XmR chart's points)."""
    area_id = _area_id(area)
    rows = Measurement.objects.filter(indicator=indicator)
    rows = rows.filter(area_id=area_id) if area_id is not None else rows.filter(area__isnull=True)
    out = []
    for m in rows.order_by("period_start"):
        value = _value(indicator, m.numerator, m.denominator)
        if value is not None:
            out.append((Period(m.period_start, m.period_end), value))
    return out


def _value(indicator, numerator, denominator) -> float | None:
    from observatorio.analysis.indicator import evaluate

    if (indicator.denominator or "") == "" and denominator is None:
        denominator = 1.0
    return evaluate(numerator, denominator, indicator.factor)


def control_chart(indicator, *, area=None) -> XmR | None:
    """The XmR chart of the stored values (limits from the first 12); None with fewer than 12 points."""
    points = history(indicator, area=area)
    if len(points) < XMR_POINTS:
        return None
    return xmr([v for _p, v in points], baseline=XMR_POINTS)
