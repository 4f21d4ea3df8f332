"""File readers: one module per format on `base.Reader`, and `read_table` to pick one.

``read_table(path, sheet=None, *, format=None, encoding=None, delimiter=None,
header_row=None) -> RawTable`` chooses the reader by extension (or, for an
unknown extension, by the first bytes) and returns the file as strings; it
raises only `ReadError`. See `base` for what a `RawTable` holds.
"""

from __future__ import annotations

from pathlib import Path

from observatorio.errors import N_, Text

from .base import DroppedRow, Note, RawTable, Reader, ReadError
from .csv import CsvReader
from .geojson import GeoJsonReader
from .parquet import ParquetReader
from .xlsx import XlsxReader

READERS: dict[str, Reader] = {r.format: r for r in (CsvReader(), XlsxReader(), ParquetReader(), GeoJsonReader())}

__all__ = ["READERS", "DroppedRow", "Note", "RawTable", "ReadError", "Reader", "read_table", "reader_for"]


def reader_for(path: str | Path, format: str | None = None) -> Reader:
    """The reader for `path`: `format` if given, else the extension, else the first bytes."""
    path = Path(path)
    if format is not None:
        if format not in READERS:
            raise ReadError(path, Text(N_("formato desconocido «%(format)s»"), format=format),
                            Text(N_("use uno de: %(formats)s"), formats=", ".join(READERS)))
        return READERS[format]
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ReadError(path, N_("los libros antiguos de Excel 97-2003 (.xls) no se pueden leer"),
                        N_("ábralo en Excel y guárdelo como .xlsx (libro de Excel) o CSV"))
    for reader in READERS.values():
        if suffix in reader.extensions:
            return reader
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ReadError(path, N_("el archivo no se puede abrir"), N_("súbalo de nuevo")) from exc
    if head.startswith(b"PK\x03\x04"):
        return READERS["xlsx"]
    if head == b"PAR1":
        return READERS["parquet"]
    if head.lstrip()[:1] == b"{":
        return READERS["geojson"]
    return READERS["csv"]


def read_table(path: str | Path, sheet: str | None = None, *, format: str | None = None,
               encoding: str | None = None, delimiter: str | None = None,
               header_row: int | None = None, limits=None) -> RawTable:
    """Read one uploaded file as a `RawTable`; raises `ReadError` only.

    `sheet` names an Excel sheet (default: the first); `encoding`,
    `delimiter` and `header_row` (1-based line or row) override detection
    when the uploader knows better. `limits` (`tables.limits.Limits`) bounds the
    file's size, rows and, for a zip, inflated size, checked before it is read.
    """
    from observatorio.tables.limits import check_before_reading, check_rows

    reader = reader_for(path, format)
    if limits is not None and Path(path).is_file():
        check_before_reading(Path(path), reader.format, limits)
    options = {}
    for name, value in (("sheet", sheet), ("encoding", encoding), ("delimiter", delimiter), ("header_row", header_row)):
        if value is not None:
            options[name] = value
    if sheet is not None and reader.format != "xlsx":
        raise ReadError(path, Text(N_("se pidió una hoja («%(sheet)s») pero los archivos %(format)s no tienen hojas"),
                                     sheet=sheet, format=reader.format.upper()),
                        N_("deje la hoja vacía, o suba el archivo Excel (.xlsx)"))
    table = reader.read(path, **options)
    if limits is not None:
        check_rows(Path(path), len(table), limits)
    return table
