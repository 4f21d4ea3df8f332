"""A perception survey by UV whose fear does not simply follow recorded crime."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

SURVEY_NAME = "Encuesta de percepción de seguridad {year} (ilustrativa)"
RESPONDENTS_PER_UV = 40
# UVs with the least recorded crime that are planted with high fear (the perception gap).
HIGH_FEAR_LOW_CRIME = 3


def survey(uv_codes, uv_population, uv_crime_rate, year: int, seed: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Respondents with area_code, answered_on, weight, feels_unsafe, victimized and attributes.

    Fear rises with the UV's crime rate but with noise, and the UVs with the
    lowest rates get high fear: the gap the observatory studies. Returns the
    frame and the codes of those planted UVs.
    """
    rng = np.random.default_rng([seed, 307])
    codes = np.asarray(uv_codes, dtype=object)
    rate = np.asarray(uv_crime_rate, float)
    z = (rate - rate.mean()) / (rate.std() or 1.0)
    logit = 0.3 + 0.45 * z + rng.normal(0, 0.45, len(codes))
    planted = np.argsort(rate, kind="stable")[:HIGH_FEAR_LOW_CRIME]
    logit[planted] = 1.6 + rng.normal(0, 0.1, planted.size)
    p_unsafe = 1 / (1 + np.exp(-logit))
    p_victim = np.clip(0.12 + 0.05 * z, 0.03, 0.4)
    n = rng.integers(RESPONDENTS_PER_UV - 6, RESPONDENTS_PER_UV + 7, len(codes))
    uv = np.repeat(np.arange(len(codes)), n)
    # Expansion weights: the UV's population over its respondents, with a little post-stratification noise.
    pop = np.asarray(uv_population, float)
    weight = (pop / n)[uv] * rng.uniform(0.8, 1.2, uv.size)
    start = np.datetime64(dt.date(year, 10, 1))
    sexes = np.array(["F", "M"])
    ages = np.array(["18-29", "30-44", "45-59", "60+"])
    frame = pd.DataFrame({
        "area_code": codes[uv],
        "answered_on": start + rng.integers(0, 31, uv.size).astype("timedelta64[D]"),
        "weight": weight.round(2),
        "feels_unsafe": rng.random(uv.size) < p_unsafe[uv],
        "victimized": rng.random(uv.size) < p_victim[uv],
        "sex": sexes[rng.choice(2, size=uv.size, p=[0.53, 0.47])],
        "age_group": ages[rng.choice(4, size=uv.size, p=[0.24, 0.3, 0.26, 0.2])],
        "trust_police": rng.integers(1, 6, uv.size),
    })
    frame["survey"] = SURVEY_NAME.format(year=year)
    return frame, tuple(codes[planted])
