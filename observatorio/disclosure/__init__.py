"""Disclosure control: every count an aggregate-only reader sees passes through here.

* :mod:`.suppress` — primary and secondary small-count suppression on linked tables (pure NumPy);
* :mod:`.policy` — who is aggregate-only for which measure (:func:`~.policy.guard_for`), k, sensitive views;
* :mod:`.shapes` — the dashboard's shapes (headline, lists, hour × weekday, areas, changes) protected;
* :mod:`.grids` — grid layers (density, Gi*, emerging hotspots): minimum window and count per cell.

docs/disclosure.md describes the method and what each role sees.
"""
