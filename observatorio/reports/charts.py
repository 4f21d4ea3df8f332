"""Static charts for the reports: deterministic matplotlib SVG (the same numbers give the same bytes).

Agg backend, text drawn as paths with matplotlib's bundled DejaVu Sans (no system font is looked up, so
the output does not depend on the machine), ``svg.hashsalt`` fixed (the ids inside the SVG) and no date in
the metadata. Numbers on the axes in the report's language: es-CL 1.234 and 0,5; English 1,234 and 0.5.
Settings are applied per chart (``rc_context``), never globally. Django-free.
"""

from __future__ import annotations

import io
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

STYLE = {
    "svg.hashsalt": "observatorio",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "path.simplify": False,
}
_METADATA = re.compile(rb"\s*<metadata>.*?</metadata>", re.S)
LINE = "#1f4e79"
MARK = "#c0392b"
BAR = "#2e75b6"
WIDTH = 7.0  # inches: the text width of an A4 page with 2 cm margins


def format_number(value: float, language: str, digits: int = 0) -> str:
    """``value`` with the language's marks: es 1.234,5; en 1,234.5."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:,.{digits}f}"
    return text if language == "en" else text.translate(str.maketrans({",": ".", ".": ","}))


def _axis_formatter(language: str) -> FuncFormatter:
    def fmt(value, _pos):
        digits = 0 if float(value).is_integer() else (1 if abs(value * 10 - round(value * 10)) < 1e-9 else 2)
        return format_number(value, language, digits)

    return FuncFormatter(fmt)


def _svg(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    # The RDF metadata block says nothing but the file type (and names outside hosts): left out.
    return _METADATA.sub(b"", out.getvalue(), count=1)


def trend(labels: list[str], values: list, *, language: str = "es", marked: list[bool] | None = None,
          ylabel: str = "", marked_label: str = "") -> bytes:
    """A line over ``values`` (None: a gap, e.g. a withheld count), one x tick label per value (thinned to at
    most 12 shown); ``marked`` points drawn as red dots (signals, a partial bin), named ``marked_label`` in
    the legend."""
    with matplotlib.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
        xs = list(range(len(values)))
        ys = [math.nan if v is None else float(v) for v in values]
        ax.plot(xs, ys, color=LINE, linewidth=1.6, marker="o", markersize=3)
        if marked and any(marked):
            mx = [x for x, m in zip(xs, marked) if m]
            ax.plot(mx, [ys[x] for x in mx], linestyle="none", marker="o", markersize=6, color=MARK,
                    label=marked_label or None)
            if marked_label:
                ax.legend(frameon=False, loc="lower right")
        step = max(1, math.ceil(len(xs) / 12))
        ax.set_xticks(xs[::step], [labels[x] for x in xs[::step]], rotation=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_formatter(_axis_formatter(language))
        finite = [y for y in ys if not math.isnan(y)]
        ax.set_ylim(bottom=0, top=max(finite) * 1.1 + 1 if finite else 1)
        ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
        if ylabel:
            ax.set_ylabel(ylabel)
        return _svg(fig)


def bars(names: list[str], values: list, *, language: str = "es", xlabel: str = "", withheld: str = "") -> bytes:
    """Horizontal bars, the first name on top; a None value draws no bar and writes ``withheld`` instead."""
    with matplotlib.rc_context(STYLE):
        height = max(1.6, 0.32 * len(names) + 0.8)
        fig, ax = plt.subplots(figsize=(WIDTH, height))
        ys = list(range(len(names)))[::-1]
        shown = [0.0 if v is None else float(v) for v in values]
        ax.barh(ys, shown, color=BAR, height=0.65)
        top = max(shown, default=0) or 1
        for y, v in zip(ys, values):
            text = withheld if v is None else format_number(v, language)
            ax.text((0 if v is None else v) + top * 0.01, y, text, va="center", fontsize=8)
        ax.set_yticks(ys, names)
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.xaxis.set_major_formatter(_axis_formatter(language))
        ax.grid(axis="y", visible=False)
        if xlabel:
            ax.set_xlabel(xlabel)
        return _svg(fig)


def heatmap(matrix, row_names: list[str], *, language: str = "es", legend: str = "") -> bytes:
    """An hour × weekday heat map: ``matrix`` 7 rows (weekdays, ``row_names``) × 24 columns (hours 0–23);
    None cells (withheld) are left blank."""
    import numpy as np

    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        data = np.array([[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float)
        fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
        image = ax.imshow(data, aspect="auto", cmap="Blues", interpolation="nearest", vmin=0)
        ax.set_yticks(range(len(row_names)), row_names)
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
        bar = fig.colorbar(image, ax=ax, pad=0.01)
        bar.ax.yaxis.set_major_formatter(_axis_formatter(language))
        if legend:
            bar.set_label(legend)
        return _svg(fig)
