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
* A group (court, district) is listed when the reference lists it: it has a case counted in a
  stock, filed or closed (any outcome) in the period, an appeal event, or a case closed before
  the period and filed after it (a data error the reference also counts as relevant).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd

from analytics import summary, summary_trial
from analytics.filters import CaseFilter
from analytics.indicators.definitions import (
    CLOSED_INGREDIENTS,
    EVENT_INGREDIENTS,
    OVERDUE_DAYS,
    STOCK_INGREDIENTS,
)
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


def _first(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _is_month_end(d: dt.date) -> bool:
    return d == _month_end(d.year, d.month)


@dataclass(frozen=True)
class _Split:
    """A period as whole months from the month cubes plus day windows from the detail tables.

    ``whole``: month indices (first, last) of its whole months, None when it has none; ``flows``:
    the day windows (inside one month each) where its flows are counted from the detail; ``open_w``
    / ``close_w``: the window from the 1st of the month to the day before the period / to its last
    day, added to the stock at the previous month end (None when the day is a month end).
    """

    whole: tuple[int, int] | None
    flows: tuple[tuple[dt.date, dt.date], ...]
    open_m: int  # the month whose end stock is the opening stock (before open_w)
    open_w: tuple[dt.date, dt.date] | None
    close_m: int  # likewise for the closing stock (before close_w)
    close_w: tuple[dt.date, dt.date] | None


def _split(s: dt.date, e: dt.date) -> _Split:
    flows: list[tuple[dt.date, dt.date]] = []
    first_whole = s if s.day == 1 else _month_end(s.year, s.month) + dt.timedelta(days=1)
    last_whole = e if _is_month_end(e) else _first(e) - dt.timedelta(days=1)
    whole = (_m(first_whole), _m(last_whole)) if first_whole <= last_whole else None
    if s.day != 1:
        flows.append((s, min(e, _month_end(s.year, s.month))))
    if not _is_month_end(e) and (s.day == 1 or _first(s) != _first(e)):
        flows.append((_first(e), e))
    open_w = None if s.day == 1 else (_first(s), s - dt.timedelta(days=1))
    close_w = None if _is_month_end(e) else (_first(e), e)
    return _Split(whole, tuple(flows), _m(s) - 1, open_w, _m(e) - (0 if close_w is None else 1), close_w)


def raw_ingredients(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    periods: Sequence[tuple[dt.date, dt.date]],
    by: str | None,
) -> pd.DataFrame | None:
    """The reference's raw ingredients per period and group (columns ``pi``, ``grp``, ...), or None.

    ``pi`` is the index of the period in ``periods``; ``by``: None (one row per period),
    'court_code' or 'adcode' (a row per group the reference lists, in code order). Periods may
    start and end on any day: whole months come from the month cubes, the days at the edges from
    the detail tables (``summary_trial.DETAIL_TABLES``), stocks at a day inside a month from the
    previous month end's stock plus that month's filings and departures up to the day.
    """
    if by not in _GROUP_COL or not periods:
        return None
    inf = summary.info(con)
    if inf is None:
        return None
    splits = [_split(s, e) for s, e in periods]
    windows = sorted({w for sp in splits for w in (*sp.flows, sp.open_w, sp.close_w) if w is not None})
    if windows and not _details_ok(con, inf):
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
    if last is None or max(_m(e) for _, e in periods) > last:  # stocks past the data's last month
        return None
    wholes = [sp.whole for sp in splits if sp.whole is not None]
    stock_months = sorted({m for sp in splits for m in (sp.open_m, sp.close_m)})
    base = min([stock_months[0], *(a - 1 for a, _ in wholes)])
    hi = max([stock_months[-1], *(b for _, b in wholes)])
    flow_sql = " OR ".join(f"m BETWEEN {a} AND {b}" for a, b in sorted(set(wholes))) or "FALSE"
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
               OR (kind > {ST.KIND_STOCK} AND ({flow_sql})))
          AND {inf.guard()}
        GROUP BY ALL"""
    res = summary._run(con, sql, numpy=True)
    if res is None:
        return None
    det = _window_sums(con, inf, flt, pred_s, pred_o, by, windows) if windows else None
    if windows and det is None:
        return None
    kind = np.asarray(res["kind"], dtype="int64")
    codes = [np.asarray(res["grp"], dtype="int64")] if by is not None else []
    if det is not None and by is not None:
        codes += [np.asarray(r["grp"], dtype="int64") for r in det.values() if len(r["grp"])]
    if by is None:
        keys: list[object] = [None]
        ucodes = np.zeros(1, dtype="int64")
        gidx = np.zeros(len(kind), dtype="int64")
    else:
        ucodes = np.unique(np.concatenate(codes)) if codes else np.zeros(0, dtype="int64")
        gidx = np.searchsorted(ucodes, np.asarray(res["grp"], dtype="int64"))
        keys = _keys(inf, by, ucodes)
    n_g, n_p, width = len(keys), len(periods), hi - base + 1
    month = np.asarray(res["m"], dtype="int64") - base

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
                a, b = sp.whole[0] - base, sp.whole[1] - base
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
            wsum[name, col] = _dense_window(det[name], col, ucodes, by, len(windows), n_g)
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
    open_m = np.array([sp.open_m - base for sp in splits])
    close_m = np.array([sp.close_m - base for sp in splits])

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
    }
    sums = {c: whole(c, (ST.KIND_CLOSED,)) + win("measures", c, flows) for c in mcols}
    for col, name, part, _sql in measures:
        if part == "value":
            cols[name] = sums[col]
        elif part == "sum":
            n_ = sums[f"{name}__n"]
            cols[name] = np.where(n_ > 0, sums[col] / np.where(n_ > 0, n_, 1), np.nan)
    for c in ecols:
        cols[c] = whole(c, events) + win("events", c, flows)
    quant = _quantiles(con, inf, flt, need - {"outcome", "pending"}, pred_s, periods, splits, by, keys)
    if quant is None:
        return None
    cols.update(quant)
    frame = pd.DataFrame({"pi": np.repeat(np.arange(n_p), n_g), "grp": pd.Series(keys * n_p, dtype=object),
                          **{c: v.reshape(-1) for c, v in cols.items()}})
    if by is not None:
        present = (cols["pending_start"] + cols["filed"] + cols["pending_end"]
                   + whole("n", (ST.KIND_CLOSED,)) + win("closed", "n", flows)
                   + whole("n", events) + win("events", "n", flows)) > 0
        if has_errors:
            errs = _error_spans(con, inf, pred_s, periods, bool(windows), by, keys)
            if errs is None:
                return None
            present |= errs
        frame = frame[present.reshape(-1)].reset_index(drop=True)
    frame = frame[["pi", "grp", *STOCK_INGREDIENTS, *CLOSED_INGREDIENTS, *EVENT_INGREDIENTS]]
    if by == "court_code":  # text as DuckDB's .df() returns it (pandas str; object when empty)
        frame["grp"] = summary._strings(frame["grp"].to_numpy(dtype=object))
    frame.attrs["data_end"] = data_end  # valid: the query above passed the freshness guard
    return frame


def _dense_window(res: dict[str, np.ndarray], col: str, ucodes: np.ndarray, by: str | None, n_w: int,
                  n_g: int) -> np.ndarray:
    """One column of a window query as a (windows, groups) array (NULL read as 0)."""
    w = np.asarray(res["w"], dtype="int64")
    g = np.zeros(len(w), dtype="int64") if by is None else np.searchsorted(
        ucodes, np.asarray(res["grp"], dtype="int64"))
    arr = np.zeros((n_w, n_g))
    np.add.at(arr, (w, g), np.ma.filled(np.ma.asarray(res[col]).astype("float64"), 0.0))
    return arr


def _details_ok(con: duckdb.DuckDBPyConnection, inf: summary.Info) -> bool:
    """Whether the detail tables exist and belong to this summary build (a catalog lookup, which
    cannot fail: a missing table never aborts the caller's transaction)."""
    names = ", ".join(f"'{n}'" for n in ST.DETAIL_TABLES)
    rows = con.execute(
        f"""SELECT count(*) FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name = current_schema()
              AND table_name IN ({names}) AND comment = ?""", [inf.build]).fetchall()
    return bool(rows and rows[0][0] == len(ST.DETAIL_TABLES))


def _window_sums(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter, pred_s: str,
                 pred_o: str, by: str | None, windows: Sequence[tuple[dt.date, dt.date]]
                 ) -> dict[str, dict[str, np.ndarray]] | None:
    """Per day window (index ``w``) and group: filings, departures and overdue changes, closed-case
    measures and appeal events, from ``cases`` (sorted by filing date: a range read) and the
    detail tables (sorted by date). Dates are ``datetime.date`` values formatted here."""
    from analytics.indicators import queries  # queries imports this module

    gcol = _GROUP_COL[by]
    codes = ", ".join(f"enum_code({d})::INTEGER AS {d}" for d in ST._CODED)
    over = OVERDUE_DAYS + 1  # overdue at day d: filed + 366 <= d

    def lit(d: dt.date) -> str:
        return f"DATE '{d.isoformat()}'"

    guard = inf.guard()
    filed_parts, closed_parts, measure_parts, event_parts = [], [], [], []
    measures = ST.closed_measures()
    closed_cols = ", ".join(f"{sql} AS {col}" for col, _n, _p, sql in measures)
    ev_cols = ", ".join(f"count(*) FILTER (WHERE kind = {ST.EVENT_KIND[dcol]} AND ({cond})) AS {name}"
                        for name, (dcol, cond) in EVENT_INGREDIENTS.items())
    for j, (a, b) in enumerate(windows):
        o_lo, o_hi = a - dt.timedelta(days=over), b - dt.timedelta(days=over)
        filed_parts.append(f"""
            SELECT {j} AS w, {gcol} AS grp,
                   count(*) FILTER (WHERE filed_date BETWEEN {lit(a)} AND {lit(b)}) AS filed,
                   count(*) FILTER (WHERE filed_date BETWEEN {lit(a)} AND {lit(b)}
                                    AND closed_date < filed_date) AS left_err,
                   count(*) FILTER (WHERE filed_date BETWEEN {lit(o_lo)} AND {lit(o_hi)}
                                    AND (closed_date IS NULL OR closed_date > {lit(b)})) AS o12_in
            FROM (SELECT adcode, {codes}, filed_date, closed_date FROM cases
                  WHERE filed_date BETWEEN {lit(a)} AND {lit(b)}
                     OR filed_date BETWEEN {lit(o_lo)} AND {lit(o_hi)})
            WHERE {pred_s} GROUP BY ALL""")
        closed_parts.append(f"""
            SELECT {j} AS w, {gcol} AS grp, count(*) AS n,
                   count(*) FILTER (WHERE closed_date >= filed_date) AS left,
                   count(*) FILTER (WHERE filed_date <= {lit(a - dt.timedelta(days=over + 1))}) AS o12_out
            FROM {ST.CLOSED_DETAIL} WHERE closed_date BETWEEN {lit(a)} AND {lit(b)} AND {pred_s}
            GROUP BY ALL""")
        measure_parts.append(f"""
            SELECT {j} AS w, {gcol} AS grp, {closed_cols}
            FROM {ST.CLOSED_DETAIL} AS x
            WHERE closed_date BETWEEN {lit(a)} AND {lit(b)} AND {pred_s} AND ({pred_o})
            GROUP BY ALL""")
        event_parts.append(f"""
            SELECT {j} AS w, {gcol} AS grp, count(*) AS n, {ev_cols}
            FROM {ST.EVENT_DETAIL} WHERE d BETWEEN {lit(a)} AND {lit(b)} AND {pred_s} AND ({pred_o})
            GROUP BY ALL""")
    # One statement (one plan, one guard): the four families tagged by ``src``, columns by name.
    families = (("cases", filed_parts), ("closed", closed_parts), ("measures", measure_parts),
                ("events", event_parts))
    union = " UNION ALL BY NAME ".join(
        f"SELECT {k} AS src, * FROM ({' UNION ALL '.join(parts)})" for k, (_n, parts) in enumerate(families))
    got = summary._run(con, f"SELECT * FROM ({union}) WHERE {guard}", numpy=True, params=queries._vocab_params())
    if got is None:
        return None
    src = np.asarray(got["src"], dtype="int64")
    # (a family's rows hold NULL in the other families' columns: read as 0, never used)
    return {name: {c: got[c][src == k] for c in got if c != "src"} for k, (name, _parts) in enumerate(families)}


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


def _error_spans(con: duckdb.DuckDBPyConnection, inf: summary.Info, pred_s: str,
                 periods: Sequence[tuple[dt.date, dt.date]], days: bool, by: str, keys: list[object]
                 ) -> np.ndarray | None:
    """(periods, groups): the group has a case closed before the period and filed after it.

    ``days``: compare the dates themselves (detail table, any period); else the months (whole months).
    """
    # The tables have every dimension but the outcome (relevance ignores the 结案方式 filter).
    if days:
        starts = np.array([s for s, _ in periods], dtype="datetime64[D]")
        ends = np.array([e for _, e in periods], dtype="datetime64[D]")
        table, lo, hi = ST.ERR_DETAIL, "dc", "df"
        ors = " OR ".join(f"(dc < DATE '{s}' AND df > DATE '{e}')" for s, e in periods)
    else:
        starts = np.array([_m(s) for s, _ in periods], dtype="int64")
        ends = np.array([_m(e) for _, e in periods], dtype="int64")
        table, lo, hi = ST.ERR_TABLE, "mc", "mf"
        ors = " OR ".join(f"(mc < {s} AND mf > {e})" for s, e in zip(starts, ends, strict=True))
    rows = summary._run(con, f"""SELECT DISTINCT {by}, {lo}, {hi} FROM {table}
                                 WHERE {pred_s} AND ({ors}) AND {inf.guard()}""")
    if rows is None:
        return None
    out = np.zeros((len(periods), len(keys)), dtype=bool)
    pos = {k: i for i, k in enumerate(keys)}
    for g, c, f in rows:
        key = _keys(inf, by, np.array([int(g)]))[0]
        if key in pos:  # a group without any other activity is not listed by the reference either
            if days:
                c, f = np.datetime64(c, "D"), np.datetime64(f, "D")
            out[:, pos[key]] |= (c < starts) & (f > ends)
    return out


def _quantiles(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter, need: set[str],
               pred_s: str, periods: Sequence[tuple[dt.date, dt.date]], splits: Sequence[_Split],
               by: str | None, keys: list[object]) -> dict[str, np.ndarray] | None:
    """Quantile ingredient -> (periods, groups) values (NaN: none), exact, from duration histograms.

    Whole months from the histogram cubes, the days at a period's edges from the closed-case detail.
    """
    groups = ST.quantile_groups()
    out = {name: np.full((len(periods), len(keys)), np.nan) for _e, _c, names in groups for name, _q in names}
    if not groups:
        return out
    partial = any(sp.flows for sp in splits)
    single = not partial and all(s.replace(day=1) == e.replace(day=1) for s, e in periods) and \
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
            parts = []
            wholes = [(i, sp.whole) for i, sp in enumerate(splits) if sp.whole is not None]
            if wholes:
                values = ", ".join(f"({i}, {a}, {b})" for i, (a, b) in wholes)
                parts.append(f"""SELECT q, {gcol} AS grp, p.i, v, n
                                 FROM {cube} JOIN (VALUES {values}) p(i, lo, hi) ON m BETWEEN p.lo AND p.hi
                                 WHERE {pred_s}""")
            # the edge days: literal date ranges, so that each reads a few row groups (zone maps)
            for i, (a, b) in ((i, w) for i, sp in enumerate(splits) for w in sp.flows):
                for qi, (expr, cond, _names) in enumerate(groups):
                    parts.append(f"""SELECT {qi} AS q, {gcol} AS grp, {i} AS i, ({expr})::BIGINT AS v, 1 AS n
                                     FROM {ST.CLOSED_DETAIL}
                                     WHERE closed_date BETWEEN DATE '{a}' AND DATE '{b}'
                                       AND {pred_s} AND ({cond}) AND ({expr}) IS NOT NULL""")
            sql = f"""SELECT q, grp, i, v, sum(n)::BIGINT AS n FROM ({" UNION ALL ".join(parts)})
                      WHERE {inf.guard()} GROUP BY ALL ORDER BY q, grp, i, v"""
        from analytics.indicators import queries  # queries imports this module

        res = summary._run(con, sql, numpy=True, params=queries._vocab_params())
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
