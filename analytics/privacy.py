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
  suppressed too (``suppress_dependent``). That includes the rate's own numerator: 3 of 5,000
  cases is a rate of 0.06 % over a published 5,000, i.e. the count 3. A display table names the
  numerator of each rate (``TableSpec.rates``); the numerators are gated as counts with the
  table (primary and secondary suppression, as the attacker can recover them from rate and
  denominator) without being published, and a rate is hidden wherever its numerator is.

Every hidden cell is reported with its reason (``Suppression``), so the gate can log it.
The module is pure: it never reads the store and never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


class RulesError(ValueError):
    """A bad ``[privacy]`` section, with a bilingual message."""


def load_rules(env: Mapping[str, str] | None = None) -> DisclosureRules:
    """``[privacy]`` of shuzhu.toml (path in SHUZHU_CONFIG): ``threshold``, ``dominance_n``,
    ``dominance_k``; the defaults (<10, one party 90%) for what is not set."""
    import os
    import tomllib
    from pathlib import Path

    from analytics.settings import PROJECT_ROOT

    env = dict(os.environ) if env is None else env
    path = Path(env.get("SHUZHU_CONFIG", PROJECT_ROOT / "shuzhu.toml"))
    cfg: dict[str, object] = {}
    if path.is_file():
        with path.open("rb") as fh:
            cfg = tomllib.load(fh).get("privacy", {})
    try:
        return DisclosureRules(threshold=int(cfg.get("threshold", 10)),  # type: ignore[call-overload]
                               dominance_n=int(cfg.get("dominance_n", 1)),  # type: ignore[call-overload]
                               dominance_k=float(cfg.get("dominance_k", 0.90)))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RulesError(f"[privacy] 配置有误：{exc}（threshold ≥ 1 的整数，0 < dominance_k ≤ 1） / "
                         f"bad [privacy] settings: {exc}") from exc


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


# --- the gate for display tables (what the page shell publishes for protected users) ----------

# Column names that hold keys, not figures (codes, years, months, ranks): never gated.
_KEY_HINTS = ("代码", "adcode", "code", "年份", "年度", "year", "月份", "month", "序号", "排名", "rank", "人口")


@dataclass(frozen=True)
class TableSpec:
    """What the columns of a display table are, for the gate.

    * ``counts``: counts of cases (or records, parties): primary suppression below the threshold
      and secondary suppression over the table's rows and columns with their totals.
    * ``dependent``: rates, shares, means, changes and scores computed from the row's counts:
      hidden in every row where a count is hidden.
    * ``sums``: sums of amounts; published only where ``largest`` names, per sum column, a column
      with the largest single contribution of that cell (dominance rule), otherwise withheld.
    * ``public``: figures that are not about cases (population, thresholds): never gated.
    * ``total``: (label column, label) of a row that is the total of the others, if any.
    * ``drop``: columns withheld entirely from protected users.
    * ``margins``: False when no total over the rows is published anywhere (e.g. alerts of
      unrelated series): then only primary suppression applies.
    * ``rates``: (rate column, numerator column) pairs: the count each rate (share, complement
      rate) is computed from. Numerator columns are gated as counts together with ``counts``
      (a published rate times its denominator gives them away); a numerator column that is not
      itself in ``counts`` is not published (removed from the display). A rate is hidden where
      its numerator is hidden, in addition to the row rule of ``dependent``.

    Columns not named are inferred by :func:`infer_spec`: integer columns are counts, other
    numeric columns dependent, text and key columns (codes, years, months) pass unchanged.
    """

    counts: tuple[str, ...] = ()
    dependent: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    largest: tuple[tuple[str, str], ...] = ()
    public: tuple[str, ...] = ()
    total: tuple[str, object] | None = None
    drop: tuple[str, ...] = ()
    margins: bool = True
    rates: tuple[tuple[str, str], ...] = ()


# Names of figures computed from counts (rates, shares, means, scores): dependent, even when
# their values happen to be whole numbers.
_DEPENDENT_HINTS = ("率", "%", "比", "均", "天数", "得分", "分)", "指数", "倍", "预期", "上限", "强度", "share",
                    "rate", "ratio", "mean", "score")


def _is_key(name: str) -> bool:
    low = str(name).lower()
    return any(h in low for h in _KEY_HINTS)


