"""Sources, categories and measures as the filters and the figures name them: one read of both tables per data state."""

from __future__ import annotations

from dataclasses import dataclass

from .measures import DEFAULT_MEASURE, MeasureDef, load_measures
from .models import Category, Source


@dataclass(frozen=True)
class Catalog:
    sources: tuple[tuple[int, str, str], ...]  # (id, code, name) by name
    families: tuple[tuple[int, str, str], ...]  # categories without parent
    categories: tuple[tuple[int, str, str, int], ...]  # (id, code, name, parent id) of the rest, by name
    source_id: dict[str, int]
    category_id: dict[str, int]
    family_children: dict[str, tuple[int, ...]]  # family code → its categories' ids
    source_kind: dict[int, str]  # source id → its kind (SourceKind)
    measures: tuple[MeasureDef, ...] = ()  # by position

    def measure(self, code: str) -> MeasureDef | None:
        return next((m for m in self.measures if m.code == code), None)

    @property
    def count_measures(self) -> tuple[MeasureDef, ...]:
        """The measures that count events (what the dashboard, the map and the profiles offer)."""
        return tuple(m for m in self.measures if m.is_count)

    @property
    def default_measure(self) -> MeasureDef | None:
        """``casos-policiales`` when it exists, else the first measure that counts events."""
        return self.measure(DEFAULT_MEASURE) or next(iter(self.count_measures), None)

    def source_name(self, source_id: int) -> str:
        return next((n for i, _c, n in self.sources if i == source_id), "")

    @property
    def category_rows(self) -> list[tuple[int, str, int | None]]:
        """(id, name, parent id) of every category, families included."""
        return [(i, n, None) for i, _c, n in self.families] + [(i, n, p) for i, _c, n, p in self.categories]


def load_catalog() -> Catalog:
    rows = list(Source.objects.order_by("name").values_list("id", "code", "name", "kind"))
    sources = tuple((i, c, n) for i, c, n, _k in rows)
    kinds = {i: k for i, _c, _n, k in rows}
    rows = list(Category.objects.order_by("name").values_list("id", "code", "name", "parent_id"))
    families = tuple((i, c, n) for i, c, n, p in rows if p is None)
    children = tuple(r for r in rows if r[3] is not None)
    code_of = {i: c for i, c, _n in families}
    family_children: dict[str, list[int]] = {}
    for i, _c, _n, parent in children:
        if parent in code_of:
            family_children.setdefault(code_of[parent], []).append(i)
    return Catalog(sources, families, children, {c: i for i, c, _n in sources},
                   {c: i for i, c, _n, _p in rows}, {k: tuple(v) for k, v in family_children.items()}, kinds,
                   load_measures())
