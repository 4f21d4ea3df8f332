"""Login, logout, language switch, error pages, static assets and the admin in Spanish."""

import pytest
from django.urls import reverse


def test_login_page_in_spanish_by_default(client, db):
    text = client.get(reverse("login")).content.decode()
    assert '<html lang="es-CL">' in text
    assert "Ingresar al observatorio" in text
    assert "Contraseña" in text


def test_an_english_browser_still_gets_spanish_first(client, db):
    text = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="es-CL">' in text
    assert "Ingresar al observatorio" in text


def test_login_page_in_english_when_chosen(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-CL")
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "Sign in to the observatory" in text
    assert "Ingresar al observatorio" not in text


def test_login_then_logout_with_post(client, personas):
    response = client.post(reverse("login"), {"username": "bob", "password": "bob-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_explained_in_spanish(client, personas):
    text = client.post(reverse("login"), {"username": "bob", "password": "nope"}).content.decode()
    assert "El usuario o la contraseña no son correctos" in text


def test_language_switch_sets_english(client, personas):
    client.force_login(personas["bob"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    text = client.get(reverse("home")).content.decode()
    assert "Overview of the territory" in text
    assert "Sign out" in text


def test_404_in_spanish(client, db):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


@pytest.mark.parametrize("path, min_bytes", [("vendor/plotly.min.js", 1_000_000), ("obs/site.css", 1_000),
                                             ("obs/map.js", 100)], ids=["plotly", "css", "map-js"])
def test_static_assets_are_served_without_collectstatic(client, path, min_bytes):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) > min_bytes


def test_admin_index_shows_spanish_verbose_names(client, personas):
    client.force_login(personas["alice"])
    text = client.get(reverse("admin:index")).content.decode()
    for name in ("Áreas", "Límites", "Eventos", "Fuentes", "Categorías", "Lotes de importación"):
        assert name in text, name
    assert "Administración" in text
