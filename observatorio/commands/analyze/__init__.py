"""``observatorio analyze METHOD FILE``: the analysis package on any file, no database needed.

One module per family of methods (areas, points, series); each has
register(msub) and one function per method that returns an Outcome, which
output.py prints as JSON or a Spanish summary and writes with -o.
"""

from . import areas, points, series


def register(sub):
    p = sub.add_parser(
        "analyze", help="run a statistic on a GeoJSON, GeoPackage, Shapefile, CSV or Parquet file",
        description="Run one of the observatory's statistics on any file, with the parameters of its Python "
                    "function, and print a summary, JSON (--json) or write a GeoJSON/CSV table (-o). Needs no "
                    "database: analysts can check the numbers against GeoDa or PySAL on their own data.")
    p.set_defaults(needs_django=False)
    msub = p.add_subparsers(dest="method", metavar="METHOD")
    msub.required = True
    for family in (areas, points, series):
        family.register(msub)
