"""Violence around prioritised places (``espacios``): for each kind of place of interest (schools, health
centres, sports venues, green areas, commercial areas… whatever ``records.Place`` holds), the events of a
measure within ``radius`` metres against those expected from the ring around them (exposure ratio,
``analysis/exposure.py``: conditional binomial test, Clopper–Pearson interval), the places with the most
events within the radius, and a map of the places.

Options: ``measure`` (default ``casos-policiales``), ``radius`` (metres, default :data:`RADIUS`) and
``outer`` (the ring's outer radius, default :data:`OUTER`). Events are those the engine counts for the
measure and period with a location; places and events are projected to the territory's UTM zone.

A public report withholds a kind's or a place's figures when its count within the radius, or its ring's, is
1..k−1 (the ratio and its interval would give the count back); a place's count is its own buffer's, published
with no total, so the rule is primary suppression, and a place with a withheld count is not listed.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import gettext_noop

from observatorio.analysis.exposure import exposure
from observatorio.analysis.projection import to_metres
from observatorio.dashboard import engine
from observatorio.dashboard.numbers import number
from observatorio.disclosure import shapes
from observatorio.records.measures import DEFAULT_MEASURE

from .. import sentences, thematic
from ..document import Figure, Notice, Report, Section, Table

KIND = "espacios"
TITLE = gettext_noop("Informe temático: violencia en torno a espacios priorizados")
RADIUS = 100.0
OUTER = 300.0
TOP_PLACES = 10
ALPHA = 0.05

PLACE_KINDS = {
    "school": ("Establecimientos educacionales", "Schools"),
    "health": ("Centros de salud", "Health centres"),
    "sports": ("Recintos deportivos", "Sports venues"),
    "green": ("Áreas verdes", "Green areas"),
    "commercial": ("Zonas comerciales", "Commercial areas"),
    "transport": ("Paraderos y estaciones", "Stops and stations"),
    "alcohol": ("Patentes de alcoholes", "Alcohol outlets"),
    "police": ("Unidades policiales", "Police units"),
}

WORDS = {
    "title": ("Informe temático: violencia en torno a espacios priorizados",
              "Thematic report: violence around prioritised places"),
    "what": ("la medida", "the measure"),
    "no_places": ("No hay lugares de interés cargados: cárguelos en Administración → Lugares de interés.",
                  "No places of interest are loaded: add them under Administration → Places of interest."),
    "s_exposure": ("Exposición por tipo de lugar", "Exposure by kind of place"),
    "s_top": ("Lugares con más eventos en su entorno", "Places with the most events around them"),
    "s_map": ("Mapa de los lugares", "Map of the places"),
    "t_exposure": ("{name} a menos de {r} m de cada tipo de lugar frente a su anillo de {r} a {o} m: {period}",
                   "{name} within {r} m of each kind of place against its ring of {r} to {o} m: {period}"),
    "kind": ("Tipo de lugar", "Kind of place"), "places": ("Lugares", "Places"),
    "observed": ("Observados", "Observed"), "expected": ("Esperados", "Expected"),
    "ratio": ("Razón", "Ratio"), "interval": ("Intervalo 95 %", "95 % interval"), "p": ("p", "p"),
    "exposure_note": ("Observados: eventos a menos de {r} m de algún lugar del tipo (cada evento una vez por "
                      "tipo). Esperados: la densidad del anillo de {r} a {o} m aplicada a la superficie del radio. "
                      "Razón = observados / esperados, con intervalo exacto (Clopper–Pearson) y p de la prueba "
                      "binomial condicional de exceso (unilateral).",
                      "Observed: events within {r} m of a place of the kind (each event once per kind). "
                      "Expected: the ring's density ({r} to {o} m) over the buffer's area. Ratio = observed / "
                      "expected, with an exact (Clopper–Pearson) interval and the p of the conditional binomial "
                      "test of excess (one-sided)."),
    "higher": ("En torno a {kind} la densidad de {what} fue {ratio} veces la de su entorno (intervalo de 95 %: "
               "{lo} a {hi}; {p}).",
               "Around {kind_en} the density of {what} was {ratio} times that of their surroundings (95 % interval: "
               "{lo} to {hi}; {p})."),
    "not_higher": ("En torno a {kind} la densidad de {what} no se distingue de la de su entorno (razón {ratio}; "
                   "{p}).",
                   "Around {kind_en} the density of {what} is not distinguishable from that of their surroundings "
                   "(ratio {ratio}; {p})."),
    "withheld": ("Las cifras en torno a {kind} se reservan por las reglas de confidencialidad.",
                 "The figures around {kind_en} are withheld under the confidentiality rules."),
    "none_higher": ("Ningún tipo de lugar muestra más {what} en su radio que en su entorno (prueba de exceso, "
                    "nivel 5 %).",
                    "No kind of place shows more {what} within its radius than around it (test of excess, 5 % "
                    "level)."),
    "t_top": ("Los {n} lugares con más {name} a menos de {r} m: {period}",
              "The {n} places with the most {name} within {r} m: {period}"),
    "place": ("Lugar", "Place"), "prioritized": ("Priorizado", "Prioritised"), "events": ("Eventos", "Events"),
    "yes": ("sí", "yes"), "no": ("no", "no"),
    "top_note": ("Conteo de eventos a menos de {r} m del lugar; un evento cercano a dos lugares cuenta en ambos.",
                 "Events within {r} m of the place; an event near two places counts for both."),
    "top_public": ("Se listan solo lugares cuyo conteo se puede publicar.",
                   "Only places whose count may be published are listed."),
    "top_point": ("El lugar con más {what} en su radio de {r} m fue {place} ({n}).",
                  "The place with the most {what} within {r} m was {place} ({n})."),
    "no_top": ("Ningún lugar tiene eventos publicables en su radio.", "No place has publishable events within its radius."),
    "f_map": ("Lugares de interés por tipo", "Places of interest by kind"),
    "legend": ("Tipo de lugar", "Kind of place"), "map_what": ("lugares de interés", "places of interest"),
    "located": ("Eventos con ubicación: {n} de {total}.", "Events with a location: {n} of {total}."),
    "too_few": ("Sin eventos con ubicación en el período.", "No located events in the period."),
    "sensitive": ("Dato sensible: la medida solo se publica por macrosector o comuna, no en torno a lugares.",
                  "Sensitive data: the measure is published only by macrosector or comuna, not around places."),
}


def _kind_words(kind: str) -> tuple[str, str]:
    es, en = PLACE_KINDS.get(kind, (kind, kind))
    return es.lower(), en.lower()


def build(ctx) -> Report:
    from observatorio.dashboard.layers.base import territory
    from observatorio.records.models import Place

    state = ctx.state
    wr = thematic.Writer(ctx, WORDS)
    m = thematic.measure(state, ctx.options.get("measure", DEFAULT_MEASURE))
    radius = float(ctx.options.get("radius", RADIUS))
    outer = float(ctx.options.get("outer", OUTER))
    base = thematic.base_fields(wr, KIND, wr.w("title"))
    steps = 4
    ctx.progress("build", 0, steps)
    if m is None or not engine.headline(state, thematic.filters(ctx, m.code)).count:
        ctx.progress("build", steps, steps)
        return thematic.no_data(wr, base, wr.w("what") if m is None else m.name)
    base["measure_note"] = wr.stated(m, wr.w("events"))
    places = list(Place.objects.order_by("kind", "name", "id").values_list("kind", "name", "lon", "lat",
                                                                          "prioritized"))
    terr = territory(state, ctx.end)
    if not places or terr is None:
        ctx.progress("build", steps, steps)
        return Report(**base, sections=(Section(wr.w("s_exposure"), blocks=(Notice(wr.w("no_places")),)),
                                        thematic.methods(wr, [m])))
    f = thematic.filters(ctx, m.code)
    ids = thematic.selected_ids(state, f)
    window, mask = engine.select_in(state, f)
    lon, lat = state.events.lon[window], state.events.lat[window]
    if mask is not None:
        lon, lat = lon[mask], lat[mask]
    located = np.isfinite(lon) & np.isfinite(lat)
    ex, ey, _e = to_metres(lon[located], lat[located], terr.epsg)
    px, py, _e = to_metres([p[2] for p in places], [p[3] for p in places], terr.epsg)
    kinds = np.array([p[0] for p in places])
    ctx.progress("build", 1, steps)
    guard = ctx.guard(m)
    if guard is not None and guard.sensitive:  # places are finer than a macrosector: never for sensitive data
        ctx.progress("build", steps, steps)
        return Report(**base, sections=(Section(wr.w("s_exposure"), blocks=(Notice(wr.w("sensitive")),)),
                                        thematic.methods(wr, [m])))
    located_text = wr.w("located", n=number(int(located.sum())), total=number(int(ids.size)))
    if not located.any():
        sections = [Section(wr.w("s_exposure"), blocks=(Notice(wr.w("too_few")),))]
    else:
        table = exposure(ex, ey, px, py, radius=radius, reference="ring", outer_radius=outer, groups=kinds)
        sections = [_exposure(wr, m, table, radius, outer, guard, located_text)]
        ctx.progress("build", 2, steps)
        sections.append(_top(wr, m, places, ex, ey, px, py, radius, guard))
    ctx.progress("build", 3, steps)
    sections.append(_map(wr, m, kinds, px, py))
    sections.append(thematic.methods(wr, [m], [wr.w("exposure_note", r=number(radius), o=number(outer))]))
    ctx.progress("build", steps, steps)
    return Report(**base, sections=tuple(sections))


def _exposure(wr, m, table, radius, outer, guard, located_text) -> Section:
    rows, points = [], []
    what_es, what_en = m.name.lower(), m.name.lower()
    order = [k for k in PLACE_KINDS if k in table.index] + sorted(k for k in table.index if k not in PLACE_KINDS)
    for kind in order:
        r = table.loc[kind]
        kind_es, kind_en = _kind_words(kind)
        label = PLACE_KINDS.get(kind, (kind, kind))[wr.i]
        hidden = guard is not None and (shapes.small(int(r.observed), guard.k) or
                                        shapes.small(int(r.reference_count), guard.k))
        if hidden:
            rows.append((label, number(int(r.places)), wr.count(None), "—", "—", "—", "—"))
            points.append(wr.w("withheld", kind=kind_es, kind_en=kind_en))
            continue
        ratio = float(r.ratio)
        rows.append((label, number(int(r.places)), number(int(r.observed)), number(float(r.expected), 1),
                     _num(ratio), f"{_num(float(r.lower))} – {_num(float(r.upper))}",
                     sentences.p_figure(float(r.p_excess), wr.lang)))
        if float(r.p_excess) < ALPHA and float(r.lower) > 1:
            points.append(wr.w("higher", kind=kind_es, kind_en=kind_en, what=what_es if wr.lang == "es" else what_en,
                               ratio=_num(ratio), lo=_num(float(r.lower)), hi=_num(float(r.upper)),
                               p=sentences.p_text(float(r.p_excess), wr.lang)))
    if not any(p for p in points if "veces" in p or "times" in p):
        points.append(wr.w("none_higher", what=m.name.lower()))
    notes = [wr.w("exposure_note", r=number(radius), o=number(outer)), located_text, wr.stated(m, wr.w("events"))]
    if guard is not None:
        notes.append(guard.note())
    t = Table(wr.w("t_exposure", name=m.name, r=number(radius), o=number(outer), period=wr.period()),
              (wr.w("kind"), wr.w("places"), wr.w("observed"), wr.w("expected"), wr.w("ratio"), wr.w("interval"),
               wr.w("p")), tuple(rows), tuple(notes), (False, True, True, True, True, False, True))
    return Section(wr.w("s_exposure"), tuple(points), (t,))


def _num(value: float) -> str:
    return "∞" if not np.isfinite(value) else number(value, 2)


def _top(wr, m, places, ex, ey, px, py, radius, guard) -> Section:
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([ex, ey]))
    counts = np.array([len(n) for n in tree.query_ball_point(np.column_stack([px, py]), radius)])
    order = sorted(range(len(places)), key=lambda k: (-counts[k], places[k][1], k))
    listed = [k for k in order if counts[k] > 0 and not (guard is not None and shapes.small(int(counts[k]), guard.k))]
    listed = listed[:TOP_PLACES]
    if not listed:
        return Section(wr.w("s_top"), blocks=(Notice(wr.w("no_top")),))
    rows = tuple((places[k][1], PLACE_KINDS.get(places[k][0], (places[k][0],) * 2)[wr.i],
                  wr.w("yes") if places[k][4] else wr.w("no"), number(int(counts[k]))) for k in listed)
    notes = [wr.w("top_note", r=number(radius)), wr.stated(m, wr.w("events"))]
    if guard is not None:
        notes += [wr.w("top_public"), guard.note()]
    first = listed[0]
    point = wr.w("top_point", what=m.name.lower(), r=number(radius), place=places[first][1],
                 n=number(int(counts[first])))
    t = Table(wr.w("t_top", n=len(listed), name=m.name.lower(), r=number(radius), period=wr.period()),
              (wr.w("place"), wr.w("kind"), wr.w("prioritized"), wr.w("events")), rows, tuple(notes),
              (False, False, False, True))
    return Section(wr.w("s_top"), (point,), (t,))


def _map(wr, m, kinds, px, py) -> Section:
    from .. import maps

    base = thematic.map_base(wr.ctx)
    if base is None:
        return Section(wr.w("s_map"), blocks=(Notice(wr.w("no_base")),))
    order = [k for k in PLACE_KINDS if k in set(kinds)] + sorted(set(kinds) - set(PLACE_KINDS))
    groups = {PLACE_KINDS.get(k, (k, k))[wr.i]: (px[kinds == k], py[kinds == k]) for k in order}
    caption = maps.Caption(wr.w("map_what"), wr.period(), ())
    fig = maps.points(base, groups, title=wr.w("legend"), caption=caption, lang=wr.lang)
    figure = Figure(wr.w("f_map"), wr.stated(m, wr.w("map_what")), wr.w("f_map"), svg=maps.svg(fig))
    return Section(wr.w("s_map"), blocks=(figure,))
