"""The indicators answered from the trial cubes (``analytics/summary_trial.py``) instead of ``cases``.

``raw_ingredients`` returns exactly the ingredient columns the case-table SQL of ``queries``
returns (the reference, which stays the definition and which the oracle tests compare with),
for periods that end by the data's last month, when the store has a current summary and a trial
cube holds every dimension the filter uses; otherwise it returns None and the caller runs the
case-table SQL. Which ingredient is which sum of cube columns is generated from ``definitions``
(``summary_trial.closed_measures``), not restated here.

Periods may start and end on any day (a store of real data ends on its export's date, so the
default view, its 同比 and its 环比 all end inside a month): the whole months come from the month
cubes and the days at the edges from the day-level detail tables of the same build
(``summary_trial.DETAIL_TABLES``: the closed cases with their enriched attributes, sorted by
closing date; the appeal events, sorted by date), read by literal date ranges, so a few row
groups. A stock at a day inside a month is the previous month end's stock plus that month's
filings up to the day minus departures (greatest(filed, closed)); 超12个月未结 at the day is the
previous month end's, plus cases turning 366 days old by the day and still pending, minus
overdue cases leaving. Without detail tables of this build, such periods return None.

* 旧存 / 未结 / 超12个月未结: the stocks at the end of the month before the period / at its last
  month end; 新收, closed-case ingredients and flow-basis appeal events: sums over its months
  (prefix sums over the months the query read); averages: Σ sum ÷ Σ count.
* Median and p90 of days: exact. The cubes hold, per closing month and cell, the number of cases
  per integer number of days (a histogram without bins), from which ``quantile_cont``'s linear
  interpolation is reproduced bit for bit; when no histogram cube holds the filter's dimensions
  (a 结案方式 filter: the histograms have no outcome) the same histogram is counted from ``cases``
  (exact too, a scan of the period's closed cases), so the page never shows an approximate figure.
* A page's periods are computed per court x district pair and kept per (build, filter, period):
  compare, the per-court and the per-district tables are roll-ups of one computation. The day
  windows and the duration histograms are read by ``analytics.indicators.edges``.
* A group (court, district) is listed when the reference lists it: it has a case counted in a
  stock, filed or closed (any outcome) in the period, an appeal event, or a case closed before
  the period and filed after it (a data error the reference also counts as relevant).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics import summary, summary_trial
from analytics.filters import CaseFilter
from analytics.indicators.definitions import (
    CLOSED_INGREDIENTS,
    EVENT_INGREDIENTS,
    STOCK_INGREDIENTS,
)
from analytics.indicators.edges import (
    _GROUP_COL,
    _PAIR,
    _PAIR_MUL,
    _dense_window,
    _details_ok,
    _error_rows,
    _histograms,
    _m,
    _quantile_values,
    _Split,
    _split,
    _still_valid,
    _window_sums,
)

ST = summary_trial
_META: dict[str, tuple[int | None, bool, dt.date | None]] = {}  # by summary build id
_LOCK = threading.Lock()
_BY = (None, "court_code", "adcode")
_ACTIVE = "_active"
MEMO_PERIODS = 3  # compare asks for three periods (now, 同比, 环比); a trend asks for one per month
MEMO_SIZE = 48  # kept periods per process (a few filter states of a few users)
_MEMO: OrderedDict[tuple[str, CaseFilter, tuple[dt.date, dt.date]], _Part] = OrderedDict()
_INGREDIENTS = (*STOCK_INGREDIENTS, *CLOSED_INGREDIENTS, *EVENT_INGREDIENTS)  # the reference's order


def span(con: duckdb.DuckDBPyConnection, inf: summary.Info | None = None
         ) -> tuple[dt.date | None, dt.date | None] | None:
    """(first filing day, last filing-or-closing day) recorded with a current summary, else None.
    ``inf``: the summary's description when the caller has just read it (else it is read here)."""
    inf = inf or summary.info(con)
    if inf is None or inf.cube(ST.TRIAL_GRAIN, ()) is None:
        return None
    got = summary._run(con, f"SELECT first_day, last_day FROM {ST.SPAN_TABLE} WHERE {inf.guard()}")
    if not got:
        return None
    return got[0][0], got[0][1]


