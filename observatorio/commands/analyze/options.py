"""Arguments shared by the ``analyze`` methods, and argparse types that fail with a clear message."""

from __future__ import annotations

import argparse
import sys

from observatorio.errors import UserError

from ..i18n import _, thousands


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es un número") % {"text": text}) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(_("%(text)s debe ser positivo") % {"text": text})
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es un número entero") % {"text": text}) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("%(value)s no debe ser negativo") % {"value": value})
    return value


def positive_int(text: str) -> int:
    value = count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("%(text)s debe ser positivo") % {"text": text})
    return value


def fraction(text: str) -> float:
    value = positive(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(_("%(text)s debe estar entre 0 y 1") % {"text": text})
    return value


def numbers(text: str) -> list[float]:
    """'0,100,200' → [0.0, 100.0, 200.0]."""
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(text)r no es una lista de números separados por comas")
                                         % {"text": text}) from None


def edges(text: str) -> list[float]:
    """'0,100,200' → band edges: at least two, non-negative, strictly increasing."""
    values = numbers(text)
    if len(values) < 2 or values[0] < 0 or any(b <= a for a, b in zip(values, values[1:])):
        raise argparse.ArgumentTypeError(_("%(text)r: se necesitan al menos dos límites no negativos y crecientes, "
                                           "p. ej. 0,100,200") % {"text": text})
    return values


def fractions(text: str) -> list[float]:
    """'0.01,0.05' → shares, each above 0 and at most 1."""
    values = numbers(text)
    if not values or any(not 0 < v <= 1 for v in values):
        raise argparse.ArgumentTypeError(_("%(text)r: cada fracción debe ser mayor que 0 y a lo más 1, p. ej. "
                                           "0.01,0.05,0.10") % {"text": text})
    return values


def pair(text: str) -> tuple[float, float]:
    """'207,110' → (207.0, 110.0): counts before and after."""
    values = numbers(text)
    if len(values) != 2:
        raise argparse.ArgumentTypeError(_("%(text)r deben ser dos conteos ANTES,DESPUÉS, p. ej. 207,110")
                                         % {"text": text})
    return values[0], values[1]


