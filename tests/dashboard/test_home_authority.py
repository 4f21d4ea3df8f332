"""The authority's home: per-family figures, areas that need attention, the comparison per 100,000 and the
sources' freshness, against figures counted by hand.

The data (cut at 15-03-2026, so the last full month is February 2026 and the year to date runs 01-01 to
15-03, both compared with the same days of 2025), all police cases (the default measure):

- Robos violentos: 20 in February 2026, all in UV 1; 5 in February 2025, in UV 1.
  20 against 5 over equal days is a binomial(25, ½) split: P(X ≥ 20) = (C(25,20) + … + C(25,25)) / 2^25 =
  68,406 / 33,554,432 = 0.00204, two-sided p = 0.00408 < 0.05: "sube", in the month and the year to date.
  UV 1 is the only UV with 10 or more events in the two Februaries, so Benjamini–Hochberg adjusts over one
  test and q = p: UV 1 "needs attention".
- Incivilidades: 3 in February 2026 and 2 in February 2025 (5 events: too few to conclude), in UV 3;
  5 in January 2026 and 4 in January 2025, and 1 on 15-03-2026 (the cut day), in UV 3: year to date 9
  against 6 (15 events), binomial(15, ½) two-sided p = 2 · 9,949 / 32,768 = 0.607: "sin cambio
  significativo".

CEAD (the measure's reference) and INE projections for six comunas, 2025 complete (2026 only January):

| CUT   | region | population 2025 | cases 2025     | per 100,000 |
| 13122 | 13     | 240,000         | 12 × 100 = 1,200 | 500.0     |
| 13101 | 13     | 500,000         | 12 × 500 = 6,000 | 1,200.0   |
| 13102 | 13     |  80,000         | 12 × 40 = 480    | 600.0     |
| 13103 | 13     | 130,000         | 12 × 50 = 600    | 461.5     |
| 13104 | 13     | 126,000         | 12 × 60 = 720    | 571.4     |
| 13105 | 13     | 160,000         | 12 × 80 = 960    | 600.0     |
| 5101  | 5      | 300,000         | 12 × 200 = 2,400 | 800.0     |

Region 13: 9,960 / 1,236,000 → 805.8; country: 12,360 / 1,536,000 → 804.7 (804.6875). Peers of
Peñalolén (240,000): the 5 of region 13 closest in population (dashboard/peers.py) are 13105 (80,000 away),
13103 (110,000), 13104 (114,000), 13102 (160,000), 13101 (260,000); together 8,760 / 996,000 → 879.5 (879.52…).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

AS_OF = dt.date(2026, 3, 15)
POPULATIONS = {"13122": 240_000, "13101": 500_000, "13102": 80_000, "13103": 130_000, "13104": 126_000,
               "13105": 160_000, "5101": 300_000}
MONTHLY = {"13122": 100, "13101": 500, "13102": 40, "13103": 50, "13104": 60, "13105": 80, "5101": 200}


def _events(source, category, days, area):
    from observatorio.records.models import Event

    return [Event(source=source, category=category, occurred_on=day, area=area, original_label=category.name,
                  precision="area") for day in days]


@pytest.fixture
def home(db):
    """The hand-counted data above, on tests/web/dataset.py's territory (its own events removed)."""
    from observatorio import state
    from observatorio.records.models import AggregateCount, Category, Event, PopulationProjection, Source
    from observatorio.records.snapshot import bump
    from observatorio.records.taxonomy import seed_taxonomy
    from tests.web.dataset import build_small_dataset

    seed_taxonomy()
    data = build_small_dataset()
    Event.objects.all().delete()
    stop = data.sources["stop"]
    robbery = Category.objects.get(code="robo-violencia")
    uncivil = Category.objects.get(code="desordenes")
    uv1, uv3 = data.areas["UV1"], data.areas["UV3"]
    feb26 = [dt.date(2026, 2, 1 + d) for d in range(20)]
    feb25 = [dt.date(2025, 2, 3 + d) for d in range(5)]
    Event.objects.bulk_create(
        _events(stop, robbery, feb26, uv1) + _events(stop, robbery, feb25, uv1)
        + _events(stop, uncivil, [dt.date(2026, 2, 10 + d) for d in range(3)], uv3)
        + _events(stop, uncivil, [dt.date(2025, 2, 10 + d) for d in range(2)], uv3)
        + _events(stop, uncivil, [dt.date(2026, 1, 5 + d) for d in range(5)], uv3)
        + _events(stop, uncivil, [dt.date(2025, 1, 5 + d) for d in range(4)], uv3)
        + _events(stop, uncivil, [AS_OF], uv3))  # the cut day: in the year to date, outside both months
    cead = Source.objects.create(code="cead", name="CEAD casos policiales", kind="cead")
    AggregateCount.objects.bulk_create(
        [AggregateCount(source=cead, area_code=cut, period_start=dt.date(2025, m, 1), original_label="Total",
                        count=n) for cut, n in MONTHLY.items() for m in range(1, 13)]
        + [AggregateCount(source=cead, area_code="13122", period_start=dt.date(2026, 1, 1),
                          original_label="Total", count=999)])
    PopulationProjection.objects.bulk_create(
        [PopulationProjection(area_code=cut, name=f"Comuna {cut}", year=2025, population=p)
         for cut, p in POPULATIONS.items()]
        + [PopulationProjection(area_code="13122", name="Peñalolén", year=2026, population=1)])
    bump()
    state.reset()
    yield data
    state.reset()


