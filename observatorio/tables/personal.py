"""Personal data in a file: which columns hold it, and RUTs inside free text.

A column is *protected* when its header says it holds a personal identifier
or contact: RUT/RUN in any spelling ("RUT", "R.U.T.", "RUTVictima",
"rut_imputado", "RUN"), cédula, document or passport numbers, names
(nombre, nombres, apellido(s)), phones (teléfono, fono, celular, móvil) and
e-mails. Protected columns are never stored raw: a RUT column mapped to
``victim_rut``/``offender_rut`` is kept only as its keyed hash, every other
protected column is dropped (the pipeline keeps only mapped fields and the
source's declared attributes, and refuses a protected column as an
attribute). `mask_text` replaces anything shaped like a RUT inside free text
("denuncia de 12.345.678-5 por…") with a mask. No Django here.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MASK = "[RUT]"
HIDDEN = "•••"


def _folded(name) -> str:
    text = unicodedata.normalize("NFKD", str(name or ""))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# Headers are compared folded (no accents, lower case); "r.u.t." becomes "rut" before the word tests.
_RUT_WORD = re.compile(r"(?:^|[^a-z])(rut|run)(?:[^a-z]|$)")
_WHO = (r"(victima|imputado|imputada|denunciante|agresor|agresora|ofendido|ofendida|persona|usuario|usuaria|"
        r"paciente|beneficiario|beneficiaria|vecino|vecina|infractor|detenido|detenida|sospechoso|responsable|"
        r"titular|dv|numero|nro|num)")
_RUT_GLUED = re.compile(r"(?:^|[^a-z])(rut|run)" + _WHO + r"|" + _WHO + r"(rut|run)(?:[^a-z]|$)")
_WORDS = re.compile(
    r"cedula|\bci\b|\bc i\b|pasaporte|passport|documento|\bdoc\b|\bnro doc|\bdni\b|"
    r"\bnombres?\b|nombre|apellidos?|\bname\b|first ?name|last ?name|surname|"
    r"telefono|\bfono\b|\bfonos\b|celular|\bcel\b|movil contacto|\bphone\b|mobile|whatsapp|"
    r"e ?mail|correo|\bmail\b")
# Columns whose header merely *contains* one of the words but hold no personal data.
_NOT_PERSONAL = re.compile(r"^(nombre|nom) (de la |del |de )?(calle|via|comuna|region|sector|villa|poblacion|"
                           r"programa|proyecto|unidad|encuesta|servicio|establecimiento|lugar|area|uv|tipo)\b")


def _clean(name) -> str:
    folded = _folded(name)
    folded = re.sub(r"r\s*\.\s*u\s*\.\s*[tn]\s*\.?", lambda m: "rut" if "t" in m[0] else "run", folded)
    return folded


def is_rut_column(name) -> bool:
    """A header that says the column holds RUTs (RUT, R.U.T., RUN, RUTVictima, rut_imputado, …)."""
    text = _clean(name)
    spaced = re.sub(r"[\s_\-./:#()]+", " ", text).strip()
    return bool(_RUT_WORD.search(spaced) or _RUT_GLUED.search(spaced))


def protected_kind(name) -> str | None:
    """"rut", "personal" (name, document, phone, e-mail) or None for a column header."""
    if is_rut_column(name):
        return "rut"
    spaced = re.sub(r"[\s_\-./:#()]+", " ", _clean(name)).strip()
    if _NOT_PERSONAL.search(spaced):
        return None
    if _WORDS.search(spaced):
        return "personal"
    return None


def is_protected(name) -> bool:
    return protected_kind(name) is not None


def protected_columns(columns) -> list[str]:
    return [c for c in columns if is_protected(c)]


# A RUT inside text: 1-2 digits, dotted groups or a run of 7-8 digits, a dash (or not, when dotted) and the
# check digit. Plain 7-9 digit numbers without a dash are left alone (folios, phone numbers are dropped anyway).
_RUT_IN_TEXT = re.compile(r"(?<![\w.])(?:\d{1,2}\.\d{3}\.\d{3}|\d{7,8})\s?-\s?[\dkK](?![\w])"
                          r"|(?<![\w.])\d{1,2}\.\d{3}\.\d{3}[\dkK](?![\w.])")


_LOOSE = r"\d\.\d{3}\.\d{3}|\d{7}\s?-\s?[\dkK]"


def has_rut(text) -> bool:
    return isinstance(text, str) and bool(_RUT_IN_TEXT.search(text))


def mask_text(text):
    """`text` with every RUT-shaped run replaced by `MASK`; anything else unchanged."""
    if not isinstance(text, str) or not text:
        return text
    return _RUT_IN_TEXT.sub(MASK, text)


def mask_series(series: pd.Series) -> pd.Series:
    """`mask_text` over a column of text; the same Series when nothing in it looks like a RUT.

    A loose RE2 test (Arrow, vectorised) picks the few values that may hold a
    RUT; only those go through the exact pattern, so a million rows cost a
    fraction of a second.
    """
    if len(series) == 0:
        return series
    try:
        strings = pa.array(series.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        maybe = pc.fill_null(pc.match_substring_regex(strings, _LOOSE), False).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        maybe = np.asarray([has_rut(v) for v in series.tolist()], dtype=bool)
    if not maybe.any():
        return series
    rows = np.flatnonzero(maybe)
    out = series.astype(object).copy()
    out.iloc[rows] = [mask_text(v) for v in series.iloc[rows].tolist()]
    return out


def masked_cell(column, value) -> str:
    """A preview cell: hidden entirely in a protected column, RUTs masked elsewhere."""
    if is_protected(column):
        return HIDDEN if str(value or "").strip() else ""
    return mask_text(value) if isinstance(value, str) else value
