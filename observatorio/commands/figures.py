"""``observatorio figures``: the figure the dashboard shows for one choice, from the command line.

The choice (measure, period, categories, areas) becomes the dashboard's own
`Filters` (``filters.filters_for``) and the count comes from the same engine
call as /tablero/datos/resumen.json (``engine.headline``): the number, the
rate per 1,000 inhabitants, the previous equivalent calendar period and the
same period last year, each with its change, exact test p-value and verdict.
A share measure (the perception survey) prints the weighted share of
respondents who feel unsafe with its 95 % interval
(``analysis.perception.weighted_proportion``).

Categories are matched by name or code without regard to case or accents (a
family selects its categories); areas by code. Anything unknown is a
``UserError`` (exit 2) naming the choices.

The command runs on the server with the database's own access, as an
administrator: it prints exact figures. ``--as-role ROLE`` prints instead
exactly what a reader of that role would see: the same guard as the web
(``disclosure.policy.guard_for`` over the role's ``event_scope``), counts of
1..k−1 and whatever gives them back «reservado» (JSON: null, with
``"suppressed": true``), a sensitive view refused as the web refuses it.
"""

from __future__ import annotations

import datetime as dt
import json

from observatorio.errors import UserError

from .i18n import _, current, decimal, thousands

SHOWN_CHOICES = 40
# The roles of accounts.roles.Role, named here so that the parser is built before Django is set up.
ROLES = ("admin", "analyst", "operator", "authority")


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es una fecha; use AAAA-MM-DD") % {"text": text}) from None


def _month(text: str) -> dt.date:
    import argparse

    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es un mes; use AAAA-MM") % {"text": text}) from None


def register(sub):
    from observatorio.analysis.periods import CODES

    p = sub.add_parser(
        "figures", help=_("imprime la cifra que muestra el tablero para una medida, un período, categorías y áreas"),
        description=_("Imprime la cifra del tablero para la misma elección: el conteo de la medida, la tasa por "
                      "1.000 habitantes, el período anterior equivalente y el mismo período del año anterior con "
                      "su variación, valor p y veredicto. Para una proporción (percepción), el porcentaje "
                      "ponderado de encuestados que se sienten inseguros con su intervalo de 95 %."))
    p.add_argument("measure", metavar=_("MEDIDA"), help=_("código de la medida, p. ej. casos-policiales"))
    p.add_argument("--from", dest="start", type=_date, metavar=_("AAAA-MM-DD"), help=_("primer día (inclusive)"))
    p.add_argument("--to", dest="end", type=_date, metavar=_("AAAA-MM-DD"), help=_("último día (inclusive)"))
    p.add_argument("--period", choices=[c for c in CODES if c != "custom"], metavar=_("PERÍODO"),
                   help=_("en vez de --from/--to, un período de calendario hasta la fecha de los datos: %(codes)s")
                   % {"codes": ", ".join(c for c in CODES if c != "custom")})
    p.add_argument("--month", type=_month, metavar=_("AAAA-MM"), help=_("el mes, con --period month"))
    p.add_argument("--year", type=int, help=_("el año, con --period year"))
    p.add_argument("--category", action="append", default=[], metavar=_("NOMBRE"),
                   help=_("categoría o familia por nombre o código (sin importar mayúsculas ni tildes); repetible"))
    p.add_argument("--area", action="append", default=[], metavar=_("CÓDIGO"),
                   help=_("código de un área (incluye las áreas que contiene); repetible"))
    p.add_argument("--as-role", choices=ROLES, metavar=_("ROL"),
                   help=_("imprime lo que vería un usuario de ese rol (%(roles)s): conteos pequeños «reservado», "
                          "como en la web; sin esta opción, las cifras exactas (el comando corre como "
                          "administrador)") % {"roles": ", ".join(ROLES)})
    p.add_argument("--operator-source", action="append", default=[], metavar=_("CÓDIGO"),
                   help=_("con --as-role operator: una fuente del alcance del operador (repetible)"))
    p.add_argument("--json", action="store_true", help=_("salida JSON legible por máquina"))
    p.set_defaults(handler=handle)


# --- the choice -----------------------------------------------------------------------------------------------


