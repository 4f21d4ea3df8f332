"""Clusters whose cell follows the zoom (#14): the map asks for the "grupos" layer with ``celda`` = one of
``CLUSTER_CELLS``; other sizes are refused; at every size the counts add up to the events, the cells nest
(a coarse cell holds exactly the fine cells inside it) and an aggregate-only reader never sees a cell of 1..k−1."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from django.urls import reverse

from observatorio.analysis.grid import Grid
from observatorio.dashboard.layers import base

from .test_map_readable import LONG, _counts
from .test_mapview import fresh_state  # noqa: F401 - the state reset around each test

SIZES = [int(size) for size in base.CLUSTER_CELLS]


def _get(client, key="grupos", **query):
    return client.get(reverse("map_layer", args=(key, "json")), {**LONG, **query})


def _cells(body) -> dict[tuple[float, float], int]:
    (trace,) = body["traces"]
    return dict(zip(zip(trace["x"], trace["y"]), _counts(trace)))


def test_blocks_of_the_finest_grid_sum_into_the_coarser_one():
    finest = Grid(0.0, 0.0, 125.0, 8, 8, 32719)
    counts = np.arange(64)
    coarse = base.cluster_grid(finest, 500.0)
    assert (coarse.nrows, coarse.ncols, coarse.cell) == (2, 2, 500.0)
    summed = base.coarser_counts(finest, counts, coarse)
    # cell (0, 0) of 500 m holds fine rows 0..3 and columns 0..3
    assert summed.tolist() == [sum(r * 8 + c for r in range(a, a + 4) for c in range(b, b + 4))
                               for a in (0, 4) for b in (0, 4)]
    assert base.coarser_cells(finest, np.array([0, 3, 4, 8 * 4, 63, -1]), coarse).tolist() == [0, 0, 1, 2, 3, -1]
    with pytest.raises(ValueError):
        base.cluster_grid(finest, 300.0)


def test_every_size_accepted_counts_every_event_and_the_cells_nest(client, demo, personas):
    client.force_login(personas["bob"])
    default = _get(client).json()
    assert default["cell"] == int(base.CLUSTER_CELL)
    seen = {}
    for size in SIZES:
        response = _get(client, celda=str(size))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["cell"] == size and f"{size} m" in body["note"]
        seen[size] = _cells(body)
        assert sum(seen[size].values()) == body["events"] == default["events"] > 0
    assert _cells(default) == seen[int(base.CLUSTER_CELL)]
    assert len(seen[1000]) < len(seen[500]) < len(seen[250]) < len(seen[125])
    fine = seen[min(SIZES)]
    for size in SIZES:
        regrouped = Counter()
        for (x, y), n in fine.items():
            regrouped[(math.floor(x / size), math.floor(y / size))] += n
        assert regrouped == {(math.floor(x / size), math.floor(y / size)): n for (x, y), n in seen[size].items()}
    sheet = client.get(reverse("map_layer", args=("grupos", "csv")), {**LONG, "celda": "1000"})
    assert sheet.status_code == 200 and "_1000m." in sheet["Content-Disposition"]


@pytest.mark.parametrize("key, asked", [("grupos", "300"), ("grupos", "abc"), ("grupos", ""), ("grupos", "nan"),
                                        ("grupos", "2000"), ("densidad", "250"), ("eventos", "250")])
def test_other_sizes_and_other_layers_are_refused(client, demo, personas, key, asked):
    client.force_login(personas["bob"])
    response = _get(client, key, celda=asked)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_cell" and error["fields"]["celda"]
    if key == "grupos":
        assert "1000, 500, 250, 125" in error["message"]


def test_the_authority_never_sees_a_small_cell_at_any_size(client, demo, personas):
    client.force_login(personas["bob"])
    exact = {size: _cells(_get(client, celda=str(size)).json()) for size in SIZES}
    client.force_login(personas["ana"])
    reserved = 0
    for size in SIZES:
        body = _get(client, celda=str(size)).json()
        k = body["disclosure"]["k"]
        shown = _cells(body)
        assert min(shown.values()) >= k
        assert shown == {xy: n for xy, n in exact[size].items() if n >= k}
        reserved += len(exact[size]) - len(shown)
    assert reserved > 0  # some cells of 1..k−1 were left out somewhere
    short = _get(client, celda="1000", period="custom", start="2026-11-20", end="2026-11-25").json()
    assert short["traces"] == [] and short["empty_reason"]  # the grid layers' minimum window still holds