def _rows(families):
    return {r.code: r for r in families.rows}


def test_families_count_by_hand(home):
    from observatorio.dashboard import home_data
    from observatorio.state import current

    families = home_data.families(current(), AS_OF)
    assert families.month == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert families.month_before == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert families.ytd == (dt.date(2026, 1, 1), AS_OF)
    assert families.ytd_before == (dt.date(2025, 1, 1), dt.date(2025, 3, 15))
    rows = _rows(families)
    assert set(rows) == {"familia-robos-violentos", "familia-incivilidades"}  # families with no event left out
    robbery, uncivil = rows["familia-robos-violentos"], rows["familia-incivilidades"]
    assert (robbery.month, robbery.month_before, robbery.month_outcome) == (20, 5, "up")
    assert (robbery.ytd, robbery.ytd_before, robbery.ytd_outcome) == (20, 5, "up")
    assert (uncivil.month, uncivil.month_before, uncivil.month_outcome) == (3, 2, "few_events")
    assert (uncivil.ytd, uncivil.ytd_before, uncivil.ytd_outcome) == (9, 6, "no_change")
    assert (families.total.month, families.total.month_before) == (23, 7)
    assert robbery.month_label == "sube" and uncivil.month_label == "pocos eventos para concluir"


def test_the_exact_test_agrees_with_the_hand_computed_p(home):
    from scipy.stats import binomtest

    assert binomtest(20, 25, 0.5).pvalue == pytest.approx(2 * 68_406 / 2**25)
    assert 2 * 68_406 / 2**25 == pytest.approx(0.00408, abs=1e-5)
    assert binomtest(9, 15, 0.5).pvalue == pytest.approx(2 * 9_949 / 2**15)  # incivilidades' year to date


def test_areas_that_need_attention_are_the_significant_rises(home):
    from observatorio.dashboard import home_data
    from observatorio.dashboard.layers.base import territory
    from observatorio.state import current

    state = current()
    attention = home_data.attention(state, territory(state, state.as_of), AS_OF)
    assert attention.changes.tested == 1
    assert [(i.code, i.rise.count, i.rise.before) for i in attention.items] == [("UV1", 20, 5)]
    assert attention.items[0].rise.q_value == pytest.approx(2 * 68_406 / 2**25)
    # Three months of data: far too few events per quarter for emerging hotspots, and the page says so.
    assert attention.emerging_caution and attention.items[0].hotspots == ()


def test_comparison_per_100000_by_hand(home):
    from observatorio.dashboard import home_data
    from observatorio.state import current

    found = home_data.comparison(current())
    assert found.year == 2025 and found.source == "CEAD casos policiales"
    rates = {r.kind: r for r in found.rows if r.kind != "peer"}
    assert (rates["comuna"].cases, rates["comuna"].population, rates["comuna"].rate) == (1_200, 240_000, 500.0)
    assert (rates["region"].cases, rates["region"].population, rates["region"].comunas) == (9_960, 1_236_000, 6)
    assert rates["country"].rate == pytest.approx(804.6875)
    assert (rates["peers"].cases, rates["peers"].population) == (8_760, 996_000)
    assert [r.name for r in found.rows if r.kind == "peer"] == ["Comuna 13105", "Comuna 13103", "Comuna 13104",
                                                                "Comuna 13102", "Comuna 13101"]


def test_peers_are_the_closest_in_population_within_the_region():
    from observatorio.dashboard.peers import peers_of, region_of

    assert region_of("13122") == "13" and region_of("5101") == "5"
    assert peers_of("13122", POPULATIONS, 2) == ["13105", "13103"]
    # A tie in distance goes to the lower CUT; other regions never count.
    assert peers_of("13102", {"13102": 100, "13103": 110, "13101": 90, "5101": 100}, 1) == ["13101"]


