"""One place that audits what responses carry: every download, and every view of single events.

A download is any successful response with ``Content-Disposition: attachment`` (CSV, GeoJSON, GeoPackage,
XLSX…), whichever view made it. A view of personal data is a successful answer of one of the pages in
``PERSONAL_VIEWS``: the map's layers of single events and the admin's pages of events.
"""

from __future__ import annotations

import re

from .context import reset, set_request
from .models import Action
from .record import record

_FILENAME = re.compile(r'filename="?([^";]+)"?')


def _event_layer(match) -> bool:
    from observatorio.dashboard.layers import EVENT_LAYER_KEYS

    return match.kwargs.get("key") in EVENT_LAYER_KEYS


# (namespace, url name) → does this match show single events (and what to call it)
PERSONAL_VIEWS = {
    ("", "map_layer"): _event_layer,
    ("admin", "records_event_change"): lambda match: True,
    ("admin", "records_event_changelist"): lambda match: True,
}


def _personal(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    check = PERSONAL_VIEWS.get((match.namespace, match.url_name))
    return check is not None and check(match)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request(request)
        try:
            response = self.get_response(request)
        finally:
            reset(token)
        if 200 <= response.status_code < 300:
            disposition = response.get("Content-Disposition", "")
            personal = _personal(request)
            if disposition.startswith("attachment"):
                name = _FILENAME.search(disposition)
                record(Action.DOWNLOAD, request=request, target=request.get_full_path(),
                       detail={"archivo": name.group(1) if name else "", "tipo": response.get("Content-Type", ""),
                               "eventos": personal})
            elif personal:
                record(Action.VIEW_PERSONAL, request=request, target=request.get_full_path())
        return response
