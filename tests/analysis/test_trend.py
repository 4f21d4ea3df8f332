"""Mann–Kendall and Sen's slope: hand-computed answers, and the many-series form against the one-series form."""

import numpy as np
import pytest
from scipy import stats

from observatorio.analysis.trend import mann_kendall, mann_kendall_many


def test_hand_computed_series_with_ties():
    # [1, 2, 2, 3]: pair signs + + + 0 + +, S = 5; n(n-1)(2n+5) = 156, one tie of 2 removes 2·1·9 = 18,
    # Var(S) = 138 / 18; z = (5 - 1) / √Var; Sen's slope = median(1, .5, 2/3, 0, .5, 1) = (0.5 + 2/3) / 2.
    r = mann_kendall([1, 2, 2, 3])
    assert r.s == 5 and r.var_s == pytest.approx(138 / 18, rel=1e-15)
    assert r.z == pytest.approx(4 / np.sqrt(138 / 18), rel=1e-15)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(4 / np.sqrt(138 / 18)), rel=1e-15)
    assert r.slope == pytest.approx((0.5 + 2 / 3) / 2, rel=1e-15)
    assert r.tau == pytest.approx(5 / 6, rel=1e-15)


def test_s_is_kendalls_numerator_against_time():
    rng = np.random.default_rng(3)
    x = rng.normal(size=25)
    r = mann_kendall(x)
    tau_a = stats.kendalltau(np.arange(25), x, variant="b").statistic  # no ties: tau-b = tau-a
    assert r.tau == pytest.approx(tau_a, rel=1e-12)


def test_constant_series_has_no_trend():
    r = mann_kendall([4, 4, 4, 4])
    assert (r.s, r.var_s, r.z, r.p_value, r.slope) == (0.0, 0.0, 0.0, 1.0, 0.0)


def test_many_rows_equal_one_call_per_row():
    rng = np.random.default_rng(11)
    rows = np.vstack([rng.integers(0, 4, size=(300, 9)).astype(float), rng.normal(size=(300, 9))])
    many = mann_kendall_many(rows)
    for k, row in enumerate(rows):
        one = mann_kendall(row)
        # The same arithmetic, so equal to the last bit.
        assert (one.s, one.var_s, one.z, one.p_value, one.tau, one.slope) == (
            many.s[k], many.var_s[k], many.z[k], many.p_value[k], many.tau[k], many.slope[k])


@pytest.mark.parametrize(("values", "match"), [
    ([1, 2], "at least 3"), ([1, np.nan, 3], "NaN"), ([[1, 2, 3]], "one-dimensional")])
def test_bad_input(values, match):
    with pytest.raises(ValueError, match=match):
        mann_kendall(values)


def test_many_rejects_one_series():
    with pytest.raises(ValueError, match="two-dimensional"):
        mann_kendall_many([1, 2, 3])


# --------------------------------------------------------------------------- the trend of a file of US-style dates

def _us_file(tmp_path, days_for_month):
    """Month m of 2020 has m events (true Sen slope 1: every pair of months rises by 1 per month), written
    month-first (MM/DD/YYYY) on the days ``days_for_month(m)``."""
    rows = [f"{m:02d}/{d:02d}/2020" for m in range(1, 13) for d in days_for_month(m)]
    path = tmp_path / "us.csv"
    path.write_text("fecha\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, rows


def _trend(capsys, *argv):
    import json

    from observatorio import cli

    assert cli.main(["analyze", "trend", *argv, "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_sen_slope_of_a_month_first_file_is_the_true_one(capsys, tmp_path):
    import pandas as pd

    path, rows = _us_file(tmp_path, lambda m: [1 + (3 * k) % 28 for k in range(m)])
    doc, err = _trend(capsys, str(path), "--date", "fecha")
    assert list(doc["results"]["counts"].values()) == list(range(1, 13))
    assert doc["results"]["slope"] == 1.0 and doc["results"]["verdict"] == "up"
    ambiguous = sum(int(r[:2]) != int(r[3:5]) and int(r[3:5]) <= 12 for r in rows)
    assert f"aviso: {ambiguous} fechas de la columna 'fecha' pueden leerse como día-mes o como mes-día: se leyeron " \
           "mes-día-año" in err
    # The old reading (day first, each value falling back alone) misdates these very rows: the test can fail.
    old = pd.to_datetime(pd.Series(rows), format="mixed", dayfirst=True)
    assert old.dt.month.value_counts().sort_index().tolist() != list(range(1, 13))


def test_an_all_ambiguous_file_needs_the_format_and_says_so(capsys, tmp_path):
    path, _ = _us_file(tmp_path, lambda m: [1 + k % 12 for k in range(m)])  # every day ≤ 12: nothing decides
    doc, err = _trend(capsys, str(path), "--date", "fecha")
    assert "se leyeron día-mes-año; si son mes-día-año, use --date-format mm-dd-aaaa" in err
    doc, err = _trend(capsys, str(path), "--date", "fecha", "--date-format", "%m/%d/%Y")
    assert list(doc["results"]["counts"].values()) == list(range(1, 13)) and doc["results"]["slope"] == 1.0
    assert err == ""


def test_a_file_of_both_orders_is_refused(capsys, tmp_path):
    from observatorio import cli

    path = tmp_path / "mixto.csv"
    path.write_text("fecha\n13/01/2020\n02/03/2020\n01/14/2020\n", encoding="utf-8")
    assert cli.main(["analyze", "trend", str(path), "--date", "fecha"]) == 2
    err = capsys.readouterr().err
    assert ("mixto.csv: columna 'fecha': la columna mezcla fechas día-mes y mes-día: la fila 1 tiene '13/01/2020'"
            in err)
    assert "--date-format" in err
