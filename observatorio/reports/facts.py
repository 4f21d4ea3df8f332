"""The structured figures a report's sections carry (``Section.facts``), for the main points.

The hand-off to ``reports/sentences.py``: a kind's builder counts through the dashboard engine and keeps,
beside the formatted tables, these plain numbers (None: withheld by disclosure control in a public report,
never to be written as a number). Sentences are generated from them, so a main point quotes exactly the
figure the table shows. Django-free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AreaPart:
    """One area's part of a comparison's change (its count now − then), for "the fall concentrates in …";
    ``withheld``: never named (hidden by disclosure control, or the events placed in no area)."""

    name: str
    change: int
    withheld: bool = False


@dataclass(frozen=True)
class Change:
    """The period against another window (``engine.Comparison``): ``outcome`` is the engine's shown verdict
    (a ``Verdict`` value, or ``few_events``); None counts/changes: withheld."""

    start: dt.date
    end: dt.date
    count: int | None  # the other window's count
    change: int | None  # period − other
    pct_change: float | None
    p_value: float | None
    outcome: str
    where: tuple[AreaPart, ...] = ()  # the areas' parts of ``change`` (they add up to it); () when not asked


@dataclass(frozen=True)
class CountFact:
    """One measure (optionally one family of it) counted over the period, with its two comparisons."""

    measure: str  # code
    measure_name: str
    unit: str
    start: dt.date
    end: dt.date
    count: int | None
    previous: Change
    last_year: Change
    family: str = ""  # the family's name, "" for the whole measure
    rate_per_1000: float | None = None


@dataclass(frozen=True)
class AreaFact:
    """An area whose count changed significantly after FDR control (``engine.area_changes``)."""

    code: str
    name: str
    count: int | None
    before: int | None
    pct_change: float | None
    q_value: float | None
    outcome: str  # "up" | "down" (Verdict values)
