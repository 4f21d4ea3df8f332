"""Who may open the dashboard and its data: every role sees aggregates; no role, no data."""

from __future__ import annotations

import pytest

from .test_board_data import ENDPOINTS

URLS = ["/tablero/"] + [f"/tablero/datos/{n}.{fmt}" for n in ENDPOINTS for fmt in ("json", "csv")]


def test_anonymous_is_sent_to_login(client, demo, db):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "next=" in response["Location"], url


def test_user_without_role_is_refused(demo, db, personas, as_user):
    charlie = as_user(personas["charlie"])
    assert [charlie.get(url).status_code for url in URLS] == [403] * len(URLS)


@pytest.mark.parametrize("persona", ["alice", "bob", "olga", "ana"])
def test_every_role_sees_the_aggregates(demo, db, personas, as_user, persona):
    user = as_user(personas[persona])
    assert {url: user.get(url).status_code for url in URLS} == {url: 200 for url in URLS}


def test_views_declare_all_four_roles():
    from observatorio.accounts.roles import ALL_ROLES
    from observatorio.dashboard import board

    for view in (board.board, board.board_data):
        assert set(view.allowed_roles) == set(ALL_ROLES)


@pytest.mark.parametrize("persona", ["ana", "bob"])
def test_the_authority_gets_exactly_the_analysts_aggregates(demo, db, personas, as_user, persona):
    """Aggregates do not depend on who asks (the operator's scope limits events, not counts)."""
    body = as_user(personas[persona]).get("/tablero/datos/areas.json", {"period": "12m"}).json()
    assert sum(r["count"] for r in body["data"]["rows"]) > 0
    assert "points" not in body["data"] and "events" not in body["data"]
