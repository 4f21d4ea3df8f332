"""Methods on dates and counts: period comparison, trend, and the WDD test of an intervention."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .options import add_method, fraction, pair
from .output import Outcome, fmt, handler

EVENTS_FILE = "events: any supported file with a date column"
_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(msub) -> None:
    from observatorio.analysis.compare import PERIODS

    p = add_method(msub, "compare", "this period against the previous one, with a Poisson test",
                   "CompStat-style comparison of the events of the current window with the previous one; the "
                   "verdict comes from an exact Poisson test on rates per day, not from the percent change.",
                   handler(compare), file_help=EVENTS_FILE)
    p.add_argument("--date", required=True, metavar="COLUMN", help="date of each event")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                   help="last day of the current window (default: the last date in the file)")
    p.add_argument("--period", choices=PERIODS, default="28d", help="windows compared (default 28d)")
    p.add_argument("--alpha", type=fraction, default=0.05, help="significance of the verdict (default 0.05)")

    p = add_method(msub, "trend", "Mann–Kendall trend of the events per period",
                   "Count events per period (empty periods as 0) and test for a monotonic trend (Mann–Kendall, "
                   "Sen's slope).", handler(trend), file_help=EVENTS_FILE)
    p.add_argument("--date", required=True, metavar="COLUMN", help="date of each event")
    p.add_argument("--freq", choices=tuple(_FREQ), default="month", help="period length (default month)")
    p.add_argument("--alpha", type=fraction, default=0.05, help="significance (default 0.05)")

    p = add_method(msub, "wdd", "Weighted Displacement Difference test of an intervention",
                   "Wheeler & Ratcliffe's (2018) WDD from before/after counts in the treated area, its control "
                   "and, optionally, a displacement buffer and its control. Negative: fewer crimes.",
                   handler(wdd), file_help=None)
    p.add_argument("--treated", type=pair, required=True, metavar="BEFORE,AFTER", help="counts in the treated area")
    p.add_argument("--control", type=pair, required=True, metavar="BEFORE,AFTER", help="counts in its control")
    p.add_argument("--displacement", type=pair, default=(0, 0), metavar="BEFORE,AFTER",
                   help="counts in the displacement buffer (default 0,0)")
    p.add_argument("--displacement-control", type=pair, default=(0, 0), metavar="BEFORE,AFTER",
                   help="counts in the buffer's control (default 0,0)")
    p.add_argument("--confidence", type=fraction, default=0.95, help="interval level (default 0.95)")


def _dates(args) -> pd.Series:
    from observatorio.analysis.inputs import date_column, read_table

    frame = read_table(args.file, layer=args.layer)
    when = date_column(frame, args.date, args.file).dropna()
    if when.empty:
        raise ValueError(f"{args.file}: column {args.date!r} has no dates")
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
    summary = [f"{r.current_start} a {r.current_end}: {r.current} eventos; {r.previous_start} a {r.previous_end}: "
               f"{r.previous} ({pct})",
               f"veredicto: {verdict_label(r.verdict)} (prueba de Poisson, p = {fmt(r.p_value)})"]
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
    summary = [f"{len(index)} períodos ({index[0]} a {index[-1]}), {int(counts.sum())} eventos",
               f"tendencia: {trend_label(r.verdict)} (Mann–Kendall z = {fmt(t.z, 2)}, p = {fmt(t.p_value)}; pendiente de Sen "
               f"{fmt(t.slope, 2)} eventos por período)"]
    return Outcome(params, results, summary, table)


def wdd(args) -> Outcome:
    from observatorio.analysis.wdd import wdd as wdd_test

    r = wdd_test(args.treated, args.control, args.displacement, args.displacement_control,
                 confidence=args.confidence)
    params = {"treated": args.treated, "control": args.control, "displacement": args.displacement,
              "displacement_control": args.displacement_control, "confidence": args.confidence}
    results = {k: getattr(r, k) for k in ("local", "local_se", "displacement", "displacement_se", "estimate", "se",
                                          "z", "p_value", "lower", "upper")}
    summary = [f"WDD = {fmt(r.estimate, 1)} (local {fmt(r.local, 1)}, desplazamiento {fmt(r.displacement, 1)}), "
               f"z = {fmt(r.z, 2)}, p = {fmt(r.p_value)}",
               f"intervalo {fmt(100 * args.confidence, 0)} %: {fmt(r.lower, 1)} a {fmt(r.upper, 1)}"]
    return Outcome(params, results, summary)
