"""Every analysis module documents itself with examples that run (numpydoc Examples as doctests)."""

import doctest
import importlib
import pkgutil

import pytest

import observatorio.analysis as pkg

MODULES = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"observatorio.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"observatorio.analysis.{name} has no runnable example"
