"""``observatorio analyze METHOD FILE``: the analysis package on any file, no database needed.

One module per family of methods (areas, points, series); each has
register(msub) and one function per method that returns an Outcome, which
output.py prints as JSON or a summary in the command's language and writes with -o.
"""

from ..i18n import _
from . import areas, points, series


def register(sub):
    p = sub.add_parser(
        "analyze", help=_("calcula una estadística sobre un archivo GeoJSON, GeoPackage, Shapefile, CSV o Parquet"),
        description=_("Calcula una de las estadísticas del observatorio sobre cualquier archivo, con los "
                      "parámetros de su función de Python, y muestra un resumen, JSON (--json) o escribe una tabla "
                      "GeoJSON/CSV (-o). No necesita base de datos: los analistas pueden contrastar las cifras con "
                      "GeoDa o PySAL en sus propios datos."))
    p.set_defaults(needs_django=False)
    msub = p.add_subparsers(dest="method", metavar=_("MÉTODO"))
    msub.required = True
    for family in (areas, points, series):
        family.register(msub)
