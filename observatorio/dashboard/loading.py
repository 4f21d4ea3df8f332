"""What a request gets while the first snapshot of a large database is still loading.

``observatorio.state.current`` raises :class:`StateLoading` instead of
holding the request for the whole load (13-19 s at 5M events). Pages answer
with a progress page that reloads itself when the data are ready; data
endpoints (a path with a file extension: JSON, CSV, GeoJSON…) with 503, the
dashboard's error shape and ``Retry-After``.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from observatorio.state import StateLoading

from .board import error_body

RETRY_SECONDS = 2


class StateLoadingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StateLoading):
            return None
        status = exception.status
        last = request.path.rsplit("/", 1)[-1]
        if "." in last:
            body = error_body(503, _("Cargando los datos (%(percent)s %%); intente de nuevo en unos segundos.")
                              % {"percent": status.percent})
            body["error"]["code"] = "loading"
            body["error"]["percent"] = status.percent
            response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "dashboard/loading.html", {"loading": status}, status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
        return response
