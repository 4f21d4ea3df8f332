"""The one filter form of the dashboard and the map (template ``dashboard/_filters.html``): its choices, the
values chosen, dates as dd-mm-aaaa whatever the browser's language, the measures whose sources have no
events yet; and, when a selection counts nothing, why.

The URL's parameters are :mod:`observatorio.dashboard.filters`' (this module only shows them).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.state import DataState

from .filters import NOTHING, PERIODS, WEEKDAYS, Filters


def _day(d: dt.date) -> str:
    return d.strftime("%d-%m-%Y")


def source_days(state: DataState) -> dict[int, tuple[int, int]]:
    """Per source with events: its first and last day (day numbers), from the events' columns (once per state)."""
    def build() -> dict[int, tuple[int, int]]:
        snap = state.events
        if not snap.size:
            return {}
        found = {}
        for source in np.unique(snap.source):
            days = snap.day[snap.source == source]
            found[int(source)] = (int(days.min()), int(days.max()))
        return found

    return state.memo("source-days", build, on=("events",))


def _raw(querydict, name: str) -> str:
    return querydict.get(name, "") if hasattr(querydict, "get") else ""


def _month_text(value: str) -> str:
    """A month of the URL (yyyy-mm or mm-aaaa) as the form shows it: mm-aaaa."""
    if len(value) == 7 and value[4] == "-":
        return f"{value[5:]}-{value[:4]}"
    return value


def form_fields(state: DataState, querydict, f: Filters | None) -> dict:
    """Everything the filter form shows. ``f`` None (the URL did not parse): the values as typed, so the reader
    corrects them rather than types them again."""
    from observatorio.territory.models import Level

    catalog, index = state.catalog, state.index
    with_events = set(source_days(state))
    measures = [{"code": m.code, "name": m.name, "unit": m.unit,
                 "empty": not (set(m.sources) & with_events)} for m in catalog.count_measures]
    by_family: dict[int, list] = {}
    for _cid, code, name, parent in catalog.categories:
        by_family.setdefault(parent, []).append((code, name))
    labels = dict(Level.choices)
    levels = index.levels()
    areas = sorted(index.areas.values(), key=lambda a: (levels.index(a.level) if a.level in levels else 99, a.code))
    getlist = querydict.getlist if hasattr(querydict, "getlist") else (lambda k: list(querydict.get(k) or []))
    if f is not None:
        q = f.query
        # A month or a year not chosen yet: the last full month and the data's year, ready when the period asks.
        last_month = state.as_of.replace(day=1) - dt.timedelta(days=1)
        chosen = {"measure": f.measure, "period": f.period, "level": f.level,
                  "month": _month_text(q.get("month") or "") or last_month.strftime("%m-%Y"),
                  "year": q.get("year") or str(state.as_of.year),
                  "start": _day(f.start) if f.period == "custom" else "",
                  "end": _day(f.end) if f.period == "custom" else "",
                  "hour_from": "" if f.hours is None else str(f.hours[0]),
                  "hour_to": "" if f.hours is None else str(f.hours[1])}
        many = {k: set(q.get(k) or ()) for k in ("family", "category", "area", "weekday")}
    else:
        chosen = {k: _raw(querydict, k) for k in ("measure", "period", "level", "month", "year", "start", "end",
                                                  "hour_from", "hour_to")}
        chosen["month"] = _month_text(chosen["month"])
        many = {k: set(getlist(k)) for k in ("family", "category", "area", "weekday")}
    return {
        "measures": measures,
        "measures_without_events": [m["name"] for m in measures if m["empty"]],
        "periods": [(p, _(label)) for p, label in PERIODS.items()],
        "families": [(code, name) for _i, code, name in catalog.families],
        "category_groups": [(name, by_family.get(fid, [])) for fid, _code, name in catalog.families
                            if by_family.get(fid)],
        "levels": [(lv, _(labels.get(lv, lv))) for lv in levels],
        "area_groups": [(_(labels.get(lv, lv)), [(str(a.id), a.code, a.name) for a in areas if a.level == lv])
                        for lv in levels if any(a.level == lv for a in areas)],
        "hours": [(str(h), f"{h:02d}:00") for h in range(24)],
        "weekdays": [(str(i), _(name)) for i, name in enumerate(WEEKDAYS)],
        "chosen": chosen,
        "many": many,
    }


def empty_reason(state: DataState, f: Filters) -> str:
    """Why ``f`` counts no event, in one sentence: a measure without sources, sources without events yet, a
    period outside their data, categories the measure does not count, or the filters chosen."""
    measure = state.catalog.measure(f.measure)
    name = measure.name if measure is not None else f.measure
    if measure is None or f.sources == NOTHING:
        return _("La medida «%(measure)s» no tiene fuentes asignadas: un administrador puede asignarlas en "
                 "la página de la medida.") % {"measure": name}
    spans = [d for s, d in source_days(state).items() if s in f.sources]
    if not spans:
        return _("Las fuentes de «%(measure)s» (%(sources)s) aún no tienen eventos cargados.") % {
            "measure": name, "sources": ", ".join(state.catalog.source_name(s) for s in f.sources)}
    from observatorio.records.snapshot import day_number, from_day_number

    first, last = min(a for a, _b in spans), max(b for _a, b in spans)
    if day_number(f.end) < first or day_number(f.start) > last:
        return _("Los datos de «%(measure)s» cubren del %(first)s al %(last)s; el período elegido (del %(start)s "
                 "al %(end)s) queda fuera.") % {"measure": name, "first": _day(from_day_number(first)),
                                                "last": _day(from_day_number(last)), "start": _day(f.start),
                                                "end": _day(f.end)}
    if f.categories == NOTHING:
        return _("Las categorías elegidas no son de las que cuenta «%(measure)s».") % {"measure": name}
    narrowed = [_(label) for on, label in ((bool(f.query.get("family") or f.query.get("category")),
                                            gettext_noop("categorías")),
                                           (bool(f.areas), gettext_noop("áreas")),
                                           (f.hours is not None, gettext_noop("horas")),
                                           (bool(f.weekdays), gettext_noop("días de la semana"))) if on]
    if narrowed:
        return _("Ningún evento de «%(measure)s» del %(start)s al %(end)s cumple los filtros de %(filters)s.") % {
            "measure": name, "start": _day(f.start), "end": _day(f.end), "filters": ", ".join(narrowed)}
    return _("No hay eventos de «%(measure)s» del %(start)s al %(end)s.") % {
        "measure": name, "start": _day(f.start), "end": _day(f.end)}
