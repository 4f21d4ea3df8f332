"""Choropleth layers: each area of the chosen level filled by its events, crude rate or Empirical-Bayes rate.

Every one says how many events it rests on. The rates compare areas, and with
fewer than ``RATE_MIN_PER_AREA`` events per area on average most differences
between them are chance: the rate layers then carry a caution (still drawn, as
the area table beside the map shows the same figures; docs/analysis.md,
"Pocos eventos").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatorio.analysis.rates import crude_rate, eb_global
from observatorio.disclosure.policy import SUPPRESSED
from observatorio.state import DataState
from observatorio.territory.models import Level

from .. import colours, engine
from ..filters import Filters
from ..numbers import number
from .base import BAR_BELOW, Feature, Layer, LayerKind, Territory, cached, event_layer, filters_key, meta, too_few

METRICS = ("count", "rate", "eb")
CHOROPLETH_SCALE = "Cividis"
# Small numbers (docs/analysis.md, "Pocos eventos"): events per area with population, on average, below
# which a map of rates is mostly chance (a count of 5 has a Poisson standard error of 45 %).
RATE_MIN_PER_AREA = 5


@dataclass(frozen=True)
class AreaFigures:
    """Counts and rates of one level's areas, in the order of ``ids``."""

    ids: list
    counts: np.ndarray
    population: np.ndarray
    rate: np.ndarray  # per 1,000; NaN without population
    eb: np.ndarray  # Empirical-Bayes (global) per 1,000; NaN when it cannot be computed

    @property
    def events(self) -> int:
        """Events in the level's areas (those with no area at this level are not on the map)."""
        return int(self.counts.sum())

    @property
    def rate_minimum(self) -> int:
        """Fewest events for a map of rates: ``RATE_MIN_PER_AREA`` per area with population."""
        return RATE_MIN_PER_AREA * int((self.population > 0).sum())


def area_figures(state: DataState, f: Filters, level: str) -> AreaFigures:
    """Events per area of ``level`` in the window, population of the window's last year, crude and EB rates."""
    index = state.index

    def build():
        ids = index.ids_at(level)
        # The dashboard engine's counts (from the snapshot's cube when there is one), not a mask over every event.
        by_id, _unplaced = engine.area_counts(state, f, level)
        counts = by_id[np.asarray(ids, dtype=np.int64)].astype(np.int64) if ids else np.zeros(0, dtype=np.int64)
        population = np.array([index.population_in(a, f.end.year) or 0 for a in ids], dtype=float)
        rate = crude_rate(counts, population)
        eb = np.full(len(ids), np.nan)
        have = population > 0
        if have.sum() >= 2:
            eb[have] = eb_global(counts[have], population[have]).smoothed
        return AreaFigures(ids, counts, population, rate, eb)

    return cached(state, ("areas", filters_key(f), level), build)


@dataclass(frozen=True)
class Shown:
    """An area level's figures as a reader sees them: ``hidden`` marks counts disclosure control suppressed
    (their rates with them); ``events`` is None when it would give back the suppressed events with no area."""

    figures: AreaFigures
    hidden: np.ndarray
    events: int | None


def shown_figures(state: DataState, f: Filters, level: str, guard=None) -> Shown:
    """:func:`area_figures` through disclosure control (one rule with the dashboard's area table:
    :func:`observatorio.disclosure.shapes.area_hidden`, against the headline and the events with no area)."""
    figs = area_figures(state, f, level)
    if guard is None:
        return Shown(figs, np.zeros(len(figs.ids), dtype=bool), figs.events)
    from observatorio.disclosure.shapes import area_hidden

    hidden, unplaced_hidden = area_hidden(state, f, level, guard)
    return Shown(figs, hidden, None if unplaced_hidden else figs.events)


