"""Chilean RUTs: normalisation, módulo-11 check digit, and the keyed hash we store instead.

DESIGN.md: personal identifiers are never stored raw. The import pipeline
calls `rut_key` (or `rut_keys` for a column) and keeps only the HMAC-SHA256
of the normalised RUT, so repeat victims and offenders can be counted
without anyone being able to look a person up by RUT without the key.

The raw RUT must also never reach a log, an error report or an exception
message: every message here shows it masked by `mask_rut`
("12.***.**8-5"): two leading digits, the last digit and the check digit.

The key is a parameter (bytes, at least 16) so this module stays free of
Django; `observatorio.records.identifiers.settings_key()` fetches
``settings.RUT_HASH_KEY`` for the pipeline. Changing the key changes every
stored hash, so it is not the Django SECRET_KEY (which is rotated for other
reasons).

Interface::

    normalise_rut("12.345.678-5")   -> "12345678-5"
    check_digit(12345678)           -> "5"
    is_valid_rut("12.345.678-5")    -> True
    rut_key("12.345.678-5", key)    -> 64 hex chars
    rut_keys(series, key)           -> parsing.Parsed (values: hex str, "" for empty/invalid)
"""

from __future__ import annotations

import hashlib
import hmac
import re

import numpy as np
import pandas as pd

from .parsing import Parsed, ParseError

MIN_KEY_BYTES = 16
_RUT = re.compile(r"0*(\d{1,3}(?:\.\d{3})*|\d+)-?([0-9Kk])")


def check_digit(body: int) -> str:
    """The módulo-11 check digit of a RUT body: weights 2..7 from the right; 11 → "0", 10 → "K"."""
    total, weight = 0, 2
    for digit in reversed(str(int(body))):
        total += int(digit) * weight
        weight = 2 if weight == 7 else weight + 1
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def mask_rut(text: str) -> str:
    """A RUT shown without revealing it: "12.345.678-5" → "12.***.**8-5".

    Anything not shaped like a RUT is replaced entirely by asterisks.
    """
    raw = text.strip() if isinstance(text, str) else ""
    compact = re.sub(r"[.\s]", "", raw)
    m = re.fullmatch(r"(\d+)-?([0-9Kk])", compact)
    if not m:
        return "*" * max(3, min(len(raw), 12))
    body, dv = m[1].lstrip("0") or "0", m[2].upper()
    if len(body) >= 4:
        hidden = body[:2] + "*" * (len(body) - 3) + body[-1]
    else:
        hidden = "*" * (len(body) - 1) + body[-1]
    groups = []
    while hidden:
        groups.insert(0, hidden[-3:])
        hidden = hidden[:-3]
    return ".".join(groups) + "-" + dv


def normalise_rut(text: str) -> str:
    """``"12345678-5"``: no dots or spaces, leading zeros dropped, check digit upper-case and validated.

    Accepts "12.345.678-5", "12345678-5", "123456785", "12.345.678-k"; raises
    `ParseError` (with the RUT masked) otherwise.
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        raise ParseError("no RUT given", "write the RUT with its check digit, e.g. 11.111.111-1")
    compact = re.sub(r"\s", "", raw)
    m = _RUT.fullmatch(compact)
    if not m:
        raise ParseError(f"{mask_rut(raw)} is not a RUT (expected digits, a dash and a check digit 0-9 or K)",
                         "write the RUT with its check digit, e.g. 11.111.111-1")
    digits = m[1].replace(".", "")
    if not digits or int(digits) == 0:
        raise ParseError(f"{mask_rut(raw)} is not a RUT: the number is zero", "write the full RUT")
    if len(digits) > 8:
        raise ParseError(f"{mask_rut(raw)} is not a RUT: the number has more than 8 digits",
                         "check the RUT; the part before the dash has at most 8 digits")
    body = int(digits)
    given, expected = m[2].upper(), check_digit(body)
    if given != expected:
        raise ParseError(f"RUT {mask_rut(raw)} has the wrong check digit: expected {expected}",
                         "check the RUT digits; the digit after the dash is computed from the others")
    return f"{body}-{given}"


def is_valid_rut(text: str) -> bool:
    try:
        normalise_rut(text)
    except ParseError:
        return False
    return True


def check_key(key: bytes) -> None:
    """Raise ValueError unless `key` is bytes of at least `MIN_KEY_BYTES`."""
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the RUT hash key must be bytes of length >= {MIN_KEY_BYTES}")


def rut_key(rut: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised RUT, so "12.345.678-5" and "123456785" share one key."""
    check_key(key)
    return hmac.new(bytes(key), normalise_rut(rut).encode("ascii"), hashlib.sha256).hexdigest()


def rut_keys(series: pd.Series, key: bytes) -> Parsed:
    """`rut_key` over a Series; ``values`` holds hex keys ("" where empty or invalid)."""
    check_key(key)
    text = series.fillna("").astype("str") if isinstance(series, pd.Series) else pd.Series(series, dtype="str")
    stripped = text.str.strip()
    codes, uniques = pd.factorize(stripped)
    keys = np.empty(len(uniques), dtype=object)
    failures = {}
    for i, value in enumerate(uniques.tolist()):
        if not value:
            keys[i] = ""
            continue
        try:
            keys[i] = rut_key(value, key)
        except ParseError as exc:
            keys[i] = ""
            failures[i] = exc
    values = pd.Series(keys[codes] if len(codes) else keys[:0], index=text.index, dtype=object)
    invalid = pd.Series(np.isin(codes, list(failures)), index=text.index)
    rows = np.flatnonzero(invalid.to_numpy())
    errors = pd.Series([failures[c] for c in codes[rows]], index=text.index[rows], dtype=object)
    return Parsed(values, invalid, stripped == "", errors)

