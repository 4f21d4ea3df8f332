"""Methods on dates and counts: period comparison, trend, and the WDD test of an intervention."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from observatorio.errors import UserError

from ..i18n import _, gettext_noop
from .options import add_date, add_method, event_dates, fraction, pair
from .output import Outcome, fmt, handler

EVENTS_FILE = gettext_noop("eventos: cualquier archivo admitido con una columna de fecha")
_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es una fecha; use AAAA-MM-DD") % {"text": text}) from None


def register(msub) -> None:
    from observatorio.analysis.compare import PERIODS

    p = add_method(msub, "compare", _("este período frente al anterior, con una prueba de Poisson"),
                   _("Comparación al estilo CompStat de los eventos de la ventana actual con la anterior; el "
                     "veredicto viene de una prueba exacta de Poisson sobre las tasas diarias, no del cambio "
                     "porcentual."), handler(compare), file_help=_(EVENTS_FILE))
    add_date(p, _("fecha de cada evento"))
    p.add_argument("--as-of", type=_date, metavar=_("AAAA-MM-DD"),
                   help=_("último día de la ventana actual (por defecto: la última fecha del archivo)"))
    p.add_argument("--period", choices=PERIODS, default="28d", help=_("ventanas comparadas (por defecto 28d)"))
    p.add_argument("--alpha", type=fraction, default=0.05,
                   help=_("significancia del veredicto (por defecto 0,05)"))

    p = add_method(msub, "trend", _("tendencia de Mann–Kendall de los eventos por período"),
                   _("Cuenta los eventos por período (los períodos vacíos como 0) y prueba si hay una tendencia "
                     "monótona (Mann–Kendall, pendiente de Sen)."), handler(trend), file_help=_(EVENTS_FILE))
    add_date(p, _("fecha de cada evento"))
    p.add_argument("--freq", choices=tuple(_FREQ), default="month",
                   help=_("duración del período (por defecto month)"))
    p.add_argument("--alpha", type=fraction, default=0.05, help=_("significancia (por defecto 0,05)"))

    p = add_method(msub, "wdd", _("prueba Weighted Displacement Difference de una intervención"),
                   _("WDD de Wheeler y Ratcliffe (2018) a partir de los conteos antes/después en el área tratada, "
                     "su control y, si se quiere, una zona de desplazamiento y su control. Negativo: menos "
                     "delitos."), handler(wdd), file_help=None)
    before_after = _("ANTES,DESPUÉS")
    p.add_argument("--treated", type=pair, required=True, metavar=before_after,
                   help=_("conteos en el área tratada"))
    p.add_argument("--control", type=pair, required=True, metavar=before_after, help=_("conteos en su control"))
    p.add_argument("--displacement", type=pair, default=(0, 0), metavar=before_after,
                   help=_("conteos en la zona de desplazamiento (por defecto 0,0)"))
    p.add_argument("--displacement-control", type=pair, default=(0, 0), metavar=before_after,
                   help=_("conteos en el control de esa zona (por defecto 0,0)"))
    p.add_argument("--confidence", type=fraction, default=0.95,
                   help=_("nivel del intervalo (por defecto 0,95)"))


def _dates(args) -> pd.Series:
    from observatorio.analysis.inputs import read_table

    frame = read_table(args.file, layer=args.layer)
    when = event_dates(frame, args).dropna()
    if when.empty:
        raise UserError(_("%(file)s: la columna %(column)r no tiene fechas") % {"file": args.file,
                                                                                "column": args.date})
    return when


def compare(args) -> Outcome:
    from observatorio.analysis.compare import compare_periods
    from observatorio.labels import verdict_label

    when = _dates(args)
    as_of = args.as_of or when.max().date()
    r = compare_periods(when, as_of, period=args.period, alpha=args.alpha)
    params = {"date": args.date, "as_of": as_of, "period": args.period, "alpha": args.alpha}
    results = {"current_start": r.current_start, "current_end": r.current_end, "previous_start": r.previous_start,
               "previous_end": r.previous_end, "current": r.current, "previous": r.previous, "change": r.change,
               "pct_change": r.pct_change, "p_value": r.p_value, "verdict": r.verdict,
               "verdict_label": verdict_label(r.verdict)}
    pct = "—" if r.pct_change is None else f"{fmt(r.pct_change, 1)} %"
    summary = [_("%(start)s a %(end)s: %(current)s eventos; %(previous_start)s a %(previous_end)s: %(previous)s "
                 "(%(pct)s)") % {"start": r.current_start, "end": r.current_end, "current": r.current,
                                 "previous_start": r.previous_start, "previous_end": r.previous_end,
                                 "previous": r.previous, "pct": pct},
               _("veredicto: %(verdict)s (prueba de Poisson, p = %(p)s)")
               % {"verdict": verdict_label(r.verdict), "p": fmt(r.p_value)}]
    return Outcome(params, results, summary)


def trend(args) -> Outcome:
    from observatorio.analysis.timepatterns import trend as mk_trend
    from observatorio.labels import trend_label

    when = _dates(args)
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_localize(None)
    periods = when.dt.to_period(_FREQ[args.freq])
    index = pd.period_range(periods.min(), periods.max(), freq=_FREQ[args.freq])
    counts = periods.value_counts().reindex(index, fill_value=0)
    r = mk_trend(counts.to_numpy(dtype=float), alpha=args.alpha)
    t = r.test
    table = pd.DataFrame({"period": [str(p) for p in index], "events": counts.to_numpy()})
    params = {"date": args.date, "freq": args.freq, "alpha": args.alpha}
    results = {"periods": len(index), "counts": dict(zip(table["period"], table["events"])), "s": t.s,
               "var_s": t.var_s, "z": t.z, "p_value": t.p_value, "tau": t.tau, "slope": t.slope,
               "verdict": r.verdict, "verdict_label": trend_label(r.verdict)}
    summary = [_("%(n)s períodos (%(first)s a %(last)s), %(events)s eventos")
               % {"n": len(index), "first": index[0], "last": index[-1], "events": int(counts.sum())},
               _("tendencia: %(verdict)s (Mann–Kendall z = %(z)s, p = %(p)s; pendiente de Sen %(slope)s eventos por "
                 "período)") % {"verdict": trend_label(r.verdict), "z": fmt(t.z, 2),
                                "p": fmt(t.p_value), "slope": fmt(t.slope, 2)}]
    return Outcome(params, results, summary, table)


def wdd(args) -> Outcome:
    from observatorio.analysis.wdd import wdd as wdd_test

    r = wdd_test(args.treated, args.control, args.displacement, args.displacement_control,
                 confidence=args.confidence)
    params = {"treated": args.treated, "control": args.control, "displacement": args.displacement,
              "displacement_control": args.displacement_control, "confidence": args.confidence}
    results = {k: getattr(r, k) for k in ("local", "local_se", "displacement", "displacement_se", "estimate", "se",
                                          "z", "p_value", "lower", "upper")}
    summary = [_("WDD = %(estimate)s (local %(local)s, desplazamiento %(displacement)s), z = %(z)s, p = %(p)s")
               % {"estimate": fmt(r.estimate, 1), "local": fmt(r.local, 1), "displacement": fmt(r.displacement, 1),
                  "z": fmt(r.z, 2), "p": fmt(r.p_value)},
               _("intervalo %(level)s %%: %(lower)s a %(upper)s")
               % {"level": fmt(100 * args.confidence, 0), "lower": fmt(r.lower, 1), "upper": fmt(r.upper, 1)}]
    return Outcome(params, results, summary)
