"""Every table the site offers as a download, in the three formats people open: the one download component.

A view builds one :class:`Download` — the columns, the rows (typed values: numbers, ``datetime.date``,
booleans, text; a suppressed count already written «reservado») and what the table is (:func:`about`: the
measure, the filters in words, the period, the data version, the sources and notes) — and answers
:func:`respond` with the format the URL asks for, ``?formato=``:

``csv`` (default)  standard CSV for programs: UTF-8, comma, decimal point, ISO dates, ``true``/``false``;
                   any ``notes`` rows (the disclosure note) after the table, as before
``csv-excel``      "Excel Chile": UTF-8 with BOM, ``;``, decimal comma, dd-mm-aaaa, ``sí``/``no``, and what the
                   table is after it, below a blank line
``xlsx``           a workbook: the table with typed cells, and a sheet "acerca" saying what the table is

The writing itself (and the formula neutralisation of every cell) is :mod:`observatorio.tables.cells`. The
audit middleware logs every answer here as a download (``Content-Disposition: attachment``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.tables.cells import csv_text, xlsx_bytes

PARAM = "formato"
FORMATS = {"csv": gettext_noop("CSV"), "csv-excel": gettext_noop("CSV Excel Chile"), "xlsx": gettext_noop("XLSX")}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "csv-excel": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Download:
    title: str  # the sheet's name, e.g. "tendencia"
    stem: str  # the file's name without extension
    headers: list
    rows: list
    about: list[tuple[str, object]] = field(default_factory=list)  # (label, value): what the table is
    notes: list[list] = field(default_factory=list)  # rows the standard CSV appends (the disclosure note)


def format_of(request) -> str | None:
    """The format asked for (``?formato=``, default ``csv``); None when it is not one of :data:`FORMATS`."""
    fmt = request.GET.get(PARAM) or "csv"
    return fmt if fmt in FORMATS else None


def unknown_format(request) -> JsonResponse:
    message = _("formato «%(fmt)s» desconocido; opciones: %(options)s") % {
        "fmt": request.GET.get(PARAM), "options": ", ".join(FORMATS)}
    return JsonResponse({"error": {"status": 400, "message": message, "fields": {PARAM: [message]}}}, status=400,
                        json_dumps_params={"ensure_ascii": False})


def respond(download: Download, fmt: str) -> HttpResponse:
    """The table as a file in ``fmt`` (one of :data:`FORMATS`), as an attachment."""
    about = [*download.about, *((_("Nota"), row[-1]) for row in download.notes)]
    if fmt == "xlsx":
        body, extension = xlsx_bytes(download.title, download.headers, download.rows, about), "xlsx"
    elif fmt == "csv-excel":
        body, extension = csv_text(download.headers, download.rows, excel_chile=True, about=about), "csv"
    else:
        body, extension = csv_text(download.headers, [*download.rows, *download.notes]), "csv"
    suffix = "_excel" if fmt == "csv-excel" else ""
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{download.stem}{suffix}.{extension}"'
    return response


def about(state, *, measure=None, filters=None, period: tuple[dt.date, dt.date] | None = None,
          sources=(), notes=()) -> list[tuple[str, object]]:
    """What a table is, as (label, value) pairs: the measure (name, unit, definition, sources and their rule),
    the filters in words, the period, the data version and the day the data reach, the notes."""
    pairs: list[tuple[str, object]] = []
    if measure is not None:
        pairs += [(_("Medida"), measure.name), (_("Unidad"), measure.unit)]
        if measure.definition:
            pairs.append((_("Definición"), measure.definition))
        sources = sources or [state.catalog.source_name(s) for s in measure.sources]
        if len(measure.sources) > 1:
            pairs.append((_("Regla entre fuentes"), measure.rule()))
    if sources:
        pairs.append((_("Fuentes"), ", ".join(s for s in sources if s)))
    if filters is not None:
        pairs += filters_in_words(state, filters)
        period = period or (filters.start, filters.end)
    if period is not None:
        pairs += [(_("Período desde"), period[0]), (_("Período hasta"), period[1])]
    pairs += [(_("Versión de datos"), f"{state.key.version} ({state.key.token[:8] or '-'})"),
              (_("Datos al"), state.as_of), (_("Descargado"), timezone.localdate())]
    pairs += [(_("Nota"), note) for note in notes if note]
    return pairs


def filters_in_words(state, f) -> list[tuple[str, object]]:
    """The dashboard's filters (:class:`.filters.Filters`) as a reader names them: "Período: Últimos 28 días",
    "Categorías: Robo con violencia, Hurto"…; a filter not set says "todas"/"todos"."""
    from observatorio.territory.models import Level

    from .filters import PERIODS, WEEKDAYS

    catalog, index, query = state.catalog, state.index, f.query
    family_names = {c: n for _i, c, n in catalog.families}
    category_names = {c: n for _i, c, n, _p in catalog.categories}
    areas = [index.areas[int(a)].name for a in query.get("area") or () if str(a).isdigit() and int(a) in index.areas]
    pairs = [(_("Período"), _(PERIODS.get(f.period, f.period))),
             (_("Familias"), ", ".join(family_names.get(c, c) for c in query.get("family") or ()) or _("todas")),
             (_("Categorías"), ", ".join(category_names.get(c, c) for c in query.get("category") or ()) or _("todas")),
             (_("Áreas"), ", ".join(areas) or _("todo el territorio")),
             (_("Nivel"), str(dict(Level.choices).get(f.level, f.level))),
             (_("Horas"), _("de %(start)s a %(stop)s") % {"start": f"{f.hours[0]:02d}:00", "stop": f"{f.hours[1]:02d}:00"}
              if f.hours is not None else _("todas")),
             (_("Días de la semana"), ", ".join(_(WEEKDAYS[d]) for d in f.weekdays) or _("todos"))]
    return pairs
