"""A batch's error report as CSV or XLSX, for the person who has to fix the file.

One line per problem: file, row, column, value, message, fix (and the
severity and a stable code). Headers are Spanish: the report goes back to
the unit that sent the export. Values are already masked where they were
RUTs (`validate` masks them before an issue exists).
"""

from __future__ import annotations

import csv
import io

HEADERS = ("archivo", "fila", "columna", "valor", "problema", "cómo corregirlo", "gravedad", "código")
KEYS = ("file", "row", "column", "value", "message", "fix", "severity", "code")
FORMATS = ("csv", "xlsx")


def report_rows(issues) -> list[tuple]:
    """Rows of the report from `Issue` objects or their dicts (as stored in ``ImportBatch.report``)."""
    rows = []
    for issue in issues:
        data = issue if isinstance(issue, dict) else issue.as_dict()
        rows.append(tuple(data.get(k, "") for k in KEYS))
    return rows


def batch_issues(batch) -> list[dict]:
    report = batch.report or {}
    return list(report.get("errors", [])) + list(report.get("warnings", []))


def write_report(issues, fmt: str = "csv") -> bytes:
    """The report as bytes: CSV (UTF-8 with BOM, so Excel opens accents right, ';'-separated) or XLSX."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of: {', '.join(FORMATS)}")
    rows = report_rows(issues)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("errores")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
