"""The communal diagnosis of human security (``diagnostico``): annual, or any period.

Ten sections, each opening with main points written from its figures by ``reports/sentences.py`` (never a
change its test does not support, never a figure a public report withholds):

1. territory and demography (areas by level, population in force, the areas' names);
2. recorded crime by family through the default measure (``casos-policiales``): the period against the same
   period of the earlier years (exact Poisson test, the engine's verdicts), by family, and the comuna's
   reference rate per 100,000 against its region, the country and its peers (``dashboard/peers.py``);
3. counts and rates by macrosector and UV (crude and Empirical-Bayes per 1,000, ``engine.by_area``) with a
   choropleth of the UVs' EB rate;
4. maps over the streets: kernel density, Gi* hot spots and emerging hot spots, computed as the map's layers
   compute them (``dashboard/layers/``);
5. time patterns: the hour × weekday table (heat map) and the months;
6. 1461 calls and preventive patrols beside (never added to) police cases, each with its own measure;
7. perceived insecurity (the survey's weighted share with its interval, by macrosector) against the recorded
   rate (``analysis/perception.py`` through ``dashboard/profile.perception_study``);
8. the neighbourhood typology of the UVs (``dashboard/profile.typology_classes``);
9. priority problems: the default measure's families ranked by a stated rule (:data:`CRITERIA`);
10. a methods annex: measures' definitions, methods, sources with their last event, the data version and the
    known gaps of the data-quality checks (``dashboard/quality.py``).

Every count goes through the engine over filters built by ``filters.filters_for``; a public diagnosis is read
as by an authority: counts pass ``disclosure.shapes`` with the context's guard and a withheld one is written
«reservado» (maps: cells of 1..k−1 events are not drawn, as on the web map). The words are paired
Spanish/English templates (:data:`WORDS`), as in ``sentences.py``, so the report needs no catalogue entries.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from observatorio.analysis.compare import Verdict
from observatorio.analysis.intervals import rate_interval
from observatorio.dashboard import engine, home_data, peers, profile
from observatorio.dashboard.filters import filters_for
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy, shapes
from observatorio.disclosure.suppress import list_with_total
from observatorio.labels import outcome_label
from observatorio.records.measures import DEFAULT_MEASURE
from observatorio.territory.models import Level

from .. import charts, maps, sentences, thematic
from ..document import Figure, Notice, Paragraph, Report, Section, Table
from ..thematic import unit_of, verdict
from .boletin import count_text, day, fact_of, percent, span

KIND = "diagnostico"
TITLE = gettext_noop("Diagnóstico comunal de seguridad humana")
YEARS_BACK = 4  # the same period in up to this many earlier years
BESIDE = ("llamados-1461", "patrullajes")
PERCEPTION = "percepcion"
TOP_VOLUME = 3  # priority criterion V: among the families with the most cases
CONCENTRATION_SHARE = 0.5  # criterion C: half the family's cases or more ...
CONCENTRATION_AREAS = 0.2  # ... in a fifth of the UVs or fewer
CRITERIA = ("V", "A", "C", "T")

# Paired templates (Spanish, English).
WORDS = {
    "title": ("Diagnóstico comunal de seguridad humana", "Communal diagnosis of human security"),
    "s_territory": ("Territorio y demografía", "Territory and demography"),
    "s_crime": ("Delitos registrados por familia", "Recorded crime by family"),
    "s_areas": ("Tasas por macrosector y unidad vecinal", "Rates by macrosector and neighbourhood unit"),
    "s_maps": ("Mapas: densidad y puntos calientes", "Maps: density and hot spots"),
    "s_time": ("Patrones temporales", "Time patterns"),
    "s_beside": ("Llamados al 1461 y patrullaje preventivo", "1461 calls and preventive patrols"),
    "s_perception": ("Percepción de inseguridad y delitos registrados", "Perceived insecurity and recorded crime"),
    "s_typology": ("Tipología de barrios", "Neighbourhood typology"),
    "s_priority": ("Problemas prioritarios", "Priority problems"),
    "s_methods": ("Anexo metodológico", "Methods annex"),
    "level": ("Nivel", "Level"), "areas": ("Áreas", "Areas"), "population": ("Población", "Population"),
    "comuna": ("Comuna", "Comuna"), "macrosector": ("Macrosector", "Macrosector"),
    "uv": ("Unidad vecinal", "Neighbourhood unit"),
    "names": ("Nombres", "Names"),
    "territory_point": ("{where} tiene {pop} habitantes según la población vigente de {year}, en {macro} "
                        "macrosectores y {uv} unidades vecinales.",
                        "{where} has {pop} residents by the population in force for {year}, in {macro} "
                        "macrosectors and {uv} neighbourhood units."),
    "territory_none": ("No hay población cargada para {year}.", "No population is loaded for {year}."),
    "t_levels": ("Áreas por nivel y población vigente en {year}", "Areas by level and population in force in {year}"),
    "t_macro": ("Macrosectores: unidades vecinales y población en {year}",
                "Macrosectors: neighbourhood units and population in {year}"),
    "uvs": ("Unidades vecinales", "Neighbourhood units"),
    "pop_note": ("Población: proyección vigente del índice territorial para el año del fin del período.",
                 "Population: the territory index's projection in force for the year the period ends."),
    "year": ("Período", "Period"), "cases": ("Casos", "Cases"), "vs_prev_year": ("Frente al año anterior", "Against the year before"),
    "p": ("p", "p"),
    "t_years": ("{name}: el mismo período en cada año", "{name}: the same period in each year"),
    "years_note": ("Cada fila compara su período con el mismo período del año anterior: prueba exacta de "
                   "igualdad de tasas diarias (Poisson), nivel 5 %; «pocos eventos» bajo {n} eventos. Se muestran "
                   "los años que los datos cubren enteros (desde {first}); «—»: sin datos del año anterior.",
                   "Each row compares its period with the same period a year earlier: exact test of equal "
                   "daily rates (Poisson), 5 % level; “few events” below {n} events. Years the data cover whole "
                   "are shown (from {first}); “—”: no data for the year before."),
    "f_years": ("{name} en el mismo período de cada año", "{name} in the same period of each year"),
    "yearly": ("conteo por período anual", "count per yearly period"),
    "family": ("Familia", "Family"), "last_year": ("Año anterior", "Year before"),
    "t_families": ("{name} por familia: {period} frente al mismo período del año anterior",
                   "{name} by family: {period} against the same period a year earlier"),
    "families_note": ("Una familia cuenta sus categorías; los eventos sin familia no se muestran, por eso las "
                      "filas pueden sumar menos que el total.",
                      "A family counts its categories; events of no family are not shown, so the rows may add "
                      "up to less than the total."),
    "f_families": ("{name} por familia en el período", "{name} by family in the period"),
    "by_family": ("conteo por familia", "count by family"),
    "no_families": ("Ninguna familia registra eventos en estos períodos.", "No family has events in these periods."),
    "t_peers": ("{name}: tasa por 100.000 habitantes en {year} (fuente de referencia) frente a la región, el país "
                "y las comunas pares", "{name}: rate per 100,000 residents in {year} (reference source) against "
                "the region, the country and the peer comunas"),
    "territory": ("Territorio", "Territory"), "rate100k": ("Tasa por 100.000", "Rate per 100,000"),
    "interval": ("Intervalo 95 %", "95 % interval"), "comunas": ("Comunas", "Comunas"),
    "peers_note": ("Conteos anuales de la fuente de referencia de la medida (CEAD) y proyecciones de población "
                   "del INE del mismo año; intervalo exacto de Poisson. {peers}",
                   "Yearly counts of the measure's reference source (CEAD) and INE population projections of the "
                   "same year; exact Poisson interval. {peers}"),
    "peers_rule": ("Comunas pares: las {n} de la misma región con la población más cercana.",
                   "Peer comunas: the {n} of the same region with the closest population."),
    "peers_set": ("Comunas pares: las configuradas (OBS_PEER_COMUNAS).",
                  "Peer comunas: those configured (OBS_PEER_COMUNAS)."),
    "no_peers": ("Sin comparación con la región, el país y las comunas pares: la medida no tiene una fuente de "
                 "referencia con un año completo y proyecciones de población para ese año.",
                 "No comparison with the region, the country and the peer comunas: the measure has no reference "
                 "source with a complete year and population projections for that year."),
    "peer_kind": {"comuna": ("Comuna", "Comuna"), "region": ("Región", "Region"), "country": ("País", "Country"),
                  "peers": ("Comunas pares", "Peer comunas"), "peer": ("Par", "Peer")},
    "peer_point": ("La tasa de referencia de {where} en {year} fue {rate} casos por 100.000 habitantes, frente a "
                   "{region} en la región y {country} en el país.",
                   "The reference rate of {where} in {year} was {rate} cases per 100,000 residents, against "
                   "{region} in the region and {country} in the country."),
    "eb": ("Tasa EB por 1.000", "EB rate per 1,000"),
    "t_area": ("{name} por {level}: {period}", "{name} by {level}: {period}"),
    "area_note": ("Tasa cruda por 1.000 habitantes y tasa suavizada por Bayes empírico global (EB, Marshall): "
                  "acerca las tasas de áreas con poca población a la de la comuna. {unplaced}",
                  "Crude rate per 1,000 residents and global Empirical-Bayes smoothed rate (EB, Marshall): it "
                  "draws the rates of areas with few residents towards the comuna's. {unplaced}"),
    "unplaced": ("Eventos sin {level}: {n}.", "Events with no {level}: {n}."),
    "f_choropleth": ("{name}: tasa EB por 1.000 habitantes por unidad vecinal",
                     "{name}: EB rate per 1,000 residents by neighbourhood unit"),
    "legend_eb": ("Tasa EB por 1.000 hab.", "EB rate per 1,000 res."),
    "f_emerging": ("{name}: puntos calientes emergentes por trimestre", "{name}: emerging hot spots by quarter"),
    "legend_emerging": ("Patrón", "Pattern"),
    "emerging": ("Puntos calientes emergentes", "Emerging hot spots"),
    "maps_note": ("Densidad: kernel gaussiano sobre los eventos con ubicación. Gi*: celdas de {cell} m, vecindad "
                  "de {dist} m, corrección FDR (Benjamini–Hochberg). Emergentes: Gi* de cada trimestre completo "
                  "y tendencia de Mann–Kendall. Los mapas se calculan como en el mapa del tablero.",
                  "Density: Gaussian kernel over the located events. Gi*: cells of {cell} m, neighbourhood of "
                  "{dist} m, FDR correction (Benjamini–Hochberg). Emerging: Gi* of each complete quarter and a "
                  "Mann–Kendall trend. The maps are computed as the dashboard's map computes them."),
    "hot_point": ("El análisis Gi* identifica {hot} celdas calientes y {cold} frías significativas (FDR).",
                  "The Gi* analysis finds {hot} significant hot cells and {cold} cold ones (FDR)."),
    "emerging_point": ("{n} celdas muestran un patrón de punto caliente emergente (nuevo, consecutivo, "
                       "intensificándose o persistente).",
                       "{n} cells show an emerging hot spot pattern (new, consecutive, intensifying or "
                       "persistent)."),
    "f_hours": ("{name} por hora y día de la semana", "{name} by hour and weekday"),
    "hours": ("conteo por hora y día", "count by hour and weekday"),
    "legend_hours": ("Casos", "Cases"),
    "f_months": ("{name} por mes", "{name} by month"),
    "weekdays": (("lun", "mar", "mié", "jue", "vie", "sáb", "dom"), ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")),
    "weekday_names": (("los lunes", "los martes", "los miércoles", "los jueves", "los viernes", "los sábados",
                       "los domingos"), ("on Mondays", "on Tuesdays", "on Wednesdays", "on Thursdays",
                                         "on Fridays", "on Saturdays", "on Sundays")),
    "peak_point": ("La franja con más casos fue {day} entre las {h0}:00 y las {h1}:00 ({n} casos); {blank} "
                   "eventos no tienen hora registrada.",
                   "The busiest slot was {day} between {h0}:00 and {h1}:00 ({n} cases); {blank} events have no "
                   "time recorded."),
    "hours_reserved": ("El cuadro por hora y día se reserva en parte por las reglas de confidencialidad.",
                       "Part of the hour and weekday table is withheld under the confidentiality rules."),
    "t_beside": ("{name}: {period} frente al mismo período del año anterior",
                 "{name}: {period} against the same period a year earlier"),
    "beside_note": ("{name} cuenta {unit}: se muestra al lado de los casos policiales, nunca sumado a ellos.",
                    "{name} counts {unit}: it is shown beside police cases, never added to them."),
    "no_beside": ("Las medidas de llamados al 1461 y de patrullaje preventivo no tienen fuentes cargadas.",
                  "The 1461 calls and preventive patrol measures have no sources loaded."),
    "measure": ("Medida", "Measure"),
    "t_fear": ("Percepción de inseguridad por macrosector frente a la tasa de {name}",
               "Perceived insecurity by macrosector against the rate of {name}"),
    "fear": ("Se siente inseguro (%)", "Feels unsafe (%)"), "respondents": ("Encuestados", "Respondents"),
    "gap": ("Brecha", "Gap"),
    "fear_note": ("Percepción: proporción ponderada (factores de expansión) con intervalo de 95 %; respuestas "
                  "hasta el fin del período. Tasa: {name} por 1.000 habitantes en el período. Brecha: la "
                  "percepción frente a la tasa, ambas por rangos respecto de la mediana.",
                  "Perception: weighted share (expansion factors) with a 95 % interval; answers up to the end "
                  "of the period. Rate: {name} per 1,000 residents in the period. Gap: perception against the "
                  "rate, both by ranks against the median."),
    "fear_point": ("El {pct} de los encuestados de la comuna declara sentirse inseguro en su barrio (intervalo "
                   "de 95 %: {lo} a {hi}; {n} respuestas).",
                   "{pct} of the comuna's respondents say they feel unsafe in their neighbourhood (95 % "
                   "interval: {lo} to {hi}; {n} answers)."),
    "rho_point": ("La correlación de rangos entre la percepción y la tasa registrada por macrosector es {rho}.",
                  "The rank correlation between perception and the recorded rate by macrosector is {rho}."),
    "no_survey": ("No hay encuestas de percepción cargadas hasta el fin del período.",
                  "No perception survey is loaded up to the end of the period."),
    "t_types": ("Tipos de unidades vecinales", "Types of neighbourhood units"),
    "type": ("Tipo", "Type"), "profile_col": ("Perfil", "Profile"),
    "types_note": ("k-medias sobre indicadores estandarizados (tasas por 1.000 en el período y proporciones "
                   "demográficas), k elegido por silueta, semilla 0.",
                   "k-means on standardised indicators (rates per 1,000 in the period and demographic shares), k "
                   "chosen by silhouette, seed 0."),
    "types_point": ("Las unidades vecinales se agrupan en {k} tipos; el más numeroso ({n} áreas) es {desc}.",
                    "The neighbourhood units fall into {k} types; the largest ({n} areas) is {desc}."),
    "t_priority": ("Problemas prioritarios: familias de {name} ordenadas por criterios",
                   "Priority problems: families of {name} ranked by criteria"),
    "rank": ("Lugar", "Rank"), "criteria": ("Criterios", "Criteria"), "why": ("Por qué", "Why"),
    "rule": ("Regla: cada familia suma un punto por criterio cumplido — V: volumen (entre las {top} familias con "
             "más casos); A: alza significativa respecto del mismo período del año anterior (prueba exacta, "
             "p < 0,05, al menos {n} eventos); C: concentración (la mitad o más de sus casos en un 20 % de las "
             "unidades vecinales o menos; no se evalúa para datos sensibles en una versión pública); T: tasa de la familia por 1.000 habitantes mayor que la de la familia "
             "mediana. Se ordena por puntos y luego por casos.",
             "Rule: each family scores one point per criterion met — V: volume (among the {top} families with "
             "the most cases); A: significant rise against the same period a year earlier (exact test, p < 0.05, "
             "at least {n} events); C: concentration (half its cases or more in 20 % of the neighbourhood units "
             "or fewer; not assessed for sensitive data in a public version); T: the family's rate per 1,000 residents above the median family's. Ranked by points, "
             "then by cases."),
    "why_V": ("entre las {top} con más casos", "among the {top} with most cases"),
    "why_A": ("alza significativa de {pct}", "significant rise of {pct}"),
    "why_C": ("{share} de sus casos en {areas} UV", "{share} of its cases in {areas} units"),
    "why_T": ("tasa sobre la mediana", "rate above the median"),
    "why_none": ("ningún criterio", "no criterion"),
    "priority_point": ("El primer problema prioritario es {family} ({why}).",
                       "The first priority problem is {family} ({why})."),
    "priority_hidden": ("Familias con conteos reservados no se ordenan.", "Families with withheld counts are not ranked."),
    "t_measures": ("Medidas usadas y su definición", "Measures used and their definition"),
    "definition": ("Definición", "Definition"),
    "t_sources": ("Fuentes: eventos, fecha de corte (último evento) y meses sin datos (últimos 24 meses)",
                  "Sources: events, cut-off date (last event) and months without data (last 24 months)"),
    "source": ("Fuente", "Source"), "events": ("Eventos", "Events"), "last_event": ("Último evento", "Last event"),
    "gaps": ("Meses sin datos", "Months without data"), "located": ("Con ubicación", "Located"),
    "methods": (
        ("Conteos: el motor del tablero sobre filtros por medida; cada cifra cuenta una medida con nombre y las "
         "medidas no se suman entre sí.",
         "Cambios: prueba exacta de igualdad de tasas diarias de Poisson, nivel 5 %; sin veredicto bajo {n} "
         "eventos entre ambos períodos. Áreas: control de la tasa de falsos descubrimientos (Benjamini–Hochberg).",
         "Intervalos: exacto de Poisson para tasas por 100.000; Wilson y proporción ponderada para la "
         "percepción. Tasas por área: Bayes empírico global.",
         "Mapas: kernel gaussiano, Gi* con FDR, puntos calientes emergentes (Gi* trimestral y Mann–Kendall). "
         "Tipología: k-medias con silueta.",
         "Datos: versión {v}, corte al {cut}. La huella del contenido está en la portada; la misma versión, "
         "período y opciones dan el mismo documento."),
        ("Counts: the dashboard's engine over filters per measure; every figure counts one named measure and "
         "measures are never added together.",
         "Changes: exact Poisson test of equal daily rates, 5 % level; no verdict below {n} events in both "
         "periods. Areas: false discovery rate control (Benjamini–Hochberg).",
         "Intervals: exact Poisson for rates per 100,000; Wilson and weighted share for perception. Area "
         "rates: global Empirical Bayes.",
         "Maps: Gaussian kernel, Gi* with FDR, emerging hot spots (quarterly Gi* and Mann–Kendall). Typology: "
         "k-means with silhouette.",
         "Data: version {v}, cut-off {cut}. The content fingerprint is on the cover; the same version, period "
         "and options give the same document.")),
    "gaps_point": ("{n} fuentes tienen meses sin datos en los últimos 24 meses: {names}.",
                   "{n} sources have months without data in the last 24 months: {names}."),
    "gap_point": ("Una fuente tiene meses sin datos en los últimos 24 meses: {names}.",
                  "One source has months without data in the last 24 months: {names}."),
    "no_gaps": ("Ninguna fuente tiene meses sin datos en los últimos 24 meses.",
                "No source has months without data in the last 24 months."),
    "no_data": ("No hay datos para el período {period}: ninguna medida registra eventos en esas fechas. Los datos "
                "cargados llegan hasta el {cut}; elija un período con datos.",
                "There are no data for the period {period}: no measure has events on those dates. The data "
                "loaded reach {cut}; choose a period with data."),
    "reserved_section": ("Dato sensible: {reason}", "Sensitive data: {reason}"),
    "measure_note": ("Cifra principal: {name} ({unit}), todas sus fuentes y categorías, en {where}; las demás "
                     "medidas se muestran al lado, nunca sumadas.",
                     "Main figure: {name} ({unit}), all its sources and categories, in {where}; the other "
                     "measures are shown beside it, never added."),
}


class Writer:
    """The report's language: its words (its own :data:`WORDS`, then the thematic kinds' shared ones) and its
    numbers."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.lang = "en" if ctx.language == "en" else "es"
        self.i = 1 if self.lang == "en" else 0

    def w(self, key: str, **fields) -> str:
        text = (WORDS[key] if key in WORDS else thematic.WORDS[key])[self.i]
        return text.format(**fields) if fields else text

    def count(self, n) -> str:
        return count_text(n)

    def rate(self, value, digits: int = 1) -> str:
        return "—" if value is None or not math.isfinite(value) else number(value, digits)

    def pct(self, value) -> str:
        return percent(value)

    def p(self, value) -> str:
        return sentences.p_figure(value, self.lang)

    def period(self, start=None, end=None) -> str:
        return span(start or self.ctx.start, end or self.ctx.end, self.ctx.language)

    def label(self, start: dt.date, end: dt.date) -> str:
        """A period as a sentence names it: "2025" for a calendar year, else "dd-mm-aaaa a dd-mm-aaaa"."""
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            return str(start.year)
        return span(start, end, self.ctx.language)


