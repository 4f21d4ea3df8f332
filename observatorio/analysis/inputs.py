"""Read an analyst's file (GeoJSON, GeoPackage, Shapefile, CSV, Parquet) into a frame the statistics take.

Everything here raises ``UserError`` (a ``ValueError``) naming the file and, when a column is
missing, the columns that do exist, so a command line can print one line and
the analyst knows what to type instead. Coordinates come out in ground metres
(``projection.planar``: the file's own CRS when it measures ground metres, else
the data's UTM zone), because grids, distances and bandwidths are metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.analysis.projection import WGS84, planar, to_lonlat, utm_epsg
from observatorio.errors import N_, Text, UserError, as_text
from observatorio.tables.parsing import (
    CHILE_BOUNDS,
    ORDER_PATTERN,
    DateOrder,
    _shown,
    date_order,
    parse_dates,
    parse_numbers,
    parse_times,
)
from observatorio.tables.readers import ReadError
from observatorio.tables.readers import read_table as read_raw

# Anything but digits, signs, marks, "$", exponents and spaces (literal, so pandas stays vectorised).
_NOT_IN_NUMBERS = "[^0-9.,+$eE \t\u00a0\u202f-]"
_SAMPLE = 200  # first filled cells tried before a whole column is parsed: "2024-01-01" fails there

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
TABLE_SUFFIXES = (".csv", ".txt", ".parquet", ".geoparquet")
SUFFIXES = VECTOR_SUFFIXES + TABLE_SUFFIXES

# Tried in order, case-insensitively, when the caller names no coordinate columns.
COORDINATE_PAIRS = (
    ("lon", "lat"), ("lng", "lat"), ("long", "lat"), ("longitude", "latitude"), ("longitud", "latitud"),
    ("x", "y"), ("este", "norte"), ("easting", "northing"), ("coord_x", "coord_y"),
)

@dataclass(frozen=True, eq=False)
class Points:
    """Point coordinates in metres and the rows of the file they come from (rows without a location dropped)."""

    x: np.ndarray
    y: np.ndarray
    epsg: int
    frame: pd.DataFrame
    dropped: int
    """Rows without usable coordinates (empty, NaN), left out."""
    rows: np.ndarray | None = None
    """Row number in the file (1 = first data row) of each point kept, aligned with ``frame``."""
    dropped_rows: np.ndarray | None = None
    """Row numbers of the rows left out for want of a location."""
    source_crs: str = WGS84
    """The CRS the file's coordinates are in (``EPSG:3857``…); ``epsg`` is the metric CRS used."""
    reprojected: bool = True
    """The coordinates were brought into ``epsg`` (degrees, or a CRS that does not measure ground metres)."""
    zones: int = 1
    """UTM zones the points span (see :class:`observatorio.analysis.projection.Planar`)."""
    scale_error: float = 0.0
    """Largest departure from 1 of ``epsg``'s scale at the points' extremes."""

    @property
    def crs(self) -> str:
        """The metric CRS used, as ``EPSG:32719``."""
        return f"EPSG:{self.epsg}"


def _name(path) -> str:
    return Path(path).name


def _missing(path, column: str, frame: pd.DataFrame) -> UserError:
    columns = [c for c in frame.columns if c != "geometry"]
    return UserError(N_("%(file)s: no se encontró la columna %(column)s; las columnas son: %(value)s"),
                     file=_name(path), column=repr(column), value=', '.join(map(str, columns)))


