"""Sign-in, sign-out, the lockout page, the password change and the second factor: the account pages.

Django's own views (LoginView, LogoutView, PasswordChangeView) with the observatory's templates; the audit
trail hears about sign-ins through Django's signals (observatorio/audit/receivers.py).
"""

from __future__ import annotations

import math

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.audit.models import Action
from observatorio.audit.record import record

from . import lifetime, second_factor
from .roles import ALL_ROLES, allow, public


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_ended"] = self.request.session.pop(lifetime.ENDED, None)
        return context


login = public(LoginView.as_view())
# Signing out an anonymous visitor is harmless, and the form must work from any page.
logout = public(auth_views.LogoutView.as_view())


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in refused for too many failures (429), in the reader's language."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html",
                  {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT}, status=429)


password_change = allow(*ALL_ROLES)(auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html", success_url=reverse_lazy("password_change_done")))
password_change_done = allow(*ALL_ROLES)(auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Código de 6 dígitos"), max_length=10, strip=True,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9 ]*", "autofocus": True}))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@allow(*ALL_ROLES)
def second_factor_setup(request):
    """Set up the authenticator app: the QR code and the secret, then one code to confirm it works."""
    user = request.user
    if second_factor.confirmed_device(user) is not None:
        return render(request, "registration/second_factor_setup.html",
                      {"active": True, "required": second_factor.required_for(user)})
    device = second_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            record(Action.USER, request=request, target=user.get_username(), detail={"segundo_factor": "activado"})
            return redirect(_next(request))
        form.add_error("code", _("El código no coincide. Revise la hora del teléfono y use el código que "
                                 "muestra la aplicación ahora."))
    return render(request, "registration/second_factor_setup.html", {
        "form": form, "qr": second_factor.qr_svg(device), "secret": second_factor.secret_text(device),
        "required": second_factor.required_for(user), "next": _next(request)},
        status=400 if form.errors else 200)


@allow(*ALL_ROLES)
def second_factor_verify(request):
    """The second step of signing in: a code from the app set up before."""
    user = request.user
    device = second_factor.confirmed_device(user)
    if device is None:
        return redirect(f"{reverse('second_factor')}?next={_next(request)}")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            django_otp.login(request, device)
            record(Action.SIGN_IN, request=request, detail={"segundo_factor": "verificado"})
            return redirect(_next(request))
        record(Action.SIGN_IN_FAILED, request=request, target=user.get_username(),
               detail={"segundo_factor": "código incorrecto"})
        form.add_error("code", _("El código no es correcto o ya se usó. Espere el siguiente código de la "
                                 "aplicación e inténtelo de nuevo."))
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)
