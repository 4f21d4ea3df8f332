"""A count before a noun agrees with it: "1 fila", "2 filas" (issue #14 point 3), in the CLI's import reports."""

from __future__ import annotations

import pytest

from observatorio.commands.i18n import active
from observatorio.commands.reports import report_lines
from observatorio.importing import Report


def _report(unmapped: dict) -> Report:
    return Report(kind="records", file="f.csv", read=3, valid=3, written=3, committed=False,
                  details={"source": "1461", "unmapped_categories": unmapped})


@pytest.mark.parametrize("language, one, many", [("es", "'Ruidos': 1 fila", "'Fuegos': 1.234 filas"),
                                                 ("en", "'Ruidos': 1 row", "'Fuegos': 1,234 rows")])
def test_unmapped_labels_count_rows_in_the_singular_and_the_plural(language, one, many):
    with active(language):
        lines = report_lines(_report({"Ruidos": 1, "Fuegos": 1234}))
    assert f"    {one}" in lines and f"    {many}" in lines


def test_the_backup_summary_counts_in_the_singular_and_the_plural():
    from observatorio.commands.backup import _counts_line

    with active("es"):
        line = _counts_line({"events": 1, "batches": 2, "users": 1, "audit_entries": 0})
    assert line.startswith("1 evento, 2 cargas, 0 asignaciones, 0 medidas, 0 áreas, 1 usuario, ")
    assert line.endswith("0 entradas de auditoría")
    with active("en"):
        assert _counts_line({"events": 1, "batches": 1}).startswith("1 event, 1 batch, 0 mappings")
