"""Import area boundaries from GeoJSON, GeoPackage or Shapefile.

Everything is checked before anything is written (fields, CRS, every geometry,
duplicate codes, parents) and the writes happen in one transaction, so a bad
file leaves the database exactly as it was. Unlike MapIt's importer, which
commits feature by feature, a failure at feature 500 keeps nothing.

A boundary that changes is never overwritten: the current version is closed
on the new one's ``valid_from`` and a new version opens, so rates for past
periods keep the boundaries they were computed with.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from observatorio.errors import UserError
from observatorio.importing import Issue, Report, raise_errors

from .geometry import clean_polygon, geodesic_km2
from .models import HIERARCHY, Area, Boundary, Level

# A feature whose best parent holds less than this share of it is reported as
# outside every parent rather than forced into a neighbour it only grazes.
MIN_PARENT_SHARE = 0.5

OPEN_START = dt.date(1900, 1, 1)


@dataclass
class ImportSummary:
    """What an import did, or would do in a dry run."""

    path: str
    level: str
    read: int
    selected: int
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    parents: dict[str, str | None] = field(default_factory=dict)
    outside_parent: list[str] = field(default_factory=list)
    committed: bool = False

    def report(self) -> Report:
        """The one shape every import reports in (`observatorio.importing.Report`)."""
        return Report(kind="boundaries", file=self.path, read=self.read, valid=self.selected,
                      written=len(self.created) + len(self.new_versions), committed=self.committed,
                      details={"level": self.level, "created": self.created, "new_versions": self.new_versions,
                               "unchanged": self.unchanged, "renamed": self.renamed,
                               "outside_parent": self.outside_parent})


def _short(items, limit: int = 10) -> str:
    items = list(items)
    text = ", ".join(str(i) for i in items[:limit])
    return text + (f", … and {len(items) - limit} more" if len(items) > limit else "")


def normalise_code(value) -> str:
    """A code as text; ``13122.0`` read from a numeric column becomes ``"13122"``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value).strip()


def parse_level(value: str, what: str = "") -> Level:
    what = what or _("nivel")
    try:
        return Level(value)
    except ValueError:
        raise UserError(_("%(what)s desconocido: «%(value)s»; los niveles son: %(levels)s")
                        % {"what": what, "value": value, "levels": ", ".join(Level.values)}) from None


def default_parent_level(level: Level) -> Level | None:
    """The level above in the main hierarchy; other levels hang from the comuna."""
    if level == Level.COMUNA:
        return None
    if level in HIERARCHY:
        return HIERARCHY[HIERARCHY.index(level) - 1]
    return Level.COMUNA


def read_features(path, layer: str | None = None, crs: str | None = None):
    """The file as a GeoDataFrame in EPSG:4326, or ValueError saying how to fix it."""
    import geopandas as gpd
    import pyogrio
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    path = Path(path)
    name = path.name
    if not path.exists():
        raise UserError(_("no existe el archivo %(path)s") % {"path": path})
    if layer is not None:
        try:
            layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        except Exception as exc:  # noqa: BLE001 - GDAL raises several kinds for unreadable files
            raise UserError(_("no se puede leer %(name)s: %(error)s") % {"name": name, "error": exc}) from None
        if layer not in layers:
            raise UserError(_("%(name)s no tiene la capa «%(layer)s»; sus capas son: %(layers)s")
                            % {"name": name, "layer": layer, "layers": ", ".join(layers)})
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001
        raise UserError(_("no se puede leer %(name)s: %(error)s; ¿es un GeoJSON, GeoPackage o Shapefile?")
                        % {"name": name, "error": exc}) from None
    if crs is not None:
        try:
            override = CRS.from_user_input(crs)
        except CRSError:
            raise UserError(_("sistema de coordenadas desconocido «%(crs)s»; indíquelo como código EPSG, p. ej. "
                              "EPSG:32719") % {"crs": crs}) from None
        frame = frame.set_crs(override, allow_override=True)
    if frame.crs is None:
        raise UserError(_("%(name)s no tiene sistema de coordenadas: defínalo (.prj) o indique --crs EPSG:32719 (el "
                          "de sus coordenadas)") % {"name": name})
    if not frame.crs.equals(CRS.from_epsg(4326)):
        frame = frame.to_crs(4326)
    return frame


def _check_fields(frame, name: str, wanted: list[str]) -> None:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    raise_errors([Issue(name, 0, f, ", ".join(columns), f"no field {f!r} in {name}; fields are: {', '.join(columns)}",
                        "name one of the file's fields", code="missing_column")
                  for f in dict.fromkeys(wanted) if f not in columns])


