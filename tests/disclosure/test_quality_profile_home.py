"""Disclosure control on the home page, the area profiles and the data-quality page (authority vs analyst)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

K = 5


def small(v) -> bool:
    return v is not None and 1 <= v < K


@pytest.fixture
def ana(client, personas):
    client.force_login(personas["ana"])
    return client


def test_quality_page_and_csvs_hide_small_counts_from_the_authority(demo, db, ana):
    response = ana.get(reverse("quality"))
    assert response.status_code == 200
    for q in response.context["sources"]:
        assert not any(small(v) for v in q.months)
        assert not small(q.total)
        if q.total is not None:
            gap = q.total - sum(v for v in q.months if v is not None)
            assert not small(gap) or any(v is None for v in q.months), (q.code, gap)
    for rec in response.context["reconciliations"]:
        for rows in (rec.shown_detail, rec.months, rec.by_year, rec.by_year_family, rec.years):
            assert not any(small(r.measure) for r in rows)
        for month in rec.months:  # a month's total minus its visible categories
            if month.measure is not None:
                parts = [r.measure for r in rec.shown_detail if r.month == month.month]
                gap = month.measure - sum(p for p in parts if p is not None)
                assert not small(gap)
    rows = list(csv.reader(io.StringIO(ana.get(reverse("quality_csv")).content.decode("utf-8-sig"))))
    for row in rows[1:]:
        if row[0] != "nota":
            assert not any(v.isdigit() and small(int(v)) for v in row[9:]), row
    rec_rows = list(csv.DictReader(io.StringIO(
        ana.get(reverse("reconciliation_csv")).content.decode("utf-8-sig"))))
    assert not any(r["medida_conteo"].isdigit() and small(int(r["medida_conteo"])) for r in rec_rows
                   if r["medida"] != "nota")


def test_the_analyst_sees_the_quality_counts_exactly(demo, db, client, personas):
    client.force_login(personas["bob"])
    response = client.get(reverse("quality"))
    assert response.context["disclosure"] == ""
    assert all(v is not None for q in response.context["sources"] for v in q.months)


def test_profile_of_the_authority(demo, db, ana):
    from observatorio.state import current

    index = current().index
    uv = index.ids_at("uv")[0]
    response = ana.get(reverse("area_profile", args=(uv,)))
    assert response.status_code == 200 and response.context["disclosure"]
    for h in response.context["headline"]:
        assert not small(h["count"])
        assert not small(h["ytd"].current) and not small(h["ytd"].previous)
    for values in response.context["series"].values():
        assert not any(small(v) for v in values)
    text = ana.get(reverse("area_profile_csv", args=(uv,))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-1][:2] == ["nota", "control_divulgacion"]
    for row in rows[1:-1]:
        if row[0] in ("indicadores", "serie_mensual") and row[3].isdigit():
            assert not small(int(row[3])), row


def test_home_of_the_authority(demo, db, ana):
    response = ana.get(reverse("home"))
    assert response.status_code == 200
    for m in response.context["headline"].figures:
        assert not small(m.count)
        assert not small(m.figure.previous.count) and not small(m.figure.last_year.count)
    assert not any(small(count) for _name, count in response.context["uv_rows"])


def test_an_operator_sees_no_sensitive_count_of_others_by_uv(demo, db, client, personas):
    """olga (1461) sees events, so sensitive measures are offered to her, but casos-vif is not her source: on a
    UV's profile it is left out, on the home page (comuna, 28 days) it is shown with small counts withheld."""
    from observatorio.state import current

    client.force_login(personas["olga"])
    uv = current().index.ids_at("uv")[0]
    response = client.get(reverse("area_profile", args=(uv,)))
    assert "casos-vif" not in [h["key"] for h in response.context["headline"]]
    assert "casos-vif" not in response.context["series"]
    own = next(h for h in response.context["headline"] if h["key"] == "llamados-1461")
    assert own["count"] == int(response.context["row"]["n_llamados-1461"]), "her own source: exact"
