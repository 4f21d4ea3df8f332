"""The scorecard table (programmes/scorecard.py) from hand-made readings: placement, statuses, arrows, counts."""

from __future__ import annotations

import datetime as dt

from observatorio.analysis.indicator import Status, Trend
from observatorio.programmes import scorecard as sc
from observatorio.programmes.periods import Period, periods_of
from observatorio.programmes.readings import IndicatorReading


def _reading(indicator_id, start, end, value, status, trend=None, target=70.0, late=False, area_id=None):
    return IndicatorReading(indicator_id, Period(start, end), area_id, value, 100.0, value, value, value, target,
                            status, trend, late, "ingresada", "ingresada", None)


def _quarters(year=2025):
    return [sc.Column(f"p{n}", q.label(), start=q.start, end=q.end) for n, q in enumerate(periods_of("trimestral", year), 1)]


def test_a_monthly_indicator_shows_its_last_month_of_each_quarter_and_a_yearly_one_only_at_the_end():
    columns = _quarters()
    monthly = [_reading(1, m.start, m.end, 60.0 + i, Status.NOT_MET if i < 6 else Status.MEETS)
               for i, m in enumerate(periods_of("mensual", 2025))]
    yearly = [_reading(2, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 5.0, Status.UNCERTAIN,
                       trend=Trend.IMPROVING, target=5.0)]
    specs = [sc.RowSpec(1, "a", "Atendidos a tiempo", "%", "higher_is_better", "Meta A"),
             sc.RowSpec(2, "b", "Tasa de robos", "por 1.000", "lower_is_better", "Meta B")]
    table = sc.build(specs, columns, {1: sc.place_by_period(monthly, columns), 2: sc.place_by_period(yearly, columns)})
    first, second = table.rows
    assert [c.value for c in first.cells] == [62.0, 65.0, 68.0, 71.0]  # March, June, September, December
    assert [c.status for c in first.cells] == [Status.NOT_MET, Status.NOT_MET, Status.MEETS, Status.MEETS]
    assert [c.status for c in second.cells] == [Status.NOT_ENOUGH_DATA] * 3 + [Status.UNCERTAIN]
    assert second.cells[-1].arrow == sc.DOWN  # improving, lower is better: the value went down
    assert [g for g, _rows in table.groups] == ["Meta A", "Meta B"]
    assert table.counts[Status.MEETS] == 2 and table.counts[Status.NOT_MET] == 2
    assert table.counts[Status.UNCERTAIN] == 1 and table.counts[Status.NOT_ENOUGH_DATA] == 3
    assert table.counts[Status.NO_TARGET] == 0


def test_area_columns_take_each_areas_reading_and_rows_keep_their_goal():
    columns = [sc.Column("a", "Comuna", area_id=None), sc.Column("a7", "Macrosector 7", area_id=7, drill=True)]
    readings = {None: _reading(1, dt.date(2025, 12, 1), dt.date(2025, 12, 31), 80.0, Status.MEETS),
                7: _reading(1, dt.date(2025, 12, 1), dt.date(2025, 12, 31), 50.0, Status.NOT_MET, area_id=7,
                            trend=Trend.WORSENING, late=True)}
    spec = sc.RowSpec(1, "a", "Atendidos a tiempo", "%", "higher_is_better", "Meta A")
    table = sc.build([spec], columns,
                     {1: sc.place_by_area(readings, columns)})
    row = table.rows[0]
    assert [c.value for c in row.cells] == [80.0, 50.0]
    assert row.cells[1].late and row.cells[1].arrow == sc.DOWN and row.cells[1].trend is Trend.WORSENING
    assert table.columns[1].drill


def test_arrows_follow_the_direction_of_change_not_its_meaning():
    assert sc.arrow(Trend.IMPROVING, "higher_is_better") == sc.UP
    assert sc.arrow(Trend.WORSENING, "higher_is_better") == sc.DOWN
    assert sc.arrow(Trend.WORSENING, "lower_is_better") == sc.UP
    assert sc.arrow(Trend.DECREASING, "none") == sc.DOWN
    assert sc.arrow(Trend.NO_CHANGE, "lower_is_better") == sc.FLAT
    assert sc.arrow(None, "none") == "" and sc.arrow(Trend.NOT_TESTABLE, "none") == ""


def test_a_missing_reading_is_not_enough_data():
    table = sc.build([sc.RowSpec(9, "z", "Z", "", "none", "G")], _quarters(), {})
    assert all(c.status is Status.NOT_ENOUGH_DATA and c.reading is None for c in table.rows[0].cells)
