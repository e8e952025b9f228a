"""Statistical disclosure control: the publication gate for tables that leave the app.

Rules (the usual output-checking rules of statistical offices, as in ACRO's ``safe_threshold``
and ``safe_nk`` checks and sdcTable's primary/secondary suppression; written here because ACRO
pins pandas <= 2.3):

* **Threshold (primary suppression).** A count ``0 < n < threshold`` (default 10) identifies
  too few cases and is shown as ``<10``. Zeros are not suppressed: a zero reveals no case.
* **Dominance (primary suppression of sums).** A sum of amounts is sensitive when its ``n``
  largest contributors make up at least ``k`` of it ((n, k) rule; default one party >= 90%):
  publishing it would publish that party's amount to within 10%.
* **Secondary suppression.** A published table usually has row and column totals, so a single
  hidden cell in a row could be recomputed as total minus the others. Cells are hidden in
  addition until no hidden cell can be derived from the published cells and totals: every
  hidden cell must lie on a *cycle* of hidden cells (alternating rows and columns of the table
  extended by its margins). Along such a cycle one can add +d and -d alternately without
  changing any published total, so the hidden value is not determined; a hidden cell that is a
  *bridge* of the row-column graph lies on no cycle and is exactly determined, which the simple
  "two hidden cells per line" rule misses. Secondary cells are chosen among the smallest
  non-zero cells (least information lost), as in tau-ARGUS's hypercube heuristic.
* **Dependent figures.** A rate, share or index score computed from a suppressed cell is
  suppressed too (``suppress_dependent``).

Every hidden cell is reported with its reason (``Suppression``), so the gate can log it.
The module is pure: it never reads the store and never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

HIDDEN = "<{t}"  # display of a suppressed count, e.g. "<10"
HIDDEN_OTHER = "—"  # display of a suppressed sum, rate or score


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds of the gate (configurable per deployment, ``[privacy]`` in shuzhu.toml)."""

    threshold: int = 10
    dominance_n: int = 1
    dominance_k: float = 0.90

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("threshold must be >= 1")
        if self.dominance_n < 1 or not 0.0 < self.dominance_k <= 1.0:
            raise ValueError("dominance rule needs n >= 1 and 0 < k <= 1")

    @property
    def hidden_label(self) -> str:
        return HIDDEN.format(t=self.threshold)


@dataclass(frozen=True)
class Suppression:
    """One hidden cell: where (row label, column label) and why."""

    row: object
    column: object
    reason: str  # "threshold" | "dominance" | "secondary"


def below_threshold(counts: np.ndarray | pd.DataFrame | pd.Series, rules: DisclosureRules) -> np.ndarray:
    """Boolean mask of counts that identify too few cases (0 < n < threshold)."""
    a = np.asarray(counts, dtype=float)
    return (a > 0) & (a < rules.threshold)


def dominated(total: float, contributions: Iterable[float], rules: DisclosureRules) -> bool:
    """True when the ``n`` largest contributions make up at least ``k`` of a positive total.

    >>> dominated(100.0, [91.0, 9.0], DisclosureRules())
    True
    >>> dominated(100.0, [89.0, 11.0], DisclosureRules())
    False
    """
    if not total or total <= 0:
        return False
    top = sorted((float(c) for c in contributions), reverse=True)[: rules.dominance_n]
    return sum(top) >= rules.dominance_k * total


# --- secondary suppression -------------------------------------------------------------------


def _extended(values: np.ndarray, margins: bool) -> np.ndarray:
    """The table with its row totals, column totals and grand total appended (if published)."""
    if not margins:
        return values.astype(float)
    r, c = values.shape
    ext = np.zeros((r + 1, c + 1), dtype=float)
    ext[:r, :c] = values
    ext[:r, c] = values.sum(axis=1)
    ext[r, :c] = values.sum(axis=0)
    ext[r, c] = values.sum()
    return ext


