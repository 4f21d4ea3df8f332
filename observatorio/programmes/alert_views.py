"""The user's alerts in the app (issue #15, item 8): the page /avisos/ (unread first, mark read, mark all read),
the unread count in the navigation (:func:`unread_context`) and the subscribe / unsubscribe buttons of the
indicator page and the area profile. Thin over :mod:`observatorio.programmes.alerts` (subscribe, unsubscribe,
mark_read): no model is written here."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatorio.accounts.roles import ALL_ROLES, allow
from observatorio.errors import UserError
from observatorio.programmes import alerts
from observatorio.programmes.models import Alert, Indicator, Subscription


def unread_count(user) -> int:
    """One COUNT query for a signed-in user; none for anyone else."""
    if user is None or not user.is_authenticated:
        return 0
    return Alert.objects.filter(subscription__user=user, read_at__isnull=True).count()


def unread_context(request):
    """``obs_unread_alerts``: the badge's number, counted only when a template asks for it (a callable)."""
    user = getattr(request, "user", None)
    cache = {}

    def count():
        if "n" not in cache:
            cache["n"] = unread_count(user)
        return cache["n"]

    return {"obs_unread_alerts": count}


def subscription_of(user, *, indicator=None, measure_code="", area_id=None):
    """(the measure row or None, the user's subscription or None) for an indicator or a measure in an area."""
    from observatorio.records.models import Measure

    if indicator is not None:
        return None, Subscription.objects.filter(user=user, indicator=indicator, measure__isnull=True).first()
    measure = Measure.objects.filter(code=measure_code).first() if measure_code else None
    if measure is None:
        return None, None
    rows = Subscription.objects.filter(user=user, measure=measure, indicator__isnull=True)
    rows = rows.filter(area_id=area_id) if area_id else rows.filter(area__isnull=True)
    return measure, rows.first()


def _next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@allow(*ALL_ROLES)
def alerts_page(request):
    rows = (Alert.objects.filter(subscription__user=request.user)
            .select_related("subscription__indicator", "subscription__measure", "subscription__area")
            .order_by(F("read_at").desc(nulls_first=True), "-created", "-id"))[:200]
    subs = (Subscription.objects.filter(user=request.user)
            .select_related("indicator", "measure", "area").order_by("-created"))
    alerts_list = list(rows)
    return render(request, "programmes/alerts.html", {
        "alerts": alerts_list, "unread": sum(1 for a in alerts_list if a.read_at is None),
        "subscriptions": subs, "smtp": alerts.smtp_configured()})


@allow(*ALL_ROLES)
@require_POST
def alert_read(request, pk):
    alert = get_object_or_404(Alert.objects.select_related("subscription"), pk=pk)
    if alert.subscription.user_id != request.user.pk:
        raise Http404
    alerts.mark_read(alert, request.user)
    return redirect(reverse("programmes:alerts"))


@allow(*ALL_ROLES)
@require_POST
def alerts_read_all(request):
    n = Alert.objects.filter(subscription__user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(n)s avisos marcados como leídos.") % {"n": n})
    return redirect(reverse("programmes:alerts"))


@allow(*ALL_ROLES)
@require_POST
def subscribe(request):
    """Subscribe to ``indicator`` (a code), or to ``measure`` (a code) in ``area`` (an id; empty: the comuna)."""
    from observatorio.records.models import Measure
    from observatorio.territory.models import Area

    indicator = measure = area = None
    if request.POST.get("indicator"):
        indicator = get_object_or_404(Indicator, code=request.POST["indicator"])
        default = reverse("programmes:indicator", args=[indicator.code])
    else:
        measure = get_object_or_404(Measure, code=request.POST.get("measure", ""))
        if request.POST.get("area"):
            area = get_object_or_404(Area, pk=request.POST["area"])
        default = reverse("area_profile", args=[area.pk]) if area else reverse("programmes:alerts")
    try:
        alerts.subscribe(request.user, indicator=indicator, measure=measure, area=area,
                         by_email=request.POST.get("by_email", "1") != "0")
    except UserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Suscripción guardada: recibirá un aviso cuando haya un cambio."))
    return redirect(_next(request, default))


@allow(*ALL_ROLES)
@require_POST
def unsubscribe(request, pk):
    sub = get_object_or_404(Subscription, pk=pk)
    if sub.user_id != request.user.pk:
        raise Http404
    alerts.unsubscribe(request.user, sub)
    messages.success(request, _("Suscripción quitada."))
    return redirect(_next(request, reverse("programmes:alerts")))
