"""Perception surveys: one `SurveyResponse` per respondent, with the batch semantics of events.

`run.run_import` reads, maps and validates a survey file like any other
(`validate.py` types the expansion factor and the answers, `answers.py`
holds the yes/no and Likert rule); this module places each respondent in
an area (by its area code, or by its point with the same bulk locator as
events), builds the homologated values, the content hash and the columns
`write.insert_responses` takes.

Duplicates: the respondent id (``external_id``, unique per source) or,
without one, the content hash (survey, date, area, weight, answers and the
other columns). A stored respondent sent again with other answers is *not*
corrected in place (surveys have no revisions): the row is rejected, naming
the batch to roll back, so a batch's rollback always removes exactly its rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.tables.readers import Note

from . import dedupe
from .issues import ERROR, WARNING, Issue
from .names import name_key
from .write import text_json_objects


def _column(values: pd.DataFrame, name: str, n: int, default="") -> np.ndarray:
    if name in values:
        return values[name].to_numpy()
    return np.full(n, default, dtype=object)


def survey_name(mapping, file_name: str) -> str:
    """The survey's name when no column holds it: the mapping option ``survey``, else the file's name."""
    return str(mapping.options.get("survey") or Path(file_name).stem)[:100]


def prepare_responses(table, mapping, values, area_index, rejected, issues, notes, name) -> dict:
    from .validate import attribute_values, original_values

    n = len(table)
    default_survey = survey_name(mapping, name)
    survey = _column(values, "survey", n).astype(object)
    survey = np.where(survey == "", default_survey, survey).astype(object)
    if "survey" not in mapping.columns:
        notes.append(Note("survey_name_default", f"no column names the survey: its responses are recorded as survey "
                                                 f"{default_survey!r} (set it with the mapping option survey)",
                          params={"survey": default_survey}))
    days = _column(values, "answered_on", n, np.datetime64("NaT")).astype("datetime64[D]")
    lon = _column(values, "lon", n, np.nan).astype(np.float64)
    lat = _column(values, "lat", n, np.nan).astype(np.float64)
    area, outside = area_index.assign(lon, lat, days)
    code_ids = _column(values, "area_code_id", n, -1).astype(np.int64)
    located = np.isfinite(lon) & np.isfinite(lat)
    area[~located] = code_ids[~located]
    far = np.flatnonzero(outside & ~rejected)
    column = f"{mapping.columns['lon']}/{mapping.columns['lat']}" if "lon" in mapping.columns else ""
    for p in far.tolist():
        issues.append(Issue(name, int(table.row_numbers[p]), column, f"{lat[p]:.6f}, {lon[p]:.6f}",
                            "the respondent's point is outside the comuna: the response has no area",
                            "check the coordinates, or give the area code", "outside", WARNING))
    if "weight" in values:
        weight = values["weight"].to_numpy(dtype=np.float64)
    else:
        weight = np.ones(n)
        notes.append(Note("no_weight", "no expansion factor is mapped: every response weighs 1"))

    kept, texts = original_values(table, mapping)
    original = text_json_objects(kept, texts, n)
    attr_values = attribute_values(table, mapping)
    attr_names = sorted(attr_values)
    attributes = text_json_objects(attr_names, [attr_values[a] for a in attr_names], n)
    feels = _column(values, "feels_unsafe", n, False).astype(bool)
    victim = _column(values, "victimized", n, False).astype(bool)
    parts = [dedupe.per_distinct(survey, name_key), pd.Series(np.datetime_as_string(days)),
             pd.Series(_column(values, "area_code", n)), dedupe.rounded(lon), dedupe.rounded(lat),
             dedupe.rounded(np.where(np.isfinite(weight), weight, np.nan)),
             pd.Series(feels.astype(int)), pd.Series(victim.astype(int)), pd.Series(attributes)]
    return {"survey": survey, "days": days, "area": area, "weight": weight, "feels_unsafe": feels,
            "victimized": victim, "original": original, "attributes": attributes,
            "content_hash": dedupe.hash_rows(parts)}


def stored_response_keys(source_id: int) -> tuple[dict, set]:
    """``({external_id: (id, hash)}, {hash of responses without id})`` for a source."""
    from django.db import connection

    by_key, hashes = {}, set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT external_id, id, content_hash FROM records_surveyresponse WHERE source_id = %s "
                       "AND external_id <> ''", [source_id])
        by_key.update((k, (i, h)) for k, i, h in cursor.fetchall())
        cursor.execute("SELECT DISTINCT content_hash FROM records_surveyresponse WHERE source_id = %s "
                       "AND external_id = '' AND content_hash <> ''", [source_id])
        hashes.update(h for (h,) in cursor.fetchall())
    return by_key, hashes


def refuse_changed(rows: np.ndarray, targets: np.ndarray, keys, table, mapping, name) -> list[Issue]:
    """An error per row whose respondent is stored with other answers, naming the batch that holds it."""
    from observatorio.records.models import SurveyResponse

    batch_of = dict(SurveyResponse.objects.filter(id__in=targets.tolist()).values_list("id", "batch_id"))
    column = mapping.columns.get("external_id", "")
    out = []
    for p, t in zip(rows.tolist(), targets.tolist()):
        batch = batch_of.get(t)
        where = f"batch {batch}" if batch else "a response loaded outside the import"
        out.append(Issue(name, int(table.row_numbers[p]), column, str(keys[p]),
                         f"this respondent is already stored ({where}) with other answers",
                         f"survey responses are not corrected in place: roll back {where} and import the "
                         f"corrected file", "changed_response", ERROR))
    return out


def response_columns(prepared, values, source_id, batch_id, n) -> dict:
    """The columns as `write.insert_responses` takes them."""
    return {
        "source_id": source_id, "batch_id": batch_id, "external_id": _column(values, "external_id", n),
        "survey": prepared["survey"], "answered_on": prepared["days"], "area_id": prepared["area"],
        "weight": prepared["weight"], "feels_unsafe": prepared["feels_unsafe"],
        "victimized": prepared["victimized"], "original": prepared["original"],
        "attributes": prepared["attributes"], "content_hash": prepared["content_hash"],
    }
