"""What a data state is a picture of: the events' version and the shape of the territory and the catalog.

One statement of a dozen sub-queries, read on every :func:`observatorio.state.current`
(~0.5 ms on PostgreSQL, less on SQLite): a change made by any process — an
import from the command line, the admin of another server worker, a rollback —
shows on the very next request, and nothing needs to know whether it runs
inside a transaction.

* events: the :class:`~observatorio.records.models.DataVersion` counter and its
  token (new at every bump, so a version number that comes back after a
  rollback is still told apart);
* territory: counts and largest ids of areas, boundaries, demography rows,
  places and reference layers;
* catalog: counts, largest ids and a checksum of the names and kinds of
  sources and categories, and of the measures with their sources and
  categories (a rename to a name of the same length is missed until the next
  other change);
* surveys: count and largest id of the survey responses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection

from observatorio.records.models import Category, DataVersion, Measure, Place, Source, SurveyResponse
from observatorio.records.snapshot import EVENTS
from observatorio.territory.models import Area, Boundary, Demography, ReferenceLayer


@dataclass(frozen=True)
class Key:
    version: int  # the events' data version (0: never bumped)
    token: str  # the events' version token ("" when never bumped)
    territory: tuple
    catalog: tuple
    surveys: tuple

    @property
    def events(self) -> tuple:
        return (self.version, self.token)

    def part(self, name: str) -> tuple:
        """The key of one part of the state: ``events``, ``territory``, ``catalog`` or ``surveys``."""
        return self.events if name == "events" else getattr(self, name)


@functools.cache
def _sql() -> str:
    table = DataVersion._meta.db_table
    out = [f"SELECT version FROM {table} WHERE name = '{EVENTS}'", f"SELECT token FROM {table} WHERE name = '{EVENTS}'"]
    for model in (Area, Boundary, Demography, Place, ReferenceLayer):
        name = model._meta.db_table
        out += [f"SELECT COUNT(*) FROM {name}", f"SELECT MAX(id) FROM {name}"]
    for model, extra in ((Source, " + LENGTH(kind)"), (Category, " + COALESCE(parent_id, 0)")):
        name = model._meta.db_table
        out += [f"SELECT COUNT(*) FROM {name}", f"SELECT MAX(id) FROM {name}",
                f"SELECT SUM(LENGTH(code) + LENGTH(name){extra}) FROM {name}"]
    # Measures: any edit of a field or of its sources and categories moves the checksum (ids are summed, so
    # swapping one source for another of the same id total is missed until the next other change).
    name = Measure._meta.db_table
    out += [f"SELECT COUNT(*) FROM {name}", f"SELECT MAX(id) FROM {name}",
            f"SELECT SUM(LENGTH(code) + LENGTH(name) + LENGTH(unit) + LENGTH(kind) + LENGTH(combine) "
            f"+ LENGTH(link_attribute) + LENGTH(definition) + link_metres + link_hours + position "
            f"+ COALESCE(primary_source_id, 0) + COALESCE(reference_source_id, 0) "
            f"+ CASE WHEN sensitive THEN 1 ELSE 0 END) FROM {name}"]
    for through in (Measure.sources.through, Measure.categories.through):
        name = through._meta.db_table
        column = "source_id" if through is Measure.sources.through else "category_id"
        out += [f"SELECT COUNT(*) * 1000003 + COALESCE(SUM(measure_id * 7919 + {column}), 0) FROM {name}"]
    name = SurveyResponse._meta.db_table
    out += [f"SELECT COUNT(*) FROM {name}", f"SELECT MAX(id) FROM {name}"]
    return "SELECT " + ", ".join(f"({p})" for p in out)


# The columns of each part in the statement's row.
_TERRITORY, _CATALOG, _SURVEYS = slice(2, 12), slice(12, 23), slice(23, 25)


def read_key() -> Key:
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        row = cursor.fetchone()
    return Key(int(row[0] or 0), row[1] or "", tuple(row[_TERRITORY]), tuple(row[_CATALOG]), tuple(row[_SURVEYS]))
