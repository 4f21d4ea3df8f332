"""The import pipeline: one path from an uploaded file to events, for the CLI and the web.

    from observatorio.records.pipeline import run_import
    result = run_import(path, "1461", commit=True, user=request.user, progress=callback)

`run.run_import` reads (`tables.readers`), maps columns (`mapping`), homologates
labels (`crosswalk`), validates each row (`validate`), places it (`geocode`,
`areas`), recognises duplicates and corrections (`dedupe`) and writes in one
transaction (`write`). `rollback.rollback_batch` undoes a batch, `report` writes
its error report. See docs/import.md.
"""

from __future__ import annotations

__all__ = ["ImportFailed", "ImportResult", "Issue", "rollback_batch", "run_import"]


def __getattr__(name):
    # Lazy, so that importing a submodule (fields) does not pull in Django models.
    if name in ("run_import", "ImportResult"):
        from . import run
        return getattr(run, name)
    if name in ("ImportFailed", "Issue"):
        from . import issues
        return getattr(issues, name)
    if name == "rollback_batch":
        from .rollback import rollback_batch
        return rollback_batch
    raise AttributeError(name)
