"""RUT check digits (hand-computed módulo 11), normalisation, masking and keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import logging

import pandas as pd
import pytest

from observatorio.tables.parsing import ParseError
from observatorio.tables.rut import check_digit, is_valid_rut, mask_rut, normalise_rut, rut_key, rut_keys

KEY = b"k" * 32


# Hand computation: digits from the right times 2,3,4,5,6,7,2,3; 11 - sum % 11 (11 → 0, 10 → K).
# 12345678: 8·2+7·3+6·4+5·5+4·6+3·7+2·2+1·3 = 138; 138 % 11 = 6 → 5.
# 11111111: 2+3+4+5+6+7+2+3 = 32; 32 % 11 = 10 → 1.   76086428: 16+6+16+30+48+0+12+21 = 149 → 149 % 11 = 6 → 5.
# 6: 12 % 11 = 1 → 10 → K.   14: 4·2+1·3 = 11 → 0 → 11 → "0".
@pytest.mark.parametrize("body, digit", [(12345678, "5"), (11111111, "1"), (76086428, "5"), (6, "K"), (14, "0")],
                         ids=["12345678", "11111111", "76086428", "K", "zero"])
def test_check_digit_known(body, digit):
    assert check_digit(body) == digit


@pytest.mark.parametrize("text", ["12.345.678-5", "12345678-5", "123456785", " 12.345.678 - 5 ", "012.345.678-5"],
                         ids=["dots", "dash", "bare", "spaces", "leading-zero"])
def test_normalise_rut_forms(text):
    assert normalise_rut(text) == "12345678-5"


def test_k_check_digit_either_case():
    assert normalise_rut("6-k") == normalise_rut("6-K") == "6-K"


@pytest.mark.parametrize("text, message", [
    ("12.345.678-4", "wrong check digit: expected 5"),
    ("12.345.678", "is not a RUT"),  # dotted groups leave no room for a check digit
    ("123.456.789-0", "more than 8 digits"),
    ("0-0", "zero"),
    ("12.345.678-X", "is not a RUT"),
    ("", "no RUT given"),
], ids=["wrong-dv", "missing-dv", "too-long", "zero", "bad-dv-char", "empty"])
def test_invalid_ruts(text, message):
    with pytest.raises(ParseError, match=message):
        normalise_rut(text)
    assert not is_valid_rut(text)


@pytest.mark.parametrize("text", ["12.345.678-4", "123456784", "12.345.678-X", "98765432-1", "abc12345678"],
                         ids=["wrong-dv", "bare-wrong", "bad-char", "other", "garbage"])
def test_errors_never_show_the_raw_rut(text, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ParseError) as info:
        rut_key(text, KEY)
    shown = " ".join([str(info.value), info.value.fix, repr(info.value)])
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits[1:-1] not in shown.replace(".", "")  # the middle of the number never appears
    assert all(digits[1:-1] not in record.getMessage() for record in caplog.records)


def test_wrong_digit_message_is_masked():
    with pytest.raises(ParseError) as info:
        normalise_rut("12.345.678-4")
    assert info.value.message == "RUT 12.***.**8-4 has the wrong check digit: expected 5"


@pytest.mark.parametrize("text, masked", [("12.345.678-5", "12.***.**8-5"), ("76086428-5", "76.***.**8-5"),
                                          ("5.126.663-3", "5.1**.**3-3"), ("nonsense", "********")],
                         ids=["person", "company", "seven-digits", "garbage"])
def test_mask_rut(text, masked):
    assert mask_rut(text) == masked


def test_rut_key_is_hmac_of_the_normalised_rut():
    expected = hmac.new(KEY, b"12345678-5", hashlib.sha256).hexdigest()
    assert rut_key("12.345.678-5", KEY) == rut_key("123456785", KEY) == expected
    assert rut_key("12.345.678-5", b"other-key-of-16-bytes") != expected
    assert len(expected) == 64


def test_short_key_is_refused():
    with pytest.raises(ValueError, match="at least|>= 16"):
        rut_key("12.345.678-5", b"short")


def test_rut_keys_vectorised():
    parsed = rut_keys(pd.Series(["12.345.678-5", "", "12.345.678-4", "123456785"]), KEY)
    assert parsed.values.tolist() == [rut_key("12345678-5", KEY), "", "", rut_key("12345678-5", KEY)]
    assert parsed.invalid.tolist() == [False, False, True, False]
    assert parsed.empty.tolist() == [False, True, False, False]
    assert "expected 5" in parsed.errors[2].message

