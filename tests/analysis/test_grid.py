"""Limits instead of crashes: a grid over the limit is refused with the cell that fits; memory and a closed pipe
end the command with one line or quietly, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatorio import cli
from observatorio.analysis.grid import Grid, GridTooLarge, fitting_cell

ROOT = Path(__file__).resolve().parents[2]


def test_a_grid_over_the_limit_is_refused_before_it_is_made():
    # 10 km × 5 km at 10 m: 1001 × 501 cells.
    with pytest.raises(GridTooLarge) as caught:
        Grid.covering([0, 10_000], [0, 5_000], cell=10, epsg=32719, max_cells=100_000)
    e = caught.value
    assert (e.cells, e.max_cells, e.cell) == (1001 * 501, 100_000, 10.0)
    # √(10,000 · 5,000 / 100,000) = 22.4 m; 25 m is the next round side, 401 × 201 = 80,601 cells fit.
    assert e.fitting == 25.0
    fits = Grid.covering([0, 10_000], [0, 5_000], cell=e.fitting, epsg=32719, max_cells=100_000)
    assert fits.size == 401 * 201 <= 100_000


@pytest.mark.parametrize("box,max_cells,expected", [
    ((0, 0, 99_999, 99_999), 10_000, 1000.0),  # 100 × 100
    ((0, 0, 100_000, 100_000), 10_000, 1500.0),  # 1,000 m gives 101 × 101: one too many rows and columns
    ((0, 0, 1_000, 10), 3, 400.0),  # a strip: 3 columns of 400 m (0-400-800-1200)
])
def test_the_fitting_cell_is_the_smallest_round_side_that_fits(box, max_cells, expected):
    cell = fitting_cell(*box, max_cells)
    assert cell == expected
    assert Grid.covering(box[::2], box[1::2], cell=cell, epsg=32719).size <= max_cells


@pytest.fixture
def wide_csv(tmp_path):
    """Two points 20 km apart (Santiago to Puente Alto, roughly)."""
    path = tmp_path / "lejos.csv"
    pd.DataFrame({"lon": [-70.65, -70.55], "lat": [-33.45, -33.61]}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("method", ["gistar", "kde", "concentration"])
def test_the_cli_refuses_a_large_grid_naming_the_options_and_the_cell_that_fits(capsys, wide_csv, method):
    assert cli.main(["analyze", method, str(wide_csv), "--cell", "10", "--max-cells", "50000"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("observatorio analyze: error: la grilla tendría ")
    assert "celdas de 10 m, más que el límite de 50.000 (--max-cells u OBS_ANALYSIS_MAX_CELLS); con --cell 60 " \
           "cabe" in err  # ~9.3 × 17.7 km: 156 × 296 cells of 60 m
    extra = ["--bandwidth", "200"] if method == "kde" else []
    assert cli.main(["analyze", method, str(wide_csv), "--cell", "60", "--max-cells", "50000", *extra]) == 0


def test_the_limit_comes_from_the_environment(capsys, monkeypatch, wide_csv):
    monkeypatch.setenv("OBS_ANALYSIS_MAX_CELLS", "1000")
    assert cli.main(["analyze", "concentration", str(wide_csv), "--cell", "100"]) == 2
    assert "más que el límite de 1.000" in capsys.readouterr().err
    assert cli.main(["analyze", "concentration", str(wide_csv), "--cell", "100", "--max-cells", "100000"]) == 0


def _command(*argv) -> list[str]:
    return [sys.executable, "-m", "observatorio.cli", "analyze", *argv]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OBS_LANGUAGE": "es-cl"}


def test_memory_exhausted_is_one_line_not_a_traceback(tmp_path, wide_csv):
    """A real MemoryError: the child may map 3 GB and is asked for a grid of 1 m cells over 20 km (8 GB)."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    out = subprocess.run(_command("concentration", str(wide_csv), "--cell", "1", "--max-cells", "1000000000"),
                         capture_output=True, text=True, env=_env(), preexec_fn=limit, timeout=120)
    assert out.returncode == 1, out.stderr
    assert out.stderr.strip() == ("observatorio analyze: no hay memoria suficiente para terminar; pruebe con menos "
                                  "datos (un archivo, un período o un área más pequeños)")


@pytest.fixture
def many_csv(tmp_path):
    rng = np.random.default_rng(5)
    path = tmp_path / "muchos.csv"
    pd.DataFrame({"lon": rng.uniform(-70.56, -70.50, 2000), "lat": rng.uniform(-33.50, -33.46, 2000)}).to_csv(
        path, index=False)
    return path


def _only_warnings(err: str) -> bool:
    """Nothing on stderr but the command's warnings (no --area: the empty share), no traceback, no error."""
    return all(line.startswith("aviso: ") for line in err.splitlines())


def test_piped_into_head_it_prints_the_first_line_and_nothing_on_stderr(many_csv):
    """A real ``| head -1`` (tests/core/test_cli_language.py closes the pipe before the command writes)."""
    command = " ".join(_command("gistar", str(many_csv), "--json", "--cell", "50")) + " 2>err.txt | head -1"
    out = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=_env(),
                         cwd=many_csv.parent, timeout=120)
    assert out.stdout == "{\n"
    assert _only_warnings((many_csv.parent / "err.txt").read_text())
    assert out.returncode in (0, 141)  # 141 when head closed the pipe before the command had written it all
