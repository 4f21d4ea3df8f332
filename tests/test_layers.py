"""Which package may import which, read from the source with `ast` (nothing is imported).

Every ``import`` and ``from … import`` counts, at module level or inside a
function, since a function-level import is a dependency all the same (it only
runs later). Migrations are left out: they name apps, not modules.

* ``observatorio.tables`` (reading tables) and ``observatorio.taxonomy`` (the
  category tree as data) import no other observatorio module;
  ``observatorio.analysis`` imports only itself and ``tables``.
* ``observatorio.territory`` never imports ``observatorio.records``: records
  (the import pipeline) places events in the territory, not the other way round.
* No import cycle among the modules of observatorio.
* Nothing the pure modules reach by any import (the demo's generator
  ``demo.scenario`` included) imports Django or matplotlib, not even inside a
  function; tests/test_purity.py checks the same by importing them.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "observatorio"

# Package (or module) -> the observatorio packages it may import; anything else from observatorio is a violation.
# observatorio.errors (UserError, Django-free, imports nothing) is the one module every layer may raise from.
ONLY_FROM = {
    "observatorio.tables": ("observatorio.tables", "observatorio.errors"),
    "observatorio.taxonomy": ("observatorio.taxonomy",),
    "observatorio.analysis": ("observatorio.analysis", "observatorio.tables", "observatorio.errors"),
    "observatorio.errors": (),
    "observatorio.labels": ("observatorio.analysis",),
    "observatorio.reports.sentences": ("observatorio.reports.sentences", "observatorio.analysis", "observatorio.tables",
                                       "observatorio.errors"),
}
# Package -> the observatorio packages it must never import.
NEVER_FROM = {
    "observatorio.territory": ("observatorio.records",),
}
PURE = ("observatorio.tables", "observatorio.taxonomy", "observatorio.analysis", "observatorio.demo.scenario",
        "observatorio.errors", "observatorio.reports.sentences")
IMPURE = ("django", "matplotlib")


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@cache
def _modules() -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package), for every file under observatorio/ but migrations."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


@cache
def _imports(module: str) -> tuple[tuple[int, str], ...]:
    """(line, name) of everything `module` imports, anywhere in the file; relative imports made absolute.

    ``from a.b import c`` names "a.b.c" when that is a module, else "a.b" (c is then a name defined in a.b).
    """
    path, is_package = _modules()[module]
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                name = f"{target}.{alias.name}"
                found.append((node.lineno, name if name in _modules() else target))
    return tuple(dict.fromkeys(found))


def _module_of(name: str) -> str | None:
    """The observatorio module `name` lives in: itself if it is one, else the nearest enclosing one."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


@cache
def _graph() -> dict[str, frozenset[str]]:
    """Module -> the observatorio modules it imports (explicitly: a package's __init__ only when it is named)."""
    graph = {}
    for module in _modules():
        targets = {_module_of(name) for _, name in _imports(module) if _within(name, "observatorio")}
        graph[module] = frozenset(targets - {module, None})
    return graph


def _in(packages) -> list[str]:
    return [m for m in _modules() if any(_within(m, p) for p in packages)]


def test_the_module_graph_is_read():
    graph = _graph()
    assert "observatorio.tables.readers.csv" in graph and "observatorio.demo.scenario" in graph
    assert "observatorio.tables.readers.base" in graph["observatorio.tables.readers.csv"]
    assert "observatorio.records.pipeline.kinds" in graph["observatorio.records.pipeline.run"]
    assert "observatorio.records.pipeline.surveys" in graph["observatorio.records.pipeline.kinds"]
    assert "observatorio.tables.readers" in graph["observatorio.territory.demography_import"]
    assert not any("migrations" in m for m in graph)


@pytest.mark.parametrize("package", sorted(ONLY_FROM))
def test_bottom_packages_import_only_what_they_may(package):
    allowed = ONLY_FROM[package]
    bad = [f"{_modules()[m][0].relative_to(ROOT)}:{line} imports {name}"
           for m in _in([package]) for line, name in _imports(m)
           if _within(name, "observatorio") and not any(_within(name, a) for a in allowed)]
    assert bad == [], f"{package} may import only {allowed} from observatorio:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", sorted(NEVER_FROM))
def test_packages_do_not_import_what_depends_on_them(package):
    forbidden = NEVER_FROM[package]
    bad = [f"{_modules()[m][0].relative_to(ROOT)}:{line} imports {name}"
           for m in _in([package]) for line, name in _imports(m)
           if any(_within(name, f) for f in forbidden)]
    assert bad == [], f"{package} must not import {forbidden}:\n" + "\n".join(bad)


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """One shortest cycle per strongly connected component of more than one module (Tarjan, then BFS)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for component in components:
        start = min(component)
        paths, seen = {start: [start]}, {start}
        queue = [start]
        while queue:
            v = queue.pop(0)
            for w in sorted(graph[v] & component):
                if w == start:
                    cycles.append(paths[v] + [start])
                    queue = []
                    break
                if w not in seen:
                    seen.add(w)
                    paths[w] = paths[v] + [w]
                    queue.append(w)
    return sorted(cycles)


def test_cycle_finder_names_a_cycle():
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert _cycles(graph) == [["a", "b", "c", "a"]]
    assert _cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_no_import_cycle_among_modules():
    cycles = _cycles(_graph())
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_what_pure_modules_reach_imports_no_django_or_matplotlib():
    graph, via = _graph(), {}
    todo = [(m, "") for m in _in(PURE)]
    while todo:
        module, parent = todo.pop()
        if module in via:
            continue
        via[module] = parent
        parts = module.split(".")
        packages = [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in _modules()]
        todo += [(m, module) for m in sorted(graph[module]) + packages]
    assert "observatorio.demo.scenario" in via and "observatorio.taxonomy" in via

    def chain(module):
        return module if not via[module] else f"{chain(via[module])} -> {module}"

    bad = [f"{_modules()[m][0].relative_to(ROOT)}:{line} imports {name} (reached by {chain(m)})"
           for m in sorted(via) for line, name in _imports(m) if name.split(".")[0] in IMPURE]
    assert bad == [], "reached from a pure module:\n" + "\n".join(bad)