@dataclass(frozen=True)
class RawColumns:
    """The raw ingredients as columns: ``pi`` (period index), ``keys`` (group keys as the reference
    returns them: None, court codes as text, adcodes as int), ``cols`` (float64 arrays, NaN where
    undefined) and the data's last day recorded with the summary they were read from."""

    pi: np.ndarray
    keys: list[object]
    cols: dict[str, np.ndarray]
    data_end: dt.date | None


def raw_ingredients(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    periods: Sequence[tuple[dt.date, dt.date]],
    by: str | None,
    frame: bool = True,
    inf: summary.Info | None = None,
) -> pd.DataFrame | RawColumns | None:
    """The reference's raw ingredients per period and group (columns ``pi``, ``grp``, ...), or None.

    ``pi`` is the index of the period in ``periods``; ``by``: None (one row per period),
    'court_code' or 'adcode' (a row per group the reference lists, in code order). Periods may
    start and end on any day: whole months come from the month cubes, the days at the edges from
    the detail tables (``summary_trial.DETAIL_TABLES``), stocks at a day inside a month from the
    previous month end's stock plus that month's filings and departures up to the day.
    ``frame=False``: the same as ``RawColumns`` (no pandas frame made); ``inf``: the summary's
    description when the caller has just read it (``info``; else it is read here).

    A page asks for the same period three times (compare, per court, per district): up to
    ``MEMO_PERIODS`` periods are computed per court x district pair, kept per (build, filter,
    period) and rolled up to what is asked; a kept period is used again only after the same
    freshness checks a query makes (the guard, and the detail tables' build).
    """
    if by not in _BY or not periods:
        return None
    inf = inf or summary.info(con)
    if inf is None:
        return None
    if by is None and len(periods) > MEMO_PERIODS:  # a trend: the whole filter, nothing kept
        whole = _compute(con, inf, flt, list(periods), None)
        meta = _build_meta(con, inf)
        if not isinstance(whole, dict) or meta is None:
            return None
        pi = np.arange(len(periods))
        keys: list[object] = [None] * len(periods)
        cols = whole
    else:
        parts = _parts(con, inf, flt, list(periods))
        meta = _build_meta(con, inf)
        if parts is None or meta is None:
            return None
        pis: list[np.ndarray] = []
        got_cols: dict[str, list[np.ndarray]] = {}
        keys = []
        for i, part in enumerate(parts):
            k, got = _rollup(inf, part, by)
            keys += k
            pis.append(np.full(len(k), i, dtype="int64"))
            for c, v in got.items():
                got_cols.setdefault(c, []).append(v)
        pi = np.concatenate(pis)
        cols = {c: np.concatenate(v) for c, v in got_cols.items()}
    # valid: the queries (or the checks of kept periods) passed the guard
    raw = RawColumns(pi, keys, {c: cols[c] for c in _INGREDIENTS}, meta[2])
    if not frame:
        return raw
    out = pd.DataFrame({"pi": raw.pi, "grp": pd.Series(raw.keys, dtype=object), **raw.cols})
    if by == "court_code":  # text as DuckDB's .df() returns it (pandas str; object when empty)
        out["grp"] = summary._strings(out["grp"].to_numpy(dtype=object))
    out.attrs["data_end"] = raw.data_end
    return out


@dataclass(frozen=True)
class _Part:
    """One period's ingredients per court x district pair (pair code: court code x 10^6 + adcode)."""

    codes: np.ndarray  # the base codes a group listing could include (sorted)
    add: dict[str, np.ndarray]  # additive columns aligned with ``codes`` (averages as sum and count)
    hist: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # duration histogram rows: q, code, v, n
    errs: np.ndarray  # codes with a case closed before the period and filed after it
    details: bool  # read from the detail tables (a kept part is re-checked against their build)


def _parts(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter,
           periods: list[tuple[dt.date, dt.date]]) -> list[_Part] | None:
    """Each period's part per court x district pair: kept ones (when still valid) and the others
    computed in one pass (and kept)."""
    out: list[_Part | None] = [None] * len(periods)
    with _LOCK:
        for i, p in enumerate(periods):
            key = (inf.build, flt, p)
            if key in _MEMO:
                _MEMO.move_to_end(key)
                out[i] = _MEMO[key]
    kept = [x for x in out if x is not None]
    if kept and not _still_valid(con, inf, any(x.details for x in kept)):
        return None
    missing = [i for i, x in enumerate(out) if x is None]
    if missing:
        got = _compute(con, inf, flt, [periods[i] for i in missing], _PAIR)
        if not isinstance(got, list):
            return None
        with _LOCK:
            for i, part in zip(missing, got, strict=True):
                out[i] = part
                _MEMO[(inf.build, flt, periods[i])] = part
            while len(_MEMO) > MEMO_SIZE:
                _MEMO.popitem(last=False)
    return [x for x in out if x is not None]


