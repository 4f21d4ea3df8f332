"""A small, hand-countable territory and event set for the web and browser tests.

Peñalolén's DPA outline split into 2 macrosectors (west, east) and 4 UVs
(each macrosector cut north/south), with events placed on known days so that
every headline number can be counted by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shapely.geometry import box

AS_OF = dt.date(2026, 3, 15)
POPULATION = 270_054
POPULATION_YEAR = 2024

# (source code, days before AS_OF, UV code) — days 0–27 are the current 28-day window,
# 28–55 the previous one, anything past 364 is outside the map's 12 months.
EVENTS = (
    [("stop", d, "UV1") for d in (0, 1, 5, 12, 27)]      # stop: 5 current
    + [("stop", d, "UV2") for d in (28, 55)]             # stop: 2 previous
    + [("1461", d, "UV3") for d in (3, 10, 20)]          # 1461: 3 current
    + [("1461", d, "UV1") for d in (30, 31, 40, 41, 50, 54)]  # 1461: 6 previous
    + [("1461", d, "UV4") for d in (100, 200)]           # in the 12 months, outside both windows
    + [("stop", 400, "UV4")]                             # older than 12 months
)
EXPECTED = {
    "stop": (5, 2),   # current, previous
    "1461": (3, 6),
    "total": (8, 8),
    "uv_12_months": {"UV1": 11, "UV2": 2, "UV3": 3, "UV4": 2},
    "areas": 7,       # 1 comuna + 2 macrosectors + 4 UVs
}


@dataclass
class SmallDataset:
    comuna: object
    areas: dict
    sources: dict


def build_small_dataset() -> SmallDataset:
    from observatorio.records.models import Event, Source, SourceKind
    from observatorio.territory.comunas import setup_comuna
    from observatorio.territory.geometry import geodesic_km2
    from observatorio.territory.models import Area, Boundary, Demography, Level

    comuna = setup_comuna("13122")
    outline = comuna.boundaries.get().shape
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    mid_lon, mid_lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2

    def add(level, code, name, parent, cell):
        area = Area.objects.create(level=level, code=code, name=name, parent=parent, illustrative=True)
        geom = outline.intersection(cell)
        boundary = Boundary(area=area)
        boundary.set_shape(geom, geodesic_km2(geom))
        boundary.save()
        return area

    west = add(Level.MACROSECTOR, "M1", "Macrosector Poniente", comuna, box(min_lon, min_lat, mid_lon, max_lat))
    east = add(Level.MACROSECTOR, "M2", "Macrosector Oriente", comuna, box(mid_lon, min_lat, max_lon, max_lat))
    areas = {
        "UV1": add(Level.UV, "UV1", "UV 1 Lo Hermida", west, box(min_lon, mid_lat, mid_lon, max_lat)),
        "UV2": add(Level.UV, "UV2", "UV 2 San Luis", west, box(min_lon, min_lat, mid_lon, mid_lat)),
        "UV3": add(Level.UV, "UV3", "UV 3 La Faena", east, box(mid_lon, mid_lat, max_lon, max_lat)),
        "UV4": add(Level.UV, "UV4", "UV 4 Peñalolén Alto", east, box(mid_lon, min_lat, max_lon, mid_lat)),
    }
    Demography.objects.create(area=comuna, year=POPULATION_YEAR, population=POPULATION)
    sources = {
        "stop": Source.objects.get_or_create(code="stop", defaults={"name": "Eventos policiales (STOP)",
                                                                     "kind": SourceKind.POLICE_EVENT})[0],
        "1461": Source.objects.get_or_create(code="1461", defaults={"name": "Central 1461",
                                                                     "kind": SourceKind.CALL_1461})[0],
    }
    Event.objects.bulk_create([
        Event(source=sources[src], occurred_on=AS_OF - dt.timedelta(days=days), area=areas[uv],
              original_label="Robo en lugar habitado", precision="area")
        for src, days, uv in EVENTS
    ])
    from observatorio.records.snapshot import bump

    bump()  # bulk writes bypass the signals: every writer bumps the data version
    return SmallDataset(comuna, areas, sources)