def _select(frame, name: str, where: dict[str, str] | None):
    """Rows matching every FIELD = VALUE of ``where``, compared as codes (so 13122 matches '13122')."""
    keep = pd.Series(True, index=frame.index)
    for fld, value in (where or {}).items():
        column = frame[fld].map(normalise_code)
        match = column == normalise_code(value)
        if not match.any():
            seen = _short(sorted(set(column) - {""}), 5)
            raise UserError(_("ningún elemento de %(name)s tiene %(field)s = «%(value)s»; valores, p. ej.: %(seen)s")
                            % {"name": name, "field": fld, "value": value, "seen": seen})
        keep &= match
    if not keep.any():
        raise UserError(_("ningún elemento de %(name)s cumple a la vez %(where)s") % {"name": name, "where": where})
    return keep


def _same_shape(a, b) -> bool:
    if shapely.equals(a, b):
        return True
    # Re-reading and reprojecting a file can move vertices in the last bits.
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-9))


def _parents_by_field(rows, parent_level: Level, problems: list[Issue], name: str) -> dict[str, Area | None]:
    wanted = {r["parent_code"] for r in rows if r["parent_code"]}
    found = {a.code: a for a in Area.objects.filter(level=parent_level, code__in=wanted)}
    existing = list(Area.objects.filter(level=parent_level).values_list("code", flat=True)[:11])
    out = {}
    for r in rows:
        pc = r["parent_code"]
        if not pc:
            problems.append(Issue(name, r["n"], "", "",
                                  f"{name} feature {r['n']} (code {r['code']}): empty parent code",
                                  "give the feature its parent's code", code="empty_parent"))
        elif pc not in found:
            problems.append(Issue(name, r["n"], "", pc, f"{name} feature {r['n']} (code {r['code']}): no "
                                  f"{parent_level} with code {pc!r}; existing {parent_level} codes: "
                                  f"{_short(existing) or 'none yet'}",
                                  f"use an existing {parent_level} code, or import that level first",
                                  code="unknown_parent"))
        out[r["code"]] = found.get(pc)
    return out


def _parents_by_space(rows, parent_level: Level, valid_from, name: str) -> tuple[dict[str, Area | None], list[str]]:
    in_force = Boundary.in_force(valid_from) if valid_from else Boundary.objects.filter(valid_to__isnull=True)
    boundaries = list(in_force.filter(area__level=parent_level).select_related("area"))
    if not boundaries:
        hint = (_("configure primero la comuna (observatorio territory comuna CUT)") if parent_level == Level.COMUNA
                else _("importe primero el nivel %(level)s") % {"level": parent_level})
        raise UserError(_("no hay áreas de nivel %(level)s donde ubicar los elementos de %(name)s; %(hint)s, o indique "
                          "parent_field (--parent-field)") % {"level": parent_level, "name": name, "hint": hint})
    shapes = [b.shape for b in boundaries]
    tree = shapely.STRtree(shapes)
    out, outside = {}, []
    for r in rows:
        geom = r["geom"]
        best, best_share = None, 0.0
        for j in tree.query(geom, predicate="intersects"):
            # Shares of lon/lat areas: the distortion cancels within one small feature.
            share = shapely.intersection(geom, shapes[j]).area / geom.area
            if share > best_share:
                best, best_share = boundaries[j].area, share
        if best_share < MIN_PARENT_SHARE:
            outside.append(r["code"])
            best = None
        out[r["code"]] = best
    return out, outside


