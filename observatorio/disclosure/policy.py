"""Who gets suppressed figures, and what a sensitive figure may show: the reader and the measure decide.

:func:`guard_for` is the one rule. It takes the reader's ``event_scope``
(:func:`observatorio.accounts.roles.event_scope`) and the measure:

* ``()`` (administrators, analysts): None, every figure exact;
* a tuple of source ids (a unit operator): None when every source of the measure is in the scope (their own
  data, which they already see event by event); otherwise a :class:`Guard` — aggregates only;
* None (authorities, users without a role, operators without sources): a :class:`Guard`.

A guard carries k (``OBS_DISCLOSURE_K``) and whether the view is *sensitive*: the measure is marked
sensitive (casos-vif), or every category it counts belongs to a sensitive family
(``OBS_DISCLOSURE_SENSITIVE_FAMILIES``, e.g. delitos sexuales). Sensitive views are shown only at coarse
resolution (:func:`coarse_refusal`); grid layers need a minimum window for every guarded reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Levels fine enough to place a sensitive case near a home: a sensitive view is shown at macrosector or coarser.
COARSE_LEVELS = ("comuna", "macrosector")


@dataclass(frozen=True)
class Guard:
    """Disclosure control for one reader and one measure: counts 1..k−1 suppressed, sensitive views coarse."""

    k: int
    sensitive: bool = False
    grid_min_days: int = 28
    sensitive_min_days: int = 28

    def note(self) -> str:
        """What every guarded answer says (page, JSON, figure)."""
        text = _("Control de divulgación: los conteos de 1 a %(k1)s se reservan (k = %(k)s), y también otros "
                 "que permitirían deducirlos de los totales.") % {"k": self.k, "k1": self.k - 1}
        if self.sensitive:
            text += " " + _("Dato sensible: solo por macrosector o comuna, en períodos de al menos %(days)s "
                            "días.") % {"days": self.sensitive_min_days}
        return text

    def as_json(self) -> dict:
        return {"applied": True, "k": self.k, "sensitive": self.sensitive, "note": self.note(),
                "marker": SUPPRESSED}


# How a suppressed count is written in CSV and figures (JSON: null with a "suppressed" flag). One word for
# primary and secondary cells alike: telling them apart would say which ones are small.
SUPPRESSED = "reservado"


def k() -> int:
    return int(getattr(settings, "OBS_DISCLOSURE_K", 5))


def sensitive_families() -> tuple[str, ...]:
    return tuple(getattr(settings, "OBS_DISCLOSURE_SENSITIVE_FAMILIES", ("familia-sexuales", "familia-vif")))


def is_sensitive(measure, catalog, categories=()) -> bool:
    """A measure marked sensitive, or a selection (the filters' categories, else the measure's) lying wholly
    inside the sensitive families."""
    if measure is not None and measure.sensitive:
        return True
    chosen = set(categories or (measure.categories if measure is not None else ()))
    if not chosen:
        return False
    inside: set[int] = set()
    for family in sensitive_families():
        inside |= set(catalog.family_children.get(family, ()))
        if family in catalog.category_id:
            inside.add(catalog.category_id[family])
    return chosen <= inside


def guard_for(scope, measure, catalog, categories=()) -> Guard | None:
    """The guard for a reader (their ``event_scope``) reading ``measure``; None: exact figures."""
    if scope is not None and (scope == () or (measure is not None and measure.sources
                                              and set(measure.sources) <= set(scope))):
        return None
    return Guard(k(), is_sensitive(measure, catalog, categories),
                 int(getattr(settings, "OBS_DISCLOSURE_GRID_MIN_DAYS", 28)),
                 int(getattr(settings, "OBS_DISCLOSURE_SENSITIVE_MIN_DAYS", 28)))


def guard_of_request(request, measure, catalog, categories=()) -> Guard | None:
    from observatorio.accounts.roles import event_scope

    user = getattr(request, "user", None)  # a request no middleware saw (a benchmark's): aggregates only
    return guard_for(event_scope(user) if user is not None else None, measure, catalog, categories)


def coarse_refusal(guard: Guard | None, f, index, *, hours: bool = False) -> str:
    """Why a sensitive view is refused for this guard ("" when it may be shown): a window shorter than the
    minimum, areas finer than a macrosector, time-of-day or weekday filters, or the hour × weekday table."""
    if guard is None or not guard.sensitive:
        return ""
    if f.days < guard.sensitive_min_days:
        return _("Dato sensible: elija un período de al menos %(days)s días (el actual tiene %(n)s).") % {
            "days": guard.sensitive_min_days, "n": f.days}
    if any(index.areas[a].level not in COARSE_LEVELS for a in f.areas if a in index.areas):
        return _("Dato sensible: elija macrosectores o la comuna, no áreas más pequeñas.")
    if hours or f.hours is not None or f.weekdays:
        return _("Dato sensible: no se muestra por hora ni por día de la semana.")
    return ""


def coarse_level(guard: Guard | None, level: str) -> str:
    """The level a guarded sensitive view is shown at: ``level`` when coarse enough, else macrosector."""
    if guard is None or not guard.sensitive or level in COARSE_LEVELS:
        return level
    return "macrosector"
