"""Addresses to coordinates against the municipal gazetteer (`AddressPoint`).

Street names are written a hundred ways: "Av. Grecia", "AVENIDA GRECIA",
"avda grecia"; "Pje. Los Aromos", "Pasaje Los Aromos"; "Pob. Lo Hermida".
`normalise_street` folds case and accents and expands the usual
abbreviations; `street_core` also drops the street type, the fallback when
the file says "Grecia 1234" and the gazetteer "Avenida Grecia". A number is
found exactly, or else the nearest number on the same side of the street
(same parity) within `MAX_NUMBER_GAP`; beyond that the address is not found
rather than guessed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .names import strip_accents

MAX_NUMBER_GAP = 50

STREET_TYPES = {
    "av": "avenida", "avda": "avenida", "ave": "avenida", "avenida": "avenida",
    "pje": "pasaje", "psje": "pasaje", "pj": "pasaje", "ptje": "pasaje", "pasaje": "pasaje",
    "calle": "calle", "cl": "calle", "cll": "calle",
    "pob": "poblacion", "poblacion": "poblacion",
    "villa": "villa", "vla": "villa", "cno": "camino", "camino": "camino", "diag": "diagonal",
    "diagonal": "diagonal", "cond": "condominio", "condominio": "condominio",
}
WORDS = {
    "gral": "general", "sta": "santa", "sto": "santo", "pdte": "presidente", "pte": "presidente",
    "dr": "doctor", "cap": "capitan", "tte": "teniente", "stgo": "santiago", "ing": "ingeniero",
    "prof": "profesor", "mons": "monsenor", "cdte": "comandante", "cmdte": "comandante",
}
_NOISE = re.compile(r"[^a-z0-9 ]+")
_TAIL = re.compile(r"\b(depto|dpto|departamento|dep|block|blk|casa|of|oficina|local|piso|torre)\b.*$")
_NUMBER = re.compile(r"^(.*?)(?:\s+(?:n|no|nro|numero|num))?\s+(\d{1,6})(?:\s*[a-z])?$")


def _tokens(text: str) -> list[str]:
    text = strip_accents(text).casefold().replace("n°", " n ").replace("nº", " n ").replace("#", " n ")
    return _NOISE.sub(" ", text).split()


def normalise_street(text: str) -> str:
    """``"Av. Gral. Ñuble"`` → ``"avenida general nuble"``."""
    out = []
    for i, token in enumerate(_tokens(text)):
        if i == 0 and token in STREET_TYPES:
            out.append(STREET_TYPES[token])
        else:
            out.append(WORDS.get(token, token))
    return " ".join(out)


def street_core(normalised: str) -> str:
    """The street without its type: ``"avenida grecia"`` → ``"grecia"``."""
    parts = normalised.split()
    while len(parts) > 1 and parts[0] in STREET_TYPES.values():
        parts = parts[1:]
    return " ".join(parts)


def split_address(text: str) -> tuple[str, int | None]:
    """``(normalised street, number)`` from a one-cell address; number None when there is none.

    >>> split_address("Pje. Los Aromos N° 45, depto 3")
    ('pasaje los aromos', 45)
    """
    street = normalise_street(text)
    street = _TAIL.sub("", street).strip()
    m = _NUMBER.match(street)
    if not m or not m[1].strip():
        return street, None
    return normalise_street(m[1]), int(m[2])


@dataclass
class Gazetteer:
    """Street → sorted numbers and coordinates, by full name and by core name."""

    full: dict[str, tuple[list[int], list[tuple[float, float]]]] = field(default_factory=dict)
    core: dict[str, tuple[list[int], list[tuple[float, float]]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows) -> Gazetteer:
        """From ``(street_normalised, street_core, number, lon, lat)`` rows."""
        full: dict[str, dict[int, tuple[float, float]]] = {}
        core: dict[str, dict[int, tuple[float, float]]] = {}
        for street, core_name, number, lon, lat in rows:
            full.setdefault(street, {}).setdefault(int(number), (lon, lat))
            core.setdefault(core_name, {}).setdefault(int(number), (lon, lat))
        return cls(_sorted(full), _sorted(core))

    @classmethod
    def from_database(cls) -> Gazetteer:
        from observatorio.records.models import AddressPoint

        return cls.from_rows(AddressPoint.objects.values_list("street_normalised", "street_core", "number", "lon",
                                                              "lat").iterator(chunk_size=20000))

    def __len__(self) -> int:
        return sum(len(v[0]) for v in self.full.values())

    def find(self, street: str, number: int | None) -> tuple[float, float] | None:
        if number is None or not street:
            return None
        for table, key in ((self.full, street), (self.core, street_core(street))):
            entry = table.get(key)
            if entry is not None:
                hit = _nearest(entry, number)
                if hit is not None:
                    return hit
        return None

    def locate(self, addresses: pd.Series, numbers: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(lon, lat)`` arrays (NaN where not found), one lookup per distinct address."""
        text = addresses.fillna("").astype(str)
        if numbers is not None:
            text = text.str.strip() + " " + numbers.fillna("").astype(str).str.strip()
        codes, uniques = pd.factorize(text)
        found = np.full((len(uniques), 2), np.nan)
        for i, value in enumerate(uniques.tolist()):
            if value.strip():
                hit = self.find(*split_address(value))
                if hit is not None:
                    found[i] = hit
        taken = found[codes] if len(codes) else np.empty((0, 2))
        return taken[:, 0].copy(), taken[:, 1].copy()


def _sorted(table):
    out = {}
    for street, by_number in table.items():
        numbers = sorted(by_number)
        out[street] = (numbers, [by_number[n] for n in numbers])
    return out


def _nearest(entry, number: int):
    numbers, points = entry
    i = bisect.bisect_left(numbers, number)
    if i < len(numbers) and numbers[i] == number:
        return points[i]
    best, gap = None, MAX_NUMBER_GAP + 1
    # Walk outwards to the nearest number on the same side of the street (same parity).
    for j in range(max(0, i - 60), min(len(numbers), i + 60)):
        n = numbers[j]
        if n % 2 == number % 2 and abs(n - number) < gap:
            best, gap = points[j], abs(n - number)
    return best
