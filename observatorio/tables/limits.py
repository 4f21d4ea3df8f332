"""How big a file to import may be, checked before it is read (or, for a zip, before it is inflated).

One upload must not exhaust the server: a 196 MB CSV once took the process
to 5.8 GB, and a 2.8 MB XLSX that inflates to 720 MB held a thread for
minutes. `check_before_reading` refuses, with a `ReadError` naming the limit
(the caller names the file: an upload is stored under a name of ours):

* a file larger than ``max_bytes``;
* an XLSX (a zip) whose members add up to more than ``max_uncompressed_bytes``
  or one of whose large members is compressed more than ``MAX_RATIO`` times,
  read from the zip's central directory only (nothing is inflated);
* a text file with more lines than ``max_rows`` allows (a cheap count of
  line ends; the exact count of rows is checked again after reading,
  `check_rows`), or whose first bytes are binary (control characters).

No Django here: the pipeline builds `Limits` from the settings (OBS_UPLOAD_*).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from observatorio.errors import N_, Size, Text

from .readers.base import ReadError

MB = 1024 * 1024
# A member of an Office file compresses 3-30 times; a bomb thousands. Small members may compress a lot
# (an empty sheet's XML): the ratio is only checked above RATIO_MIN_BYTES inflated.
MAX_RATIO = 200
RATIO_MIN_BYTES = 10 * MB
HEAD_BYTES = 64 * 1024
# Share of control characters (other than tab, line ends, form feed) above which a "text" file is binary.
MAX_CONTROL_SHARE = 0.01
# Lines a text file may have beyond its rows: titles, header, blank lines, line breaks inside quoted cells.
LINE_SLACK = 1.10


@dataclass(frozen=True)
class Limits:
    max_bytes: int | None = None
    max_rows: int | None = None
    max_uncompressed_bytes: int | None = None




def check_before_reading(path: Path, format: str, limits: Limits | None) -> None:
    path = Path(path)
    size = path.stat().st_size
    if limits and limits.max_bytes is not None and size > limits.max_bytes:
        raise ReadError(path, Text(N_("el archivo pesa %(size)s, más que el límite de %(limit)s (OBS_UPLOAD_MAX_MB)"),
                                  size=Size(size), limit=Size(limits.max_bytes)),
                        Text(SPLIT_FIX, setting="OBS_UPLOAD_MAX_MB"))
    if format == "xlsx":
        _check_zip(path, limits)
    elif format == "csv":
        _check_text(path, limits)


def _check_zip(path: Path, limits: Limits | None) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the XLSX reader says so, with its fix
    total = sum(m.file_size for m in members)
    cap = limits.max_uncompressed_bytes if limits else None
    if cap is not None and total > cap:
        raise ReadError(path, Text(N_("el libro se descomprimiría a %(size)s, más que el límite de %(limit)s "
                                     "(OBS_UPLOAD_MAX_UNCOMPRESSED_MB); no se abrió"),
                                  size=Size(total), limit=Size(cap)),
                        N_("guarde el libro como CSV, o divídalo, o pida al administrador que suba "
                           "OBS_UPLOAD_MAX_UNCOMPRESSED_MB"))
    for m in members:
        if m.file_size >= RATIO_MIN_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise ReadError(path, Text(N_("el libro es una bomba zip: su parte «%(part)s» se descomprime %(ratio)s veces "
                                          "(de %(packed)s a %(size)s; el límite es %(limit)s veces); no se abrió"),
                                       part=m.filename, ratio=f"{m.file_size / max(m.compress_size, 1):.0f}",
                                       packed=Size(m.compress_size), size=Size(m.file_size), limit=MAX_RATIO),
                            N_("guarde de nuevo el libro desde Excel, o expórtelo como CSV"))


def _check_text(path: Path, limits: Limits | None) -> None:
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")) or b"\x00" in head:
        return  # UTF-16 text, or a zip or NUL bytes, which the CSV reader names with its own fix
    control = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    if head and control > MAX_CONTROL_SHARE * len(head):
        raise ReadError(path, Text(N_("no es un archivo de texto: sus primeros bytes son datos binarios "
                                     "(%(control)s caracteres de control en %(n)s bytes)"),
                                  control=control, n=len(head)),
                        N_("exporte de nuevo la tabla como CSV (texto delimitado), o suba el propio archivo Excel "
                           "(.xlsx)"))
    if limits and limits.max_rows is not None:
        lines = 0
        allowed = int(limits.max_rows * LINE_SLACK) + 100
        with path.open("rb") as fh:
            while chunk := fh.read(4 * MB):
                lines += chunk.count(b"\n")
                if lines > allowed:
                    raise ReadError(path, Text(N_("el archivo tiene más de %(lines)s líneas, más que el límite de "
                                                 "%(limit)s filas (OBS_UPLOAD_MAX_ROWS)"),
                                              lines=allowed, limit=limits.max_rows), _ROWS_FIX)


SPLIT_FIX = N_("divida el archivo (p. ej. por año) e importe cada parte, o pida al administrador que suba "
                "%(setting)s")
_ROWS_FIX = Text(SPLIT_FIX, setting="OBS_UPLOAD_MAX_ROWS")


def check_rows(path: Path, rows: int, limits: Limits | None) -> None:
    if limits and limits.max_rows is not None and rows > limits.max_rows:
        raise ReadError(path, Text(N_("el archivo tiene %(rows)s filas, más que el límite de %(limit)s "
                                     "(OBS_UPLOAD_MAX_ROWS)"), rows=rows, limit=limits.max_rows), _ROWS_FIX)
