"""Colours sampled from Plotly's named scales, as ``plotly.colors.sample_colorscale`` gives them.

Plotly's function looks the scale up and validates it on every call (it
builds a validator of every named scale): about 0.1 ms a call, and a map colours
each area with one call. Here the scale is looked up once per name and each
point goes through Plotly's own interpolation and rounding, so the strings are
the same (tests/dashboard/test_colours.py compares them).
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from plotly import colors as plotly_colors


@lru_cache(maxsize=16)
def _scale(name: str) -> tuple[list[float], list[tuple]]:
    colorscale = plotly_colors.get_colorscale(name)
    points = plotly_colors.colorscale_to_scale(colorscale)
    plotly_colors.validate_scale_values(points)
    tuples = plotly_colors.validate_colors(plotly_colors.colorscale_to_colors(colorscale), colortype="tuple")
    return points, tuples


def sample(name: str, points) -> list[str]:
    """``rgb(r, g, b)`` of the named scale at each point of [0, 1]."""
    scale, tuples = _scale(name)
    out = []
    for point in points:
        if not 0.0 <= point <= 1.0:
            raise ValueError(f"colour scale point {point!r} lies outside [0, 1]")
        high = bisect_left(scale, point)
        low = high - 1
        interpolant = (point - scale[low]) / (scale[high] - scale[low])
        colour = plotly_colors.find_intermediate_color(tuples[low], tuples[high], interpolant)
        out.append(plotly_colors.label_rgb(plotly_colors.convert_to_RGB_255(colour)))
    return out
