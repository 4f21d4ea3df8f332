"""Spatial weights builders against libpysal's own lattice and point builders."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point, box

libpysal = pytest.importorskip("libpysal")

from observatorio.analysis import weights  # noqa: E402


def _lattice(nrows: int, ncols: int):
    # Row-major ids, as libpysal.lat2W numbers its cells.
    return [box(c, r, c + 1, r + 1) for r in range(nrows) for c in range(ncols)]


def _neighbour_sets(w):
    return {int(i): sorted(int(j) for j in w.neighbors[i]) for i in w.neighbors}


@pytest.mark.parametrize("kind, rook", [("queen", False), ("rook", True)], ids=["queen", "rook"])
def test_contiguity_on_lattice_matches_lat2w(kind, rook):
    w = weights.contiguity(_lattice(4, 5), kind=kind)
    ref = libpysal.weights.lat2W(4, 5, rook=rook)
    assert _neighbour_sets(w) == _neighbour_sets(ref)
    assert w.transform == "O"


def test_contiguity_keeps_ids_and_reports_islands():
    polys = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)]
    w = weights.contiguity(polys, ids=["a", "b", "c"])
    assert w.neighbors["a"] == ["b"]
    assert w.islands == ["c"]


def test_knn_matches_libpysal():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1000, 40), rng.uniform(0, 1000, 40)
    ours = weights.knn(x, y, k=4)
    ref = libpysal.weights.KNN.from_array(np.column_stack([x, y]), k=4)
    assert _neighbour_sets(ours) == _neighbour_sets(ref)
    assert all(len(v) == 4 for v in ours.neighbors.values())


def test_distance_band_binary_and_inverse_distance():
    w = weights.distance_band([0, 100, 250], [0, 0, 0], threshold=150)
    assert _neighbour_sets(w) == {0: [1], 1: [0, 2], 2: [1]}
    wi = weights.distance_band([0, 100, 250], [0, 0, 0], threshold=150, binary=False)
    assert wi.weights[1] == pytest.approx([1 / 100, 1 / 150])


def test_transformed_copies_and_leaves_original():
    w = weights.contiguity(_lattice(3, 3), kind="rook")
    r = weights.transformed(w, "r")
    assert w.transform == "O" and r.transform == "R"
    assert all(sum(v) == pytest.approx(1.0) for v in r.weights.values())
    assert w.weights[4] == [1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: weights.contiguity(_lattice(2, 2), kind="bishop"), "kind"),
        (lambda: weights.contiguity([Point(0, 0)]), "Polygon"),
        (lambda: weights.contiguity([]), "empty"),
        (lambda: weights.contiguity(_lattice(1, 2), ids=["a"]), "ids"),
        (lambda: weights.knn([0, 1, 2], [0, 0, 0], k=3), "k=3"),
        (lambda: weights.knn([0, 1], [0, 0, 0], k=1), "equal length"),
        (lambda: weights.distance_band([0, 1], [0, np.nan], threshold=1), "finite"),
        (lambda: weights.distance_band([0, 1], [0, 0], threshold=0), "threshold"),
        (lambda: weights.transformed(weights.knn([0, 1, 2], [0, 0, 0], k=1), "z"), "transformation"),
    ],
    ids=["bad-kind", "not-polygon", "empty", "ids-length", "k-too-big", "xy-mismatch", "nan", "zero-band",
         "bad-transform"],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_island_mask_follows_id_order():
    from libpysal.weights import W

    from observatorio.analysis.weights import island_mask

    w = W({"a": ["b"], "b": ["a"], "c": [], "d": []}, id_order=["d", "a", "c", "b"], silence_warnings=True)
    assert island_mask(w).tolist() == [True, False, True, False]
    assert island_mask(weights.knn([0, 1, 5], [0, 0, 0], k=1)).tolist() == [False, False, False]
    with pytest.raises(ValueError, match="libpysal"):
        island_mask({"a": []})
