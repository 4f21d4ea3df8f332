"""Concentration: top shares, units for a share, Gini and generalized Gini on hand-computed cases."""

import itertools

import numpy as np
import pytest

from observatorio.analysis.concentration import gini, top_share, units_for_share

TOL = 1e-12
COUNTS = [50, 20, 10, 5, 5, 4, 3, 2, 1, 0]  # 100 events over 10 units


@pytest.mark.parametrize(
    ("counts", "shares", "expected"),
    [
        (COUNTS, (0.1, 0.25, 0.5, 1.0), {0.1: 0.5, 0.25: 0.8, 0.5: 0.9, 1.0: 1.0}),
        # 0.1 × 30 = 3.0000000000000004 must still be 3 units, not 4.
        ([3] * 3 + [1] * 27, (0.1,), {0.1: 9 / 36}),
        # 1 % of 250 cells rounds up to 3 cells: 10 + 9 + 8 of 100 events.
        ([10, 9, 8, 7] + [0] * 180 + [1] * 66, (0.01, 0.05), {0.01: 27 / 100, 0.05: (34 + 9) / 100}),
        ([0, 0, 0], (0.5,), {0.5: 0.0}),
    ],
    ids=["ten-units", "float-ceil", "cells", "no-events"],
)
def test_top_share(counts, shares, expected):
    got = top_share(counts, shares)
    assert got.keys() == expected.keys()
    for p in expected:
        assert got[p] == pytest.approx(expected[p], abs=TOL)


def test_top_share_defaults_are_1_5_10_percent():
    counts = np.r_[np.full(10, 20), np.zeros(990)]  # 200 events in 10 of 1000 cells
    assert top_share(counts) == {0.01: 1.0, 0.05: 1.0, 0.10: 1.0}


@pytest.mark.parametrize(
    ("counts", "share", "expected"),
    [(COUNTS, 0.5, 0.1), (COUNTS, 0.51, 0.2), (COUNTS, 0.9, 0.5), (COUNTS, 1.0, 0.9), ([1, 1, 1, 1], 0.5, 0.5)],
    ids=["half", "just-over-half", "ninety", "all", "uniform"],
)
def test_units_for_share(counts, share, expected):
    assert units_for_share(counts, share) == pytest.approx(expected, abs=TOL)


def _gini_pairs(x):
    """The definition: mean absolute difference over all ordered pairs / (2 × mean)."""
    x = np.asarray(x, float)
    n = x.size
    return sum(abs(a - b) for a, b in itertools.product(x, x)) / (2 * n * n * x.mean())


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([5, 5, 5, 5], 0.0), ([0, 0, 0, 4], 0.75), ([1, 2, 3, 4], 0.25), ([0, 0, 1, 1], 0.5)],
    ids=["equal", "all-in-one", "ramp", "half-empty"],
)
def test_gini_hand_computed(counts, expected):
    # ramp: Σ|xi−xj| over ordered pairs = 20, / (2·16·2.5) = 0.25.
    assert gini(counts) == pytest.approx(expected, abs=TOL)


def test_gini_matches_pairwise_definition():
    counts = np.random.default_rng(8).poisson(1.3, 60)
    assert gini(counts) == pytest.approx(_gini_pairs(counts), abs=1e-12)
    nonzero = counts[counts > 0]
    assert gini(counts, include_empty=False) == pytest.approx(_gini_pairs(nonzero), abs=1e-12)
    assert gini(counts, include_empty=False) < gini(counts)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1] + [0] * 8, 0.0),  # every event at its own place: maximal equality given n < N
        ([2] + [0] * 9, 0.5),  # G = 0.9; G' = 1 − (10/2)(0.1) = 0.5 = 1 − 1/n, the most possible
        ([2, 1, 1] + [0] * 7, 1 - (10 / 4) * (1 - 0.75)),  # G = 2·(8·1+9·1+10·2)/(10·4) − 1.1 = 0.75
        ([3, 2, 1, 2], gini([3, 2, 1, 2])),  # n ≥ N: the ordinary Gini
    ],
    ids=["spread", "all-in-one", "mixed", "more-events-than-units"],
)
def test_generalized_gini(counts, expected):
    assert gini(counts, generalized=True) == pytest.approx(expected, abs=TOL)


def test_gini_no_events_is_zero_and_input_not_mutated():
    assert gini([0, 0, 0]) == 0.0
    counts = np.array([3.0, 0.0, 1.0])
    gini(counts)
    top_share(counts)
    assert counts.tolist() == [3.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gini([]), "counts is empty"),
        (lambda: gini([1, -1]), "non-negative"),
        (lambda: gini([0.5, 0, 0], generalized=True), "whole-number"),
        (lambda: top_share([1, 2], shares=(0,)), "share 0 must"),
        (lambda: top_share([1, 2], shares=(1.5,)), "share 1.5 must"),
        (lambda: units_for_share([1, 2], 0), "share=0 must"),
        (lambda: units_for_share([0, 0], 0.5), "no events"),
    ],
    ids=["empty", "negative", "fraction", "share-zero", "share-big", "ufs-zero", "ufs-no-events"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples_run():
    import doctest

    from observatorio.analysis import concentration

    result = doctest.testmod(concentration, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_counts_from_a_file_name_the_row_of_an_empty_or_negative_count(capsys, tmp_path):
    from observatorio import cli

    path = tmp_path / "tramos.csv"
    for counts, words in (("3,,5", "la columna 'casos' está vacía en la fila 2; complétela o quite la fila"),
                          ("3,-1,5", "la columna «casos» tiene un conteo negativo en la fila 2")):
        rows = "".join(f"{t},{c}\n" for t, c in zip("ABC", counts.split(",")))
        path.write_text("tramo,casos\n" + rows, encoding="utf-8")
        assert cli.main(["analyze", "concentration", str(path), "--count", "casos"]) == 2
        assert capsys.readouterr().err.strip() == f"observatorio analyze: error: tramos.csv: {words}"
