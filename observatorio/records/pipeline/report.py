"""A batch's error report as CSV or XLSX, for the person who has to fix the file.

One line per problem: file, row, column, value, the problem and how to fix
it in the user's language (Spanish first: the report goes back to the unit
that sent the export; `observatorio.wording` words each code), the severity, a
stable code, and the pipeline's own message and fix (English, naming the
exact value, columns or dates). Values are already masked where they were
RUTs (`validate` masks them before an issue exists).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy as _

from observatorio import wording
from observatorio.errors import UserError
from observatorio.tables.cells import csv_writer, xlsx_bytes

HEADERS = (_("archivo"), _("fila"), _("columna"), _("valor"), _("problema"), _("cómo corregirlo"), _("gravedad"),
           _("código"), _("detalle"), _("detalle de la corrección"))
FORMATS = ("csv", "xlsx")


def report_rows(issues) -> list[tuple]:
    """Rows of the report from `Issue` objects or their dicts (as stored in ``ImportBatch.report``)."""
    rows = []
    for issue in issues:
        data = issue if isinstance(issue, dict) else issue.as_dict()
        code, message, fix = data.get("code", ""), data.get("message", ""), data.get("fix", "")
        rows.append((data.get("file", ""), data.get("row", ""), data.get("column", ""), data.get("value", ""),
                     wording.issue_text(code) or message, wording.fix_text(code) or fix,
                     wording.severity_name(data.get("severity", "")), code, message, fix))
    return rows


def batch_issues(batch) -> list[dict]:
    report = batch.report or {}
    return list(report.get("errors", [])) + list(report.get("warnings", []))


def write_report(issues, fmt: str = "csv") -> bytes:
    """The report as bytes in the active language: CSV (UTF-8 with BOM, so Excel opens accents right,
    ';'-separated) or XLSX."""
    if fmt not in FORMATS:
        raise UserError(_("formato de informe desconocido «%(format)s»; use uno de: %(formats)s")
                        % {"format": fmt, "formats": ", ".join(FORMATS)})
    headers = [str(h) for h in HEADERS]
    rows = report_rows(issues)
    # Values come from the file sent in: a cell like "=HYPERLINK(...)" is written as text (`tables.cells`).
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return xlsx_bytes(str(_("errores")), headers, rows)
