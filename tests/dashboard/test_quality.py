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


@pytest.mark.parametrize("name", ["quality", "quality_csv", "reconciliation_csv"])
def test_permissions(client, demo, personas, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(personas["charlie"])
    assert client.get(url).status_code == 403
    for who in ("alice", "bob", "olga", "ana"):
        client.force_login(personas[who])
        assert client.get(url).status_code == 200


# --- reconciliation with CEAD ----------------------------------------------------------------------------------


def _orm_reconciliation(measure_code: str) -> tuple[dict, dict]:
    """(month, category id) → the measure's events and CEAD's count for the comuna, from the ORM alone."""
    from django.db.models import Sum

    from observatorio.records.models import AggregateCount, Event, Measure
    from observatorio.territory.models import Area

    m = Measure.objects.get(code=measure_code)
    comuna = Area.objects.get(parent__isnull=True)
    official = {}
    for month, category, n in (AggregateCount.objects.filter(source=m.reference_source, area=comuna)
                               .annotate(month=TruncMonth("period_start")).values_list("month", "category_id")
                               .annotate(n=Sum("count")).order_by()):
        official[(month, category)] = n
    first, last = min(k[0] for k in official), max(k[0] for k in official)
    last = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    counted = {}
    for month, category, n in (Event.objects.filter(source__in=m.sources.all(), occurred_on__gte=first,
                                                    occurred_on__lte=last)
                               .annotate(month=TruncMonth("occurred_on")).values_list("month", "category_id")
                               .annotate(n=Count("id")).order_by()):
        counted[(month, category)] = n
    return counted, official


def test_reconciliation_matches_the_orm(demo, db):
    from observatorio.dashboard.reconcile import reconciliations

    recs = reconciliations(state.current())
    assert [r.measure.code for r in recs] == ["casos-policiales"]  # the one count measure with a reference
    rec = recs[0]
    counted, official = _orm_reconciliation("casos-policiales")
    got = {(r.month, r.category): (r.measure, r.official) for r in rec.detail}
    assert got == {k: (counted.get(k, 0), official.get(k, 0)) for k in set(counted) | set(official)}
    assert sum(r.official for r in rec.years) == sum(official.values())
    for year in rec.years:
        assert year.measure == sum(n for (m, _c), n in counted.items() if m.year == year.month.year)
    # The small demo's events are rescaled to 3,000 in all: it does not reconcile, and the page says so.
    assert not rec.exact_by_year and sum(counted.values()) < sum(official.values())


def test_reconciliation_on_the_page_and_in_the_csv(client, demo, personas):
    from observatorio.dashboard.reconcile import reconciliations

    rec = reconciliations(state.current())[0]
    client.force_login(personas["bob"])
    page = client.get(reverse("quality")).content.decode()
    assert 'data-measure="casos-policiales"' in page and 'data-exact="no"' in page
    for year in rec.years:
        assert f'data-year="{year.month.year}"' in page
    assert reverse("reconciliation_csv") in page
    assert "Ninguna medida combina fuentes" in page
    rows = client.get(reverse("reconciliation_csv")).content.decode("utf-8-sig").splitlines()
    assert rows[0].split(",") == ["medida", "referencia", "mes", "familia", "categoria", "medida_conteo",
                                  "oficial_conteo", "diferencia"]
    assert len(rows) == 1 + len(rec.detail)
    total = sum(int(r.rsplit(",", 3)[-2]) for r in rows[1:])
    assert total == sum(r.official for r in rec.detail)


def test_a_combined_measure_shows_its_rule_and_linked_share(client, demo, personas):
    from observatorio.records.models import Combine, Event, Measure, Source

    police, reports = Source.objects.get(code="cead-policial"), Source.objects.get(code="denuncias")
    m = Measure.objects.create(code="enlazada", name="Casos y denuncias enlazados", unit="casos",
                               combine=Combine.SHARED_ID, primary_source=police, link_attribute="caso_policial",
                               definition="Prueba.")
    m.sources.set([police, reports])
    client.force_login(personas["bob"])
    page = client.get(reverse("quality")).content.decode()
    row = page[page.index('data-measure="enlazada"'):]
    row = row[:row.index("</tr>")]
    n = Event.objects.filter(source=reports).count()
    assert "caso_policial" in row and f"{n:,}".replace(",", ".") in row and "100,0\u00a0%" in row
