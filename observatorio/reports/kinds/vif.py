"""Domestic violence (``vif``): the VIF measure over the period, its victims by sex and age band, repeat
victimisation, its trend and its macrosectors.

The measure is ``casos-vif`` (the municipal VIF programme's cases; sensitive). Victims are persons, told
apart by the keyed hash of their RUT that the import keeps (``Event.victim_key``; never the RUT, never
printed): a victim's sex and age band are those of her first case in the period; a case without a key is a
victim of its own ("sin identificar"). Repeat victimisation: victims with more than one case in the period.
A public report is read as by an authority: the measure is sensitive, so it is shown only for periods of at
least the sensitive minimum and by macrosector or comuna, every count passes disclosure control against its
published total, and a sentence never names a withheld figure.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from observatorio.dashboard.numbers import number
from observatorio.disclosure import shapes

from .. import charts, sentences, thematic
from ..document import Figure, Notice, Paragraph, Report, Section, Table

KIND = "vif"
TITLE = gettext_noop("Informe temático: violencia intrafamiliar")
MEASURE = "casos-vif"

WORDS = {
    "title": ("Informe temático: violencia intrafamiliar", "Thematic report: domestic violence"),
    "what": ("la medida de casos de violencia intrafamiliar", "the domestic violence cases measure"),
    "no_measure": ("No hay una medida «casos-vif» con fuentes cargadas.",
                   "There is no «casos-vif» measure with sources loaded."),
    "s_cases": ("Casos de violencia intrafamiliar", "Domestic violence cases"),
    "s_victims": ("Víctimas por sexo y edad", "Victims by sex and age"),
    "s_repeat": ("Victimización reiterada", "Repeat victimisation"),
    "s_areas": ("Casos por macrosector", "Cases by macrosector"),
    "t_sex": ("Víctimas por sexo: {period}", "Victims by sex: {period}"),
    "t_age": ("Víctimas por tramo de edad: {period}", "Victims by age band: {period}"),
    "f_age": ("Víctimas por tramo de edad en el período", "Victims by age band in the period"),
    "alt_age": ("Barras horizontales: víctimas por tramo de edad", "Horizontal bars: victims by age band"),
    "by_age": ("víctimas por tramo de edad", "victims by age band"),
    "victims": ("Víctimas", "Victims"), "sex": ("Sexo", "Sex"), "age": ("Tramo de edad", "Age band"),
    "cases": ("Casos", "Cases"),
    "victims_note": ("Una víctima es una persona, distinguida por el identificador con clave (HMAC) de su RUT; "
                     "nunca se guarda ni se muestra el RUT. Sexo y edad: los de su primer caso del período. Un "
                     "caso sin identificador cuenta como una víctima distinta.",
                     "A victim is a person, told apart by the keyed identifier (HMAC) of the RUT; the RUT is "
                     "never stored or shown. Sex and age: those of the first case in the period. A case without "
                     "an identifier counts as a victim of its own."),
    "F": ("Mujeres", "Women"), "M": ("Hombres", "Men"),
    "women": ("las mujeres", "women"),
    "of_victims": ("las víctimas", "victims"),
    "t_repeat": ("Víctimas según el número de casos en el período: {period}",
                 "Victims by the number of cases in the period: {period}"),
    "once": ("Un caso", "One case"), "twice": ("Dos o más casos", "Two or more cases"),
    "repeat_subject": ("las víctimas con dos o más casos", "victims with two or more cases"),
    "repeat_cases": ("Los casos de víctimas reiteradas fueron {n} de {total} ({pct}).",
                     "Cases of repeat victims were {n} of {total} ({pct})."),
    "repeat_note": ("Reiteración dentro del período del informe: una víctima con casos antes del período cuenta "
                    "aquí con los del período solamente.",
                    "Repetition within the report's period: a victim with cases before the period counts here "
                    "with those of the period only."),
    "no_victims": ("Los casos del período no registran víctimas.", "The period's cases record no victims."),
    "top_area": ("los casos de violencia intrafamiliar", "domestic violence cases"),
    "unidentified": ("sin identificar", "unidentified"),
}


def victims(rows) -> list[tuple[str, str, int]]:
    """(sex, age band, cases) per victim of the rows (event id, category, victim_sex, victim_age_group,
    victim_key), ordered by the first case's id; a case without a key is a victim of its own."""
    seen: dict[str, int] = {}
    out: list[list] = []
    for _id, _cat, sex, age, key in rows:
        if key and key in seen:
            out[seen[key]][2] += 1
            continue
        if key:
            seen[key] = len(out)
        out.append([sex or "", age or "", 1])
    return [tuple(v) for v in out]


