"""Set up a comuna as the root of the territory, from the DPA 2023 boundaries."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .dpa import DPA_SOURCE, find_comuna
from .geometry import clean_polygon, geodesic_km2
from .models import Area, Boundary, Level

DPA_VALID_FROM = dt.date(2023, 1, 1)


@transaction.atomic
def setup_comuna(name_or_cut: str | int) -> Area:
    """Create (or return, unchanged) the comuna's area and its DPA 2023 boundary."""
    comuna = find_comuna(name_or_cut)
    area, _ = Area.objects.get_or_create(
        level=Level.COMUNA, code=comuna.cut, defaults={"name": comuna.name, "source": DPA_SOURCE}
    )
    if not area.boundaries.exists():
        geom = clean_polygon(comuna.geometry, f"DPA comuna {comuna.cut}")
        boundary = Boundary(area=area, valid_from=DPA_VALID_FROM, source=DPA_SOURCE)
        boundary.set_shape(geom, geodesic_km2(geom))
        boundary.save()
    return area
