"""The analysis tests read error messages in English, as `observatorio --lang en` prints them.

The package raises Spanish templates (`errors.N_`); these tests keep checking the exact English wording, and
so that the catalogue translates every one. Spanish is checked in tests/core/test_cli_language.py.
"""

from tests.english_errors import english_errors  # noqa: F401 - autouse fixture