def build(ctx) -> Report:
    wr = thematic.Writer(ctx, WORDS)
    m = thematic.measure(ctx.state, MEASURE)
    base = thematic.base_fields(wr, KIND, wr.w("title"))
    if m is None or not m.sources:
        return Report(**base, sections=(Section(wr.w("no_data_title"), blocks=(Notice(wr.w("no_measure")),)),))
    base["measure_note"] = wr.stated(m, wr.w("cases"))
    steps = 5
    ctx.progress("build", 0, steps)
    from observatorio.dashboard import engine

    if not engine.headline(ctx.state, thematic.filters(ctx, m.code)).count:
        ctx.progress("build", steps, steps)
        return thematic.no_data(wr, base, wr.w("what"))
    subject = sentences.Subject("los casos de violencia intrafamiliar", "domestic violence cases")
    points, blocks, h = thematic.summary(wr, m, subject)
    sections = [Section(wr.w("s_cases"), tuple(points), tuple(blocks), thematic.facts(m, h))]
    ctx.progress("build", 1, steps)
    if h is None:  # refused for this reader (a period too short for a sensitive measure): nothing finer shown
        sections.append(thematic.methods(wr, [m]))
        ctx.progress("build", steps, steps)
        return Report(**base, sections=tuple(sections))
    rows = thematic.people(ctx.state, thematic.filters(ctx, m.code),
                           ("victim_sex", "victim_age_group", "victim_key"))
    people = victims(rows)
    guard = ctx.guard(m)
    sections.append(_victims(wr, m, people, guard))
    ctx.progress("build", 2, steps)
    sections.append(_repeat(wr, m, people, len(rows), guard))
    ctx.progress("build", 3, steps)
    table, area_rows = thematic.by_macrosector(wr, m)
    area_points = thematic.rank_point(wr, sentences.Subject(*WORDS["top_area"]), area_rows)
    sections.append(Section(wr.w("s_areas"), tuple(area_points), (table,)))
    ctx.progress("build", 4, steps)
    sections.append(thematic.methods(wr, [m], [wr.w("victims_note"), wr.w("repeat_note")]))
    ctx.progress("build", steps, steps)
    return Report(**base, sections=tuple(sections))


def _hidden_total(total: int, guard) -> bool:
    return guard is not None and shapes.small(total, guard.k)