def import_boundaries(path, level, code_field: str, name_field: str, parent_field: str | None = None,
                      parent_level=None, valid_from: dt.date | None = None, commit: bool = False,
                      source_label: str | None = None, *, layer: str | None = None, crs: str | None = None,
                      where: dict[str, str] | None = None) -> ImportSummary:
    """Load the areas of ``level`` from a boundary file, all or nothing.

    Parameters
    ----------
    path : GeoJSON, GeoPackage (``layer`` picks the layer) or Shapefile.
    code_field, name_field : attribute columns holding each area's code and name.
    parent_field, parent_level : the parent's code column, matched against existing areas of
        ``parent_level``. Without ``parent_field`` each area goes to the existing area of
        ``parent_level`` (default: the level above in HIERARCHY, else the comuna) holding the
        largest share of it; features with less than half inside any are listed in
        ``outside_parent`` and left without parent.
    valid_from : start of the boundaries. A new area without it is valid from 1900-01-01;
        an area whose boundary changed needs it, and its current version is closed then.
    commit : write; by default (False) a dry run that validates and reports what it would write.
    crs : the CRS the coordinates are in, overriding the file's (or supplying a missing one).
    where : only features whose field equals the value, e.g. ``{"codigo_comuna": "13122"}``.
    """
    level = parse_level(level)
    if parent_level is not None:
        parent_level = parse_level(parent_level, _("nivel superior"))
    else:
        parent_level = default_parent_level(level)
    if parent_field and parent_level is None:
        raise UserError(_("una comuna no tiene nivel superior; indique parent_level (--parent-level) con "
                          "parent_field"))
    if parent_level is not None and parent_level == level:
        raise UserError(_("un área no puede ser su propio nivel superior (%(level)s)") % {"level": level})

    path = Path(path)
    name = path.name
    frame = read_features(path, layer=layer, crs=crs)
    _check_fields(frame, name, [code_field, name_field] + ([parent_field] if parent_field else [])
                  + list((where or {}).keys()))
    keep = _select(frame, name, where)

    problems: list[Issue] = []
    rows = []
    positions: dict[str, list[int]] = {}
    for n, (take, code, label, geom, pcode) in enumerate(zip(
            keep, frame[code_field], frame[name_field], frame.geometry,
            frame[parent_field] if parent_field else [None] * len(frame)), start=1):
        if not take:
            continue
        code = normalise_code(code)
        if not code:
            problems.append(Issue(name, n, code_field, "", f"{name} feature {n}: empty code in field {code_field!r}; "
                                  f"every area needs a code", "give every area a code", code="empty_code"))
            continue
        positions.setdefault(code, []).append(n)
        where_text = f"{name} feature {n} (code {code})"
        if geom is None or geom.is_empty:
            problems.append(Issue(name, n, "geometry", code, f"{where_text}: empty geometry; draw its boundary or "
                                  f"remove the feature", "draw its boundary or remove the feature",
                                  code="empty_geometry"))
            continue
        try:
            geom = clean_polygon(geom, where_text)
        except ValueError as exc:
            problems.append(Issue(name, n, "geometry", code, str(exc), "repair the polygon in a GIS and export again",
                                  code="bad_geometry"))
            continue
        label = normalise_code(label) or code
        rows.append({"n": n, "code": code, "name": label, "geom": geom, "parent_code": normalise_code(pcode)})
    duplicates = {c: ns for c, ns in positions.items() if len(ns) > 1}
    if duplicates:
        listed = ", ".join(f"{c} (features {', '.join(map(str, ns))})" for c, ns in duplicates.items())
        problems.append(Issue(name, next(iter(duplicates.values()))[1], code_field, next(iter(duplicates)),
                              f"duplicate codes in {name}: {listed}; every area needs its own code",
                              "every area needs its own code", code="duplicate_code"))
    raise_errors(problems)

    summary = ImportSummary(path=name, level=str(level), read=len(frame), selected=int(keep.sum()))
    source = source_label or name
    with transaction.atomic():
        if parent_level is None:
            parents = {r["code"]: None for r in rows}
        elif parent_field:
            parents = _parents_by_field(rows, parent_level, problems, name)
        else:
            parents, summary.outside_parent = _parents_by_space(rows, parent_level, valid_from, name)
        summary.parents = {c: (p.code if p else None) for c, p in parents.items()}

        existing = {a.code: a for a in Area.objects.filter(level=level, code__in=[r["code"] for r in rows])}
        current = {}
        for b in Boundary.objects.filter(area__in=existing.values()).order_by("area", "valid_from"):
            current[b.area_id] = b  # ordered, so the latest version wins
        plan = []
        for r in rows:
            area = existing.get(r["code"])
            last = current.get(area.pk) if area else None
            if area is None or last is None:
                plan.append(("create" if area is None else "version", r, area, None))
            elif _same_shape(last.shape, r["geom"]):
                plan.append(("same", r, area, last))
            elif valid_from is None:
                problems.append(Issue(name, r["n"], "geometry", r["code"],
                                      f"{level} {r['code']} already has a different boundary (in force since "
                                      f"{last.valid_from.isoformat()}); pass valid_from (--valid-from YYYY-MM-DD) "
                                      f"to start a new version", "pass --valid-from YYYY-MM-DD",
                                      code="boundary_changed"))
            elif valid_from <= last.valid_from:
                problems.append(Issue(name, r["n"], "geometry", r["code"],
                                      f"{level} {r['code']}: the new boundary must start after the current one "
                                      f"({last.valid_from.isoformat()}); got valid_from {valid_from.isoformat()}",
                                      f"pass a --valid-from after {last.valid_from.isoformat()}",
                                      code="version_too_early"))
            else:
                plan.append(("version", r, area, last))
        raise_errors(problems)

        for action, r, area, last in plan:
            code, parent = r["code"], parents[r["code"]]
            if action == "create":
                summary.created.append(code)
            elif action == "version":
                summary.new_versions.append(code)
            else:
                summary.unchanged.append(code)
            if area is not None and area.name != r["name"]:
                summary.renamed.append(code)
            if not commit:
                continue
            if area is None:
                area = Area.objects.create(level=level, code=code, name=r["name"], parent=parent, source=source)
            elif area.name != r["name"] or area.parent_id != (parent.pk if parent else None):
                area.name, area.parent = r["name"], parent
                area.save(update_fields=["name", "parent"])
            if action == "same":
                continue
            start = valid_from or OPEN_START
            if last is not None:
                last.valid_to = start
                last.save(update_fields=["valid_to"])
            boundary = Boundary(area=area, valid_from=start, source=source)
            boundary.set_shape(r["geom"], geodesic_km2(r["geom"]))
            boundary.save()
        summary.committed = commit
    return summary
