"""Places of interest (every PlaceKind) and the commercial axes events gather on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from observatorio.analysis.projection import to_lonlat, to_metres

from . import bundled
from .territory import AreaPlan, Locator, sample_in, to_lonlat_geom


@dataclass(frozen=True)
class Axis:
    name: str
    line_m: object = field(repr=False)  # metric LineString inside the region


# Approximate traces of Peñalolén's main avenues (lon, lat), good to ~100 m.
PENALOLEN_AXES = (
    ("Av. Grecia", ((-70.5790, -33.4655), (-70.5650, -33.4668), (-70.5480, -33.4685), (-70.5340, -33.4700))),
    ("Av. José Arrieta", ((-70.5680, -33.4612), (-70.5500, -33.4630), (-70.5330, -33.4655))),
    ("Av. Tobalaba", ((-70.5640, -33.4620), (-70.5680, -33.4830), (-70.5735, -33.4960), (-70.5790, -33.5080))),
    ("Av. Consistorial", ((-70.5480, -33.4700), (-70.5490, -33.4890), (-70.5500, -33.5080))),
    ("Av. Quilín", ((-70.5850, -33.4900), (-70.5650, -33.4893), (-70.5490, -33.4890), (-70.5300, -33.4880))),
)

# Counts for a comuna of Peñalolén's size; other comunas scale with population.
PLACE_COUNTS = {
    "school": 60, "sports": 16, "green": 40, "commercial": 14, "health": 10,
    "alcohol": 90, "transport": 70,
}
PLACE_NAMES = {
    "school": "Establecimiento educacional {n} (ilustrativo)",
    "sports": "Recinto deportivo {n} (ilustrativo)",
    "green": "Plaza {n} (ilustrativa)",
    "commercial": "Zona comercial {n} (ilustrativa)",
    "health": "Centro de salud {n} (ilustrativo)",
    "alcohol": "Patente de alcoholes {n} (ilustrativa)",
    "transport": "Paradero {n} (ilustrativo)",
    "police": "Unidad policial {n} (ilustrativa)",
}
# Where each kind sits: share on the axes, the rest spread by population.
ON_AXES = {"school": 0.2, "sports": 0.0, "green": 0.0, "commercial": 0.9, "health": 0.4, "alcohol": 0.6,
           "transport": 0.85}


def axes_for(plan: AreaPlan, seed: int) -> list[Axis]:
    """Peñalolén's avenues; elsewhere four synthetic avenues through the urban area."""
    if plan.cut == "13122":
        raw = PENALOLEN_AXES
    else:
        rng = np.random.default_rng([seed, 31])
        minx, miny, maxx, maxy = plan.region_m.bounds
        cx, cy = plan.region_m.centroid.coords[0]
        span = max(maxx - minx, maxy - miny)
        raw = []
        for i, base in enumerate((0.0, 90.0, 35.0, 125.0)):
            angle = np.radians(base + rng.uniform(-15, 15))
            off = rng.uniform(-0.2, 0.2, 2) * span
            a = (cx + off[0] - span * np.cos(angle), cy + off[1] - span * np.sin(angle))
            b = (cx + off[0] + span * np.cos(angle), cy + off[1] + span * np.sin(angle))
            line = to_lonlat_geom(shapely.LineString([a, b]), plan.epsg)
            raw.append((f"Eje comercial {i + 1} (ilustrativo)", tuple(line.coords)))
    axes = []
    for name, coords in raw:
        lon, lat = np.array(coords).T
        x, y, _ = to_metres(lon, lat, plan.epsg)
        line = shapely.intersection(shapely.LineString(np.column_stack([x, y])), plan.region_m.buffer(-30))
        if line.length > 300:
            axes.append(Axis(name, line))
    if not axes:  # a tiny region: its diagonal
        minx, miny, maxx, maxy = plan.region_m.bounds
        axes.append(Axis("Eje comercial (ilustrativo)", shapely.LineString([(minx, miny), (maxx, maxy)])))
    return axes


def points_on_axes(axes: list[Axis], n: int, rng: np.random.Generator, jitter_m: float) -> np.ndarray:
    """``n`` points along the axes (chosen by length) with Gaussian jitter."""
    lengths = np.array([a.line_m.length for a in axes])
    which = rng.choice(len(axes), size=n, p=lengths / lengths.sum())
    out = np.empty((n, 2))
    for i, axis in enumerate(axes):
        sel = which == i
        k = int(sel.sum())
        if k:
            pts = shapely.line_interpolate_point(axis.line_m, rng.uniform(0, axis.line_m.length, k))
            out[sel] = shapely.get_coordinates(pts)
    return out + rng.normal(0, jitter_m, (n, 2))


