"""A :class:`~.document.Report` as one self-contained HTML page: inline SVG figures (a PNG as a data: URL),
inline CSS for screen, phone (390 px) and print, no external host. Tables and figures are numbered here from
their order, as the PDF numbers them."""

from __future__ import annotations

import base64
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .document import Figure, Notice, Paragraph, Report, Table, content_hash, period_text, words

_PROLOG = re.compile(rb"^.*?(?=<svg)", re.S)


def inline_svg(data: bytes, prefix: str = "") -> str:
    """An SVG file's bytes as markup to put inside the page: the XML prolog and DOCTYPE dropped, the size left
    to CSS (the charts are matplotlib's, their text drawn as paths), every id and reference to one prefixed
    with ``prefix`` (each chart defines the same glyph and group ids: one page must not hold them twice)."""
    svg = _PROLOG.sub(b"", data, count=1).decode("utf-8")
    if prefix:
        svg = re.sub(r'(\sid=")', rf"\1{prefix}", svg)
        svg = re.sub(r'((?:xlink:)?href="#|url\(#)', rf"\1{prefix}", svg)
    # HTML knows the SVG and XLink namespaces: their declarations (URIs of w3.org) are dropped.
    for attribute in ("width", "height", "xmlns:xlink", "xmlns"):
        svg = re.sub(rf'(<svg[^>]*?)\s{attribute}="[^"]*"', r"\1", svg, count=1)
    return svg


def _block(block, numbers: dict) -> dict:
    if isinstance(block, Table):
        numbers["table"] += 1
        return {"type": "table", "number": numbers["table"], "block": block,
                "rows": [[(c, block.aligned_right(i)) for i, c in enumerate(row)] for row in block.rows],
                "columns": [(c, block.aligned_right(i)) for i, c in enumerate(block.columns)]}
    if isinstance(block, Figure):
        numbers["figure"] += 1
        if block.svg is not None:
            image = mark_safe(inline_svg(block.svg, f"f{numbers['figure']}-"))  # noqa: S308 - matplotlib's own SVG, text as paths
        else:
            image = mark_safe('<img alt="" src="data:image/png;base64,'  # noqa: S308 - base64 only
                              + base64.b64encode(block.png).decode("ascii") + '">')
        return {"type": "figure", "number": numbers["figure"], "block": block, "image": image}
    if isinstance(block, Notice):
        return {"type": "notice", "block": block}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "block": block}
    raise TypeError(f"unknown block {type(block).__name__}")


def render(report: Report) -> str:
    numbers = {"table": 0, "figure": 0}
    sections = [{"number": k, "section": s, "blocks": [_block(b, numbers) for b in s.blocks]}
                for k, s in enumerate(report.sections, start=1)]
    return render_to_string("reports/report.html", {
        "report": report, "sections": sections, "words": words(report), "period": period_text(report),
        "fingerprint": content_hash(report)[:32], "lang": "en" if report.language == "en" else "es"})
