"""The demo's programmes: logical frameworks, 20+ indicators over the four dimensions, two years of measurements
with late ones, unmet targets and a real special-cause signal, goals and subscriptions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from observatorio.demo.programmes import LATE, LATE_MONTHS, MONTHS, SHIFTED

pytestmark = pytest.mark.django_db


def test_programmes_and_their_logical_frameworks(demo):
    from observatorio.programmes.models import Activity, Beneficiary, Programme

    progs = {p.code: p for p in Programme.objects.all()}
    assert set(progs) == {"central-1461", "patrullaje-preventivo", "parentalidad-positiva", "ciudadania-deportiva",
                          "construyendo-a-tiempo"}
    assert progs["patrullaje-preventivo"].place_based and progs["patrullaje-preventivo"].target_areas.exists()
    for p in progs.values():
        levels = [o.level for o in p.objectives.all()]
        assert {"fin", "proposito", "componente", "actividad"} <= set(levels)
        assert 2 <= levels.count("componente") <= 3
        assert all(o.verification and o.assumptions for o in p.objectives.all())
        assert p.budget and p.spent and p.spent <= p.budget
        assert p.activities.exists()
    assert Activity.objects.filter(lon__isnull=True, area__isnull=False).exists()  # some by area only
    keys = list(Beneficiary.objects.values_list("person_key", flat=True))
    assert len(keys) > 100 and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


def test_indicators_cover_dimensions_and_scopes(demo):
    from observatorio.programmes.models import Indicator

    inds = list(Indicator.objects.all())
    assert len(inds) >= 20
    assert {i.dimension for i in inds} == {"eficacia", "eficiencia", "economia", "calidad"}
    assert {i.scope for i in inds} == {"proceso", "producto", "resultado"}
    assert sum(i.computed for i in inds) >= 8 and sum(not i.computed for i in inds) >= 8
    assert sum(i.targets.exists() for i in inds) >= 15


def test_two_years_of_entered_measurements_with_late_ones(demo):
    from observatorio.audit.models import AuditEntry
    from observatorio.programmes.models import Indicator, Measurement
    from observatorio.programmes.readings import series

    for ind in Indicator.objects.all():
        if ind.computed:
            assert not ind.measurements.exists()
            continue
        expected = MONTHS - LATE_MONTHS if ind.code in LATE else MONTHS
        assert ind.measurements.count() == expected, ind.code
        assert ind.measurements.filter(approval="aprobada").count() == expected - 1
    assert AuditEntry.objects.filter(action="medicion").count() >= Measurement.objects.count()
    late = Indicator.objects.get(code=LATE[0])
    last = Measurement.objects.filter(indicator__code=SHIFTED).latest("period_start")
    today = last.period_end + dt.timedelta(days=40)
    readings = series(late, year=last.period_start.year, today=today)
    assert any(r.late for r in readings)


def test_some_targets_are_not_met(demo):
    from observatorio.analysis.indicator import Status
    from observatorio.programmes.models import Indicator, Measurement
    from observatorio.programmes.readings import series

    last = Measurement.objects.filter(indicator__code=SHIFTED).latest("period_start")
    statuses = set()
    for ind in Indicator.objects.filter(numerator="ingresado"):
        statuses |= {r.status for r in series(ind, year=last.period_start.year, today=last.period_end)}
    assert Status.NOT_MET in statuses and Status.MEETS in statuses


def test_the_shifted_series_shows_a_special_cause(demo):
    from observatorio.analysis.xmr import Rule
    from observatorio.programmes.models import Indicator
    from observatorio.programmes.readings import control_chart

    chart = control_chart(Indicator.objects.get(code=SHIFTED))
    assert chart is not None and chart.enough
    assert all(Rule.SHIFT in s for s in chart.signals[-8:])
    assert not any(chart.signals[:12])
    others = [control_chart(i) for i in Indicator.objects.exclude(code=SHIFTED).filter(kind="proportion",
                                                                                     numerator="ingresado")]
    assert all(c is None or not any(Rule.SHIFT in s for s in c.signals) for c in others)


def test_goals_and_subscriptions(demo):
    from observatorio.programmes.models import Goal, Subscription

    years = sorted(set(Goal.objects.values_list("year", flat=True)))
    assert len(years) == 2 and years[1] == years[0] + 1
    assert all(g.indicators.count() >= 3 for g in Goal.objects.all())
    assert Subscription.objects.filter(indicator__code=SHIFTED, user__username="analista").exists()
    assert Subscription.objects.filter(user__username="autoridad", measure__code="casos-policiales").exists()
