"""observatorio.analysis must import neither Django nor matplotlib (DESIGN.md)."""

import subprocess
import sys

import pytest

FORBIDDEN = ("django", "matplotlib")


def _modules_loaded_by(import_line: str) -> set[str]:
    code = f"import sys; {import_line}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def _analysis_modules():
    import pkgutil

    import observatorio.analysis as pkg

    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__))


@pytest.mark.parametrize("module", _analysis_modules())
def test_analysis_module_imports_no_django_or_matplotlib(module):
    loaded = _modules_loaded_by(f"import observatorio.analysis.{module}")
    assert f"observatorio.analysis.{module}" in loaded
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert bad == [], f"observatorio.analysis.{module} pulled in {bad[:5]}"
