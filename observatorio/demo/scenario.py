"""The whole illustrative observatory for one comuna, as plain data (no Django)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from observatorio.analysis.projection import to_metres
from observatorio.errors import N_, UserError
from observatorio.territory.dpa import find_comuna

from . import bundled
from .events import Planted, cead_monthly, generate_events
from .geography import read_geography
from .places import axes_for, places
from .population import demography
from .survey import survey
from .territory import AreaPlan, Locator, draw_areas, real_areas

DEFAULT_COMUNA = "13122"
DEFAULT_SEED = 1
DEFAULT_YEARS = 3


@dataclass
class Scenario:
    plan: AreaPlan
    demography: pd.DataFrame
    places: pd.DataFrame
    events: dict[str, pd.DataFrame]
    cead_monthly: pd.DataFrame
    survey: pd.DataFrame
    planted: tuple[Planted, ...]
    high_fear_uvs: tuple[str, ...]
    full_years: tuple[int, ...]
    partial_year: int | None
    as_of: dt.date
    seed: int
    extra: dict = field(default_factory=dict)
    addresses: pd.DataFrame | None = None  # the real address gazetteer (street, number, lon, lat, area_code)

    @property
    def n_events(self) -> int:
        return sum(len(f) for f in self.events.values())


def event_years(years: int, as_of: dt.date) -> tuple[tuple[int, ...], int | None]:
    """Full calendar years ending with the last CEAD year before as_of, and the current partial year."""
    first_cead, last_cead = bundled.cead_years()
    if years < 1:
        raise ValueError(f"--years {years}: need at least 1 full year")
    end = min(last_cead, as_of.year - 1)
    if end - years + 1 < first_cead:
        raise UserError(N_("--years %(years)s con --as-of %(as_of)s: la tabla CEAD incluida cubre %(first)s–%(last)s; "
                           "pida menos años o una fecha posterior"), years=years, as_of=f"{as_of:%d-%m-%Y}",
                        first=first_cead, last=last_cead)
    full = tuple(range(end - years + 1, end + 1))
    partial = as_of.year if as_of.year > end else None
    return full, partial


def build_scenario(comuna: str | int = DEFAULT_COMUNA, *, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS,
                   as_of: dt.date, n_events: int | None = None, key: bytes = b"demo-key-not-secret",
                   geography=None) -> Scenario:
    """Draw the territory, people, places, events and survey; deterministic from (comuna, seed, years, as_of, n_events).

    ``geography``: a folder of real geography (``geography.read_geography``): its UVs, blocks, places and
    address gazetteer replace the drawn ones; deterministic from the same arguments and the files.
    """
    comuna_row = find_comuna(comuna)
    full_years, partial = event_years(years, as_of)
    real = read_geography(geography, comuna_row.cut) if geography is not None else None
    if real is None:
        plan = draw_areas(comuna_row.cut, comuna_row.name, comuna_row.geometry, seed)
    else:
        plan = real_areas(comuna_row.cut, comuna_row.name, comuna_row.geometry, real)
    demo_years = full_years + ((partial,) if partial else ()) + ((as_of.year,) if as_of.year not in full_years
                                                                 and as_of.year != partial else ())
    demog = demography(plan, demo_years, seed)
    uv_rows = demog[(demog["level"] == "uv") & (demog["year"] == full_years[-1])]
    uv_pop = uv_rows["population"].to_numpy()
    axes = axes_for(plan, seed)
    poi = places(plan, uv_pop, axes, seed, None if real is None else real.places)
    events, planted = generate_events(plan, uv_pop, poi, axes, seed=seed, full_years=full_years,
                                      partial_year=partial, as_of=as_of, n_events=n_events, key=key)
    police = events["cead-policial"]
    last = police[police["year"] == full_years[-1]]
    counts = last["area_code"].value_counts().reindex(uv_rows["code"], fill_value=0).to_numpy()
    rate = 1000 * counts / np.maximum(uv_pop, 1)
    answers, high_fear = survey(uv_rows["code"].to_numpy(), uv_pop, rate, full_years[-1], seed)
    addresses = None
    if real is not None:
        locator = Locator(plan)
        x, y, _ = to_metres(real.addresses["lon"].to_numpy(), real.addresses["lat"].to_numpy(), plan.epsg)
        addresses = real.addresses.assign(area_code=locator.codes_for(locator.uv_index(x, y)))
    return Scenario(plan, demog, poi, events, cead_monthly(plan.cut, full_years), answers, planted, high_fear,
                    full_years, partial, as_of, seed, addresses=addresses)
