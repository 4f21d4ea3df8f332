"""Calendar periods and the periods they are compared with.

An analyst asks about October, the last quarter or the year to date, and
compares October with September and with October a year earlier, not "the last
30 days with the 30 before". A window made of whole calendar months moves by
whole months (February keeps its 28 or 29 days); any other window moves by
its length in days (rolling windows), or by a calendar month or year with the
day cut at the month's end (month to date, year to date).

Every window includes both ends.

Examples
--------
>>> import datetime as dt
>>> october = window("last-month", dt.date(2026, 11, 25))
>>> october
(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
>>> previous("last-month", *october)
(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
>>> last_year(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
(datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
"""

from __future__ import annotations

import calendar
import datetime as dt

from observatorio.errors import N_, UserError

# Period codes, in the order a menu offers them.
ROLLING = ("7d", "28d")
CALENDAR = ("last-month", "last-quarter", "mtd", "ytd", "12m", "month", "year")
CUSTOM = "custom"
CODES = ROLLING + CALENDAR + (CUSTOM,)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative), cut at the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def whole_months(start: dt.date, end: dt.date) -> int:
    """How many calendar months [start, end] covers when it is made of whole months, else 0."""
    if start.day != 1 or end != month_end(end.year, end.month) or end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def shift(start: dt.date, end: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The window moved by ``months`` calendar months: whole months stay whole (February 2024 against
    February 2023 is 1–29 against 1–28); otherwise each end moves by the months, cut at the month's end."""
    if whole_months(start, end):
        first = add_months(start, months)
        last = add_months(dt.date(end.year, end.month, 1), months)
        return first, month_end(last.year, last.month)
    return add_months(start, months), add_months(end, months)


def window(code: str, as_of: dt.date, *, month: dt.date | None = None, year: int | None = None
           ) -> tuple[dt.date, dt.date]:
    """The days of a period code for data cut at ``as_of``; ``month`` (any day of it) and ``year`` choose
    the month or year for the codes ``month`` and ``year``."""
    if code == "7d":
        return as_of - dt.timedelta(days=6), as_of
    if code == "28d":
        return as_of - dt.timedelta(days=27), as_of
    if code == "mtd":
        return as_of.replace(day=1), as_of
    if code == "ytd":
        return as_of.replace(month=1, day=1), as_of
    if code == "last-month":
        first = add_months(as_of.replace(day=1), -1)
        return first, month_end(first.year, first.month)
    if code == "last-quarter":
        quarter_start = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
        first = add_months(quarter_start, -3)
        last = add_months(quarter_start, -1)
        return first, month_end(last.year, last.month)
    if code == "12m":
        last = add_months(as_of.replace(day=1), -1)
        return add_months(last, -11), month_end(last.year, last.month)
    if code == "month":
        if month is None:
            raise UserError(N_("el período «mes» necesita el mes (AAAA-MM)"))
        return month.replace(day=1), month_end(month.year, month.month)
    if code == "year":
        if year is None:
            raise UserError(N_("el período «año» necesita el año"))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    raise UserError(N_("período «%(code)s» desconocido; use uno de: %(value)s"), code=code, value=', '.join(CODES))


def previous(code: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The previous equivalent period: the month before a month, the quarter before a quarter, the same
    days of the previous month for month to date, the same days of last year for year to date, and the
    window of the same length just before for rolling and other windows."""
    if code == "ytd":
        return shift(start, end, -12)
    months = whole_months(start, end)
    if months:
        return shift(start, end, -months)
    if code == "mtd":
        return shift(start, end, -1)
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), end - dt.timedelta(days=days)


def last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same period one year earlier (29 February becomes 28; whole months stay whole)."""
    return shift(start, end, -12)
