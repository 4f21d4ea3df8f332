"""The suppression solver on random small tables: nothing 1..k−1 shown or derivable from a margin."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from observatorio.disclosure import suppress

K = 5
small = st.integers(min_value=0, max_value=12)


def leaks_1d(counts, extra, hidden, hidden_extra, total_hidden, k=K):
    members = np.concatenate([counts, extra])
    mask = np.concatenate([hidden, hidden_extra])
    shown_small = members[~mask]
    assert not ((shown_small >= 1) & (shown_small < k)).any(), "a small count is shown"
    if not total_hidden:
        gap = int(members.sum() - members[~mask].sum())
        assert not (1 <= gap < k), f"total minus visible cells gives {gap}"
        if mask.sum() == 1:
            assert members[mask][0] == 0 or members[mask][0] >= k  # pragma: no cover - caught by the gap
    else:
        assert 1 <= members.sum() < k


@settings(max_examples=300, deadline=None)
@given(st.lists(small, min_size=1, max_size=30), st.lists(small, max_size=2))
def test_list_with_total_never_leaks(counts, extra):
    counts, extra = np.array(counts), np.array(extra, dtype=np.int64)
    hidden, hidden_extra, total_hidden = suppress.list_with_total(counts, K, extra=extra)
    leaks_1d(counts, extra, hidden, hidden_extra, total_hidden)
    assert not hidden[counts == 0].any(), "a zero is never suppressed"
    assert hidden[(counts >= 1) & (counts < K)].all()


def check_line(total, total_hidden, members, members_hidden, k=K):
    """One line as an attacker reads it: the total minus the visible members."""
    members, members_hidden = np.asarray(members), np.asarray(members_hidden, dtype=bool)
    assert not ((members[~members_hidden] >= 1) & (members[~members_hidden] < k)).any()
    if total_hidden:
        assert not members_hidden.sum() == 0 or not (1 <= total < k), "a small total follows from its members"
        return
    assert not (1 <= total < k), "a small total is shown"
    gap = int(members[members_hidden].sum())
    assert not (1 <= gap < k), f"the total minus the visible cells gives {gap}"


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 7), st.integers(1, 24), st.data(), st.integers(0, 8))
def test_grid_with_margins_never_leaks(r, c, data, outside):
    matrix = np.array(data.draw(st.lists(st.lists(st.integers(0, 9), min_size=c, max_size=c), min_size=r,
                                         max_size=r)))
    m = suppress.grid_with_margins(matrix, K, outside=outside)
    cells = m["cells"]
    assert not cells[matrix == 0].any()
    rows, cols = matrix.sum(axis=1), matrix.sum(axis=0)
    for i in range(r):
        check_line(rows[i], m["rows"][i], matrix[i], cells[i])
    for j in range(c):
        check_line(cols[j], m["columns"][j], matrix[:, j], cells[:, j])
    grand = int(matrix.sum())
    check_line(grand, m["total"], rows, m["rows"])
    check_line(grand, m["total"], cols, m["columns"])
    check_line(grand + outside, 1 <= grand + outside < K, [grand, outside], [m["total"], m["outside"]])
    # Nothing small is derivable through any chain of lines (the solver's own audit, exact derivation).
    values = np.concatenate([matrix.ravel(), rows, cols, [grand, outside, grand + outside]])
    hidden = np.concatenate([cells.ravel(), m["rows"], m["columns"], [m["total"], m["outside"],
                                                                      1 <= grand + outside < K]])
    rc = r * c
    cell = np.arange(rc).reshape(r, c)
    eqs = [(rc + i, cell[i]) for i in range(r)] + [(rc + r + j, cell[:, j]) for j in range(c)]
    eqs += [(rc + r + c, rc + np.arange(r)), (rc + r + c, rc + r + np.arange(c)),
            (rc + r + c + 2, np.array([rc + r + c, rc + r + c + 1]))]
    assert suppress.violations(values, eqs, hidden, K) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), small), min_size=1, max_size=20))
def test_nested_families_never_leak(rows):
    parent = np.array([p for p, _c in rows])
    counts = np.array([c for _p, c in rows])
    cat_hidden, fam_hidden = suppress.nested(parent, counts, K)
    fam = np.bincount(parent, weights=counts, minlength=parent.max() + 1).astype(int)
    assert not suppress.violations(np.concatenate([counts, fam, [counts.sum()]]),
                                   [(len(counts) + j, np.flatnonzero(parent == j)) for j in range(fam.size)]
                                   + [(len(counts) + fam.size, len(counts) + np.arange(fam.size)),
                                      (len(counts) + fam.size, np.arange(len(counts)))],
                                   np.concatenate([cat_hidden, fam_hidden, [counts.sum() in range(1, K)]]), K)


def test_the_classic_example():
    # 3 is small; its partner is the next smallest non-zero cell (6), not the zero.
    hidden, _e, total_hidden = suppress.list_with_total([10, 3, 0, 6, 20], K)
    assert hidden.tolist() == [False, True, False, True, False] and not total_hidden


def _determined(A, known, values, cell) -> bool:
    """Does the system ``A · values = 0`` fix ``cell`` once the ``known`` cells are read (exact linear algebra:
    the cell's unit vector lies in the row space of the unknown columns)?"""
    unknown = ~known
    U = A[:, unknown]
    at = int(np.flatnonzero(unknown).tolist().index(cell))
    unit = np.zeros(U.shape[1])
    unit[at] = 1.0
    return np.linalg.matrix_rank(np.vstack([U, unit])) == np.linalg.matrix_rank(U)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 3), small), min_size=1, max_size=16),
       st.lists(st.integers(0, 3), min_size=4, max_size=4), st.integers(0, 3))
