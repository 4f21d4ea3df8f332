"""Offender and victim profiles (``perfiles``), aggregated only: the cases of each count measure whose records
carry the person fields of the import (``Event.victim_*`` / ``offender_*``), by family and by the victim's or
the offender's sex, age band and nationality.

A cell counts cases (one case, one victim and one offender record, as the import keeps them), so a table's
margins are the family counts the other reports publish. No identity is ever read beyond the fields counted:
the keyed person ids are not used here. A public report protects each table with its margins and total
(``disclosure.suppress.grid_with_margins``, the cases without a family one more published part of the
measure's total): a cell of 1..k−1, and any cell that would let one be deduced, is «reservado», and a main
point quotes only published margins.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.utils.translation import gettext_noop

from observatorio.dashboard import engine, home_data
from observatorio.dashboard.numbers import number
from observatorio.disclosure import policy
from observatorio.disclosure.suppress import grid_with_margins

from .. import sentences, thematic
from ..document import Notice, Paragraph, Report, Section, Table

KIND = "perfiles"
TITLE = gettext_noop("Informe temático: perfiles de víctimas e imputados")
TOP_NATIONALITIES = 4

WORDS = {
    "title": ("Informe temático: perfiles de víctimas e imputados", "Thematic report: victim and offender profiles"),
    "what": ("ninguna medida", "no measure"),
    "s_measure": ("{name}: {role}", "{name}: {role}"),
    "victim": ("víctimas", "victims"), "offender": ("imputados", "offenders"),
    "sex": ("sexo", "sex"), "age_group": ("tramo de edad", "age band"), "nationality": ("nacionalidad", "nationality"),
    "t_profile": ("{name} por familia y {attr} de {role}: {period}", "{name} by family and {role}' {attr}: {period}"),
    "family": ("Familia", "Family"), "no_family": ("Sin familia", "No family"),
    "other": ("otras", "others"),
    "F": ("Mujer", "Woman"), "M": ("Hombre", "Man"),
    "profile_note": ("Cada celda cuenta casos según el dato de la persona registrado en el caso; «sin dato»: el "
                     "registro no lo trae. Perfiles agregados: ninguna persona se identifica.",
                     "Each cell counts cases by the person's field recorded in the case; “not recorded”: the "
                     "record lacks it. Aggregated profiles: no person is identified."),
    "none": ("Ninguna medida con eventos en el período registra datos de víctimas o imputados.",
             "No measure with events in the period records victim or offender data."),
    "without": ("{names}: sus registros no traen datos de víctimas ni de imputados.",
                "{names}: their records carry no victim or offender data."),
    "women_victims": ("las víctimas mujeres", "female victims"),
    "men_offenders": ("los imputados hombres", "male offenders"),
    "of_cases": ("los casos con sexo registrado", "cases with the sex recorded"),
    "top_age": ("El tramo de edad más frecuente de {role} fue {age} ({n} de {total} casos con dato).",
                "The most frequent age band of {role} was {age} ({n} of {total} cases with it recorded)."),
}
ATTRIBUTES = ("sex", "age_group", "nationality")


def build(ctx) -> Report:
    state = ctx.state
    wr = thematic.Writer(ctx, WORDS)
    base = thematic.base_fields(wr, KIND, wr.w("title"))
    measures = [m for m in home_data.shown_measures(state, sensitive=True) if m.is_count]
    counted = [m for m in measures if engine.headline(state, thematic.filters(ctx, m.code)).count]
    steps = max(len(counted), 1) + 1
    ctx.progress("build", 0, steps)
    if not counted:
        ctx.progress("build", steps, steps)
        return thematic.no_data(wr, base, wr.w("what"))
    sections, without = [], []
    for k, m in enumerate(counted):
        made = _measure(wr, m)
        if made:
            sections += made
        else:
            without.append(m.name)
        ctx.progress("build", k + 1, steps)
    intro = []
    if without:
        intro.append(Paragraph(wr.w("without", names=", ".join(without))))
    if not sections:
        sections = [Section(wr.w("title"), blocks=(Notice(wr.w("none")), *intro))]
    elif intro:
        sections[0] = Section(sections[0].title, sections[0].main_points, (*intro, *sections[0].blocks),
                              sections[0].facts)
    sections.append(thematic.methods(wr, counted, [wr.w("profile_note")]))
    ctx.progress("build", steps, steps)
    return Report(**base, sections=tuple(sections))


def _measure(wr, m) -> list[Section]:
    ctx, state = wr.ctx, wr.ctx.state
    f = thematic.filters(ctx, m.code)
    fields = tuple(f"{role}_{a}" for role in ("victim", "offender") for a in ATTRIBUTES)
    rows = thematic.people(state, f, fields)
    if not rows:
        return []
    family_of = _families(state)
    guard = ctx.guard(m)
    refusal = policy.coarse_refusal(guard, f, state.index)
    if refusal:
        return [Section(m.name, blocks=(Notice(refusal),))]
    out = []
    for r, role in enumerate(("victim", "offender")):
        cols = [2 + 3 * r + j for j in range(3)]
        if not any(row[c] for row in rows for c in cols):
            continue
        points, blocks = [], []
        for j, attr in enumerate(ATTRIBUTES):
            values = [(family_of.get(row[1], ""), row[cols[j]] or "") for row in rows]
            table, margins = _table(wr, m, role, attr, values, guard)
            blocks.append(table)
            points += _points(wr, role, attr, margins)
        out.append(Section(wr.w("s_measure", name=m.name, role=wr.w(role)), tuple(points), tuple(blocks)))
    return out


def _families(state) -> dict[int, str]:
    names = {}
    for fid, code, name in state.catalog.families:
        names[fid] = name
        for cid in state.catalog.family_children.get(code, ()):
            names[cid] = name
    return names


def _columns(wr, attr, values) -> list[str]:
    seen = Counter(v for _f, v in values if v)
    if attr == "sex":
        known = [v for v in ("F", "M") if v in seen] + sorted(v for v in seen if v not in ("F", "M"))
    elif attr == "age_group":
        known = sorted(seen, key=lambda a: (int(a.split("-")[0].rstrip("+")) if a[:1].isdigit() else 999, a))
    else:
        known = [v for v, _n in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))]
    return known


def _label(wr, attr, value) -> str:
    if value == "":
        return wr.w("unknown")
    if value == "*":
        return wr.w("other")
    if attr == "sex" and value in ("F", "M"):
        return wr.w(value)
    if attr == "age_group":
        return thematic.age_label(wr, value)
    return value


def _table(wr, m, role, attr, values, guard):
    known = _columns(wr, attr, values)
    if attr == "nationality" and len(known) > TOP_NATIONALITIES + 1:
        keep = set(known[:TOP_NATIONALITIES])
        values = [(f, v if v in keep or not v else "*") for f, v in values]
        known = known[:TOP_NATIONALITIES] + ["*"]
    columns = known + ([""] if any(v == "" for _f, v in values) else [])
    families = sorted({f for f, _v in values if f})
    no_family = sum(1 for f, _v in values if not f)
    matrix = np.zeros((len(families), len(columns)), dtype=np.int64)
    fpos, cpos = {f: i for i, f in enumerate(families)}, {c: j for j, c in enumerate(columns)}
    for f, v in values:
        if f:
            matrix[fpos[f], cpos[v]] += 1
    if guard is not None:
        hidden = grid_with_margins(matrix, guard.k, outside=no_family)
    else:
        hidden = {"cells": np.zeros(matrix.shape, bool), "rows": np.zeros(len(families), bool),
                  "columns": np.zeros(len(columns), bool), "total": False}
    body = []
    for i, fam in enumerate(families):
        cells = [wr.count(None if hidden["cells"][i, j] else int(matrix[i, j])) for j in range(len(columns))]
        body.append((fam, *cells, wr.count(None if hidden["rows"][i] else int(matrix[i].sum()))))
    col_totals = [None if hidden["columns"][j] else int(matrix[:, j].sum()) for j in range(len(columns))]
    grand = None if hidden["total"] else int(matrix.sum())
    body.append((wr.w("total"), *(wr.count(c) for c in col_totals), wr.count(grand)))
    notes = [wr.w("profile_note"), wr.stated(m, wr.w(role))]
    if no_family:
        notes.append(f"{wr.w('no_family')}: {number(no_family)}" if guard is None else wr.w("no_family") + ": "
                     + wr.count(None if hidden.get("outside") else no_family))
    if guard is not None:
        notes.append(guard.note())
    header = (wr.w("family"), *(_label(wr, attr, c) for c in columns), wr.w("total"))
    table = Table(wr.w("t_profile", name=m.name, attr=wr.w(attr), role=wr.w(role), period=wr.period()), header,
                  tuple(body), tuple(notes), (False,) + (True,) * (len(columns) + 1))
    return table, dict(zip(columns, col_totals)) | {"__total__": grand}


def _points(wr, role, attr, margins) -> list[str]:
    period = wr.label(wr.ctx.start, wr.ctx.end)
    known = {k: v for k, v in margins.items() if k not in ("", "__total__")}
    unknown = margins.get("")
    total = margins["__total__"]
    with_data = None if total is None or ("" in margins and unknown is None) else total - (unknown or 0)
    if attr == "sex":
        value, key = ("F", "women_victims") if role == "victim" else ("M", "men_offenders")
        if value not in known:
            return []
        return [sentences.share(sentences.Share(sentences.Subject(*WORDS[key]), sentences.Subject(*WORDS["of_cases"]),
                                                known[value], with_data, period), wr.lang)]
    if attr == "age_group":
        shown = {k: v for k, v in known.items() if v is not None and k != "*"}
        if not shown or with_data is None or len(shown) < len(known):
            return []
        age = max(sorted(shown), key=lambda k: shown[k])
        return [wr.w("top_age", role=wr.w(role), age=_label(wr, attr, age), n=number(shown[age]),
                     total=number(with_data))]
    return []