def choropleth_layer(state: DataState, terr: Territory, f: Filters, metric: str, guard=None) -> Layer:
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} is not one of {METRICS}")
    titles = {"count": _("Eventos"), "rate": _("Tasa por 1.000 hab."), "eb": _("Tasa suavizada (EB) por 1.000 hab.")}
    level = f.level if f.level in terr.shapes else next(iter(terr.shapes))
    level_name = _(dict(Level.choices).get(level, level))
    seen = shown_figures(state, f, level, guard)
    figs, hidden = seen.figures, seen.hidden
    layer = event_layer(f"coropletico-{metric}", titles[metric], state, terr, f)
    name, unit = layer.measure["name"], layer.measure["unit"] or _("eventos")
    layer.events = seen.events
    layer.note = _("n = %(n)s %(unit)s en las áreas. Nivel: %(level)s. Del %(start)s al %(end)s.") % {
        "n": number(seen.events) if seen.events is not None else _(SUPPRESSED), "unit": unit, "level": level_name, "start": f.start.strftime("%d-%m-%Y"),
        "end": f.end.strftime("%d-%m-%Y")}
    if metric != "count" and seen.events is not None and figs.events < figs.rate_minimum:
        layer.caution = too_few(figs.events, figs.rate_minimum, _("comparar tasas entre áreas (%(level)s)") % {
            "level": level_name})
    scale_titles = {"count": f"{name}<br>{unit}",
                    "rate": f"{name}<br>" + _("%(unit)s por 1.000 hab.") % {"unit": unit},
                    "eb": f"{name}<br>" + _("%(unit)s por 1.000 hab. (EB)") % {"unit": unit}}
    by_id = {a: i for i, a in enumerate(figs.ids)}
    if guard is not None:
        layer.note += " " + guard.note()
    values = {"count": figs.counts.astype(float), "rate": figs.rate, "eb": figs.eb}[metric]
    values = np.where(hidden, np.nan, values)
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    features = []
    for s in terr.shapes.get(level, []):
        i = by_id.get(s.id)
        if i is None:
            continue
        v = float(values[i])
        if hidden[i]:  # suppressed: said so, never drawn as 0
            features.append(Feature(s.metric, {"area_id": s.id, "codigo": s.code, "nombre": s.name,
                                               "nivel": s.level, "eventos": None, "reservado": True,
                                               "poblacion": int(figs.population[i]), "tasa_1000": None,
                                               "tasa_eb_1000": None}))
            x, y = terr.rings_xy(s)
            layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor="#e4e7eb",
                                     line=dict(color="#ffffff", width=0.8), hoveron="fills", hoverinfo="text",
                                     text=f"<b>{s.name}</b><br>{name}: {_(SUPPRESSED)}", name=s.name,
                                     showlegend=False, opacity=0.75,
                                 meta=dict(meta(layer.key), area=[s.id, s.code, s.level])))
            continue
        props = {"area_id": s.id, "codigo": s.code, "nombre": s.name, "nivel": s.level,
                 "eventos": int(figs.counts[i]), "poblacion": int(figs.population[i]),
                 "tasa_1000": None if not np.isfinite(figs.rate[i]) else round(float(figs.rate[i]), 3),
                 "tasa_eb_1000": None if not np.isfinite(figs.eb[i]) else round(float(figs.eb[i]), 3)}
        features.append(Feature(s.metric, props))
        fill = colours.sample(CHOROPLETH_SCALE, [v / top])[0] if np.isfinite(v) else "#e4e7eb"
        x, y = terr.rings_xy(s)
        text = (f"<b>{s.name}</b><br>{name}: {number(figs.counts[i])}<br>"
                f"{_('Tasa por 1.000 hab.')}: {number(figs.rate[i], 1)}<br>{_('Tasa EB')}: {number(figs.eb[i], 1)}")
        layer.traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself", fillcolor=fill,
                                 line=dict(color="#ffffff", width=0.8), hoveron="fills", hoverinfo="text",
                                 text=text, name=s.name, showlegend=False, opacity=0.75,
                                 meta=dict(meta(layer.key), area=[s.id, s.code, s.level])))
    layer.make_features = lambda: features
    cx, cy = terr.outline.centroid.x, terr.outline.centroid.y
    n = number(seen.events) if seen.events is not None else _(SUPPRESSED)
    bar_title = f"{scale_titles[metric]}<br>n = {n}"
    if layer.caution:
        bar_title += "<br>" + _("(muy pocos eventos)")
    layer.traces.append(dict(
        type="scatter", x=[cx], y=[cy], mode="markers", hoverinfo="skip", showlegend=False, meta=meta(layer.key),
        marker=dict(size=0.1, opacity=0, color=[top], cmin=0, cmax=top, colorscale=CHOROPLETH_SCALE, showscale=True,
                    colorbar=dict(title=dict(text=bar_title, side="top"), thickness=12, len=0.48, **BAR_BELOW,
                                  tickformat=",d" if metric == "count" else ",.1f", outlinewidth=0,
                                  # a few events: whole ticks, not 0, 0, 1, 1 written over fractions
                                  **({"dtick": 1} if metric == "count" and top <= 5 else {})))))
    return layer


KIND = LayerKind(
    keys=tuple(f"coropletico-{metric}" for metric in METRICS),
    titles={"coropletico-count": gettext_lazy("Coroplético: eventos"),
            "coropletico-rate": gettext_lazy("Coroplético: tasa por 1.000 hab."),
            "coropletico-eb": gettext_lazy("Coroplético: tasa suavizada (EB)")},
    build=lambda key, *, state, terr, f, guard=None, **_ignored: choropleth_layer(
        state, terr, f, key.removeprefix("coropletico-"), guard),
)
