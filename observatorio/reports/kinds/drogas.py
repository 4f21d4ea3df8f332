"""The drug market (``drogas``): drug-law offences recorded by the police, the 1461 calls that speak of drugs
beside them (never added), where the offences happen (macrosectors, density, Gi* hot spots) and their trend.

Which categories count is read from the common category tree (``observatorio/taxonomy.py``), by code, not by
words in labels:

- drug-law offences (Ley 20.000): the family ``familia-drogas`` of the default measure (``casos-policiales``);
- related 1461 calls: the same family and the category ``consumo-via-publica`` ("Consumo de alcohol y drogas
  en la vía pública"), of the ``llamados-1461`` measure — a source's own labels reach these categories
  through its crosswalk (``CategoryLabel``), so a call the operator filed as drugs is counted whatever its
  wording.

Calls and police cases are different measures: they are shown side by side, each with its own test, never
summed.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from observatorio.dashboard import engine
from observatorio.dashboard.numbers import number
from observatorio.records.measures import DEFAULT_MEASURE

from .. import sentences, thematic
from ..document import Notice, Paragraph, Report, Section

KIND = "drogas"
TITLE = gettext_noop("Informe temático: mercado de drogas")
OFFENCES = ("familia-drogas",)
CALLS_MEASURE = "llamados-1461"
CALLS = ("familia-drogas", "consumo-via-publica")

WORDS = {
    "title": ("Informe temático: mercado de drogas", "Thematic report: drug market"),
    "what": ("la familia de delitos asociados a drogas", "the drug offences family"),
    "s_offences": ("Delitos asociados a drogas", "Drug offences"),
    "s_calls": ("Llamados al 1461 relacionados con drogas", "1461 calls about drugs"),
    "s_places": ("Dónde ocurren", "Where they happen"),
    "offences_row": ("Delitos asociados a drogas", "Drug offences"),
    "calls_row": ("Llamados relacionados con drogas", "Calls about drugs"),
    "cats": ("categorías: {names}", "categories: {names}"),
    "calls_note": ("Los llamados al 1461 son otra medida: se muestran al lado de los casos policiales, nunca "
                   "sumados a ellos. Un llamado no es un delito.",
                   "1461 calls are another measure: they are shown beside police cases, never added to them. A "
                   "call is not a crime."),
    "no_calls": ("No hay una medida de llamados al 1461 con fuentes cargadas, o la taxonomía no tiene "
                 "categorías de drogas para ella.",
                 "There is no 1461 calls measure with sources loaded, or the taxonomy has no drug categories "
                 "for it."),
    "hot_point": ("El análisis Gi* identifica {hot} celdas calientes y {cold} frías significativas (FDR).",
                  "The Gi* analysis finds {hot} significant hot cells and {cold} cold ones (FDR)."),
    "top": ("los delitos asociados a drogas", "drug offences"),
    "categories_used": ("Delitos asociados a drogas: {offences}. Llamados relacionados con drogas: {calls}. Las "
                        "categorías se toman del árbol común de categorías por su código; cada fuente llega a "
                        "ellas por su tabla de equivalencias.",
                        "Drug offences: {offences}. Calls about drugs: {calls}. The categories are taken from "
                        "the common category tree by code; each source reaches them through its crosswalk."),
}


def build(ctx) -> Report:
    state = ctx.state
    wr = thematic.Writer(ctx, WORDS)
    police = thematic.measure(state, DEFAULT_MEASURE)
    calls = thematic.measure(state, CALLS_MEASURE)
    offences = thematic.category_ids(state, OFFENCES)
    call_cats = thematic.category_ids(state, CALLS)
    offence_names = ", ".join(thematic.category_names(state, offences)) or "—"
    call_names = ", ".join(thematic.category_names(state, call_cats)) or "—"
    off_label = wr.w("cats", names=offence_names)
    call_label = wr.w("cats", names=call_names)
    base = thematic.base_fields(wr, KIND, wr.w("title"))
    steps = 4
    ctx.progress("build", 0, steps)
    if police is None or not offences or not engine.headline(state, thematic.filters(ctx, police.code,
                                                                                     offences)).count:
        ctx.progress("build", steps, steps)
        return thematic.no_data(wr, base, wr.w("what"))
    base["measure_note"] = wr.stated(police, wr.w("monthly"), off_label)
    subject = sentences.Subject(*WORDS["top"])
    points, blocks, h = thematic.summary(wr, police, subject, offences, off_label, wr.w("offences_row"))
    sections = [Section(wr.w("s_offences"), tuple(points), tuple(blocks), thematic.facts(police, h, wr.w("offences_row")))]
    ctx.progress("build", 1, steps)
    if calls is not None and calls.sources and call_cats:
        c_points, c_blocks, c_h = thematic.summary(
            wr, calls, sentences.Subject("los llamados relacionados con drogas", "calls about drugs"), call_cats,
            call_label, wr.w("calls_row"))
        sections.append(Section(wr.w("s_calls"), tuple(c_points), (Paragraph(wr.w("calls_note")), *c_blocks),
                                thematic.facts(calls, c_h, wr.w("calls_row"))))
    else:
        sections.append(Section(wr.w("s_calls"), blocks=(Notice(wr.w("no_calls")),)))
    ctx.progress("build", 2, steps)
    sections.append(_places(wr, police, offences, off_label))
    ctx.progress("build", 3, steps)
    sections.append(thematic.methods(wr, [police, calls], [wr.w("categories_used", offences=offence_names,
                                                                 calls=call_names)]))
    ctx.progress("build", steps, steps)
    return Report(**base, sections=tuple(sections))


def _places(wr, m, cats, cats_label) -> Section:
    table, rows = thematic.by_macrosector(wr, m, cats, cats_label, wr.w("offences_row"))
    points = thematic.rank_point(wr, sentences.Subject(*WORDS["top"]), rows)
    blocks = [table]
    if rows:
        blocks.append(thematic.choropleth_figure(wr, m, rows, cats_label, wr.w("offences_row")))
    blocks.append(thematic.density_figure(wr, m, cats, cats_label, wr.w("offences_row")))
    hot, cells = thematic.hotspot_figure(wr, m, cats, cats_label, wr.w("offences_row"))
    blocks.append(hot)
    if cells is not None:
        points.append(wr.w("hot_point", hot=number(cells[0]), cold=number(cells[1])))
    return Section(wr.w("s_places"), tuple(points), tuple(blocks))
