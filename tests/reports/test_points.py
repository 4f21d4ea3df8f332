"""Main points from facts (reports/points.py): a change only where the engine's verdict is one, few events said
as such, a withheld figure never written, the periods and areas named in both languages."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from observatorio.reports import points
from observatorio.reports.facts import AreaFact, Change, CountFact
from observatorio.reports.points import EmergingFact, HotspotFact, RankFact

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOV_2025 = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))


def fact(count, before, p, outcome, family="", last_year=None):
    prev = Change(*OCT, before, None if count is None or before is None else count - before, None, p, outcome)
    last = last_year or Change(*NOV_2025, 100, 0, 0.0, 0.99, "no_change")
    return CountFact("casos-policiales", "Casos policiales", "casos", *NOV, count, prev, last, family)


def test_a_significant_fall_is_claimed_with_its_numbers():
    f = fact(86, 100, 0.004, "down", family="Robos con violencia o intimidación")
    es = points.change_points(f, f.previous, "es", min_events=10)
    assert es == ["Los casos de robos con violencia o intimidación bajaron 14 % en noviembre de 2026 respecto de "
                  "octubre de 2026 (de 100 a 86 casos; p < 0,01)."]
    en = points.change_points(f, f.previous, "en", min_events=10)
    assert en == ["Cases of “Robos con violencia o intimidación” fell by 14% in November 2026 compared with "
                  "October 2026 (from 100 to 86 cases; p < 0.01)."]


def test_a_change_the_test_does_not_support_reads_as_stable():
    f = fact(86, 100, 0.31, "no_change")
    (sentence,) = points.change_points(f, f.previous, "es", min_events=10)
    assert "se mantuvo estable" in sentence and "no significativa" in sentence and "p = 0,31" in sentence
    assert "bajó" not in sentence
    # a small p-value resting on too few events claims nothing either
    few = fact(7, 1, 0.03, "few_events")
    (sentence,) = points.change_points(few, few.previous, "es", min_events=10)
    assert "muy pocos eventos (8; se necesitan 10)" in sentence and "subió" not in sentence
    # a verdict whose direction the counts contradict (rates per day over months of unequal length) claims nothing
    odd = fact(100, 101, 0.01, "up")
    assert "estable" in points.change_points(odd, odd.previous, "es", min_events=10)[0]


def test_a_withheld_count_is_never_written():
    for hidden in (fact(None, 100, 0.5, "no_change"), fact(3, None, 0.5, "no_change")):
        (sentence,) = points.change_points(hidden, hidden.previous, "es", min_events=10)
        assert sentence.startswith("Las cifras de casos policiales en noviembre de 2026 y octubre de 2026 se "
                                   "reservan")
        assert not any(ch.isdigit() for ch in sentence.replace("2026", ""))
    rank = RankFact("uv", "casos", *NOV, (("UV 1", 40), ("UV 2", None), ("UV 3", 12), ("UV 4", 0)))
    assert points.rank_points(rank, "es") == [
        "Las unidades vecinales con más casos en noviembre de 2026 fueron UV 1 (40) y UV 3 (12)."]
    assert points.rank_points(RankFact("uv", "casos", *NOV, (("UV 1", None),)), "es") == [
        "Las cifras por unidad vecinal en noviembre de 2026 se reservan por las reglas de confidencialidad."]


def test_a_window_compared_twice_is_written_once():
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    same = Change(*year, 100, 20, 20.0, 0.2, "no_change")
    f = CountFact("casos-policiales", "Casos policiales", "casos", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 120,
                  same, same)
    (sentence,) = points.count_points(f, "es", min_events=10)
    assert "en 2026 respecto de 2025" in sentence


def test_areas_after_fdr():
    areas = [AreaFact("1", "UV 1", 30, 10, 200.0, 0.001, "up"), AreaFact("2", "UV 2", 5, 25, -80.0, 0.01, "down"),
             AreaFact("3", "UV 3", 20, 8, 150.0, 0.02, "up")]
    assert points.area_points(areas, level="uv", previous="noviembre de 2025", lang="es") == [
        "Frente a noviembre de 2025, 2 unidades vecinales subieron significativamente tras controlar la tasa de "
        "falsos descubrimientos: UV 1 (de 10 a 30) y UV 3 (de 8 a 20).",
        "Frente a noviembre de 2025, una unidad vecinal bajó significativamente tras controlar la tasa de falsos "
        "descubrimientos: UV 2 (de 25 a 5)."]
    assert points.area_points([], level="macrosector", previous="2025", lang="es") == [
        "Ningún macrosector cambió significativamente frente a 2025 tras controlar la tasa de falsos "
        "descubrimientos."]


def test_hotspots_and_emerging_sentences():
    hot = HotspotFact("casos", *NOV, 100, 2400, 600, 37, ("UV 5", "UV 2"))
    assert points.hotspot_points(hot, "es") == [
        "En noviembre de 2026, 37 celdas de 100 m son puntos calientes de casos (Gi*, confianza de 90 % o más con "
        "corrección FDR), sobre todo en UV 5 y UV 2."]
    few = HotspotFact("casos", *NOV, 100, 25, 600, None)
    assert "se necesitan al menos 600" in points.hotspot_points(few, "es")[0]
    withheld = points.hotspot_points(HotspotFact("casos", *NOV, 100, None, 600, None), "es")[0]
    assert "menos de 600 casos ubicados" in withheld and not any(c.isdigit() for c in withheld.replace("600", "")
                                                                 .replace("2026", "").replace("100", ""))
    assert "algún mes tiene menos" in points.emerging_points(EmergingFact(*NOV, 12, None, 335, None, None), "es")[0]
    e = EmergingFact(*NOV, 12, 400, 335, 4, 1, ("UV 7",))
    assert points.emerging_points(e, "en") == [
        "Over the 12 months to November 2026, 4 cells are new hot spots and one cell is an intensifying hot spot, "
        "mostly in UV 7."]
    assert "no aparecen" in points.emerging_points(EmergingFact(*NOV, 12, 400, 335, 0, 0), "es")[0]


@pytest.mark.parametrize("start,end,es,en", [
    (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "febrero de 2026", "February 2026"),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025", "2025"),
    (dt.date(2026, 11, 1), dt.date(2026, 11, 15), "el período del 01-11-2026 al 15-11-2026",
     "the period 2026-11-01 to 2026-11-15"),
])
def test_period_labels(start, end, es, en):
    assert (points.period_label(start, end, "es"), points.period_label(start, end, "en")) == (es, en)


def test_where_a_significant_change_concentrates_and_never_a_withheld_area():
    from observatorio.reports.facts import AreaPart

    where = (AreaPart("Macrosector Oriente", -11), AreaPart("Macrosector Centro", -2), AreaPart("Macrosector Sur", 1),
             AreaPart("", -2, True))
    prev = Change(*OCT, 100, -14, -14.0, 0.004, "down", where)
    f = CountFact("casos-policiales", "Casos policiales", "casos", *NOV, 86, prev, prev)
    first, second = points.change_points(f, prev, "es", min_events=10)
    assert first.startswith("La cifra de casos policiales bajó 14 %")
    assert second == "La baja se concentra en Macrosector Oriente (73 % de la disminución)."
    hidden = replace(prev, where=(AreaPart("Macrosector Oriente", -11, True),) + where[1:])
    assert len(points.change_points(replace(f, previous=hidden), hidden, "es", min_events=10)) == 1
    stable = replace(prev, p_value=0.2, outcome="no_change")
    assert len(points.change_points(replace(f, previous=stable), stable, "es", min_events=10)) == 1
