"""Cells safe to open in a spreadsheet: the one place every CSV and XLSX the app writes goes through.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return before one) as a formula: a label,
an address or a free-text value sent in an import could then run
``=HYPERLINK(…)`` or worse on the analyst's computer (CSV injection). As
OWASP recommends, `safe_cell` prefixes such text with an apostrophe, which
the spreadsheet shows as text; numbers (int, float, and text that is just a
number such as ``-12`` or ``-3,5``) stay numbers. XLSX cells are written as
values with the string type (`xlsx_bytes`), never as formulas.

Interface::

    safe_cell("=1+1")        -> "'=1+1"
    safe_cell(-3)            -> -3
    safe_cell("-3,5")        -> "-3,5"
    safe_row(["=A1", 2])     -> ["'=A1", 2]
    writer = csv_writer(buffer, delimiter=";")   # a csv.writer that neutralises every cell
    xlsx_bytes(title, headers, rows) -> bytes

No Django here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?%?")


def is_live(value) -> bool:
    """Would a spreadsheet take this cell for a formula?"""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


def safe_cell(value):
    """`value` as a spreadsheet will show it and never run it: formula-like text gets a leading ``'``."""
    return "'" + value if is_live(value) else value


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


class _SafeWriter:
    """`csv.writer` with every cell passed through `safe_cell`."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self._writer.writerow(safe_row(row))

    @property
    def dialect(self):
        return self._writer.dialect


def csv_writer(target, **options) -> _SafeWriter:
    """A `csv.writer` over `target` (any object with ``write``) that neutralises formula cells."""
    return _SafeWriter(csv.writer(target, **options))


def safe_frame(frame):
    """A copy of a pandas DataFrame whose text cells (and column names) are neutralised, for ``to_csv``."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            out[column] = [safe_cell(v) for v in out[column].tolist()]
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def xlsx_bytes(title: str, headers: list, rows: Iterable[Iterable]) -> bytes:
    """One sheet of an XLSX workbook: every text cell written as a string value (data type ``s``), never a
    formula, and neutralised as in CSV so a copy back to CSV stays safe; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "datos")

    def cells(row):
        out = []
        for value in row:
            value = safe_cell(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl makes any text beginning with "=" a formula otherwise
            out.append(cell)
        return out

    sheet.append(cells(headers))
    for row in rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
