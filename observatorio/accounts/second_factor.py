"""The second factor (TOTP codes from an authenticator app, django-otp), required per role.

An administrator marks the roles that need it (``RolePolicy`` in the admin). A user holding such a role signs
in with the password as always; until the session is verified with a code, every page sends them to enter one
(``/cuenta/verificar/``), or to set up their app first (``/cuenta/segundo-factor/``) when they have none. The
QR code is drawn on the server as inline SVG (segno): the secret never leaves the server but to the user.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RolePolicy
from .roles import user_roles

# Pages a signed-in user still waiting for their second factor may open.
OPEN_WHILE_PENDING = {"login", "logout", "locked_out", "second_factor", "second_factor_verify", "set_language"}


def required_for(user) -> bool:
    roles = user_roles(user)
    if not roles:
        return False
    return RolePolicy.objects.filter(role__in=[role.value for role in roles], second_factor=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The device being set up (unconfirmed), created on first use with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="aplicación", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image request, no other host)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, grouped by four, for typing it into the app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def is_pending(request) -> bool:
    user = request.user
    return user.is_authenticated and not user.is_verified() and required_for(user)


class SecondFactorMiddleware:
    """Sends a signed-in user whose role requires the second factor, and whose session has not given it, to
    give it (or to set it up): every page but the few in OPEN_WHILE_PENDING."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.user.is_verified():
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in OPEN_WHILE_PENDING and required_for(request.user):
                target = "second_factor_verify" if confirmed_device(request.user) else "second_factor"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
