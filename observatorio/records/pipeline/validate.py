"""Typed validation of every mapped column, before anything is written.

Each field type has one vectorised check built on `tables.parsing` and
`tables.rut` (they parse each distinct text once). A cell that is
not a value of its type is an `Issue` with file, row, column, value, message
and fix, and its row is rejected: a value is never guessed, and never
dropped silently. RUT values are masked in every issue and replaced by their
keyed hash before any other step sees them.

The checks of the typed values are a table (`RULES`): for a field type, a code,
a vectorised test of the parsed column that marks the bad rows, the message and
the fix. Types read as numbers, dates or times share one path (`PARSED`: the
parser and the code of a value it cannot read); the others (text, label, area,
RUT, sex, answers) have their own step.

Dates are read in one order per column (`tables.parsing.date_order`): the
mapping's ``date_format`` when given, else the order of the values that can be
read only one way (Chile's day-first when none can). A column with values of
both orders is refused row by row (`date_order_conflict`: the values against
the order and those it would decide); how many values the order decided is a
note (`date_notes`).

`check_table` returns a `Checked`: the typed columns (a DataFrame with the
table's index), the rejected mask, the issues, the unmapped labels and the
notes on how columns were read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from observatorio.tables import parsing
from observatorio.tables.personal import is_protected, is_rut_column, mask_series, mask_text
from observatorio.tables.readers import Note
from observatorio.tables.rut import mask_rut, rut_keys

from .fields import fields_for
from .issues import ERROR, Issue
from .names import name_keys

SEX = {"f": "F", "fem": "F", "femenino": "F", "mujer": "F", "m": "M", "masc": "M", "masculino": "M", "h": "M",
       "hombre": "M", "x": "X", "otro": "X", "no binario": "X", "nb": "X"}
AGE_BANDS = ((0, "0-13"), (14, "14-17"), (18, "18-29"), (30, "30-44"), (45, "45-59"), (60, "60+"))
AGE_MAX = 120


class Parser(NamedTuple):
    """A type read by a parser of `tables.parsing`, and the code of a text it cannot read."""

    type: str
    parse: Callable[[pd.Series], parsing.Parsed]
    code: str


PARSED = {p.type: p for p in (Parser("date", parsing.parse_dates, "bad_date"),
                              Parser("time", parsing.parse_times, "bad_time"),
                              Parser("age", parsing.parse_numbers, "bad_age"),
                              Parser("count", parsing.parse_numbers, "bad_count"),
                              Parser("weight", parsing.parse_numbers, "bad_weight"))}

# An empty cell of a required field of these types: (message, fix); None is "fill in the column".
REQUIRED = {"text": (None, None), "date": ("no date given", "write the date as dd-mm-yyyy, e.g. 31-01-2024"),
            "count": ("no count given", None)}
# Types whose empty cell is an error whenever the column is mapped (an unmapped weight is 1).
REQUIRED_WHEN_MAPPED = {"weight": ("no expansion factor given", "fill in the column {column!r} (e.g. 1,25)")}


@dataclass(frozen=True)
class Rule:
    """A check of a parsed column: ``bad(values, as_of)`` marks the rows (vectorised) that break it."""

    type: str
    code: str
    bad: Callable[[np.ndarray, dt.date | None], np.ndarray]
    message: str  # may name {as_of} and {max_age}
    fix: str


def _future(days, as_of):
    if as_of is None:
        return np.zeros(len(days), dtype=bool)
    return ~np.isnat(days) & (days > np.datetime64(as_of, "D"))


RULES = (
    Rule("date", "future_date", _future, "the date is after the import date ({as_of})", "check the year"),
    Rule("age", "bad_age", lambda v, _: np.isfinite(v) & ((v < 0) | (v > AGE_MAX) | (np.floor(v) != v)),
         "an age is a whole number of years from 0 to {max_age}", "correct the age"),
    Rule("count", "bad_count", lambda v, _: np.isfinite(v) & ((v < 0) | (np.floor(v) != v)),
         "a count is a whole number, 0 or more", "correct the count"),
    Rule("weight", "bad_weight", lambda v, _: np.isfinite(v) & (v <= 0),
         "an expansion factor is a number greater than 0", "correct the factor (e.g. 1,25)"),
)


def _typed(kind: str, parsed: np.ndarray) -> np.ndarray:
    """The parsed column as the rules test it: days for dates, floats for numbers."""
    return parsed.astype("datetime64[D]") if kind == "date" else parsed


def _stored(kind: str, value: np.ndarray, name: str) -> dict[str, np.ndarray]:
    """The typed column(s) a parsed field leaves for the next steps."""
    if kind == "time":
        seconds = value.astype("timedelta64[s]").astype(np.int64)
        seconds[np.isnat(value)] = -1
        return {name: seconds}
    if kind == "age":
        group = np.full(len(value), "", dtype=object)
        for low, band in AGE_BANDS:
            group[np.isfinite(value) & (value >= low)] = band
        return {name.replace("_age", "_age_group"): group}
    if kind == "count":
        return {name: np.where(np.isfinite(value), value, -1).astype(np.int64)}
    return {name: value}


def _thousands_read_back(raw: pd.Series, stripped: pd.Series) -> tuple[pd.Series, int]:
    """The compiled CEAD series stores 1.040 cases as the float 1.04: the thousands dot was read as a
    decimal point and the trailing zeros were lost. Counts are whole, so such a value can only be
    thousands; pad it back to three digits (a source option, never a general guess)."""
    short = stripped.str.fullmatch(r"[1-9]\d{0,2}\.\d{1,2}").to_numpy(dtype=bool, na_value=False)
    if not short.any():
        return raw, 0
    head = stripped[short].str.split(".", n=1)
    raw = raw.copy()
    raw[short] = head.str[0] + "." + head.str[1].str.ljust(3, "0")
    return raw, int(short.sum())


def _dates(column: str, raw: pd.Series, date_format: str | None, out: _Collector, notes: list) -> parsing.Parsed:
    """A date column read in its one order; a contradictory column's rows refused, the order's choice noted."""
    stripped = raw.str.strip()
    order = parsing.date_order(stripped, date_format)
    parsed = parsing.parse_dates(raw, order.order)
    if order.conflict:
        rows = order.contradicting
        error = order.conflict_error(stripped, lambda p: int(out.row_numbers[p]))
        out.add(rows, column, stripped.iloc[rows].tolist(), error.message, error.fix, "date_order_conflict")
        parsed.invalid.iloc[rows] = False  # one issue per cell: the conflict, not also "no month 13"
        parsed.values.iloc[rows] = pd.NaT
        return parsed
    notes.extend(date_notes(column, order, stripped, out.row_numbers))
    return parsed


def date_notes(column: str, order: parsing.DateOrder, text: pd.Series, row_numbers) -> list[Note]:
    """What a column's order decided: how many values read as two different dates, and which way they were read."""
    n = order.ambiguous
    if not n or order.how == "format":
        return []
    if order.how == "default":
        return [Note("dates_day_first_default",
                     f"column {column!r}: {n} dates read as two different dates (day-month or month-day) and no "
                     f"value of the column decides: they were read day-month-year, as in Chile; if the file is "
                     f"month-day-year, set the date format of the mapping (mm-dd-aaaa)",
                     params={"column": column, "n": n})]
    p = order.evidence
    row, value = int(row_numbers[p]), text.iat[p]
    code, words = ("dates_month_first", "month-day-year") if order.order == parsing.MDY else \
        ("dates_day_first", "day-month-year")
    return [Note(code, f"column {column!r}: {n} dates read as two different dates (day-month or month-day); they "
                       f"were read {words}, as the values that read only that way (e.g. row {row}: {value!r})",
                 row, params={"column": column, "n": n, "row": row, "value": value})]