def infer_spec(df: pd.DataFrame, spec: TableSpec | None = None) -> TableSpec:
    """``spec`` completed for the columns it does not name (see :class:`TableSpec`)."""
    spec = spec or TableSpec()
    named = {*spec.counts, *spec.dependent, *spec.sums, *spec.public, *spec.drop,
             *(v for _, v in spec.largest), *(n for _, n in spec.rates)}
    counts, dependent = list(spec.counts), list(spec.dependent)
    dependent += [r for r, _ in spec.rates if r not in named and r in df.columns]  # a rate is dependent
    named |= {r for r, _ in spec.rates}
    for col in df.columns:
        if col in named or _is_key(str(col)):
            continue
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if any(h in str(col).lower() for h in _DEPENDENT_HINTS) and (
                pd.api.types.is_numeric_dtype(s) or s.dtype == object):
            dependent.append(col)
        elif pd.api.types.is_integer_dtype(s):
            counts.append(col)
        elif pd.api.types.is_numeric_dtype(s):
            dependent.append(col)
        elif s.dtype == object:
            num = pd.to_numeric(s, errors="coerce")
            if s.notna().any() and num.notna().sum() == s.notna().sum():  # numbers held as objects
                whole = (num.dropna() == num.dropna().round()).all()
                (counts if whole else dependent).append(col)
    return TableSpec(tuple(counts), tuple(dependent), spec.sums, spec.largest, spec.public,
                     spec.total, spec.drop, spec.margins, spec.rates)


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float | np.floating):
        return f"{float(v):,.0f}" if float(v).is_integer() and abs(v) >= 1000 else f"{float(v):g}"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    return str(v)


@dataclass(frozen=True)
class GatedFrame:
    """A display table after the gate: text cells, the hidden cells, and the log."""

    display: pd.DataFrame
    hidden: pd.DataFrame  # bool, same shape and labels as display
    log: tuple[Suppression, ...]
    withheld: tuple[str, ...] = ()  # columns removed (sums without dominance data, ``drop``)

    @property
    def n_hidden(self) -> int:
        return int(self.hidden.to_numpy().sum())


def gate_frame(df: pd.DataFrame, rules: DisclosureRules, spec: TableSpec | None = None) -> GatedFrame:
    """Protect a display table whose rows are units (districts, courts, months, causes ...).

    Count columns are gated together as one table with its totals (the column totals are
    published, as the city figures, or in the ``total`` row; the row totals are assumed
    published too, which can only hide more). The ``total`` row, if any, shows the margins:
    hidden where secondary suppression hid a margin. Dependent columns are hidden in every row
    that has a hidden count, and in the total row when a total count is hidden. Figures are
    returned as text ("<10" and "—" where hidden); other columns unchanged.
    """
    spec = infer_spec(df, spec)
    frame = df.reset_index(drop=True)
    withheld = [c for c in frame.columns if c in spec.drop]
    largest = dict(spec.largest)
    withheld += [c for c in spec.sums if c in frame.columns and c not in largest]
    frame = frame.drop(columns=[*withheld, *(v for v in largest.values() if v in frame.columns)])
    is_total = np.zeros(len(frame), dtype=bool)
    if spec.total is not None and spec.total[0] in frame.columns:
        is_total = (frame[spec.total[0]].astype(str) == str(spec.total[1])).to_numpy()
    inner = np.nonzero(~is_total)[0]
    counts = [c for c in spec.counts if c in frame.columns]
    rates = [(r, n) for r, n in spec.rates if r in frame.columns and n in frame.columns]
    # Numerators of rates: gated with the counts (an attacker recovers them), published only if
    # they are counts of the table themselves.
    helpers = list(dict.fromkeys(n for _, n in rates if n not in counts))
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    log: list[Suppression] = []
    label_col = frame.columns[0] if len(frame.columns) else None
    label = (lambda i: frame.iat[i, 0]) if label_col is not None else (lambda i: i)
    if counts and len(inner):
        values = frame.loc[inner, counts].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
        values = np.clip(values, 0, None)
        prim = below_threshold(values, rules)
        mask = secondary(values, prim, margins=spec.margins or bool(is_total.any()))
        for k, i in enumerate(inner):
            for j, col in enumerate(counts):
                if mask[k, j]:
                    hidden.at[i, col] = True
                    log.append(Suppression(label(i), col, "threshold" if prim[k, j] else "secondary"))
        for i in np.nonzero(is_total)[0]:
            for j, col in enumerate(counts):
                if mask[-1, j]:
                    hidden.at[i, col] = True
                    log.append(Suppression(label(i), col, "secondary"))
    for col in helpers:  # each numerator column with its total (the city rate gives it away)
        if not len(inner):
            break
        values = np.clip(pd.to_numeric(frame.loc[inner, col], errors="coerce").fillna(0).to_numpy(dtype=float),
                         0, None)
        prim = below_threshold(values, rules)
        mask = secondary(values[:, None], prim[:, None], margins=spec.margins or bool(is_total.any()))
        for k, i in enumerate(inner):
            hidden.at[i, col] = bool(mask[k, 0])
        for i in np.nonzero(is_total)[0]:
            hidden.at[i, col] = bool(mask[-1, 0])
    row_hidden = hidden[counts].any(axis=1) if counts else pd.Series(False, index=frame.index)
    dependent = [c for c in spec.dependent if c in frame.columns]
    own = {r: hidden[n] for r, n in rates}  # a rate's numerator hidden (primary or secondary)
    for col in dependent:
        hidden[col] = row_hidden | own[col] if col in own else row_hidden
        log.extend(Suppression(label(i), col, "dependent") for i in np.nonzero(hidden[col].to_numpy())[0])
    sums = [c for c in spec.sums if c in frame.columns]
    for col in sums:
        top = pd.to_numeric(df.reset_index(drop=True)[largest[col]], errors="coerce").fillna(0)
        total = pd.to_numeric(frame[col], errors="coerce").fillna(0)
        sensitive = (((total > 0) & (top >= rules.dominance_k * total)) | row_hidden).to_numpy()
        # The sum over all rows is published (city total): a lone hidden sum needs a partner.
        hide = secondary(total.to_numpy()[:, None], sensitive[:, None], margins=True)[:-1, 0]
        hidden[col] = hide
        log.extend(Suppression(label(i), col, "dominance" if sensitive[i] else "secondary")
                   for i in np.nonzero(hide)[0])
    display = frame.astype(object).copy()
    for col in counts:
        display[col] = [rules.hidden_label if h else _text(v) for v, h in zip(frame[col], hidden[col], strict=True)]
    for col in (*dependent, *sums):
        display[col] = [HIDDEN_OTHER if h else _text(v) for v, h in zip(frame[col], hidden[col], strict=True)]
    return GatedFrame(display.drop(columns=helpers), hidden.drop(columns=helpers), tuple(log), tuple(withheld))