def test_macrosectors_and_their_uvs_never_leak(uvs, direct, neither):
    """UVs (parent −1: in no macrosector) and macrosectors published together: nothing small is shown, no
    suppressed small count follows exactly from any combination of the published tables (the events in a
    macrosector but in no UV, and in neither level, known to the attacker unless small), and no published
    margin minus its visible members leaves a small sum."""
    parent = np.array([p for p, _c in uvs])
    u = np.array([c for _p, c in uvs])
    n_m = 4
    inside = np.bincount(parent[parent >= 0], weights=u[parent >= 0], minlength=n_m).astype(int)
    d = np.array(direct)
    m = inside + d
    m_out = int(u[parent < 0].sum()) + neither
    u_out = int(d.sum()) + neither
    total = int(u.sum()) + u_out
    u_hid, u_out_hid, m_hid, m_out_hid = suppress.hierarchy(parent, u, m, K, children_out=u_out, parents_out=m_out,
                                                            total=total)
    # cells: u (n), m (4), d (4), neither, u_out, m_out, total
    n = u.size
    values = np.concatenate([u, m, d, [neither, u_out, m_out, total]])
    E, C, P, T = n + 8, n + 9, n + 10, n + 11
    published_hidden = np.concatenate([u_hid, m_hid, [u_out_hid, m_out_hid, 1 <= total < K]])
    published = np.concatenate([u, m, [u_out, m_out, total]])
    assert not ((published >= 1) & (published < K) & ~published_hidden).any(), "a small count is shown"
    assert not u_hid[u == 0].any() and not m_hid[m == 0].any(), "a zero is never suppressed"
    hidden = np.concatenate([u_hid, m_hid, (d >= 1) & (d < K), [1 <= neither < K, u_out_hid, m_out_hid,
                                                                 1 <= total < K]])
    lines = [(n + j, np.append(np.flatnonzero(parent == j), n + 4 + j)) for j in range(n_m)]
    lines += [(P, np.append(np.flatnonzero(parent < 0), E)), (C, np.append(n + 4 + np.arange(n_m), E)),
              (T, np.append(n + np.arange(n_m), P)), (T, np.append(np.arange(n), C))]
    A = np.zeros((len(lines), values.size))
    for row, (t, members) in enumerate(lines):
        A[row, members] = 1.0
        A[row, t] -= 1.0
    assert np.allclose(A @ values, 0)
    for cell in np.flatnonzero(hidden & (values >= 1) & (values < K)):
        assert not _determined(A, ~hidden, values, int(cell)), f"cell {cell} ({values[cell]}) follows exactly"
    for t, members in lines:
        if not hidden[t]:
            gap = int(values[members][hidden[members]].sum())
            assert not (1 <= gap < K), f"the margin {values[t]} minus its visible members gives {gap}"
