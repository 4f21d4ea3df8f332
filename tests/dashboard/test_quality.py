"""Sources and data quality: monthly counts, shares and last import against the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse

from observatorio import state
from observatorio.dashboard import quality


@pytest.fixture(autouse=True)
def fresh_state():
    state.reset()
    yield
    state.reset()


@pytest.mark.parametrize("as_of, first, last", [
    (dt.date(2026, 11, 25), dt.date(2024, 12, 1), dt.date(2026, 11, 1)),
    (dt.date(2026, 1, 31), dt.date(2024, 2, 1), dt.date(2026, 1, 1)),
], ids=["november", "january"])
def test_month_starts(as_of, first, last):
    months = quality.month_starts(as_of, 24)
    assert (months[0], months[-1], len(set(months))) == (first, last, 24)


def test_figures_per_source_match_the_orm(demo, db):
    from observatorio.records.models import Event, ImportBatch

    sources, months = quality.source_quality(state.current())
    by_code = {q.code: q for q in sources}
    for code in ("1461", "denuncias", "vif"):
        q = by_code[code]
        events = Event.objects.filter(source__code=code)
        monthly = dict(events.filter(occurred_on__gte=months[0]).annotate(m=TruncMonth("occurred_on"))
                       .values_list("m").annotate(n=Count("id")).order_by())
        assert q.months == [monthly.get(m, 0) for m in months], code
        n = events.count()
        assert q.total == n
        assert q.with_area == pytest.approx(events.filter(area__isnull=False).count() / n)
        assert q.unmapped == pytest.approx(events.filter(category__isnull=True).count() / n)
        assert q.located == pytest.approx(events.filter(precision__in=["point", "address"]).count() / n)
        assert q.last_batch == ImportBatch.objects.filter(source__code=code).order_by("-created_at").first()


def test_cead_counts_cases_and_a_missing_month_is_a_gap(demo, db):
    from django.db.models import Sum

    from observatorio.records.models import AggregateCount

    sources, months = quality.source_quality(state.current())
    cead = next(q for q in sources if q.code == "cead")
    assert cead.unit == "casos"
    assert sum(cead.months) == AggregateCount.objects.filter(source__code="cead", period_start__gte=months[0]).aggregate(
        n=Sum("count"))["n"]
    # CEAD is published with a lag: the last months of the demo are empty and must show as gaps.
    empty_after_first = [i for i, v in enumerate(cead.months) if v == 0 and any(cead.months[:i])]
    assert cead.gaps == len(empty_after_first) > 0
    assert all(cead.cells[i][3] for i in empty_after_first)


def test_page_and_csv(client, demo, personas):
    client.force_login(personas["ana"])
    text = client.get(reverse("quality")).content.decode()
    assert 'id="heat-table"' in text and 'data-source="1461"' in text and 'class="gap"' in text
    csv_text = client.get(reverse("quality_csv")).content.decode("utf-8-sig")
    header = csv_text.splitlines()[0].split(",")
    assert header[:4] == ["fuente", "nombre", "unidad", "total"] and len(header) == 9 + quality.MONTHS


@pytest.mark.parametrize("name", ["quality", "quality_csv"])
def test_permissions(client, demo, personas, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(personas["charlie"])
    assert client.get(url).status_code == 403
    for who in ("alice", "bob", "olga", "ana"):
        client.force_login(personas[who])
        assert client.get(url).status_code == 200
