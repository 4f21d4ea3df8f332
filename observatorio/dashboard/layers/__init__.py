"""The map's layers: one module per kind of layer on one base, gathered here.

* :mod:`.base`: the territory drawn (boundaries in force, projected once; the one
  way areas' outlines are drawn; the map's grids), :func:`~.base.territory`,
  :func:`~.base.placed`, :class:`~.base.Layer`, :class:`~.base.Feature`, the
  kept answers and :class:`~.base.LayerKind`, what each layer module declares;
* one module per kind: :mod:`.references` (streets and blocks the municipality imports), :mod:`.boundaries`, :mod:`.choropleth`, :mod:`.density`
  (kernel), :mod:`.hotspots` (Gi*), :mod:`.emerging`, :mod:`.places`,
  :mod:`.clusters` (counts per cell, for everyone), :mod:`.points` (single events, for the roles that may see them),
  :mod:`.activities` (the programmes' activities, over everything else);
* :mod:`.downloads`: a built layer as GeoJSON, GeoPackage or CSV.

This module is the registry: :data:`LAYER_KEYS` (the drawing order, bottom to
top: fills, then surfaces and cells, then outlines, then markers), the
download titles and :func:`build_layer`.
"""

from __future__ import annotations

from observatorio.state import DataState

from ..filters import Filters
from . import activities, boundaries, choropleth, clusters, density, emerging, hotspots, places, points, references
from .base import CLUSTER_CELL, CLUSTER_CELLS, Layer, LayerKind, Territory, cached, event_layer

# Drawing order, bottom to top.
KINDS: tuple[LayerKind, ...] = (references.KIND, choropleth.KIND, density.KIND, hotspots.KIND, emerging.KIND,
                                boundaries.KIND, places.KIND, clusters.KIND, points.KIND, activities.KIND)
_BY_KEY: dict[str, LayerKind] = {key: kind for kind in KINDS for key in kind.keys}
LAYER_KEYS: tuple[str, ...] = tuple(_BY_KEY)
# The layers only users who may see single events get (accounts.roles.event_scope not None).
EVENT_LAYER_KEYS: tuple[str, ...] = tuple(key for kind in KINDS if kind.individual_events for key in kind.keys)


def kind_of(key: str) -> LayerKind:
    """The kind that builds ``key``; ValueError for a key no layer module declares."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"layer {key!r} is not one of {', '.join(LAYER_KEYS)}") from None


# The order of the list of downloads: the boundaries first, comuna to UV, then the drawing order.
_LISTED: tuple[LayerKind, ...] = (boundaries.KIND, choropleth.KIND, density.KIND, hotspots.KIND, emerging.KIND,
                                  places.KIND, clusters.KIND, points.KIND, activities.KIND, references.KIND)


def titles() -> dict[str, str]:
    """Each layer's name in the list of downloads, in the active language."""
    return {key: str(title) for kind in _LISTED for key, title in kind.titles.items()}


# The layers drawn on grids of cells: for an aggregate-only reader, a minimum window and k events per cell.
GRID_LAYER_KEYS: tuple[str, ...] = ("densidad", "gi", "emergentes", "grupos")


# The layers whose cell the reader chooses (one of ``CLUSTER_CELLS``, the map's ``celda``): the clusters.
CELL_LAYER_KEYS: tuple[str, ...] = ("grupos",)


# The layers of one programme (the map's ``programa``, a programme's code; None: all programmes).
PROGRAMME_LAYER_KEYS: tuple[str, ...] = ("actividades",)


def build_layer(key: str, *, state: DataState, terr: Territory, f: Filters, scope=None, guard=None,
                cell: float | None = None, programme: str | None = None) -> Layer:
    """One layer by its key (see ``LAYER_KEYS``); ``scope`` (``accounts.roles.event_scope``) matters only to
    the layers of single events, which refuse None.

    The built layer (traces and features) is kept with the data state too (:meth:`LayerKind.question` says
    under what): building the cells of a large Gi* layer costs more than the statistic.
    ``guard`` (:func:`observatorio.disclosure.policy.guard_for`; None: exact figures) suppresses small counts
    for an aggregate-only reader: areas of the choropleth below k, grid cells below k, grid layers over a
    window shorter than the minimum (not drawn, and said why).
    ``cell`` (metres, one of ``CLUSTER_CELLS``; None: ``CLUSTER_CELL``) only for ``CELL_LAYER_KEYS``;
    ``programme`` (a programme's code) only for ``PROGRAMME_LAYER_KEYS``. A kind not ``kept`` is built anew.
    """
    kind = kind_of(key)
    if cell is not None and (key not in CELL_LAYER_KEYS or float(cell) not in CLUSTER_CELLS):
        raise ValueError(f"no cell {cell!r} for layer {key!r}")
    extra = {"cell": float(cell if cell is not None else CLUSTER_CELL)} if key in CELL_LAYER_KEYS else {}
    if kind.individual_events and scope is None:
        raise PermissionError("this user may not see individual events")
    if guard is not None and key in GRID_LAYER_KEYS:
        refused = grid_refusal(guard, f)
        if refused:
            layer = event_layer(key, str(kind.titles[key]), state, terr, f)
            layer.empty_reason, layer.disclosure = refused, guard.note()
            return layer
    if not kind.kept:
        return kind.build(key, state=state, terr=terr, f=f, scope=scope, guard=guard,
                          **({"programme": programme} if key in PROGRAMME_LAYER_KEYS else {}))
    layer = cached(state, (*kind.question(key, terr=terr, f=f, scope=scope), guard, *extra.values()),
                   lambda: kind.build(key, state=state, terr=terr, f=f, scope=scope, guard=guard, **extra))
    if guard is not None and layer.measure is not None:
        layer.disclosure = guard.note()  # kept with the layer: the guard is part of what it is kept under
    return layer


def grid_refusal(guard, f: Filters) -> str:
    """Why a grid layer is not drawn for this guarded reader ("" when it is): a window under the minimum."""
    from django.utils.translation import gettext as _

    days = max(guard.grid_min_days, guard.sensitive_min_days if guard.sensitive else 0)
    if f.days >= days:
        return ""
    return _("Control de divulgación: esta capa necesita un período de al menos %(days)s días (el actual tiene "
             "%(n)s).") % {"days": days, "n": f.days}