def background_points(plan: AreaPlan, uv_population, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points spread over the UVs in proportion to their population (uniform within a UV)."""
    if plan.blocks is not None:
        return plan.blocks.in_uv(uv_population, n, rng)
    pop = np.asarray(uv_population, float)
    per_uv = np.bincount(rng.choice(len(pop), size=n, p=pop / pop.sum()), minlength=len(pop))
    geoms = plan.uv_geometries_m()
    chunks = [sample_in(geoms[i], int(k), rng) for i, k in enumerate(per_uv) if k]
    pts = np.concatenate(chunks) if chunks else np.empty((0, 2))
    return pts[rng.permutation(len(pts))]


def places(plan: AreaPlan, uv_population, axes: list[Axis], seed: int, real: pd.DataFrame | None = None) -> pd.DataFrame:
    """Places of interest: kind, name, x, y (metres), lon, lat, area_code, prioritized, attributes.

    ``real`` (kind, name, lon, lat, attributes: the places of ``--geography``) replaces the drawn places of
    its kinds; the real ones stay where they are.
    """
    rng = np.random.default_rng([seed, 41])
    scale = max(float(np.sum(uv_population)) / 270_054, 0.05)
    locator = Locator(plan)
    frames = []
    real_kinds = set() if real is None else set(real["kind"])
    for kind, base in PLACE_COUNTS.items():
        if kind in real_kinds:
            continue
        n = max(2, int(round(base * scale)))
        n_axes = int(round(n * ON_AXES[kind]))
        pts = np.concatenate([points_on_axes(axes, n_axes, rng, 25.0),
                              background_points(plan, uv_population, n - n_axes, rng)])
        frames.append(pd.DataFrame({"kind": kind, "x": pts[:, 0], "y": pts[:, 1]}))
    if real is None:  # with --geography, the folder's Carabineros units come with the real places
        police = bundled.police_units(plan.cut)
        if len(police):
            x, y, _ = to_metres(police["lon"].to_numpy(), police["lat"].to_numpy(), plan.epsg)
            frames.append(pd.DataFrame({"kind": "police", "x": x, "y": y, "name": [
                f"{k.title()} {n.title()}" for k, n in zip(police["kind"], police["name"])]}))
        else:
            pts = background_points(plan, uv_population, 3, rng)
            frames.append(pd.DataFrame({"kind": "police", "x": pts[:, 0], "y": pts[:, 1]}))
    frame = pd.concat(frames, ignore_index=True)
    if plan.blocks is not None:
        # Drawn places go onto city blocks (a plaza or a shop is not on a hill).
        frame[["x", "y"]] = plan.blocks.snap(frame["x"].to_numpy(), frame["y"].to_numpy(), rng)
    # Jitter can push a point off the urban area: pull it back onto the nearest UV.
    index = locator.uv_index(frame["x"], frame["y"])
    for i in np.flatnonzero(index < 0):
        geom = locator.geoms[int(np.argmin([g.distance(shapely.Point(frame.at[i, "x"], frame.at[i, "y"]))
                                            for g in locator.geoms]))]
        near = nearest_points(geom.buffer(-5) if geom.buffer(-5).area > 0 else geom,
                                          shapely.Point(frame.at[i, "x"], frame.at[i, "y"]))[0]
        frame.loc[i, ["x", "y"]] = near.x, near.y
    frame["area_code"] = locator.codes_for(locator.uv_index(frame["x"], frame["y"]))
    numbers = frame.groupby("kind").cumcount() + 1
    default_names = [PLACE_NAMES[k].format(n=n) for k, n in zip(frame["kind"], numbers)]
    if "name" in frame:
        frame["name"] = frame["name"].where(frame["name"].notna(), pd.Series(default_names))
    else:
        frame["name"] = default_names
    lon, lat = to_lonlat(frame["x"].to_numpy(), frame["y"].to_numpy(), plan.epsg)
    frame["lon"], frame["lat"] = lon.round(6), lat.round(6)
    frame["prioritized"] = rng.random(len(frame)) < 0.15
    frame["attributes"] = [{"ilustrativo": kind != "police"} for kind in frame["kind"]]
    if real is not None:
        x, y, _ = to_metres(real["lon"].to_numpy(), real["lat"].to_numpy(), plan.epsg)
        given = real.assign(x=x, y=y, area_code=locator.codes_for(locator.uv_index(x, y)),
                            prioritized=rng.random(len(real)) < 0.15,
                            attributes=[{**a, "ilustrativo": False} for a in real["attributes"]])
        frame = pd.concat([frame, given], ignore_index=True)
    return frame[["kind", "name", "x", "y", "lon", "lat", "area_code", "prioritized", "attributes"]]