def _choices(names) -> str:
    names = list(names)
    text = ", ".join(names[:SHOWN_CHOICES])
    return text + (_(", … y %(n)s más") % {"n": len(names) - SHOWN_CHOICES} if len(names) > SHOWN_CHOICES else "")


def find_measure(catalog, code: str):
    from observatorio.records.pipeline.names import name_key

    found = catalog.measure(code) or next((m for m in catalog.measures if name_key(m.code) == name_key(code)
                                           or name_key(m.name) == name_key(code)), None)
    if found is None:
        raise UserError(_("medida «%(code)s» desconocida; opciones: %(choices)s")
                        % {"code": code, "choices": _choices(m.code for m in catalog.measures)})
    return found


def find_categories(catalog, names: list[str]) -> tuple[set[int], list[str]]:
    """Category ids for names or codes (a family gives its categories) and the names as the catalog spells them."""
    from observatorio.records.pipeline.names import name_key

    by_key: dict[str, tuple[str, tuple[int, ...]]] = {}
    for cid, code, name in catalog.families:
        ids = catalog.family_children.get(code, ()) or (cid,)
        by_key.setdefault(name_key(code), (name, ids))
        by_key.setdefault(name_key(name), (name, ids))
    for cid, code, name, _parent in catalog.categories:
        by_key.setdefault(name_key(code), (name, (cid,)))
        by_key.setdefault(name_key(name), (name, (cid,)))
    chosen: set[int] = set()
    spelled = []
    for text in names:
        hit = by_key.get(name_key(text))
        if hit is None:
            every = [n for _i, _c, n in catalog.families] + [n for _i, _c, n, _p in catalog.categories]
            raise UserError(_("categoría «%(name)s» desconocida; opciones (nombre o código): %(choices)s")
                            % {"name": text, "choices": _choices(sorted(set(every)))})
        spelled.append(hit[0])
        chosen |= set(hit[1])
    return chosen, spelled


def find_areas(index, codes: list[str]) -> list:
    by_code = {a.code.casefold(): a for a in index.areas.values()}
    found = []
    for code in codes:
        area = by_code.get(code.strip().casefold())
        if area is None:
            raise UserError(_("área «%(code)s» desconocida; opciones: %(choices)s")
                            % {"code": code, "choices": _choices(sorted(a.code for a in index.areas.values()))})
        found.append(area)
    return found


def window(args, as_of: dt.date) -> tuple[str, dt.date, dt.date]:
    from observatorio.analysis import periods

    if args.period:
        if args.start or args.end:
            raise UserError(_("use --period o --from/--to, no ambos"))
        if args.period == "month" and args.month is None:
            raise UserError(_("--period month necesita --month AAAA-MM"))
        if args.period == "year" and args.year is None:
            raise UserError(_("--period year necesita --year AAAA"))
        start, end = periods.window(args.period, as_of, month=args.month, year=args.year)
        return args.period, start, end
    if args.start is None or args.end is None:
        raise UserError(_("indique el período: --from AAAA-MM-DD --to AAAA-MM-DD, o --period CÓDIGO"))
    if args.end < args.start:
        raise UserError(_("--to %(end)s es anterior a --from %(start)s") % {"end": args.end, "start": args.start})
    return "custom", args.start, args.end


# --- the figures ----------------------------------------------------------------------------------------------


def scope_as(role: str | None, source_codes: list[str]):
    """The ``event_scope`` of a reader of ``role`` (None: the command's own, an administrator's), by the web's
    one rule (``accounts.roles.event_scope``); an operator's sources by code."""
    from types import SimpleNamespace

    from observatorio.accounts.roles import Role, event_scope
    from observatorio.records.models import Source

    if source_codes and role != "operator":
        raise UserError(_("--operator-source va con --as-role operator"))
    if role is None:
        return ()
    sources = Source.objects.filter(code__in=source_codes)
    unknown = sorted(set(source_codes) - set(sources.values_list("code", flat=True)))
    if unknown:
        raise UserError(_("fuente «%(code)s» desconocida; opciones: %(choices)s")
                        % {"code": unknown[0], "choices": _choices(Source.objects.order_by("code")
                                                                   .values_list("code", flat=True))})
    reader = SimpleNamespace(is_authenticated=True, is_superuser=False, _obs_roles={Role(role)},
                             operator_scope=SimpleNamespace(sources=sources))
    return event_scope(reader)


