"""The indicators answered from the trial cubes (``analytics/summary_trial.py``) instead of ``cases``.

``raw_ingredients`` returns exactly the ingredient columns the case-table SQL of ``queries``
returns (the reference, which stays the definition and which the oracle tests compare with),
for periods of whole calendar months that end by the data's last month, when the store has a
current summary and a trial cube holds every dimension the filter uses; otherwise it returns
None and the caller runs the case-table SQL. Which ingredient is which sum of cube columns is
generated from ``definitions`` (``summary_trial.closed_measures``), not restated here.

* 旧存 / 未结 / 超12个月未结: the stocks at the end of the month before the period / at its last
  month end; 新收, closed-case ingredients and flow-basis appeal events: sums over its months
  (prefix sums over the months the query read); averages: Σ sum ÷ Σ count.
* Median and p90 of days: exact. The cubes hold, per closing month and cell, the number of cases
  per integer number of days (a histogram without bins), from which ``quantile_cont``'s linear
  interpolation is reproduced bit for bit; when no histogram cube holds the filter's dimensions
  (a 结案方式 filter: the histograms have no outcome) the same histogram is counted from ``cases``
  (exact too, a scan of the period's closed cases), so the page never shows an approximate figure.
* A group (court, district) is listed when the reference lists it: it has a case counted in a
  stock, filed or closed (any outcome) in the period, an appeal event, or a case closed before
  the period and filed after it (a data error the reference also counts as relevant).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd

from analytics import summary, summary_trial
from analytics.filters import CaseFilter
from analytics.indicators.definitions import CLOSED_INGREDIENTS, EVENT_INGREDIENTS, STOCK_INGREDIENTS
from analytics.indicators.periods import _month_end

ST = summary_trial
_META: dict[str, tuple[int | None, bool, dt.date | None]] = {}  # by summary build id
_LOCK = threading.Lock()
_GROUP_COL = {None: "NULL", "court_code": "court_code", "adcode": "adcode"}


def _m(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None] | None:
    """(first filing day, last filing-or-closing day) recorded with a current summary, else None."""
    inf = summary.info(con)
    if inf is None or inf.cube(ST.TRIAL_GRAIN, ()) is None:
        return None
    got = summary._run(con, f"SELECT first_day, last_day FROM {ST.SPAN_TABLE} WHERE {inf.guard()}")
    if not got:
        return None
    return got[0][0], got[0][1]


def _whole_months(periods: Sequence[tuple[dt.date, dt.date]]) -> bool:
    return all(s.day == 1 and e == _month_end(e.year, e.month) for s, e in periods)


def raw_ingredients(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    periods: Sequence[tuple[dt.date, dt.date]],
    by: str | None,
) -> pd.DataFrame | None:
    """The reference's raw ingredients per period and group (columns ``pi``, ``grp``, ...), or None.

    ``pi`` is the index of the period in ``periods``; ``by``: None (one row per period),
    'court_code' or 'adcode' (a row per group the reference lists, in code order).
    """
    if by not in _GROUP_COL or not periods or not _whole_months(periods):
        return None
    inf = summary.info(con)
    if inf is None:
        return None
    pred_s, need = summary._predicate(inf, flt.with_(outcomes=()), district=True)
    pred_o = "TRUE"
    if flt.outcomes:
        pred_o, need_o = summary._predicate(inf, CaseFilter(0, 0, outcomes=flt.outcomes), district=False)
        need |= need_o
    if by:
        need.add(by)
    cube = inf.cube(ST.TRIAL_GRAIN, need)
    if cube is None:
        return None
    meta = _build_meta(con, inf)
    if meta is None:
        return None
    last, has_errors, data_end = meta
    starts = np.array([_m(s) for s, _ in periods], dtype="int64")
    ends = np.array([_m(e) for _, e in periods], dtype="int64")
    if last is None or int(ends.max()) > last:  # stocks past the data's last month are not in the cubes
        return None
    lo, hi = int(starts.min()), int(ends.max())
    base = lo - 1
    stock_months = sorted({int(m) for m in np.concatenate([starts - 1, ends])})
    measures = ST.closed_measures()
    mcols = [c for c, *_ in measures]
    ecols = list(EVENT_INGREDIENTS)
    outc = f" FILTER (WHERE {pred_o})" if flt.outcomes else ""
    n_outc = f" FILTER (WHERE kind < {ST.KIND_EVENT_FILED} OR ({pred_o}))" if flt.outcomes else ""
    sql = f"""
        SELECT kind, {_GROUP_COL[by]} AS grp, m,
               sum(n){n_outc}::DOUBLE AS n, sum(o12)::DOUBLE AS o12,
               {", ".join(f"sum({c}){outc}::DOUBLE AS {c}" for c in (*mcols, *ecols))}
        FROM {cube}
        WHERE {pred_s}
          AND ((kind = {ST.KIND_STOCK} AND m IN ({", ".join(str(m) for m in stock_months)}))
               OR (kind > {ST.KIND_STOCK} AND m BETWEEN {lo} AND {hi}))
          AND {inf.guard()}
        GROUP BY ALL"""
    res = summary._run(con, sql, numpy=True)
    if res is None:
        return None
    kind = np.asarray(res["kind"], dtype="int64")
    if by is None:
        keys: list[object] = [None]
        gidx = np.zeros(len(kind), dtype="int64")
    else:
        ucodes, gidx = np.unique(np.asarray(res["grp"], dtype="int64"), return_inverse=True)
        keys = _keys(inf, by, ucodes)
    n_g, n_p, width = len(keys), len(periods), hi - base + 1
    month = np.asarray(res["m"], dtype="int64") - base
    a, b = starts - base, ends - base  # a range sum over months s..e is cs[b] - cs[a - 1]

    def dense(col: str, kinds: tuple[int, ...]) -> np.ndarray:
        arr = np.zeros((n_g, width), dtype="float64")
        sel = np.isin(kind, kinds)
        vals = np.nan_to_num(np.asarray(res[col], dtype="float64")[sel])
        np.add.at(arr, (gidx[sel], month[sel]), vals)
        return arr

    def rng(col: str, kinds: tuple[int, ...]) -> np.ndarray:
        cs = np.cumsum(dense(col, kinds), axis=1)
        return (cs[:, b] - cs[:, a - 1]).T  # (periods, groups)

    events = (ST.KIND_EVENT_FILED, ST.KIND_EVENT_CLOSED)
    stock, over = dense("n", (ST.KIND_STOCK,)), dense("o12", (ST.KIND_STOCK,))
    cols: dict[str, np.ndarray] = {
        "pending_start": stock[:, a - 1].T, "filed": rng("n", (ST.KIND_FILED,)),
        "pending_end": stock[:, b].T, "over_12m_pending": over[:, b].T,
    }
    sums = {c: rng(c, (ST.KIND_CLOSED,)) for c in mcols}
    for col, name, part, _sql in measures:
        if part == "value":
            cols[name] = sums[col]
        elif part == "sum":
            n_ = sums[f"{name}__n"]
            cols[name] = np.where(n_ > 0, sums[col] / np.where(n_ > 0, n_, 1), np.nan)
    for c in ecols:
        cols[c] = rng(c, events)
    quant = _quantiles(con, inf, flt, need - {"outcome", "pending"}, pred_s, periods, by, keys)
    if quant is None:
        return None
    cols.update(quant)
    frame = pd.DataFrame({"pi": np.repeat(np.arange(n_p), n_g), "grp": pd.Series(keys * n_p, dtype=object),
                          **{c: v.reshape(-1) for c, v in cols.items()}})
    if by is not None:
        present = (cols["pending_start"] + cols["filed"] + cols["pending_end"]
                   + rng("n", (ST.KIND_CLOSED,)) + rng("n", events)) > 0
        if has_errors:
            errs = _error_spans(con, inf, pred_s, starts, ends, by, keys)
            if errs is None:
                return None
            present |= errs
        frame = frame[present.reshape(-1)].reset_index(drop=True)
    frame = frame[["pi", "grp", *STOCK_INGREDIENTS, *CLOSED_INGREDIENTS, *EVENT_INGREDIENTS]]
    if by == "court_code":  # text as DuckDB's .df() returns it (pandas str; object when empty)
        frame["grp"] = summary._strings(frame["grp"].to_numpy(dtype=object))
    frame.attrs["data_end"] = data_end  # valid: the query above passed the freshness guard
    return frame


def _keys(inf: summary.Info, by: str, codes: np.ndarray) -> list[object]:
    """Group keys as the reference returns them: court codes as text, adcodes as int."""
    if by == "court_code":
        return [None if v is None else str(v) for v in inf.names["court_code"][codes]]
    return [int(c) for c in codes]


def _build_meta(con: duckdb.DuckDBPyConnection, inf: summary.Info
                ) -> tuple[int | None, bool, dt.date | None] | None:
    """(the data's last month, whether any case was closed before it was filed, last day) of a build.

    Read once per build without the guard: every query using them carries the guard.
    """
    got = _META.get(inf.build)
    if got is None:
        if inf.cube(ST.TRIAL_GRAIN, ()) is None:
            return None
        rows = con.execute(f"SELECT last_day, (SELECT count(*) FROM {ST.ERR_TABLE}) FROM {ST.SPAN_TABLE}").fetchall()
        last = rows[0][0] if rows else None
        got = (None if last is None else _m(last), bool(rows and rows[0][1]), last)
        with _LOCK:
            if len(_META) > 32:
                _META.clear()
            _META[inf.build] = got
    return got


def _error_spans(con: duckdb.DuckDBPyConnection, inf: summary.Info, pred_s: str, starts: np.ndarray,
                 ends: np.ndarray, by: str, keys: list[object]) -> np.ndarray | None:
    """(periods, groups): the group has a case closed before the period and filed after it."""
    # The table has every dimension but the outcome (relevance ignores the 结案方式 filter).
    ors = " OR ".join(f"(mc < {s} AND mf > {e})" for s, e in zip(starts, ends, strict=True))
    rows = summary._run(con, f"""SELECT DISTINCT {by}, mc, mf FROM {ST.ERR_TABLE}
                                 WHERE {pred_s} AND ({ors}) AND {inf.guard()}""")
    if rows is None:
        return None
    out = np.zeros((len(starts), len(keys)), dtype=bool)
    pos = {k: i for i, k in enumerate(keys)}
    for g, mc, mf in rows:
        key = _keys(inf, by, np.array([int(g)]))[0]
        if key in pos:  # a group without any other activity is not listed by the reference either
            out[:, pos[key]] |= (mc < starts) & (mf > ends)
    return out


def _quantiles(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter, need: set[str],
               pred_s: str, periods: Sequence[tuple[dt.date, dt.date]], by: str | None, keys: list[object]
               ) -> dict[str, np.ndarray] | None:
    """Quantile ingredient -> (periods, groups) values (NaN: none), exact, from duration histograms."""
    groups = ST.quantile_groups()
    out = {name: np.full((len(periods), len(keys)), np.nan) for _e, _c, names in groups for name, _q in names}
    if not groups:
        return out
    single = all(s.replace(day=1) == e.replace(day=1) for s, e in periods) and \
        len({s for s, _ in periods}) == len(periods)
    cube = None if flt.outcomes else inf.cube(ST.DAYS_GRAIN, need)
    if cube is not None:
        gcol = _GROUP_COL[by]
        if single:  # one month each: group by month (a range join with many periods is slow)
            lo, hi = _m(min(s for s, _ in periods)), _m(max(e for _, e in periods))
            sql = f"""SELECT q, {gcol} AS grp, m AS i, v, sum(n)::BIGINT AS n FROM {cube}
                      WHERE {pred_s} AND m BETWEEN {lo} AND {hi} AND {inf.guard()}
                      GROUP BY ALL ORDER BY q, grp, i, v"""
        else:
            values = ", ".join(f"({i}, {_m(s)}, {_m(e)})" for i, (s, e) in enumerate(periods))
            sql = f"""SELECT q, {gcol} AS grp, p.i, v, sum(n)::BIGINT AS n
                      FROM {cube} JOIN (VALUES {values}) p(i, lo, hi) ON m BETWEEN p.lo AND p.hi
                      WHERE {pred_s} AND {inf.guard()}
                      GROUP BY ALL ORDER BY q, grp, p.i, v"""
        res = summary._run(con, sql, numpy=True)
        if res is None:
            return None
        from_cube = True
    else:
        res = _case_histogram(con, flt, periods, by)
        from_cube, single = False, False
    q = np.asarray(res["q"], dtype="int64")
    if not len(q):
        return out
    pidx = np.asarray(res["i"], dtype="int64")
    if single:
        where = {_m(s): i for i, (s, _e) in enumerate(periods)}
        pidx = np.array([where.get(int(m), -1) for m in pidx], dtype="int64")
    v = np.asarray(res["v"], dtype="float64")
    n = np.asarray(res["n"], dtype="int64")
    if by is None:
        gidx = np.zeros(len(q), dtype="int64")
    else:
        grp = np.asarray(res["grp"], dtype="int64") if from_cube else None
        gkeys = _keys(inf, by, grp) if grp is not None else [
            (str(g) if by == "court_code" else int(g)) for g in res["grp"]]
        pos = {k: i for i, k in enumerate(keys)}
        gidx = np.array([pos.get(k, -1) for k in gkeys], dtype="int64")
    change = np.ones(len(q), dtype=bool)
    change[1:] = (q[1:] != q[:-1]) | (pidx[1:] != pidx[:-1]) | (gidx[1:] != gidx[:-1])
    first = np.flatnonzero(change)
    cum = np.cumsum(n)
    before = np.where(first > 0, cum[first - 1], 0)  # cases in the earlier groups
    total = np.append(before[1:], cum[-1]) - before
    ok = (pidx[first] >= 0) & (gidx[first] >= 0)
    for qi, (_e, _c, names) in enumerate(groups):
        sel = ok & (q[first] == qi)
        for name, frac in names:
            pos_ = frac * (total[sel] - 1)
            lo_, hi_ = np.floor(pos_), np.ceil(pos_)
            x_lo = v[np.searchsorted(cum, before[sel] + lo_, side="right")]
            x_hi = v[np.searchsorted(cum, before[sel] + hi_, side="right")]
            out[name][pidx[first[sel]], gidx[first[sel]]] = _interpolate(x_lo, x_hi, pos_ - lo_)
    return out


def _interpolate(lo: np.ndarray, hi: np.ndarray, d: np.ndarray) -> np.ndarray:
    """DuckDB's interpolation of quantile_cont bit for bit: lo * (1 - d) + hi * d, where its build
    fuses the multiply-add (one rounding of lo * (1 - d) + round(hi * d)); done exactly here."""
    return np.array([a if b == a or t == 0 else float(Fraction(a) * Fraction(1.0 - t) + Fraction(b * t))
                     for a, b, t in zip(lo.tolist(), hi.tolist(), d.tolist(), strict=True)], dtype="float64")


def quantile_from_histogram(values: np.ndarray, counts: np.ndarray, frac: float) -> float | None:
    """quantile_cont(frac) of the multiset where values[i] (ascending) occurs counts[i] times."""
    cum = np.cumsum(counts)
    if not len(cum) or cum[-1] <= 0:
        return None
    pos = frac * float(cum[-1] - 1)
    lo, hi = np.floor(pos), np.ceil(pos)
    x_lo = values[np.searchsorted(cum, lo, side="right")]
    x_hi = values[np.searchsorted(cum, hi, side="right")]
    return float(_interpolate(np.array([x_lo], dtype="float64"), np.array([x_hi], dtype="float64"),
                              np.array([pos - lo]))[0])


def _case_histogram(con: duckdb.DuckDBPyConnection, flt: CaseFilter,
                    periods: Sequence[tuple[dt.date, dt.date]], by: str | None) -> dict[str, np.ndarray]:
    """The duration histograms of ``_quantiles`` counted from ``cases`` (the filter's closed cases)."""
    from analytics.indicators import queries  # queries imports this module

    where, out_pred, params = queries._where_parts(flt)
    parts = []
    for i, (expr, cond, _names) in enumerate(ST.quantile_groups()):
        parts.append(f"""SELECT {i} AS q, grp, p.i, ({expr})::DOUBLE AS v, count(*)::BIGINT AS n
                         FROM c JOIN p ON closed_date BETWEEN p.lo AND p.hi
                         WHERE ({cond}) AND ({expr}) IS NOT NULL GROUP BY ALL""")
    values = ", ".join(f"({i}, DATE '{s}', DATE '{e}')" for i, (s, e) in enumerate(periods))
    # (the dates are datetime.date values formatted by Python: no user text reaches the SQL)
    grp = {None: "NULL", "court_code": "court_code::VARCHAR", "adcode": "adcode"}[by]
    lo, hi = min(s for s, _ in periods), max(e for _, e in periods)
    sql = f"""
        WITH p AS (SELECT * FROM (VALUES {values}) p(i, lo, hi)),
        c AS (SELECT {grp} AS grp, closed_date, procedure::VARCHAR AS proc, category::VARCHAR AS cat,
                     type_code::VARCHAR AS tcode, outcome::VARCHAR AS outc, closed_date - filed_date AS days
              FROM cases
              WHERE ({where}) AND ({out_pred}) AND closed_date BETWEEN DATE '{lo}' AND DATE '{hi}')
        {" UNION ALL ".join(parts)}
        ORDER BY q, grp, i, v"""
    return con.execute(sql, ST._used(sql, {**params, **queries._vocab_params()})).fetchnumpy()
