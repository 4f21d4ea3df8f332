"""Delimited text (CSV, TSV, TXT) as exported by Excel, municipal systems and CEAD.

What it copes with, in order:

* **Encoding.** UTF-8 (with or without BOM) is tried strictly over the whole
  file; if any byte sequence is invalid the file is Windows-1252 (a superset of
  Latin-1 for printable text: Excel on Spanish Windows writes it), and if even
  that fails, Latin-1, which decodes any byte. UTF-16 is recognised by its BOM
  (Excel's "Texto Unicode"). We do not use chardet: it is not a dependency,
  its guess on short files is unstable (a file with one "ñ" can come back as
  ISO-8859-9 or "Windows-1254"), and it would read the whole file again. In
  practice our files are UTF-8 or Windows-1252, and text in Windows-1252 with
  any accented letter is essentially never valid UTF-8, so the strict try is
  a reliable test.
* **Delimiter** ``;``, ``,`` or tab: `csv.Sniffer` gives a first opinion and
  a count over the first 64 KB decides (`sniff_delimiter`): the delimiter
  that splits the most rows into the same number of fields wins. Counting is
  what catches "1,5;2,3" (decimal commas with ``;``), where Sniffer prefers
  ``,``.
* **Title rows and blank lines above the header** (see
  `base.find_header`), **blank lines** anywhere (skipped, counted in
  ``blank_rows``), a **trailing totals row** (dropped, noted), **quoted
  fields** (also with the delimiter or line breaks inside), **duplicate
  column names** (suffixed, noted) and **trailing delimiters**.

The body is parsed by pandas' C parser with every cell kept as text
(``dtype=str``, no NA guessing), reading the file through a streaming text
handle, so only the resulting DataFrame is held in memory; a 1M-row file
reads in a few seconds. Row numbers are physical line numbers (a quoted field
spanning two lines makes the next record start two lines later).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.errors import N_, Text

from .base import HASH_CHUNK, HEADER_FIX, NO_HEADER, Note, RawTable, Reader, ReadError, find_header, finish_table

DELIMITERS = (";", ",", "\t")
SAMPLE_CHARS = 64 * 1024
SAMPLE_ROWS = 200
# Extra columns past the header so a row with a stray trailing delimiter is not an error.
OVERFLOW = 4
DELIMITER_NAMES = {";": N_("punto y coma"), ",": N_("coma"), "\t": N_("tabulador")}
UNPARSED = N_("la línea %(line)s no se puede interpretar: %(error)s")
QUOTE_FIX = N_("revise si en esa línea hay una comilla (\") sin cerrar")
UTF8_FIX = N_("guarde el archivo desde Excel como CSV UTF-8")


class CsvReader(Reader):
    format = "csv"
    extensions = (".csv", ".tsv", ".txt")

    def _read(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None,
              header_row: int | None = None, sheet: str | None = None) -> RawTable:
        if sheet is not None:
            raise ReadError(path, Text(N_("se pidió una hoja («%(sheet)s») pero los archivos %(format)s no tienen "
                                         "hojas"), sheet=sheet, format="CSV"),
                            N_("deje la hoja vacía, o suba el archivo Excel (.xlsx)"))
        scan = _scan(path)
        if encoding is None:
            encoding = scan.encoding if scan.encoding else _fallback_encoding(path)
        sample = _sample(path, encoding)
        if not sample.strip():
            raise ReadError(path, N_("el archivo no tiene texto"), N_("exporte de nuevo la tabla; el archivo está vacío"))
        if delimiter is None:
            delimiter = sniff_delimiter(sample)
        rows = _sample_rows(path, sample, delimiter)
        if header_row is None:
            index = find_header([row for _, _, row in rows])
            if index < 0:
                raise ReadError(path, NO_HEADER, HEADER_FIX)
        else:
            matching = [i for i, (start, _, _) in enumerate(rows) if start == header_row]
            if not matching:
                raise ReadError(path, Text(N_("la línea %(line)s no es el comienzo de una fila entre las primeras %(n)s "
                                             "filas"), line=header_row, n=len(rows)),
                                N_("elija el número de la línea donde están los nombres de las columnas"))
            index = matching[0]
        header_line, header_end, header = rows[index]
        notes = []
        above = [(start, row) for start, _, row in rows[:index] if any(cell.strip() for cell in row)]
        if above:
            title = " ".join(cell.strip() for cell in above[0][1] if cell.strip())[:80]
            notes.append(Note("title_rows", f"{len(above)} row(s) above the header (line {header_line}) were "
                                            f"skipped, starting with {title!r}", above[0][0]))

        width = len(header)
        frame = _parse_body(path, encoding, delimiter, header_end, width + OVERFLOW)
        row_numbers = _row_numbers(frame, header_end, scan.lines)
        return finish_table(
            frame, row_numbers, header, file=path.name, format=self.format, sha256=scan.sha256,
            header_row=header_line, overflow=OVERFLOW, notes=notes, encoding=encoding, delimiter=delimiter,
        )


class _Scan:
    __slots__ = ("sha256", "encoding", "lines")

    def __init__(self, sha256: str, encoding: str | None, lines: int | None):
        self.sha256, self.encoding, self.lines = sha256, encoding, lines


def _scan(path: Path) -> _Scan:
    """One streaming pass: hash, strict UTF-8 test and line count."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    newlines = returns = crlf = 0
    size = 0
    prev_last = b""
    head = b""
    has_nul = False
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            if not head:
                head = chunk[:4]
            size += len(chunk)
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n") + (prev_last == b"\r" and chunk[:1] == b"\n")
            prev_last = chunk[-1:]
            has_nul = has_nul or b"\x00" in chunk
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if size == 0:
        raise ReadError(path, N_("el archivo está vacío (0 bytes)"), N_("exporte de nuevo la tabla y suba el archivo nuevo"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Scan(digest.hexdigest(), "utf-16", None)
    if head.startswith(b"PK\x03\x04"):
        raise ReadError(path, N_("es un archivo Excel (u otro zip), no un archivo de texto CSV"),
                        N_("cámbiele la extensión a .xlsx, o guárdelo desde Excel como CSV"))
    if has_nul:
        raise ReadError(path, N_("el archivo contiene datos binarios (bytes NUL): no es un archivo de texto CSV"),
                        N_("exporte de nuevo la tabla como CSV (texto delimitado)"))
    lines = newlines + returns - crlf + (prev_last not in (b"\n", b"\r"))
    encoding = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 else None
    return _Scan(digest.hexdigest(), encoding, lines)


def _fallback_encoding(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("cp1252")("strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(HASH_CHUNK):
                decoder.decode(chunk)
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _open_text(path: Path, encoding: str):
    # newline="" keeps \r\n inside quoted fields and lets csv and pandas see the same lines.
    return path.open("r", encoding=encoding, errors="strict", newline="")


def _sample(path: Path, encoding: str) -> str:
    try:
        with _open_text(path, encoding) as fh:
            text = fh.read(SAMPLE_CHARS)
            if fh.read(1):
                cut = max(text.rfind("\n"), text.rfind("\r"))
                if cut > 0:
                    text = text[: cut + 1]
    except (UnicodeError, LookupError) as exc:
        raise ReadError(path, Text(N_("el texto no se puede decodificar como %(encoding)s (%(error)s)"),
                                  encoding=encoding, error=exc.__class__.__name__), UTF8_FIX) from exc
    return text


def _rows_of(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return []


def sniff_delimiter(sample: str) -> str:
    """``;``, ``,`` or tab for this sample of text; see the module docstring."""
    scores = {}
    for rank, candidate in enumerate(DELIMITERS):
        widths = [len(row) for row in _rows_of(sample, candidate)[:SAMPLE_ROWS] if any(c.strip() for c in row)]
        if not widths:
            scores[candidate] = (False, 0.0, 0, -rank)
            continue
        modal, hits = Counter(widths).most_common(1)[0]
        # Ties prefer ';' then ',' then tab: ';' is what Excel writes where the decimal mark is a comma.
        scores[candidate] = (modal >= 2, round(hits / len(widths), 3), modal, -rank)
    best = max(scores, key=scores.get)
    try:
        sniffed = csv.Sniffer().sniff(sample[:20000], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in scores and scores[sniffed][:3] == scores[best][:3]:
        return sniffed
    return best


def _sample_rows(path: Path, sample: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of the first rows of the sample."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    rows = []
    previous = 0
    try:
        for row in reader:
            rows.append((previous + 1, reader.line_num, row))
            previous = reader.line_num
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error as exc:
        raise ReadError(path, Text(UNPARSED, line=previous + 1, error=exc), QUOTE_FIX) from exc
    return rows


def _parse_body(path: Path, encoding: str, delimiter: str, header_end: int, width: int) -> pd.DataFrame:
    names = list(range(width))
    with _open_text(path, encoding) as fh:
        for _ in range(header_end):
            fh.readline()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = pd.read_csv(
                    fh, sep=delimiter, header=None, names=names, dtype=str, na_filter=False,
                    keep_default_na=False, skip_blank_lines=False, index_col=False, quotechar='"',
                    engine="c",
                )
        except pd.errors.EmptyDataError:
            return pd.DataFrame({i: pd.Series([], dtype="str") for i in names})
        except pd.errors.ParserError as exc:
            raise _locate_bad_line(path, encoding, delimiter, header_end, width) from exc
        except UnicodeDecodeError as exc:
            raise ReadError(path, Text(N_("el texto no se puede decodificar como %(encoding)s"), encoding=encoding),
                            UTF8_FIX) from exc
    return frame.fillna("")


def _locate_bad_line(path: Path, encoding: str, delimiter: str, header_end: int, width: int) -> ReadError:
    """Only on the error path: walk the rows with the csv module to name the offending line."""
    with _open_text(path, encoding) as fh:
        for _ in range(header_end):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter)
        previous = header_end
        try:
            for row in reader:
                if len(row) > width:
                    return ReadError(
                        path, Text(N_("la línea %(line)s tiene %(fields)s campos, muchos más que las %(columns)s "
                                      "columnas del encabezado"), line=previous + 1, fields=len(row),
                                   columns=width - OVERFLOW),
                        Text(N_("revise el separador (%(delimiter)s) y ponga entre comillas los valores que lo "
                                "contienen"), delimiter=Text(DELIMITER_NAMES.get(delimiter, delimiter))))
                previous = header_end + reader.line_num
        except csv.Error as exc:
            return ReadError(path, Text(UNPARSED, line=previous + 1, error=exc), QUOTE_FIX)
    return ReadError(path, N_("las filas no se pueden separar en campos de manera coherente"),
                     N_("revise que no haya comillas (\") sin cerrar y que se use un solo separador en todo el "
                        "archivo"))


def _row_numbers(frame: pd.DataFrame, header_end: int, total_lines: int | None) -> np.ndarray:
    count = len(frame)
    numbers = header_end + 1 + np.arange(count, dtype=np.int64)
    if total_lines is not None and total_lines - header_end == count:
        return numbers  # no field spans lines: the common, fast case
    breaks = np.zeros(count, dtype=np.int64)
    for column in frame.columns:
        breaks += frame[column].str.count(r"\r\n|\r|\n").to_numpy(dtype=np.int64)
    if count:
        numbers[1:] += np.cumsum(breaks)[:-1]
    return numbers
