"""The trail's page for administrators: search it, page through it, download what was found as CSV."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from observatorio.accounts.roles import Role, allow
from observatorio.tables.cells import csv_writer

from .search import TrailFilter, entries

PER_PAGE = 50


@allow(Role.ADMIN)
def trail(request):
    form = TrailFilter(request.GET)
    valid = form.is_valid()
    rows = entries(form.cleaned_data) if valid else entries({}).none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "audit/trail.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=200 if valid else 400)


@allow(Role.ADMIN)
def trail_csv(request):
    form = TrailFilter(request.GET)
    if not form.is_valid():
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="auditoria_{timezone.localdate():%Y%m%d}.csv"'
    # Targets and details can hold text a user typed: every cell goes through the one spreadsheet-safe writer.
    writer = csv_writer(response)
    writer.writerow([_("cuándo"), _("usuario"), _("desde"), _("acción"), _("sobre qué"), _("detalle")])
    for entry in entries(form.cleaned_data).iterator():
        writer.writerow([timezone.localtime(entry.at).isoformat(timespec="seconds"), entry.username,
                         entry.address or "", entry.action, entry.target,
                         json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""])
    return response
