"""What every reader returns (`RawTable`), how it fails (`ReadError`) and the shared steps.

A reader turns one uploaded file into a `RawTable`: the cells exactly as they
are in the file, as strings, with the file row each data row came from. It
guesses no types: dates, numbers, coordinates and RUTs are parsed later by
`observatorio.tables.parsing` and `observatorio.tables.rut`, so that
a bad value becomes a row-level error ("row 12, column fecha: ...") instead of
a silently different value.

Interface for the import pipeline::

    from observatorio.tables.readers import read_table, ReadError
    try:
        table = read_table(path)              # or read_table(path, sheet="2024")
    except ReadError as exc:                  # the whole file is unusable
        show(exc.file, exc.message, exc.fix)
    for row_number, record in table.records():  # record: {column: str}
        ...
    table.frame          # pandas DataFrame of str (no NaN), columns = table.columns
    table.row_numbers    # numpy int64, 1-based file row (CSV line, Excel row, feature number)
    table.sha256         # of the file bytes: same file => same batch (re-import adds nothing)
    table.notes          # what the reader did on its own: title rows skipped, totals dropped, ...
    table.dropped        # rows read but left out on purpose (a totals row), with the reason

`len(table) + len(table.dropped)` is the number of non-blank data rows in the
file; `table.blank_rows` counts the blank ones skipped below the header.

Adding a format: write one small module with a `Reader` subclass that sets
`format` and `extensions` and implements `_read`, then list it in
`readers/__init__.py`. Readers share `find_header`, `finish_table` and
`cell_text` from here, so header detection, totals rows and duplicate column
names behave the same in every format.

No Django here: this package is used from the CLI, the admin, notebooks, the
demography import and `observatorio.analysis.inputs` (which must not load Django).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.errors import N_, Text, render

HASH_CHUNK = 1 << 20
NO_HEADER = N_("no se encontró una fila de encabezado con los nombres de las columnas")
HEADER_FIX = N_("ponga los nombres de las columnas en una fila sobre los datos")

# A trailing row whose first non-empty cell reads like this is a sum, not data.
TOTALS_RE = re.compile(r"^(total(es)?|suma|sum)\b", re.IGNORECASE)


class ReadError(Exception):
    """The file cannot be read as a table at all; nothing from it should be imported.

    ``file`` is the file name (never a full server path), ``message`` what is
    wrong and ``fix`` what the person uploading can do about it: each a Spanish
    template marked with `N_` and its values (a `Text`), so that ``str()`` is
    Spanish and `translated` gives the interface's language.
    """

    def __init__(self, file: str | Path, message: Text | str, fix: Text | str):
        self.file = Path(file).name
        self.message = message
        self.fix = fix
        super().__init__(self.translated())

    def translated(self, gettext=None) -> str:
        return render(N_("%(file)s: %(message)s. Solución: %(fix)s"),
                      {"file": self.file, "message": _text(self.message), "fix": _text(self.fix)}, gettext)


def _text(value: Text | str) -> Text:
    return value if isinstance(value, Text) else Text(value)


@dataclass(frozen=True)
class Note:
    """Something a reader (or the import) decided on its own that the uploader should know about.

    ``message`` is English, for the CLI, the JSON summary and logs; the interface words ``code`` in
    the user's language, filling in ``params`` (the facts the message names).
    """

    code: str  # stable, for translation: "title_rows", "totals_row", "duplicate_column", ...
    message: str
    row: int | None = None
    params: dict = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "row": self.row, "params": dict(self.params)}


@dataclass(frozen=True)
class DroppedRow:
    row: int
    reason: str
    values: tuple[str, ...]


@dataclass
class RawTable:
    """A file as read: strings only, originals kept exactly, each row with its file row number."""

    file: str
    format: str
    columns: list[str]
    frame: pd.DataFrame
    row_numbers: np.ndarray
    sha256: str
    original_columns: list[str] = field(default_factory=list)
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    crs: str | None = None
    blank_rows: int = 0
    notes: list[Note] = field(default_factory=list)
    dropped: list[DroppedRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def rows(self) -> list[list[str]]:
        """The data rows as lists of strings (materialised: meant for small tables and tests)."""
        return self.frame.to_numpy(dtype=object).tolist()

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield ``(file_row, {column: value})`` without building all dicts at once."""
        columns = self.columns
        for number, values in zip(self.row_numbers.tolist(), self.frame.itertuples(index=False, name=None)):
            yield number, dict(zip(columns, values))


