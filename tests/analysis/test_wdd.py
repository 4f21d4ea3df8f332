"""Weighted Displacement Difference test: the worked example of Wheeler & Ratcliffe (2018) and hand cases."""

from __future__ import annotations

import math

import pytest

from observatorio.analysis.wdd import wdd

EXACT = 1e-12


def test_paper_worked_example():
    # Wheeler & Ratcliffe (2018), Crime Science 7:11: treated 207→110, its control 308→318,
    # displacement buffer 178→157, its control 150→140: WDD −118, variance 1568, z −2.98,
    # 95 % interval (−196, −40).
    r = wdd((207, 110), (308, 318), (178, 157), (150, 140), confidence=0.95)
    assert r.estimate == -118
    assert r.se**2 == pytest.approx(1568, abs=1e-9)
    assert round(r.z, 2) == -2.98
    assert (round(r.lower), round(r.upper)) == (-196, -40)
    assert r.local == -107 and r.displacement == -11
    assert r.p_value == pytest.approx(math.erfc(118 / math.sqrt(1568) / math.sqrt(2)), abs=EXACT)


@pytest.mark.parametrize(
    "args, local, displacement",
    [
        (((20, 10), (20, 20)), -10, 0),
        (((20, 20), (20, 20), (20, 10), (20, 20)), 0, -10),
        (((20, 10), (20, 20), (20, 10), (20, 20)), -10, -10),
        (((10, 30), (10, 10)), 20, 0),
    ],
    ids=["local-only", "displacement-only", "both", "increase"],
)
def test_hand_computed_estimates(args, local, displacement):
    r = wdd(*args)
    assert r.local == local
    assert r.displacement == displacement
    assert r.estimate == local + displacement
    var = sum(sum(pair) for pair in args)
    assert r.se == pytest.approx(math.sqrt(var), abs=EXACT)
    assert r.local_se == pytest.approx(math.sqrt(sum(args[0]) + sum(args[1])), abs=EXACT)
    assert r.z == pytest.approx(r.estimate / math.sqrt(var), abs=EXACT)


def test_no_change_is_not_significant():
    r = wdd((50, 50), (80, 80))
    assert r.estimate == 0 and r.z == 0 and r.p_value == pytest.approx(1.0)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (((1, 2, 3), (1, 1)), {}, "treated"),
        (((1, 2), (-1, 1)), {}, "control"),
        (((0, 0), (0, 0)), {}, "no variance"),
        (((1, 2), (1, 1)), {"confidence": 1.5}, "confidence"),
    ],
    ids=["triple", "negative", "all-zero", "bad-confidence"],
)
def test_bad_input_raises(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        wdd(*args, **kwargs)
