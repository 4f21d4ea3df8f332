"""Pure analysis functions: NumPy, pandas, SciPy, Shapely, pyproj, PySAL, scikit-learn.

Never imports Django (a test enforces it), so analysts can use it from a
notebook. Every function takes its data and parameters explicitly (``seed``
for anything random, ``as_of`` for anything about "now"), never mutates its
inputs, and raises ``observatorio.errors.UserError`` (a ``ValueError``) naming the
bad value and what is allowed; a ``ValueError`` of another kind is a programming error.
Import the module you need, e.g. ``from observatorio.analysis import hotspots``.
"""
