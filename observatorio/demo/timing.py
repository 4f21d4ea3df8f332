"""When events happen: hour-of-day, weekday and seasonal profiles, and date sampling."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .population import largest_remainder


def hour_profile(peaks, base: float = 0.15) -> np.ndarray:
    """24 probabilities: a floor plus circular Gaussian bumps (hour, width, weight)."""
    hours = np.arange(24) + 0.5
    w = np.full(24, base)
    for centre, width, weight in peaks:
        d = np.minimum(np.abs(hours - centre), 24 - np.abs(hours - centre))
        w += weight * np.exp(-0.5 * (d / width) ** 2)
    return w / w.sum()


# Monday … Sunday multipliers and hour profiles by time group.
TIME_GROUPS = {
    "robbery": (hour_profile([(20.5, 2.5, 3.0), (8.0, 1.5, 1.0)]), (1, 1, 1, 1.1, 1.3, 1.2, 0.8)),
    "theft": (hour_profile([(13.0, 3.0, 2.5), (18.5, 1.5, 1.5)], base=0.05), (1, 1, 1, 1, 1.1, 1.25, 0.6)),
    "burglary": (hour_profile([(11.5, 3.0, 2.0), (3.0, 2.0, 0.8)]), (1.1, 1.05, 1.05, 1.05, 1.1, 0.85, 0.8)),
    "vif": (hour_profile([(22.0, 2.5, 3.0), (2.0, 1.5, 1.2)], base=0.1), (0.8, 0.75, 0.75, 0.85, 1.1, 1.7, 1.6)),
    "night": (hour_profile([(23.0, 2.5, 3.0)], base=0.15), (0.75, 0.75, 0.8, 0.9, 1.25, 1.65, 1.35)),
    "service": (hour_profile([(11.0, 3.0, 2.0), (20.0, 1.5, 1.0)], base=0.05), (1.15, 1.1, 1.1, 1.1, 1.05, 0.8, 0.65)),
    "alert": (hour_profile([(21.0, 2.5, 2.5), (15.0, 2.5, 1.0)]), (0.95, 0.95, 0.95, 1.0, 1.1, 1.1, 0.95)),
    "default": (hour_profile([(15.0, 5.0, 1.0)]), (1, 1, 1, 1, 1, 1, 1)),
}
TIME_GROUP_OF = {
    **dict.fromkeys(("robo-violencia", "robo-sorpresa", "robo-violento-vehiculo"), "robbery"),
    **dict.fromkeys(("hurto", "robo-desde-vehiculo", "receptacion", "robo-frustrado", "robo-lugar-no-habitado"),
                    "theft"),
    **dict.fromkeys(("robo-lugar-habitado", "otros-robos-fuerza", "robo-vehiculo"), "burglary"),
    **dict.fromkeys(("vif", "femicidio", "amenazas"), "vif"),
    **dict.fromkeys(("homicidio", "lesiones-graves", "lesiones-menos-graves", "lesiones-leves", "amenaza-rina",
                     "armas", "ley-armas", "arma-cortante", "drogas", "consumo-via-publica", "desordenes", "danos",
                     "ruidos", "alcohol-via-publica", "conflicto-vecinal", "incendio"), "night"),
    **dict.fromkeys(("alumbrado", "microbasural", "perros", "vehiculo-abandonado", "otros-servicios",
                     "emergencia-medica"), "service"),
    **dict.fromkeys(("sospechoso", "solicitud-patrullaje"), "alert"),
}
# Summer (December–February) brings more noise, drinking and gatherings.
MUNICIPAL_MONTHS = np.array([1.25, 1.15, 1.0, 0.92, 0.88, 0.85, 0.85, 0.9, 1.0, 1.0, 1.05, 1.2])
MUNICIPAL_MONTHS = MUNICIPAL_MONTHS / MUNICIPAL_MONTHS.sum()


def elapsed_weights(profile, year: int, as_of: dt.date | None = None) -> np.ndarray:
    """The monthly profile with each month cut to the share of its days on or before ``as_of``."""
    w = np.asarray(profile, float).copy()
    if as_of is not None and as_of.year == year:
        for m in range(12):
            start = dt.date(year, m + 1, 1)
            end = dt.date(year + (m == 11), (m + 1) % 12 + 1, 1)
            days = (end - start).days
            w[m] *= min(max((as_of - start).days + 1, 0), days) / days
    return w


def elapsed_share(profile, year: int, as_of: dt.date) -> float:
    """Share of a year's events expected by ``as_of`` under the seasonal profile."""
    return float(elapsed_weights(profile, year, as_of).sum() / np.sum(profile))


def month_split(n: int, profile, year: int, as_of: dt.date | None = None) -> np.ndarray:
    """Split ``n`` events of ``year`` across months (largest remainder), only up to ``as_of`` if given."""
    return largest_remainder(int(n), elapsed_weights(profile, year, as_of))


def sample_dates(rng: np.random.Generator, year: int, month_counts, weekday_w,
                 as_of: dt.date | None = None) -> np.ndarray:
    """Dates (datetime64[D]) with the given count per month, days weighted by weekday."""
    out = []
    wk = np.asarray(weekday_w, float)
    for m, k in enumerate(month_counts):
        if not k:
            continue
        first = np.datetime64(f"{year}-{m + 1:02d}-01")
        last = np.datetime64(f"{year + (m == 11)}-{(m + 1) % 12 + 1:02d}-01")
        if as_of is not None:
            last = min(last, np.datetime64(as_of) + 1)
        days = np.arange(first, last)
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        p = wk[weekday]
        out.append(rng.choice(days, size=int(k), p=p / p.sum()))
    return np.concatenate(out) if out else np.empty(0, "datetime64[D]")


def sample_hours(rng: np.random.Generator, n: int, group: str) -> tuple[np.ndarray, np.ndarray]:
    hours = rng.choice(24, size=n, p=TIME_GROUPS[group][0])
    return hours.astype(np.int8), rng.integers(0, 60, n).astype(np.int8)
