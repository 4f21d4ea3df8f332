"""A :class:`~.document.Report` as a PDF: Typst source generated from the document, compiled by the ``typst``
Python package (no system library, no browser). Django-free.

Cover (title, municipality, period, data version, public or internal, the content fingerprint), table of
contents, a running header with the municipality and the period, "Página N de M" at the foot, numbered
captions "Tabla N" (above the table) and "Figura N" (below the figure, with the measure and filters line).

Reproducible: every text enters the Typst source as a string literal (``#"…"``: only ``\\`` and ``"`` need
escaping, so no markup character of a name — # * _ $ @ < > [ ] — is ever read as markup), the document
date is the period's last day (never the clock), fonts are only Typst's embedded ones (system fonts
ignored), and images are files named by their order: the same document gives the same bytes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .document import Figure, Notice, Paragraph, Report, Table, content_hash, period_text, words


def lit(text: str) -> str:
    """``text`` as a Typst string literal."""
    escaped = (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def content(text: str) -> str:
    """``text`` as Typst content: ``[#"…"]``."""
    return f"[#{lit(text)}]"


def source(report: Report, image_name=lambda k, fig: f"figura-{k}.{fig.extension}") -> str:
    """The Typst source of ``report``; figures are read from files named ``image_name(k, figure)`` (k from 1)."""
    w = words(report)
    end = report.fixed_date
    period = period_text(report)
    header = f"{report.municipality} · {period}"
    lang = "en" if report.language == "en" else "es"
    region = "gb" if lang == "en" else "cl"
    page_of = w["page"].format(n="\x00N", m="\x00M")
    before, _n, rest = page_of.partition("\x00N")
    middle, _m, after = rest.partition("\x00M")
    out = [
        f"#set document(title: {lit(report.title)}, author: {lit(report.municipality)}, "
        f"date: datetime(year: {end.year}, month: {end.month}, day: {end.day}))",
        f'#set text(lang: "{lang}", region: "{region}", size: 10pt)',
        "#set par(justify: false)",
        '#set heading(numbering: "1.")',
        "#show figure.where(kind: table): set figure.caption(position: top)",
        "#show figure: set block(breakable: true)",
        "#show table: set text(size: 8.5pt)",
        '#set page(paper: "a4", margin: (x: 2cm, top: 2.5cm, bottom: 2.2cm))',
        "",
        "// cover",
        "#align(center + horizon)[",
        f"  #text(size: 22pt, weight: \"bold\", {lit(report.title)})",
    ]
    if report.subtitle:
        out.append(f"  #v(4pt) #text(size: 14pt, {lit(report.subtitle)})")
    out += [
        f"  #v(16pt) #text(size: 14pt, {lit(report.municipality)})",
        f"  #v(6pt) #text(size: 12pt, {lit(w['period'] + ': ' + period)})",
    ]
    if report.measure_note:
        out.append(f"  #v(10pt) #block(width: 80%, text(size: 10pt, {lit(report.measure_note)}))")
    out += [
        f"  #v(24pt) #text(size: 9pt, {lit(w['public'] if report.public else w['internal'])})",
        f"  #v(4pt) #text(size: 9pt, {lit(w['data_version'] + ': ' + report.data_version)})",
        f"  #v(4pt) #text(size: 8pt, {lit(w['hash'] + ': ' + content_hash(report)[:32])})",
        "]",
    ]
    if report.public and report.disclosure_note:
        out.append(f"#align(bottom, text(size: 8pt, {lit(report.disclosure_note)}))")
    out += [
        "#set page(",
        f"  header: align(right, text(size: 8pt, fill: luma(90), {lit(header)})),",
        f"  footer: context align(center, text(size: 8pt, {lit(before)} + str(counter(page).get().first()) + "
        f"{lit(middle)} + str(counter(page).final().first()) + {lit(after)})),",
        ")",
        f"#outline(title: {lit(w['contents'])}, target: heading)",
        "#pagebreak()",
        "",
    ]
    figure_no = 0
    for section in report.sections:
        out.append(f"= #{lit(section.title)}")
        if section.main_points:
            out.append(f"#block(fill: luma(240), inset: 8pt, radius: 3pt, width: 100%)[*#{lit(w['main_points'])}*")
            out += [f"  - #{lit(point)}" for point in section.main_points]
            out.append("]")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out.append(f"#{lit(block.text)}")
                out.append("")
            elif isinstance(block, Notice):
                out.append("#block(stroke: 0.8pt + rgb(\"#b7950b\"), fill: rgb(\"#fef9e7\"), inset: 10pt, "
                           f"radius: 3pt, width: 100%, {content(block.text)})")
            elif isinstance(block, Table):
                out.append(_table(block, w))
            elif isinstance(block, Figure):
                figure_no += 1
                out.append(f"#figure(block(width: 100%)[#image({lit(image_name(figure_no, block))}, width: 100%, "
                           f"alt: {lit(block.alt)}) #align(left, text(size: 8pt, {lit(block.stated)}))], "
                           f"kind: image, supplement: {content(w['figure'])}, caption: {content(block.caption)})")
        out.append("")
    return "\n".join(out) + "\n"


def _table(table: Table, w: dict) -> str:
    n = len(table.columns)
    align = ", ".join("right" if table.aligned_right(c) else "left" for c in range(n))
    columns = ", ".join(["2fr"] + ["1fr"] * (n - 1)) if n > 2 else ", ".join(["1fr"] * n)
    cells = []
    for row in table.rows:
        cells.append(", ".join(content(c) for c in row))
    header = ", ".join(f"[*#{lit(c)}*]" for c in table.columns)
    body = (f"table(columns: ({columns},), align: ({align},), stroke: 0.4pt + luma(180), inset: 4pt, "
            f"table.header({header}), {', '.join(cells)})" if cells else
            f"table(columns: ({columns},), align: ({align},), table.header({header}))")
    out = f"#figure({body}, kind: table, supplement: {content(w['table'])}, caption: {content(table.caption)})"
    for note in table.notes:
        out += f"\n#text(size: 8pt, {lit(note)})\n"
    return out


def render(report: Report) -> bytes:
    """The PDF bytes of ``report`` (the same document: the same bytes)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="obs-report-") as folder:
        root = Path(folder)
        names = {}

        def image_name(k, fig):
            name = f"figura-{k}.{fig.extension}"
            names[name] = fig.data
            return name

        text = source(report, image_name)
        for name, data in names.items():
            (root / name).write_bytes(data)
        main = root / "informe.typ"
        main.write_text(text, encoding="utf-8")
        return typst.compile(str(main), root=str(root), ignore_system_fonts=True, font_paths=[])
