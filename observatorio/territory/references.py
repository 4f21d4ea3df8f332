"""Import a reference layer (streets, city blocks, …) from GeoJSON, GeoPackage or Shapefile.

The file is read as the boundaries are (:func:`.importers.read_features`: any CRS, brought to WGS84), every
feature is checked (a geometry of the layer's kind, a name when the kind needs one) and, with ``commit``, the
layer is written in one transaction, replacing the one of the same name (its version goes up). A dry run
writes nothing. The map draws it under everything (``dashboard/layers/references.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from observatorio.errors import UserError
from observatorio.importing import Issue, Report, raise_errors

from .importers import _check_fields, read_features
from .models import ReferenceKind, ReferenceLayer

# The geometries each kind takes (GeoJSON type names, multi-part included).
GEOMETRIES = {ReferenceKind.STREETS: ("LineString", "MultiLineString"),
              ReferenceKind.BLOCKS: ("Polygon", "MultiPolygon")}
DECIMALS = 6  # about 0.1 m: the precision kept in WGS84


@dataclass
class ReferenceSummary:
    path: str
    name: str
    kind: str
    read: int
    valid: int
    named: int
    version: int
    committed: bool = False

    def report(self) -> Report:
        """The one shape every import reports in (:class:`observatorio.importing.Report`)."""
        return Report(kind="reference", file=self.path, read=self.read, valid=self.valid,
                      written=self.valid, committed=self.committed,
                      details={"name": self.name, "kind": self.kind, "named": self.named, "version": self.version})


def parse_kind(value: str) -> ReferenceKind:
    try:
        return ReferenceKind(value)
    except ValueError:
        raise UserError(_("tipo de capa desconocido «%(kind)s»; use uno de: %(kinds)s")
                        % {"kind": value, "kinds": ", ".join(ReferenceKind.values)}) from None


def import_reference(path, kind: str, name_field: str | None = None, *, name: str | None = None,
                     commit: bool = False, layer: str | None = None, crs: str | None = None) -> ReferenceSummary:
    """Check a reference file and, with ``commit``, store it as the layer ``name`` (default: the file's stem)."""
    kind = parse_kind(kind)
    path = Path(path)
    frame = read_features(path, layer=layer, crs=crs)
    file = path.name
    if name_field:
        _check_fields(frame, file, [name_field])
    allowed = GEOMETRIES.get(kind)
    problems, features = [], []
    for row, (geom, label) in enumerate(zip(frame.geometry, frame[name_field] if name_field else [None] * len(frame)),
                                        start=1):
        if geom is None or geom.is_empty:
            problems.append(Issue(file, row, "geometry", "", f"feature {row} of {file} has no geometry: remove the feature or draw "
                                  "its geometry",
                                  "remove the feature or draw its geometry", code="empty_geometry"))
            continue
        if allowed and geom.geom_type not in allowed:
            problems.append(Issue(file, row, "geometry", geom.geom_type,
                                  f"feature {row} of {file} is a {geom.geom_type}; a layer of {kind.value} takes "
                                  f"{' or '.join(allowed)}: import it with --kind other, or fix the file", "import it with --kind other, or fix the file",
                                  code="wrong_geometry"))
            continue
        text = "" if label is None or label != label else str(label).strip()  # NaN is not a name
        geom = shapely.set_precision(geom, 10 ** -DECIMALS)
        features.append({"type": "Feature", "properties": {"name": text},
                         "geometry": json.loads(shapely.to_geojson(geom))})
    wrong = [i for i in problems if i.code == "wrong_geometry"]
    if len(wrong) > 3:  # one line for a file of the wrong kind, not one per feature
        types = sorted({i.value for i in wrong})
        problems = [i for i in problems if i.code != "wrong_geometry"] + [Issue(
            file, wrong[0].row, "geometry", ", ".join(types),
            f"{len(wrong)} features of {file} (the first: feature {wrong[0].row}) are {' or '.join(types)}; a layer "
            f"of {kind.value} takes {' or '.join(allowed)}: import it with --kind other, or fix the file",
            "import it with --kind other, or fix the file", code="wrong_geometry")]
    raise_errors(problems)
    if not features:
        raise UserError(_("%(file)s no tiene elementos que importar") % {"file": file})
    label = name or path.stem
    held = ReferenceLayer.objects.filter(name=label).first()
    summary = ReferenceSummary(file, label, kind.value, len(frame), len(features),
                               sum(1 for f in features if f["properties"]["name"]), (held.version + 1) if held else 1)
    if commit:
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                          separators=(",", ":"))
        with transaction.atomic():
            if held is not None:  # a new row, not an update: the data state's territory key moves
                held.delete()
            ReferenceLayer.objects.create(name=label, kind=kind.value, name_field=name_field or "", source=file,
                                          features=len(features), geojson=body, version=summary.version)
        summary.committed = True
    return summary