def test_the_page_names_the_comuna_and_shows_each_family(home, as_user, personas):
    text = as_user(personas["bob"]).get(reverse("home")).content.decode()
    assert 'data-home="comuna">Peñalolén<' in text
    assert 'data-family="familia-robos-violentos"' in text and 'data-family="familia-incivilidades"' in text
    assert 'data-verdict="month">sube<' in text
    assert "Áreas que requieren atención" in text and "UV 1 Lo Hermida" in text
    assert ">500,0<" in text and ">804,7<" in text and ">879,5<" in text  # es-CL decimals
    assert "Frescura de las fuentes" in text and "Mis vistas" in text


def test_the_authority_reads_small_counts_as_reserved(home, as_user, personas):
    response = as_user(personas["ana"]).get(reverse("home"))
    families = response.context["families"]
    assert families.guarded
    uncivil = _rows(families)["familia-incivilidades"]
    # 3 and 2 are below k = 5: suppressed, and no verdict said over a hidden count.
    assert uncivil.month is None and uncivil.month_before is None and uncivil.month_outcome is None
    robbery = _rows(families)["familia-robos-violentos"]
    # The month's total (23) is published: the robberies' 20 would give the 3 back, so it is hidden too.
    assert robbery.month is None and families.total.month == 23
    assert "reservado" in response.content.decode()


def test_hot_cells_count_in_the_area_holding_their_centre():
    from shapely.geometry import box

    from observatorio.analysis.emerging import CLASSES, EmergingClass
    from observatorio.analysis.grid import Grid
    from observatorio.dashboard.home_data import cells_by_area
    from observatorio.dashboard.layers.base import AreaShape

    grid = Grid(0.0, 0.0, 100.0, 2, 3, 32719)  # 2 rows × 3 columns of 100 m
    new, intensifying = EmergingClass["NEW_HOT"], EmergingClass["INTENSIFYING_HOT"]
    codes = np.full((2, 3), -1)
    codes[0, 0] = codes[1, 0] = CLASSES.index(new)  # centres (50, 50) and (50, 150): west
    codes[1, 2] = CLASSES.index(intensifying)  # centre (250, 150): east
    codes[0, 1] = CLASSES.index(EmergingClass["PERSISTENT_HOT"])  # not asked for
    west = AreaShape(1, "UV1", "Oeste", "uv", None, box(0, 0, 120, 200))
    east = AreaShape(2, "UV2", "Este", "uv", None, box(120, 0, 300, 200))
    assert cells_by_area(grid, codes, [new, intensifying], [west, east]) == {1: {new: 2}, 2: {intensifying: 1}}


def test_freshness_is_each_sources_latest_record(home, personas):
    from observatorio.accounts.roles import event_scope
    from observatorio.dashboard import home_data
    from observatorio.state import current

    state = current()
    shown = {f.name: (f.last_day, f.monthly) for f in home_data.freshness(state)}
    assert shown == {"Eventos policiales (STOP)": (AS_OF, False), "CEAD casos policiales": (dt.date(2026, 1, 1), True),
                     "Central 1461": (None, False)}
    # The authority, aggregate-only for the police events, is told the month, not the day.
    guarded = {f.name: f.monthly for f in home_data.freshness(state, event_scope(personas["ana"]))}
    assert guarded["Eventos policiales (STOP)"] is True


def test_the_page_says_which_comunas_are_the_peers(home, as_user, personas, settings):
    """The rule's peers are "the 5 closest in population of the same region"; OBS_PEER_COMUNAS's are the
    municipality's, and the page says so instead (it used to describe the rule either way)."""
    from observatorio.dashboard import home_data
    from observatorio.state import current

    def peers_rule():
        text = as_user(personas["bob"]).get(reverse("home")).content.decode()
        return text.split('data-home="peers-rule">', 1)[1].split("</span>", 1)[0]

    assert peers_rule() == "Comunas pares: las 5 más parecidas en población de la misma región."
    assert not home_data.comparison(current()).configured
    settings.OBS_PEER_COMUNAS = ("13101", "13104")
    found = home_data.comparison(current())
    assert found.configured and [r.name for r in found.rows if r.kind == "peer"] == ["Comuna 13101", "Comuna 13104"]
    assert peers_rule() == "Comunas pares: las definidas por el municipio (OBS_PEER_COMUNAS)."
