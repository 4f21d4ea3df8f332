"""Pages of the dashboard, and the site-wide error pages (sign-in lives in ``observatorio.accounts.views``).

Every view declares who may use it (``allow`` or ``public``); a test walks the
URL configuration and fails on any view that does not.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from observatorio.accounts.roles import ALL_ROLES, allow, event_scope, public
from observatorio.disclosure import policy
from observatorio.state import current, refresh_status

from . import home_data, peers
from .layers.base import territory
from .maps import MapLabels, territory_figure
from .saved_views import MAX_KEPT, own_views


@allow(*ALL_ROLES)
def home(request):
    state = current()
    as_of = home_data.latest_event_date(state)
    # The boundaries in force on the one "as of" day of the data (state.as_of), as on the map and the dashboard.
    terr = territory(state, state.as_of)
    scope = event_scope(request.user)
    areas = home_data.map_areas(state, terr, as_of, scope)
    measure = home_data.map_measure(state)
    figure = None
    if areas:
        labels = MapLabels(count_title=_("%(measure)s (12 meses)") % {"measure": measure.name} if measure else "",
                           events=measure.unit if measure else "",
                           no_count=_("sin %(unit)s") % {"unit": measure.unit} if measure else "")
        # Round-trip through Plotly's encoder (NumPy arrays → lists) so json_script can escape it.
        figure = json.loads(territory_figure(terr, areas, labels).to_json())
    context = {
        "as_of": as_of,
        # Sensitive measures (casos-vif) only for those who see events (a fuller disclosure control is to come).
        # and every count through disclosure control for a reader aggregate-only for its measure.
        "headline": home_data.headline(state, as_of, sensitive=scope is not None, scope=scope) if as_of else None,
        "figure": figure,
        "map_measure": measure,
        "map_has_counts": as_of is not None and measure is not None and any(a.level == "uv" for a in areas),
        # The map's numbers as a table, for screen readers and for copying.
        "uv_rows": sorted(((a.name, a.count) for a in areas if a.level == "uv" and (a.count is not None
                                                                                  or a.suppressed)),
                          key=lambda row: (row[1] is None, -(row[1] or 0), row[0])),
        "disclosure": (policy.guard_for(scope, measure, state.catalog).note()
                       if measure is not None and policy.guard_for(scope, measure, state.catalog) else ""),
        "event_level": scope is not None,
        "recent_events": home_data.recent_events(scope),
        "map_days": home_data.MAP_DAYS,
        "window_days": home_data.WINDOW_DAYS,
        "saved_views": own_views(request.user)[:MAX_KEPT],
        # The authority's summary (docs/architecture.md): by family, areas that need attention, the comuna
        # against its region, the country and its peers, and every source's freshness.
        "families": home_data.families(state, as_of, scope) if as_of else None,
        "attention": home_data.attention(state, terr, as_of, scope) if as_of else None,
        "comparison": home_data.comparison(state, scope),
        "peers": peers.PEERS,
        "freshness": home_data.freshness(state, scope) if as_of else [],
    }
    return render(request, "dashboard/home.html", context)


@allow(*ALL_ROLES)
def data_status(request):
    """Whether new data are being loaded into this process's snapshot (the pages' banner polls this)."""
    status = refresh_status()
    if status is None:
        return JsonResponse({"refreshing": False})
    return JsonResponse({"refreshing": True, "percent": status.percent, "seconds": round(status.seconds, 1)})


def refresh_context(request):
    """Template context: the reload in progress, for the banner of every signed-in page (base.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    status = refresh_status()
    return {"data_refresh": status} if status is not None else {}


@public
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@public
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
