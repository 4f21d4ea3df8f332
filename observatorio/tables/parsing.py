"""Typed values from the text cells of a `RawTable`: dates, times, numbers, coordinates.

Every scalar parser returns the value or raises `ParseError(message, fix)`,
whose message says why the text is not a value ("31-02-2024 is not a date:
February has 28 or 29 days") and whose fix says what to change. Empty text is
an error too ("no date given"); whether a column may be empty is the
pipeline's call, and it can test ``text.strip() == ""`` first.

The vectorised versions take a pandas Series of text and return a `Parsed`:
``values`` (same index; NaT/NaN where invalid or empty), ``invalid`` (bool),
``empty`` (bool) and ``errors`` (a Series of `ParseError` for the invalid
rows only). They parse each distinct text once (dates and times in a 1M-row
file have a few thousand distinct values) or, for numbers, with vectorised
string operations, and take their messages from the scalar parsers, so both
always agree. Interface::

    parsed = parse_dates(table.frame["fecha"])
    for i in parsed.invalid.to_numpy().nonzero()[0]:
        report(row=table.row_numbers[i], column="fecha", error=parsed.errors.iloc[...])

Conventions (Chile):

* Dates are day-month-year: ``31-01-2024``, ``31/01/2024``, ``31.01.2024``;
  ISO ``2024-01-31`` and ``2024/01/31``; a time after the date is allowed and
  ignored here (parse it with `parse_time`). Excel serial numbers 1..80000
  are days since 1899-12-30 (45292 → 2024-01-01); serials below 61 fall in
  Excel's phantom 29-02-1900 and are a day off, which cannot matter for our
  data, but note that a bare year like "2024" *is* read as a serial
  (1905-07-16) — the pipeline's date range check catches it. Two-digit years
  ("31-01-24") are rejected: 24 could be 1924 or 2024. Years outside
  1900..2100 are rejected as typos. Month-day-year is never guessed value by
  value: the order of a column is one decision (`date_order`), taken from the
  values that can be read only one way, or given (`date_format_order`:
  ``%m/%d/%Y``, ``mm/dd/aaaa``…), and then `parse_dates(series, order=...)`
  reads every value with it.
* Numbers: the decimal mark is a comma and the thousands separator a dot
  ("1.234,5" → 1234.5). With both marks the last one is the decimal mark (so
  "1,234.5" from English software also works). With one kind only: a comma
  is decimal ("12,5" → 12.5, so "1,234" → 1.234) unless it repeats as
  thousands groups ("1,234,567"); dots that group digits in threes are
  thousands ("1.234" → 1234, "1.234.567" → 1234567) and otherwise a dot is
  decimal ("1234.5", "0.123", "1.5"). So the one ambiguous form, a single
  dot followed by exactly three digits after 1–3 digits that do not start
  with 0, is read the Chilean way (thousands). Pass ``decimal="."`` or
  ``decimal=","`` when a column is known to use one convention, or
  ``decimal=column_decimal(series)`` to take it from the column's own values
  when the column's meaning is unknown. A leading "$" and spaces inside are
  allowed; "%" is not (12% is not 12).
* Coordinates: a single "." or "," in a coordinate is always decimal
  ("-33,4567"); degrees and UTM zone 19S metres (EPSG:32719) are told apart
  by magnitude unless `crs` is given; results must fall inside Chile's
  bounding box (or the `bounds` given), which also catches swapped or
  sign-less coordinates with a specific message.

No Django here: the analysis package and the demography import use these
parsers too (with the readers), and analysis must not load Django.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatorio.errors import N_, UserError

EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIAL_MAX = 80000
YEAR_MIN, YEAR_MAX = 1900, 2100
MONTHS = [""] + list(calendar.month_name)[1:]

# Continental Chile plus Rapa Nui and Juan Fernández: lon_min, lat_min, lon_max, lat_max.
CHILE_BOUNDS = (-110.0, -56.6, -66.0, -17.4)
UTM19S = "EPSG:32719"
WGS84 = "EPSG:4326"


class ParseError(ValueError):
    """A cell that is not a value of the expected type. English text; the interface translates it."""

    def __init__(self, message: str, fix: str):
        self.message = message
        self.fix = fix
        super().__init__(message)

    def __eq__(self, other):
        return isinstance(other, ParseError) and (self.message, self.fix) == (other.message, other.fix)

    def __hash__(self):
        return hash((self.message, self.fix))


@dataclass
class Parsed:
    """A vectorised parse: values (NaN/NaT where invalid or empty), masks, and errors of invalid rows."""

    values: pd.Series
    invalid: pd.Series
    empty: pd.Series
    errors: pd.Series


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


# --------------------------------------------------------------------------- dates

_TIME_TAIL = r"(?:[ T]+.*)?"
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2,4})" + _TIME_TAIL)
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME_TAIL)
_SERIAL = re.compile(r"(\d{1,6})(?:[.,]\d+)?")


DMY, MDY, YMD = "dmy", "mdy", "ymd"
ORDER_PATTERN = {DMY: "dd-mm-yyyy", MDY: "mm-dd-yyyy", YMD: "yyyy-mm-dd"}
_ORDER_WORDS = {DMY: "day-month-year", MDY: "month-day-year", YMD: "year-month-day"}
_FIELDS = {"d": "d", "m": "m", "Y": "y", "dd": "d", "mm": "m", "aaaa": "y", "yyyy": "y"}
_FORMAT = re.compile(r"(%[dmY]|dd|mm|aaaa|yyyy)([-/. ])(%[dmY]|dd|mm|aaaa|yyyy)\2(%[dmY]|dd|mm|aaaa|yyyy)",
                     re.IGNORECASE)
FORMAT_HELP = "%d-%m-%Y, %m/%d/%Y, %Y-%m-%d, dd-mm-aaaa, mm/dd/aaaa, aaaa-mm-dd"


def date_format_order(text: str | None) -> str | None:
    """The order an explicit date format gives (`DMY`, `MDY` or `YMD`); None for no format ("", "detectar").

    Strftime (``%d/%m/%Y``, ``%m-%d-%Y``, ``%Y-%m-%d``) or the way people write it
    (``dd-mm-aaaa``, ``mm/dd/aaaa``, ``aaaa-mm-dd``, ``yyyy``); the separator is
    not binding (``-``, ``/`` and ``.`` are all read). A ``ValueError`` names the forms.

    >>> date_format_order("%m/%d/%Y"), date_format_order("dd-mm-aaaa"), date_format_order("")
    ('mdy', 'dmy', None)
    """
    raw = (text or "").strip()
    if raw.lower() in ("", "auto", "detectar"):
        return None
    m = _FORMAT.fullmatch(raw if raw.startswith("%") else raw.lower())
    order = "".join(_FIELDS.get(part.lstrip("%"), "?") for part in (m[1], m[3], m[4])) if m else ""
    if order not in (DMY, MDY, YMD):
        raise UserError(N_("«%(format)s» no es un formato de fecha que este lector conozca; use %(forms)s"),
                        format=raw, forms=FORMAT_HELP)
    return order


@dataclass(frozen=True)
class DateOrder:
    """How a column's day-month dates are read, and why (`date_order`).

    ``order`` is `DMY` or `MDY` (`YMD` only when given); ``how`` is ``"format"``
    (given), ``"values"`` (values that can only be read one way decide) or
    ``"default"`` (none decides: Chile's day-first). The arrays hold positions in
    the Series: values that read as a date only day-first, only month-first, and
    both ways as different dates (``05-03-2024``; ``05-05-2024`` reads the same).
    """

    order: str
    how: str
    day_first: np.ndarray
    month_first: np.ndarray
    either: np.ndarray

    @property
    def ambiguous(self) -> int:
        """How many values read as two different dates, and were read in ``order``."""
        return len(self.either)

    @property
    def conflict(self) -> bool:
        """Some values can only be day-first and others only month-first: the column contradicts itself."""
        return self.how != "format" and len(self.day_first) > 0 and len(self.month_first) > 0

    @property
    def contradicting(self) -> np.ndarray:
        """The values against the column's order (the fewer kind in a conflict), and those its order decides."""
        return np.sort(np.concatenate([self.month_first if self.order == DMY else self.day_first, self.either]))

    @property
    def evidence(self) -> int | None:
        """The position of the first value that can only be read in ``order``, if any."""
        rows = self.day_first if self.order == DMY else self.month_first if self.order == MDY else []
        return int(rows[0]) if len(rows) else None

    def conflict_error(self, text: pd.Series, row_number=lambda p: p + 1) -> ParseError:
        """The message of a contradictory column: a value of each order, with its row (``row_number(position)``)."""
        d, m = int(self.day_first[0]), int(self.month_first[0])
        return ParseError(f"the column mixes day-first and month-first dates: row {row_number(d)} has "
                          f"{_shown(text.iat[d])}, a date only as dd-mm-yyyy, and row {row_number(m)} has "
                          f"{_shown(text.iat[m])}, only as mm-dd-yyyy (values that read either way: {len(self.either)})",
                          "give the date format explicitly (e.g. dd-mm-aaaa or mm-dd-aaaa), or correct the rows "
                          "that do not follow the others")


def date_order(series: pd.Series, date_format: str | None = None) -> DateOrder:
    """The order of a column's day-month dates, from `date_format` when given, else from its own values.

    A value that is a date only day-first (``13-01-2024``) or only month-first
    (``01-13-2024``) counts for that order; the order with more such values
    wins, and with none the Chilean day-first is used. ISO dates, Excel serials
    and values reading the same either way (``05-05-2024``) count for neither.
    A column with values of both kinds is a `DateOrder.conflict`: refuse it, or
    ask for the format. Each distinct text is looked at once.

    >>> o = date_order(pd.Series(["12/11/2020", "12/13/2020", "2020-12-01", "05/05/2020"]))
    >>> o.order, o.how, o.ambiguous, o.month_first.tolist()
    ('mdy', 'values', 1, [1])
    """
    given = date_format_order(date_format)
    none = np.empty(0, dtype=np.int64)
    if given is not None:
        return DateOrder(given, "format", none, none, none)
    codes, uniques = pd.factorize(_as_text(series).str.strip())
    kinds = np.zeros(len(uniques), dtype=np.int8)  # 0: neither, 1: only day-first, 2: only month-first, 3: both
    for i, value in enumerate(uniques.tolist()):
        m = _DMY.fullmatch(value)
        if not m or len(m[4]) != 4:
            continue
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        day_first, month_first = _is_date(year, b, a), _is_date(year, a, b)
        kinds[i] = (1 if day_first else 0) + (2 if month_first else 0) if a != b else 0
    per_row = kinds[codes] if len(codes) else kinds[:0]
    day, month, either = (np.flatnonzero(per_row == k) for k in (1, 2, 3))
    how = "values" if len(day) or len(month) else "default"
    return DateOrder(MDY if len(month) > len(day) else DMY, how, day, month, either)


def _is_date(year: int, month: int, day: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def parse_date(text: str, order: str = DMY) -> dt.date:
    """A date from a Chilean spreadsheet cell; see the module docstring for the accepted forms.

    `order` says how ``05-03-2024`` reads: `DMY` (5 March, the default), `MDY`
    (May 3), or `YMD` (a format was given that puts the year first: such values
    are refused). ISO dates and Excel serials read the same in every order.

    >>> parse_date("31-01-2024"), parse_date("2024/01/31"), parse_date("45292"), parse_date("01/31/2024", MDY)
    (datetime.date(2024, 1, 31), datetime.date(2024, 1, 31), datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        example = dt.date(2024, 1, 31).strftime({DMY: "%d-%m-%Y", MDY: "%m-%d-%Y"}.get(order, "%Y-%m-%d"))
        raise ParseError("no date given", f"write the date as {ORDER_PATTERN[order]}, e.g. {example}")
    if m := _DMY.fullmatch(raw):
        first, second, year = int(m[1]), int(m[3]), m[4]
        if order == YMD:
            raise ParseError(f"{_shown(raw)} is not in the date format given (yyyy-mm-dd)",
                             "write the date as yyyy-mm-dd, or give the format the file uses")
        if len(year) != 4:
            raise ParseError(f"{_shown(raw)} has a {len(year)}-digit year, which is ambiguous",
                             "write the year with four digits, e.g. 31-01-2024")
        day, month = (second, first) if order == MDY else (first, second)
        return _checked_date(raw, int(year), month, day, order=order)
    if m := _YMD.fullmatch(raw):
        return _checked_date(raw, int(m[1]), int(m[3]), int(m[4]), order="ymd")
    if m := _SERIAL.fullmatch(raw):
        serial = int(m[1])
        if 1 <= serial <= EXCEL_SERIAL_MAX:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
        raise ParseError(f"{_shown(raw)} is not a date: as an Excel date number it must be between 1 and "
                         f"{EXCEL_SERIAL_MAX}", "format the column as a date in Excel, or write dd-mm-yyyy")
    raise ParseError(f"{_shown(raw)} is not a date in a known format",
                     "write the date as dd-mm-yyyy (31-01-2024) or yyyy-mm-dd (2024-01-31)")


def _checked_date(raw: str, year: int, month: int, day: int, order: str) -> dt.date:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ParseError(f"{_shown(raw)} has the year {year}, outside {YEAR_MIN}-{YEAR_MAX}", "correct the year")
    if not 1 <= month <= 12:
        fix = "correct the month"
        if order in (DMY, MDY) and 1 <= day <= 12:
            other = _ORDER_WORDS[MDY if order == DMY else DMY]
            fix = f"dates are read {_ORDER_WORDS[order]}; swap day and month if this is {other}"
        raise ParseError(f"{_shown(raw)} is not a date: there is no month {month}", fix)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        if month == 2 and day == 29:
            reason = f"{year} is not a leap year, so February {year} has 28 days"
        elif month == 2:
            reason = "February has 28 or 29 days"
        elif day == 0:
            reason = "days start at 1"
        else:
            reason = f"{MONTHS[month]} has {last} days"
        raise ParseError(f"{_shown(raw)} is not a date: {reason}", "correct the day")
    return dt.date(year, month, day)


def parse_dates(series: pd.Series, order: str = DMY) -> Parsed:
    """`parse_date` over a Series, in one `order` (`date_order` finds it); ``values`` is datetime64 (NaT where
    invalid or empty)."""
    def convert(text):
        return np.datetime64(parse_date(text, order), "D")
    return _by_distinct(series, convert, np.datetime64("NaT", "D"), "datetime64[s]")


# --------------------------------------------------------------------------- times

_DATE_HEAD = r"(?:(?:\d{1,2}([-/.])\d{1,2}\1\d{4}|\d{4}([-/.])\d{1,2}\2\d{1,2})[ T]+)?"
_TIME = re.compile(
    _DATE_HEAD + r"(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"(?:(a\.?\s?m\.?|p\.?\s?m\.?)|h|hr|hrs|horas?)?\.?",
    re.IGNORECASE,
)


def parse_time(text: str) -> dt.time:
    """A time of day: ``14:30``, ``9:05``, ``14:30:15``, ``14.30`` (a dot is a separator, never decimal hours),
    ``14:30 hrs``, ``2:30 PM``, or a date followed by the time (``2024-01-31 14:30``). ``24:00`` is refused.

    >>> parse_time("9:05"), parse_time("14.30 hrs")
    (datetime.time(9, 5), datetime.time(14, 30))
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        raise ParseError("no time given", "write the time as HH:MM, e.g. 14:30")
    m = _TIME.fullmatch(raw)
    if not m:
        raise ParseError(f"{_shown(raw)} is not a time in a known format", "write the time as HH:MM, e.g. 14:30")
    hour, minute, second, meridiem = int(m[3]), int(m[4]), int(m[5] or 0), m[6]
    if meridiem:
        if not 1 <= hour <= 12:
            raise ParseError(f"{_shown(raw)} is not a time: with AM/PM the hour goes from 1 to 12",
                             "write the time as HH:MM on the 24-hour clock")
        hour = hour % 12 + (12 if meridiem.lower().startswith("p") else 0)
    if hour == 24 and minute == 0 and second == 0:
        raise ParseError(f"{_shown(raw)} is not a time of day: hours go from 00 to 23",
                         "write 00:00 and move the date to the next day")
    if hour > 23:
        raise ParseError(f"{_shown(raw)} is not a time: hours go from 00 to 23", "correct the hour")
    if minute > 59:
        raise ParseError(f"{_shown(raw)} is not a time: minutes go from 00 to 59", "correct the minutes")
    if second > 59:
        raise ParseError(f"{_shown(raw)} is not a time: seconds go from 00 to 59", "correct the seconds")
    return dt.time(hour, minute, second)


def parse_times(series: pd.Series) -> Parsed:
    """`parse_time` over a Series; ``values`` is timedelta64 since midnight (NaT where invalid or empty)."""
    def convert(text):
        t = parse_time(text)
        return np.timedelta64(t.hour * 3600 + t.minute * 60 + t.second, "s")
    return _by_distinct(series, convert, np.timedelta64("NaT", "s"), "timedelta64[s]")


# --------------------------------------------------------------------------- numbers

_SIGN = r"[+-]?"
# Tried in this order; the first full match decides how the marks are read.
_NUMBER_FORMS = {
    "auto": (
        ("plain", _SIGN + r"\d+"),
        ("dot_thousands", _SIGN + r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?"),
        ("comma_thousands", _SIGN + r"[1-9]\d{0,2}(?:,\d{3})+\.\d+|" + _SIGN + r"[1-9]\d{0,2}(?:,\d{3}){2,}"),
        ("comma_decimal", _SIGN + r"\d*,\d+"),
        ("dot_decimal", _SIGN + r"\d*\.\d+"),
        ("scientific", _SIGN + r"\d+(?:[.,]\d+)?[eE][+-]?\d+"),
    ),
    ",": (
        ("plain", _SIGN + r"\d+"),
        ("dot_thousands", _SIGN + r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?"),
        ("comma_decimal", _SIGN + r"\d*,\d+"),
        ("scientific", _SIGN + r"\d+(?:,\d+)?[eE][+-]?\d+"),
    ),
    ".": (
        ("plain", _SIGN + r"\d+"),
        ("comma_thousands", _SIGN + r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?"),
        ("dot_decimal", _SIGN + r"\d*\.\d+"),
        ("scientific", _SIGN + r"\d+(?:\.\d+)?[eE][+-]?\d+"),
    ),
}
_COMPILED = {mode: tuple((name, re.compile(p)) for name, p in forms) for mode, forms in _NUMBER_FORMS.items()}
_NOISE = re.compile("^\\$|[ \t\u00a0\u202f]")


def _normalise_number(kind: str, text: str) -> str:
    if kind in ("dot_thousands",):
        return text.replace(".", "").replace(",", ".")
    if kind == "comma_thousands":
        return text.replace(",", "")
    if kind in ("comma_decimal", "scientific"):
        return text.replace(",", ".")
    return text


def _strip_number(raw: str) -> str:
    sign = ""
    if raw[:1] in "+-" and raw[1:].lstrip().startswith("$"):
        sign, raw = raw[0], raw[1:].lstrip()
    return sign + _NOISE.sub("", raw)


def parse_number(text: str, *, decimal: str = "auto") -> float:
    """A number written the Chilean way (see the module docstring for the rule).

    >>> parse_number("1.234,5"), parse_number("1.234"), parse_number("12,5"), parse_number("1234.5")
    (1234.5, 1234.0, 12.5, 1234.5)
    """
    if decimal not in _COMPILED:
        raise ValueError(f"decimal must be 'auto', ',' or '.', not {decimal!r}")
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        raise ParseError("no number given", "write the number, e.g. 1.234,5")
    cleaned = _strip_number(raw)
    for kind, pattern in _COMPILED[decimal]:
        if pattern.fullmatch(cleaned):
            value = float(_normalise_number(kind, cleaned))
            if not math.isfinite(value):
                break
            return value
    if "%" in raw:
        raise ParseError(f"{_shown(raw)} is a percentage", "write the number without %, as a fraction or a count")
    if "." in cleaned and "," in cleaned or cleaned.count(".") > 1 or cleaned.count(",") > 1:
        raise ParseError(f"{_shown(raw)} mixes thousands and decimal marks in a way that is not a number",
                         "write it as 1.234,5 (dot for thousands, comma for decimals) or without thousands marks")
    raise ParseError(f"{_shown(raw)} is not a number", "write the number with digits only, e.g. 1234,5")


def parse_numbers(series: pd.Series, *, decimal: str = "auto") -> Parsed:
    """`parse_number` over a Series with vectorised string operations; ``values`` is float64.

    ``decimal="column"`` reads the whole Series with the mark `column_decimal` finds in it.
    """
    text = _as_text(series)
    if decimal == "column":
        decimal, values, empty = _column_values(text)
    else:
        values, empty = _number_values(text, decimal)
    invalid = values.isna() & ~empty
    return Parsed(values, invalid, empty, _errors_for(text, invalid, lambda t: parse_number(t, decimal=decimal)))


def _number_values(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """The numbers of a Series of text (NaN where invalid or empty) and its empty mask, without messages."""
    if decimal not in _COMPILED:
        raise ValueError(f"decimal must be 'auto', ',' or '.', not {decimal!r}")
    stripped = text.str.strip()
    empty = stripped == ""
    cleaned = stripped
    # Regex replacements are slow on 1M strings: run them only on the rows that need them.
    dollar = stripped.str.contains("$", regex=False).to_numpy(dtype=bool, na_value=False)
    if dollar.any():
        cleaned = cleaned.mask(dollar, cleaned.str.replace(r"^([+-]?)\s*\$", r"\1", regex=True))
    # Literal characters, not \s or \u escapes: those send pandas to a per-row Python fallback.
    spaced = cleaned.str.contains("[ \t\u00a0\u202f]", regex=True).to_numpy(dtype=bool, na_value=False)
    if spaced.any():
        cleaned = cleaned.mask(spaced, cleaned.str.replace("[ \t\u00a0\u202f]", "", regex=True))
    result = np.full(len(text), np.nan)
    undecided = ~empty.to_numpy()
    for kind, pattern in _NUMBER_FORMS[decimal]:
        if not undecided.any():
            break
        hit = cleaned.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False) & undecided
        if hit.any():
            chosen = cleaned[hit]
            if kind == "dot_thousands":
                chosen = chosen.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            elif kind == "comma_thousands":
                chosen = chosen.str.replace(",", "", regex=False)
            elif kind in ("comma_decimal", "scientific"):
                chosen = chosen.str.replace(",", ".", regex=False)
            result[hit] = _to_float(chosen)
            undecided &= ~hit
    result[~np.isfinite(result)] = np.nan
    return pd.Series(result, index=text.index), empty


def column_decimal(series: pd.Series) -> str:
    """The decimal mark a whole column is written with: ``","``, ``"."``, or ``"auto"`` when it does not show.

    One value that only one convention can read settles it for the column
    ("-70.52" or "0.123" for the dot, "12,5" or "1.234,5" for the comma), so
    "-70.531" beside "-70.52" is a decimal and not -70531 thousands. A column
    whose every value reads both ways ("1.234", "987") keeps the Chilean rule
    of `parse_number`; one with evidence both ways too, value by value.
    For columns of unknown meaning (an analyst's table); the import pipeline
    knows what each field holds and reads values one by one.

    >>> column_decimal(pd.Series(["-70.531", "-70.52"])), column_decimal(pd.Series(["1.234", "12,5"]))
    ('.', ',')
    """
    return _column_values(_as_text(series))[0]


def _column_values(text: pd.Series) -> tuple[str, pd.Series, pd.Series]:
    """The column's mark, its numbers read with it, and the empty mask (two passes, a third when undecided)."""
    dot, empty = _number_values(text, ".")
    comma, _ = _number_values(text, ",")
    dot_only = bool((comma.isna() & dot.notna()).any())
    comma_only = bool((dot.isna() & comma.notna()).any())
    if dot_only != comma_only:
        return ("." if dot_only else ","), (dot if dot_only else comma), empty
    return "auto", _number_values(text, "auto")[0], empty


def _to_float(text: pd.Series) -> np.ndarray:
    """Strings already matched by a number pattern, as float64 (Arrow's cast is 5x faster than to_numeric)."""
    try:
        return text.astype("float64").to_numpy()
    except (ValueError, TypeError):
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)


# --------------------------------------------------------------------------- coordinates

def coordinate_number(text: str) -> float:
    """A coordinate component: a single "." or "," is decimal; otherwise as `parse_number`."""
    raw = text.strip() if isinstance(text, str) else ""
    cleaned = re.sub(r"\s", "", raw)
    if re.fullmatch(r"[+-]?\d*[.,]\d+|[+-]?\d+", cleaned):
        return float(cleaned.replace(",", "."))
    return parse_number(raw)


@functools.lru_cache(maxsize=16)
def _transformer(crs: str):
    from pyproj import Transformer

    return Transformer.from_crs(crs, WGS84, always_xy=True)


def guess_crs(x: float, y: float) -> str | None:
    """EPSG:4326 for degrees, EPSG:32719 for UTM 19S metres, None when the magnitude fits neither."""
    if abs(x) <= 180 and abs(y) <= 90:
        return WGS84
    if 100_000 <= x <= 900_000 and 1_000_000 <= y <= 10_000_000:
        return UTM19S
    return None


def parse_coordinates(x: str, y: str, *, crs: str | None = None,
                      bounds: tuple[float, float, float, float] = CHILE_BOUNDS) -> tuple[float, float]:
    """``(lon, lat)`` in WGS84 from a longitude/easting cell and a latitude/northing cell.

    `crs` ("EPSG:4326", "EPSG:32719", any pyproj CRS) overrides the guess by
    magnitude. `bounds` (lon_min, lat_min, lon_max, lat_max) is the plausible
    box, Chile by default; pass the commune's box to be strict.

    >>> parse_coordinates("-70,5403", "-33,4861")
    (-70.5403, -33.4861)
    >>> [round(v, 4) for v in parse_coordinates("352000", "6290000")]
    [-70.5936, -33.5193]
    """
    if not (isinstance(x, str) and x.strip()) or not (isinstance(y, str) and y.strip()):
        raise ParseError("a coordinate is missing", "fill in both coordinates, or leave both empty")
    try:
        a, b = coordinate_number(x), coordinate_number(y)
    except ParseError as exc:
        raise ParseError(f"coordinate {exc.message}", exc.fix) from None
    return _locate(a, b, crs, bounds)


def _locate(a: float, b: float, crs: str | None, bounds) -> tuple[float, float]:
    shown = f"({a:g}, {b:g})"
    if a == 0 and b == 0:
        raise ParseError(f"{shown} is a placeholder, not a place", "leave the coordinates empty if unknown")
    used = crs or guess_crs(a, b)
    if used is None:
        raise ParseError(f"{shown} is neither degrees nor UTM 19S metres",
                         "give longitude and latitude in degrees (e.g. -70.54, -33.49) or UTM 19S east and north")
    if used in (WGS84, "EPSG:4326"):
        lon, lat = a, b
        if not (abs(lon) <= 180 and abs(lat) <= 90):
            raise ParseError(f"{shown} is out of range for degrees", "check the coordinate system of the columns")
    else:
        try:
            lon, lat = _transformer(used).transform(a, b)
        except Exception as exc:  # pyproj raises its own CRSError for an unknown crs string
            raise UserError(N_("«%(crs)s» no es un sistema de coordenadas que pyproj conozca: %(error)s"), crs=used,
                            error=exc) from exc
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ParseError(f"{shown} cannot be converted from {used}", "check the coordinate system of the columns")
    _check_bounds(lon, lat, bounds, shown, used)
    return float(lon), float(lat)


def _inside(lon, lat, bounds) -> bool:
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


def _check_bounds(lon, lat, bounds, shown, used):
    if _inside(lon, lat, bounds):
        return
    if used in (WGS84, "EPSG:4326"):
        if _inside(lat, lon, bounds):
            raise ParseError(f"{shown} has latitude and longitude swapped", "swap the longitude and latitude columns")
        if _inside(-abs(lon), -abs(lat), bounds):
            raise ParseError(f"{shown} lacks a minus sign: in Chile longitude and latitude are negative",
                             "add the minus sign to both coordinates")
    raise ParseError(f"{shown} is outside the expected area (lon {bounds[0]}..{bounds[2]}, lat {bounds[1]}..{bounds[3]})",
                     "check the coordinates and their coordinate system")


def parse_coordinate_columns(xs: pd.Series, ys: pd.Series, *, crs: str | None = None,
                             bounds: tuple[float, float, float, float] = CHILE_BOUNDS) -> tuple[Parsed, Parsed]:
    """`parse_coordinates` over two Series: ``(lon, lat)`` Parsed results sharing masks and errors.

    A row is empty when both cells are empty; one empty is invalid.
    """
    x_text, y_text = _as_text(xs), _as_text(ys)
    a = _coordinate_numbers(x_text)
    b = _coordinate_numbers(y_text)
    empty = ((x_text.str.strip() == "") & (y_text.str.strip() == "")).to_numpy()
    lon = np.full(len(a), np.nan)
    lat = np.full(len(a), np.nan)
    finite = np.isfinite(a) & np.isfinite(b) & ~((a == 0) & (b == 0))
    if crs is None:
        degrees = finite & (np.abs(a) <= 180) & (np.abs(b) <= 90)
        utm = finite & ~degrees & (a >= 100_000) & (a <= 900_000) & (b >= 1_000_000) & (b <= 10_000_000)
        lon[degrees], lat[degrees] = a[degrees], b[degrees]
        if utm.any():
            lon[utm], lat[utm] = _transformer(UTM19S).transform(a[utm], b[utm])
    elif crs in (WGS84, "EPSG:4326"):
        ok = finite & (np.abs(a) <= 180) & (np.abs(b) <= 90)
        lon[ok], lat[ok] = a[ok], b[ok]
    else:
        try:
            lon[finite], lat[finite] = _transformer(crs).transform(a[finite], b[finite])
        except Exception as exc:
            raise UserError(N_("«%(crs)s» no es un sistema de coordenadas que pyproj conozca: %(error)s"), crs=crs,
                            error=exc) from exc
    inside = (lon >= bounds[0]) & (lon <= bounds[2]) & (lat >= bounds[1]) & (lat <= bounds[3])
    lon[~inside], lat[~inside] = np.nan, np.nan
    invalid = ~inside & ~empty
    index = x_text.index
    invalid_s = pd.Series(invalid, index=index)
    rows = np.flatnonzero(invalid)
    errors = {}
    for i in rows:
        try:
            parse_coordinates(x_text.iat[i], y_text.iat[i], crs=crs, bounds=bounds)
            errors[index[i]] = ParseError("coordinates could not be read", "check both coordinate cells")
        except ParseError as exc:
            errors[index[i]] = exc
    err = pd.Series(errors, dtype=object)
    empty_s = pd.Series(empty, index=index)
    return (Parsed(pd.Series(lon, index=index), invalid_s, empty_s, err),
            Parsed(pd.Series(lat, index=index), invalid_s.copy(), empty_s.copy(), err))


def _coordinate_numbers(text: pd.Series) -> np.ndarray:
    # Removing spaces costs a Python regex call per cell; most columns hold only digits, signs and marks.
    plain = text.str.fullmatch(r"[0-9.,+-]*").fillna(False).all()
    cleaned = text if plain else text.str.replace(r"\s", "", regex=True)
    simple = cleaned.str.fullmatch(r"[+-]?\d*[.,]\d+|[+-]?\d+").fillna(False).to_numpy(dtype=bool)
    out = np.full(len(text), np.nan)
    if simple.any():
        out[simple] = pd.to_numeric(cleaned[simple].str.replace(",", ".", regex=False), errors="coerce")
    rest = ~simple & (cleaned != "").to_numpy()
    if rest.any():
        out[rest] = parse_numbers(text[rest]).values.to_numpy()
    return out


# --------------------------------------------------------------------------- shared

def _as_text(series: pd.Series) -> pd.Series:
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    return series.fillna("").astype("str")


def _by_distinct(series: pd.Series, convert, missing, dtype) -> Parsed:
    """Apply a scalar parser once per distinct stripped text and spread the results."""
    text = _as_text(series)
    stripped = text.str.strip()
    codes, uniques = pd.factorize(stripped)
    converted = np.empty(len(uniques), dtype=np.asarray(missing).dtype)
    failures = {}
    for i, value in enumerate(uniques.tolist()):
        if value == "":
            converted[i] = missing
            continue
        try:
            converted[i] = convert(value)
        except ParseError as exc:
            converted[i] = missing
            failures[i] = exc
    taken = converted[codes] if len(codes) else converted[:0]
    values = pd.Series(taken.astype(dtype), index=text.index)
    empty = stripped == ""
    bad_codes = np.fromiter(failures, dtype=np.int64, count=len(failures))
    invalid = pd.Series(np.isin(codes, bad_codes), index=text.index)
    rows = np.flatnonzero(invalid.to_numpy())
    errors = pd.Series([failures[c] for c in codes[rows]], index=text.index[rows], dtype=object)
    return Parsed(values, invalid, empty.astype(bool), errors)


def _errors_for(text: pd.Series, invalid: pd.Series, parse) -> pd.Series:
    rows = np.flatnonzero(invalid.to_numpy())
    cache: dict[str, ParseError] = {}
    out = []
    for value in text.iloc[rows].tolist():
        if value not in cache:
            try:
                parse(value)
                cache[value] = ParseError(f"{_shown(value)} could not be read", "check the value")
            except ParseError as exc:
                cache[value] = exc
        out.append(cache[value])
    return pd.Series(out, index=text.index[rows], dtype=object)
