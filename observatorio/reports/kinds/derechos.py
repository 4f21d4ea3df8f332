"""Rights violations (``derechos``): the events of the categories of «vulneración de derechos» (the
protection of children and adolescents' rights, as an OPD or the 1461 line records them), measure by measure,
with their trend and macrosectors; beside them, never added, the domestic violence cases whose victim is a
child or adolescent (0–17), the nearest figure the standard data hold.

The common category tree (``observatorio/taxonomy.py``) has no such category today. The report counts the
categories with the codes in :data:`RIGHTS` (a family ``familia-vulneracion-derechos`` and its categories, or
a category ``vulneracion-derechos`` anywhere) once an administrator adds them and maps a source's labels to
them; until then it says which categories it would count and that the data have none (decision in
docs/decisions.md). Counts of a public report go through disclosure control, as everywhere; the section is
shown by macrosector or comuna only.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from observatorio.dashboard import engine, home_data

from .. import sentences, thematic
from ..document import Notice, Paragraph, Report, Section, Table
from .vif import MEASURE as VIF_MEASURE

KIND = "derechos"
TITLE = gettext_noop("Informe temático: vulneración de derechos")
RIGHTS = ("familia-vulneracion-derechos", "vulneracion-derechos")
MINORS = "0-17"

WORDS = {
    "title": ("Informe temático: vulneración de derechos", "Thematic report: rights violations"),
    "s_rights": ("Vulneración de derechos", "Rights violations"),
    "what": ("ninguna medida", "no measure"),
    "no_category": ("El árbol de categorías no tiene categorías de vulneración de derechos. Este informe cuenta "
                    "los eventos de la familia «familia-vulneracion-derechos» y de la categoría "
                    "«vulneracion-derechos» de cada medida que las incluya: créelas en Administración → "
                    "Categorías y asigne a ellas las etiquetas de la fuente que las registra (OPD, 1461). "
                    "Mientras no existan, el período {period} no registra vulneraciones de derechos.",
                    "The category tree has no rights-violation categories. This report counts the events of the "
                    "family «familia-vulneracion-derechos» and of the category «vulneracion-derechos» in every "
                    "measure that includes them: create them under Administration → Categories and map the "
                    "labels of the source that records them (OPD, 1461) to them. Until they exist, the period "
                    "{period} records no rights violations."),
    "none_in_period": ("Categorías contadas: {names}. Ninguna medida registra eventos de ellas en el período "
                       "{period}.",
                       "Categories counted: {names}. No measure records events of them in the period {period}."),
    "row": ("{name}: vulneración de derechos", "{name}: rights violations"),
    "cats": ("categorías: {names}", "categories: {names}"),
    "s_minors": ("Violencia intrafamiliar contra niños, niñas y adolescentes",
                 "Domestic violence against children and adolescents"),
    "minors_note": ("Casos de violencia intrafamiliar cuya víctima tiene de 0 a 17 años: otra medida, que se "
                    "muestra al lado y nunca se suma a las vulneraciones de derechos.",
                    "Domestic violence cases whose victim is 0 to 17 years old: another measure, shown beside "
                    "and never added to rights violations."),
    "t_minors": ("Casos de violencia intrafamiliar por edad de la víctima: {period}",
                 "Domestic violence cases by the victim's age: {period}"),
    "age": ("Edad de la víctima", "Victim's age"), "cases": ("Casos", "Cases"),
    "minors": ("0 a 17 años", "0 to 17 years"), "adults": ("18 años o más, o sin dato", "18 or older, or not recorded"),
    "minors_subject": ("los casos con víctimas de 0 a 17 años", "cases with victims aged 0 to 17"),
    "vif_subject": ("los casos de violencia intrafamiliar", "domestic violence cases"),
    "no_vif": ("No hay casos de violencia intrafamiliar en el período.", "There are no domestic violence cases in "
               "the period."),
    "top": ("las vulneraciones de derechos", "rights violations"),
}


def build(ctx) -> Report:
    state = ctx.state
    wr = thematic.Writer(ctx, WORDS)
    base = thematic.base_fields(wr, KIND, wr.w("title"))
    ctx.progress("build", 0, 3)
    cats = thematic.category_ids(state, RIGHTS)
    measures = [m for m in home_data.shown_measures(state, sensitive=True) if m.is_count]
    if not any(engine.headline(state, thematic.filters(ctx, m.code)).count for m in measures):
        ctx.progress("build", 3, 3)
        return thematic.no_data(wr, base, wr.w("what"))
    sections = []
    if not cats:
        sections.append(Section(wr.w("s_rights"), blocks=(Notice(wr.w("no_category", period=wr.period())),)))
    else:
        names = ", ".join(thematic.category_names(state, cats))
        label = wr.w("cats", names=names)
        found = [m for m in measures if (not m.categories or set(cats) & set(m.categories))
                 and engine.headline(state, thematic.filters(ctx, m.code, cats)).count]
        if not found:
            sections.append(Section(wr.w("s_rights"), blocks=(Notice(wr.w("none_in_period", names=names,
                                                                          period=wr.period())),)))
        for m in found:
            row = wr.w("row", name=m.name)
            points, blocks, h = thematic.summary(wr, m, sentences.Subject(*WORDS["top"]), cats, label, row)
            if h is not None:
                table, rows = thematic.by_macrosector(wr, m, cats, label, row)
                points += thematic.rank_point(wr, sentences.Subject(*WORDS["top"]), rows)
                blocks.append(table)
            sections.append(Section(f"{wr.w('s_rights')}: {m.name}", tuple(points), tuple(blocks),
                                    thematic.facts(m, h, row)))
    ctx.progress("build", 1, 3)
    vif = thematic.measure(state, VIF_MEASURE)
    if vif is not None and vif.sources:
        sections.append(_minors(wr, vif))
    ctx.progress("build", 2, 3)
    sections.append(thematic.methods(wr, [m for m in measures if m.code == VIF_MEASURE]))
    ctx.progress("build", 3, 3)
    return Report(**base, sections=tuple(sections))


def _minors(wr, m) -> Section:
    ctx = wr.ctx
    h, refusal = thematic.headline(ctx, m)
    if refusal:
        return Section(wr.w("s_minors"), blocks=(Notice(refusal),))
    f = thematic.filters(ctx, m.code)
    rows = thematic.people(ctx.state, f, ("victim_age_group",))
    if not rows:
        return Section(wr.w("s_minors"), blocks=(Notice(wr.w("no_vif")),))
    minors = sum(1 for _id, _cat, age in rows if age == MINORS)
    total = len(rows)
    guard = ctx.guard(m)
    b = thematic.breakdown([wr.w("minors"), wr.w("adults")], [minors, total - minors], total, guard)
    shown_total = h.count
    table_rows = thematic.breakdown_rows(wr, b)
    if shown_total is None:
        table_rows = tuple((label, wr.count(None), "—") for label, *_x in table_rows)
    point = sentences.share(sentences.Share(sentences.Subject(*WORDS["minors_subject"]),
                                            sentences.Subject(*WORDS["vif_subject"]), b.shown[0], shown_total,
                                            wr.label(ctx.start, ctx.end)), wr.lang)
    notes = (wr.w("minors_note"), wr.stated(m, wr.w("cases")), *((guard.note(),) if guard is not None else ()))
    table = Table(wr.w("t_minors", period=wr.period()), (wr.w("age"), wr.w("cases"), wr.w("share")), table_rows,
                  notes, (False, True, True))
    return Section(wr.w("s_minors"), (point,), (Paragraph(wr.w("minors_note")), table))
