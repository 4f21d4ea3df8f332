"""The registry of report kinds: every module of this package is one kind.

A kind's module defines ``KIND`` (its name on the command line, e.g. "boletin"), ``TITLE`` (a Spanish source
string, translated when shown) and ``build(context) -> document.Report`` (``context``: a
:class:`observatorio.reports.runs.Context`). Adding a kind is adding one module here; nothing else changes.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType


@functools.cache
def registry() -> dict[str, ModuleType]:
    """Kind → its module, for every module of this package that defines ``KIND`` and ``build``."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "KIND") and hasattr(module, "build"):
            found[module.KIND] = module
    return found
