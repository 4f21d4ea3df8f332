"""The dashboard's filters: parsed from the URL by a bounded form, applied to the snapshot.

The filter state lives in the URL so that a view can be shared or bookmarked;
``Filters.to_query()`` writes it back. Parameters (all optional):

``period``  7d | 28d | month | ytd | 12m | custom (default 28d)
``start``, ``end``  ISO dates, with period=custom (inclusive)
``source``  source codes (repeatable)
``family``  category family codes, e.g. familia-vif (repeatable; expands to its categories)
``category``  category codes (repeatable)
``level``  territory level for breakdowns (default uv)
``area``  area ids (repeatable; an area includes its descendants)
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from django import forms
from django.utils.translation import gettext_noop

from observatorio.records.catalog import Catalog
from observatorio.records.snapshot import EventSnapshot, day_number
from observatorio.state import DataState
from observatorio.territory.index import TerritoryIndex

PERIODS = {
    "7d": gettext_noop("Últimos 7 días"),
    "28d": gettext_noop("Últimos 28 días"),
    "month": gettext_noop("Mes en curso"),
    "ytd": gettext_noop("Año a la fecha"),
    "12m": gettext_noop("Últimos 12 meses"),
    "custom": gettext_noop("Personalizado"),
}
MAX_SPAN_DAYS = 366 * 20
MAX_CHOICES = 200


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    period: str = "28d"
    sources: tuple[int, ...] = ()  # empty: every source
    categories: tuple[int, ...] = ()  # empty: every category (families are expanded here)
    level: str = "uv"
    areas: tuple[int, ...] = ()  # empty: the whole territory
    # The codes as given in the URL, to write it back unchanged.
    query: dict = field(default_factory=dict, compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> Filters:
        """The same filters over a window moved by ``days`` (negative: earlier)."""
        delta = dt.timedelta(days=days)
        return Filters(self.start + delta, self.end + delta, "custom", self.sources, self.categories, self.level,
                       self.areas, self.query)

    def previous(self) -> Filters:
        """The window of the same length just before this one."""
        return self.shifted(-self.days)

    def last_year(self) -> Filters:
        """The same calendar window one year earlier (29 February becomes 28)."""
        def back(d):
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        return Filters(back(self.start), back(self.end), "custom", self.sources, self.categories, self.level,
                       self.areas, self.query)

    def to_query(self, **changes) -> str:
        params = {k: v for k, v in self.query.items() if v not in (None, "", [])}
        params.update({k: v for k, v in changes.items()})
        return urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


def window(period: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    if period == "7d":
        return as_of - dt.timedelta(days=6), as_of
    if period == "28d":
        return as_of - dt.timedelta(days=27), as_of
    if period == "month":
        return as_of.replace(day=1), as_of
    if period == "ytd":
        return as_of.replace(month=1, day=1), as_of
    if period == "12m":
        return as_of - dt.timedelta(days=364), as_of
    raise ValueError(f"period {period!r} is not one of {', '.join(PERIODS)}")


class FilterForm(forms.Form):
    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    source = forms.MultipleChoiceField(required=False)
    family = forms.MultipleChoiceField(required=False)
    category = forms.MultipleChoiceField(required=False)
    level = forms.ChoiceField(required=False)
    area = forms.TypedMultipleChoiceField(coerce=int, required=False)

    # Its source, family, category, level and area choices come from a data state: use form_class(state).

    def clean(self):
        data = super().clean()
        for name in ("source", "family", "category", "area"):
            if len(data.get(name) or ()) > MAX_CHOICES:
                raise forms.ValidationError(f"demasiados valores en {name} (máximo {MAX_CHOICES})")
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("un período personalizado necesita fecha de inicio y de término")
            if end < start:
                raise forms.ValidationError("la fecha de término es anterior a la de inicio")
            if (end - start).days > MAX_SPAN_DAYS:
                raise forms.ValidationError("el período no puede superar 20 años")
        return data


def _set_choices(fields: dict, catalog: Catalog, index: TerritoryIndex) -> None:
    from observatorio.territory.models import Level

    fields["source"].choices = [(c, n) for _i, c, n in catalog.sources]
    fields["family"].choices = [(c, n) for _i, c, n in catalog.families]
    fields["category"].choices = [(c, n) for _i, c, n, _p in catalog.categories]
    labels = dict(Level.choices)
    fields["level"].choices = [(lv, labels.get(lv, lv)) for lv in index.levels()]
    fields["area"].choices = [(a.id, f"{a.code} {a.name}") for a in index.areas.values()]


def form_class(state: DataState) -> type[FilterForm]:
    """A FilterForm whose fields carry the state's choices, made once per state.

    Setting choices normalises them (Django walks every option): milliseconds per request otherwise.
    """
    def build() -> type[FilterForm]:
        cls = type("BoundFilterForm", (FilterForm,), {})
        cls.base_fields = copy.deepcopy(FilterForm.base_fields)
        _set_choices(cls.base_fields, state.catalog, state.index)
        return cls

    return state.memo("filter-form", build, on=("territory", "catalog"))


PARSED_SIZE = 256


def parse_filters(querydict, state: DataState) -> tuple[Filters | None, dict]:
    """Filters from the URL, or ``(None, errors)`` with the form's messages per field.

    A page load asks all its data endpoints with the same query string, and validating it with the form
    costs more than most answers (the form copies its fields and their choices), so valid filters are kept
    per state and query. Errors are not kept: they are rare, and in the reader's language.
    """
    if not hasattr(querydict, "lists"):
        return _parse(querydict, state)
    question = tuple((k, tuple(v)) for k, v in querydict.lists())
    kept = state.cache("filters", PARSED_SIZE)
    errors: dict = {}

    def build():
        filters, found = _parse(querydict, state)
        errors.update(found)
        return filters

    filters = kept.get(question, build)
    return filters, errors


def _parse(querydict, state: DataState) -> tuple[Filters | None, dict]:
    index, catalog, as_of = state.index, state.catalog, state.as_of
    form = form_class(state)(querydict)
    if not form.is_valid():
        return None, {k: [str(m) for m in v] for k, v in form.errors.items()}
    data = form.cleaned_data
    period = data.get("period") or "28d"
    if period == "custom":
        start, end = data["start"], data["end"]
    else:
        start, end = window(period, as_of)
    # The form accepted only codes of the catalog, so every look-up below succeeds.
    sources = tuple(catalog.source_id[c] for c in data.get("source") or [])
    categories = {catalog.category_id[c] for c in data.get("category") or []}
    for family in data.get("family") or []:
        categories |= set(catalog.family_children.get(family, ()))
    levels = index.levels()
    level = data.get("level") or ("uv" if "uv" in levels else (levels[-1] if levels else "uv"))
    query = {
        "period": period,
        "start": start.isoformat() if period == "custom" else "",
        "end": end.isoformat() if period == "custom" else "",
        "source": list(data.get("source") or []),
        "family": list(data.get("family") or []),
        "category": list(data.get("category") or []),
        "level": data.get("level") or "",
        "area": [str(a) for a in data.get("area") or []],
    }
    return Filters(start, end, period, tuple(sorted(sources)), tuple(sorted(categories)), level,
                   tuple(sorted(data.get("area") or [])), query), {}


def event_mask(snap: EventSnapshot, f: Filters, index: TerritoryIndex, *, dates: bool = True) -> np.ndarray:
    """Boolean mask of the snapshot's events that pass the filters (``dates=False`` ignores the window)."""
    mask = np.ones(snap.size, dtype=bool)
    if dates:
        mask &= (snap.day >= day_number(f.start)) & (snap.day <= day_number(f.end))
    if f.sources:
        mask &= np.isin(snap.source, np.asarray(f.sources, dtype=snap.source.dtype))
    if f.categories:
        mask &= np.isin(snap.category, np.asarray(f.categories, dtype=snap.category.dtype))
    if f.areas:
        wanted = set()
        for area_id in f.areas:
            wanted |= index.descendants_or_self(area_id)
        mask &= np.isin(snap.area, np.asarray(sorted(wanted), dtype=snap.area.dtype))
    return mask
