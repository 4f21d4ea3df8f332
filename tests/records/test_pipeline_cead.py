"""CEAD casos policiales and INE projections from ../shared/data, through the same pipeline.

The full file (1,987,200 rows) is imported by the benchmark and in docs/import.md;
here two comunas of it (Peñalolén, and Santiago, where the compiled series has
counts like 1.04 that mean 1.040) keep the test fast.
"""

from __future__ import annotations

import pandas as pd
import pytest
from django.db.models import Sum

from observatorio.records.models import AggregateCount, PopulationProjection
from observatorio.records.pipeline import run_import
from observatorio.records.pipeline.population import load_population, rate_per_100k
from tests.conftest import shared_file

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]

# Casos policiales of Peñalolén (CEAD), as published.
PENALOLEN_TOTALS = {2010: 17_202, 2023: 9_946, 2024: 10_232}
PENALOLEN_2024_POPULATION = 272_913


@pytest.fixture
def cead_subset(tmp_path):
    frame = pd.read_parquet(shared_file("cead", "cead_delincuencia_chile.parquet"))
    subset = frame[frame["cut_comuna"].isin([13122.0, 13101.0])]
    path = tmp_path / "cead_subset.parquet"
    subset.to_parquet(path, index=False)
    return path, subset


def test_cead_gives_monthly_series_for_every_category_with_the_published_totals(cead_subset):
    path, subset = cead_subset
    result = run_import(path, "cead", commit=True)
    assert (result.read, result.imported, result.duplicates, result.rejected) == (11_520, 11_520, 0, 0)
    short = subset["delito_n"].map(lambda v: v != int(v) and len(repr(v).split(".")[1]) < 3).sum()
    assert short > 0 and any(f"{short} counts written like 1.04" in n for n in result.notes)
    rows = AggregateCount.objects.filter(area_code="13122")
    assert rows.count() == 192 * 30
    assert rows.values("original_label").distinct().count() == 30
    assert not rows.filter(category__isnull=True).exists()
    assert rows.values("period_start").distinct().count() == 192
    for year, total in PENALOLEN_TOTALS.items():
        assert rows.filter(period_start__year=year).aggregate(n=Sum("count"))["n"] == total, year
    # Santiago's "1.04" is 1.040 cases: the total equals the compiled series read the same way.
    santiago = subset[subset["cut_comuna"] == 13101.0]["delito_n"]
    fixed = santiago.map(lambda v: round(v * 1000) if v != int(v) else v).sum()
    assert AggregateCount.objects.filter(area_code="13101").aggregate(n=Sum("count"))["n"] == fixed
    again = run_import(path, "cead", commit=True)
    assert (again.imported, again.duplicates) == (0, 11_520)


def test_population_projections_give_rates_per_100000(db):
    result = load_population(shared_file("cead", "censo_proyecciones_anio.parquet"), commit=True)
    # 346: the projections include Antártica (48 inhabitants in 2002), which CEAD does not report.
    assert result.comunas == 346 and result.years == (2002, 2035)
    assert PopulationProjection.objects.get(area_code="13122", year=2024).population == PENALOLEN_2024_POPULATION
    assert rate_per_100k(10_232, "13122", 2024) == pytest.approx(10_232 / 272_913 * 1e5, rel=1e-12)
    assert round(rate_per_100k(10_232, "13122", 2024), 1) == 3749.2
    assert rate_per_100k(1, "99999", 2024) is None
