"""An illustrative observatory: a territory, people, places and events for any comuna.

Everything outside ``load`` is pure (no Django): ``scenario.build_scenario``
returns plain data frames, deterministic from ``seed`` and ``as_of``, which
``load.load_scenario`` writes to the database in one transaction. Totals of
police-recorded crime equal the real CEAD figures; everything else (areas,
points, calls, cases, survey answers) is invented and flagged as such.
"""
