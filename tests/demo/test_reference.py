"""The other comunas' CEAD counts and INE's projections the CLI demo loads (demo/reference.py), no database."""

import datetime as dt

import numpy as np
import pandas as pd

from observatorio.demo import bundled
from observatorio.demo.reference import (
    CEAD_FILE,
    PROJECTIONS_FILE,
    other_counts,
    projections,
    shared_folder,
    split_months,
)


def test_split_months_sums_exactly_and_follows_the_shares():
    shares = np.array([[1.0] * 12, [0.0] * 11 + [1.0], [2.0] + [1.0] * 11])
    out = split_months(np.array([10, 7, 13]), shares)
    assert out.sum(axis=1).tolist() == [10, 7, 13]
    assert out[0].tolist() == [1] * 10 + [0, 0]  # ties go to the earlier months
    assert out[1].tolist() == [0] * 11 + [7]
    assert out[2].tolist() == [2] + [1] * 11


def test_bundled_counts_keep_every_other_comunas_yearly_totals():
    frame = other_counts("13122", [2024], None)
    assert "13122" not in set(frame["cut_comuna"].astype(int).astype(str)) and (frame["delito_n"] > 0).all()
    assert set(frame["fecha"]) == {dt.date(2024, m, 1) for m in range(1, 13)}
    yearly = bundled.cead_yearly()
    yearly = yearly[(yearly["year"] == 2024) & (yearly["cut"] != "13122")]
    sums = frame.assign(cut=frame["cut_comuna"].astype(int).astype(str)).groupby(["cut", "delito"])["delito_n"].sum()
    expected = yearly[yearly["n"] > 0].set_index(["cut", "delito"])["n"].astype(float)
    pd.testing.assert_series_equal(sums.sort_index(), expected.sort_index(), check_names=False)
    assert frame.loc[frame["cut_comuna"] == 13120.0, "comuna"].iloc[0] == "Ñuñoa"


def test_bundled_projections_name_every_comuna():
    frame = projections(None)
    assert list(frame.columns) == ["cut_comuna", "comuna", "año", "población"]
    assert len(frame) == len(bundled.population_table())
    row = frame[(frame["cut_comuna"] == "13122") & (frame["año"] == 2024)]
    assert row["comuna"].item() == "Peñalolén" and row["población"].item() == 272_913


def test_the_shared_folder_is_the_geographys_parent_only_with_both_files(tmp_path):
    geography = tmp_path / "penalolen"
    geography.mkdir()
    assert shared_folder(None) is None and shared_folder(geography) is None
    (tmp_path / "cead").mkdir()
    (tmp_path / CEAD_FILE).write_bytes(b"")
    assert shared_folder(geography) is None
    (tmp_path / PROJECTIONS_FILE).write_bytes(b"")
    assert shared_folder(geography) == tmp_path.resolve()