def count_figure(state, measure, period, start, end, categories, areas, guard=None) -> dict:
    """The dashboard's headline for the choice, as /tablero/datos/resumen.json gives it (to ``guard``'s
    reader when there is one: small counts suppressed, a sensitive view refused as the web refuses it)."""
    from observatorio.dashboard import engine
    from observatorio.dashboard.filters import filters_for
    from observatorio.disclosure import policy, shapes

    f = filters_for(state, measure=measure.code, start=start, end=end, period=period, categories=categories,
                    areas=[a.id for a in areas])
    refusal = policy.coarse_refusal(guard, f, state.index)
    if refusal:
        raise UserError(refusal)
    h = engine.headline(state, f)
    summary = engine.link_summary(state, measure.code)
    if guard is not None:
        h, summary = shapes.headline(h, guard), shapes.link_summary(summary, guard)

    out = h.as_dict()
    if guard is not None:
        out["suppressed"] = h.count is None
        for key in ("previous", "last_year"):
            out[key]["suppressed"] = out[key]["count"] is None
    if measure.links:
        out["rule"] = measure.rule()
        out["linked"] = None if summary is None else {"secondary": summary.secondary, "linked": summary.linked,
                                                      "share": summary.share}
    return out


def share_figure(state, measure, start, end, areas, guard=None) -> dict:
    """Weighted share of respondents feeling unsafe in the window and areas, with its 95 % interval (for a
    guarded reader, nothing but the withheld mark when 1..k−1 people answered)."""
    import numpy as np

    from observatorio.analysis.perception import weighted_proportion
    from observatorio.records.models import SurveyResponse

    rows = SurveyResponse.objects.filter(source_id__in=measure.sources, answered_on__gte=start, answered_on__lte=end)
    if areas:
        wanted = set()
        for area in areas:
            wanted |= state.index.descendants_or_self(area.id)
        rows = rows.filter(area_id__in=sorted(wanted))
    values = list(rows.values_list("feels_unsafe", "weight"))
    out = {"start": start.isoformat(), "end": end.isoformat(), "respondents": len(values), "share": None,
           "lower": None, "upper": None, "n_effective": None}
    if values and sum(w for _f, w in values) > 0:
        feels, weights = np.asarray(values, dtype=float).T
        p = weighted_proportion(feels, weights, confidence=0.95)
        out.update(share=p.proportion, lower=p.lower, upper=p.upper, n_effective=p.n_effective)
    if guard is not None:
        from observatorio.disclosure.shapes import small

        out["suppressed"] = small(out["respondents"], guard.k)
        if out["suppressed"]:
            out.update(respondents=None, share=None, lower=None, upper=None, n_effective=None)
    return out


def figure(state, args) -> dict:
    from observatorio.disclosure import policy

    measure = find_measure(state.catalog, args.measure)
    categories, spelled = find_categories(state.catalog, args.category)
    areas = find_areas(state.index, args.area)
    role = getattr(args, "as_role", None)
    guard = policy.guard_for(scope_as(role, getattr(args, "operator_source", [])), measure, state.catalog,
                             categories)
    if state.as_of is None and args.period:
        raise UserError(_("no hay datos cargados: los períodos de calendario se cuentan hasta la fecha de los datos"))
    period, start, end = window(args, state.as_of)
    head = {"measure": {"code": measure.code, "name": measure.name, "unit": measure.unit, "kind": measure.kind,
                        "is_count": measure.is_count},
            "period": period, "as_of": state.as_of.isoformat() if state.as_of else None,
            "categories": spelled, "areas": [{"code": a.code, "name": a.name} for a in areas]}
    if role is not None:
        head.update(role=role, disclosure=guard.as_json() if guard is not None else {"applied": False})
    if measure.is_count:
        return {**head, **count_figure(state, measure, period, start, end, categories, areas, guard)}
    if spelled:
        raise UserError(_("la medida «%(code)s» es una proporción de encuestados: no se filtra por categoría")
                        % {"code": measure.code})
    return {**head, **share_figure(state, measure, start, end, areas, guard)}


