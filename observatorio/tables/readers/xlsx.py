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

from observatorio.errors import N_, Text

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
                raise ReadError(path, N_("es un libro antiguo de Excel 97-2003 (.xls), que no se puede leer"),
                                N_("ábralo en Excel y guárdelo como .xlsx (libro de Excel)"))
            raise ReadError(path, N_("no es un libro de Excel .xlsx (no es un archivo zip)"),
                            N_("guarde el archivo desde Excel como .xlsx, o súbalo como CSV"))
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ReadError(path, Text(N_("el libro no se puede abrir (%(error)s)"), error=type(exc).__name__),
                            N_("ábralo en Excel, revise que no esté protegido con contraseña y guárdelo de nuevo "
                               "como .xlsx")) from exc
        try:
            names = workbook.sheetnames
            if sheet is None:
                sheet_name = names[0]
            elif sheet in names:
                sheet_name = sheet
            else:
                raise ReadError(path, Text(N_("no hay una hoja llamada «%(sheet)s»; las hojas son: %(sheets)s"),
                                           sheet=sheet, sheets=", ".join(repr(n) for n in names)),
                                N_("elija una de las hojas nombradas"))
            worksheet = workbook[sheet_name]
            if not hasattr(worksheet, "iter_rows"):
                raise ReadError(path, Text(N_("la hoja «%(sheet)s» es un gráfico, no una tabla"), sheet=sheet_name),
                                N_("elija una hoja con datos"))
            # Some programs write a wrong <dimension>; without resetting it openpyxl would stop early.
            worksheet.reset_dimensions()
            rows = [[cell_text(value) for value in row] for row in worksheet.iter_rows(min_row=1, values_only=True)]
        finally:
            workbook.close()

        if not any(any(cell.strip() for cell in row) for row in rows):
            raise ReadError(path, Text(N_("la hoja «%(sheet)s» está vacía"), sheet=sheet_name),
                            Text(N_("elija la hoja con los datos (hojas: %(sheets)s)"), sheets=", ".join(names))
                            if len(names) > 1 else N_("elija la hoja con los datos"))
        if header_row is None:
            index = find_header(rows[:HEADER_SEARCH_ROWS])
        else:
            if not 1 <= header_row <= len(rows):
                raise ReadError(path, Text(N_("la fila %(row)s está fuera de la hoja (1 a %(n)s)"), row=header_row,
                                           n=len(rows)),
                                N_("elija la fila donde están los nombres de las columnas"))
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
