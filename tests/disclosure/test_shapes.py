"""The dashboard's shapes protected: what goes with a suppressed count (its change, p-value, test)."""

from __future__ import annotations

import datetime as dt

from observatorio.analysis.compare import Verdict
from observatorio.dashboard import engine
from observatorio.disclosure import policy, shapes
from observatorio.records.links import LinkSummary

G = policy.Guard(5)
DAY = dt.date(2026, 11, 1)


def comparison(count, current):
    return engine.Comparison(DAY, DAY, count, current - count, 10.0, 0.01, Verdict.UP, current + count)


def test_a_small_side_hides_the_comparison_but_not_the_other_side():
    h = engine.Headline(DAY, DAY, 28, 40, 40 / 28, 1000, 40.0, comparison(3, 40), comparison(30, 40))
    shown = shapes.headline(h, G)
    assert shown.count == 40 and shown.rate == 40.0
    prev = shown.previous
    assert prev.count is None and prev.change is None and prev.p_value is None and prev.events is None
    assert prev.outcome == engine.FEW_EVENTS and prev.as_dict()["test_verdict"] == Verdict.NO_CHANGE.value
    assert shown.last_year == h.last_year


def test_a_small_headline_hides_its_rate_and_every_comparison():
    h = engine.Headline(DAY, DAY, 28, 2, 2 / 28, 1000, 2.0, comparison(30, 2), comparison(0, 2))
    shown = shapes.headline(h, G)
    assert shown.count is None and shown.rate is None and shown.per_day is None
    assert shown.previous.count == 30 and shown.previous.change is None
    assert shown.last_year.count == 0 and shown.last_year.p_value is None


def test_linked_events_are_left_out_when_any_part_is_small():
    assert shapes.link_summary(LinkSummary(100, 3), G) is None
    assert shapes.link_summary(LinkSummary(100, 98), G) is None
    assert shapes.link_summary(LinkSummary(100, 40), G) == LinkSummary(100, 40)
    assert shapes.link_summary(LinkSummary(100, 3), None) == LinkSummary(100, 3)


def test_the_policy_reads_the_scope_and_the_measure():
    from observatorio.records.catalog import Catalog
    from observatorio.records.measures import MeasureDef

    def measure(sources, sensitive=False, categories=()):
        return MeasureDef(1, "m", "m", "u", "count", sources, categories, "single", None, "", 0, 0, None,
                          sensitive, "")

    catalog = Catalog((), ((10, "familia-sexuales", "Sexuales"),), (), {}, {"familia-sexuales": 10},
                      {"familia-sexuales": (11, 12)}, {})
    assert policy.guard_for((), measure((1,)), catalog) is None  # analyst
    assert policy.guard_for((1, 2), measure((1,)), catalog) is None  # operator, own source
    assert policy.guard_for((1,), measure((1, 2)), catalog) is not None  # operator, a source not theirs
    assert policy.guard_for(None, measure((1,)), catalog) is not None  # authority
    assert policy.guard_for(None, measure((1,), sensitive=True), catalog).sensitive
    assert policy.guard_for(None, measure((1,)), catalog, categories=(11, 12)).sensitive
    assert not policy.guard_for(None, measure((1,)), catalog, categories=(11, 30)).sensitive