def looks_like_rut_column(name: str) -> bool:
    """A column whose name says it holds RUTs: protected even when no field maps it (`tables.personal`)."""
    return is_rut_column(name)


@dataclass
class Checked:
    values: pd.DataFrame
    rejected: np.ndarray
    issues: list[Issue] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    protected_columns: list[str] = field(default_factory=list)
    thousands_fixed: int = 0
    notes: list[Note] = field(default_factory=list)


class _Collector:
    def __init__(self, file: str, row_numbers: np.ndarray, n: int):
        self.file = file
        self.row_numbers = row_numbers
        self.rejected = np.zeros(n, dtype=bool)
        self.issues: list[Issue] = []

    def add(self, positions, column: str, shown, message, fix, code, severity=ERROR):
        """One issue per position; `shown`, `message` and `fix` are scalars or sequences per position."""
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return
        def per(v):
            return v if isinstance(v, list | tuple | np.ndarray | pd.Series) else [v] * len(positions)
        for p, s, m, f in zip(positions.tolist(), per(shown), per(message), per(fix)):
            # A RUT inside the shown text (or a message quoting it) never reaches the stored report.
            self.issues.append(Issue(self.file, int(self.row_numbers[p]), column, mask_text(str(s)), mask_text(m), f,
                                     code, severity))
        if severity == ERROR:
            self.rejected[positions] = True

    def parse_errors(self, column, text: pd.Series, parsed: parsing.Parsed, code: str, shown=None):
        rows = np.flatnonzero(parsed.invalid.to_numpy())
        if not len(rows):
            return
        errors = parsed.errors.reindex(text.index[rows]).tolist()
        values = shown if shown is not None else text.iloc[rows].str.strip().tolist()
        self.add(rows, column, values, [e.message for e in errors], [e.fix for e in errors], code)


