"""Parts shared by the thematic reports (``vif``, ``drogas``, ``espacios``, ``perfiles``, ``derechos``).

Each thematic kind (``reports/kinds/<kind>.py``) is a few sections built from these parts:

- :class:`Writer`: the report's words, as paired Spanish/English templates (:data:`WORDS` plus the kind's
  own), as ``reports/sentences.py`` and ``reports/maps.py`` keep theirs, so a report needs no catalogue entry;
- :func:`headline` / :func:`summary`: a measure (optionally some categories of it) counted over the period at
  comuna level by the engine, against the same period a year earlier, through the reader's guard, with its
  main points written by ``sentences.py`` and its monthly trend;
- :func:`by_macrosector`: the selection's counts by macrosector (coarse enough for a sensitive measure),
  protected as the dashboard's area table is (``disclosure.shapes.areas``);
- :func:`people`: the person attributes (sex, age band, nationality, keyed id) of exactly the events the
  engine counts for a selection, read from the database by event id — never a name or a RUT, and only ever
  shown aggregated;
- :func:`breakdown`: a list of counts against its published total, suppressed with
  ``disclosure.suppress.list_with_total`` in a public report;
- :func:`no_data`: the one-section report of a period without events.

A public report is read as by an authority (``Context.guard``): every count passes disclosure control and a
withheld one is written «reservado»; a sentence never names a withheld figure (``sentences`` says "se
reserva").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from observatorio.analysis import periods
from observatorio.analysis.compare import Verdict
from observatorio.dashboard import engine, home_data
from observatorio.dashboard.filters import filters_for
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy, shapes
from observatorio.disclosure.suppress import list_with_total
from observatorio.labels import outcome_label
from observatorio.territory.models import Level

from . import charts, points, sentences
from .document import Figure, Notice, Report, Section, Table
from .kinds.boletin import day, percent

WORDS = {
    "stated": ("Medida: {name} ({unit}) · {where} · {cats} · {period} · {what}",
               "Measure: {name} ({unit}) · {where} · {cats} · {period} · {what}"),
    "all_cats": ("todas las categorías", "all categories"),
    "span": ("{a} a {b}", "{a} to {b}"),
    "monthly": ("conteo mensual", "monthly count"),
    "t_summary": ("{name}: {period} frente al mismo período del año anterior",
                  "{name}: {period} against the same period a year earlier"),
    "period_col": ("Período", "Period"), "year_before": ("Año anterior ({period})", "Year before ({period})"),
    "change": ("Variación", "Change"), "verdict": ("Veredicto", "Verdict"),
    "verdict_note": ("Veredicto: prueba exacta de igualdad de tasas diarias (Poisson), nivel 5 %; «pocos "
                     "eventos» bajo el mínimo de {n} eventos.",
                     "Verdict: exact test of equal daily rates (Poisson), 5 % level; “few events” below {n} "
                     "events."),
    "f_trend": ("{name} por mes, del {start} al {end}", "{name} by month, {start} to {end}"),
    "alt_trend": ("Gráfico de línea: {name} por mes", "Line chart: {name} by month"),
    "marked": ("período del informe", "report period"),
    "t_macro": ("{name} por macrosector: {period}", "{name} by macrosector: {period}"),
    "area": ("Área", "Area"), "count": ("Conteo", "Count"), "rate": ("Tasa por 1.000", "Rate per 1,000"),
    "share": ("Porcentaje", "Share"), "total": ("Total", "Total"),
    "unplaced": ("Sin macrosector", "No macrosector"),
    "macro_note": ("Tasa cruda por 1.000 habitantes (población vigente del año del fin del período).",
                   "Crude rate per 1,000 residents (population in force for the year the period ends)."),
    "no_macro": ("El territorio no tiene macrosectores cargados.", "The territory has no macrosectors loaded."),
    "no_data_title": ("Sin datos para el período", "No data for the period"),
    "no_data": ("No hay datos para el período {period}: {what} no registra eventos en esas fechas. Los datos "
                "cargados llegan hasta el {cut}; elija un período con datos.",
                "There are no data for the period {period}: {what} has no events on those dates. The data "
                "loaded reach {cut}; choose a period with data."),
    "no_events": ("No hay datos para el período {period}: no hay eventos cargados.",
                  "There are no data for the period {period}: no events are loaded."),
    "unknown": ("sin dato", "not recorded"),
    "age_years": ("{a} años", "{a} years"), "age_plus": ("{a} años o más", "{a} years or more"),
    "methods_version": ("Versión de los datos: {v}, corte al {cut}. La misma versión, período y opciones dan el "
                        "mismo documento; la huella del contenido está en la portada.",
                        "Data version: {v}, cut-off {cut}. The same version, period and options give the same "
                        "document; the content fingerprint is on the cover."),
    "methods_counts": ("Cada cifra cuenta una medida con nombre (su definición está en el anexo de medidas); las "
                       "medidas no se suman entre sí. Los cambios se prueban con la prueba exacta de Poisson, "
                       "nivel 5 %, y solo se afirman cuando la prueba los sostiene.",
                       "Every figure counts one named measure; measures are never added together. Changes are "
                       "tested with the exact Poisson test at the 5 % level and stated only when the test "
                       "supports them."),
    "s_methods": ("Notas metodológicas", "Methodological notes"),
    "definition": ("{name}: {definition}", "{name}: {definition}"),
}


class Writer:
    """The report's language: its words (the shared :data:`WORDS` and the kind's own) and its numbers."""

    def __init__(self, ctx, words: dict):
        self.ctx = ctx
        self.lang = "en" if ctx.language == "en" else "es"
        self.i = 1 if self.lang == "en" else 0
        self.words = {**WORDS, **words}
        self.municipality = home_data.comuna_name(ctx.state) or ("Municipio" if self.lang == "es" else "Municipality")

    def w(self, key: str, **fields) -> str:
        text = self.words[key][self.i]
        return text.format(**fields) if fields else text

    def count(self, n) -> str:
        from django.utils.translation import gettext as _

        return _(policy.SUPPRESSED) if n is None else number(n)

    def pct(self, part, whole) -> str:
        if part is None or whole is None or not whole:
            return "—"
        return number(100.0 * part / whole, 1) + " %"

    def period(self, start=None, end=None) -> str:
        lang = self.ctx.language
        return self.w("span", a=day(start or self.ctx.start, lang), b=day(end or self.ctx.end, lang))

    def label(self, start: dt.date, end: dt.date) -> str:
        """A period as a sentence names it: "2025" for a calendar year, else "dd-mm-aaaa a dd-mm-aaaa"."""
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            return str(start.year)
        return self.period(start, end)

    def stated(self, measure, what: str, cats: str = "", start=None, end=None) -> str:
        return self.w("stated", name=measure.name, unit=measure.unit, where=self.municipality,
                      cats=cats or self.w("all_cats"), period=self.period(start, end), what=what)


def measure(state, code: str):
    """The measure ``code`` of the catalog, or None."""
    return next((m for m in state.catalog.measures if m.code == code), None)


def category_ids(state, codes: Sequence[str]) -> tuple[int, ...]:
    """The ids of the categories with these codes (a family's code brings its categories), those that exist."""
    cat = state.catalog
    found: list[int] = []
    for code in codes:
        if code in cat.category_id:
            found.append(cat.category_id[code])
        found.extend(cat.family_children.get(code, ()))
    return tuple(sorted(set(found)))


def category_names(state, ids: Sequence[int]) -> list[str]:
    names = {cid: name for cid, _c, name, *_x in (*state.catalog.families, *state.catalog.categories)}
    return sorted({names[i] for i in ids if i in names})


def filters(ctx, code: str, categories=(), level=Level.COMUNA, start=None, end=None):
    return filters_for(ctx.state, measure=code, start=start or ctx.start, end=end or ctx.end, level=level,
                       categories=tuple(categories))


def headline(ctx, m, categories=()) -> tuple[engine.Headline, str]:
    """The measure's headline for the period at comuna level through the reader's guard; a refusal's reason."""
    f = filters(ctx, m.code, categories)
    h = engine.headline(ctx.state, f)
    guard = ctx.guard(m, categories)
    refusal = policy.coarse_refusal(guard, f, ctx.state.index)
    return (h if guard is None else shapes.headline(h, guard)), refusal


def verdict(c) -> Verdict:
    """The verdict a sentence may state: no change when the comparison rests on too few events or is withheld."""
    return Verdict.NO_CHANGE if c.few or c.p_value is None else Verdict(c.verdict)


def unit_of(m) -> sentences.Unit:
    """The measure's unit for a sentence, in both languages (``points.unit_of``)."""
    return points.unit_of(m.unit)


def change_points(wr: Writer, subject: sentences.Subject, h: engine.Headline,
                  unit: sentences.Unit = sentences.CASES) -> list[str]:
    """The main points of a headline: its total, then its change against the same period a year earlier."""
    c = h.last_year
    points = [sentences.total(sentences.Total(subject, h.count, wr.label(h.start, h.end), unit=unit), wr.lang)]
    points += sentences.change(sentences.Change(
        subject, h.count, c.count, 1.0 if c.p_value is None else c.p_value, verdict(c), wr.label(h.start, h.end),
        wr.label(c.start, c.end), unit=unit, suppressed=h.count is None or c.count is None), wr.lang)
    return points


def rank_point(wr: Writer, subject: sentences.Subject, rows, unit: sentences.Unit = sentences.CASES) -> list[str]:
    """The areas with the most events (``rows``: (name, count or None when withheld)); areas with none left
    out; no sentence when no area has a count."""
    items = [sentences.Ranked(n, c, c is None) for n, c in rows if c != 0]
    if not items:
        return []
    return [sentences.rank(sentences.Rank(subject, items, wr.label(wr.ctx.start, wr.ctx.end), unit=unit), wr.lang)]


def trend_figure(wr: Writer, m, categories=(), cats_label: str = "", name: str = "") -> Figure:
    """The selection by month from a year before the period's start to its end, the period marked."""
    ctx = wr.ctx
    start = periods.add_months(ctx.start.replace(day=1), -12)
    f = filters(ctx, m.code, categories, start=start)
    t = engine.trend(ctx.state, f, "month")
    guard = ctx.guard(m, categories)
    counts = [int(c) for c in t.counts]
    if guard is not None:
        counts = list(shapes.trend(t, guard, engine.headline(ctx.state, f).count).counts)
    labels = [d.strftime("%Y-%m") if wr.lang == "en" else d.strftime("%m-%Y") for d in t.starts]
    svg = charts.trend(labels, counts, language=wr.lang, marked=[d >= ctx.start for d in t.starts],
                       ylabel=m.unit, marked_label=wr.w("marked"))
    return Figure(wr.w("f_trend", name=name or m.name, start=labels[0], end=labels[-1]),
                  wr.stated(m, wr.w("monthly"), cats_label, start=start),
                  wr.w("alt_trend", name=name or m.name), svg=svg)


def summary(wr: Writer, m, subject: sentences.Subject, categories=(), cats_label: str = "",
            row_label: str = "") -> tuple[list[str], list, engine.Headline | None]:
    """Main points, the comparison table and the monthly trend of one selection (the table's row is the
    bulletin's: period, month before, same period a year earlier, with the engine's verdicts)."""
    ctx = wr.ctx
    h, refusal = headline(ctx, m, categories)
    if refusal:
        return [], [Notice(refusal)], None
    c = h.last_year
    shown = h.count is not None and c.count is not None
    row = (row_label or m.name, wr.count(h.count), wr.count(c.count), percent(c.pct_change) if shown else "—",
           outcome_label(c.outcome) if shown and c.change is not None else "—")
    table = Table(wr.w("t_summary", name=row_label or m.name, period=wr.period()),
                  ("", wr.w("period_col"), wr.w("year_before", period=wr.period(c.start, c.end)), wr.w("change"),
                   wr.w("verdict")), (row,),
                  (wr.w("verdict_note", n=engine.MIN_EVENTS_FOR_TEST), wr.stated(m, wr.w("monthly"), cats_label)),
                  (False, True, True, True, False))
    points = change_points(wr, subject, h, unit_of(m))
    return points, [table, trend_figure(wr, m, categories, cats_label, row_label)], h


def facts(m, h: engine.Headline | None, label: str = "") -> tuple:
    """The section's figures for ``Section.facts`` (``facts.CountFact``; None counts where withheld)."""
    from .kinds.boletin import fact_of

    return () if h is None else (fact_of(m, h, label),)


def by_macrosector(wr: Writer, m, categories=(), cats_label: str = "", name: str = "") -> tuple[Table | Notice, list]:
    """The selection by macrosector with crude rates; a public report's counts protected as the dashboard's
    area table (macrosectors and UVs as one hierarchy). Returns the table and the rows (name, count|None)."""
    ctx = wr.ctx
    if Level.MACROSECTOR not in ctx.state.index.ancestor:
        return Notice(wr.w("no_macro")), []
    f = filters(ctx, m.code, categories, level=Level.MACROSECTOR)
    t = engine.by_area(ctx.state, f)
    guard = ctx.guard(m, categories)
    if guard is not None:
        t = shapes.areas(t, guard, ctx.state, f)
    rows = [(f"{r.name}", wr.count(r.count), "—" if r.rate is None or r.count is None else number(r.rate, 2))
            for r in t.rows]
    rows.append((wr.w("unplaced"), wr.count(t.unplaced), "—"))
    notes = [wr.w("macro_note"), wr.stated(m, wr.w("count"), cats_label)]
    if guard is not None:
        notes.append(guard.note())
    table = Table(wr.w("t_macro", name=name or m.name, period=wr.period()), (wr.w("area"), wr.w("count"), wr.w("rate")),
                  tuple(rows), tuple(notes), (False, True, True))
    return table, [(r.name, r.count) for r in t.rows]


# --- people -----------------------------------------------------------------------------------------------------


PERSON_FIELDS = ("victim_sex", "victim_age_group", "victim_nationality", "victim_key",
                 "offender_sex", "offender_age_group", "offender_nationality", "offender_key")
_CHUNK = 5_000


def selected_ids(state, f) -> np.ndarray:
    """The ids of the events the engine counts for ``f`` (the measure's leave-outs applied)."""
    window, mask = engine.select_in(state, f)
    ids = state.events.id[window]
    return ids if mask is None else ids[mask]


def people(state, f, fields: Sequence[str] = PERSON_FIELDS) -> list[tuple]:
    """(event id, category id, *fields) of each event the engine counts for ``f``, ordered by id.

    The keys are the pipeline's keyed hashes (HMAC) of the RUT: they tell two events of one person apart from
    two persons, and nothing else; no report prints them.
    """
    from observatorio.records.models import Event

    ids = np.sort(selected_ids(state, f))
    out: list[tuple] = []
    for k in range(0, ids.size, _CHUNK):
        chunk = [int(i) for i in ids[k:k + _CHUNK]]
        out += list(Event.objects.filter(id__in=chunk).order_by("id").values_list("id", "category_id", *fields))
    return out


@dataclass(frozen=True)
class Breakdown:
    """Counts of a list of values against a published total; ``shown`` None where withheld."""

    labels: tuple[str, ...]
    counts: tuple[int, ...]
    total: int
    shown: tuple[int | None, ...]


def breakdown(labels: Sequence[str], counts: Sequence[int], total: int, guard) -> Breakdown:
    """The counts, withheld where disclosure control says (against ``total``, which is published; the events
    not in the list count as one more unpublished cell)."""
    counts = [int(c) for c in counts]
    if guard is None:
        shown = tuple(counts)
    else:
        rest = max(int(total) - sum(counts), 0)
        hidden, _extra, _t = list_with_total(counts, guard.k, extra=[rest] if rest else [], total=total)
        shown = tuple(None if h else c for c, h in zip(counts, hidden))
    return Breakdown(tuple(labels), tuple(counts), int(total), shown)


def breakdown_rows(wr: Writer, b: Breakdown) -> tuple[tuple[str, ...], ...]:
    rows = [(label, wr.count(n), wr.pct(n, b.total)) for label, n in zip(b.labels, b.shown)]
    rows.append((wr.w("total"), number(b.total), "100,0 %" if wr.lang == "es" else "100.0 %"))
    return tuple(rows)


def no_data(wr: Writer, base: dict, what: str) -> Report:
    ctx = wr.ctx
    state = ctx.state
    text = (wr.w("no_data", period=wr.period(), what=what, cut=day(state.as_of, ctx.language)) if state.events.size
            else wr.w("no_events", period=wr.period()))
    return Report(**base, sections=(Section(wr.w("no_data_title"), blocks=(Notice(text),)),))


def base_fields(wr: Writer, kind: str, title: str, measure_note: str = "") -> dict:
    ctx = wr.ctx
    return dict(kind=kind, title=title, municipality=wr.municipality, start=ctx.start, end=ctx.end,
                language=ctx.language, data_version=ctx.data_version, public=ctx.public, subtitle=wr.period(),
                options=ctx.options, measure_note=measure_note,
                disclosure_note=policy.Guard(policy.k()).note() if ctx.public else "")


def methods(wr: Writer, measures: Sequence, extra: Sequence[str] = ()) -> Section:
    from .document import Paragraph

    ctx = wr.ctx
    texts = [wr.w("methods_counts"), *extra]
    texts += [wr.w("definition", name=m.name, definition=m.definition) for m in measures if m is not None]
    texts.append(wr.w("methods_version", v=ctx.data_version, cut=day(ctx.state.as_of, ctx.language)))
    if ctx.public:
        texts.append(policy.Guard(policy.k()).note())
    return Section(wr.w("s_methods"), blocks=tuple(Paragraph(t) for t in texts))


def age_label(wr: Writer, value: str) -> str:
    """An age band as the import keeps it ("0-17", "60+") in words: "0 a 17 años", "60 años o más"."""
    if not value:
        return wr.w("unknown")
    if value.endswith("+"):
        return wr.w("age_plus", a=value[:-1])
    return wr.w("age_years", a=value.replace("-", " a " if wr.lang == "es" else " to "))


def finite(value) -> bool:
    return value is not None and math.isfinite(value)


# --- maps -------------------------------------------------------------------------------------------------------

MAP_WORDS = {
    "f_choropleth": ("{name} por macrosector", "{name} by macrosector"),
    "legend_count": ("{unit} en el período", "{unit} in the period"),
    "f_density": ("{name}: densidad de eventos (kernel)", "{name}: event density (kernel)"),
    "legend_density": ("{unit} por km²", "{unit} per km²"),
    "f_hot": ("{name}: puntos calientes y fríos (Gi*)", "{name}: hot and cold spots (Gi*)"),
    "density": ("Densidad", "Density"), "hot": ("Puntos calientes (Gi*)", "Hot spots (Gi*)"),
    "too_few": ("{what}: muy pocos eventos (n = {n}; se necesitan al menos {min}).",
                "{what}: too few events (n = {n}; at least {min} are needed)."),
    "no_base": ("Sin mapa: no hay límites de áreas cargados.", "No map: no area boundaries are loaded."),
    "by_macro": ("conteo por macrosector", "count by macrosector"),
}
WORDS.update(MAP_WORDS)


def map_base(ctx, level: str = "uv"):
    from . import maps

    return ctx.state.memo(f"report-base:{level}:{ctx.end.isoformat()}",
                          lambda: maps.base_from_state(ctx.state, ctx.end, level))


def caption(wr: Writer, m, cats_label: str = ""):
    from . import maps

    return maps.Caption(f"{m.name} ({m.unit})", wr.period(), (cats_label,) if cats_label else ())


def map_figure(wr: Writer, title: str, m, fig, what: str, cats_label: str = "") -> Figure:
    from . import maps

    return Figure(title, wr.stated(m, what, cats_label), title, svg=maps.svg(fig))


def choropleth_figure(wr: Writer, m, area_rows, cats_label: str = "", name: str = "") -> Figure | Notice:
    """Counts by macrosector (``area_rows``: (name, count or None when withheld)) as a choropleth."""
    from . import maps

    base = map_base(wr.ctx, "macrosector")
    if base is None:
        return Notice(wr.w("no_base"))
    fig = maps.choropleth(base, dict(area_rows), title=wr.w("legend_count", unit=m.unit),
                          caption=caption(wr, m, cats_label), lang=wr.lang)
    return map_figure(wr, wr.w("f_choropleth", name=name or m.name), m, fig, wr.w("by_macro"), cats_label)


def density_figure(wr: Writer, m, categories=(), cats_label: str = "", name: str = "") -> Figure | Notice:
    """The selection's kernel density as the dashboard's density layer computes it; in a public report the
    cells whose neighbourhood holds fewer than k events are left blank (``disclosure.grids``)."""
    from dataclasses import replace

    from observatorio.dashboard.layers.base import cell_counts, placed, territory
    from observatorio.dashboard.layers.density import KDE_BANDWIDTH, KDE_CELL, KDE_MIN_EVENTS, density_surface
    from observatorio.disclosure.grids import thin_neighbourhoods

    from . import maps

    ctx = wr.ctx
    base, terr = map_base(ctx), territory(ctx.state, ctx.end)
    if base is None or terr is None:
        return Notice(wr.w("no_base"))
    f = filters(ctx, m.code, categories)
    found = density_surface(ctx.state, terr, f)
    if found.too_few:
        return Notice(wr.w("too_few", what=wr.w("density"), n=number(found.events), min=KDE_MIN_EVENTS))
    values = np.where(found.inside, found.surface.values, np.nan)
    guard = ctx.guard(m, categories)
    if guard is not None:
        grid, _inside = terr.grid(KDE_CELL)
        counts = cell_counts(ctx.state, f, placed(ctx.state, terr).gi, grid.size).reshape(grid.shape)
        values = np.where(thin_neighbourhoods(counts, guard.k, int(round(2 * KDE_BANDWIDTH / KDE_CELL))),
                          np.nan, values)
    fig = maps.density(base, replace(found.surface, values=values), title=wr.w("legend_density", unit=m.unit),
                       caption=caption(wr, m, cats_label), lang=wr.lang)
    return map_figure(wr, wr.w("f_density", name=name or m.name), m, fig, wr.w("density"), cats_label)


def hotspot_figure(wr: Writer, m, categories=(), cats_label: str = "", name: str = "") -> tuple[Figure | Notice, tuple | None]:
    """Gi* hot and cold spots of the selection (FDR), as the dashboard's layer computes them; the numbers of
    significant hot and cold cells (None when too few events)."""
    from observatorio.dashboard.layers.base import territory
    from observatorio.dashboard.layers.hotspots import GI_CELL, hotspot_result
    from observatorio.disclosure.grids import small_cells

    from . import maps

    ctx = wr.ctx
    base, terr = map_base(ctx), territory(ctx.state, ctx.end)
    if base is None or terr is None:
        return Notice(wr.w("no_base")), None
    f = filters(ctx, m.code, categories)
    hot = hotspot_result(ctx.state, terr, f)
    if hot.too_few or hot.result is None:
        return Notice(wr.w("too_few", what=wr.w("hot"), n=number(hot.events), min=number(hot.minimum))), None
    bins = hot.result.bins(fdr=True)
    guard = ctx.guard(m, categories)
    if guard is not None:
        bins = np.where(small_cells(hot.result.values, guard.k), 0, bins)
    inside = terr.grid(GI_CELL)[1]
    fig = maps.hotspots(base, hot.result.grid, bins, caption=caption(wr, m, cats_label), lang=wr.lang, mask=inside)
    return (map_figure(wr, wr.w("f_hot", name=name or m.name), m, fig, wr.w("hot"), cats_label),
            (int(((bins > 0) & inside).sum()), int(((bins < 0) & inside).sum())))
