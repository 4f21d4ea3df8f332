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
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from django import forms
from django.utils.translation import gettext_noop
from django.db import connection
from django.db.models.signals import post_delete, post_save

from observatorio.records.models import Category, Source
from observatorio.records.snapshot import EventSnapshot, day_number
from observatorio.territory.index import TerritoryIndex

from .lru import LRU

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

    def shifted(self, days: int) -> "Filters":
        """The same filters over a window moved by ``days`` (negative: earlier)."""
        delta = dt.timedelta(days=days)
        return Filters(self.start + delta, self.end + delta, "custom", self.sources, self.categories, self.level,
                       self.areas, self.query)

    def previous(self) -> "Filters":
        """The window of the same length just before this one."""
        return self.shifted(-self.days)

    def last_year(self) -> "Filters":
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


@dataclass(frozen=True)
class Catalog:
    """Sources and categories as the filters offer them, read once per change of those tables."""

    key: tuple
    sources: tuple[tuple[int, str, str], ...]  # (id, code, name) by name
    families: tuple[tuple[int, str, str], ...]  # categories without parent
    categories: tuple[tuple[int, str, str, int], ...]  # (id, code, name, parent id) of the rest, by name
    source_id: dict[str, int]
    category_id: dict[str, int]
    family_children: dict[str, tuple[int, ...]]  # family code → its categories' ids

    @property
    def category_rows(self) -> list[tuple[int, str, int | None]]:
        """(id, name, parent id) of every category, families included."""
        return [(i, n, None) for i, _c, n in self.families] + [(i, n, p) for i, _c, n, p in self.categories]


def catalog_key_sql() -> list[str]:
    """Scalar sub-queries whose values change when a source or category is added, removed or edited.

    Count and largest id catch additions and deletions; the sums of lengths and parents catch most edits
    (a rename to a name of the same length is missed until the next other change).
    """
    out = []
    for model, extra in ((Source, ""), (Category, " + COALESCE(parent_id, 0)")):
        table = model._meta.db_table
        out += [f"SELECT COUNT(*) FROM {table}", f"SELECT MAX(id) FROM {table}",
                f"SELECT SUM(LENGTH(code) + LENGTH(name){extra}) FROM {table}"]
    return out


def _read_key(parts: list[str]) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({p})" for p in parts))
        return tuple(cursor.fetchone())


def _load_catalog(key: tuple) -> Catalog:
    sources = tuple(Source.objects.order_by("name").values_list("id", "code", "name"))
    rows = list(Category.objects.order_by("name").values_list("id", "code", "name", "parent_id"))
    families = tuple((i, c, n) for i, c, n, p in rows if p is None)
    children = tuple(r for r in rows if r[3] is not None)
    code_of = {i: c for i, c, _n in families}
    family_children: dict[str, list[int]] = {}
    for i, _c, _n, parent in children:
        if parent in code_of:
            family_children.setdefault(code_of[parent], []).append(i)
    return Catalog(key, sources, families, children, {c: i for i, c, _n in sources},
                   {c: i for i, c, _n, _p in rows}, {k: tuple(v) for k, v in family_children.items()})


_lock = threading.Lock()
_catalogs: dict[str, Catalog] = {}


def get_catalog(key: tuple | None = None) -> Catalog:
    """The cached catalog, re-read when its key moved (``key``: already read with :func:`catalog_key_sql`)."""
    if key is None:
        key = _read_key(catalog_key_sql())
    name = connection.settings_dict["NAME"]
    held = _catalogs.get(name)
    if held is None or held.key != key:
        with _lock:
            held = _load_catalog(key)
            _catalogs[name] = held
    return held


def clear_cache(**_signal) -> None:
    with _lock:
        _catalogs.clear()
        _forms.clear()
        _parsed.clear()


# Edits in this process (admin, tests) forget the catalog at once; the key catches other processes' changes.
for _model in (Source, Category):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"dashboard-catalog-save-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"dashboard-catalog-delete-{_model.__name__}")


class FilterForm(forms.Form):
    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    source = forms.MultipleChoiceField(required=False)
    family = forms.MultipleChoiceField(required=False)
    category = forms.MultipleChoiceField(required=False)
    level = forms.ChoiceField(required=False)
    area = forms.TypedMultipleChoiceField(coerce=int, required=False)

    choices_ready = False  # True in the subclasses of form_class(), whose fields already hold their choices

    def __init__(self, data, *, index: TerritoryIndex, catalog: Catalog | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.index = index
        if not self.choices_ready:
            _set_choices(self.fields, catalog or get_catalog(), index)

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


_forms: dict[str, tuple[Catalog, TerritoryIndex, type]] = {}


def form_class(catalog: Catalog, index: TerritoryIndex) -> type[FilterForm]:
    """A FilterForm whose fields carry this catalog's and index's choices, made once per pair.

    Setting choices normalises them (Django walks every option): milliseconds per request otherwise.
    """
    name = connection.settings_dict["NAME"]
    held = _forms.get(name)
    if held is not None and held[0] is catalog and held[1] is index:
        return held[2]
    cls = type("BoundFilterForm", (FilterForm,), {"choices_ready": True})
    cls.base_fields = copy.deepcopy(FilterForm.base_fields)
    _set_choices(cls.base_fields, catalog, index)
    with _lock:
        _forms[name] = (catalog, index, cls)
    return cls


PARSED_SIZE = 256
_parsed: dict[str, tuple[Catalog, TerritoryIndex, LRU]] = {}


def _parsed_cache(catalog: Catalog, index: TerritoryIndex) -> LRU:
    """Filters already parsed against this catalog and index; a new catalog or index starts an empty one."""
    name = connection.settings_dict["NAME"]
    held = _parsed.get(name)
    if held is not None and held[0] is catalog and held[1] is index:
        return held[2]
    cache = LRU(PARSED_SIZE)
    with _lock:
        _parsed[name] = (catalog, index, cache)
    return cache


def parse_filters(querydict, *, as_of: dt.date, index: TerritoryIndex,
                  catalog: Catalog | None = None) -> tuple[Filters | None, dict]:
    """Filters from the URL, or ``(None, errors)`` with the form's messages per field.

    A page load asks all its data endpoints with the same query string, and validating it with the form
    costs more than most answers (the form copies its fields and their choices), so valid filters are kept
    per (catalog, index, data cut-off, query). Errors are not kept: they are rare, and in the reader's language.
    """
    catalog = catalog or get_catalog()
    if not hasattr(querydict, "lists"):
        return _parse(querydict, as_of, index, catalog)
    cache = _parsed_cache(catalog, index)
    key = (as_of, tuple((k, tuple(v)) for k, v in querydict.lists()))
    held = cache.get(key)
    if held is not None:
        return held, {}
    filters, errors = _parse(querydict, as_of, index, catalog)
    if filters is not None:
        cache.put(key, filters)
    return filters, errors


def _parse(querydict, as_of: dt.date, index: TerritoryIndex, catalog: Catalog) -> tuple[Filters | None, dict]:
    form = form_class(catalog, index)(querydict, index=index)
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
