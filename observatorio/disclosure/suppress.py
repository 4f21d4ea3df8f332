"""Small-count suppression on linked tables: primary (1..k−1) and secondary (margins and totals).

Pure NumPy, no Django: a table is a vector of cells (inner cells, margins and totals alike) and a list of
equations ``total = sum(members)`` between them. A cell is *primary* sensitive when its count is 1..k−1; zeros
are never sensitive. Secondary suppression then follows the classic line rule of the hypercube method
(Repsilber; τ-Argus, Hundepool et al., *Statistical Disclosure Control*, 2012, §4.3): in every line (an
equation) the suppressed cells must neither be a single cell that the line's total and its visible cells give
back exactly, nor add up to a small number (1..k−1) the total minus the visible cells would reveal. Where a
line breaks the rule the next smallest visible non-zero member is suppressed too (the total itself when no
member is left; a total marked ``fixed``, public elsewhere, is never suppressed for that); cells that become
derivable count as visible. A cell is derivable when the published cells fix it through any combination of
the lines, not only through a line left with it alone: the lines are linear equations, and a suppressed cell
is fixed exactly when every solution of them gives it the same value (its coordinate is zero in every
null-space vector of the suppressed cells' columns: Gauss–Jordan elimination). The line-by-line view misses, e.g., a cell
that two lines with two unknowns each pin down together (a "bridge" between two suppressed cycles of a
two-way table, or a macrosector minus its UVs when the UVs' sum is known from the total). The loop repeats
until every line holds: each pass adds at least one suppression, so it ends within as many passes as there
are cells.

The answer is a boolean mask (True: suppressed). The cost is tiny: tables of at most a few hundred cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Equation = tuple[int, Sequence[int]]  # (total cell, member cells)


def primary(values: np.ndarray, k: int) -> np.ndarray:
    """Cells whose count is 1..k−1."""
    values = np.asarray(values)
    return (values >= 1) & (values < k)


def _derivable(hidden: np.ndarray, cells_of: Sequence[np.ndarray], lines_of: dict[int, list[int]],
               exact: bool = True) -> np.ndarray:
    """Suppressed cells an attacker still cannot recover: a line with one hidden cell gives it back, and
    that cell known may leave another line with one (worked through a queue, each line once per change)."""
    unknown = hidden.copy()
    open_count = [int(unknown[cells].sum()) for cells in cells_of]
    queue = [n for n, c in enumerate(open_count) if c == 1]
    while queue:
        n = queue.pop()
        if open_count[n] != 1:
            continue
        cells = cells_of[n]
        cell = int(cells[unknown[cells]][0])
        unknown[cell] = False
        for line in lines_of.get(cell, ()):
            open_count[line] -= 1
            if open_count[line] == 1:
                queue.append(line)
    return _not_fixed(unknown, cells_of, lines_of) if exact else unknown


def _not_fixed(unknown: np.ndarray, cells_of: Sequence[np.ndarray], lines_of: dict[int, list[int]]) -> np.ndarray:
    """Of the cells still unknown after peeling single-unknown lines, those no combination of lines fixes:
    a cell is fixed when its coordinate is zero in every null-space vector of the lines restricted to the
    unknown cells (the known cells only move the right-hand side)."""
    cols = np.flatnonzero(unknown)
    if cols.size == 0:
        return unknown
    lines = sorted({n for c in cols.tolist() for n in lines_of.get(c, ())})
    if not lines:
        return unknown
    at = {int(c): j for j, c in enumerate(cols.tolist())}
    matrix = np.zeros((len(lines), cols.size))
    for row, n in enumerate(lines):
        cells = cells_of[n]
        for sign, cell in zip([1.0] * (cells.size - 1) + [-1.0], cells.tolist()):
            if cell in at:
                matrix[row, at[cell]] += sign
    fixed = _fixed_columns(matrix)
    unknown = unknown.copy()
    unknown[cols[fixed]] = False
    return unknown


def _fixed_columns(matrix: np.ndarray) -> np.ndarray:
    """Columns (unknowns) every solution of ``matrix · x = b`` gives one value: in the reduced row echelon
    form, a pivot column whose row has no free column. Gauss–Jordan by hand (a few dozen rows): LAPACK's
    SVD would be exact too, but its threads cost more than the whole table on a busy machine."""
    a = matrix.astype(float).copy()
    rows, cols = a.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        p = r + int(np.argmax(np.abs(a[r:, c])))
        if abs(a[p, c]) < 1e-9:
            continue
        a[[r, p]] = a[[p, r]]
        a[r] /= a[r, c]
        others = np.abs(a[:, c]) > 1e-12
        others[r] = False
        a[others] -= np.outer(a[others, c], a[r])
        pivots.append(c)
        r += 1
    fixed = np.zeros(cols, dtype=bool)
    free = np.ones(cols, dtype=bool)
    free[pivots] = False
    for row, c in enumerate(pivots):
        fixed[c] = not (np.abs(a[row, free]) > 1e-9).any()
    return fixed


def violations(values, equations: Sequence[Equation], hidden, k: int) -> list[tuple[int, str]]:
    """Lines (by position) where the hidden cells leak: a sensitive cell derivable, or a small hidden sum.

    What the tests assert is empty after :func:`suppress`; also the loop's own guide.
    """
    values, hidden = np.asarray(values, dtype=np.int64), np.asarray(hidden, dtype=bool)
    eqs = [(int(t), np.asarray(m, dtype=np.int64)) for t, m in equations]
    return _violations(values, eqs, hidden, k, *_lines(eqs))


def _lines(eqs) -> tuple[list[np.ndarray], dict[int, list[int]]]:
    """Each line's cells (members and total), and the lines each cell lies on."""
    cells_of = [np.append(members, total) for total, members in eqs]
    lines_of: dict[int, list[int]] = {}
    for n, cells in enumerate(cells_of):
        for c in cells.tolist():
            lines_of.setdefault(c, []).append(n)
    return cells_of, lines_of


