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


def test_the_authority_gets_the_analysts_aggregates_less_the_suppressed(demo, db, personas, as_user):
    """Aggregates do not depend on who asks, except that an aggregate-only reader's small counts are suppressed
    (observatorio.disclosure; tests/disclosure)."""
    exact, guarded = (as_user(personas[p]).get("/tablero/datos/areas.json", {"period": "12m"}).json()
                      for p in ("bob", "ana"))
    assert sum(r["count"] for r in exact["data"]["rows"]) > 0
    for e, g in zip(exact["data"]["rows"], guarded["data"]["rows"]):
        assert g["count"] in (e["count"], None)
    assert "points" not in guarded["data"] and "events" not in guarded["data"]
