"""Illustrative macrosectors and unidades vecinales drawn inside a comuna.

Real UV boundaries of Peñalolén are not public in a usable form, so the demo
draws its own where people live: Voronoi cells of seeded points spread over the
urban footprint (k-means), clipped to footprint ∩ comuna, grouped into
contiguous macrosectors by Ward clustering constrained to neighbouring UVs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment

from observatorio.analysis.projection import _transformer, utm_epsg

from . import bundled

MACRO_NAMES = ("Norte", "Oriente", "Sur", "Poniente", "Centro")
_COMPASS = {"Norte": 90.0, "Oriente": 0.0, "Sur": 270.0, "Poniente": 180.0}
# Below this share of the comuna, a footprint is an artefact of the data (e.g. a
# rural comuna with one small urban zone), so the whole comuna is used instead.
MIN_FOOTPRINT_SHARE = 0.02


@dataclass(frozen=True)
class DrawnArea:
    code: str
    name: str
    level: str
    parent_code: str
    geometry: object = field(repr=False)  # WGS84
    area_m2: float = 0.0  # where people live: the UV's area, or its city blocks' with real geography
    illustrative: bool = True
    source: str = ""


@dataclass(frozen=True)
class AreaPlan:
    """The comuna, the region where people live, and the areas drawn in it."""

    cut: str
    name: str
    comuna: object = field(repr=False)  # WGS84 polygon (DPA 2023)
    region: object = field(repr=False)  # footprint ∩ comuna, WGS84
    region_m: object = field(repr=False)  # the same in metres
    epsg: int = 32719
    macrosectors: tuple[DrawnArea, ...] = ()
    uvs: tuple[DrawnArea, ...] = ()
    used_footprint: bool = True
    blocks: Blocks | None = None  # real city blocks (--geography): events and people fall on them


    def uv_geometries_m(self) -> list:
        return [to_metres_geom(uv.geometry, self.epsg) for uv in self.uvs]


@dataclass(frozen=True)
class Blocks:
    """City blocks in metres, each clipped to the UV that holds most of it (``uv``: index into the plan's UVs)."""

    geoms: np.ndarray = field(repr=False)
    uv: np.ndarray = field(repr=False)
    tree: object = field(repr=False)

    @classmethod
    def clip(cls, blocks_m, uv_geoms_m) -> Blocks:
        uv_tree = shapely.STRtree(uv_geoms_m)
        geoms, owner = [], []
        for block in blocks_m:
            hits = uv_tree.query(block, predicate="intersects")
            pieces = [_polygonal(shapely.make_valid(shapely.intersection(block, uv_geoms_m[i]))) for i in hits]
            if not pieces:
                continue
            best = int(np.argmax([p.area for p in pieces]))
            if pieces[best].area > 1.0:
                geoms.append(pieces[best])
                owner.append(int(hits[best]))
        geoms = np.array(geoms, dtype=object)
        for g in geoms:
            shapely.prepare(g)
        return cls(geoms, np.array(owner, dtype=np.int64), shapely.STRtree(geoms))

    def area(self) -> np.ndarray:
        return shapely.area(self.geoms)

    def sample(self, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A uniform random point inside each of the blocks ``which`` (vectorised rejection in their boxes)."""
        which = np.asarray(which, np.int64)
        out = np.empty((which.size, 2))
        bounds = shapely.bounds(self.geoms[which]) if which.size else np.empty((0, 4))
        todo = np.arange(which.size)
        while todo.size:
            b = bounds[todo]
            x = rng.uniform(b[:, 0], b[:, 2])
            y = rng.uniform(b[:, 1], b[:, 3])
            inside = shapely.contains_xy(self.geoms[which[todo]], x, y)
            out[todo[inside]] = np.column_stack([x[inside], y[inside]])
            todo = todo[~inside]
        return out

    def in_uv(self, uv_population, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points: a UV drawn by population, then one of its blocks by area, then a point inside it."""
        pop = np.asarray(uv_population, float)
        area = self.area()
        per_uv = np.bincount(self.uv, weights=area, minlength=pop.size)
        # A UV without blocks gets no one: its people are moved to the others.
        weights = np.where(per_uv > 0, pop, 0.0)
        block_weight = weights[self.uv] * area / np.maximum(per_uv[self.uv], 1e-9)
        which = rng.choice(len(self.geoms), size=n, p=block_weight / block_weight.sum())
        return self.sample(which, rng)

    def snap(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Points on a block stay; each other point moves to a random point of its nearest block."""
        pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
        src, _hit = self.tree.query(pts, predicate="intersects")
        on = np.zeros(len(pts), bool)
        on[src] = True
        out = np.column_stack([x, y]).astype(float)
        off = np.flatnonzero(~on)
        if off.size:
            _src, nearest = self.tree.query_nearest(pts[off], all_matches=False)
            out[off[_src]] = self.sample(nearest, rng)
        return out


def to_metres_geom(geom, epsg: int):
    tr = _transformer("EPSG:4326", f"EPSG:{epsg}")
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def to_lonlat_geom(geom, epsg: int):
    tr = _transformer(f"EPSG:{epsg}", "EPSG:4326")
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def sample_in(geom_m, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points (x, y) inside a metric polygon, by vectorised rejection."""
    minx, miny, maxx, maxy = geom_m.bounds
    shapely.prepare(geom_m)
    fill = max(geom_m.area / ((maxx - minx) * (maxy - miny)), 0.02)
    out, have = [], 0
    while have < n:
        m = int((n - have) / fill * 1.3) + 16
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(geom_m, x, y)
        out.append(np.column_stack([x[keep], y[keep]]))
        have += int(keep.sum())
    return np.concatenate(out)[:n]


def _polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _name_macrosectors(centres: np.ndarray, centre: np.ndarray) -> list[str]:
    """Compass names by direction from the comuna's centre; the group nearest it is Centro."""
    k = len(centres)
    names = list(MACRO_NAMES[:k]) if k <= 5 else [f"{i + 1}" for i in range(k)]
    if k != 5:
        return names
    offset = centres - centre
    middle = int(np.argmin(np.hypot(offset[:, 0], offset[:, 1])))
    rest = [i for i in range(k) if i != middle]
    angles = np.degrees(np.arctan2(offset[rest, 1], offset[rest, 0]))
    compass = list(_COMPASS)
    cost = np.array([[-np.cos(np.radians(a - _COMPASS[c])) for c in compass] for a in angles])
    rows, cols = linear_sum_assignment(cost)
    out = [""] * k
    out[middle] = "Centro"
    for r, c in zip(rows, cols):
        out[rest[r]] = compass[c]
    return out


def _group(uv_geoms: list, n_macro: int, region_m):
    """Contiguous macrosectors of UVs (Ward clustering of centroids, neighbours only), named by compass.

    Returns each UV's group label, the groups numbered north to south then west to east (each with its UVs
    in the same order) and the groups' names.
    """
    from sklearn.cluster import AgglomerativeClustering

    n_uv = len(uv_geoms)
    centroids = np.array([g.centroid.coords[0] for g in uv_geoms])
    touching = shapely.STRtree(uv_geoms)
    left, right = touching.query([g.buffer(1.0) for g in uv_geoms], predicate="intersects")
    connectivity = np.zeros((n_uv, n_uv), dtype=int)
    connectivity[left, right] = 1
    with warnings.catch_warnings():
        # A footprint in several pieces gives a disconnected graph; sklearn bridges it and warns.
        warnings.simplefilter("ignore")
        labels = AgglomerativeClustering(n_clusters=n_macro, connectivity=connectivity,
                                         linkage="ward").fit_predict(centroids)
    weights = np.array([g.area for g in uv_geoms])
    macro_centres = np.array([np.average(centroids[labels == k], axis=0, weights=weights[labels == k])
                              for k in range(n_macro)])
    names = _name_macrosectors(macro_centres, np.array(region_m.centroid.coords[0]))
    # Number macrosectors north to south, then west to east; UVs likewise within each.
    macro_order = sorted(range(n_macro), key=lambda k: (-round(macro_centres[k, 1], -2), macro_centres[k, 0]))
    order = [(k, sorted(np.flatnonzero(labels == k), key=lambda i: (-round(centroids[i, 1], -2), centroids[i, 0])))
             for k in macro_order]
    return labels, order, names


def draw_areas(cut: str, name: str, comuna_geom, seed: int, n_uv: int = 31, n_macro: int = 5) -> AreaPlan:
    """Draw ``n_uv`` UVs grouped into ``n_macro`` macrosectors inside the comuna's urban footprint."""
    from sklearn.cluster import KMeans

    if not 1 <= n_macro <= n_uv:
        raise ValueError(f"need 1 ≤ macrosectors ({n_macro}) ≤ UVs ({n_uv})")
    rng = np.random.default_rng([seed, 7])
    lon, lat = shapely.centroid(comuna_geom).coords[0]
    epsg = utm_epsg(lon, lat)
    comuna_geom = shapely.make_valid(comuna_geom)
    footprint = bundled.urban_footprint(cut)
    region, used = comuna_geom, False
    if footprint is not None:
        clipped = _polygonal(shapely.intersection(shapely.make_valid(footprint), comuna_geom))
        if not clipped.is_empty and clipped.area >= MIN_FOOTPRINT_SHARE * comuna_geom.area:
            region, used = clipped, True
    region_m = _polygonal(shapely.make_valid(to_metres_geom(region, epsg)))

    pts = sample_in(region_m, 6000, rng)
    km = KMeans(n_clusters=n_uv, n_init=3, random_state=int(rng.integers(2**31))).fit(pts)
    # Seeds must lie inside the region so that every clipped cell is non-empty.
    seeds = np.array([pts[np.argmin(((pts - c) ** 2).sum(1))] for c in km.cluster_centers_])
    envelope = shapely.box(*region_m.buffer(5000).bounds)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=envelope, ordered=True)
    uv_geoms = [_polygonal(shapely.make_valid(shapely.intersection(cell, region_m))) for cell in cells.geoms]
    # Straight edges in degrees bend in metres, so clip again in degrees: UVs then lie exactly in the comuna.
    uv_ll = [_polygonal(shapely.make_valid(shapely.intersection(to_lonlat_geom(g, epsg), region))) for g in uv_geoms]

    labels, order, names = _group(uv_geoms, n_macro, region_m)
    macros, uvs, number = [], [], 0
    for m_index, (k, members) in enumerate(order, start=1):
        m_code = f"{cut}-M{m_index}"
        for i in members:
            number += 1
            uvs.append(DrawnArea(f"{cut}-UV{number:02d}", f"UV {number:02d} (ilustrativa)", "uv", m_code,
                                 uv_ll[i], float(uv_geoms[i].area)))
        union = shapely.union_all([uv_ll[i] for i in members])
        macros.append(DrawnArea(m_code, f"Macrosector {names[k]}", "macrosector", str(cut), union,
                                float(sum(uv_geoms[i].area for i in members))))
    region_m = _polygonal(shapely.make_valid(to_metres_geom(region, epsg)))
    return AreaPlan(str(cut), name, comuna_geom, region, region_m, epsg, tuple(macros), tuple(uvs), used)


def real_areas(cut: str, name: str, comuna_geom, geography, n_macro: int = 5) -> AreaPlan:
    """The real UVs of ``geography`` (codes ``<cut>-UV<nn>`` from their numbers), grouped into ``n_macro``
    illustrative macrosectors of neighbouring UVs, with the real city blocks."""
    uv_ll = list(geography.uv_geometries)
    if not 1 <= n_macro <= len(uv_ll):
        raise ValueError(f"need 1 ≤ macrosectors ({n_macro}) ≤ UVs ({len(uv_ll)})")
    lon, lat = shapely.centroid(comuna_geom).coords[0]
    epsg = utm_epsg(lon, lat)
    comuna_geom = shapely.make_valid(comuna_geom)
    region = _polygonal(shapely.make_valid(shapely.union_all(uv_ll)))
    region_m = _polygonal(shapely.make_valid(to_metres_geom(region, epsg)))
    uv_geoms = [to_metres_geom(g, epsg) for g in uv_ll]
    blocks = Blocks.clip([to_metres_geom(b, epsg) for b in geography.blocks], uv_geoms)
    lived = np.bincount(blocks.uv, weights=blocks.area(), minlength=len(uv_geoms))
    _labels, order, names = _group(uv_geoms, n_macro, region_m)
    macros, uvs = [], []
    source = "Unidades vecinales reales (cartografía MDSF)"
    for m_index, (k, members) in enumerate(order, start=1):
        m_code = f"{cut}-M{m_index}"
        for i in sorted(members, key=lambda i: geography.uv_numbers[i]):
            label = geography.uv_names[i]
            uvs.append(DrawnArea(f"{cut}-UV{geography.uv_numbers[i]:02d}",
                                 f"UV {label}" if label.isdigit() else label, "uv", m_code, uv_ll[i],
                                 float(lived[i]), illustrative=False, source=source))
        union = shapely.union_all([uv_ll[i] for i in members])
        macros.append(DrawnArea(m_code, f"Macrosector {names[k]} (ilustrativo)", "macrosector", str(cut), union,
                                float(lived[members].sum()), source="Agrupación ilustrativa de UV reales"))
    uvs.sort(key=lambda a: a.code)
    return AreaPlan(str(cut), name, comuna_geom, region, region_m, epsg, tuple(macros), tuple(uvs), True, blocks)


class Locator:
    """Point → UV code for metric coordinates, vectorised through an STRtree."""

    def __init__(self, plan: AreaPlan):
        self.codes = np.array([uv.code for uv in plan.uvs] + [None], dtype=object)
        self.geoms = plan.uv_geometries_m()
        self.tree = shapely.STRtree(self.geoms)
        self.comuna_m = to_metres_geom(plan.comuna, plan.epsg)
        shapely.prepare(self.comuna_m)

    def uv_index(self, x, y) -> np.ndarray:
        """Index of the UV holding each point, or -1 (first match on a shared edge)."""
        x = np.asarray(x, float)
        out = np.full(x.size, -1, dtype=np.int64)
        if x.size == 0:
            return out
        points = shapely.points(x, np.asarray(y, float))
        src, hit = self.tree.query(points, predicate="intersects")
        # Reverse so the first match wins when a point lies on a shared edge.
        out[src[::-1]] = hit[::-1]
        return out

    def codes_for(self, index: np.ndarray) -> np.ndarray:
        return self.codes[np.where(index < 0, len(self.codes) - 1, index)]

    def in_comuna(self, x, y) -> np.ndarray:
        return shapely.contains_xy(self.comuna_m, np.asarray(x, float), np.asarray(y, float))