def clear_memo() -> None:
    """Forget the kept periods (benchmarks measure a page on a new filter state)."""
    with _LOCK:
        _MEMO.clear()


def _compute(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter,
             periods: Sequence[tuple[dt.date, dt.date]], base: str | None
             ) -> list[_Part] | dict[str, np.ndarray] | None:
    """The periods' parts from the cubes and detail tables (one query per table family); with no
    base grain (the whole filter) the ingredient columns, one value per period, instead."""
    splits = [_split(s, e) for s, e in periods]
    windows = sorted({w for sp in splits for w in (*sp.flows, sp.open_w, sp.close_w) if w is not None})
    if windows and not _details_ok(con, inf):
        return None
    pred_s, need = summary._predicate(inf, flt.with_(outcomes=()), district=True)
    pred_o = "TRUE"
    if flt.outcomes:
        pred_o, need_o = summary._predicate(inf, CaseFilter(0, 0, outcomes=flt.outcomes), district=False)
        need |= need_o
    if base is not None:
        need |= {"court_code", "adcode"}
    cube = inf.cube(ST.TRIAL_GRAIN, need)
    if cube is None:
        return None
    meta = _build_meta(con, inf)
    if meta is None:
        return None
    last, has_errors, _data_end = meta
    if last is None or max(_m(e) for _, e in periods) > last:  # stocks past the data's last month
        return None
    wholes = [sp.whole for sp in splits if sp.whole is not None]
    stock_months = sorted({m for sp in splits for m in (sp.open_m, sp.close_m)})
    first_m = min([stock_months[0], *(a - 1 for a, _ in wholes)])
    hi = max([stock_months[-1], *(b for _, b in wholes)])
    flow_sql = " OR ".join(f"m BETWEEN {a} AND {b}" for a, b in sorted(set(wholes))) or "FALSE"
    measures = ST.closed_measures()
    mcols = [c for c, *_ in measures]
    ecols = list(EVENT_INGREDIENTS)
    outc = f" FILTER (WHERE {pred_o})" if flt.outcomes else ""
    n_outc = f" FILTER (WHERE kind < {ST.KIND_EVENT_FILED} OR ({pred_o}))" if flt.outcomes else ""
    sql = f"""
        SELECT kind, {_GROUP_COL[base]} AS grp, m,
               sum(n){n_outc}::DOUBLE AS n, sum(o12)::DOUBLE AS o12,
               {", ".join(f"sum({c}){outc}::DOUBLE AS {c}" for c in (*mcols, *ecols))}
        FROM {cube}
        WHERE {pred_s}
          AND ((kind = {ST.KIND_STOCK} AND m IN ({", ".join(str(m) for m in stock_months)}))
               OR (kind > {ST.KIND_STOCK} AND ({flow_sql})))
          AND {inf.guard()}
        GROUP BY ALL"""
    res = summary._run(con, sql, numpy=True)
    if res is None:
        return None
    det = _window_sums(con, inf, flt, pred_s, pred_o, base, windows) if windows else None
    if windows and det is None:
        return None
    kind = np.asarray(res["kind"], dtype="int64")
    if base is None:
        ucodes = np.zeros(1, dtype="int64")
        gidx = np.zeros(len(kind), dtype="int64")
    else:
        codes = [np.asarray(res["grp"], dtype="int64")]
        if det is not None:
            codes += [np.asarray(r["grp"], dtype="int64") for r in det.values() if len(r["grp"])]
        ucodes = np.unique(np.concatenate(codes))
        gidx = np.searchsorted(ucodes, codes[0])
    n_g, n_p, width = len(ucodes), len(periods), hi - first_m + 1
    month = np.asarray(res["m"], dtype="int64") - first_m

    def dense(col: str, kinds: tuple[int, ...]) -> np.ndarray:
        arr = np.zeros((n_g, width), dtype="float64")
        sel = np.isin(kind, kinds)
        vals = np.nan_to_num(np.asarray(res[col], dtype="float64")[sel])
        np.add.at(arr, (gidx[sel], month[sel]), vals)
        return arr

    def whole(col: str, kinds: tuple[int, ...]) -> np.ndarray:
        """(periods, groups): the sum over each period's whole months (0 where it has none)."""
        cs = np.cumsum(dense(col, kinds), axis=1)
        out = np.zeros((n_p, n_g))
        for i, sp in enumerate(splits):
            if sp.whole is not None:
                a, b = sp.whole[0] - first_m, sp.whole[1] - first_m
                out[i] = cs[:, b] - cs[:, a - 1]
        return out

    wpos = {w: j for j, w in enumerate(windows)}
    wsum: dict[tuple[str, str], np.ndarray] = {}  # (family, column) -> (windows, groups), as read

    def win(name: str, col: str, pick: Callable[[_Split], Sequence[tuple[dt.date, dt.date] | None]]) -> np.ndarray:
        """(periods, groups): the detail's ``col`` summed over each period's windows ``pick``."""
        out = np.zeros((n_p, n_g))
        if det is None:
            return out
        if (name, col) not in wsum:
            wsum[name, col] = _dense_window(det[name], col, ucodes, base, len(windows), n_g)
        arr = wsum[name, col]
        for i, sp in enumerate(splits):
            for w in pick(sp):
                if w is not None:
                    out[i] += arr[wpos[w]]
        return out

    def flows(sp: _Split) -> Sequence[tuple[dt.date, dt.date]]:
        return sp.flows

    events = (ST.KIND_EVENT_FILED, ST.KIND_EVENT_CLOSED)
    stock, over = dense("n", (ST.KIND_STOCK,)), dense("o12", (ST.KIND_STOCK,))
    open_m = np.array([sp.open_m - first_m for sp in splits])
    close_m = np.array([sp.close_m - first_m for sp in splits])

    def moved(pick: Callable[[_Split], Sequence[tuple[dt.date, dt.date] | None]]) -> np.ndarray:
        """Filings minus departures (greatest(filed, closed)) in a window: the stock's change."""
        return (win("cases", "filed", pick) - win("cases", "left_err", pick)
                - win("closed", "left", pick))

    cols: dict[str, np.ndarray] = {
        "pending_start": stock[:, open_m].T + moved(lambda sp: (sp.open_w,)),
        "filed": whole("n", (ST.KIND_FILED,)) + win("cases", "filed", flows),
        "pending_end": stock[:, close_m].T + moved(lambda sp: (sp.close_w,)),
        "over_12m_pending": over[:, close_m].T + win("cases", "o12_in", lambda sp: (sp.close_w,))
        - win("closed", "o12_out", lambda sp: (sp.close_w,)),
        # cases closed (any outcome) and appeal events: only whether a group is listed
        _ACTIVE: whole("n", (ST.KIND_CLOSED,)) + win("closed", "n", flows)
        + whole("n", events) + win("events", "n", flows),
    }
    for c in mcols:
        cols[c] = whole(c, (ST.KIND_CLOSED,)) + win("measures", c, flows)
    for c in ecols:
        cols[c] = whole(c, events) + win("events", c, flows)
    hist = _histograms(con, inf, flt, need - {"outcome", "pending"}, pred_s, periods, splits, base)
    if hist is None:
        return None
    days = "datetime64[D]" if windows else "int64"
    errs = (np.zeros(0, dtype="int64"), np.zeros(0, dtype=days), np.zeros(0, dtype=days))
    if has_errors and base is not None:
        got = _error_rows(con, inf, pred_s, periods, bool(windows), base)
        if got is None:
            return None
        errs = got
    if base is None:  # the whole filter (a trend's many periods): the columns as they are
        q, pidx, _code, v, n = hist
        ok = pidx >= 0
        whole_cols = _assemble(lambda c: cols[c][:, 0])
        whole_cols.update(_quantile_values(q[ok], pidx[ok], v[ok], n[ok], n_p))  # a period is a group
        return whole_cols
    seen = _seen(kind, month, gidx, det, ucodes, splits, wpos, first_m, n_g)
    parts = []
    for i, (sp, (s, e)) in enumerate(zip(splits, periods, strict=True)):
        sel = seen[i]
        h = hist[1] == i
        if windows:
            lo_ok = errs[1] < np.datetime64(s, "D")
            hi_ok = errs[2] > np.datetime64(e, "D")
        else:
            lo_ok, hi_ok = errs[1] < _m(s), errs[2] > _m(e)
        parts.append(_Part(
            codes=ucodes[sel], add={c: v[i, sel] for c, v in cols.items()},
            hist=(hist[0][h], hist[2][h], hist[3][h], hist[4][h]),
            errs=np.unique(errs[0][lo_ok & hi_ok]),
            details=any(w is not None for w in (*sp.flows, sp.open_w, sp.close_w))))
    return parts


