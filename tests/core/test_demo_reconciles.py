"""The demo at its natural scale (no --events) reconciles exactly with CEAD, and the CLI prints CEAD's figures.

Its police events are drawn from CEAD's yearly totals per category and split into months with the same seasonal
profile and rounding as its CEAD monthly counts, so the police-cases measure equals CEAD's count in every month
and category. (The small 3,000-event demo the other tests share is rescaled and does not reconcile.)
About 150,000 events: loaded once for this module (~40 s).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db.models import Sum
from django.urls import reverse

from observatorio import cli, state
from tests.conftest import build_demo, loaded


@pytest.fixture(scope="module")
def natural_demo(django_db_setup, django_db_blocker):
    with loaded(build_demo(None), django_db_blocker) as result:
        yield result


def cead(category: str, year: int) -> int:
    from observatorio.records.models import AggregateCount

    return AggregateCount.objects.filter(source__code="cead", category__code=category, period_start__year=year,
                                         area__parent__isnull=True).aggregate(n=Sum("count"))["n"]


def test_figures_prints_ceads_count(natural_demo, db, capsys):
    assert cli.main(["figures", "casos-policiales", "--from", "2025-01-01", "--to", "2025-12-31", "--category",
                     "Robos con violencia o intimidación", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["count"] == cead("robo-violencia", 2025) == 769
    assert got["previous"]["count"] == got["last_year"]["count"] == cead("robo-violencia", 2024)
    assert cli.main(["figures", "casos-policiales", "--from", "2025-01-01", "--to", "2025-12-31", "--category",
                     "robos con violencia o intimidacion"]) == 0
    assert "casos: 769 (" in capsys.readouterr().out
    # Every category and year of CEAD's table, through the same command.
    for category in ("hurto", "vif", "amenazas"):
        for year in (2023, 2024, 2025):
            assert cli.main(["figures", "casos-policiales", "--from", f"{year}-01-01", "--to", f"{year}-12-31",
                             "--category", category, "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["count"] == cead(category, year), (category, year)


def test_the_reconciliation_is_exact_by_month_and_category(natural_demo, db, client):
    from observatorio.dashboard.reconcile import reconciliations
    from observatorio.records.models import AggregateCount

    rec = reconciliations(state.current())[0]
    assert rec.measure.code == "casos-policiales"
    assert (rec.first, rec.last) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert rec.exact_by_month and rec.exact_by_year
    assert [r.difference for r in rec.detail] == [0] * len(rec.detail)
    assert sum(r.official for r in rec.detail) == AggregateCount.objects.filter(source__code="cead").aggregate(
        n=Sum("count"))["n"]
    assert len(rec.months) == 36
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user

    client.force_login(create_user("lector", "lector-pass-1234", Role.ANALYST))
    page = client.get(reverse("quality")).content.decode()
    assert 'data-exact="month"' in page and "Coincide exactamente por mes y categoría." in page
