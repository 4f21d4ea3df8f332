"""The periods an indicator is measured over: months, quarters, halves and years of the calendar.

A :class:`Period` is a closed interval of days [start, end]; an indicator's periodicity
(:class:`~observatorio.programmes.models.Periodicity`) cuts each year into 12, 4, 2 or 1 of them.
No Django: the pages, the workbook and the command line all name periods the same way (:meth:`Period.label`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from observatorio.errors import N_, UserError

MONTHS = {"mensual": 1, "trimestral": 3, "semestral": 6, "anual": 12}
MONTH_NAMES = {"es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
               "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
QUARTER = {"es": "T", "en": "Q"}
HALF = {"es": "S", "en": "H"}


def _months(periodicity: str) -> int:
    try:
        return MONTHS[str(periodicity)]
    except KeyError:
        raise UserError(N_("periodicidad %(value)s desconocida; se admiten: %(known)s"),
                        value=repr(periodicity), known=", ".join(MONTHS)) from None


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


@dataclass(frozen=True, order=True)
class Period:
    """Days ``start`` … ``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def periodicity(self) -> str:
        return {1: "mensual", 3: "trimestral", 6: "semestral", 12: "anual"}.get(self.months, "")

    def label(self, lang: str = "es") -> str:
        """"ene 2025", "T1 2025", "S1 2025" or "2025" (English: "Jan 2025", "Q1 2025", "H1 2025")."""
        lang = "en" if str(lang).startswith("en") else "es"
        months, year = self.months, self.start.year
        whole = self.start.day == 1 and self.end == _month_end(self.end.year, self.end.month)
        if whole and months == 1:
            return f"{MONTH_NAMES[lang][self.start.month - 1]} {year}"
        if whole and months == 3 and self.start.month % 3 == 1:
            return f"{QUARTER[lang]}{(self.start.month - 1) // 3 + 1} {year}"
        if whole and months == 6 and self.start.month in (1, 7):
            return f"{HALF[lang]}{1 if self.start.month == 1 else 2} {year}"
        if whole and months == 12 and self.start.month == 1:
            return str(year)
        return f"{self.start:%d-%m-%Y} – {self.end:%d-%m-%Y}"

    def __str__(self) -> str:
        return self.label()

    def previous(self) -> Period:
        """The period of the same length just before (the previous month, quarter, half or year)."""
        return period_containing(self.periodicity or "mensual", self.start - dt.timedelta(days=1)) \
            if self.periodicity else Period(self.start - (self.end - self.start) - dt.timedelta(days=1),
                                            self.start - dt.timedelta(days=1))


def period_containing(periodicity: str, day: dt.date) -> Period:
    """The period of ``periodicity`` that holds ``day``.

    >>> period_containing("trimestral", dt.date(2025, 5, 17)).label()
    'T2 2025'
    """
    step = _months(periodicity)
    first = (day.month - 1) // step * step + 1
    return Period(dt.date(day.year, first, 1), _month_end(day.year, first + step - 1))


def periods_of(periodicity: str, year: int) -> list[Period]:
    """The year's periods in order.

    >>> [p.label() for p in periods_of("semestral", 2025)]
    ['S1 2025', 'S2 2025']
    """
    step = _months(periodicity)
    return [Period(dt.date(year, m, 1), _month_end(year, m + step - 1)) for m in range(1, 13, step)]


def due(period: Period, late_after_days: int) -> dt.date:
    """The last day a measurement of ``period`` is on time: ``late_after_days`` after the period ends.

    A measurement still missing the day after is late.

    >>> due(Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), 15)
    datetime.date(2025, 2, 15)
    """
    return period.end + dt.timedelta(days=int(late_after_days))


def closed(period: Period, today: dt.date) -> bool:
    """Whether the period has ended by ``today`` (its last day is over)."""
    return period.end < today


def parse(text: str, periodicity: str) -> Period:
    """A period from its label ("ene 2025", "T1 2025", "S2 2025", "2025") or its first day (dd-mm-aaaa or ISO)."""
    raw = str(text).strip()
    for lang in ("es", "en"):
        for p in _labelled(raw, periodicity, lang):
            return p
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return period_containing(periodicity, dt.datetime.strptime(raw, fmt).date())
        except ValueError:
            continue
    raise UserError(N_("%(text)s no es un período: escriba «ene 2025», «T1 2025», «S1 2025», «2025» o la fecha de "
                       "inicio dd-mm-aaaa"), text=repr(raw))


def _labelled(raw: str, periodicity: str, lang: str):
    parts = raw.split()
    if not parts or not parts[-1].isdigit() or len(parts[-1]) != 4:
        return
    year = int(parts[-1])
    for p in periods_of(periodicity, year):
        if p.label(lang).lower() == raw.lower():
            yield p
