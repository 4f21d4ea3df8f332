"""The second factor: an administrator requires it for a role; a user of that role sets up an authenticator app
(QR code drawn as inline SVG) and from then on gives a code after the password. Codes are computed with pyotp,
as the phone would."""

from __future__ import annotations

import time
from base64 import b32encode

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from observatorio.accounts.models import RolePolicy
from observatorio.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _code(device, offset=0) -> str:
    return pyotp.TOTP(b32encode(device.bin_key).decode()).at(time.time() + offset)


def _sign_in(client, who="bob"):
    response = client.post(reverse("login"), {"username": who, "password": f"{who}-pass-123"})
    assert response.status_code == 302
    return response


def test_no_role_requires_it_until_an_administrator_says_so(client, personas):
    assert set(RolePolicy.objects.values_list("role", "second_factor")) == {
        ("admin", False), ("analyst", False), ("operator", False), ("authority", False)}
    _sign_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_a_required_role_sets_up_the_app_then_signs_in_with_a_code(client, personas):
    RolePolicy.objects.filter(role="analyst").update(second_factor=True)
    _sign_in(client)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("second_factor") + "?next=%2F"
    data = client.get(reverse("map_layer", args=("limites-comuna", "json")))
    assert data.status_code == 302  # data too, not only pages

    setup = client.get(home["Location"])
    page = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    device = TOTPDevice.objects.get(user__username="bob", confirmed=False)
    assert device.config_url.startswith("otpauth://totp/Observatorio%3Abob?")
    shown = page.split('id="totp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    assert shown == b32encode(device.bin_key).decode().rstrip("=")

    wrong = client.post(reverse("second_factor"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    time.sleep(1.1)  # django-otp's throttle: one second after one failure
    done = client.post(reverse("second_factor"), {"code": _code(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 200

    # Next time: the password, then a code (a fresh one: a code is good once).
    client.post(reverse("logout"))
    _sign_in(client)
    asked = client.get(reverse("quality"))
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("second_factor_verify"))
    bad = client.post(reverse("second_factor_verify"), {"code": "123456", "next": reverse("quality")})
    assert bad.status_code == 400 and client.get(reverse("quality")).status_code == 302
    time.sleep(1.1)
    good = client.post(reverse("second_factor_verify"), {"code": _code(device, 30), "next": reverse("quality")})
    assert good.status_code == 302 and good["Location"] == reverse("quality")
    assert client.get(reverse("quality")).status_code == 200

    trail = AuditEntry.objects.filter(username="bob")
    assert trail.filter(action="ingreso", detail__segundo_factor="pendiente").count() == 2
    assert trail.filter(action="ingreso", detail__segundo_factor="verificado").count() == 1
    assert trail.filter(action="ingreso-fallido", detail__segundo_factor="código incorrecto").count() == 1
    assert trail.filter(action="usuario", detail__segundo_factor="activado").count() == 1


def test_other_roles_are_not_asked(personas):
    RolePolicy.objects.filter(role="analyst").update(second_factor=True)
    ana = Client()
    _sign_in(ana, "ana")
    assert ana.get(reverse("home")).status_code == 200


def test_an_administrator_holds_every_role_so_any_requirement_applies(client, personas):
    RolePolicy.objects.filter(role="authority").update(second_factor=True)
    _sign_in(client, "alice")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("second_factor"))
