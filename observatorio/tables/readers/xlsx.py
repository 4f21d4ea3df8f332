"""Excel workbooks (.xlsx, .xlsm) through openpyxl in read-only mode.

The first sheet is read unless one is named; an unknown name is an error
that lists the sheets. Cached values are read (``data_only``), so a formula
cell gives what Excel showed, not the formula. Typed cells become text the
way a person would type them (`base.cell_text`): dates as ISO
``2024-01-31`` (``2024-01-31 14:30:00`` with a time), numbers without float
artefacts (13122.0 → ``13122``), booleans ``TRUE``/``FALSE``. A merged
title is just a row whose only value is in its first cell, so header
detection treats it like a CSV title row. Row numbers are Excel's own.

The old binary .xls format is refused with the fix (save as .xlsx): reading
it would need xlrd, which is not a dependency.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .base import Note, RawTable, Reader, ReadError, cell_text, file_sha256, find_header, finish_table, frame_from_rows

HEADER_SEARCH_ROWS = 200


class XlsxReader(Reader):
    format = "xlsx"
    extensions = (".xlsx", ".xlsm")

    def _read(self, path: Path, *, sheet: str | None = None, header_row: int | None = None,
              encoding: str | None = None, delimiter: str | None = None) -> RawTable:
        import openpyxl  # heavy import, only when an Excel file arrives

        sha256 = file_sha256(path)
        if not zipfile.is_zipfile(path):
            with path.open("rb") as fh:
                head = fh.read(8)
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                raise ReadError(path, "this is an old Excel 97-2003 (.xls) workbook, which cannot be read",
                                "open it in Excel and save it as .xlsx (Excel workbook)")
            raise ReadError(path, "this is not an Excel .xlsx workbook (it is not a zip archive)",
                            "save the file from Excel as .xlsx, or upload it as CSV")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ReadError(path, f"the workbook cannot be opened ({type(exc).__name__})",
                            "open it in Excel, check it is not password-protected, and save it again as .xlsx") from exc
        try:
            names = workbook.sheetnames
            if sheet is None:
                sheet_name = names[0]
            elif sheet in names:
                sheet_name = sheet
            else:
                raise ReadError(path, f"there is no sheet named {sheet!r}; the sheets are: "
                                      + ", ".join(repr(n) for n in names),
                                "choose one of the sheets listed")
            worksheet = workbook[sheet_name]
            if not hasattr(worksheet, "iter_rows"):
                raise ReadError(path, f"sheet {sheet_name!r} is a chart, not a table", "choose a sheet with data")
            # Some programs write a wrong <dimension>; without resetting it openpyxl would stop early.
            worksheet.reset_dimensions()
            rows = [[cell_text(value) for value in row] for row in worksheet.iter_rows(min_row=1, values_only=True)]
        finally:
            workbook.close()

        if not any(any(cell.strip() for cell in row) for row in rows):
            raise ReadError(path, f"sheet {sheet_name!r} is empty",
                            "choose the sheet with the data" + (f" (sheets: {', '.join(names)})" if len(names) > 1 else ""))
        if header_row is None:
            index = find_header(rows[:HEADER_SEARCH_ROWS])
        else:
            if not 1 <= header_row <= len(rows):
                raise ReadError(path, f"row {header_row} is outside the sheet (1 to {len(rows)})",
                                "choose the row where the column names are")
            index = header_row - 1
        header = rows[index]
        notes = []
        above = [(i + 1, row) for i, row in enumerate(rows[:index]) if any(c.strip() for c in row)]
        if above:
            title = " ".join(c.strip() for c in above[0][1] if c.strip())[:80]
            notes.append(Note("title_rows", f"{len(above)} row(s) above the header (row {index + 1}) were skipped, "
                                            f"starting with {title!r}", above[0][0]))
        width = max((len(row) for row in rows[index:]), default=0)
        header = list(header) + [""] * (width - len(header))
        body = rows[index + 1:]
        frame = frame_from_rows(body, width)
        row_numbers = list(range(index + 2, index + 2 + len(body)))
        return finish_table(frame, row_numbers, header, file=path.name, format=self.format, sha256=sha256,
                            header_row=index + 1, notes=notes, sheet=sheet_name)
