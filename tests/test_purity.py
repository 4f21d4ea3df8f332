"""The pure modules import neither Django nor matplotlib (DESIGN.md), each in a fresh interpreter.

Pure: every module of observatorio.tables and observatorio.analysis, the
category tree observatorio.taxonomy, the demo's generator
observatorio.demo.scenario with everything it imports, and the reports'
sentences observatorio.reports.sentences. tests/test_layers.py
checks the same from the source, function-level imports included.
"""

import subprocess
import sys

import pytest

FORBIDDEN = ("django", "matplotlib")
PURE_MODULES = ("observatorio.taxonomy", "observatorio.demo.scenario", "observatorio.reports.sentences")


def _modules_loaded_by(import_line: str) -> set[str]:
    code = f"import sys; {import_line}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def _pure_modules():
    import pkgutil

    import observatorio.analysis
    import observatorio.tables

    found = []
    for pkg in (observatorio.tables, observatorio.analysis):
        found += [pkg.__name__] + sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."))
    return found + list(PURE_MODULES)


def test_the_pure_modules_are_found():
    assert {"observatorio.tables", "observatorio.tables.readers", "observatorio.tables.readers.csv",
            "observatorio.tables.parsing", "observatorio.tables.rut", "observatorio.analysis.inputs",
            "observatorio.demo.scenario"} <= set(_pure_modules())


@pytest.mark.parametrize("module", _pure_modules())
def test_module_imports_no_django_or_matplotlib(module):
    loaded = _modules_loaded_by(f"import {module}")
    assert module in loaded
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert bad == [], f"{module} pulled in {bad[:5]}"