def read_table(path, *, layer: str | None = None) -> pd.DataFrame:
    """The file as a DataFrame, or a GeoDataFrame when it holds geometries.

    Parameters
    ----------
    path : str or Path
        ``.geojson``/``.json``, ``.gpkg``, ``.shp``, ``.csv``/``.txt`` (as
        :func:`read_csv` reads them) or ``.parquet``/``.geoparquet``
        (GeoParquet when it carries geometry metadata).
    layer : str, optional
        Layer of a GeoPackage (default: its first layer).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame

    Examples
    --------
    >>> read_table("zonas.xlsx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    observatorio.errors.UserError: zonas.xlsx: unknown file type '.xlsx'; allowed: .geojson, .json, ...
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(N_("%(name)s: tipo de archivo desconocido %(value)s; se admiten: %(value2)s"),
                        name=path.name, value=repr(suffix) if suffix else Text(N_("(ninguno)")),
                        value2=', '.join(SUFFIXES))
    if not path.is_file():
        raise UserError(N_("%(path)s: no existe el archivo"), path=path)
    if suffix in (".csv", ".txt"):
        frame = read_csv(path)
    else:
        frame = _read_other(path, suffix, layer)
    if not len(frame):
        raise UserError(N_("%(name)s: el archivo no tiene filas de datos (solo un encabezado, o ningún elemento); "
                           "revise que sea el archivo correcto y que se exportó completo"),
                        name=path.name)
    return frame


def _read_other(path: Path, suffix: str, layer: str | None) -> pd.DataFrame:
    try:
        if suffix in (".parquet", ".geoparquet"):
            return _read_parquet(path)
        import geopandas as gpd

        return gpd.read_file(path, layer=layer)
    except ValueError as exc:
        raise UserError(N_("%(file)s: %(problem)s"), file=path.name, problem=as_text(exc)) from None
    except Exception as exc:  # pyogrio's DataSourceError and pyarrow's errors are RuntimeErrors and OSErrors
        raise UserError(N_("%(name)s: no se puede leer como %(suffix)s: %(exc)s"),
                        name=path.name, suffix=suffix, exc=exc) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" in metadata:
        import geopandas as gpd

        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def read_csv(path) -> pd.DataFrame:
    """A CSV read by the import pipeline's reader, with its number columns as numbers.

    The reader (`observatorio.tables.readers`) detects the encoding (UTF-8,
    with or without BOM, Windows-1252/Latin-1), the delimiter (``;``, ``,``
    or tab), title rows above the header, blank lines and a trailing totals
    row. A column whose every non-empty cell is a number becomes numbers,
    read the Chilean way (`observatorio.tables.parsing`): ``-70,53`` and
    ``1.234,5`` as well as ``-70.53``, with one decimal mark per column
    (``parse_numbers(..., decimal="column")``, see `parsing.column_decimal`);
    integers stay integers when none is missing.
    Other columns stay text, with empty cells missing (NaN).
    """
    try:
        table = read_raw(path, format="csv")
    except ReadError as exc:
        raise UserError("%(error)s", error=exc) from None
    return pd.DataFrame({column: _typed(table.frame[column]) for column in table.columns})


def _typed(text: pd.Series) -> pd.Series:
    # A character no number has (a letter, ':', '/') settles it without parsing a long text column.
    filled = text.str.strip() != ""
    if text.str.contains(_NOT_IN_NUMBERS, regex=True).any() or \
            parse_numbers(text[filled].head(_SAMPLE), decimal="column").invalid.any():
        return text.mask(~filled)
    parsed = parse_numbers(text, decimal="column")
    if parsed.invalid.any():
        return text.mask(parsed.empty)
    values = parsed.values
    if not parsed.empty.any() and len(values) and (values == np.floor(values)).all() and values.abs().max() < 2**53:
        return values.astype(np.int64)
    return values


def require_columns(frame: pd.DataFrame, columns, path) -> None:
    """Raise ``ValueError`` naming the first missing column and listing those present."""
    for col in columns:
        if col not in frame.columns:
            raise _missing(path, col, frame)


def numeric_column(frame: pd.DataFrame, column: str, path, *, empty: bool = False) -> np.ndarray:
    """The column as floats; a missing column, a non-number or an infinity is a ``ValueError`` naming the file,
    the column and the row, and so is an empty cell unless ``empty`` (then it is NaN).

    Rows are numbered from 1 at the first data row.
    """
    require_columns(frame, [column], path)
    values = pd.to_numeric(frame[column], errors="coerce")
    infinite = np.isinf(values.to_numpy(dtype=float))
    if infinite.any():
        raise UserError(N_("%(file)s: la columna %(column)s tiene un valor infinito (fila %(value)s)"),
                        file=_name(path), column=repr(column), value=np.flatnonzero(infinite)[0] + 1)
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(N_("%(file)s: la columna %(column)s tiene %(value)s, que no es un número (fila %(value2)s)"),
                        file=_name(path), column=repr(column), value=repr(frame[column].iloc[row]), value2=row + 1)
    if not empty and values.isna().any():
        rows = np.flatnonzero(values.isna().to_numpy()) + 1
        more = Text(N_(" y %(n)s más"), n=len(rows) - 1) if len(rows) > 1 else ""
        raise UserError(N_("%(file)s: la columna %(column)s está vacía en la fila %(value)s%(more)s; complétela o "
                           "quite la fila"),
                        file=_name(path), column=repr(column), value=rows[0], more=more)
    return values.to_numpy(dtype=float)


@dataclass(frozen=True, eq=False)
class Dates:
    """A date column read: timestamps (NaT where empty), its stripped text, and the order its day-month dates
    were read in (`tables.parsing.DateOrder`; None when the file already held datetimes)."""

    values: pd.Series
    text: pd.Series
    order: DateOrder | None


# A clock time after the date ("31-01-2024 14:30", "2024-01-31T14:30:00-03:00"); its offset is dropped.
_TIME_TAIL = r"^\S+[ T]+\d"
_OFFSET = r"(\d[:.]\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|[+-]\d{2}:?\d{2})$"


def read_dates(frame: pd.DataFrame, column: str, path, *, date_format: str | None = None) -> Dates:
    """The column as timestamps, every value read in one order of day and month.

    The order is `date_format` when given (``dd-mm-aaaa``, ``%m/%d/%Y``…: see
    `tables.parsing.date_format_order`), else the one the column's values show
    (`tables.parsing.date_order`: a value that is a date only month-first,
    ``12/13/2020``, makes the column month-first; with none, Chile's day-first).
    A column with values of both orders, or a value that is not a date, is a
    ``UserError`` naming the file, the column and the rows. ISO dates and Excel
    serials read the same in every order; a time after the date is kept.
    """
    require_columns(frame, [column], path)
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return Dates(raw, raw.astype("string"), None)
    text = raw.astype("string").fillna("").str.strip()
    try:
        order = date_order(text, date_format)
    except ValueError as exc:
        raise UserError(N_("--date-format: %(problem)s"), problem=as_text(exc)) from None
    if order.conflict:
        d, m = int(order.day_first[0]), int(order.month_first[0])
        raise UserError(N_("%(file)s: columna %(column)s: la columna mezcla fechas día-mes y mes-día: la fila %(row_d)s "
                           "tiene %(value_d)s, una fecha solo como dd-mm-aaaa, y la fila %(row_m)s tiene %(value_m)s, "
                           "solo como mm-dd-aaaa (valores que se leen de ambas formas: %(either)s); indique el formato "
                           "con --date-format (p. ej. --date-format mm-dd-aaaa), o corrija las filas que no siguen a "
                           "las demás"), file=_name(path), column=repr(column), row_d=d + 1, value_d=_shown(text.iat[d]),
                        row_m=m + 1, value_m=_shown(text.iat[m]), either=len(order.either))
    parsed = parse_dates(text, order.order)
    when = parsed.values.astype("datetime64[ns]")
    timed = text.str.contains(_TIME_TAIL, regex=True).to_numpy(dtype=bool) & ~parsed.invalid.to_numpy()
    if timed.any():
        times = parse_times(text[timed].str.replace(_OFFSET, r"\1", regex=True))
        parsed.invalid[timed] = times.invalid.to_numpy()
        when[timed] = when[timed] + times.values
    if parsed.invalid.any():
        row = int(np.flatnonzero(parsed.invalid.to_numpy())[0])
        raise UserError(N_("%(file)s: la columna %(column)s tiene %(value)s (fila %(value2)s), que no es una fecha; "
                           "use %(value3)s o AAAA-MM-DD"),
                        file=_name(path), column=repr(column), value=repr(raw.iloc[row]), value2=row + 1,
                        value3=ORDER_PATTERN[order.order].upper())
    return Dates(when, text, order)


def date_column(frame: pd.DataFrame, column: str, path, *, date_format: str | None = None) -> pd.Series:
    """`read_dates`' timestamps alone."""
    return read_dates(frame, column, path, date_format=date_format).values


def _find_pair(frame: pd.DataFrame):
    lower = {str(c).lower(): c for c in frame.columns}
    for a, b in COORDINATE_PAIRS:
        if a in lower and b in lower:
            return lower[a], lower[b]
    return None


def _metres(x: np.ndarray, y: np.ndarray, crs, path, rows: np.ndarray, names=("x", "y")):
    """:func:`projection.planar` of the coordinates, after the checks that name what is wrong with them."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if crs is None:
        _check_swapped(x, y, path, rows, names)
        if len(x) and (np.abs(x) > 180).any() or len(y) and (np.abs(y) > 90).any():
            raise UserError(N_("%(file)s: las coordenadas no son grados de longitud/latitud y el archivo no dice su "
                               "sistema de coordenadas; indíquelo, p. ej. --crs EPSG:32719"),
                            file=_name(path))
        return planar(x, y, WGS84)
    try:
        crs = CRS.from_user_input(crs)
    except CRSError:
        raise UserError(N_("%(file)s: sistema de coordenadas desconocido %(crs)s; indíquelo como código EPSG, p. ej. "
                           "EPSG:32719"),
                        file=_name(path), crs=repr(crs)) from None
    if crs.is_geographic:
        _check_swapped(x, y, path, rows, names)
    return planar(x, y, crs)


def _check_swapped(lon: np.ndarray, lat: np.ndarray, path, rows: np.ndarray, names) -> None:
    """Longitude and latitude swapped: a "latitude" beyond ±90° whose longitude would be a latitude, or points
    outside Chile that would fall inside it the other way round. Names the columns (all rows) or the first row."""
    inside = _in_box(lon, lat)
    swapped = ((np.abs(lat) > 90) & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)) | (~inside & _in_box(lat, lon))
    if not swapped.any():
        return
    first = int(np.flatnonzero(swapped)[0])
    shown = f"({lon[first]:g}, {lat[first]:g})"
    if swapped.all():
        raise UserError(N_("%(file)s: la longitud y la latitud parecen intercambiadas: %(value)s tiene latitudes y "
                           "%(value2)s longitudes (primera fila: %(shown)s); intercambie las columnas (--x "
                           "%(value3)s --y %(value4)s)"),
                        file=_name(path), value=repr(names[0]), value2=repr(names[1]), shown=shown, value3=names[1],
                        value4=names[0])
    raise UserError(N_("%(file)s: la fila %(value)s tiene la longitud y la latitud intercambiadas %(shown)s "
                       "(%(value2)s filas en total); corrija esas filas"),
                    file=_name(path), value=rows[first], shown=shown, value2=int(swapped.sum()))


def _in_box(lon: np.ndarray, lat: np.ndarray, box=CHILE_BOUNDS) -> np.ndarray:
    return (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])


def point_coordinates(frame: pd.DataFrame, path, *, x: str | None = None, y: str | None = None,
                      crs=None) -> Points:
    """Coordinates of the points of ``frame`` in metres.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        From :func:`read_table`.
    path : str or Path
        Named in error messages.
    x, y : str, optional
        Columns of longitude/latitude (or easting/northing with ``crs``). By
        default: a point geometry, else the first pair found among
        lon/lat, lng/lat, longitude/latitude, longitud/latitud, x/y, este/norte.
    crs : str, optional
        CRS of the columns (or of a geometry whose file states none). Without
        it, columns must be WGS84 degrees.

    Returns
    -------
    Points
        Metres in the file's own projected CRS when it is metric, else in the
        UTM zone of the data (EPSG:32719 for continental Chile).
    """
    geometry = getattr(frame, "geometry", None) if "geometry" in frame.columns else None
    if x is None and y is None and geometry is not None:
        types = set(geometry.dropna().geom_type)
        if types - {"Point"}:
            raise UserError(N_("%(file)s: las geometrías son %(value)s, no puntos; este método usa un punto por "
                               "evento"),
                            file=_name(path), value=sorted(types))
        ok = (geometry.notna() & ~geometry.is_empty).to_numpy()
        kept = frame[ok]
        gx = kept.geometry.x.to_numpy(dtype=float)
        gy = kept.geometry.y.to_numpy(dtype=float)
        return _points(gx, gy, crs or frame.crs, path, ok, pd.DataFrame(kept.drop(columns="geometry")),
                       ("x", "y"))
    if (x is None) != (y is None):
        raise UserError(N_("indique las dos columnas de coordenadas (--x y --y) o ninguna"))
    if x is None:
        pair = _find_pair(frame)
        if pair is None:
            raise UserError(N_("%(file)s: no se encontraron columnas de coordenadas (lon/lat, x/y…); nómbrelas con "
                               "--x y --y; las columnas son: %(value)s"),
                            file=_name(path), value=', '.join(map(str, frame.columns)))
        x, y = pair
    xs = numeric_column(frame, x, path, empty=True)
    ys = numeric_column(frame, y, path, empty=True)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        raise UserError(N_("%(file)s: ninguna fila tiene a la vez %(x)s y %(y)s"),
                        file=_name(path), x=repr(x), y=repr(y))
    kept = frame[ok]
    if "geometry" in kept.columns:
        kept = pd.DataFrame(kept.drop(columns="geometry"))
    return _points(xs[ok], ys[ok], crs, path, ok, kept.reset_index(drop=True), (x, y))


def _points(x, y, crs, path, ok: np.ndarray, kept: pd.DataFrame, names) -> Points:
    numbers = np.arange(1, ok.size + 1)
    rows = numbers[ok]
    p = _metres(x, y, crs, path, rows, names)
    return Points(np.asarray(p.x), np.asarray(p.y), p.epsg, kept, int((~ok).sum()), rows, numbers[~ok],
                  p.source, p.reprojected, p.zones, p.scale_error)


def polygons(frame: pd.DataFrame, path):
    """The polygon geometries of an area file, as a GeoSeries; a ``ValueError`` otherwise."""
    geometry = getattr(frame, "geometry", None) if "geometry" in frame.columns else None
    if geometry is None:
        raise UserError(N_("%(file)s: no tiene geometrías; los métodos por área necesitan polígonos (GeoJSON, "
                           "GeoPackage, Shapefile o GeoParquet)"),
                        file=_name(path))
    types = set(geometry.geom_type.dropna())
    if not types or types - {"Polygon", "MultiPolygon"}:
        raise UserError(N_("%(file)s: las geometrías son %(value)s; los métodos por área necesitan polígonos"),
                        file=_name(path), value=sorted(types))
    if geometry.isna().any() or geometry.is_empty.any():
        raise UserError(N_("%(file)s: %(value)s áreas no tienen geometría"),
                        file=_name(path), value=int((geometry.isna() | geometry.is_empty).sum()))
    return geometry


def read_area(path, epsg: int, *, layer: str | None = None):
    """A study area: the union of a file's polygons, as one shapely geometry in ``EPSG:epsg`` metres.

    Any format :func:`read_table` reads with polygons (GeoJSON, GeoPackage, Shapefile, GeoParquet). A layer
    that states no CRS is taken as WGS84 when its coordinates are degrees, and refused otherwise.
    """
    frame = read_table(path, layer=layer)
    geometry = polygons(frame, path)
    if geometry.crs is None:
        minx, miny, maxx, maxy = geometry.total_bounds
        if not (abs(minx) <= 180 and abs(maxx) <= 180 and abs(miny) <= 90 and abs(maxy) <= 90):
            raise UserError(N_("%(file)s: el archivo del área no dice su sistema de coordenadas y sus coordenadas no "
                               "son grados; guárdelo con su sistema de coordenadas (p. ej. como GeoPackage)"),
                            file=_name(path))
        geometry = geometry.set_crs(WGS84)
    area = geometry.to_crs(epsg=epsg).union_all()
    if area.is_empty or not area.area > 0:
        raise UserError(N_("%(file)s: el área de estudio no tiene superficie"), file=_name(path))
    return area


def centroids_in_metres(geometry) -> tuple[np.ndarray, np.ndarray]:
    """Area centroids in ground metres: as they are for a CRS-less layer or a CRS true to the ground (UTM, the
    national grids), else in the data's UTM zone (degrees, Web Mercator, feet: :func:`projection.planar`'s
    rule, as for points)."""
    crs = geometry.crs
    if crs is not None and crs.is_geographic:
        lon, lat = geometry.union_all().centroid.coords[0]
        geometry = geometry.to_crs(epsg=utm_epsg(lon, lat))
    elif crs is not None:
        c = geometry.centroid
        kept = planar(c.x.to_numpy(dtype=float), c.y.to_numpy(dtype=float), crs)
        if kept.reprojected:
            geometry = geometry.to_crs(epsg=kept.epsg)
    c = geometry.centroid
    return c.x.to_numpy(dtype=float), c.y.to_numpy(dtype=float)


def cells_lonlat(grid, rows, cols):
    """Square cells (row, col) of a metric grid as WGS84 polygons, for a GeoJSON map layer."""
    import geopandas as gpd
    import shapely

    rows = np.asarray(rows)
    cols = np.asarray(cols)
    x0 = grid.x0 + cols * grid.cell
    y0 = grid.y0 + rows * grid.cell
    boxes = shapely.box(x0, y0, x0 + grid.cell, y0 + grid.cell)
    return gpd.GeoSeries(boxes, crs=f"EPSG:{grid.epsg}").to_crs("EPSG:4326")


def centres_lonlat(grid, rows, cols) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude and latitude of the centres of cells (row, col)."""
    x = grid.x0 + (np.asarray(cols) + 0.5) * grid.cell
    y = grid.y0 + (np.asarray(rows) + 0.5) * grid.cell
    return to_lonlat(x, y, grid.epsg)
