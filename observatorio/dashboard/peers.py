"""A comuna against its region, the country and its peer comunas: reference counts per 100,000 inhabitants.

The counts are a measure's reference source (CEAD's AggregateCount, every comuna) for a calendar year, the
denominators the INE projections of that year (records.PopulationProjection). Peers
(docs/decisions.md): the ``OBS_PEER_COMUNAS`` comunas (CUT codes) when set, else the :data:`PEERS` comunas
of the same region whose projected population is closest to the comuna's (ties: lower CUT). One
implementation for every page that compares a comuna (the area profile, the home page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from observatorio.records.measures import MeasureDef

PEERS = 5  # peer comunas: this many of the same region with the closest population
PER = 100_000  # rates per 100,000 inhabitants


@dataclass(frozen=True)
class RateRow:
    """Cases of the reference source in a year per 100,000 inhabitants (INE projection of the same year)."""

    kind: str  # "comuna" | "region" | "country" | "peers" | "peer"
    code: str  # the comuna's CUT ("" for the groups)
    name: str
    cases: int | None  # None: suppressed
    population: int
    comunas: int  # how many comunas the figure adds up

    @property
    def rate(self) -> float | None:
        return None if self.cases is None or not self.population else PER * self.cases / self.population


@dataclass(frozen=True)
class RateComparison:
    year: int
    rows: list[RateRow]  # comuna, region, country, peers together, then each peer
    configured: bool  # the peers are OBS_PEER_COMUNAS's, not the rule's


def cut_of(code) -> str:
    """A CUT as text without leading zeros or a decimal part ("05101", "5101.0" → "5101")."""
    text = str(code).strip()
    return str(int(float(text))) if text.replace(".", "", 1).isdigit() else text


def region_of(cut: str) -> str:
    """The region's code of a comuna's CUT (its digits before the last three: 13122 → 13)."""
    return str(cut)[:-3]


def configured_peers() -> tuple[str, ...]:
    return tuple(cut_of(c) for c in getattr(settings, "OBS_PEER_COMUNAS", ()) if str(c).strip())


def peers_of(cut: str, populations: dict[str, int], n: int = PEERS) -> list[str]:
    """The ``n`` comunas of the same region whose population is closest to the comuna's (ties by CUT)."""
    own = populations[cut]
    same = [c for c in populations if c != cut and region_of(c) == region_of(cut)]
    return sorted(same, key=lambda c: (abs(populations[c] - own), int(c) if c.isdigit() else 0, c))[:n]


def full_years(cases_by_month: dict[int, set[int]]) -> list[int]:
    return sorted(y for y, months in cases_by_month.items() if len(months) == 12)


def rate_comparison(cut: str, year: int, cases: dict[str, int], populations: dict[str, int],
                    names: dict[str, str], peers: tuple[str, ...] = ()) -> RateComparison | None:
    """The comparison from plain figures: ``cases`` and ``populations`` per CUT for ``year``; ``peers``
    given (configured) or chosen by :func:`peers_of`. None when the comuna lacks either figure."""
    cut = cut_of(cut)
    if cut not in cases or cut not in populations:
        return None
    counted = {c: n for c, n in cases.items() if c in populations}
    chosen = [c for c in peers if c in counted and c != cut] if peers else peers_of(
        cut, {c: populations[c] for c in counted})

    def together(kind: str, code: str, name: str, codes) -> RateRow:
        codes = [c for c in codes if c in counted]
        return RateRow(kind, code, name, sum(counted[c] for c in codes), sum(populations[c] for c in codes),
                       len(codes))

    region = [c for c in counted if region_of(c) == region_of(cut)]
    rows = [together("comuna", cut, names.get(cut, cut), [cut]), together("region", "", _("Región"), region),
            together("country", "", _("País"), counted), together("peers", "", _("Comunas pares"), chosen)]
    rows += [together("peer", c, names.get(c, c), [c]) for c in chosen]
    return RateComparison(year, rows, bool(peers))


def peer_rates(measure: MeasureDef, cut: str, year: int | None = None,
               since: dt.date | None = None) -> RateComparison | None:
    """The comuna's rate of ``measure``'s reference source per 100,000 against its region, the country and its
    peers, for ``year`` (default: the latest calendar year the reference covers in all twelve months for the
    comuna). None without a reference source, its counts or the projections of that year.

    ``since``: look for that year among the counts from this day on first (one pass over a short window: the
    latest whole year is almost always in the last two), the whole table only when none is whole there."""
    from observatorio.records.models import AggregateCount, PopulationProjection

    if measure is None or measure.reference is None:
        return None
    cut = cut_of(cut)
    rows = AggregateCount.objects.filter(source_id=measure.reference)
    if measure.categories:
        rows = rows.filter(category_id__in=measure.categories)
    found = _yearly(rows.filter(period_start__gte=since), cut, year) if since is not None and year is None else None
    found = found or _yearly(rows, cut, year)
    if found is None:
        return None
    year, cases = found
    projections = list(PopulationProjection.objects.filter(year=year).values_list("area_code", "name", "population"))
    populations = {cut_of(c): p for c, _n, p in projections}
    names = {cut_of(c): n for c, n, _p in projections if n}
    return rate_comparison(cut, year, cases, populations, names, configured_peers())


def _yearly(rows, cut: str, year: int | None) -> tuple[int, dict[str, int]] | None:
    """Every comuna's cases in ``year`` of ``rows`` (aggregate counts); without a year, in the latest calendar
    year they cover in all twelve months for the comuna ``cut`` (None: no such year)."""
    from django.db.models import Sum

    cases: dict[tuple[str, int], int] = {}
    months: dict[int, set[int]] = {}
    for code, start, n in rows.values_list("area_code", "period_start").annotate(n=Sum("count")).order_by():
        code = cut_of(code)
        cases[code, start.year] = cases.get((code, start.year), 0) + int(n or 0)
        if code == cut:
            months.setdefault(start.year, set()).add(start.month)
    if year is None:
        full = full_years(months)
        if not full:
            return None
        year = full[-1]
    return year, {c: n for (c, y), n in cases.items() if y == year}
