"""Apache Parquet files through pyarrow.

Parquet is typed, but a `RawTable` holds text so that every format reaches
validation the same way: each column becomes strings as `base.cell_text`
would write them (integral floats without ".0", dates ISO, nulls empty). Row
numbers are 1-based positions; there is no header row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.errors import N_, Text

from .base import RawTable, Reader, ReadError, cell_text, file_sha256, finish_table


class ParquetReader(Reader):
    format = "parquet"
    extensions = (".parquet", ".pq")

    def _read(self, path: Path, *, sheet: str | None = None, header_row: int | None = None,
              encoding: str | None = None, delimiter: str | None = None) -> RawTable:
        import pyarrow as pa
        import pyarrow.parquet as pq

        sha256 = file_sha256(path)
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic != b"PAR1":
            raise ReadError(path, N_("no es un archivo Parquet (no empieza por PAR1)"),
                            N_("exporte de nuevo la tabla como Parquet, o súbala como CSV"))
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise ReadError(path, Text(N_("el archivo Parquet está dañado o incompleto (%(error)s)"), error=str(exc)[:150]),
                            N_("expórtelo de nuevo; si se copió, revise que la copia terminó")) from exc
        header = list(table.column_names)
        frame = pd.DataFrame({i: column_text(table.column(i).to_pandas()) for i in range(len(header))})
        if not header:
            raise ReadError(path, N_("el archivo Parquet no tiene columnas"), N_("exporte de nuevo la tabla"))
        return finish_table(frame, np.arange(1, len(frame) + 1), header, file=path.name, format=self.format,
                            sha256=sha256, header_row=None)


def column_text(values: pd.Series) -> pd.Series:
    """A typed column as `cell_text` strings, vectorised for the common numeric and text types."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    if kind and kind in "iu":
        return values.astype("int64").astype(str).astype("str")
    if kind == "f":
        floats = values.to_numpy(dtype=np.float64)
        integral = np.isfinite(floats) & (np.floor(floats) == floats) & (np.abs(floats) < 1e16)
        out = np.full(len(floats), "", dtype=object)
        out[integral] = floats[integral].astype(np.int64).astype(str)
        rest = np.isfinite(floats) & ~integral
        out[rest] = [repr(x) for x in floats[rest].tolist()]
        out[np.isinf(floats)] = [repr(x) for x in floats[np.isinf(floats)].tolist()]
        return pd.Series(out, dtype="str")
    if pd.api.types.is_string_dtype(values.dtype) and not isinstance(values.dtype, np.dtype):
        return values.fillna("").astype("str")
    return pd.Series([cell_text(v) for v in values.tolist()], dtype="str")
