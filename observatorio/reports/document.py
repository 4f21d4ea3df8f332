"""The document every report is: plain frozen dataclasses, no Django, no rendering.

A report kind's builder (``reports/kinds/<kind>.py``) returns a :class:`Report`; the renderers
(``render_html.py``, ``render_pdf.py``) turn the same object into one HTML page or a PDF. Every cell and
sentence arrives already formatted (numbers in the report's language, counts a public report may not show
already «reservado»): the renderers only lay out and number. Tables and figures are numbered by the
renderers from their order in the document (Tabla 1, 2…, Figura 1, 2…), so a builder never counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A numbered table: ``rows`` of already-formatted cells, as many as ``columns``; ``notes`` under it (the
    source line, what «reservado» means…). ``numeric``: per column, whether it is right-aligned."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = ()

    def __post_init__(self):
        for k, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.caption!r}: row {k} has {len(row)} cells for {len(self.columns)} columns")

    def aligned_right(self, column: int) -> bool:
        return bool(self.numeric[column]) if column < len(self.numeric) else False


@dataclass(frozen=True)
class Figure:
    """A numbered chart or map: SVG bytes (PNG when ``png`` is set instead); ``stated`` the measure and
    filters line printed under it (every figure says what it counts); ``alt`` its text for screen readers."""

    caption: str
    stated: str
    alt: str
    svg: bytes | None = None
    png: bytes | None = None

    def __post_init__(self):
        if (self.svg is None) == (self.png is None):
            raise ValueError(f"figure {self.caption!r}: give exactly one of svg or png")

    @property
    def extension(self) -> str:
        return "svg" if self.svg is not None else "png"

    @property
    def data(self) -> bytes:
        return self.svg if self.svg is not None else self.png


@dataclass(frozen=True)
class Notice:
    """A boxed message in place of content, e.g. no data for the period."""

    text: str


Block = Paragraph | Table | Figure | Notice


@dataclass(frozen=True)
class Section:
    """A section: its main points first (sentences generated from the numbers, ``reports/sentences.py``), then
    its blocks. ``facts``: the structured figures the main points are written from (a kind's own dataclasses),
    kept so that sentences can be generated from numbers rather than from formatted text."""

    title: str
    main_points: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    facts: tuple = ()


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    municipality: str
    start: dt.date
    end: dt.date
    language: str  # "es" | "en"
    data_version: str  # what the figures were counted from (DataVersion number and token)
    public: bool
    sections: tuple[Section, ...]
    subtitle: str = ""
    measure_note: str = ""  # what the report counts, stated on the cover
    disclosure_note: str = ""  # for a public report: what «reservado» means
    options: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    @property
    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    @property
    def fixed_date(self) -> dt.date:
        """The date the PDF says it was made: the period's last day, never the clock (reproducible bytes)."""
        return self.end


def period_text(report: Report) -> str:
    """The period as the report's language writes dates (dd-mm-aaaa, or ISO in English)."""
    if report.language == "en":
        return f"{report.start.isoformat()} to {report.end.isoformat()}"
    return f"{report.start:%d-%m-%Y} a {report.end:%d-%m-%Y}"


# The renderers' own fixed words, in both languages (the document model and the PDF renderer are Django-free).
WORDS = {
    "es": {"table": "Tabla", "figure": "Figura", "contents": "Índice", "page": "Página {n} de {m}",
           "main_points": "Puntos principales", "period": "Período", "data_version": "Versión de los datos",
           "public": "Versión pública: conteos pequeños reservados", "internal": "Uso interno",
           "hash": "Huella del contenido"},
    "en": {"table": "Table", "figure": "Figure", "contents": "Contents", "page": "Page {n} of {m}",
           "main_points": "Main points", "period": "Period", "data_version": "Data version",
           "public": "Public version: small counts withheld", "internal": "Internal use",
           "hash": "Content fingerprint"},
}


def words(report: Report) -> dict[str, str]:
    return WORDS["en" if report.language == "en" else "es"]


def content_hash(report: Report) -> str:
    """A SHA-256 of everything the report says (texts, cells, figures' bytes) and what it was counted from:
    printed on the cover, so a printed copy can be matched with its run (``ReportRun.sha256`` is the file's)."""
    import hashlib

    h = hashlib.sha256()

    def put(*parts):
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)

    put(report.kind, report.title, report.subtitle, report.municipality, report.start, report.end,
        report.language, report.data_version, report.public, report.measure_note, report.disclosure_note)
    for section in report.sections:
        put("section", section.title, *section.main_points)
        for block in section.blocks:
            if isinstance(block, Table):
                put("table", block.caption, *block.columns, *(c for row in block.rows for c in row), *block.notes)
            elif isinstance(block, Figure):
                put("figure", block.caption, block.stated, block.alt, block.data)
            else:
                put(type(block).__name__, block.text)
    return h.hexdigest()
