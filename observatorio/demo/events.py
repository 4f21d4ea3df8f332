"""The illustrative event sources, generated with NumPy only (no Django).

Police-recorded crime (``cead-policial``) reproduces CEAD's yearly casos
policiales per category exactly; the other sources are invented around it:
Fiscalía reports (a falling subset of it), 1461 calls (insecurity calls rising:
the observatory's paradox), preventive patrols and the municipal VIF
programme. Known patterns are planted so analyses can be checked against them
(:data:`PLANTED` for Peñalolén, :func:`planted_patterns` for any comuna).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from observatorio.analysis.projection import to_lonlat, to_metres
from observatorio.tables.rut import rut_key
from observatorio.taxonomy import CEAD_CATEGORIES, MUNICIPAL_CATEGORIES

from . import bundled
from .places import background_points, points_on_axes
from .population import largest_remainder
from .territory import Locator, sample_in
from .timing import MUNICIPAL_MONTHS, TIME_GROUP_OF, TIME_GROUPS, elapsed_share, month_split, sample_dates, sample_hours


@dataclass(frozen=True)
class SourceSpec:
    code: str
    name: str
    kind: str  # records.models.SourceKind value
    owner_unit: str
    description: str


SOURCES = (
    SourceSpec("cead-policial", "Casos policiales (ilustrativos, totales CEAD)", "stop", "Carabineros y PDI",
               "Puntos inventados; los totales anuales por categoría son los casos policiales reales del CEAD."),
    SourceSpec("cead", "CEAD casos policiales (mensual)", "cead", "Subsecretaría de Prevención del Delito",
               "Conteos mensuales: totales anuales reales del CEAD repartidos por mes con el perfil estacional."),
    SourceSpec("denuncias", "Denuncias Fiscalía (ilustrativas)", "denuncia", "Fiscalía Regional Metropolitana Oriente",
               "Subconjunto inventado de los casos policiales, con tendencia a la baja."),
    SourceSpec("1461", "Llamados al 1461 (ilustrativos)", "1461", "Central de Seguridad 1461",
               "Llamados inventados; los de inseguridad crecen año a año."),
    SourceSpec("patrullaje", "Patrullaje preventivo (ilustrativo)", "patrullaje", "Dirección de Seguridad Humana",
               "Partes de patrullaje inventados."),
    SourceSpec("vif", "Programa VIF municipal (ilustrativo)", "vif", "Programa municipal de VIF",
               "Casos inventados; RUT sintéticos guardados solo como hash con clave."),
)
EVENT_SOURCES = ("cead-policial", "denuncias", "1461", "patrullaje", "vif")

CEAD_LABEL = {code: label for code, label, *_ in CEAD_CATEGORIES}
CATEGORY_NAME = {**CEAD_LABEL, **dict(MUNICIPAL_CATEGORIES)}
CEAD_CODE = {label: code for code, label in CEAD_LABEL.items()}

# 1461 calls about insecurity (the rising half of the paradox) and about services.
CALLS_INSECURITY = {
    "sospechoso": 0.30, "solicitud-patrullaje": 0.22, "consumo-via-publica": 0.08, "robo-violencia": 0.06,
    "robo-lugar-habitado": 0.06, "vif": 0.06, "desordenes": 0.05, "robo-desde-vehiculo": 0.05, "hurto": 0.04,
    "amenazas": 0.04, "danos": 0.04,
}
INSECURITY_CATEGORIES = tuple(CALLS_INSECURITY)
CALLS_SERVICE = {
    "ruidos": 0.28, "alumbrado": 0.12, "perros": 0.10, "emergencia-medica": 0.10, "conflicto-vecinal": 0.10,
    "microbasural": 0.08, "vehiculo-abandonado": 0.07, "alcohol-via-publica": 0.06, "otros-servicios": 0.06,
    "incendio": 0.03,
}
PATROL = {
    "alcohol-via-publica": 0.18, "sospechoso": 0.15, "consumo-via-publica": 0.12, "microbasural": 0.10,
    "otros-servicios": 0.10, "alumbrado": 0.08, "vehiculo-abandonado": 0.06, "desordenes": 0.06, "ruidos": 0.05,
    "perros": 0.05, "danos": 0.05,
}
# Yearly volumes for a comuna of Peñalolén's population in the last full year.
CALLS_INSECURITY_PER_YEAR, CALLS_INSECURITY_GROWTH = 7_000, 1.15
CALLS_SERVICE_PER_YEAR, CALLS_SERVICE_GROWTH = 9_000, 1.02
PATROL_PER_YEAR, PATROL_GROWTH = 6_500, 1.04
VIF_PROGRAMME_SHARE = 0.45  # of CEAD's VIF casos policiales
# Detentions in flagrante and weapons/drug findings seldom start as a citizen's report.
NOT_REPORTED = ("drogas", "armas", "ley-armas", "arma-cortante", "consumo-via-publica", "receptacion", "desordenes")
OUTSIDE_SHARE = 0.005


def report_share(year: int, last_full: int) -> float:
    """Share of casos policiales that appear as Fiscalía reports: falling year on year."""
    return float(np.clip(0.42 + 0.08 * (last_full - year), 0.3, 0.9)) if year <= last_full else 0.38


# Where events happen: shares of (axes, places of the listed kinds, background by population).
LOCATION_MIX = {
    "robbery": (0.40, 0.20, ("transport", "commercial", "alcohol")),
    "theft": (0.55, 0.15, ("commercial", "transport", "school")),
    "burglary": (0.05, 0.05, ("green",)),
    "vif": (0.03, 0.02, ("green",)),
    "night": (0.15, 0.35, ("green", "alcohol", "sports")),
    "service": (0.10, 0.10, ("green", "school")),
    "alert": (0.15, 0.15, ("green", "school", "transport")),
    "default": (0.15, 0.15, ("school", "green", "health")),
}


@dataclass(frozen=True)
class Planted:
    """A pattern deliberately placed in ``cead-policial`` for analyses to find."""

    kind: str  # "hotspot", "emerging" or "near_repeat"
    name: str
    lon: float
    lat: float
    radius_m: float
    categories: tuple[str, ...]
    years: tuple[int, ...]
    share: float = 0.0  # of the category-year events (hotspots, emerging)
    n: int = 0  # events (near-repeat series)
    start: dt.date | None = None


_PENALOLEN_SPOTS = {
    "hotspot-grecia-tobalaba": ("Av. Grecia con Av. Tobalaba", -70.5652, -33.4672),
    "hotspot-consistorial-quilin": ("Av. Consistorial con Av. Quilín", -70.5492, -33.4893),
    "hotspot-tobalaba-san-luis": ("Av. Tobalaba, sector San Luis", -70.5745, -33.5000),
    "emergente-oriente": ("Sector oriente (emergente)", -70.5335, -33.4805),
    "serie-robo-vivienda": ("Serie de robos en viviendas", -70.5600, -33.5000),
}
HOTSPOT_CATEGORIES = ("robo-violencia", "robo-sorpresa")
HOTSPOT_SHARE, HOTSPOT_SIGMA_M = 0.08, 50.0
EMERGING_CATEGORIES = ("robo-sorpresa", "hurto")
EMERGING_SHARE, EMERGING_SIGMA_M = 0.18, 50.0
SERIES_CATEGORY, SERIES_SIZE, SERIES_RADIUS_M, SERIES_MONTH = "robo-lugar-habitado", 25, 100.0, 5


def _patterns(spots: dict, full_years: tuple[int, ...], partial_year: int | None) -> tuple[Planted, ...]:
    last = full_years[-1]
    series_year = full_years[-2] if len(full_years) > 1 else last
    emerging_years = (last,) + ((partial_year,) if partial_year else ())
    out = []
    for key, (name, lon, lat) in spots.items():
        if key.startswith("hotspot"):
            out.append(Planted("hotspot", name, lon, lat, 150.0, HOTSPOT_CATEGORIES,
                               full_years + ((partial_year,) if partial_year else ()), share=HOTSPOT_SHARE))
        elif key.startswith("emergente"):
            out.append(Planted("emerging", name, lon, lat, 150.0, EMERGING_CATEGORIES, emerging_years,
                               share=EMERGING_SHARE))
        else:
            out.append(Planted("near_repeat", name, lon, lat, 2 * SERIES_RADIUS_M, (SERIES_CATEGORY,),
                               (series_year,), n=SERIES_SIZE, start=dt.date(series_year, SERIES_MONTH, 3)))
    return tuple(out)


def planted_patterns(plan, axes, full_years, partial_year=None, seed: int = 1) -> tuple[Planted, ...]:
    """The planted patterns for a comuna: Peñalolén's fixed spots, elsewhere spots drawn from its map."""
    if plan.cut == "13122":
        return _patterns(_PENALOLEN_SPOTS, tuple(full_years), partial_year)
    rng = np.random.default_rng([seed, 53])
    pts = [shapely.line_interpolate_point(axes[i % len(axes)].line_m, f, normalized=True).coords[0]
           for i, f in enumerate((0.3, 0.6, 0.5))]
    inner = plan.region_m.buffer(-400)
    inner = inner if not inner.is_empty else plan.region_m
    far = sample_in(inner, 400, rng)
    axis_union = shapely.union_all([a.line_m for a in axes])
    dist = shapely.distance(shapely.points(far), axis_union)
    pts.append(tuple(far[int(np.argmax(dist))]))
    pts.append(tuple(far[int(np.argsort(dist)[len(dist) // 2])]))
    lon, lat = to_lonlat(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]), plan.epsg)
    keys = list(_PENALOLEN_SPOTS)
    names = ["Foco 1 (ilustrativo)", "Foco 2 (ilustrativo)", "Foco 3 (ilustrativo)", "Foco emergente (ilustrativo)",
             "Serie de robos en viviendas (ilustrativa)"]
    spots = {k: (n, round(float(a), 5), round(float(b), 5)) for k, n, a, b in zip(keys, names, lon, lat)}
    return _patterns(spots, tuple(full_years), partial_year)


# Peñalolén with the default years (2023–2025, as of any day of 2026): documented in docs/demo.md.
PLANTED = _patterns(_PENALOLEN_SPOTS, (2023, 2024, 2025), 2026)


# ---------------------------------------------------------------------------------------------- counts
def _profile(category: str):
    label = CEAD_LABEL.get(category)
    if label is not None:
        return bundled.monthly_profile().get(label, np.full(12, 1 / 12))
    return MUNICIPAL_MONTHS


def count_table(cut: str, population: int, full_years, partial_year: int | None, as_of: dt.date) -> pd.DataFrame:
    """Events per (source, category, year) at the natural scale, before planting and subsetting.

    The ``denuncias`` rows are derived later from the police rows, so they are absent here.
    """
    full_years = list(full_years)
    last = full_years[-1]
    cead = bundled.cead_for(cut, full_years)
    scale = population / 270_054
    rows = []
    for year, label, n in cead.itertuples(index=False):
        rows.append(("cead-policial", CEAD_CODE[label], year, int(n)))
    cead_last = cead[cead["year"] == last].set_index("delito")["n"]
    if partial_year:
        for label, n in cead_last.items():
            rows.append(("cead-policial", CEAD_CODE[label], partial_year, int(n)))
    vif = cead.set_index(["year", "delito"])["n"]
    years = full_years + ([partial_year] if partial_year else [])
    for year in years:
        k = year - last
        for source, shares, total in (
            ("1461", CALLS_INSECURITY, CALLS_INSECURITY_PER_YEAR * CALLS_INSECURITY_GROWTH ** k),
            ("1461", CALLS_SERVICE, CALLS_SERVICE_PER_YEAR * CALLS_SERVICE_GROWTH ** k),
            ("patrullaje", PATROL, PATROL_PER_YEAR * PATROL_GROWTH ** k),
        ):
            counts = largest_remainder(int(round(total * scale)), list(shares.values()))
            rows += [(source, code, year, int(c)) for code, c in zip(shares, counts)]
        base_vif = vif.get((min(year, last), "Violencia intrafamiliar"), 0)
        rows.append(("vif", "vif", year, int(round(VIF_PROGRAMME_SHARE * base_vif))))
    table = pd.DataFrame(rows, columns=["source", "category", "year", "n"])
    if partial_year:
        # The current year runs only to as_of: keep the share of the year elapsed.
        part = table["year"] == partial_year
        elapsed = [int(round(n * elapsed_share(_profile(c), partial_year, as_of)))
                   for c, n in zip(table.loc[part, "category"], table.loc[part, "n"])]
        table.loc[part, "n"] = elapsed
    return table


def scale_table(table: pd.DataFrame, n_events: int, full_years, partial_year) -> pd.DataFrame:
    """Rescale every row so the total, denuncias included, is ``n_events`` (± rounding of the subset)."""
    expected_reports = sum(_report_counts(table, full_years[-1]).values())
    natural = int(table["n"].sum()) + expected_reports
    target = int(round(n_events * table["n"].sum() / natural))
    return table.assign(n=largest_remainder(target, table["n"].to_numpy()))


def _report_counts(table: pd.DataFrame, last_full: int) -> dict[tuple[str, int], int]:
    police = table[(table["source"] == "cead-policial") & ~table["category"].isin(NOT_REPORTED)]
    return {(c, y): int(round(report_share(y, last_full) * n)) for c, y, n in
            zip(police["category"], police["year"], police["n"])}


# ---------------------------------------------------------------------------------------------- keys
def keyed_hash(values, key: bytes) -> np.ndarray:
    """The pipeline's keyed hash (HMAC-SHA256 of the normalised RUT) of each RUT, computed once per person."""
    cache = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        digest = cache.get(v)
        if digest is None:
            digest = cache[v] = rut_key(v, key)
        out[i] = digest
    return out


def synthetic_ruts(numbers: np.ndarray) -> list[str]:
    """Chilean RUT strings (with their modulo-11 check digit) for the given numbers."""
    digits = np.asarray(numbers, np.int64)
    total = np.zeros(len(digits), np.int64)
    rest = digits.copy()
    factor = 2
    for _ in range(9):
        total += (rest % 10) * factor
        rest //= 10
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    dv = np.where(check == 11, "0", np.where(check == 10, "K", check.astype(str)))
    return [f"{n}-{d}" for n, d in zip(digits, dv)]


# ---------------------------------------------------------------------------------------------- generation
@dataclass
class Context:
    plan: object
    locator: Locator
    axes: list
    places: pd.DataFrame
    uv_population: np.ndarray
    rng: np.random.Generator


def _times(ctx: Context, table: pd.DataFrame, source: str, as_of: dt.date) -> pd.DataFrame:
    parts = []
    for category, year, n in table.loc[table["source"] == source, ["category", "year", "n"]].itertuples(index=False):
        if n <= 0:
            continue
        group = TIME_GROUP_OF.get(category, "default")
        months = month_split(n, _profile(category), year, as_of if year == as_of.year else None)
        dates = sample_dates(ctx.rng, year, months, TIME_GROUPS[group][1], as_of if year == as_of.year else None)
        hour, minute = sample_hours(ctx.rng, len(dates), group)
        parts.append(pd.DataFrame({"category": category, "year": np.int16(year), "occurred_on": dates,
                                   "hour": hour, "minute": minute}))
    if not parts:
        return pd.DataFrame({"category": pd.Series(dtype=object), "year": pd.Series(dtype=np.int16),
                             "occurred_on": pd.Series(dtype="datetime64[s]"), "hour": pd.Series(dtype=np.int8),
                             "minute": pd.Series(dtype=np.int8)})
    frame = pd.concat(parts, ignore_index=True)
    return frame


def _locate(ctx: Context, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    x, y = np.empty(n), np.empty(n)
    groups = frame["category"].map(lambda c: TIME_GROUP_OF.get(c, "default")).to_numpy()
    for group, (axis_share, place_share, kinds) in LOCATION_MIX.items():
        idx = np.flatnonzero(groups == group)
        if idx.size == 0:
            continue
        comp = ctx.rng.choice(3, size=idx.size, p=[axis_share, place_share, 1 - axis_share - place_share])
        pts = np.empty((idx.size, 2))
        k = comp == 0
        pts[k] = points_on_axes(ctx.axes, int(k.sum()), ctx.rng, 35.0)
        k = comp == 1
        pool = ctx.places[ctx.places["kind"].isin(kinds)][["x", "y"]].to_numpy()
        pts[k] = pool[ctx.rng.integers(0, len(pool), int(k.sum()))] + ctx.rng.normal(0, 60.0, (int(k.sum()), 2))
        k = comp == 2
        pts[k] = background_points(ctx.plan, ctx.uv_population, int(k.sum()), ctx.rng)
        x[idx], y[idx] = pts[:, 0], pts[:, 1]
    return x, y


def _plant(ctx: Context, frame: pd.DataFrame, patterns, scale: float) -> None:
    """Move chosen police events into the planted patterns (counts per category-year unchanged)."""
    frame["planted"] = ""
    taken = np.zeros(len(frame), bool)
    cat = frame["category"].to_numpy()
    year = frame["year"].to_numpy()
    month = frame["occurred_on"].dt.month.to_numpy()
    for p in patterns:
        (cx,), (cy,), _ = to_metres([p.lon], [p.lat], ctx.plan.epsg)
        if p.kind == "near_repeat":
            pool = np.flatnonzero((cat == p.categories[0]) & (year == p.start.year) & (month == p.start.month)
                                  & ~taken)
            k = min(int(round(p.n * min(scale, 1.0))), pool.size)
            chosen = np.sort(ctx.rng.choice(pool, size=k, replace=False))
            days = p.start.day + np.cumsum(ctx.rng.choice([0, 1, 1, 2], size=k)) - 0
            last_day = (pd.Timestamp(p.start) + pd.offsets.MonthEnd(0)).day
            days = np.clip(days, 1, last_day)
            frame.loc[chosen, "occurred_on"] = pd.to_datetime(
                [dt.date(p.start.year, p.start.month, int(d)) for d in days])
            r = SERIES_RADIUS_M * np.sqrt(ctx.rng.random(k))
            theta = ctx.rng.uniform(0, 2 * np.pi, k)
            frame.loc[chosen, "x"] = cx + r * np.cos(theta)
            frame.loc[chosen, "y"] = cy + r * np.sin(theta)
        else:
            sigma = HOTSPOT_SIGMA_M if p.kind == "hotspot" else EMERGING_SIGMA_M
            chosen_all = []
            for y_ in p.years:
                for c in p.categories:
                    pool = np.flatnonzero((cat == c) & (year == y_) & ~taken)
                    k = int(round(p.share * pool.size))
                    if not k:
                        continue
                    if p.kind == "emerging" and y_ == p.years[0]:
                        # Rising through its first year, so a trend test sees it emerge.
                        w = month[pool].astype(float) ** 2
                        chosen_all.append(ctx.rng.choice(pool, size=k, replace=False, p=w / w.sum()))
                    else:
                        chosen_all.append(ctx.rng.choice(pool, size=k, replace=False))
            chosen = np.concatenate(chosen_all) if chosen_all else np.empty(0, int)
            offset = np.clip(ctx.rng.normal(0, sigma, (chosen.size, 2)), -p.radius_m, p.radius_m)
            frame.loc[chosen, "x"] = cx + offset[:, 0]
            frame.loc[chosen, "y"] = cy + offset[:, 1]
        frame.loc[chosen, "planted"] = p.name
        taken[chosen] = True


def _place_outside_and_assign(ctx: Context, frame: pd.DataFrame) -> None:
    """Send a few events just outside the comuna; put stray points back on a UV; assign UVs."""
    n = len(frame)
    outside = (ctx.rng.random(n) < OUTSIDE_SHARE) & (frame["planted"].to_numpy() == "")
    k = int(outside.sum())
    if k:
        ring = shapely.difference(ctx.locator.comuna_m.buffer(800), ctx.locator.comuna_m.buffer(50))
        pts = sample_in(ring, k, ctx.rng)
        frame.loc[outside, "x"], frame.loc[outside, "y"] = pts[:, 0], pts[:, 1]
    if ctx.plan.blocks is not None and (~outside).any():
        # Real geography: an event off the city blocks (a street, a hill) moves into its nearest block.
        inside = ~outside
        pts = ctx.plan.blocks.snap(frame.loc[inside, "x"].to_numpy(), frame.loc[inside, "y"].to_numpy(), ctx.rng)
        frame.loc[inside, "x"], frame.loc[inside, "y"] = pts[:, 0], pts[:, 1]
    index = ctx.locator.uv_index(frame["x"].to_numpy(), frame["y"].to_numpy())
    stray = (index < 0) & ~outside
    k = int(stray.sum())
    if k:
        pts = background_points(ctx.plan, ctx.uv_population, k, ctx.rng)
        frame.loc[stray, "x"], frame.loc[stray, "y"] = pts[:, 0], pts[:, 1]
        index[stray] = ctx.locator.uv_index(pts[:, 0], pts[:, 1])
    frame["outside"] = outside
    frame["area_code"] = ctx.locator.codes_for(np.where(outside, -1, index))


def _finish(ctx: Context, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    lon, lat = to_lonlat(frame["x"].to_numpy(), frame["y"].to_numpy(), ctx.plan.epsg)
    frame["lon"], frame["lat"] = lon.round(6), lat.round(6)
    frame["source"] = source
    frame["label"] = frame["category"].map(CATEGORY_NAME)
    frame["precision"] = "point"
    return frame


def _calls_attributes(ctx: Context, frame: pd.DataFrame) -> None:
    rng, n = ctx.rng, len(frame)
    night = (frame["hour"].to_numpy() >= 22) | (frame["hour"].to_numpy() < 6)
    insecurity = frame["category"].isin(INSECURITY_CATEGORIES).to_numpy()
    frame["attr_hora_llamado"] = [f"{h:02d}:{m:02d}" for h, m in zip(frame["hour"], frame["minute"])]
    frame["attr_tipo"] = np.where(insecurity, "Seguridad", "Servicio / emergencia")
    frame["attr_minutos_respuesta"] = np.round(rng.lognormal(np.log(3.0), 0.5, n), 1)
    frame["attr_minutos_llegada"] = np.round(rng.lognormal(np.log(11.0), 0.45, n) * np.where(night, 1.3, 1.0), 1)
    outcomes = np.array(["Atendido en terreno", "Derivado a Carabineros", "Sin moradores / no ubicado",
                         "Falsa alarma", "Resuelto por teléfono"])
    frame["attr_resultado"] = outcomes[rng.choice(5, size=n, p=[0.45, 0.2, 0.15, 0.08, 0.12])]
    frame["attr_inseguridad"] = insecurity
    frame["external_id"] = [f"1461-{i:07d}" for i in range(1, n + 1)]


def _patrol_attributes(ctx: Context, frame: pd.DataFrame) -> None:
    rng, n = ctx.rng, len(frame)
    hour = frame["hour"].to_numpy()
    frame["attr_turno"] = np.where(hour < 8, "Noche", np.where(hour < 16, "Mañana", np.where(hour < 24, "Tarde", "")))
    frame["attr_movil"] = [f"Móvil {m:02d}" for m in rng.integers(1, 13, n)]
    actions = np.array(["Disuasión", "Fiscalización", "Derivación a Carabineros", "Sin novedad",
                        "Aviso a unidad municipal"])
    frame["attr_accion"] = actions[rng.choice(5, size=n, p=[0.35, 0.2, 0.1, 0.2, 0.15])]
    frame["external_id"] = [f"PP-{i:07d}" for i in range(1, n + 1)]


def _vif_attributes(ctx: Context, frame: pd.DataFrame, key: bytes) -> None:
    rng = ctx.rng
    order = np.lexsort((frame["minute"].to_numpy(), frame["hour"].to_numpy(), frame["occurred_on"].to_numpy()))
    sorted_frame = frame.iloc[order].reset_index(drop=True)
    for column in frame.columns:  # reorder in place: the caller holds this frame
        frame[column] = sorted_frame[column].to_numpy()
    n = len(frame)
    repeat = rng.random(n) < 0.2
    if n:
        repeat[0] = False
    new_count = np.cumsum(~repeat)
    victim = np.where(repeat, (rng.random(n) * np.maximum(new_count, 1)).astype(np.int64), new_count - 1)
    n_victims = int(new_count[-1]) if n else 0
    victim_ruts = synthetic_ruts(rng.integers(6_000_000, 27_000_000, n_victims))
    # A repeat victim usually faces the same aggressor again.
    first_case = np.full(max(n_victims, 1), -1)
    offender = np.empty(n, np.int64)
    next_offender = 0
    same = rng.random(n) < 0.7
    for i in range(n):
        v = victim[i]
        if repeat[i] and same[i] and first_case[v] >= 0:
            offender[i] = offender[first_case[v]]
        else:
            offender[i] = next_offender
            next_offender += 1
        if first_case[v] < 0:
            first_case[v] = i
    offender_ruts = synthetic_ruts(rng.integers(6_000_000, 27_000_000, max(next_offender, 1)))
    frame["victim_key"] = keyed_hash([victim_ruts[v] for v in victim], key)
    frame["offender_key"] = keyed_hash([offender_ruts[o] for o in offender], key)
    # Traits belong to the person, so a repeat victim keeps hers.
    v_sex = np.where(rng.random(max(n_victims, 1)) < 0.8, "F", "M")
    o_sex = np.where(rng.random(max(next_offender, 1)) < 0.85, "M", "F")
    ages = np.array(["0-17", "18-29", "30-44", "45-59", "60+"])
    v_age = ages[rng.choice(5, size=max(n_victims, 1), p=[0.12, 0.28, 0.33, 0.17, 0.10])]
    o_age = ages[rng.choice(5, size=max(next_offender, 1), p=[0.03, 0.30, 0.40, 0.20, 0.07])]
    nations = np.array(["chilena", "venezolana", "peruana", "colombiana", "haitiana", "boliviana"])
    p_nat = [0.88, 0.04, 0.03, 0.02, 0.02, 0.01]
    v_nat = nations[rng.choice(6, size=max(n_victims, 1), p=p_nat)]
    o_nat = nations[rng.choice(6, size=max(next_offender, 1), p=p_nat)]
    frame["victim_sex"], frame["victim_age_group"], frame["victim_nationality"] = v_sex[victim], v_age[victim], v_nat[victim]
    frame["offender_sex"], frame["offender_age_group"], frame["offender_nationality"] = (
        o_sex[offender], o_age[offender], o_nat[offender])
    kinds = np.array(["Física", "Psicológica", "Económica", "Sexual", "Habitual"])
    frame["attr_tipo_violencia"] = kinds[rng.choice(5, size=n, p=[0.38, 0.40, 0.08, 0.04, 0.10])]
    risks = np.array(["Bajo", "Medio", "Alto", "Vital"])
    frame["attr_riesgo"] = risks[rng.choice(4, size=n, p=[0.35, 0.40, 0.20, 0.05])]
    frame["attr_reingreso"] = repeat
    frame["precision"] = "address"
    frame["external_id"] = [f"VIF-{i:06d}" for i in range(1, n + 1)]


def _reports(ctx: Context, police: pd.DataFrame, table: pd.DataFrame, last_full: int) -> pd.DataFrame:
    wanted = _report_counts(table, last_full)
    chosen = []
    for (category, year), group in police.groupby(["category", "year"], sort=True).groups.items():
        k = min(wanted.get((category, int(year)), 0), len(group))
        if k:
            chosen.append(ctx.rng.choice(np.asarray(group), size=k, replace=False))
    idx = np.sort(np.concatenate(chosen)) if chosen else np.empty(0, int)
    frame = police.loc[idx].reset_index(drop=True).copy()
    n = len(frame)
    frame["source"] = "denuncias"
    frame["label"] = frame["category"].map(lambda c: CEAD_LABEL[c].upper())
    frame["planted"] = ""
    lag = ctx.rng.choice([0, 0, 0, 1, 1, 2, 3, 7], size=n)
    frame["attr_dias_hasta_denuncia"] = lag
    states = np.array(["Vigente", "Archivo provisional", "Decisión de no perseverar", "Sentencia", "Suspensión condicional"])
    frame["attr_estado"] = states[ctx.rng.choice(5, size=n, p=[0.25, 0.5, 0.08, 0.07, 0.1])]
    # The police case each report comes from (its "CP-…" number), as a Fiscalía export names it: a measure can
    # link the two sources by it (records.links, combine=SHARED_ID, link_attribute="caso_policial").
    frame["attr_caso_policial"] = frame["external_id"].to_numpy()
    frame["external_id"] = [f"RUC-{y % 100:02d}{i:08d}" for i, y in enumerate(frame["year"], start=1)]
    return frame


def generate_events(plan, uv_population, places: pd.DataFrame, axes, *, seed: int, full_years, partial_year,
                    as_of: dt.date, n_events: int | None = None, key: bytes = b"demo-key-not-secret",
                    patterns=None) -> tuple[dict[str, pd.DataFrame], tuple[Planted, ...]]:
    """Every event source as a DataFrame (x/y in metres and lon/lat), plus the planted patterns.

    Columns: source, category (common tree code), label (original), occurred_on, hour, minute, x, y, lon,
    lat, area_code (UV, None outside), outside, precision, planted, external_id, victim_*/offender_* (VIF)
    and ``attr_*`` columns that become the event's attributes.
    """
    rng = np.random.default_rng([seed, 211])
    full_years = tuple(full_years)
    population = int(np.sum(uv_population))
    table = count_table(plan.cut, population, full_years, partial_year, as_of)
    natural_total = int(table["n"].sum()) + sum(_report_counts(table, full_years[-1]).values())
    scale = 1.0
    if n_events is not None:
        if n_events < 1:
            raise ValueError(f"--events {n_events}: ask for at least 1 event")
        table = scale_table(table, n_events, full_years, partial_year)
        scale = n_events / natural_total
    ctx = Context(plan, Locator(plan), axes, places, np.asarray(uv_population, float), rng)
    if patterns is None:
        patterns = planted_patterns(plan, axes, full_years, partial_year, seed)
    out = {}
    for source in ("cead-policial", "1461", "patrullaje", "vif"):
        frame = _times(ctx, table, source, as_of)
        frame["x"], frame["y"] = _locate(ctx, frame)
        if source == "cead-policial":
            _plant(ctx, frame, patterns, scale)
        else:
            frame["planted"] = ""
        _place_outside_and_assign(ctx, frame)
        frame = _finish(ctx, frame, source)
        if source == "1461":
            _calls_attributes(ctx, frame)
        elif source == "patrullaje":
            _patrol_attributes(ctx, frame)
        elif source == "vif":
            _vif_attributes(ctx, frame, key)
        else:
            frame["external_id"] = [f"CP-{i:07d}" for i in range(1, len(frame) + 1)]
        out[source] = frame
    out["denuncias"] = _reports(ctx, out["cead-policial"], table, full_years[-1])
    return {s: out[s] for s in EVENT_SOURCES}, tuple(patterns)


def cead_monthly(cut: str, full_years) -> pd.DataFrame:
    """CEAD yearly totals split into months with the national seasonal profile (largest remainder)."""
    rows = []
    for year, label, n in bundled.cead_for(cut, full_years).itertuples(index=False):
        months = largest_remainder(int(n), bundled.monthly_profile().get(label, np.full(12, 1 / 12)))
        rows += [(int(year), m + 1, label, CEAD_CODE[label], int(c)) for m, c in enumerate(months)]
    return pd.DataFrame(rows, columns=["year", "month", "label", "category", "count"])
