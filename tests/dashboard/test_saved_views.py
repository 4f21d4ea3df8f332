"""Saved views (issue #14, point 9): save a named view, find it on the home page, share its link.

A user sees only their own views; a shared link opens the view for anyone with a role, with *their* disclosure
control (the authority's small counts stay suppressed even on the analyst's link).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from observatorio.dashboard.models import SavedView
from tests.web.test_downloads import signed_in

BOARD_QUERY = "measure=casos-policiales&period=28d&level=macrosector&hour_from=20&hour_to=6"


@pytest.fixture
def people(personas):
    return {name: signed_in(user) for name, user in personas.items() if name != "charlie"}


def save(client, name, page="board", query=BOARD_QUERY):
    return client.post(reverse("save_view"), {"name": name, "page": page, "query": query})


def test_save_find_on_home_and_open(demo, people, personas):
    bob = people["bob"]
    response = save(bob, "Noches por macrosector", query=BOARD_QUERY + "&formato=xlsx")
    assert response.status_code == 302 and response["Location"] == reverse("home") + "#mis-vistas"
    view = SavedView.objects.get(owner=personas["bob"])
    assert view.name == "Noches por macrosector" and view.query == BOARD_QUERY  # the download format dropped
    home = bob.get(reverse("home")).content.decode()
    assert "Mis vistas" in home and "Noches por macrosector" in home and view.link() in home
    opened = bob.get(view.link())
    assert opened.status_code == 302 and opened["Location"] == f"/tablero/?{BOARD_QUERY}"
    page = bob.get(opened["Location"])
    assert page.status_code == 200
    assert page.context["filters"].hours == (20, 6) and page.context["filters"].level == "macrosector"


def test_a_map_view_keeps_its_layers(demo, people, personas):
    query = "measure=llamados-1461&period=12m&capa=limites-comuna&capa=gi"
    assert save(people["olga"], "Gi del 1461", page="map", query=query).status_code == 302
    view = SavedView.objects.get(owner=personas["olga"])
    assert view.target() == f"/mapa/?{query}"
    page = people["olga"].get(people["olga"].get(view.link())["Location"])
    assert page.status_code == 200 and page.context["wanted"] == ["limites-comuna", "gi"]


def test_each_user_sees_only_their_own_views(demo, people, personas):
    save(people["bob"], "La vista de bob")
    save(people["ana"], "La vista de ana")
    assert "La vista de bob" in people["bob"].get(reverse("home")).content.decode()
    assert "La vista de ana" not in people["bob"].get(reverse("home")).content.decode()
    ana_home = people["ana"].get(reverse("home")).content.decode()
    assert "La vista de ana" in ana_home and "La vista de bob" not in ana_home
    # another's view cannot be deleted (not found), one's own can
    bobs = SavedView.objects.get(owner=personas["bob"])
    assert people["ana"].post(reverse("delete_view", args=[bobs.pk])).status_code == 404
    assert SavedView.objects.filter(pk=bobs.pk).exists()
    assert people["bob"].post(reverse("delete_view", args=[bobs.pk])).status_code == 302
    assert not SavedView.objects.filter(pk=bobs.pk).exists()


def test_a_shared_link_applies_the_viewers_disclosure(demo, people, personas):
    """bob (analyst) shares a view; ana (authority) opens it and gets suppressed counts, bob exact ones."""
    query = "measure=casos-policiales&period=28d&level=uv"
    save(people["bob"], "Por UV", query=query)
    link = SavedView.objects.get(owner=personas["bob"]).link()
    bob_page = people["bob"].get(people["bob"].get(link)["Location"])
    ana_page = people["ana"].get(people["ana"].get(link)["Location"])
    assert bob_page.context["disclosure"] == ""
    assert "k = 5" in ana_page.context["disclosure"]
    assert all(r.count is not None for r in bob_page.context["area_table"].rows)
    assert any(r.count is None for r in ana_page.context["area_table"].rows)  # small UV counts: «reservado»
    # charlie has no role: the link does not open for him
    charlie = signed_in(personas["charlie"])
    assert charlie.get(link).status_code == 403
    assert Client().get(link)["Location"].startswith(reverse("login"))


def test_bad_saves_store_nothing(demo, people):
    bob = people["bob"]
    assert save(bob, "", query=BOARD_QUERY).status_code == 302  # no name: back to the page's form
    assert save(bob, "Fuera", page="admin").status_code == 302  # only the board and the map
    assert save(bob, "Larga", query="a=" + "x" * 5000).status_code == 302
    assert bob.get(reverse("save_view")).status_code == 405
    assert not SavedView.objects.exists()
    assert people["bob"].get(reverse("saved_view", args=["no-such-token"])).status_code == 404


def test_the_board_and_the_map_offer_to_save(demo, people):
    for url in (reverse("board"), reverse("map")):
        html = people["ana"].get(url, {"period": "12m"}).content.decode()
        assert 'data-save-view' in html and reverse("save_view") in html, url
