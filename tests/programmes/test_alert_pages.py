"""The alerts in the app: /avisos/ (unread first, mark read, mark all read, only one's own), the unread count in
the navigation (one COUNT query), and the subscribe / unsubscribe buttons of the indicator page and the area
profile, through programmes.alerts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.programmes.pages_world import build_world

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas):
    return build_world(personas)


def _alerts(user, indicator, texts):
    from observatorio.programmes.alerts import subscribe
    from observatorio.programmes.models import Alert

    sub = subscribe(user, indicator=indicator)
    return [Alert.objects.create(subscription=sub, key=f"k{i}", text=t) for i, t in enumerate(texts)]


def test_the_page_lists_unread_first_and_marks_read(world, personas):
    bob = personas["bob"]
    old, new = _alerts(bob, world.indicator, ["Aviso antiguo", "Aviso nuevo"])
    old.read_at = timezone.now()
    old.save()
    client = _as(bob)
    html = client.get("/avisos/").content.decode()
    assert html.index("Aviso nuevo") < html.index("Aviso antiguo")
    assert f'data-alert="{new.pk}" data-read="0"' in html and f'data-alert="{old.pk}" data-read="1"' in html
    assert 'class="nav-badge" data-unread="1"' in html
    assert client.post(f"/avisos/{new.pk}/leido/").status_code == 302
    new.refresh_from_db()
    assert new.read_at is not None
    assert "nav-badge" not in client.get("/avisos/").content.decode()


def test_mark_all_read_and_nobody_reads_another_users_alerts(world, personas):
    from observatorio.programmes.models import Alert

    mine = _alerts(personas["bob"], world.indicator, ["uno", "dos", "tres"])
    theirs = _alerts(personas["ana"], world.indicator, ["de ana"])
    assert _as(personas["ana"]).post(f"/avisos/{mine[0].pk}/leido/").status_code == 404
    assert "uno" not in _as(personas["ana"]).get("/avisos/").content.decode()
    _as(personas["bob"]).post("/avisos/leidos/")
    assert not Alert.objects.filter(pk__in=[a.pk for a in mine], read_at__isnull=True).exists()
    assert Alert.objects.get(pk=theirs[0].pk).read_at is None


def test_the_badge_costs_one_count_query_and_none_for_an_anonymous_page(world, personas):
    from observatorio.programmes.alert_views import unread_context, unread_count

    _alerts(personas["bob"], world.indicator, ["a", "b"])
    assert unread_count(personas["bob"]) == 2 and unread_count(personas["alice"]) == 0

    class Request:
        user = personas["bob"]

    with CaptureQueriesContext(connection) as queries:
        badge = unread_context(Request())["obs_unread_alerts"]
    assert len(queries) == 0  # counted only when a template asks
    with CaptureQueriesContext(connection) as queries:
        assert badge() == 2 and badge() == 2
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()


def test_subscribe_and_unsubscribe_on_the_indicator_page(world, personas):
    from observatorio.programmes.models import Subscription

    url = f"/indicadores/{world.indicator.code}/"
    client = _as(personas["ana"])
    html = client.get(url).content.decode()
    assert "Avisarme de cambios en este indicador" in html and 'data-subscribed="0"' in html
    response = client.post("/avisos/suscribir/", {"indicator": world.indicator.code, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    sub = Subscription.objects.get(user=personas["ana"])
    assert sub.indicator == world.indicator and sub.measure is None
    html = client.get(url).content.decode()
    assert "Dejar de avisarme de este indicador" in html and f"/avisos/suscripciones/{sub.pk}/quitar/" in html
    assert _as(personas["bob"]).post(f"/avisos/suscripciones/{sub.pk}/quitar/").status_code == 404
    client.post(f"/avisos/suscripciones/{sub.pk}/quitar/", {"next": "https://elsewhere.example/"})
    assert not Subscription.objects.exists()
    # A foreign "next" is not followed.
    response = client.post("/avisos/suscribir/", {"indicator": world.indicator.code,
                                                   "next": "https://elsewhere.example/"})
    assert response["Location"] == url


def test_subscribe_to_a_measure_in_an_area_from_its_profile(personas):
    from observatorio.programmes.models import Subscription
    from observatorio.state import holder
    from tests.web.dataset import build_small_dataset

    data = build_small_dataset()
    holder.reset()
    uv1 = data.areas["UV1"]
    client = _as(personas["bob"])
    html = client.get(f"/area/{uv1.pk}/").content.decode()
    assert "Avisarme de cambios en" in html and "en esta área" in html

    code = re.search(r'name="measure" value="([^"]+)"', html)[1]
    response = client.post("/avisos/suscribir/", {"measure": code, "area": uv1.pk, "next": f"/area/{uv1.pk}/"})
    assert response.status_code == 302
    sub = Subscription.objects.get(user=personas["bob"])
    assert (sub.measure.code, sub.area, sub.indicator) == (code, uv1, None)
    html = client.get(f"/area/{uv1.pk}/").content.decode()
    assert "Dejar de avisarme de cambios en" in html
    listed = client.get("/avisos/").content.decode()
    assert f'data-subscription="{sub.pk}"' in listed and uv1.name in listed
    holder.reset()