def _victims(wr, m, people, guard) -> Section:
    total = len(people)
    if not total:
        return Section(wr.w("s_victims"), blocks=(Notice(wr.w("no_victims")),))
    period = wr.label(wr.ctx.start, wr.ctx.end)
    sexes = ["F", "M", ""]
    sex_counts = [sum(1 for s, _a, _n in people if (s if s in ("F", "M") else "") == x) for x in sexes]
    keep = [k for k, c in enumerate(sex_counts) if c or k < 2]
    sex_labels = [wr.w(sexes[k]) if sexes[k] else wr.w("unknown") for k in keep]
    hidden_total = _hidden_total(total, guard)
    sex = thematic.breakdown(sex_labels, [sex_counts[k] for k in keep], total, guard)
    ages = sorted({a for _s, a, _n in people if a}, key=lambda a: (int(a.split("-")[0].rstrip("+")), a))
    age_counts = [sum(1 for _s, a, _n in people if a == x) for x in ages]
    unknown_age = total - sum(age_counts)
    age_labels = [thematic.age_label(wr, a) for a in ages] + ([wr.w("unknown")] if unknown_age else [])
    age = thematic.breakdown(age_labels, age_counts + ([unknown_age] if unknown_age else []), total, guard)
    if hidden_total:
        sex = thematic.Breakdown(sex.labels, sex.counts, total, (None,) * len(sex.labels))
        age = thematic.Breakdown(age.labels, age.counts, total, (None,) * len(age.labels))
    women = sex.shown[0]
    points = [sentences.total(sentences.Total(sentences.Subject("las víctimas", "victims"),
                                              None if hidden_total else total, period,
                                              unit=sentences.Unit("persona", "personas", "person", "people")),
                              wr.lang),
              sentences.share(sentences.Share(sentences.Subject(*WORDS["women"]), sentences.Subject(*WORDS["of_victims"]),
                                              women, None if hidden_total else total, period), wr.lang)]
    notes = (wr.w("victims_note"), wr.stated(m, wr.w("victims")), *((guard.note(),) if guard is not None else ()))
    rows = thematic.breakdown_rows(wr, sex)
    if hidden_total:
        rows = rows[:-1] + ((wr.w("total"), wr.count(None), "—"),)
    blocks = [Table(wr.w("t_sex", period=wr.period()), (wr.w("sex"), wr.w("victims"), wr.w("share")), rows, notes,
                    (False, True, True))]
    rows = thematic.breakdown_rows(wr, age)
    if hidden_total:
        rows = rows[:-1] + ((wr.w("total"), wr.count(None), "—"),)
    blocks.append(Table(wr.w("t_age", period=wr.period()), (wr.w("age"), wr.w("victims"), wr.w("share")), rows,
                        notes, (False, True, True)))
    from django.utils.translation import gettext as _

    from observatorio.disclosure import policy

    blocks.append(Figure(wr.w("f_age"), wr.stated(m, wr.w("by_age")), wr.w("alt_age"),
                         svg=charts.bars(list(age.labels), list(age.shown), language=wr.lang,
                                         xlabel=wr.w("victims"), withheld=_(policy.SUPPRESSED))))
    return Section(wr.w("s_victims"), tuple(points), tuple(blocks))


def _repeat(wr, m, people, cases: int, guard) -> Section:
    total = len(people)
    if not total:
        return Section(wr.w("s_repeat"), blocks=(Notice(wr.w("no_victims")),))
    period = wr.label(wr.ctx.start, wr.ctx.end)
    repeat = sum(1 for *_x, n in people if n > 1)
    repeat_cases = sum(n for *_x, n in people if n > 1)
    b = thematic.breakdown([wr.w("once"), wr.w("twice")], [total - repeat, repeat], total, guard)
    hidden_total = _hidden_total(total, guard)
    shown_repeat = None if hidden_total else b.shown[1]
    points = [sentences.share(sentences.Share(sentences.Subject(*WORDS["repeat_subject"]),
                                              sentences.Subject(*WORDS["of_victims"]), shown_repeat,
                                              None if hidden_total else total, period), wr.lang)]
    # Cases of repeat victims against all cases (a published total): withheld as a list of two.
    c = thematic.breakdown(["r", "o"], [repeat_cases, cases - repeat_cases], cases, guard)
    if c.shown[0] is not None and shown_repeat is not None and not _hidden_total(cases, guard):
        points.append(wr.w("repeat_cases", n=number(repeat_cases), total=number(cases),
                           pct=sentences.percent(100.0 * repeat_cases / cases, wr.lang)))
    rows = thematic.breakdown_rows(wr, b)
    if hidden_total:
        rows = tuple((label, wr.count(None), "—") for label, *_x in rows)
    notes = (wr.w("repeat_note"), wr.stated(m, wr.w("victims")), *((guard.note(),) if guard is not None else ()))
    table = Table(wr.w("t_repeat", period=wr.period()), (wr.w("cases"), wr.w("victims"), wr.w("share")), rows,
                  notes, (False, True, True))
    return Section(wr.w("s_repeat"), tuple(points), (table, Paragraph(wr.w("victims_note"))))
