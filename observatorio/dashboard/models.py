"""Saved views: a user's named dashboard or map, its filters and layers kept as the page's query string.

A view belongs to whoever saved it (only they see it listed, on the home page); its ``token`` is a random,
unguessable link (``/vistas/<token>/``) anyone signed in with a role may open: the link sends them to the
page with the saved query, and the page applies *their* role and disclosure control, never the owner's.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The pages a view may be of (url name → its name for people); nothing else is ever redirected to.
PAGES = {"board": _("Tablero"), "map": _("Mapa")}
MAX_QUERY = 4000


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SavedView(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                              verbose_name=_("dueño"))
    name = models.CharField(_("nombre"), max_length=120)
    page = models.CharField(_("página"), max_length=20, choices=list(PAGES.items()))
    query = models.TextField(_("filtros y capas"), blank=True, max_length=MAX_QUERY)
    created = models.DateTimeField(_("creada"), auto_now_add=True)
    token = models.CharField(_("enlace"), max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("vista guardada")
        verbose_name_plural = _("vistas guardadas")

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        return reverse(self.page)

    def target(self) -> str:
        """The page with the saved filters and layers."""
        return self.path + (f"?{self.query}" if self.query else "")

    def link(self) -> str:
        """The link to share: opens the view for whoever follows it."""
        return reverse("saved_view", args=[self.token])
