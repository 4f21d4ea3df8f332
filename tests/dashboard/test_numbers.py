"""The one number formatter of the web interface: Chilean marks in Spanish, English marks in English."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from observatorio.dashboard.numbers import number, separators


@pytest.mark.parametrize("language, decimal, grouped, marks", [
    ("es-cl", "1.234,5", "1.234.567", ",."), ("es", "1.234,5", "1.234.567", ",."),
    ("en", "1,234.5", "1,234,567", ".,"),
])
def test_number_follows_the_active_language(language, decimal, grouped, marks):
    with translation.override(language):
        assert number(1234.5, 1) == decimal
        assert number(1234567) == grouped
        assert number(0.25, 2) == ("0,25" if language.startswith("es") else "0.25")
        assert separators() == marks  # Plotly's layout.separators: the same marks for what Plotly writes


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, "", "x"])
def test_a_missing_number_is_a_dash(missing):
    assert number(missing) == "—"
