"""Saved views (:class:`.models.SavedView`): save the dashboard or the map as it is, list, share, delete.

``POST /vistas/guardar/`` saves (name, page, query) for the signed-in user and sends them to the home page,
where "Mis vistas" lists their own views with the link to share. ``/vistas/<token>/`` opens a view for whoever
follows the link (any role): a redirect to the page with the saved query, where their own role and disclosure
control apply. ``POST /vistas/<id>/borrar/`` deletes one of one's own views (anyone else's: 404).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from observatorio.accounts.roles import ALL_ROLES, allow

from .downloads import PARAM
from .models import MAX_QUERY, PAGES, SavedView

MAX_KEPT = 200  # views a user may keep
DROPPED = {PARAM, "csrfmiddlewaretoken"}  # parameters that are not part of a view


def clean_query(raw: str) -> str:
    """The page's query string without what is not a view (the download format), re-encoded."""
    pairs = [(k, v) for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=False) if k not in DROPPED]
    return urlencode(pairs)


def own_views(user):
    return SavedView.objects.filter(owner=user) if user.is_authenticated else SavedView.objects.none()


@allow(*ALL_ROLES)
@require_POST
def save_view(request):
    name = (request.POST.get("name") or "").strip()[:120]
    page = request.POST.get("page") or ""
    query = clean_query(request.POST.get("query") or "")
    if page not in PAGES or len(query) > MAX_QUERY:
        return HttpResponseRedirect(reverse("home"))
    if not name or own_views(request.user).count() >= MAX_KEPT:
        return HttpResponseRedirect(reverse(page) + (f"?{query}" if query else "") + "#guardar-vista")
    SavedView.objects.create(owner=request.user, name=name, page=page, query=query)
    return HttpResponseRedirect(reverse("home") + "#mis-vistas")


@allow(*ALL_ROLES)
def open_view(request, token: str):
    view = get_object_or_404(SavedView, token=token)
    return HttpResponseRedirect(view.target())


@allow(*ALL_ROLES)
@require_POST
def delete_view(request, view_id: int):
    get_object_or_404(SavedView, pk=view_id, owner=request.user).delete()
    return HttpResponseRedirect(reverse("home") + "#mis-vistas")