# --- output ---------------------------------------------------------------------------------------------------


def _day(text: str) -> str:
    d = dt.date.fromisoformat(text)
    return d.isoformat() if current() == "en" else d.strftime("%d-%m-%Y")


def _signed(n: int) -> str:
    return ("+" if n > 0 else "−" if n < 0 else "") + thousands(abs(n))


def _pct(value: float | None) -> str:
    if value is None:
        return _("sin base")
    return ("+" if value > 0 else "−" if value < 0 else "") + decimal(abs(value), 1) + " %"


def _p(value: float) -> str:
    return "< 0,001" if value < 0.001 and current() != "en" else "< 0.001" if value < 0.001 else decimal(value, 3)


def _withheld() -> str:
    from observatorio.disclosure.policy import SUPPRESSED

    return _(SUPPRESSED)


def _count(n) -> str:
    return _withheld() if n is None else thousands(n)


def lines(data: dict) -> list[str]:
    out = _lines(data)
    if (data.get("disclosure") or {}).get("applied"):
        out.append(data["disclosure"]["note"])
    return out


def _lines(data: dict) -> list[str]:
    from observatorio.labels import outcome_label

    m = data["measure"]
    where = ", ".join(a["name"] for a in data["areas"]) or _("todo el territorio")
    what = m["name"] + (" — " + ", ".join(data["categories"]) if data["categories"] else "")
    out = [f"{what} · {where}",
           _("período: %(start)s a %(end)s") % {"start": _day(data["start"]), "end": _day(data["end"])}]
    if not data["measure"]["is_count"]:
        if data.get("suppressed"):
            out.append(_("proporción de encuestados que se sienten inseguros: %(withheld)s (muy pocos encuestados)")
                       % {"withheld": _withheld()})
            return out
        if data["share"] is None:
            out.append(_("sin respuestas de encuesta en el período (%(n)s encuestados)")
                       % {"n": thousands(data["respondents"])})
            return out
        out.append(_("%(share)s %% se siente inseguro/a (IC 95 %%: %(low)s–%(high)s %%), %(n)s encuestados, n "
                     "efectivo %(neff)s") % {"share": decimal(100 * data["share"], 1),
                                             "low": decimal(100 * data["lower"], 1),
                                             "high": decimal(100 * data["upper"], 1),
                                             "n": thousands(data["respondents"]),
                                             "neff": thousands(round(data["n_effective"]))})
        return out
    if data["count"] is None:
        out.append(_("%(unit)s: %(count)s") % {"unit": m["unit"], "count": _withheld()})
    else:
        rate = (_("; %(rate)s por 1.000 habitantes") % {"rate": decimal(data["rate_per_1000"], 2)}
                if data["rate_per_1000"] is not None else "")
        out.append(_("%(unit)s: %(count)s (%(per_day)s por día%(rate)s)")
                   % {"unit": m["unit"], "count": thousands(data["count"]),
                      "per_day": decimal(data["per_day"], 2), "rate": rate})
    for key, label in (("previous", _("período anterior")), ("last_year", _("mismo período del año anterior"))):
        c = data[key]
        values = {"label": label, "start": _day(c["start"]), "end": _day(c["end"]), "count": _count(c["count"])}
        if c["change"] is None:  # one side withheld: its change, p-value and verdict would give it back
            out.append(_("%(label)s (%(start)s a %(end)s): %(count)s; variación %(withheld)s") % {
                **values, "withheld": _withheld()})
            continue
        out.append(_("%(label)s (%(start)s a %(end)s): %(count)s; variación %(change)s (%(pct)s); valor p %(p)s; "
                     "%(verdict)s") % {**values, "change": _signed(c["change"]), "pct": _pct(c["pct_change"]),
                                       "p": _p(c["p_value"]), "verdict": outcome_label(c["verdict"])})
    if "rule" in data:
        linked = data.get("linked")
        share = (decimal(100 * linked["share"], 1) + " %") if linked and linked["share"] is not None else "—"
        out.append(_("regla de combinación: %(rule)s; enlazados: %(share)s") % {"rule": data["rule"],
                                                                               "share": share})
    return out


def handle(args):
    from observatorio.state import current as current_state

    data = figure(current_state(), args)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines(data)))
    return 0
