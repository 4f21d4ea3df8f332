"""What a request gets when something beyond the user breaks: the database down, or a bug.

- The database does not answer (``OperationalError``, ``InterfaceError``: PostgreSQL stopped, a closed port,
  SQLite's file gone): 503 with ``Retry-After``, in the dashboard's one JSON error shape for a data path (a
  path whose last part has a file extension: ``.json``, ``.csv``, ``.geojson``…) and the branded page
  ``503.html`` for a page. :class:`DatabaseUnavailableMiddleware` answers for a view's error; an error raised
  by a middleware (the session saved on the way out) reaches Django's 500 handler, :func:`server_error`, which
  gives the same answer.
- Anything else: ``500.html``, the branded page without any detail (the traceback goes to the log only).

Both pages are rendered without the request's context: its processors read the signed-in user from the very
database that may be down, and an error page must not fail in turn.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from observatorio.accounts.roles import public

log = logging.getLogger(__name__)

RETRY_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_data_path(path: str) -> bool:
    """Whether a path asks for data (a file name with an extension) rather than a page."""
    return "." in path.rsplit("/", 1)[-1]


def _page(name: str, status: int) -> HttpResponse:
    try:
        return HttpResponse(loader.get_template(name).render({"error_page": True}), status=status)
    except Exception:  # noqa: BLE001 - the page of last resort must not fail
        log.exception("could not render %s", name)
        return HttpResponse(_("Error del servidor (%(status)s)") % {"status": status}, status=status,
                            content_type="text/plain; charset=utf-8")


def database_unavailable(request) -> HttpResponse:
    from observatorio.dashboard.board import error_body

    if is_data_path(request.path):
        body = error_body(503, _("La base de datos no responde; intente de nuevo en unos minutos."))
        body["error"]["code"] = "database_unavailable"
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = _page("503.html", 503)
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        log.error("database unavailable at %s: %s", request.path, exception)
        return database_unavailable(request)


@public
def server_error(request):
    """handler500: the database's 503 when that is what failed, else the branded 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    if is_data_path(request.path):
        from observatorio.dashboard.board import error_body

        return JsonResponse(error_body(500, _("Error interno del servidor; quedó registrado.")), status=500,
                            json_dumps_params={"ensure_ascii": False})
    return _page("500.html", 500)