def names(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        raise argparse.ArgumentTypeError(_("indique al menos un nombre de columna"))
    return values


def add_method(msub, name: str, help_text: str, description: str, handler, *, file_help: str | None):
    """A method's parser with the options every method shares (the input file, --json, -o)."""
    p = msub.add_parser(name, help=help_text, description=description)
    if file_help is not None:
        p.add_argument("file", metavar=_("ARCHIVO"), help=file_help)
        p.add_argument("--layer", help=_("capa de un GeoPackage (por defecto: la primera)"))
    p.add_argument("--json", action="store_true",
                   help=_("muestra el resultado como JSON (método, parámetros, resultados)"))
    p.add_argument("-o", "--output", metavar=_("ARCHIVO"),
                   help=_("además escribe la tabla del resultado: .geojson o .csv"))
    p.set_defaults(handler=handler, needs_django=False, method=name)
    return p


def add_points(p) -> None:
    p.add_argument("--x", metavar=_("COLUMNA"),
                   help=_("columna de la longitud (o coordenada este con --crs); por defecto: lon/lat, x/y… o la "
                          "geometría de punto"))
    p.add_argument("--y", metavar=_("COLUMNA"), help=_("columna de la latitud (o coordenada norte con --crs)"))
    p.add_argument("--crs", help=_("sistema de coordenadas cuando no son grados WGS84, p. ej. EPSG:32719"))


def add_grid(p, *, distance: bool = True) -> None:
    p.add_argument("--cell", type=positive, default=100.0, help=_("lado de la celda en metros (por defecto 100)"))
    if distance:
        p.add_argument("--distance", type=positive, default=None,
                       help=_("radio de la vecindad en metros entre centros de celda (por defecto 1,5 × celda: las "
                              "8 celdas vecinas)"))
    p.add_argument("--margin", type=count, default=0,
                   help=_("metros de borde vacío alrededor de los puntos (por defecto 0)"))
    p.add_argument("--area", metavar=_("ARCHIVO"),
                   help=_("área de estudio: polígonos (GeoJSON, GeoPackage, Shapefile, GeoParquet), p. ej. el límite "
                          "de la comuna; se descartan las celdas cuyo centro queda fuera (por defecto: el rectángulo "
                          "de los puntos)"))
    p.add_argument("--max-cells", type=positive_int, default=None, metavar="N",
                   help=_("máximo de celdas de la grilla (por defecto OBS_ANALYSIS_MAX_CELLS, si no 1.000.000)"))


def add_weights(p, *, binary_default: bool = False) -> None:
    """--weights, --k, --transformation and --id; ``binary_default``: only b (default) or r, as Local G takes."""
    p.add_argument("--weights", choices=("queen", "rook", "knn"), default="queen",
                   help=_("pesos espaciales: vértice compartido (queen), borde compartido (rook) o k centroides más "
                          "cercanos (knn)"))
    p.add_argument("--k", type=positive_int, default=4, help=_("vecinos para --weights knn (por defecto 4)"))
    if binary_default:
        p.add_argument("--transformation", default="b", choices=("b", "r"),
                       help=_("transformación de los pesos: b, binaria como la definen Getis y Ord (por defecto), "
                              "o r, estandarizada por fila"))
    else:
        p.add_argument("--transformation", default="r", choices=("r", "b", "o", "d", "v"),
                       help=_("transformación de los pesos (por defecto r, estandarizada por fila)"))
    p.add_argument("--id", metavar=_("COLUMNA"),
                   help=_("columna que identifica cada área en la salida (por defecto: el número de fila)"))


def add_permutations(p, default: int) -> None:
    p.add_argument("--permutations", type=count, default=default,
                   help=_("permutaciones aleatorias para los pseudo valores p (por defecto %(default)s; 0 las omite)"))
    p.add_argument("--seed", type=int, default=0, help=_("semilla de numpy.random.default_rng (por defecto 0)"))


def check_inference(args) -> None:
    """``--inference permutation`` needs permutations: said before any reading, in the command's options."""
    if args.inference == "permutation" and args.permutations == 0:
        raise UserError(_("--inference permutation necesita --permutations mayor que 0 (p. ej. 999)"))


def date_format(text: str) -> str:
    """An explicit date format (``%m/%d/%Y``, ``mm/dd/aaaa``…), checked here so a typo fails before any reading."""
    from observatorio.tables.parsing import date_format_order

    try:
        date_format_order(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(text)r no es un formato de fecha; use dd-mm-aaaa, mm-dd-aaaa, aaaa-mm-dd o su forma strftime "
              "(%%d-%%m-%%Y, %%m/%%d/%%Y, %%Y-%%m-%%d)") % {"text": text}) from None
    return text


def add_date_format(p) -> None:
    p.add_argument("--date-format", type=date_format, metavar=_("FORMATO"),
                   help=_("orden de las fechas: dd-mm-aaaa, mm-dd-aaaa o aaaa-mm-dd (o %%m/%%d/%%Y); por defecto se "
                          "deduce de las fechas que solo se leen de una forma, y si ninguna lo decide, día-mes-año"))


def add_date(p, help_text: str) -> None:
    """``--date COLUMN`` and ``--date-format``, for every method that reads dates."""
    p.add_argument("--date", required=True, metavar=_("COLUMNA"), help=help_text)
    add_date_format(p)


def event_dates(frame, args):
    """The ``--date`` column as timestamps, read in the order ``--date-format`` gives or the column shows; how
    many values that order decided is said on stderr (stdout stays the result, or its JSON)."""
    from observatorio.analysis.inputs import read_dates

    dates = read_dates(frame, args.date, args.file, date_format=args.date_format)
    order = dates.order
    if order is not None and order.ambiguous and order.how != "format":
        facts = {"n": thousands(order.ambiguous), "column": args.date}
        if order.how == "default":
            line = _("aviso: %(n)s fechas de la columna %(column)r pueden leerse como día-mes o como mes-día y "
                     "ninguna fecha lo decide: se leyeron día-mes-año; si son mes-día-año, use --date-format "
                     "mm-dd-aaaa") % facts
        else:
            template = _("aviso: %(n)s fechas de la columna %(column)r pueden leerse como día-mes o como mes-día: "
                         "se leyeron mes-día-año, como las que solo se leen así (fila %(row)s: %(value)s)") \
                if order.order == "mdy" else \
                _("aviso: %(n)s fechas de la columna %(column)r pueden leerse como día-mes o como mes-día: se "
                  "leyeron día-mes-año, como las que solo se leen así (fila %(row)s: %(value)s)")
            line = template % {**facts, "row": order.evidence + 1, "value": dates.text.iat[order.evidence]}
        print(line, file=sys.stderr)
    return dates.values