def _seen(kind: np.ndarray, month: np.ndarray, gidx: np.ndarray, det: dict[str, dict[str, np.ndarray]] | None,
          ucodes: np.ndarray, splits: Sequence[_Split], wpos: dict[tuple[dt.date, dt.date], int],
          first_m: int, n_g: int) -> np.ndarray:
    """(periods, codes): the code has a row in what a query of that period alone would read (the
    cube's stock months and whole months, the detail's windows), as the single-period reference
    pass lists it."""
    out = np.zeros((len(splits), n_g), dtype=bool)
    m = month + first_m
    for i, sp in enumerate(splits):
        sel = (kind == ST.KIND_STOCK) & ((m == sp.open_m) | (m == sp.close_m))
        if sp.whole is not None:
            sel |= (kind > ST.KIND_STOCK) & (m >= sp.whole[0]) & (m <= sp.whole[1])
        out[i, gidx[sel]] = True
        mine = [wpos[w] for w in (*sp.flows, sp.open_w, sp.close_w) if w is not None]
        for r in (det or {}).values():
            if len(r["grp"]) and mine:
                hit = np.isin(np.asarray(r["w"], dtype="int64"), mine)
                out[i, np.searchsorted(ucodes, np.asarray(r["grp"], dtype="int64")[hit])] = True
    return out


