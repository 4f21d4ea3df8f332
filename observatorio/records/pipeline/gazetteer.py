"""Load the municipal address gazetteer (street, number → coordinates) from any table file.

Either a street column and a number column, or one address column
("Av. Grecia 8010") that is split the same way event addresses are. Rows
whose number or coordinates cannot be read are skipped and counted with
their first errors; the rest is written in one transaction, replacing the
previous gazetteer when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from observatorio.errors import N_, Text
from observatorio.importing import Issue, Report
from observatorio.tables import parsing
from observatorio.tables.readers import ReadError, read_table

from .geocode import normalise_street, split_address, street_core
from .issues import ImportFailed, unreadable
from .names import name_key

CANDIDATES = {
    "street": ["calle", "nombre calle", "via", "nombre via", "street"],
    "number": ["numero", "nro", "numeracion", "altura", "number"],
    "address": ["direccion", "domicilio", "address"],
    "lon": ["lon", "longitud", "x", "este", "coord x"],
    "lat": ["lat", "latitud", "y", "norte", "coord y"],
}


@dataclass
class GazetteerResult:
    file: str
    read: int
    loaded: int
    skipped: int
    committed: bool
    issues: list[Issue] = field(default_factory=list)  # the first 20 of each kind; ``skipped`` counts them all

    def report(self) -> Report:
        """The one shape every import reports in (`observatorio.importing.Report`)."""
        return Report(kind="gazetteer", file=self.file, read=self.read, valid=self.loaded, written=self.loaded,
                      committed=self.committed, issues=self.issues, details={"skipped": self.skipped})


def _find(columns, explicit, role, file):
    if explicit:
        if explicit not in columns:
            raise ImportFailed(file, Text(N_("no hay una columna «%(column)s» en %(file)s; las columnas son: "
                                             "%(columns)s"), column=explicit, file=file,
                                          columns=", ".join(f"«{c}»" for c in columns)),
                               Text(N_("indique en --%(role)s-column una de ellas"), role=role))
        return explicit
    keys = {name_key(c): c for c in columns}
    return next((keys[c] for c in CANDIDATES[role] if c in keys), None)


def load_gazetteer(path, *, street_column=None, number_column=None, address_column=None, lon_column=None,
                   lat_column=None, crs: str | None = None, replace: bool = False, commit: bool = False,
                   source: str | None = None) -> GazetteerResult:
    from django.db import transaction

    from observatorio.records.models import AddressPoint

    from .areas import AreaIndex

    try:
        table = read_table(path)
    except ReadError as exc:
        raise unreadable(exc.file, exc) from None
    cols = table.columns
    street = _find(cols, street_column, "street", table.file)
    number = _find(cols, number_column, "number", table.file)
    address = _find(cols, address_column, "address", table.file) if not (street and number) else None
    lon = _find(cols, lon_column, "lon", table.file)
    lat = _find(cols, lat_column, "lat", table.file)
    listed = ", ".join(f"«{c}»" for c in cols)
    if not ((street and number) or address):
        raise ImportFailed(table.file, Text(N_("no hay columnas de calle y número (ni una de dirección) en %(file)s; "
                                               "las columnas son: %(columns)s"), file=table.file, columns=listed),
                           N_("indique --street-column y --number-column"))
    if not (lon and lat):
        raise ImportFailed(table.file, Text(N_("no hay columnas de coordenadas en %(file)s; las columnas son: "
                                               "%(columns)s"), file=table.file, columns=listed),
                           N_("indique --lon-column y --lat-column"))
    frame = table.frame
    lon_p, lat_p = parsing.parse_coordinate_columns(frame[lon], frame[lat], crs=crs)
    issues, bad = [], ~(lon_p.values.notna() & lat_p.values.notna()).to_numpy()
    for i in np.flatnonzero(lon_p.invalid.to_numpy())[:20]:
        error = lon_p.errors[frame.index[i]]
        issues.append(Issue(table.file, int(table.row_numbers[i]), f"{lon}/{lat}",
                            f"{frame[lon].iloc[i]} {frame[lat].iloc[i]}",
                            f"row {table.row_numbers[i]}: {error.message}",
                            error.fix, "bad_coordinates"))
    if street and number:
        streets = [normalise_street(s) for s in frame[street].tolist()]
        parsed = parsing.parse_numbers(frame[number])
        numbers = parsed.values.to_numpy()
        labels = frame[street].str.strip().tolist()
    else:
        split = [split_address(a) for a in frame[address].tolist()]
        streets = [s for s, _ in split]
        numbers = np.asarray([np.nan if n is None else n for _, n in split], dtype=np.float64)
        labels = [s.title() for s in streets]
    bad_number = ~np.isfinite(numbers) | (numbers < 0) | (np.floor(np.nan_to_num(numbers)) != numbers)
    for i in np.flatnonzero(bad_number & ~bad)[:20]:
        issues.append(Issue(table.file, int(table.row_numbers[i]), number or address, "",
                            f"row {table.row_numbers[i]}: no street number",
                            "give the address its number, or leave the row out", "no_street_number"))
    bad |= bad_number
    bad |= np.asarray([not s for s in streets], dtype=bool)
    keep = np.flatnonzero(~bad)
    result = GazetteerResult(table.file, len(table), len(keep), int(bad.sum()), commit, issues)
    if not commit:
        return result
    xs, ys = lon_p.values.to_numpy()[keep], lat_p.values.to_numpy()[keep]
    index = AreaIndex()
    area, _ = index.assign(xs, ys, np.full(len(keep), np.datetime64(dt.date.today(), "D")))
    with transaction.atomic():
        if replace:
            AddressPoint.objects.all().delete()
        AddressPoint.objects.bulk_create([
            AddressPoint(street=labels[i][:200], street_normalised=streets[i][:200],
                         street_core=street_core(streets[i])[:200], number=int(numbers[i]), lon=float(x),
                         lat=float(y), area_id=int(a) if a >= 0 else None, source=(source or table.file)[:200])
            for i, x, y, a in zip(keep.tolist(), xs.tolist(), ys.tolist(), area.tolist())
        ], batch_size=5000)
    return result