def _violations(values, eqs, hidden, k, cells_of, lines_of, exact: bool = True) -> list[tuple[int, str]]:
    unknown = _derivable(hidden, cells_of, lines_of, exact)
    found = []
    sensitive = primary(values, k)
    leaked = sensitive & ~unknown
    for n, (total, members) in enumerate(eqs):
        if leaked[cells_of[n]].any():
            found.append((n, "derivable"))
            continue
        if not unknown[total]:
            gap = int(values[members][unknown[members]].sum())
            if 1 <= gap < k:
                found.append((n, "small-sum"))
    return found


def suppress(values, equations: Sequence[Equation], k: int, *, fixed: Sequence[int] = ()) -> np.ndarray:
    """The cells to suppress (True) so that no line reveals a count 1..k−1, exactly or as a sum.

    ``values``: every cell's count (inner cells, margins, totals); ``equations``: (total, members) pairs;
    ``fixed``: totals public elsewhere (suppressed only when they are themselves 1..k−1).
    """
    values = np.asarray(values, dtype=np.int64)
    hidden = primary(values, k)
    if not hidden.any():
        return hidden
    eqs = [(int(t), np.asarray(m, dtype=np.int64)) for t, m in equations]
    fixed_mask = np.zeros(values.size, dtype=bool)
    fixed_mask[list(fixed)] = True
    cells_of, lines_of = _lines(eqs)
    exact = False
    for _pass in range(values.size + 1):
        # Lines first (peeling, cheap); the elimination over every line once they hold, and from then on.
        bad = _violations(values, eqs, hidden, k, cells_of, lines_of, exact)
        if not bad and not exact:
            exact = True
            bad = _violations(values, eqs, hidden, k, cells_of, lines_of, exact)
        if not bad:
            return hidden
        # Every broken line gets its next cell in one pass (a line mended earlier in the pass is left for the
        # next check): far fewer passes on large linked tables, at worst a cell more than one at a time.
        touched: set[int] = set()
        for n, _why in bad:
            total, members = eqs[n]
            if touched & set(members.tolist()) or total in touched:
                continue
            pick = _smallest_visible(values, hidden, members)
            if pick is None and not fixed_mask[total] and values[total] > 0 and not hidden[total]:
                pick = total
            if pick is None:
                pick = _widen(values, hidden, fixed_mask, eqs, lines_of, members[hidden[members]])
            if pick is None:
                if touched:  # this pass's cells may have mended it: checked again in the next pass
                    continue
                raise RuntimeError(f"cannot protect line {n}: no visible non-zero cell left")
            hidden[pick] = True
            touched.add(pick)
    raise RuntimeError("suppression did not settle")  # pragma: no cover - each pass hides one more cell


def _widen(values, hidden, fixed_mask, eqs, lines_of, start) -> int | None:
    """Every member is hidden or zero and the total is public: the smallest visible non-zero cell of the
    lines reached through hidden cells, nearest lines first (the hypercube's step into the next dimension)."""
    seen_cells, seen_lines = set(int(c) for c in start), set()
    frontier = list(seen_cells)
    while frontier:
        lines = {n for c in frontier for n in lines_of.get(c, ()) if n not in seen_lines}
        seen_lines |= lines
        cells = np.unique(np.concatenate([np.append(eqs[n][1], eqs[n][0]) for n in lines])) if lines else []
        cells = np.asarray(cells, dtype=np.int64)
        open_ = cells[(~hidden[cells]) & (values[cells] > 0) & (~fixed_mask[cells])]
        if open_.size:
            return int(open_[np.argmin(values[open_])])
        frontier = [int(c) for c in cells if int(c) not in seen_cells]
        seen_cells |= set(frontier)
    return None


def _smallest_visible(values: np.ndarray, hidden: np.ndarray, members: np.ndarray) -> int | None:
    candidates = members[(~hidden[members]) & (values[members] > 0)]
    if candidates.size == 0:
        return None
    return int(candidates[np.argmin(values[candidates])])


# --- the shapes we publish ---------------------------------------------------------------------------------


