"""Content hashes: the Arrow-built hashes equal SHA-256 of the row's parts joined in plain Python."""

import hashlib

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.records.pipeline import dedupe

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)


def reference(parts: list[list]) -> list[str]:
    """The definition: missing values as '', the rest as str(), joined by the unit separator."""
    def text(v):
        return "" if v is None or (isinstance(v, float) and v != v) else str(v)

    return [hashlib.sha256(dedupe.SEP.join(text(p[i]) for p in parts).encode("utf-8")).hexdigest()
            for i in range(len(parts[0]))]


@settings(max_examples=80, deadline=None)
@given(st.data(), st.integers(1, 30))
def test_hash_rows_equal_the_definition_for_every_kind_of_column(data, n):
    kinds = data.draw(st.lists(st.sampled_from(["text", "text-missing", "int", "float", "series", "mixed"]),
                               min_size=1, max_size=5))
    parts, plain = [], []
    for kind in kinds:
        if kind == "int":
            values = data.draw(st.lists(st.integers(-10**9, 10**9), min_size=n, max_size=n))
            parts.append(np.asarray(values, dtype=np.int64))
        elif kind == "float":
            values = data.draw(st.lists(st.floats(allow_infinity=False), min_size=n, max_size=n))
            parts.append(np.asarray(values, dtype=np.float64))
        elif kind == "mixed":
            values = data.draw(st.lists(st.one_of(texts, st.integers(), st.none(), st.booleans()), min_size=n,
                                        max_size=n))
            parts.append(np.asarray(values, dtype=object))
        else:
            values = data.draw(st.lists(texts if kind != "text-missing" else st.one_of(texts, st.none()),
                                        min_size=n, max_size=n))
            parts.append(pd.Series(values, dtype="str") if kind == "series" else np.asarray(values, dtype=object))
        plain.append(values)
    assert list(dedupe.hash_rows(parts)) == reference(plain)


def test_hash_rows_of_empty_texts_and_of_no_rows():
    assert list(dedupe.hash_rows([["", ""], ["", ""]])) == [hashlib.sha256(dedupe.SEP.encode()).hexdigest()] * 2
    assert len(dedupe.hash_rows([[]])) == 0
