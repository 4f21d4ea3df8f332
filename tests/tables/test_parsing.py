"""Value parsers: known answers, messages that say why, and vectorised == scalar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.tables.parsing import (
    DMY,
    MDY,
    YMD,
    ParseError,
    column_decimal,
    date_format_order,
    date_order,
    parse_coordinate_columns,
    parse_coordinates,
    parse_date,
    parse_dates,
    parse_number,
    parse_numbers,
    parse_time,
    parse_times,
)

COORD_TOL = 1e-6  # degrees


@pytest.mark.parametrize("text, expected", [
    ("31-01-2024", dt.date(2024, 1, 31)),
    ("1/2/2024", dt.date(2024, 2, 1)),
    ("29.02.2024", dt.date(2024, 2, 29)),
    ("2024-01-31", dt.date(2024, 1, 31)),
    ("2024/1/31", dt.date(2024, 1, 31)),
    ("2024-01-31 14:30:00", dt.date(2024, 1, 31)),
    ("31-01-2024 23:59", dt.date(2024, 1, 31)),
    ("45292", dt.date(2024, 1, 1)),
    ("45292.75", dt.date(2024, 1, 1)),
    ("61", dt.date(1900, 3, 1)),
    (" 07-06-2023 ", dt.date(2023, 6, 7)),
], ids=["dmy-dash", "dmy-slash-short", "dmy-dot-leap", "iso", "ymd-slash", "iso-time", "dmy-time",
        "excel-serial", "excel-serial-fraction", "excel-serial-61", "padded"])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, message, fix", [
    ("31-02-2024", "'31-02-2024' is not a date: February has 28 or 29 days", "correct the day"),
    ("29-02-2023", "2023 is not a leap year", "correct the day"),
    ("31-04-2024", "April has 30 days", "correct the day"),
    ("05-13-2024", "there is no month 13", "swap day and month"),
    ("12-31-2024", "there is no month 31", "swap day and month"),
    ("13-05-24", "2-digit year, which is ambiguous", "four digits"),
    ("01-01-1850", "outside 1900-2100", "correct the year"),
    ("80001", "between 1 and 80000", "dd-mm-yyyy"),
    ("ayer", "not a date in a known format", "dd-mm-yyyy"),
    ("", "no date given", "dd-mm-yyyy"),
], ids=["feb-31", "feb-29-common", "apr-31", "month-13", "mdy", "two-digit-year", "too-old", "serial-too-big",
        "word", "empty"])
def test_parse_date_errors(text, message, fix):
    with pytest.raises(ParseError) as info:
        parse_date(text)
    assert message in info.value.message and fix in info.value.fix


def test_month_day_swap_hint():
    with pytest.raises(ParseError) as info:
        parse_date("05-13-2024")
    assert "swap day and month" in info.value.fix  # 13 May written month first
    with pytest.raises(ParseError) as info:
        parse_date("13-13-2024")
    assert info.value.fix == "correct the month"


def test_parse_dates_vectorised_matches_scalar():
    texts = ["31-01-2024", "", "31-02-2024", "45292", "2024-01-31", "x", "31-01-2024", " "]
    parsed = parse_dates(pd.Series(texts, index=range(10, 18)))
    assert parsed.values.dtype.kind == "M"
    assert parsed.values.tolist()[0] == pd.Timestamp("2024-01-31")
    assert parsed.values.isna().tolist() == [False, True, True, False, False, True, False, True]
    assert parsed.invalid.tolist() == [False, False, True, False, False, True, False, False]
    assert parsed.empty.tolist() == [False, True, False, False, False, False, False, True]
    assert list(parsed.errors.index) == [12, 15]
    assert parsed.errors[12] == pytest.raises(ParseError, parse_date, "31-02-2024").value
    assert parsed.values[13] == pd.Timestamp("2024-01-01")


# --------------------------------------------------------------------------- the order of a column's dates

@pytest.mark.parametrize("text, order", [
    ("%d-%m-%Y", DMY), ("%d/%m/%Y", DMY), ("%m/%d/%Y", MDY), ("%m-%d-%Y", MDY), ("%Y-%m-%d", YMD),
    ("dd-mm-aaaa", DMY), ("DD/MM/AAAA", DMY), ("mm/dd/aaaa", MDY), ("mm.dd.yyyy", MDY), ("aaaa-mm-dd", YMD),
    ("", None), (None, None), ("Detectar", None), ("auto", None),
])
def test_date_format_order(text, order):
    assert date_format_order(text) == order


@pytest.mark.parametrize("text", ["%d-%m-%y", "%Y-%d-%m", "dd-mm", "mm/dd/aa", "%b %d, %Y", "dd-mm/aaaa"])
def test_an_unknown_date_format_names_the_known_ones(text):
    with pytest.raises(ValueError, match=r"not a date format.*%m/%d/%Y.*mm/dd/aaaa"):
        date_format_order(text)


def test_parse_date_in_each_order():
    assert parse_date("12/11/2020") == dt.date(2020, 11, 12)
    assert parse_date("12/11/2020", MDY) == dt.date(2020, 12, 11)
    # ISO dates and Excel serials read the same in every order.
    for order in (DMY, MDY, YMD):
        assert parse_date("2020-12-11", order) == dt.date(2020, 12, 11)
        assert parse_date("44176", order) == dt.date(2020, 12, 11)
    with pytest.raises(ParseError, match="not in the date format given"):
        parse_date("11-12-2020", YMD)
    with pytest.raises(ParseError) as info:
        parse_date("13/05/2024", MDY)  # 13 May written day first, in a month-first column
    assert info.value.fix == "dates are read month-day-year; swap day and month if this is day-month-year"


def test_a_month_first_column_is_read_month_first():
    # US-style dates: 12/13/2020 can only be December 13, so 12/11/2020 is December 11, not 12 November.
    texts = pd.Series(["12/11/2020", "12/13/2020", "01/02/2021", "", "2021-01-05", "05/05/2021", "12/11/2020"])
    order = date_order(texts)
    assert (order.order, order.how, order.conflict) == (MDY, "values", False)
    assert order.month_first.tolist() == [1] and order.day_first.tolist() == []
    assert order.either.tolist() == [0, 2, 6] and order.ambiguous == 3  # 05/05 reads the same both ways
    assert order.evidence == 1
    parsed = parse_dates(texts, order.order)
    assert parsed.values.dt.date.tolist()[:3] == [dt.date(2020, 12, 11), dt.date(2020, 12, 13), dt.date(2021, 1, 2)]
    assert not parsed.invalid.any()


def test_a_day_first_column_is_read_day_first():
    order = date_order(pd.Series(["12-11-2020", "13-11-2020", "01-02-2021", "31-01-2021"]))
    assert (order.order, order.how, order.ambiguous, order.day_first.tolist()) == (DMY, "values", 2, [1, 3])


def test_a_column_of_both_orders_is_a_conflict_naming_rows_and_values():
    texts = pd.Series(["13/01/2024", "05/03/2024", "01/14/2024", "20/01/2024", "02/03/2024"])
    order = date_order(texts)
    assert order.conflict and order.order == DMY  # two day-first values against one month-first
    assert order.contradicting.tolist() == [1, 2, 4]  # the month-first value and those the order would decide
    error = order.conflict_error(texts, row_number=lambda p: p + 2)
    assert error.message == ("the column mixes day-first and month-first dates: row 2 has '13/01/2024', a date only "
                             "as dd-mm-yyyy, and row 4 has '01/14/2024', only as mm-dd-yyyy (values that read either way: 2)")
    assert "give the date format explicitly" in error.fix


def test_an_all_ambiguous_column_defaults_to_day_first_and_counts_the_values():
    order = date_order(pd.Series(["01/02/2024", "03/04/2024", "03/04/2024", "05/05/2024", "2024-01-31", "x"]))
    assert (order.order, order.how, order.ambiguous, order.conflict, order.evidence) == (DMY, "default", 3, False,
                                                                                         None)


def test_invalid_and_iso_values_decide_nothing():
    # 31-02 is no date either way; ISO, serials and two-digit years are not day-month text.
    order = date_order(pd.Series(["31/02/2024", "2024-12-13", "45292", "13/01/24"]))
    assert (order.how, order.ambiguous, len(order.day_first), len(order.month_first)) == ("default", 0, 0, 0)


def test_an_explicit_format_overrides_the_values():
    texts = pd.Series(["13/01/2024", "01/02/2024"])
    order = date_order(texts, "%m/%d/%Y")
    assert (order.order, order.how, order.conflict, order.ambiguous) == (MDY, "format", False, 0)
    parsed = parse_dates(texts, order.order)
    assert parsed.invalid.tolist() == [True, False]  # month 13 under the format given: an error, not a guess
    assert parsed.values[1] == pd.Timestamp("2024-01-02")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1, max_size=30),
       st.sampled_from([("%m/%d/%Y", MDY), ("%d-%m-%Y", DMY)]))
def test_any_column_written_in_one_order_reads_back_exactly_or_is_all_ambiguous(dates, written):
    fmt, order_written = written
    texts = pd.Series([d.strftime(fmt) for d in dates])
    order = date_order(texts)
    assert not order.conflict
    if order.how == "values":
        assert order.order == order_written
        assert parse_dates(texts, order.order).values.dt.date.tolist() == dates
    else:  # no value reads only one way: every date has day and month up to 12
        assert all(d.day <= 12 for d in dates)


@pytest.mark.parametrize("text, expected", [
    ("14:30", dt.time(14, 30)), ("9:05", dt.time(9, 5)), ("14:30:15", dt.time(14, 30, 15)),
    ("14.30", dt.time(14, 30)), ("14:30 hrs", dt.time(14, 30)), ("2:30 PM", dt.time(14, 30)),
    ("12:00 a.m.", dt.time(0, 0)), ("00:00", dt.time(0, 0)), ("2024-01-31 23:59:59", dt.time(23, 59, 59)),
    ("31-01-2024 08:15", dt.time(8, 15)),
], ids=["hh-mm", "h-mm", "hh-mm-ss", "dot", "hrs", "pm", "midnight-am", "midnight", "iso-datetime", "dmy-datetime"])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, message", [
    ("24:00", "not a time of day: hours go from 00 to 23"), ("25:10", "hours go from 00 to 23"),
    ("14:60", "minutes go from 00 to 59"), ("14:30:61", "seconds go from 00 to 59"), ("1430", "known format"),
    ("13:00 pm", "AM/PM"), ("", "no time given"),
], ids=["24h", "25h", "60min", "61s", "no-separator", "13pm", "empty"])
def test_parse_time_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse_time(text)
    if text == "24:00":
        assert "next day" in pytest.raises(ParseError, parse_time, text).value.fix


def test_parse_times_vectorised():
    parsed = parse_times(pd.Series(["14:30", "24:00", "", "14.30"]))
    assert parsed.values.iloc[0] == pd.Timedelta(hours=14, minutes=30) == parsed.values.iloc[3]
    assert parsed.invalid.tolist() == [False, True, False, False]


NUMBERS = [
    ("1.234,5", 1234.5), ("1.234", 1234.0), ("12,5", 12.5), ("1234.5", 1234.5), ("1.234.567", 1234567.0),
    ("1.234.567,89", 1234567.89), ("1,234.5", 1234.5), ("1,234,567", 1234567.0), ("1,234", 1.234),
    ("0.123", 0.123), ("1.5", 1.5), ("-3,5", -3.5), ("+7", 7.0), ("$ 1.500", 1500.0), ("-$ 1.500", -1500.0),
    ("1 234,5", 1234.5), ("1.2E+05", 120000.0), ("1,5e3", 1500.0), (",5", 0.5), ("007", 7.0),
]


@pytest.mark.parametrize("text, expected", NUMBERS, ids=[t for t, _ in NUMBERS])
def test_parse_number_chilean(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, decimal, expected", [
    ("1.234", ".", 1.234), ("1,234", ".", 1234.0), ("1.234", ",", 1234.0), ("1,234", ",", 1.234),
], ids=["dot-forced-decimal", "dot-mode-thousands", "comma-mode-thousands", "comma-mode-decimal"])
def test_parse_number_forced_convention(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize("text, message", [
    ("12%", "percentage"), ("1.23.4", "mixes"), ("1,2,3", "mixes"), ("abc", "is not a number"),
    ("", "no number given"), ("1.234,5,6", "mixes"), ("nan", "is not a number"), ("inf", "is not a number"),
], ids=["percent", "bad-groups", "commas", "word", "empty", "two-commas", "nan", "inf"])
def test_parse_number_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse_number(text)


def test_parse_numbers_vectorised():
    texts = [t for t, _ in NUMBERS] + ["", "12%", "x"]
    parsed = parse_numbers(pd.Series(texts))
    np.testing.assert_allclose(parsed.values.iloc[: len(NUMBERS)], [v for _, v in NUMBERS], rtol=0, atol=0)
    assert parsed.invalid.tolist()[-3:] == [False, True, True]
    assert parsed.empty.tolist()[-3:] == [True, False, False]
    assert "percentage" in parsed.errors.iloc[0].message


@pytest.mark.parametrize("texts, mark", [
    (["-70.531", "-70.52"], "."), (["-70.531", "-33.481"], "auto"), (["1.234", "12,5"], ","),
    (["0.123", ""], "."), (["1.234", "987"], "auto"), (["1,5", "0.5"], "auto"), (["x", "1.5"], "."),
], ids=["dot-shown", "ambiguous", "comma-shown", "leading-zero", "thousands", "both", "text-ignored"])
def test_column_decimal_takes_the_mark_a_value_shows(texts, mark):
    assert column_decimal(pd.Series(texts)) == mark
    parsed = parse_numbers(pd.Series(texts), decimal="column")
    for text, value, bad in zip(texts, parsed.values, parsed.invalid):
        if text.strip():
            assert bad or value == parse_number(text, decimal=mark), text


number_text = st.text(alphabet="0123456789.,-+$ eE", max_size=12) | st.sampled_from([t for t, _ in NUMBERS])


@settings(max_examples=300, deadline=None)
@given(st.lists(number_text, min_size=1, max_size=20), st.sampled_from(["auto", ",", "."]))
def test_parse_numbers_agrees_with_parse_number(texts, decimal):
    parsed = parse_numbers(pd.Series(texts), decimal=decimal)
    for i, text in enumerate(texts):
        try:
            expected = parse_number(text, decimal=decimal)
        except ParseError:
            assert parsed.invalid.iloc[i] or parsed.empty.iloc[i], text
            assert np.isnan(parsed.values.iloc[i])
        else:
            assert parsed.values.iloc[i] == expected, text
            assert not parsed.invalid.iloc[i]


def test_parse_coordinates_degrees_with_decimal_comma():
    assert parse_coordinates("-70,5403", "-33,4861") == (-70.5403, -33.4861)
    assert parse_coordinates("-70.540", "-33.486") == (-70.54, -33.486)  # a single dot is decimal here


def test_parse_coordinates_utm_19s_known_answers():
    # On zone 19's central meridian (69°W) easting is exactly 500 000 m; the equator is the false northing.
    lon, lat = parse_coordinates("500000", "10000000", bounds=(-180, -90, 180, 90))
    assert lon == pytest.approx(-69.0, abs=COORD_TOL) and lat == pytest.approx(0.0, abs=COORD_TOL)
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True).transform(-70.5403, -33.4861)
    assert parse_coordinates(f"{x:.3f}", f"{y:.3f}") == pytest.approx((-70.5403, -33.4861), abs=COORD_TOL)
    assert parse_coordinates(f"{x:.3f}", f"{y:.3f}", crs="EPSG:32719") == pytest.approx((-70.5403, -33.4861), abs=COORD_TOL)


@pytest.mark.parametrize("x, y, message", [
    ("-33.49", "-70.54", "swapped"), ("70.54", "33.49", "minus sign"), ("0", "0", "placeholder"),
    ("2.35", "48.85", "outside the expected area"), ("123", "-1000", "neither degrees nor UTM"),
    ("", "-33.4", "missing"), ("-70,5", "abc", "is not a number"),
], ids=["swapped", "no-sign", "zero", "paris", "nonsense", "missing", "word"])
def test_parse_coordinates_errors(x, y, message):
    with pytest.raises(ParseError, match=message):
        parse_coordinates(x, y)


def test_parse_coordinate_columns():
    xs = pd.Series(["-70,5403", "352000", "-33.49", "", "-70.5", "1.000.000"])
    ys = pd.Series(["-33,4861", "6290000", "-70.54", "", "", "1.000.000"])
    lon, lat = parse_coordinate_columns(xs, ys)
    assert lon.values.iloc[0] == -70.5403 and lat.values.iloc[0] == -33.4861
    assert (lon.values.iloc[1], lat.values.iloc[1]) == pytest.approx(parse_coordinates("352000", "6290000"), abs=COORD_TOL)
    assert lon.invalid.tolist() == [False, False, True, False, True, True]
    assert lon.empty.tolist() == [False, False, False, True, False, False]
    assert "swapped" in lon.errors[2].message and "missing" in lon.errors[4].message