class Reader:
    """One file format. Subclasses set `format`, `extensions` and implement `_read`."""

    format: str = ""
    extensions: tuple[str, ...] = ()

    def read(self, path: str | Path, **options) -> RawTable:
        """Read `path`; any failure, even an unexpected one, surfaces as `ReadError`."""
        path = Path(path)
        if not path.is_file():
            raise ReadError(path, N_("el archivo no existe o no es un archivo común"), N_("súbalo de nuevo"))
        try:
            return self._read(path, **options)
        except ReadError:
            raise
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # the contract is "ReadError or a table": never a traceback for the user
            raise ReadError(
                path,
                Text(N_("no se pudo leer como %(format)s (%(error)s)"), format=self.format.upper(),
                     error=f"{type(exc).__name__}: {str(exc)[:200]}"),
                Text(N_("ábralo en una planilla de cálculo y guárdelo de nuevo como %(format)s"),
                     format=self.format.upper()),
            ) from exc

    def _read(self, path: Path, **options) -> RawTable:  # pragma: no cover - abstract
        raise NotImplementedError


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cell_text(value) -> str:
    """One typed cell (Excel, Parquet, GeoJSON) as the text a person would type.

    Integral floats lose their ".0" (Excel stores every number as a double, so
    a comuna code 13122 arrives as 13122.0); other floats use Python's shortest
    round-trip repr, so 0.1 stays "0.1". Midnight datetimes become dates.
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return ""
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def non_empty(row: Sequence) -> int:
    return sum(1 for cell in row if not _is_blank(cell))


def find_header(rows: Sequence[Sequence[str]]) -> int:
    """Index (in `rows`) of the header: the first row as full as the typical row.

    Exports often put a title ("Denuncias Peñalolén 2024", a merged cell in
    Excel) and blank lines above the header. The typical row is the modal
    number of non-empty cells over the sample; title rows have fewer. Blank
    rows never qualify, and neither do single-cell rows (titles) when wider
    rows exist. On a tie the smaller count wins, so that in a two-row file a
    header with an unnamed column is not skipped for a fuller data row. With a
    single-column file the first non-blank row is the header.
    """
    counts = [non_empty(row) for row in rows]
    filled = [c for c in counts if c > 0]
    if not filled:
        return -1
    if max(filled) > 1:
        filled = [c for c in filled if c > 1]
    tally = Counter(filled)
    modal = max(tally, key=lambda c: (tally[c], -c))
    return next(i for i, c in enumerate(counts) if c >= modal)


def column_names(header: Sequence[str], positions: Sequence[int] | None = None) -> tuple[list[str], list[str], list[Note]]:
    """Stripped names, de-duplicated names, and a note per renamed column.

    An empty name becomes ``columna_<n>`` (`n` = 1-based position in the
    file); a repeated one gets ``_2``, ``_3``… so no value is overwritten.
    """
    original = [("" if cell is None else str(cell)).strip() for cell in header]
    positions = list(positions) if positions is not None else list(range(1, len(original) + 1))
    seen: Counter = Counter()
    taken = set(original)
    names, notes = [], []
    for position, name in zip(positions, original):
        if not name:
            new = f"columna_{position}"
            notes.append(Note("unnamed_column", f"column {position} has no name; it is called {new!r}"))
        else:
            seen[name] += 1
            new = name
            if seen[name] > 1:
                suffix = seen[name]
                while f"{name}_{suffix}" in taken:
                    suffix += 1
                new = f"{name}_{suffix}"
                notes.append(Note("duplicate_column",
                                  f"column {position} repeats the name {name!r}; it is called {new!r}"))
        taken.add(new)
        names.append(new)
    return original, names, notes


def _strip_blank_tail(frame: pd.DataFrame, extra: list[str], file: str, row_numbers: np.ndarray) -> pd.DataFrame:
    """Drop overflow columns that are empty (trailing delimiters); refuse ones with data."""
    for name in extra:
        filled = frame[name].str.strip() != ""
        if filled.any():
            first = int(np.flatnonzero(filled.to_numpy())[0])
            raise ReadError(
                file,
                Text(N_("la fila %(row)s tiene más valores que columnas el encabezado"), row=row_numbers[first]),
                N_("ponga entre comillas los valores que contienen el separador, o dé nombre a la columna de más "
                   "en el encabezado"),
            )
    return frame.drop(columns=extra)


def finish_table(
    frame: pd.DataFrame,
    row_numbers: np.ndarray,
    header: Sequence[str],
    *,
    file: str,
    format: str,
    sha256: str,
    header_row: int | None,
    overflow: int = 0,
    notes: list[Note] | None = None,
    **meta,
) -> RawTable:
    """The steps every reader shares once it has the header and the data cells.

    `frame` holds strings (no NaN) with ``len(header) + overflow`` columns
    (overflow columns catch cells beyond the header). Blank rows go, a
    trailing totals row is dropped with a note, names are de-duplicated and
    unnamed all-empty columns (Excel's phantom columns) are removed.
    """
    notes = list(notes or [])
    header = [("" if cell is None else str(cell)).strip() for cell in header]
    extra = [f"\x00overflow{i}" for i in range(overflow)]
    frame.columns = [f"\x00col{i}" for i in range(len(header))] + extra
    row_numbers = np.asarray(row_numbers, dtype=np.int64)

    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        blank &= (frame[column].str.strip() == "").to_numpy()
    blank_rows = int(blank.sum())
    if blank_rows:
        frame = frame.loc[~blank]
        row_numbers = row_numbers[~blank]
    if extra:
        frame = _strip_blank_tail(frame, extra, file, row_numbers)

    # Phantom columns (Excel formatting, trailing delimiters in the header): no name, nothing in them.
    keep = [i for i, name in enumerate(header) if name or (frame.iloc[:, i].str.strip() != "").any()]
    frame = frame.iloc[:, keep]
    original, names, name_notes = column_names([header[i] for i in keep], [i + 1 for i in keep])
    if not any(original):
        raise ReadError(file, NO_HEADER, HEADER_FIX)

    dropped: list[DroppedRow] = []
    if len(frame):
        last = frame.iloc[-1].tolist()
        first_cell = next((c.strip() for c in last if c.strip()), "")
        if TOTALS_RE.match(_fold(first_cell)):
            dropped.append(DroppedRow(int(row_numbers[-1]), "totals", tuple(last)))
            notes.append(Note("totals_row", f"row {row_numbers[-1]} looks like a totals row ({first_cell!r}) and was left out",
                              int(row_numbers[-1])))
            frame = frame.iloc[:-1]
            row_numbers = row_numbers[:-1]

    frame = frame.reset_index(drop=True)
    frame.columns = names
    return RawTable(
        file=file, format=format, columns=names, frame=frame, row_numbers=row_numbers, sha256=sha256,
        original_columns=original, header_row=header_row, blank_rows=blank_rows,
        notes=notes + name_notes, dropped=dropped, **meta,
    )


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def frame_from_rows(rows: Sequence[Sequence[str]], width: int) -> pd.DataFrame:
    """A str DataFrame of exactly `width` columns from ragged rows of strings."""
    padded = [list(row[:width]) + [""] * (width - len(row)) for row in rows]
    if not padded:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    return pd.DataFrame(padded, columns=range(width), dtype="str")