def check_table(table, mapping, target: str, *, crosswalk: dict, area_index=None, rut_key: bytes | None = None,
                as_of: dt.date | None = None, source_code: str = "SOURCE") -> Checked:
    frame = table.frame
    n = len(frame)
    fields = fields_for(target)
    out = _Collector(table.file, table.row_numbers, n)
    values = pd.DataFrame(index=frame.index)
    cols = mapping.columns
    thousands_fixed = 0
    notes: list[Note] = []

    def text(name) -> pd.Series:
        return frame[cols[name]].fillna("").astype(str)

    def empty_required(name, stripped: pd.Series, message, fix):
        # A field replaced by another one (occurred_on by a window) is checked with it (windows.py).
        if fields[name].required and not (fields[name].unless and fields[name].unless in cols):
            rows = np.flatnonzero((stripped == "").to_numpy())
            out.add(rows, cols[name], "", message, fix, "required_empty")

    for name, spec in fields.items():
        if name not in cols or spec.type in ("coordinate",):
            continue
        column = cols[name]
        raw = text(name)
        stripped = raw.str.strip()
        if spec.type in PARSED:
            if spec.type == "count" and mapping.options.get("count_dot_is_thousands"):
                raw, thousands_fixed = _thousands_read_back(raw, stripped)
            code = PARSED[spec.type].code
            if spec.type == "date":
                parsed = _dates(column, raw, mapping.options.get("date_format"), out, notes)
            else:
                parsed = PARSED[spec.type].parse(raw)
            out.parse_errors(column, raw, parsed, code)
            if spec.type in REQUIRED:
                message, fix = REQUIRED[spec.type]
                empty_required(name, stripped, message, fix or f"fill in the column {column!r}")
            if spec.type in REQUIRED_WHEN_MAPPED:
                message, fix = REQUIRED_WHEN_MAPPED[spec.type]
                out.add(np.flatnonzero((stripped == "").to_numpy()), column, "", message, fix.format(column=column),
                        "required_empty")
            value = _typed(spec.type, parsed.values.to_numpy())
            for rule in (r for r in RULES if r.type == spec.type):
                bad, code = np.flatnonzero(rule.bad(value, as_of)), rule.code
                message = rule.message.format(as_of=as_of.isoformat() if as_of else "", max_age=AGE_MAX)
                out.add(bad, column, stripped.iloc[bad].tolist(), message, rule.fix, code)
            for key, column_values in _stored(spec.type, value, name).items():
                values[key] = column_values
        elif spec.type == "text":
            if spec.max_length:
                long = np.flatnonzero((stripped.str.len() > spec.max_length).to_numpy())
                out.add(long, column, stripped.iloc[long].str.slice(0, 40).tolist(),
                        f"longer than {spec.max_length} characters", "shorten the value", "too_long")
            message, fix = REQUIRED["text"]
            empty_required(name, stripped, message or f"no {name} given", fix or f"fill in the column {column!r}")
            # Free text (an address, a nationality) keeps no RUT; identifiers are codes, never masked.
            values[name] = stripped if name == "external_id" else mask_series(stripped)
        elif spec.type == "label":
            labels = mask_series(stripped)  # a label is free text too: no RUT in it is kept
            keys = name_keys(labels)
            too_long = np.flatnonzero((labels.str.len() > (spec.max_length or 200)).to_numpy())
            out.add(too_long, column, labels.iloc[too_long].str.slice(0, 40).tolist(), "the label is too long",
                    "shorten it to 200 characters", "too_long")
            empty = (labels == "").to_numpy()
            out.add(np.flatnonzero(empty), column, "", "no category label given",
                    f"fill in the column {column!r}", "required_empty")
            codes, uniques = pd.factorize(keys)
            cat = np.asarray([crosswalk.get(k, (-1, ""))[0] for k in uniques.tolist()], dtype=np.int64)
            category = cat[codes] if n else np.empty(0, dtype=np.int64)
            unmapped = (category < 0) & ~empty
            rows = np.flatnonzero(unmapped)
            counts = Counter(labels.iloc[rows].tolist())
            out.add(rows, column, labels.iloc[rows].tolist(), "the label is not mapped to a category",
                    [f"map it with `observatorio crosswalk {source_code} --set \"{lab}=CATEGORY\"`"
                     for lab in labels.iloc[rows].tolist()], "unmapped_label")
            values["label"] = labels
            values["label_key"] = keys
            values["category_id"] = category
            unmapped_counter = counts
        elif spec.type == "area":
            ids = area_index.codes_to_ids(stripped) if area_index is not None else np.full(n, -1)
            bad = np.flatnonzero((ids < 0) & (stripped != "").to_numpy())
            known = ", ".join(area_index.known_codes()) if area_index is not None else ""
            out.add(bad, column, stripped.iloc[bad].tolist(), "no area has this code",
                    f"use the code of a UV, macrosector or comuna (e.g. {known})" if known else
                    "set up the territory first (observatorio territory)", "unknown_area")
            values["area_code"] = stripped
            values["area_code_id"] = ids
        elif spec.type == "rut":
            if rut_key is None:
                raise ValueError("a RUT column is mapped but no RUT hash key was given")
            parsed = rut_keys(raw, rut_key)
            rows = np.flatnonzero(parsed.invalid.to_numpy())
            if len(rows):
                out.parse_errors(column, raw, parsed, "bad_rut", shown=[mask_rut(v) for v in raw.iloc[rows]])
            values[name.replace("_rut", "_key")] = parsed.values.astype(object)
        elif spec.type == "sex":
            keys = name_keys(stripped)
            mapped = keys.map(SEX)
            bad = np.flatnonzero((mapped.isna() & (keys != "")).to_numpy())
            out.add(bad, column, stripped.iloc[bad].tolist(), "not a sex code",
                    "write F (femenino), M (masculino) or X", "bad_sex")
            values[name] = mapped.fillna("").astype(object)
        elif spec.type in ("answer", "yes_no"):
            from .answers import FEELS_UNSAFE, FEELS_UNSAFE_HELP, YES_NO, YES_NO_HELP, parse_answers

            answer = spec.type == "answer"
            value, known = parse_answers(stripped, FEELS_UNSAFE if answer else YES_NO)
            bad = np.flatnonzero(~known)
            blank = (stripped.iloc[bad] == "").tolist()
            out.add(bad, column, stripped.iloc[bad].tolist(),
                    ["no answer given" if b else "not an answer this column accepts" for b in blank],
                    FEELS_UNSAFE_HELP if answer else YES_NO_HELP, "bad_answer")
            values[name] = value

    if "window_start_on" in cols:
        from .windows import check_windows

        check_windows(values, cols, lambda f: text(f).str.strip(), out, mapping.options)

    if "lon" in cols:
        lon_p, lat_p = parsing.parse_coordinate_columns(text("lon"), text("lat"), crs=mapping.options.get("crs"))
        rows = np.flatnonzero(lon_p.invalid.to_numpy())
        if len(rows):
            errors = lon_p.errors.reindex(frame.index[rows]).tolist()
            shown = (text("lon").iloc[rows].str.strip() + ", " + text("lat").iloc[rows].str.strip()).tolist()
            column = f"{cols['lon']}/{cols['lat']}"
            out.add(rows, column, shown, [e.message for e in errors], [e.fix for e in errors], "bad_coordinates")
        values["lon"] = lon_p.values.to_numpy()
        values["lat"] = lat_p.values.to_numpy()

    checked = Checked(values, out.rejected, out.issues)
    checked.thousands_fixed = thousands_fixed
    checked.notes = notes
    checked.unmapped = unmapped_counter if "label" in cols else Counter()
    checked.protected_columns = [c for c in table.columns
                                 if is_protected(c) or c in {cols.get("victim_rut"), cols.get("offender_rut")}]
    return checked


def attribute_values(table, mapping) -> dict[str, pd.Series]:
    """The attributes' text, RUTs inside it masked (`tables.personal.mask_series`)."""
    return {name: mask_series(table.frame[column].fillna("").astype(str).str.strip())
            for name, column in mapping.attributes.items()}


def kept_columns(table, mapping) -> list[str]:
    """The file columns whose raw text an event or response keeps as ``original``: the mapped fields and
    the attributes, never a protected column (a RUT field is kept only as its hash), in the file's order."""
    mapped = set(mapping.columns.values()) | set(mapping.attributes.values())
    return [c for c in table.columns if c in mapped and not is_protected(c)
            and c not in {mapping.columns.get("victim_rut"), mapping.columns.get("offender_rut")}]


def original_values(table, mapping) -> tuple[list[str], list[pd.Series]]:
    """``(columns, texts)`` of `kept_columns`, RUTs inside the text masked."""
    kept = kept_columns(table, mapping)
    return kept, [mask_series(table.frame[c]) for c in kept]