def _shift(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _filters(ctx, code, start=None, end=None, level=Level.COMUNA, categories=()):
    return filters_for(ctx.state, measure=code, start=start or ctx.start, end=end or ctx.end, level=level,
                       categories=categories)


def _headline(ctx, measure, start=None, end=None, categories=()):
    f = _filters(ctx, measure.code, start, end, categories=categories)
    h = engine.headline(ctx.state, f)
    guard = ctx.guard(measure, categories)
    return (h if guard is None else shapes.headline(h, guard)), policy.coarse_refusal(guard, f, ctx.state.index)


def _change_points(wr: Writer, subject, h, cur_label: str, unit=sentences.CASES) -> list[str]:
    c = h.last_year
    if not _covered(wr.ctx, c.start):
        return []
    return sentences.change(sentences.Change(
        subject, h.count, c.count, 1.0 if c.p_value is None else c.p_value, verdict(c), cur_label,
        wr.label(c.start, c.end), unit=unit, suppressed=h.count is None or c.count is None), wr.lang)


def _subject(measure_name: str, family: str = "") -> sentences.Subject:
    if family:
        return sentences.Subject(f"los casos de {family.lower()}", f"cases of “{family}”")
    return sentences.Subject(f"la cifra de {measure_name.lower()}", f"the count of “{measure_name}”",
                             plural=False)


def _stated(wr: Writer, measure, what: str, start=None, end=None, cats: str = "") -> str:
    return wr.w("stated", name=measure.name, unit=measure.unit, where=wr.ctx.municipality,
                cats=cats or wr.w("all_cats"), period=wr.period(start, end), what=what)


# --- the document -------------------------------------------------------------------------------------------


def build(ctx) -> Report:
    state = ctx.state
    municipality = home_data.comuna_name(state) or _("Municipio")
    wr = Writer(ctx)
    wr.ctx = _Ctx(ctx, municipality)
    measures = home_data.shown_measures(state, sensitive=True)
    base = dict(kind=KIND, title=wr.w("title"), municipality=municipality, start=ctx.start, end=ctx.end,
                language=ctx.language, data_version=ctx.data_version, public=ctx.public,
                subtitle=wr.period(), options=ctx.options,
                disclosure_note=policy.Guard(policy.k()).note() if ctx.public else "")
    steps = 10
    ctx.progress("build", 0, steps)
    has_data = any(engine.headline(state, _filters(ctx, m.code)).count for m in measures)
    if not measures or not has_data:
        text = (wr.w("no_data", period=wr.period(), cut=day(state.as_of, ctx.language)) if state.events.size
                else wr.w("no_events", period=wr.period()))
        ctx.progress("build", steps, steps)
        return Report(**base, sections=(Section(wr.w("no_data_title"), blocks=(Notice(text),)),))
    main = next((m for m in measures if m.code == DEFAULT_MEASURE), measures[0])
    base["measure_note"] = wr.w("measure_note", name=main.name, unit=main.unit, where=municipality)
    builders = (_territory, _crime, _areas, _maps, _time, _beside, _perception, _typology, _priority, _methods)
    sections = []
    for k, make in enumerate(builders):
        sections.append(make(wr, main, measures))
        ctx.progress("build", k + 1, steps)
    return Report(**base, sections=tuple(sections))


class _Ctx:
    """The run's context with the municipality's name beside it (the context itself is frozen)."""

    def __init__(self, ctx, municipality: str):
        self._ctx, self.municipality = ctx, municipality

    def __getattr__(self, name):
        return getattr(self._ctx, name)


# --- 1. territory -------------------------------------------------------------------------------------------


def _territory(wr: Writer, main, measures) -> Section:
    index, year = wr.ctx.state.index, wr.ctx.end.year
    rows, totals = [], {}
    for level in (Level.COMUNA, Level.MACROSECTOR, Level.UV):
        ids = index.ids_at(level)
        pops = [index.population_in(a, year) for a in ids]
        total = sum(p for p in pops if p) if any(pops) else None
        totals[level] = (len(ids), total)
        rows.append((wr.w(str(level)), number(len(ids)), "—" if total is None else number(total)))
    tables = [Table(wr.w("t_levels", year=year), (wr.w("level"), wr.w("areas"), wr.w("population")), tuple(rows),
                    (wr.w("pop_note"),), (False, True, True))]
    macro_rows = []
    for a in index.ids_at(Level.MACROSECTOR):
        uvs = [u for u in index.ids_at(Level.UV) if int(index.lift(np.array([u]), Level.MACROSECTOR)[0]) == a]
        pop = index.population_in(a, year)
        macro_rows.append((index.areas[a].name, number(len(uvs)), "—" if not pop else number(pop),
                           ", ".join(index.areas[u].name for u in uvs[:12]) + (" …" if len(uvs) > 12 else "")))
    if macro_rows:
        tables.append(Table(wr.w("t_macro", year=year), (wr.w("macrosector"), wr.w("uvs"), wr.w("population"),
                                                        wr.w("names")), tuple(macro_rows), (wr.w("pop_note"),),
                            (False, True, True, False)))
    pop = totals[Level.COMUNA][1]
    point = (wr.w("territory_point", where=wr.ctx.municipality, pop=number(pop), year=year,
                  macro=number(totals[Level.MACROSECTOR][0]), uv=number(totals[Level.UV][0])) if pop
             else wr.w("territory_none", year=year))
    return Section(wr.w("s_territory"), (point,), tuple(tables))


# --- 2. recorded crime ----------------------------------------------------------------------------------------


def _crime(wr: Writer, main, measures) -> Section:
    ctx = wr.ctx
    h, refusal = _headline(ctx, main)
    if refusal:
        return Section(wr.w("s_crime"), blocks=(Notice(wr.w("reserved_section", reason=refusal)),))
    points = [sentences.total(sentences.Total(_subject(main.name), h.count, wr.label(ctx.start, ctx.end)), wr.lang)]
    points += _change_points(wr, _subject(main.name), h, wr.label(ctx.start, ctx.end))
    # The same period in earlier years, oldest first, while the data reach it.
    first = _first_event(ctx)

    def covered(d):
        return _covered(ctx, d)

    years = []
    for back in range(YEARS_BACK, -1, -1):
        start, end = _shift(ctx.start, -back), _shift(ctx.end, -back)
        if back and not covered(start):
            continue
        years.append(_headline(ctx, main, start, end)[0])
    rows = []
    for y in years:
        c = y.last_year
        shown = y.count is not None and c.count is not None and covered(c.start)
        rows.append((wr.label(y.start, y.end), wr.count(y.count), wr.count(c.count) if covered(c.start) else "—",
                     wr.pct(c.pct_change) if shown
                     else "—", wr.p(c.p_value) if shown else "—", outcome_label(c.outcome) if shown else "—"))
    blocks = [Table(wr.w("t_years", name=main.name),
                    (wr.w("year"), wr.w("cases"), wr.w("last_year"), wr.w("change"), wr.w("p"), wr.w("verdict")),
                    tuple(rows), (wr.w("years_note", n=engine.MIN_EVENTS_FOR_TEST,
                                   first="—" if first is None else day(first, ctx.language)),), (False, True, True, True,
                                                                                        True, False))]
    labels = [str(y.start.year) if y.start.year == y.end.year else f"{y.start.year}–{y.end.year}" for y in years]
    blocks.append(Figure(wr.w("f_years", name=main.name), _stated(wr, main, wr.w("yearly")),
                         wr.w("f_years", name=main.name),
                         svg=charts.bars(labels, [y.count for y in years], language=ctx.language,
                                         xlabel=main.unit, withheld=_(policy.SUPPRESSED))))
    fam_blocks, facts, fam_points = _families(wr, main, h)
    blocks += fam_blocks
    points += fam_points
    peer_blocks, peer_points = _peers(wr, main)
    blocks += peer_blocks
    points += peer_points
    return Section(wr.w("s_crime"), tuple(points), tuple(blocks), (fact_of(main, h), *facts))


def _first_event(ctx) -> dt.date | None:
    from observatorio.records.snapshot import from_day_number

    days = ctx.state.events.day
    return from_day_number(int(days[0])) if days.size else None  # rows are ordered by day


def _covered(ctx, start: dt.date) -> bool:
    """Whether the data reach a window starting on ``start`` whole (from the month of the first event): an
    earlier window would compare with days before the data begin, counted as zero."""
    first = _first_event(ctx)
    return first is None or start >= first.replace(day=1)


def _last_year_cells(wr: Writer, h) -> tuple[str, ...]:
    """Count, change, p and verdict of the same period a year earlier ("—" where withheld or not covered)."""
    c = h.last_year
    if not _covered(wr.ctx, c.start):
        return ("—",) * 4
    shown = h.count is not None and c.count is not None
    return (wr.count(c.count), wr.pct(c.pct_change) if shown else "—", wr.p(c.p_value) if shown else "—",
            outcome_label(c.outcome) if shown else "—")


def family_rows(ctx, measure, start=None, end=None):
    """(name, categories, filters, headline) of each family of ``measure`` with events in the period or the
    same period a year earlier; headlines guarded for a public report (each window's family counts protected
    against the measure's total in it, events of no family one more unshown cell)."""
    state = ctx.state
    found = []
    for family_id, code, name in state.catalog.families:
        cats = (family_id, *state.catalog.family_children.get(code, ()))
        f = _filters(ctx, measure.code, start, end, categories=cats)
        h = engine.headline(state, f)
        if h.count or h.last_year.count:
            found.append((name, cats, f, h))
    guard = ctx.guard(measure)
    if guard is None or not found:
        return found
    whole = engine.headline(state, _filters(ctx, measure.code, start, end))
    hidden = {}
    for side in ("now", "last_year"):
        counts = [h.count if side == "now" else h.last_year.count for *_x, h in found]
        total = whole.count if side == "now" else whole.last_year.count
        hidden[side], _e, _t = list_with_total(counts, guard.k, extra=[max(total - sum(counts), 0)], total=total)
    out = []
    for k, (name, cats, f, h) in enumerate(found):
        refused = bool(policy.coarse_refusal(ctx.guard(measure, cats), f, state.index))
        count = None if refused or hidden["now"][k] else h.count
        before = None if refused or hidden["last_year"][k] else h.last_year.count
        last = h.last_year if count is not None and before is not None else replace(
            h.last_year, count=before, change=None, pct_change=None, p_value=None, events=None,
            verdict=Verdict.NO_CHANGE)
        out.append((name, cats, f, replace(h, count=count, per_day=None if count is None else h.per_day,
                                           rate=None if count is None else h.rate, last_year=last)))
    return out


def _families(wr: Writer, main, total_h):
    ctx = wr.ctx
    found = family_rows(ctx, main)
    if not found:
        return [Notice(wr.w("no_families"))], (), []
    rows, facts = [], []
    for name, _cats, _f, h in found:
        rows.append((name, wr.count(h.count), *_last_year_cells(wr, h)))
        facts.append(fact_of(main, h, name))
    notes = [wr.w("families_note")]
    guard = ctx.guard(main)
    if guard is not None:
        notes.append(guard.note())
    table = Table(wr.w("t_families", name=main.name, period=wr.period()),
                  (wr.w("family"), wr.w("cases"), wr.w("last_year"), wr.w("change"), wr.w("p"), wr.w("verdict")),
                  tuple(rows), tuple(notes), (False, True, True, True, True, False))
    figure = Figure(wr.w("f_families", name=main.name), _stated(wr, main, wr.w("by_family")),
                    wr.w("f_families", name=main.name),
                    svg=charts.bars([n for n, *_x in found], [h.count for *_x, h in found], language=ctx.language,
                                    xlabel=main.unit, withheld=_(policy.SUPPRESSED)))
    points = []
    for name, _cats, _f, h in found:
        c = h.last_year
        if h.count is not None and c.count is not None and _covered(ctx, c.start) and sentences.significant(
                1.0 if c.p_value is None else c.p_value, verdict(c)):
            points += _change_points(wr, _subject(main.name, name), h, wr.label(ctx.start, ctx.end))
    return [table, figure], tuple(facts), points[:4]


def comuna_code(state) -> str | None:
    ids = state.index.ids_at(Level.COMUNA)
    return state.index.areas[ids[0]].code if ids else None


def _peers(wr: Writer, main):
    ctx = wr.ctx
    code = comuna_code(ctx.state)
    found = peers.peer_rates(main, code) if code else None  # one aggregate query
    if found is None:
        return [Paragraph(wr.w("no_peers"))], []
    guard = ctx.guard(main)
    rows, rates = [], {}
    for r in found.rows:
        cases = None if guard is not None and shapes.small(r.cases, guard.k) else r.cases
        if cases is None or not r.population:
            rate_text = interval = "—"
        else:
            rate, lo, hi = rate_interval([cases], [r.population], factor=peers.PER, method="exact")
            rate_text, interval = wr.rate(float(rate[0])), f"{wr.rate(float(lo[0]))} – {wr.rate(float(hi[0]))}"
            rates[r.kind] = float(rate[0])
        name = WORDS["peer_kind"][r.kind][wr.i] if r.kind not in ("comuna", "peer") else r.name
        rows.append((name, wr.count(cases), number(r.population), rate_text, interval, number(r.comunas)))
    note = wr.w("peers_note", peers=wr.w("peers_set") if found.configured else wr.w("peers_rule", n=peers.PEERS))
    table = Table(wr.w("t_peers", name=main.name, year=found.year),
                  (wr.w("territory"), wr.w("cases"), wr.w("population"), wr.w("rate100k"), wr.w("interval"),
                   wr.w("comunas")), tuple(rows), (note,), (False, True, True, True, True, True))
    points = []
    if "comuna" in rates and "region" in rates and "country" in rates:
        points.append(wr.w("peer_point", where=ctx.municipality, year=found.year, rate=wr.rate(rates["comuna"]),
                           region=wr.rate(rates["region"]), country=wr.rate(rates["country"])))
    return [table], points


# --- 3. areas -------------------------------------------------------------------------------------------------


def area_table(ctx, measure, level):
    """``engine.by_area`` of ``measure`` at ``level`` for the period, guarded for a public report."""
    f = _filters(ctx, measure.code, level=level)
    t = engine.by_area(ctx.state, f)
    guard = ctx.guard(measure)
    return (t if guard is None else shapes.areas(t, guard, ctx.state, f)), f


def _areas(wr: Writer, main, measures) -> Section:
    ctx = wr.ctx
    guard = ctx.guard(main)
    blocks, points = [], []
    for level in (Level.MACROSECTOR, Level.UV):
        if guard is not None and policy.coarse_level(guard, level) != level:
            continue
        t, _f = area_table(ctx, main, level)
        if not t.rows:
            continue
        rows = tuple((r.name, wr.count(r.count), "—" if not r.population else number(r.population),
                      wr.rate(r.rate, 2), wr.rate(r.eb_rate, 2)) for r in t.rows)
        unplaced = wr.w("unplaced", level=wr.w(str(level)).lower(), n=wr.count(t.unplaced))
        blocks.append(Table(wr.w("t_area", name=main.name, level=wr.w(str(level)).lower(), period=wr.period()),
                            (wr.w(str(level)), wr.w("cases"), wr.w("population"), wr.w("rate"), wr.w("eb")), rows,
                            (wr.w("area_note", unplaced=unplaced),), (False, True, True, True, True)))
        items = [sentences.Ranked(r.name, r.eb_rate, r.eb_rate is None) for r in t.rows]
        points.append(sentences.rank(sentences.Rank(
            sentences.Subject(f"la tasa EB de {main.name.lower()} por 1.000 habitantes",
                              f"the EB rate of “{main.name}” per 1,000 residents", plural=False),
            items, wr.label(ctx.start, ctx.end), unit=sentences.Unit("", "", "", ""), digits=2), wr.lang)
            .replace(" )", ")"))
        if level == Level.UV:
            blocks.append(_choropleth(wr, main, t))
    return Section(wr.w("s_areas"), tuple(points[-1:]), tuple(blocks))


def _base(ctx):
    return ctx.state.memo(f"report-base:{ctx.end.isoformat()}", lambda: maps.base_from_state(ctx.state, ctx.end))


def _caption(wr: Writer, measure) -> maps.Caption:
    return maps.Caption(f"{measure.name} ({measure.unit})", wr.period(), ())


def _map_figure(wr: Writer, caption: str, measure, fig, what: str) -> Figure:
    return Figure(caption, _stated(wr, measure, what), caption, svg=maps.svg(fig))


def _choropleth(wr: Writer, main, t) -> Figure | Notice:
    base = _base(wr.ctx)
    if base is None:
        return Notice(wr.w("no_base"))
    values = {r.name: r.eb_rate for r in t.rows}
    fig = maps.choropleth(base, values, title=wr.w("legend_eb"), caption=_caption(wr, main), lang=wr.lang,
                          digits=1)
    return _map_figure(wr, wr.w("f_choropleth", name=main.name), main, fig, wr.w("legend_eb"))


# --- 4. maps --------------------------------------------------------------------------------------------------


def _maps(wr: Writer, main, measures) -> Section:
    from observatorio.analysis.emerging import CLASSES as EMERGING_CLASSES
    from observatorio.analysis.emerging import EmergingClass
    from observatorio.dashboard.layers.base import cell_counts, placed, territory
    from observatorio.dashboard.layers.density import KDE_BANDWIDTH, KDE_CELL, KDE_MIN_EVENTS, density_surface
    from observatorio.dashboard.layers.emerging import emerging_result
    from observatorio.dashboard.layers.hotspots import GI_CELL, GI_DISTANCE, hotspot_result
    from observatorio.disclosure.grids import small_cells, thin_neighbourhoods

    ctx = wr.ctx
    title = wr.w("s_maps")
    base = _base(ctx)
    terr = territory(ctx.state, ctx.end)
    if base is None or terr is None:
        return Section(title, blocks=(Notice(wr.w("no_base")),))
    f = _filters(ctx, main.code)
    guard = ctx.guard(main)
    refusal = policy.coarse_refusal(guard, f, ctx.state.index)
    if guard is not None and guard.sensitive:
        refusal = refusal or policy.coarse_refusal(guard, f, ctx.state.index, hours=True)
    if refusal:
        return Section(title, blocks=(Notice(wr.w("reserved_section", reason=refusal)),))
    caption = _caption(wr, main)
    blocks, points = [Paragraph(wr.w("maps_note", cell=int(GI_CELL), dist=int(GI_DISTANCE)))], []
    # density
    found = density_surface(ctx.state, terr, f)
    if found.too_few:
        blocks.append(Notice(wr.w("too_few", what=wr.w("density"), n=number(found.events), min=KDE_MIN_EVENTS)))
    else:
        surface = found.surface
        values = np.where(found.inside, surface.values, np.nan)
        if guard is not None:
            grid, _inside = terr.grid(KDE_CELL)
            counts = cell_counts(ctx.state, f, placed(ctx.state, terr).gi, grid.size).reshape(grid.shape)
            values = np.where(thin_neighbourhoods(counts, guard.k, int(round(2 * KDE_BANDWIDTH / KDE_CELL))),
                              np.nan, values)
        fig = maps.density(base, replace(surface, values=values), title=wr.w("legend_density", unit=main.unit),
                           caption=caption, lang=wr.lang)
        blocks.append(_map_figure(wr, wr.w("f_density", name=main.name), main, fig, wr.w("density")))
    # Gi*
    hot = hotspot_result(ctx.state, terr, f)
    if hot.too_few or hot.result is None:
        blocks.append(Notice(wr.w("too_few", what=wr.w("hot"), n=number(hot.events), min=number(hot.minimum))))
    else:
        bins = hot.result.bins(fdr=True)
        if guard is not None:
            bins = np.where(small_cells(hot.result.values, guard.k), 0, bins)
        inside = terr.grid(GI_CELL)[1]
        fig = maps.hotspots(base, hot.result.grid, bins, caption=caption, lang=wr.lang, mask=inside)
        blocks.append(_map_figure(wr, wr.w("f_hot", name=main.name), main, fig, wr.w("hot")))
        points.append(wr.w("hot_point", hot=number(int(((bins > 0) & inside).sum())),
                           cold=number(int(((bins < 0) & inside).sum()))))
    # emerging
    em = emerging_result(ctx.state, terr, f)
    if em.too_few or em.result is None:
        blocks.append(Notice(wr.w("too_few", what=wr.w("emerging"), n=number(em.fewest), min=number(em.minimum))))
    else:
        codes = em.result.codes
        if guard is not None:
            total = cell_counts(ctx.state, f, placed(ctx.state, terr).emerging, em.grid.size, em.quarters[0][0],
                                em.quarters[-1][1])
            codes = np.where(small_cells(total.reshape(em.grid.shape), guard.k), -1, codes)
        fig = maps.emerging(base, em.grid, codes, title=wr.w("legend_emerging"), caption=caption, lang=wr.lang)
        blocks.append(_map_figure(wr, wr.w("f_emerging", name=main.name), main, fig, wr.w("emerging")))
        wanted = [EMERGING_CLASSES.index(c) for c in (EmergingClass.NEW_HOT, EmergingClass.CONSECUTIVE_HOT,
                                                       EmergingClass.INTENSIFYING_HOT, EmergingClass.PERSISTENT_HOT)]
        points.append(wr.w("emerging_point", n=number(int(np.isin(codes, wanted).sum()))))
    return Section(title, tuple(points), tuple(blocks))


# --- 5. time --------------------------------------------------------------------------------------------------


def _time(wr: Writer, main, measures) -> Section:
    ctx = wr.ctx
    f = _filters(ctx, main.code)
    guard = ctx.guard(main)
    blocks, points = [], []
    refusal = policy.coarse_refusal(guard, f, ctx.state.index, hours=True)
    if refusal:
        blocks.append(Notice(wr.w("reserved_section", reason=refusal)))
    else:
        hw = shapes.hours(engine.hour_weekday(ctx.state, f), guard)
        days = WORDS["weekdays"][wr.i]
        blocks.append(Figure(wr.w("f_hours", name=main.name), _stated(wr, main, wr.w("hours")),
                             wr.w("f_hours", name=main.name),
                             svg=charts.heatmap(hw.matrix, list(days), language=ctx.language,
                                                legend=wr.w("legend_hours"))))
        cells = [(v, d, h) for d, row in enumerate(hw.matrix) for h, v in enumerate(row) if v is not None]
        if cells and hw.without_time is not None:
            v, d, h = max(cells, key=lambda c: (c[0], -c[1], -c[2]))
            points.append(wr.w("peak_point", day=WORDS["weekday_names"][wr.i][d], h0=f"{h:02d}",
                               h1=f"{(h + 1) % 24:02d}", n=number(v), blank=number(hw.without_time)))
        else:
            points.append(wr.w("hours_reserved"))
    t = engine.trend(ctx.state, f, "month")
    counts = [int(c) for c in t.counts]
    if guard is not None:
        counts = list(shapes.trend(t, guard, engine.headline(ctx.state, f).count).counts)
    labels = [d.strftime("%Y-%m") if ctx.language == "en" else d.strftime("%m-%Y") for d in t.starts]
    blocks.append(Figure(wr.w("f_months", name=main.name), _stated(wr, main, wr.w("monthly")),
                         wr.w("f_months", name=main.name),
                         svg=charts.trend(labels, counts, language=ctx.language, ylabel=main.unit)))
    return Section(wr.w("s_time"), tuple(points), tuple(blocks))


# --- 6. beside ------------------------------------------------------------------------------------------------


def _beside(wr: Writer, main, measures) -> Section:
    ctx = wr.ctx
    chosen = [m for m in measures if m.code in BESIDE]
    if not chosen:
        return Section(wr.w("s_beside"), blocks=(Notice(wr.w("no_beside")),))
    blocks, points, facts = [], [], []
    for m in chosen:
        h, refusal = _headline(ctx, m)
        if refusal:
            blocks.append(Notice(f"{m.name}: {refusal}"))
            continue
        row = (f"{m.name} ({m.unit})", wr.count(h.count), *_last_year_cells(wr, h))
        blocks.append(Table(wr.w("t_beside", name=m.name, period=wr.period()),
                            (wr.w("measure"), wr.w("year"), wr.w("last_year"),
                             wr.w("change"), wr.w("p"), wr.w("verdict")), (row,),
                            (wr.w("beside_note", name=m.name, unit=m.unit),), (False, True, True, True, True, False)))
        f = _filters(ctx, m.code)
        t = engine.trend(ctx.state, f, "month")
        guard = ctx.guard(m)
        counts = [int(x) for x in t.counts]
        if guard is not None:
            counts = list(shapes.trend(t, guard, engine.headline(ctx.state, f).count).counts)
        labels = [d.strftime("%Y-%m") if ctx.language == "en" else d.strftime("%m-%Y") for d in t.starts]
        blocks.append(Figure(wr.w("f_months", name=m.name), _stated(wr, m, wr.w("monthly")),
                             wr.w("f_months", name=m.name),
                             svg=charts.trend(labels, counts, language=ctx.language, ylabel=m.unit)))
        points += _change_points(wr, _subject(m.name), h, wr.label(ctx.start, ctx.end), unit_of(m))
        facts.append(fact_of(m, h))
    return Section(wr.w("s_beside"), tuple(points), tuple(blocks), tuple(facts))


# --- 7. perception --------------------------------------------------------------------------------------------


def period_table(ctx, level: str):
    """Per area of ``level``, as ``profile.level_table`` builds it but over the report's period: population,
    each measure's count and rate per 1,000, demographic shares."""
    import pandas as pd

    state, index = ctx.state, ctx.state.index

    def build():
        ids = index.ids_at(level)
        population = np.array([index.population_in(a, ctx.end.year) or 0 for a in ids], dtype=float)
        table = pd.DataFrame(index=pd.Index(ids, name="area_id"))
        table["poblacion"] = population
        for m in profile.profile_measures(state):
            counts, _unplaced = engine.area_counts(state, _filters(ctx, m.code, level=level), level)
            table[profile.count_col(m.code)] = counts[ids].astype(np.int64) if ids else np.zeros(0, np.int64)
            table[profile.rate_col(m.code)] = profile.crude_rate(table[profile.count_col(m.code)].to_numpy(),
                                                                 population)
        demo = profile._demography(ids, ctx.end.year)
        for key, attr in (("ninos_jovenes_pct", "children_youth"), ("migrantes_pct", "migrants")):
            table[key] = [profile._share(getattr(demo[a], attr), demo[a].population) if a in demo else np.nan
                          for a in ids]
        table["pobreza_pct"] = [demo[a].poverty_pct if a in demo and demo[a].poverty_pct is not None else np.nan
                                for a in ids]
        return table

    return state.memo(f"report-table:{level}:{ctx.start}:{ctx.end}", build)


def _perception(wr: Writer, main, measures) -> Section:
    from observatorio.records.models import SurveyResponse

    ctx = wr.ctx
    title = wr.w("s_perception")
    level = Level.MACROSECTOR
    table = period_table(ctx, level)
    found = profile.perception_study(ctx.state.index, table, level, ctx.end, profile.rate_col(main.code))
    if found is None:
        return Section(title, blocks=(Notice(wr.w("no_survey")),))
    fear, gap = found
    k = policy.k() if ctx.public else 1
    rows = []
    for a in fear.index:
        r = fear.loc[a]
        n = int(r["n"])
        hidden = n < k
        rate = table.at[a, profile.rate_col(main.code)] if a in table.index else float("nan")
        rate_hidden = ctx.public and a in table.index and shapes.small(table.at[a, profile.count_col(main.code)], k)
        g = "—" if gap is None or a not in gap.table.index else str(gap.table.at[a, "gap_class"].value
                                                                   if hasattr(gap.table.at[a, "gap_class"], "value")
                                                                   else gap.table.at[a, "gap_class"])
        rows.append((ctx.state.index.areas[a].name if a in ctx.state.index.areas else str(a),
                     _(policy.SUPPRESSED) if hidden else number(100 * r["proportion"], 1),
                     "—" if hidden else f"{number(100 * r['lower'], 1)} – {number(100 * r['upper'], 1)}",
                     _(policy.SUPPRESSED) if hidden else number(n),
                     _(policy.SUPPRESSED) if rate_hidden else wr.rate(float(rate), 2), g))
    blocks = [Table(wr.w("t_fear", name=main.name),
                    (wr.w("macrosector"), wr.w("fear"), wr.w("interval"), wr.w("respondents"), wr.w("rate"),
                     wr.w("gap")), tuple(rows), (wr.w("fear_note", name=main.name),),
                    (False, True, True, True, True, False))]
    answers = list(SurveyResponse.objects.filter(answered_on__lte=ctx.end).values_list("feels_unsafe", "weight"))
    points = []
    if answers:
        from observatorio.analysis.perception import weighted_proportion

        wp = weighted_proportion(np.array([a[0] for a in answers]).astype(int),
                                 np.array([a[1] for a in answers], float))
        points.append(wr.w("fear_point", pct=sentences.percent(100 * wp.proportion, wr.lang),
                           lo=sentences.percent(100 * wp.lower, wr.lang), hi=sentences.percent(100 * wp.upper, wr.lang),
                           n=number(len(answers))))
    if gap is not None and gap.spearman_rho is not None and math.isfinite(gap.spearman_rho):
        points.append(wr.w("rho_point", rho=number(gap.spearman_rho, 2)))
    return Section(title, tuple(points), tuple(blocks))


# --- 8. typology ----------------------------------------------------------------------------------------------


def _typology(wr: Writer, main, measures) -> Section:
    from observatorio.labels import typology_description

    ctx = wr.ctx
    title = wr.w("s_typology")
    table = period_table(ctx, Level.UV)
    classes, reason = ctx.state.memo(f"report-typology:{ctx.start}:{ctx.end}:{ctx.language}",
                                     lambda: profile.typology_classes(table))
    if not classes:
        return Section(title, blocks=(Notice(reason),))
    names = profile.indicator_names(ctx.state)
    groups: dict[int, list] = {}
    for a, (number_, dist) in classes.items():
        groups.setdefault(number_, [dist, []])[1].append(ctx.state.index.areas[a].name)
    rows = tuple((str(t), typology_description(d, names), number(len(areas)), ", ".join(sorted(areas)))
                 for t, (d, areas) in sorted(groups.items()))
    table_block = Table(wr.w("t_types"), (wr.w("type"), wr.w("profile_col"), wr.w("areas"), wr.w("names")), rows,
                        (wr.w("types_note"),), (False, False, True, False))
    biggest = max(rows, key=lambda r: (int(r[2].replace(".", "").replace(",", "")), -int(r[0])))
    point = wr.w("types_point", k=len(rows), n=biggest[2], desc=biggest[1].rstrip("."))
    return Section(title, (point,), (table_block,))


# --- 9. priority ----------------------------------------------------------------------------------------------


def priorities(ctx, measure):
    """Each family of ``measure`` with its criteria met (:data:`CRITERIA`) and the reasons' figures, ranked;
    families whose count is withheld are left out. Returns (rows, left_out)."""
    found = family_rows(ctx, measure)
    shown = [(name, cats, f, h) for name, cats, f, h in found if h.count is not None]
    left_out = len(found) - len(shown)
    if not shown:
        return [], left_out
    top = sorted(shown, key=lambda r: (-r[3].count, r[0]))[:TOP_VOLUME]
    top_names = {r[0] for r in top}
    rates = [h.rate for *_x, h in shown if h.rate is not None]
    median = float(np.median(rates)) if rates else None
    uv_ids = ctx.state.index.ids_at(Level.UV)
    out = []
    for name, cats, _f, h in shown:
        met = {}
        if name in top_names:
            met["V"] = None
        c = h.last_year
        if c.count is not None and not c.few and _covered(ctx, c.start) and c.p_value is not None and c.p_value < sentences.ALPHA \
                and Verdict(c.verdict) == Verdict.UP:
            met["A"] = c.pct_change
        guard = ctx.guard(measure, cats)
        fine = guard is None or not guard.sensitive  # a sensitive family is shown by macrosector or coarser only
        if uv_ids and h.count and fine:
            counts, _u = engine.area_counts(ctx.state, _filters(ctx, measure.code, level=Level.UV, categories=cats),
                                            Level.UV)
            per = np.sort(counts[uv_ids])[::-1]
            need = int(np.searchsorted(np.cumsum(per), CONCENTRATION_SHARE * per.sum()) + 1) if per.sum() else 0
            if per.sum() >= engine.MIN_EVENTS_FOR_TEST and need <= CONCENTRATION_AREAS * len(uv_ids):
                met["C"] = (float(per[:need].sum() / per.sum()), need)
        if median is not None and h.rate is not None and h.rate > median:
            met["T"] = h.rate
        out.append((name, h, met))
    out.sort(key=lambda r: (-len(r[2]), -r[1].count, r[0]))
    return out, left_out


def _priority(wr: Writer, main, measures) -> Section:
    ctx = wr.ctx
    ranked, left_out = priorities(ctx, main)
    rule = wr.w("rule", top=TOP_VOLUME, n=engine.MIN_EVENTS_FOR_TEST)
    if not ranked:
        return Section(wr.w("s_priority"), blocks=(Paragraph(rule), Notice(wr.w("no_families"))))

    def why(met) -> str:
        parts = []
        for key in CRITERIA:
            if key not in met:
                continue
            if key == "V":
                parts.append(wr.w("why_V", top=TOP_VOLUME))
            elif key == "A":
                parts.append(wr.w("why_A", pct=wr.pct(met["A"])))
            elif key == "C":
                parts.append(wr.w("why_C", share=sentences.percent(100 * met["C"][0], wr.lang),
                                  areas=number(met["C"][1])))
            else:
                parts.append(wr.w("why_T"))
        return "; ".join(parts) or wr.w("why_none")

    rows = tuple((number(k + 1), name, number(h.count), " ".join(key for key in CRITERIA if key in met) or "—",
                  why(met)) for k, (name, h, met) in enumerate(ranked))
    notes = [rule] + ([wr.w("priority_hidden")] if left_out else [])
    table = Table(wr.w("t_priority", name=main.name),
                  (wr.w("rank"), wr.w("family"), wr.w("cases"), wr.w("criteria"), wr.w("why")), rows, tuple(notes),
                  (True, False, True, False, False))
    name, _h, met = ranked[0]
    return Section(wr.w("s_priority"), (wr.w("priority_point", family=name, why=why(met)),),
                   (Paragraph(rule), table))


# --- 10. methods ----------------------------------------------------------------------------------------------


def _methods(wr: Writer, main, measures) -> Section:
    from observatorio.dashboard.quality import source_quality
    from observatorio.records.snapshot import from_day_number

    ctx = wr.ctx
    blocks = [Table(wr.w("t_measures"), (wr.w("measure"), wr.w("definition")),
                    tuple((f"{m.name} ({m.unit})", m.definition or "—") for m in measures), (), (False, False))]
    sources, _months = ctx.state.memo(f"report-quality:{ctx.end}", lambda: source_quality(ctx.state))
    rows = []
    for q in sources:
        days = ctx.state.events.day[ctx.state.events.source == q.id]
        when = day(from_day_number(int(days.max())), ctx.language) if days.size else "—"
        rows.append((q.name, number(q.total), when, number(q.gaps),
                     "—" if q.located is None else sentences.percent(100 * q.located, wr.lang)))
    if rows:
        blocks.append(Table(wr.w("t_sources"), (wr.w("source"), wr.w("events"), wr.w("last_event"), wr.w("gaps"),
                                                wr.w("located")), tuple(rows), (), (False, True, False, True, True)))
    texts = WORDS["methods"][wr.i]
    for t in texts:
        blocks.append(Paragraph(t.format(n=engine.MIN_EVENTS_FOR_TEST, v=ctx.data_version,
                                         cut=day(ctx.state.as_of, ctx.language))))
    if ctx.public:
        blocks.append(Paragraph(policy.Guard(policy.k()).note()))
    with_gaps = [q.name for q in sources if q.gaps]
    point = (wr.w("gap_point" if len(with_gaps) == 1 else "gaps_point", n=number(len(with_gaps)),
                  names=", ".join(with_gaps)) if with_gaps else wr.w("no_gaps"))
    return Section(wr.w("s_methods"), (point,), tuple(blocks))
