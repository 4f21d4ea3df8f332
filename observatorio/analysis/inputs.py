"""Read an analyst's file (GeoJSON, GeoPackage, Shapefile, CSV, Parquet) into a frame the statistics take.

Everything here raises ``UserError`` (a ``ValueError``) naming the file and, when a column is
missing, the columns that do exist, so a command line can print one line and
the analyst knows what to type instead. Coordinates come out in metres
(``projection.to_metres``), because grids, distances and bandwidths are metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.analysis.projection import to_lonlat, to_metres, utm_epsg
from observatorio.errors import UserError
from observatorio.tables.parsing import ORDER_PATTERN, DateOrder, date_order, parse_dates, parse_numbers, parse_times
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


def _name(path) -> str:
    return Path(path).name


def _missing(path, column: str, frame: pd.DataFrame, what: str = "column") -> UserError:
    columns = [c for c in frame.columns if c != "geometry"]
    return UserError(f"{_name(path)}: {what} {column!r} not found; columns are: {', '.join(map(str, columns))}")


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
        raise UserError(f"{path.name}: unknown file type {suffix or '(none)'!r}; allowed: {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    try:
        if suffix in (".parquet", ".geoparquet"):
            return _read_parquet(path)
        import geopandas as gpd

        return gpd.read_file(path, layer=layer)
    except ValueError as exc:
        raise UserError(f"{path.name}: {exc}") from None
    except Exception as exc:  # pyogrio's DataSourceError and pyarrow's errors are RuntimeErrors and OSErrors
        raise UserError(f"{path.name}: cannot be read as {suffix}: {exc}") from None


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
        raise UserError(str(exc)) from None
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


def numeric_column(frame: pd.DataFrame, column: str, path) -> np.ndarray:
    """The column as floats; a missing column or a non-number is a ``ValueError`` naming the file."""
    require_columns(frame, [column], path)
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(f"{_name(path)}: column {column!r} has a non-number {frame[column].iloc[row]!r} "
                        f"(row {row + 1})")
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
        raise UserError(f"--date-format: {exc}") from None
    if order.conflict:
        error = order.conflict_error(text)
        raise UserError(f"{_name(path)}: column {column!r}: {error.message}; give the format with --date-format "
                        "(e.g. --date-format mm-dd-aaaa), or correct the rows that do not follow the others")
    parsed = parse_dates(text, order.order)
    when = parsed.values.astype("datetime64[ns]")
    timed = text.str.contains(_TIME_TAIL, regex=True).to_numpy(dtype=bool) & ~parsed.invalid.to_numpy()
    if timed.any():
        times = parse_times(text[timed].str.replace(_OFFSET, r"\1", regex=True))
        parsed.invalid[timed] = times.invalid.to_numpy()
        when[timed] = when[timed] + times.values
    if parsed.invalid.any():
        row = int(np.flatnonzero(parsed.invalid.to_numpy())[0])
        raise UserError(f"{_name(path)}: column {column!r} has {raw.iloc[row]!r} (row {row + 1}), not a date; "
                        f"use {ORDER_PATTERN[order.order].upper()} or YYYY-MM-DD")
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


def _metres(x: np.ndarray, y: np.ndarray, crs, path) -> tuple[np.ndarray, np.ndarray, int]:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if crs is None:
        if len(x) and (np.abs(x) > 180).any() or len(y) and (np.abs(y) > 90).any():
            raise UserError(f"{_name(path)}: the coordinates are not longitude/latitude degrees and the file "
                            "does not say its CRS; give it, e.g. --crs EPSG:32719")
        return to_metres(x, y)
    try:
        crs = CRS.from_user_input(crs)
    except CRSError:
        raise UserError(f"{_name(path)}: unknown CRS {crs!r}; give it as an EPSG code, e.g. EPSG:32719") from None
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter") and crs.to_epsg():
        return x, y, int(crs.to_epsg())
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    return to_metres(np.asarray(lon), np.asarray(lat))


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
            raise UserError(f"{_name(path)}: geometries are {sorted(types)}, not points; "
                            "this method takes one point per event")
        ok = geometry.notna() & ~geometry.is_empty
        kept = frame[ok.to_numpy()]
        gx = kept.geometry.x.to_numpy(dtype=float)
        gy = kept.geometry.y.to_numpy(dtype=float)
        mx, my, epsg = _metres(gx, gy, crs or frame.crs, path)
        return Points(np.asarray(mx), np.asarray(my), epsg, pd.DataFrame(kept.drop(columns="geometry")),
                      int((~ok).sum()))
    if (x is None) != (y is None):
        raise UserError("give both coordinate columns (--x and --y) or neither")
    if x is None:
        pair = _find_pair(frame)
        if pair is None:
            raise UserError(f"{_name(path)}: no coordinate columns (lon/lat, x/y…) found; name them with --x and "
                            f"--y; columns are: {', '.join(map(str, frame.columns))}")
        x, y = pair
    xs = numeric_column(frame, x, path)
    ys = numeric_column(frame, y, path)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        raise UserError(f"{_name(path)}: no row has both {x!r} and {y!r}")
    mx, my, epsg = _metres(xs[ok], ys[ok], crs, path)
    kept = frame[ok]
    if "geometry" in kept.columns:
        kept = pd.DataFrame(kept.drop(columns="geometry"))
    return Points(np.asarray(mx), np.asarray(my), epsg, kept.reset_index(drop=True), int((~ok).sum()))


def polygons(frame: pd.DataFrame, path):
    """The polygon geometries of an area file, as a GeoSeries; a ``ValueError`` otherwise."""
    geometry = getattr(frame, "geometry", None) if "geometry" in frame.columns else None
    if geometry is None:
        raise UserError(f"{_name(path)}: has no geometries; area methods need polygons "
                        "(GeoJSON, GeoPackage, Shapefile or GeoParquet)")
    types = set(geometry.geom_type.dropna())
    if not types or types - {"Polygon", "MultiPolygon"}:
        raise UserError(f"{_name(path)}: geometries are {sorted(types)}; area methods need polygons")
    if geometry.isna().any() or geometry.is_empty.any():
        raise UserError(f"{_name(path)}: {int((geometry.isna() | geometry.is_empty).sum())} areas have no geometry")
    return geometry


def centroids_in_metres(geometry) -> tuple[np.ndarray, np.ndarray]:
    """Area centroids in metres: as they are for a projected or CRS-less layer, else in the data's UTM zone."""
    crs = geometry.crs
    if crs is not None and crs.is_geographic:
        lon, lat = geometry.union_all().centroid.coords[0]
        geometry = geometry.to_crs(epsg=utm_epsg(lon, lat))
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
