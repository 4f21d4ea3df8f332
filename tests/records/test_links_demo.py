"""Combined measures on the demo: its Fiscalía reports carry the police case they come from (``caso_policial``).

A measure of police cases (primary) and Fiscalía reports linked by that identifier, or by category, place and
time, counts each incident once: exactly the police cases. Declared disjoint, it counts both.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from observatorio import state
from observatorio.dashboard import engine
from observatorio.dashboard.filters import filters_for
from observatorio.records import links
from observatorio.records.measures import MeasureDef, problems
from observatorio.records.models import Combine, Event, Measure, MeasureKind, Source, SourceKind
from observatorio.records.snapshot import EventSnapshot, day_number

FIRST, LAST = dt.date(2000, 1, 1), dt.date(2030, 12, 31)


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


def combined(combine: str, **link) -> str:
    police, reports = Source.objects.get(code="cead-policial"), Source.objects.get(code="denuncias")
    m = Measure.objects.create(code=f"policiales-{combine}", name="Casos policiales y denuncias", unit="casos",
                               combine=combine, primary_source=police, definition="Prueba.", **link)
    m.sources.set([police, reports])
    return m.code


def counted(code: str) -> int:
    s = state.current()
    return engine.headline(s, filters_for(s, measure=code, start=FIRST, end=LAST)).count


def test_the_demo_reports_name_their_police_case(demo, db):
    police = {e: (c, d, t, lon, lat) for e, c, d, t, lon, lat in Event.objects.filter(source__code="cead-policial")
              .values_list("external_id", "category_id", "occurred_on", "occurred_time", "lon", "lat")}
    reports = list(Event.objects.filter(source__code="denuncias")
                   .values_list("attributes", "category_id", "occurred_on", "occurred_time", "lon", "lat"))
    assert len(reports) > 100
    for attributes, *rest in reports:
        case = attributes["caso_policial"]
        assert case.startswith("CP-") and police[case] == tuple(rest)  # same category, day, time and place


def test_shared_identifier_counts_exactly_the_police_cases(demo, db):
    code = combined(Combine.SHARED_ID, link_attribute="caso_policial")
    n_police = Event.objects.filter(source__code="cead-policial").count()
    n_reports = Event.objects.filter(source__code="denuncias").count()
    assert counted(code) == n_police
    summary = engine.link_summary(state.current(), code)
    assert (summary.secondary, summary.linked, summary.share) == (n_reports, n_reports, 1.0)


def test_proximity_links_every_report_to_its_case(demo, db):
    code = combined(Combine.PROXIMITY, link_metres=100, link_hours=24)
    assert counted(code) == Event.objects.filter(source__code="cead-policial").count()
    assert engine.link_summary(state.current(), code).share == 1.0


def test_disjoint_sources_count_both(demo, db):
    code = combined(Combine.DISJOINT)
    assert counted(code) == Event.objects.filter(source__code__in=["cead-policial", "denuncias"]).count()
    assert engine.link_summary(state.current(), code) is None  # nothing is left out


def test_a_wrong_attribute_links_nothing(demo, db):
    code = combined(Combine.SHARED_ID, link_attribute="estado")  # the report's state, never a case number
    assert counted(code) == Event.objects.filter(source__code__in=["cead-policial", "denuncias"]).count()
    assert engine.link_summary(state.current(), code).share == 0.0


# --- by hand --------------------------------------------------------------------------------------------------

LON, LAT = -70.55, -33.48
METRE_LAT = 1 / 111_132.0  # degrees of latitude per metre near 33° S (to 0.1 %)


def snapshot(rows) -> EventSnapshot:
    """Rows of (source, category, day, minute, metres north of the origin); nan metres: no coordinates."""
    rows = sorted(rows, key=lambda r: r[2])
    n = len(rows)
    north = np.array([r[4] for r in rows], float)
    return EventSnapshot(
        version=1, id=np.arange(1, n + 1, dtype=np.int64), source=np.array([r[0] for r in rows], np.int32),
        category=np.array([r[1] for r in rows], np.int32),
        day=np.array([day_number(r[2]) for r in rows], np.int32), minute=np.array([r[3] for r in rows], np.int16),
        lon=np.where(np.isnan(north), np.nan, LON), lat=LAT + north * METRE_LAT,
        area=np.full(n, -1, np.int32), outside=np.zeros(n, bool))


def measure(combine=Combine.PROXIMITY, metres=100, hours=24) -> MeasureDef:
    return MeasureDef(1, "m", "M", "casos", MeasureKind.COUNT, (1, 2), (), combine, 1, "", metres, hours, None,
                      False, "")


def test_proximity_by_hand():
    day = dt.date(2025, 5, 10)
    snap = snapshot([
        (1, 7, day, 600, 0.0),  # the police case: 10:00 at the origin
        (2, 7, day, 660, 50.0),  # 50 m away an hour later: linked
        (2, 7, day, 600, 150.0),  # 150 m away: not at 100 m
        (2, 7, day + dt.timedelta(days=1), 660, 0.0),  # same place 25 h later: not within 24 h
        (2, 7, day + dt.timedelta(days=1), 540, 0.0),  # 23 h later: linked
        (2, 8, day, 600, 0.0),  # another category: not linked
        (2, 7, day, 600, float("nan")),  # without coordinates: never linked by proximity
        (2, 7, day, -1, 20.0),  # no time of day: taken at noon, 2 h after: linked
    ])
    linked = links.linked_rows(snap, measure())
    by_id = dict(zip(snap.id.tolist(), linked.tolist()))
    order = {(r, c, d, m): i for i, (r, c, d, m) in enumerate(zip(snap.source.tolist(), snap.category.tolist(),
                                                                    snap.day.tolist(), snap.minute.tolist()))}
    assert linked.sum() == 3
    assert not linked[snap.source == 1].any()
    assert by_id[snap.id[order[(2, 7, day_number(day), 660)]]]
    assert not by_id[snap.id[order[(2, 8, day_number(day), 600)]]]
    assert links.summary(snap, measure(), linked) == links.LinkSummary(7, 3)
    # At 200 m the report 150 m away is linked too.
    assert links.linked_rows(snap, measure(metres=200)).sum() == 4
    # Disjoint or single: nothing is left out.
    assert links.linked_rows(snap, measure(combine=Combine.DISJOINT)) is None


# --- problems ---------------------------------------------------------------------------------------------------


class S:
    def __init__(self, kind):
        self.kind = kind


POLICE, REPORTS, CEAD, SURVEY = S(SourceKind.POLICE_EVENT), S(SourceKind.CRIME_REPORT), S(SourceKind.CEAD), \
    S(SourceKind.SURVEY)


@pytest.mark.parametrize("kind, combine, sources, primary, attribute, wanted", [
    (MeasureKind.COUNT, Combine.SINGLE, [POLICE], None, "", []),
    (MeasureKind.COUNT, Combine.SINGLE, [], None, "", []),
    (MeasureKind.COUNT, Combine.SINGLE, [POLICE, REPORTS], None, "", ["declare cómo se combinan"]),
    (MeasureKind.COUNT, Combine.DISJOINT, [POLICE, REPORTS], None, "", []),
    (MeasureKind.COUNT, Combine.DISJOINT, [POLICE], None, "", ["al menos dos fuentes"]),
    (MeasureKind.COUNT, Combine.SHARED_ID, [POLICE, REPORTS], POLICE, "caso_policial", []),
    (MeasureKind.COUNT, Combine.SHARED_ID, [POLICE, REPORTS], POLICE, " ", ["nombre del atributo"]),
    (MeasureKind.COUNT, Combine.SHARED_ID, [POLICE, REPORTS], None, "x", ["fuente principal"]),
    (MeasureKind.COUNT, Combine.PROXIMITY, [POLICE, REPORTS], CEAD, "", ["fuente principal"]),
    (MeasureKind.COUNT, Combine.PROXIMITY, [POLICE, REPORTS], REPORTS, "", []),
    (MeasureKind.COUNT, Combine.SINGLE, [CEAD], None, "", ["conteos agregados"]),
    (MeasureKind.COUNT, Combine.SINGLE, [SURVEY], None, "", ["encuestas"]),
    (MeasureKind.SHARE, Combine.SINGLE, [SURVEY], None, "", []),
    (MeasureKind.SHARE, Combine.SINGLE, [POLICE], None, "", ["solo con fuentes de encuesta"]),
], ids=["single", "none", "two-single", "disjoint", "disjoint-one", "shared-id", "blank-attribute",
        "no-primary", "primary-outside", "proximity", "cead", "survey-count", "share", "share-of-events"])
def test_problems(kind, combine, sources, primary, attribute, wanted):
    found = problems(kind, combine, sources, primary, attribute)
    assert len(found) == len(wanted)
    for fragment, sentence in zip(wanted, found):
        assert fragment in sentence
