"""Property tests: readers raise nothing but ReadError, and no data row goes missing."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatorio.tables.readers import RawTable, ReadError, read_table

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DIR = Path(tempfile.mkdtemp(prefix="obs-fuzz-"))

HEADS = [b"", b"PK\x03\x04", b"PAR1", b"{", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0"]


def _read(content: bytes, name: str):
    path = _DIR / name
    path.write_bytes(content)
    try:
        table = read_table(path)
    except ReadError as exc:
        assert exc.file == name and exc.message and exc.fix
        return None
    assert isinstance(table, RawTable)
    assert all(isinstance(cell, str) for row in table.rows for cell in row)
    assert len(table.row_numbers) == len(table)
    return table


@FUZZ
@given(st.sampled_from(HEADS), st.binary(max_size=400),
       st.sampled_from(["x.csv", "x.xlsx", "x.parquet", "x.geojson", "x.dat", "x.tsv"]))
def test_random_bytes_only_raise_read_error(head, body, name):
    _read(head + body, name)


cell = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáñÁ0123456789 .-\"", min_size=1, max_size=8).filter(
    lambda s: s.strip())
names = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6), min_size=1, max_size=5,
                 unique=True).filter(lambda ns: not any(n.startswith("columna") for n in ns))


@st.composite
def messy_csv(draw):
    header = draw(names)
    width = len(header)
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=12))
    blanks = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    title = width >= 2 and draw(st.booleans())
    return header, rows, blanks, delimiter, encoding, newline, title


def _write(header, rows, blanks, delimiter, newline, title):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    line = 0
    numbers = []
    if title:
        buffer.write("Informe municipal" + newline + newline)
        line += 2
    writer.writerow(header)
    line += 1
    for row, blank_before in zip(rows, blanks):
        if blank_before:
            buffer.write(newline)
            line += 1
        writer.writerow(row)
        line += 1 + sum(c.count("\n") for c in row)
        numbers.append(line)
    return buffer.getvalue(), numbers


@FUZZ
@given(messy_csv())
def test_generated_csv_rows_and_dropped_add_up(spec):
    header, rows, blanks, delimiter, encoding, newline, title = spec
    text, numbers = _write(header, rows, blanks, delimiter, newline, title)
    table = _read(text.encode(encoding), "gen.csv")
    assert table is not None, "a clean CSV must be readable"
    assert table.columns == header
    if len(header) > 1:  # a single column has no delimiter to detect
        assert table.delimiter == delimiter
    assert len(table) + len(table.dropped) == len(rows)
    kept = table.rows + [list(d.values) for d in table.dropped]
    assert kept == rows
    assert table.row_numbers.tolist() + [d.row for d in table.dropped] == numbers
    assert table.blank_rows == sum(blanks)


@FUZZ
@given(messy_csv(), st.data())
def test_corrupted_csv_only_raises_read_error(spec, data):
    header, rows, blanks, delimiter, encoding, newline, title = spec
    text, _ = _write(header, rows, blanks, delimiter, newline, title)
    raw = bytearray(text.encode(encoding))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        byte = data.draw(st.sampled_from([0x22, 0x3B, 0x2C, 0x09, 0x0A, 0x0D, 0x00, 0xFF, 0xC3, 0x81]))
        if action == "insert" or position >= len(raw):
            raw.insert(position, byte)
        elif action == "flip":
            raw[position] = byte
        else:
            del raw[position]
    _read(bytes(raw), "corrupt.csv")