def _assemble(add: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
    """The reference's ingredient columns from the additive ones (``add(column)``): averages as
    sum ÷ count (NaN without a case); quantiles are added by the caller."""
    cols = {c: add(c) for c in STOCK_INGREDIENTS}
    for col, name, kind_, _sql in ST.closed_measures():
        if kind_ == "value":
            cols[name] = add(col)
        elif kind_ == "sum":
            s_, n_ = add(col), add(f"{name}__n")
            cols[name] = np.where(n_ > 0, s_ / np.where(n_ > 0, n_, 1), np.nan)
    for c in EVENT_INGREDIENTS:
        cols[c] = add(c)
    return cols


def _rollup(inf: summary.Info, part: _Part, by: str | None) -> tuple[list[object], dict[str, np.ndarray]]:
    """A part's ingredients per group of ``by`` (None: one row), the groups the reference lists."""
    target = _group_of(part.codes, by)
    if by is None:
        ucodes = np.zeros(1, dtype="int64")
        keys: list[object] = [None]
    else:
        ucodes = np.unique(target)
        keys = _keys(inf, by, ucodes)
    gidx = np.searchsorted(ucodes, target)
    n_g = len(ucodes)

    def add(col: str) -> np.ndarray:
        return np.bincount(gidx, weights=part.add[col], minlength=n_g).astype("float64")

    cols = _assemble(add)
    q, code, v, n = part.hist
    hcode = _group_of(code, by)
    hpos = np.searchsorted(ucodes, hcode)
    ok = (hpos < n_g) & (ucodes[np.minimum(hpos, n_g - 1)] == hcode) if n_g else np.zeros(len(hcode), bool)
    cols.update(_quantile_values(q[ok], hpos[ok], v[ok], n[ok], n_g))
    if by is not None:
        present = (cols["pending_start"] + cols["filed"] + cols["pending_end"] + add(_ACTIVE)) > 0
        if len(part.errs):
            present |= np.isin(ucodes, _group_of(part.errs, by))
        keys = [k for k, p in zip(keys, present, strict=True) if p]
        cols = {c: x[present] for c, x in cols.items()}
    return keys, cols


def _group_of(pairs: np.ndarray, by: str | None) -> np.ndarray:
    """The group code of each pair code: its court's code, its adcode, or 0 (the whole filter)."""
    if by is None:
        return np.zeros(len(pairs), dtype="int64")
    return pairs // _PAIR_MUL if by == "court_code" else pairs % _PAIR_MUL


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
