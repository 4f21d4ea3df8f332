"""Events known only within a from–to window: a burglary found on return from holidays.

The window's four mapped columns (start date and time, end date and time)
become ``Event.window_start`` / ``window_end``, timezone-aware in
America/Santiago, and the event's date (``occurred_on``) is the start's
date: the earliest day it may have happened, the day counts and maps use.
Its clock time is unknown (``occurred_time`` empty) unless the window is
an instant; `analysis.timepatterns.aoristic_weights` spreads it over the
hours the window covers.

Rules (docs/import.md, "Events known within a window"):

* start time empty → 00:00; end time empty → 23:59:59 of the end day (the
  whole day may hold the event); end date empty with an end time → the start
  date; no end at all → no window: the event happened at the start;
* an end before the start is an error naming both columns; a time without
  its date, or an end without a start, are errors; a window longer than the
  mapping option ``window_max_days`` (default 31 days) is a warning: the
  event is kept, but its hour and weekday tell little;
* clock changes: a start in the hour that repeats when summer time ends takes
  the first occurrence and an end the second (the widest window); a time in
  the hour skipped when it begins moves forward to the first valid instant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .issues import WARNING

ZONE = "America/Santiago"
DEFAULT_MAX_DAYS = 31
END_OF_DAY = 86_399  # 23:59:59
WINDOW_FIELDS = ("window_start_on", "window_start_time", "window_end_on", "window_end_time")


def _days(values: pd.DataFrame, name: str, n: int) -> np.ndarray:
    if name in values:
        return values[name].to_numpy().astype("datetime64[D]")
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")


def _seconds(values: pd.DataFrame, name: str, n: int) -> np.ndarray:
    if name in values:
        return values[name].to_numpy().astype(np.int64)
    return np.full(n, -1, dtype=np.int64)


def _aware(moments: np.ndarray, first: bool) -> np.ndarray:
    """datetime64[s] wall-clock times in Santiago → aware `datetime` objects (None where NaT)."""
    index = pd.DatetimeIndex(moments).tz_localize(ZONE, ambiguous=np.full(len(moments), first),
                                                  nonexistent="shift_forward")
    out = np.asarray(index.to_pydatetime(), dtype=object)
    out[np.isnat(moments)] = None
    return out


def check_windows(values: pd.DataFrame, cols: dict, text, out, options: dict) -> None:
    """Validate the window columns and set ``window_start``, ``window_end``, ``occurred_on`` and ``occurred_time``.

    `values` holds the typed columns (dates as datetime64[D], times as seconds, -1 when empty);
    `text(field)` gives the stripped text of a mapped field; `out` is the validator's collector.
    """
    n = len(values)
    start_day = _days(values, "window_start_on", n)
    start_sec = _seconds(values, "window_start_time", n)
    end_day = _days(values, "window_end_on", n)
    end_sec = _seconds(values, "window_end_time", n)

    def blank(name):
        return (text(name) == "").to_numpy() if name in cols else np.ones(n, dtype=bool)

    start_blank, end_blank = blank("window_start_on"), blank("window_end_on")
    start_time_blank, end_time_blank = blank("window_start_time"), blank("window_end_time")
    start_col = cols["window_start_on"]
    end_col = cols.get("window_end_on") or cols.get("window_end_time", "")

    def shown(rows, date_field, time_field):
        parts = [text(f).iloc[rows] for f in (date_field, time_field) if f in cols]
        joined = parts[0] if len(parts) == 1 else (parts[0] + " " + parts[1]).str.strip()
        return joined.tolist()

    orphan_time = np.flatnonzero(start_blank & ~start_time_blank)
    out.add(orphan_time, cols.get("window_start_time", ""), shown(orphan_time, "window_start_time", "window_start_time"),
            "a start time without its start date", f"fill in {start_col!r} or empty the time", "window_time_no_date")
    no_start = np.flatnonzero(start_blank & ~(end_blank & end_time_blank))
    out.add(no_start, f"{start_col}/{end_col}", shown(no_start, "window_end_on", "window_end_time"),
            f"the window has an end ({end_col!r}) but no start ({start_col!r})",
            f"fill in {start_col!r}, the earliest day the event may have happened", "window_no_start")

    has_start = ~np.isnat(start_day)
    end_day = np.where(np.isnat(end_day) & end_blank & (end_sec >= 0), start_day, end_day)
    has_window = has_start & ~np.isnat(end_day)
    start = start_day.astype("datetime64[s]") + np.where(start_sec >= 0, start_sec, 0).astype("timedelta64[s]")
    end = end_day.astype("datetime64[s]") + np.where(end_sec >= 0, end_sec, END_OF_DAY).astype("timedelta64[s]")
    start = np.where(has_window, start, np.datetime64("NaT"))
    end = np.where(has_window, end, np.datetime64("NaT"))

    backwards = np.flatnonzero(has_window & (end < start))
    if len(backwards):
        starts, ends = shown(backwards, "window_start_on", "window_start_time"), \
            shown(backwards, "window_end_on", "window_end_time")
        out.add(backwards, f"{start_col}/{end_col}", [f"{s} – {e}" for s, e in zip(starts, ends)],
                [f"the window ends ({end_col!r}: {e}) before it starts ({start_col!r}: {s})"
                 for s, e in zip(starts, ends)],
                f"check the dates and times of {start_col!r} and {end_col!r}; an overnight window ends the next day",
                "window_backwards")
    max_days = float(options.get("window_max_days", DEFAULT_MAX_DAYS))
    length = (end - start).astype("timedelta64[s]").astype(np.int64)
    long = np.flatnonzero(has_window & (end >= start) & (length > max_days * 86_400))
    if len(long):
        starts, ends = shown(long, "window_start_on", "window_start_time"), shown(long, "window_end_on",
                                                                                   "window_end_time")
        out.add(long, f"{start_col}/{end_col}", [f"{s} – {e}" for s, e in zip(starts, ends)],
                [f"the window lasts {length[p] / 86_400:.1f} days, more than {max_days:g}: its hour and weekday "
                 f"say little" for p in long.tolist()],
                f"check the dates; the mapping option window_max_days sets the limit ({max_days:g} days)",
                "long_window", WARNING)

    occurred = _days(values, "occurred_on", n)
    if "occurred_on" in cols:
        undated = np.flatnonzero(start_blank & blank("occurred_on"))
        column = cols["occurred_on"]
    else:
        undated = np.flatnonzero(start_blank & end_blank & end_time_blank & start_time_blank)
        column = start_col
    out.add(undated, column, "", "no date given",
            f"fill in {column!r} (or {start_col!r} when only a window is known), as dd-mm-yyyy", "required_empty")
    values["occurred_on"] = np.where(has_start, start_day, occurred)
    time = _seconds(values, "occurred_time", n)
    # Within a window the clock time is unknown; without an end the event happened at its start.
    instant = has_window & (start == end)
    time = np.where(has_start & ~has_window, start_sec, time)
    time = np.where(has_window & ~instant, -1, np.where(instant, start_sec, time))
    values["occurred_time"] = time
    values["window_start"] = _aware(start, first=True)
    values["window_end"] = _aware(end, first=False)