def gate_figure(value: float | None, rules: DisclosureRules) -> str | None:
    """One published count (a headline figure): "<10" when below the threshold, else None."""
    if value is None or bool(pd.isna(value)):
        return None
    return rules.hidden_label if below_threshold(np.array([float(value)]), rules)[0] else None


def gate_crosstab(df: pd.DataFrame, rules: DisclosureRules, total_label: str = "合计") -> GatedFrame:
    """Protect a cross table of counts laid out as label column, value columns and a last
    ``total_label`` column and row (e.g. ``indicators.pivot``): gated as a two-way table with
    margins (:func:`gate_counts`); a table without the total column is gated as one column."""
    frame = df.reset_index(drop=True)
    label_col = frame.columns[0]
    body = frame[frame[label_col].astype(str) != total_label].set_index(label_col)
    value_cols = [c for c in body.columns if c != total_label]
    if total_label not in frame.columns or len(value_cols) < 1:
        return gate_frame(df, rules, TableSpec(counts=tuple(frame.columns[1:]), total=(label_col, total_label)))
    inner = body[value_cols].apply(pd.to_numeric, errors="coerce").fillna(0)
    g = gate_counts(inner, rules, margins=True, total_label=total_label)
    display = g.display.reset_index().rename(columns={"index": label_col})
    display.columns = [label_col, *value_cols, total_label]
    hidden = g.hidden.reset_index(drop=True)
    hidden.insert(0, label_col, False)
    hidden.columns = display.columns
    return GatedFrame(display, hidden, g.log)


def gate_long(df: pd.DataFrame, rules: DisclosureRules, group: str, unit: str, count: str,
              dependent: Sequence[str] = ()) -> GatedFrame:
    """Protect a long table of counts, one row per (group, unit) (e.g. index x district): the
    counts are gated as the two-way table group x unit with its totals, so a hidden cell has a
    hidden partner within its group and within its unit; ``dependent`` columns (rates, scores)
    are hidden with their row's count. Other columns pass unchanged."""
    frame = df.reset_index(drop=True)
    wide = frame.pivot_table(index=group, columns=unit, values=count, aggfunc="sum", sort=False).fillna(0)
    values = np.clip(wide.to_numpy(dtype=float), 0, None)
    prim = below_threshold(values, rules)
    mask = secondary(values, prim, margins=True)
    rows = {g: i for i, g in enumerate(wide.index)}
    cols = {u: j for j, u in enumerate(wide.columns)}
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    log: list[Suppression] = []
    for k, (g, u) in enumerate(zip(frame[group], frame[unit], strict=True)):
        i, j = rows[g], cols[u]
        if mask[i, j]:
            hidden.loc[k, [count, *(c for c in dependent if c in frame.columns)]] = True
            log.append(Suppression((g, u), count, "threshold" if prim[i, j] else "secondary"))
    display = frame.astype(object).copy()
    display[count] = [rules.hidden_label if h else _text(v) for v, h in zip(frame[count], hidden[count], strict=True)]
    for col in dependent:
        if col in frame.columns:
            display[col] = [HIDDEN_OTHER if h else _text(v) for v, h in zip(frame[col], hidden[col], strict=True)]
    return GatedFrame(display, hidden, tuple(log))