def _bridges(mask: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells that lie on no cycle of the bipartite row-column graph (Tarjan's bridges)."""
    r = mask.shape[0]
    adj: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in zip(*np.nonzero(mask), strict=True):
        a, b = int(i), r + int(j)
        adj.setdefault(a, []).append((b, (int(i), int(j))))
        adj.setdefault(b, []).append((a, (int(i), int(j))))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    out: list[tuple[int, int]] = []
    counter = 0
    for root in adj:
        if root in disc:
            continue
        # Iterative DFS: (node, edge used to reach it, iterator over neighbours).
        disc[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adj[root]))]
        while stack:
            node, via, it = stack[-1]
            advanced = False
            for nxt, edge in it:
                if edge == via:
                    continue
                if nxt in disc:
                    low[node] = min(low[node], disc[nxt])
                else:
                    disc[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, iter(adj[nxt])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > disc[parent]:
                    out.append(via)  # type: ignore[arg-type]
    return out


def _component(mask: np.ndarray, start: int, without: tuple[int, int]) -> set[int]:
    """Nodes (rows 0..r-1, columns r..r+c-1) reachable from ``start`` without one edge."""
    r, _ = mask.shape
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        if node < r:
            nbrs = [r + int(j) for j in np.nonzero(mask[node])[0] if (node, int(j)) != without]
        else:
            col = node - r
            nbrs = [int(i) for i in np.nonzero(mask[:, col])[0] if (int(i), col) != without]
        for n in nbrs:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def _pick(values: np.ndarray, mask: np.ndarray, cells: Iterable[tuple[int, int]],
          protected: np.ndarray) -> tuple[int, int] | None:
    """The cheapest cell to hide: smallest non-zero value; cells that are not totals first."""
    best: tuple[tuple[float, ...], tuple[int, int]] | None = None
    for i, j in cells:
        if mask[i, j]:
            continue
        v = values[i, j]
        cost = (1.0 if v == 0 else 0.0, float(protected[i, j]), v, float(i), float(j))
        if best is None or cost < best[0]:
            best = (cost, (i, j))
    return None if best is None else best[1]


def secondary(values: np.ndarray, primary: np.ndarray, *, margins: bool = True) -> np.ndarray:
    """Mask of the extended table (with margins if ``margins``) hiding primary and secondary cells.

    ``values`` is the inner table (r x c, non-negative); ``primary`` its primary mask. The result
    has shape (r+1, c+1) with margins (last row/column = totals), else (r, c).
    """
    vals = _extended(np.asarray(values, dtype=float), margins)
    mask = np.zeros(vals.shape, dtype=bool)
    p = np.asarray(primary, dtype=bool)
    mask[: p.shape[0], : p.shape[1]] = p
    if not margins:  # nothing published to recompute a hidden cell from
        return mask
    totals = np.zeros(vals.shape, dtype=bool)
    if margins:
        totals[-1, :] = True
        totals[:, -1] = True
    rows, cols = vals.shape
    for _ in range(rows * cols + 1):
        changed = False
        # 1. A line with exactly one hidden cell: hide a second one in that line.
        for i in range(rows):
            if mask[i].sum() == 1:
                cell = _pick(vals, mask, ((i, j) for j in range(cols)), totals)
                if cell:
                    mask[cell] = changed = True
        for j in range(cols):
            if mask[:, j].sum() == 1:
                cell = _pick(vals, mask, ((i, j) for i in range(rows)), totals)
                if cell:
                    mask[cell] = changed = True
        if changed:
            continue
        # 2. A hidden cell on no cycle is determined by the totals: close a cycle through it.
        for bi, bj in _bridges(mask):
            side_row = _component(mask, bi, (bi, bj))  # contains row bi
            side_col = _component(mask, rows + bj, (bi, bj))  # contains column bj
            # An edge from a row on the column side to a column on the row side closes a cycle.
            cands = [(i, j - rows) for i in side_col if i < rows for j in side_row if j >= rows]
            if not cands:  # degenerate shapes (a single row or column): any cell of the lines
                cands = [(bi, j) for j in range(cols)] + [(i, bj) for i in range(rows)]
            cell = _pick(vals, mask, cands, totals)
            if cell:
                mask[cell] = changed = True
                break
        if not changed:
            return mask
    return mask


# --- the gate for data frames ----------------------------------------------------------------


@dataclass(frozen=True)
class GatedTable:
    """A table ready to publish: display values (strings where hidden) and what was hidden."""

    display: pd.DataFrame
    hidden: pd.DataFrame  # bool, same shape as display
    log: tuple[Suppression, ...]


def gate_counts(table: pd.DataFrame, rules: DisclosureRules, *, margins: bool = True,
                total_label: str = "合计") -> GatedTable:
    """Protect a two-way table of counts (rows x columns), adding totals when ``margins``.

    Returns the display table (ints as text with thousands separators, hidden cells as "<10")
    including the margins, the hidden mask and the log of suppressions.
    """
    values = table.fillna(0).to_numpy(dtype=float)
    if (values < 0).any():
        raise ValueError("counts must be non-negative")
    prim = below_threshold(values, rules)
    mask = secondary(values, prim, margins=margins)
    ext = _extended(values, margins)
    index = [*table.index, total_label] if margins else list(table.index)
    columns = [*table.columns, total_label] if margins else list(table.columns)
    hidden = pd.DataFrame(mask, index=index, columns=columns)
    shown = pd.DataFrame(
        [[rules.hidden_label if mask[i, j] else f"{int(ext[i, j]):,}" for j in range(ext.shape[1])]
         for i in range(ext.shape[0])],
        index=index, columns=columns,
    )
    log = tuple(
        Suppression(index[i], columns[j],
                    "threshold" if i < prim.shape[0] and j < prim.shape[1] and prim[i, j] else "secondary")
        for i, j in zip(*np.nonzero(mask), strict=True)
    )
    return GatedTable(shown, hidden, log)


def gate_series(counts: pd.Series, rules: DisclosureRules, *, total: bool = True,
                total_label: str = "合计") -> GatedTable:
    """Protect a one-way table of counts (e.g. cases per district with the city total)."""
    frame = counts.to_frame(name=counts.name if counts.name is not None else "n")
    g = gate_counts(frame, rules, margins=total, total_label=total_label)
    if total:  # a one-column table's row totals repeat the column: keep the single column
        g = GatedTable(g.display.iloc[:, :1], g.hidden.iloc[:, :1],
                       tuple(s for s in g.log if s.column != total_label))
    return g


def suppress_dependent(values: pd.Series | pd.DataFrame, hidden: pd.Series | pd.DataFrame,
                       placeholder: str = HIDDEN_OTHER) -> pd.Series | pd.DataFrame:
    """Rates, shares or scores computed from hidden cells: shown as the placeholder too."""
    out = values.astype(object).copy()
    return out.mask(hidden.reindex_like(values).fillna(False).astype(bool), placeholder)


def gate_sums(sums: pd.Series, largest: pd.Series, counts: pd.Series, rules: DisclosureRules,
              fmt: str = "{:,.0f}") -> tuple[pd.Series, tuple[Suppression, ...]]:
    """Protect sums of amounts: hidden where dominated or where the count is below threshold.

    ``largest`` is, per cell, the sum of its ``rules.dominance_n`` largest contributions.
    Sums with a published total get secondary suppression like counts (one-way table).
    """
    total = sums.fillna(0).to_numpy(dtype=float)
    top = largest.reindex(sums.index).fillna(0).to_numpy(dtype=float)
    sensitive = (total > 0) & (top >= rules.dominance_k * total)
    sensitive |= below_threshold(counts.reindex(sums.index).fillna(0), rules)
    mask = secondary(sums.fillna(0).to_numpy(dtype=float)[:, None], sensitive[:, None], margins=True)
    inner = mask[:-1, 0]
    shown = pd.Series([HIDDEN_OTHER if h else fmt.format(v) for v, h in zip(sums, inner, strict=True)],
                      index=sums.index, name=sums.name)
    log = tuple(
        Suppression(idx, sums.name, "dominance" if sensitive[k] else "secondary")
        for k, idx in enumerate(sums.index) if inner[k]
    )
    return shown, log


def feasible_interval(values: np.ndarray, mask: np.ndarray, cell: tuple[int, int]) -> tuple[float, float]:
    """What an attacker can infer about one hidden cell of an extended table (LP bounds).

    Used by tests and by the audit of a published table: the published cells are fixed, every
    inner cell is non-negative, and each row and column of the inner table sums to its
    (published or hidden) margin. Returns (min, max) of the hidden cell over all such tables.
    """
    from scipy.optimize import linprog

    vals = np.asarray(values, dtype=float)
    rows, cols = vals.shape
    unknown = [(i, j) for i in range(rows) for j in range(cols) if mask[i, j]]
    pos = {cell_: k for k, cell_ in enumerate(unknown)}
    a_eq: list[list[float]] = []
    b_eq: list[float] = []

    def add(line: Sequence[tuple[int, int]], total: tuple[int, int]) -> None:
        row = [0.0] * len(unknown)
        rhs = 0.0
        for c_ in line:
            if c_ in pos:
                row[pos[c_]] += 1.0
            else:
                rhs -= vals[c_]
        if total in pos:
            row[pos[total]] -= 1.0
        else:
            rhs += vals[total]
        a_eq.append(row)
        b_eq.append(rhs)

    for i in range(rows - 1):
        add([(i, j) for j in range(cols - 1)], (i, cols - 1))
    for j in range(cols):
        add([(i, j) for i in range(rows - 1)], (rows - 1, j))
    obj = [0.0] * len(unknown)
    obj[pos[cell]] = 1.0
    lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog([-x for x in obj], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    upper = float("inf") if hi.status == 3 else float(-hi.fun)  # 3: unbounded
    return float(lo.fun), upper
