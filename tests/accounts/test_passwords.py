"""Password rules (12 characters, not common, not only digits, not only blanks) and the self-service change."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from observatorio import cli
from observatorio.audit.models import AuditEntry


@pytest.mark.parametrize("password", ["12345678", " " * 8, " " * 14, "123456789012", "password1234", "corto-123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["bob-pass-123", "tres palabras largas", "Peñalolén-2026!"])
def test_twelve_characters_that_are_not_common_pass(password):
    validate_password(password)


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password(monkeypatch, capsys):
    monkeypatch.setenv("OBS_PASSWORD", "12345678")
    assert cli.main(["createuser", "rosa", "--role", "analyst"]) == 2
    assert "contraseña rechazada" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="rosa").exists()


@pytest.mark.django_db
def test_the_demo_password_passes_the_rules():
    import secrets

    for _ in range(20):  # demo/load.py draws it so
        validate_password(secrets.token_urlsafe(12))


@pytest.mark.django_db(transaction=True)
def test_a_user_changes_their_password_and_their_other_sessions_end(client, personas):
    from django.test import Client

    other = Client()
    for browser in (client, other):
        assert browser.post(reverse("login"), {"username": "bob", "password": "bob-pass-123"}).status_code == 302
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Cambiar contraseña" in page.content.decode()

    weak = client.post(reverse("password_change"), {"old_password": "bob-pass-123", "new_password1": "12345678",
                                                    "new_password2": "12345678"})
    assert weak.status_code == 200 and "alert--error" in weak.content.decode()
    wrong_old = client.post(reverse("password_change"), {"old_password": "nope-nope-nope",
                                                         "new_password1": "otra clave larga 7",
                                                         "new_password2": "otra clave larga 7"})
    assert wrong_old.status_code == 200
    assert get_user_model().objects.get(username="bob").check_password("bob-pass-123")

    done = client.post(reverse("password_change"), {"old_password": "bob-pass-123",
                                                    "new_password1": "otra clave larga 7",
                                                    "new_password2": "otra clave larga 7"})
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    assert client.get(reverse("quality")).status_code == 200  # this session goes on
    assert other.get(reverse("quality")).status_code == 302  # the other one ended
    assert get_user_model().objects.get(username="bob").check_password("otra clave larga 7")
    entry = AuditEntry.objects.get(action="contrasena")
    assert (entry.username, entry.target, entry.address) == ("bob", "bob", "127.0.0.1")


@pytest.mark.django_db
def test_anonymous_visitors_cannot_reach_the_password_change(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
