"""Arguments shared by the ``analyze`` methods, and argparse types that fail with a clear message."""

from __future__ import annotations

import argparse


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def fraction(text: str) -> float:
    value = positive(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"{text} must lie between 0 and 1")
    return value


def numbers(text: str) -> list[float]:
    """'0,100,200' → [0.0, 100.0, 200.0]."""
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None


def pair(text: str) -> tuple[float, float]:
    """'207,110' → (207.0, 110.0): counts before and after."""
    values = numbers(text)
    if len(values) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} must be two counts BEFORE,AFTER, e.g. 207,110")
    return values[0], values[1]


def names(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        raise argparse.ArgumentTypeError("give at least one column name")
    return values


def add_method(msub, name: str, help_text: str, description: str, handler, *, file_help: str | None):
    """A method's parser with the options every method shares (the input file, --json, -o)."""
    p = msub.add_parser(name, help=help_text, description=description)
    if file_help is not None:
        p.add_argument("file", help=file_help)
        p.add_argument("--layer", help="layer of a GeoPackage (default: the first)")
    p.add_argument("--json", action="store_true", help="print the result as JSON (method, parameters, results)")
    p.add_argument("-o", "--output", metavar="FILE", help="also write the result table: .geojson or .csv")
    p.set_defaults(handler=handler, needs_django=False, method=name)
    return p


def add_points(p) -> None:
    p.add_argument("--x", metavar="COLUMN", help="longitude (or easting with --crs) column; default: lon/lat, x/y… "
                                                 "or the point geometry")
    p.add_argument("--y", metavar="COLUMN", help="latitude (or northing with --crs) column")
    p.add_argument("--crs", help="CRS of the coordinates when not WGS84 degrees, e.g. EPSG:32719")


def add_grid(p, *, distance: bool = True) -> None:
    p.add_argument("--cell", type=positive, default=100.0, help="cell side in metres (default 100)")
    if distance:
        p.add_argument("--distance", type=positive, default=None,
                       help="neighbourhood radius in metres between cell centres (default 1.5 × cell: the 8 "
                            "surrounding cells)")
    p.add_argument("--margin", type=count, default=0, help="metres of empty border around the points (default 0)")


def add_weights(p) -> None:
    p.add_argument("--weights", choices=("queen", "rook", "knn"), default="queen",
                   help="spatial weights: shared vertex (queen), shared edge (rook) or k nearest centroids")
    p.add_argument("--k", type=int, default=4, help="neighbours for --weights knn (default 4)")
    p.add_argument("--transformation", default="r", choices=("r", "b", "o", "d", "v"),
                   help="weights transformation (default r, row-standardised)")
    p.add_argument("--id", metavar="COLUMN", help="column identifying each area in the output (default: row number)")


def add_permutations(p, default: int) -> None:
    p.add_argument("--permutations", type=count, default=default,
                   help=f"random permutations for pseudo p-values (default {default}; 0 skips them)")
    p.add_argument("--seed", type=int, default=0, help="seed of numpy.random.default_rng (default 0)")