def list_with_total(counts, k: int, *, extra: Sequence[int] = (), total: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray, bool]:
    """A 1-D table (``counts``, plus ``extra`` published cells such as "no area") summing to ``total``
    (default: their sum), the total public (the headline).

    Returns (mask of counts, mask of extra, whether the total is suppressed: only when it is 1..k−1).
    """
    counts = np.asarray(counts, dtype=np.int64)
    extra = np.asarray(extra, dtype=np.int64)
    members = np.concatenate([counts, extra])
    total = int(members.sum()) if total is None else int(total)
    values = np.append(members, total)
    t = values.size - 1
    hidden = suppress(values, [(t, np.arange(t))], k, fixed=[t])
    return hidden[:counts.size], hidden[counts.size:t], bool(hidden[t])


def grid_with_margins(matrix, k: int, *, outside: int = 0) -> dict[str, np.ndarray | bool]:
    """A 2-D table with its row and column margins and its grand total, itself one part of a public
    total (``grand + outside``, e.g. the headline and the events without a time of day).

    Returns masks: ``cells`` (shape of matrix), ``rows``, ``columns``, and booleans ``total``, ``outside``.
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    r, c = matrix.shape
    rows, cols = matrix.sum(axis=1), matrix.sum(axis=0)
    grand = int(matrix.sum())
    values = np.concatenate([matrix.ravel(), rows, cols, [grand, outside, grand + outside]])
    cell = np.arange(r * c).reshape(r, c)
    row_at, col_at = r * c + np.arange(r), r * c + r + np.arange(c)
    g, o, h = r * c + r + c, r * c + r + c + 1, r * c + r + c + 2
    eqs = [(int(row_at[i]), cell[i]) for i in range(r)] + [(int(col_at[j]), cell[:, j]) for j in range(c)]
    eqs += [(g, row_at), (g, col_at), (h, np.array([g, o]))]
    hidden = suppress(values, eqs, k, fixed=[h])
    return {"cells": hidden[:r * c].reshape(r, c), "rows": hidden[row_at], "columns": hidden[col_at],
            "total": bool(hidden[g]), "outside": bool(hidden[o])}


def nested(parent_of: Sequence[int], counts, k: int, *, total: int | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Categories and their families together (a family is the sum of its categories, the total the sum of
    either), so that neither list can be subtracted from the other. ``parent_of[i]``: the family position
    of category i. Returns (mask of categories, mask of families), families in order 0..max(parent_of)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent_of = np.asarray(parent_of, dtype=np.int64)
    n_fam = int(parent_of.max()) + 1 if parent_of.size else 0
    fam = np.bincount(parent_of, weights=counts, minlength=n_fam).astype(np.int64) if n_fam else np.zeros(0, int)
    total = int(counts.sum()) if total is None else int(total)
    values = np.concatenate([counts, fam, [total]])
    t = values.size - 1
    fam_at = counts.size + np.arange(n_fam)
    eqs = [(int(fam_at[j]), np.flatnonzero(parent_of == j)) for j in range(n_fam)]
    eqs += [(t, fam_at), (t, np.arange(counts.size))]
    hidden = suppress(values, eqs, k, fixed=[t])
    return hidden[:counts.size], hidden[fam_at]


def hierarchy(parent_of: Sequence[int], children, parents, k: int, *, children_out: int, parents_out: int,
              total: int | None = None) -> tuple[np.ndarray, bool, np.ndarray, bool]:
    """Two area levels published with the same public total, e.g. UVs and macrosectors: each parent is the
    margin of its children, so neither table may be subtracted from the other.

    ``children``/``parents``: the two levels' counts; ``parent_of[i]``: the parent position of child i (−1:
    none); ``children_out``/``parents_out``: the events placed in no area of each level (published with
    them). The events in a parent but in none of its children, and those in neither level, are cells too
    (treated as known unless small, so the rule never leans on them). Returns (mask of children, children_out
    suppressed, mask of parents, parents_out suppressed).
    """
    children = np.asarray(children, dtype=np.int64)
    parents = np.asarray(parents, dtype=np.int64)
    parent_of = np.asarray(parent_of, dtype=np.int64)
    n, m = children.size, parents.size
    inside = np.bincount(parent_of[parent_of >= 0], weights=children[parent_of >= 0], minlength=m)[:m]
    direct = np.maximum(parents - inside.astype(np.int64), 0)  # in a parent, in none of its children
    orphans = np.flatnonzero(parent_of < 0)
    neither = max(int(parents_out) - int(children[orphans].sum()), 0)
    total = int(children.sum()) + int(children_out) if total is None else int(total)
    values = np.concatenate([children, parents, direct, [neither, children_out, parents_out, total]])
    parent_at, direct_at = n + np.arange(m), n + m + np.arange(m)
    e, c_out, p_out, t = 2 * m + n, 2 * m + n + 1, 2 * m + n + 2, 2 * m + n + 3
    eqs = [(int(parent_at[j]), np.append(np.flatnonzero(parent_of == j), direct_at[j])) for j in range(m)]
    eqs += [(p_out, np.append(orphans, e)), (c_out, np.append(direct_at, e)),
            (t, np.append(parent_at, p_out)), (t, np.append(np.arange(n), c_out))]
    hidden = suppress(values, eqs, k, fixed=[t])
    return hidden[:n], bool(hidden[c_out]), hidden[parent_at], bool(hidden[p_out])
