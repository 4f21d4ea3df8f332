"""How names written by people are compared: column headers, category labels, street names.

"Fecha Hecho", "fecha_hecho" and "FECHA  HECHO" are one column; "ROBO POR
SORPRESA" and "Robo por sorpresa" one label. Comparison keys are lower case,
without accents, with runs of spaces, underscores, hyphens and dots folded to
one space. No Django here.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_SEPARATORS = re.compile(r"[\s_\-./]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text) -> str:
    """The comparison key of a header or label: ``"Fecha_Hecho "`` → ``"fecha hecho"``."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _SEPARATORS.sub(" ", strip_accents(text).casefold()).strip()


# Words that carry no meaning in a header: "Tipo de llamado" is "llamado_tipo" is "TIPO LLAMADO"; "N° Folio"
# ("Nº" folds to "no") is "Folio".
STOP_WORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "en", "a", "al", "por", "para", "n°", "no"})


_PUNCTUATION = re.compile(r"[^\w°]+")  # "¿Fue víctima?" is "fue victima"; "N°" keeps its sign


def column_key(text) -> str:
    """The tolerant key of a column header: `name_key` without stop-words, its words sorted.

    ``"Tipo de llamado"``, ``"llamado_tipo"`` and ``"TIPO LLAMADO"`` all give ``"llamado tipo"``. A header of
    stop-words only keeps them (``"N°"`` stays ``"n"``).
    """
    words = _PUNCTUATION.sub(" ", name_key(text)).split()
    kept = [w for w in words if w not in STOP_WORDS] or words
    return " ".join(sorted(kept))


def name_keys(series: pd.Series) -> pd.Series:
    """`name_key` over a Series, computed once per distinct value."""
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    keys = pd.Index([name_key(u) for u in uniques.tolist()], dtype=object)
    return pd.Series(keys.take(codes) if len(codes) else [], index=series.index, dtype=object)
