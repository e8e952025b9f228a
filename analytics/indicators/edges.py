"""The parts of ``cubes`` that read a period's edges: day windows and duration histograms.

A period is whole months (from the trial cubes) plus day windows inside its first and last month
(``_split``). The windows are read from the day-level detail tables of the same summary build
(``summary_trial.DETAIL_TABLES``) and the filing dates of ``cases`` (``_window_sums``); medians
and p90 of days from duration histograms (``_histograms``: the histogram cubes, the closed-case
detail at the edges, or ``cases`` with a 结案方式 filter) reproduced bit for bit
(``_quantile_values``). Rows are grouped per base code: court x district pair (``_PAIR``) or
none (the whole filter).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import duckdb
import numpy as np

from analytics import sqlgen, summary, summary_trial
from analytics.filters import CaseFilter
from analytics.indicators.definitions import CLOSED_INGREDIENTS, EVENT_INGREDIENTS, OVERDUE_DAYS
from analytics.indicators.periods import _month_end

ST = summary_trial
# Base grain of a page's periods: court x district pairs, rolled up to the whole filter, a court or
# a district. Pair code = court code * 10^6 + adcode (six digits).
_PAIR, _PAIR_MUL = "pair", 1_000_000
_GROUP_COL = {None: "NULL", _PAIR: f"(court_code::BIGINT * {_PAIR_MUL} + adcode)"}


def _m(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


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


def _dense_window(res: dict[str, np.ndarray], col: str, ucodes: np.ndarray, base: str | None, n_w: int,
                  n_g: int) -> np.ndarray:
    """One column of a window query as a (windows, groups) array (NULL read as 0)."""
    w = np.asarray(res["w"], dtype="int64")
    g = np.zeros(len(w), dtype="int64") if base is None else np.searchsorted(
        ucodes, np.asarray(res["grp"], dtype="int64"))
    arr = np.zeros((n_w, n_g))
    np.add.at(arr, (w, g), np.ma.filled(np.ma.asarray(res[col]).astype("float64"), 0.0))
    return arr


def _details_count_sql(build: str) -> str:
    """SQL: how many of the detail tables exist with the comment ``build`` (an SQL expression)."""
    names = ", ".join(f"'{n}'" for n in ST.DETAIL_TABLES)
    return f"""SELECT count(*) FROM duckdb_tables()
               WHERE database_name = current_database() AND schema_name = current_schema()
                 AND table_name IN ({names}) AND comment = {build}"""


def _details_ok(con: duckdb.DuckDBPyConnection, inf: summary.Info) -> bool:
    """Whether the detail tables exist and belong to this summary build (a catalog lookup, which
    cannot fail: a missing table never aborts the caller's transaction)."""
    rows = con.execute(_details_count_sql("?"), [inf.build]).fetchall()
    return bool(rows and rows[0][0] == len(ST.DETAIL_TABLES))


def _still_valid(con: duckdb.DuckDBPyConnection, inf: summary.Info, details: bool) -> bool:
    """The checks before kept periods are used again, in one statement: the guard (the summary is
    current) and, when ``details``, ``_details_ok``."""
    got = summary._run(con, f"SELECT ({_details_count_sql('$build')}) WHERE {inf.guard()}",
                       params={"build": inf.build})
    if not got:  # the summary is stale
        return False
    return not details or got[0][0] == len(ST.DETAIL_TABLES)


# Attributes of the closed-case detail the closed ingredients' conditions may read; a condition
# reading anything else makes the window query evaluate it per case (``_grouped_measures``).
_DETAIL_ATTRS = frozenset({"proc", "outc", "cat", "lim_known", "lim_ok", "fi_challenged", "fi_appealed",
                           "fi_reversed"})
_NULL_TESTS = {"eff_amount IS NOT NULL": "eff_amount__known"}  # a numeric column read only for NULL


@functools.cache
def _grouped_measures() -> tuple[str, str] | None:
    """(inner columns, outer aggregates): the closed ingredients in two steps, per combination of
    the attributes their conditions read (about a hundred per window) and then per group.

    None (evaluate per case, as the cubes' build does) when a condition reads a column outside
    ``_DETAIL_ATTRS`` or an expression is not a plain column: nothing is guessed.
    """
    exprs: list[str] = []
    outer = []
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        for test, flag in _NULL_TESTS.items():
            cond = cond.replace(test, flag)
        if not sqlgen.columns_read(cond) <= _DETAIL_ATTRS | set(_NULL_TESTS.values()):
            return None
        if agg in ("median", "p90"):
            continue  # quantiles: from the histograms
        f = f"FILTER (WHERE {cond})"
        if agg == "count":
            outer.append(f"sum(n__) {f} AS {name}")
            continue
        if not re.fullmatch(r"[a-z_]+", expr):
            return None
        if expr not in exprs:
            exprs.append(expr)
        k = exprs.index(expr)
        if agg == "sum":
            outer.append(f"sum(s__{k}) {f} AS {name}")
        elif agg == "avg":
            outer.append(f"sum(s__{k}) {f} AS {name}__s, sum(c__{k}) {f} AS {name}__n")
        else:
            return None
    # text attributes grouped by their dictionary codes (integers), named back in ``_window_sums``
    attrs = [sqlgen.TEXT_CODES.get(a, a) for a in sorted(_DETAIL_ATTRS)]
    inner = [*attrs, *(f"{t} AS {flag}" for t, flag in _NULL_TESTS.items()), "count(*) AS n__",
             *(f"sum({e}) AS s__{k}, count({e}) AS c__{k}" for k, e in enumerate(exprs))]
    return ", ".join(inner), ", ".join(outer)


def _named(inf: summary.Info, dim: str) -> str:
    """SQL: the text value of ``dim``'s code (the summary's dictionary), NULL for NULL."""
    names = inf.names[dim]
    whens = " ".join(f"WHEN {c} THEN '{str(v).replace(chr(39), chr(39) * 2)}'"
                     for c, v in enumerate(names) if v is not None)
    return f"CASE {dim} {whens} END" if whens else "NULL::VARCHAR"


def _texts(inf: summary.Info, texts: Sequence[str]) -> str:
    """SQL select items: the text columns ``texts`` (``sqlgen.TEXT_CODES``: proc, cat, outc) named
    from their dimensions' codes."""
    return ", ".join(f"{_named(inf, sqlgen.TEXT_CODES[t])} AS {t}" for t in texts)


def _detail(inf: summary.Info, reads: str) -> str:
    """The closed detail for SQL that reads ``reads`` per case: with the text of the codes it
    reads (the detail keeps the codes only) named per row."""
    texts = ST.text_columns(sqlgen.columns_read(reads))
    return f"(SELECT *, {_texts(inf, texts)} FROM {ST.CLOSED_DETAIL})" if texts else ST.CLOSED_DETAIL


def _window_sums(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter, pred_s: str,
                 pred_o: str, base: str | None, windows: Sequence[tuple[dt.date, dt.date]]
                 ) -> dict[str, dict[str, np.ndarray]] | None:
    """Per day window (index ``w``) and group: filings, departures and overdue changes, closed-case
    measures and appeal events, from ``cases`` (sorted by filing date: a range read) and the
    detail tables (sorted by date). Dates are ``datetime.date`` values formatted here."""
    from analytics.indicators import queries  # queries imports this module

    gcol = _GROUP_COL[base]
    codes = ", ".join(f"enum_code({d})::INTEGER AS {d}" for d in ST._CODED)
    over = OVERDUE_DAYS + 1  # overdue at day d: filed + 366 <= d

    def lit(d: dt.date) -> str:
        return f"DATE '{d.isoformat()}'"

    guard = inf.guard()
    measures = ST.closed_measures()
    grouped = _grouped_measures()
    ev_cols = ", ".join(f"count(*) FILTER (WHERE kind = {ST.EVENT_KIND[dcol]} AND ({cond})) AS {name}"
                        for name, (dcol, cond) in EVENT_INGREDIENTS.items())
    # Disjoint windows (the usual case: a period's edges, its 同比's and its 环比's) are told apart
    # by a CASE; overlapping ones by a range join with a relation of the windows. Either way a
    # family is one scan of its table, whose WHERE (an OR of literal date ranges) reads only the
    # row groups of those days.
    day = dt.timedelta(days=1)
    disjoint = all(windows[j + 1][0] > windows[j][1] for j in range(len(windows) - 1))

    def ranges(col: str, spans: Sequence[tuple[dt.date, dt.date]]) -> str:
        return "(" + " OR ".join(f"{col} BETWEEN {lit(a)} AND {lit(b)}" for a, b in spans) + ")"

    def by_window(col: str, shift: int = 0) -> tuple[str, str, str, str]:
        """(window index, join, first day, last day): the rows of ``col`` per window, the windows
        shifted back by ``shift`` days (the first and last day are those of the unshifted window)."""
        spans = [(a - shift * day, b - shift * day) for a, b in windows]
        if not disjoint:
            rows = ", ".join(f"({j}, {lit(lo)}, {lit(hi)}, {lit(a)}, {lit(b)})"
                             for j, ((lo, hi), (a, b)) in enumerate(zip(spans, windows, strict=True)))
            return ("win.w", f"JOIN (VALUES {rows}) AS win(w, lo, hi, a, b) ON {col} BETWEEN win.lo AND win.hi",
                    "win.a", "win.b")

        def case(values: Sequence[object]) -> str:
            return "CASE " + " ".join(f"WHEN {col} BETWEEN {lit(lo)} AND {lit(hi)} THEN {v}"
                                      for (lo, hi), v in zip(spans, values, strict=True)) + " END"

        return (case(range(len(windows))), "", case([lit(a) for a, _ in windows]),
                case([lit(b) for _, b in windows]))

    closed_in = ranges("closed_date", windows)
    overdue = [(a - over * day, b - over * day) for a, b in windows]
    cases = f"SELECT adcode, {codes}, filed_date, closed_date FROM cases"
    f_col, f_join, _first, _last = by_window("filed_date")
    o_col, o_join, _first, o_last = by_window("filed_date", over)
    filed = f"""
        SELECT {f_col} AS w, {gcol} AS grp, count(*) AS filed,
               count(*) FILTER (WHERE closed_date < filed_date) AS left_err
        FROM ({cases} WHERE {ranges("filed_date", windows)}) {f_join} WHERE {pred_s} GROUP BY ALL
        UNION ALL BY NAME
        SELECT {o_col} AS w, {gcol} AS grp,
               count(*) FILTER (WHERE closed_date IS NULL OR closed_date > {o_last}) AS o12_in
        FROM ({cases} WHERE {ranges("filed_date", overdue)}) {o_join} WHERE {pred_s} GROUP BY ALL"""
    w_col, join, first, _last = by_window("closed_date")
    closed = f"""
        SELECT {w_col} AS w, {gcol} AS grp, count(*) AS n,
               count(*) FILTER (WHERE closed_date >= filed_date) AS left,
               count(*) FILTER (WHERE filed_date <= {first} - {over + 1}) AS o12_out
        FROM {ST.CLOSED_DETAIL} AS x {join}
        WHERE {closed_in} AND {pred_s} GROUP BY ALL"""
    where = f"{closed_in} AND {pred_s} AND ({pred_o})"
    # Without a 结案方式 filter the departures and the measures read the same closed rows: one scan
    # and one grouping for both (the departures' counts summed per combination of attributes too).
    merged = grouped is not None and pred_o == "TRUE"
    if grouped is None:
        closed_cols = ", ".join(f"{sql} AS {col}" for col, _n, _p, sql in measures)
        measure = f"""
            SELECT {w_col} AS w, {gcol} AS grp, {closed_cols}
            FROM {_detail(inf, closed_cols)} AS x {join} WHERE {where} GROUP BY ALL"""
    else:  # the conditions evaluated once per combination of attributes, not once per case
        named = _texts(inf, list(sqlgen.TEXT_CODES))
        inner, outer = grouped
        if merged:
            inner += (f", count(*) FILTER (WHERE closed_date >= filed_date) AS left__,"
                      f" count(*) FILTER (WHERE filed_date <= {first} - {over + 1}) AS o12_out__")
            outer += ", sum(n__)::BIGINT AS n, sum(left__)::BIGINT AS left, sum(o12_out__)::BIGINT AS o12_out"
        measure = f"""
            SELECT w, grp, {outer}
            FROM (SELECT *, {named}
                  FROM (SELECT {w_col} AS w, {gcol} AS grp, {inner}
                        FROM {ST.CLOSED_DETAIL} AS x {join} WHERE {where} GROUP BY ALL))
            GROUP BY ALL"""
    e_col, e_join, _first, _last = by_window("d")
    event = f"""
        SELECT {e_col} AS w, {gcol} AS grp, count(*) AS n, {ev_cols}
        FROM {ST.EVENT_DETAIL} AS e {e_join}
        WHERE {ranges("d", windows)} AND {pred_s} AND ({pred_o}) GROUP BY ALL"""
    # One statement (one plan, one guard): the families tagged by ``src``, columns by name.
    families = (("cases", filed), *(() if merged else (("closed", closed),)), ("measures", measure),
                ("events", event))
    union = " UNION ALL BY NAME ".join(f"SELECT {k} AS src, * FROM ({sql})" for k, (_n, sql) in enumerate(families))
    got = summary._run(con, f"SELECT * FROM ({union}) WHERE {guard}", numpy=True, params=queries._vocab_params())
    if got is None:
        return None
    src = np.asarray(got["src"], dtype="int64")
    # (a family's rows hold NULL in the other families' columns: read as 0, never used)
    out = {name: {c: got[c][src == k] for c in got if c != "src"} for k, (name, _sql) in enumerate(families)}
    if merged:
        out["closed"] = out["measures"]
    return out


def _error_rows(con: duckdb.DuckDBPyConnection, inf: summary.Info, pred_s: str,
                periods: Sequence[tuple[dt.date, dt.date]], days: bool, base: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(code, closed, filed) of the cases closed before one of the periods and filed after it.

    ``days``: the dates themselves (detail table, any period, as datetime64); else the months
    (whole months, as month numbers). A code is listed only where it has other rows (the rollup
    keeps an error for a group the reference lists for other reasons, as the reference does).
    """
    # The tables have every dimension but the outcome (relevance ignores the 结案方式 filter).
    if days:
        table, lo, hi = ST.ERR_DETAIL, "dc", "df"
        ors = " OR ".join(f"(dc < DATE '{s}' AND df > DATE '{e}')" for s, e in periods)
    else:
        table, lo, hi = ST.ERR_TABLE, "mc", "mf"
        ors = " OR ".join(f"(mc < {_m(s)} AND mf > {_m(e)})" for s, e in periods)
    res = summary._run(con, f"""SELECT DISTINCT {_GROUP_COL[base]} AS grp, {lo} AS lo, {hi} AS hi FROM {table}
                                WHERE {pred_s} AND ({ors}) AND {inf.guard()}""", numpy=True)
    if res is None:
        return None
    kind = "datetime64[D]" if days else "int64"
    return (np.asarray(res["grp"], dtype="int64"), np.asarray(res["lo"], dtype=kind),
            np.asarray(res["hi"], dtype=kind))


def _histograms(con: duckdb.DuckDBPyConnection, inf: summary.Info, flt: CaseFilter, need: set[str],
                pred_s: str, periods: Sequence[tuple[dt.date, dt.date]], splits: Sequence[_Split],
                base: str | None) -> tuple[np.ndarray, ...] | None:
    """Duration histogram rows (q, period index, code, days, cases) of the quantile ingredients.

    Whole months from the histogram cubes, the days at a period's edges from the closed-case
    detail; with a 结案方式 filter (the histograms have no outcome) counted from ``cases``.
    """
    groups = ST.quantile_groups()
    if not groups:
        return (np.zeros(0, dtype="int64"),) * 4 + (np.zeros(0, dtype="float64"),)
    partial = any(sp.flows for sp in splits)
    single = not partial and all(s.replace(day=1) == e.replace(day=1) for s, e in periods) and \
        len({s for s, _ in periods}) == len(periods)
    cube = None if flt.outcomes else inf.cube(ST.DAYS_GRAIN, need)
    gcol = _GROUP_COL[base]
    if cube is not None:
        if single:  # one month each: group by month (a range join with many periods is slow)
            lo, hi = _m(min(s for s, _ in periods)), _m(max(e for _, e in periods))
            sql = f"""SELECT q, {gcol} AS grp, m AS i, v, sum(n)::BIGINT AS n FROM {cube}
                      WHERE {pred_s} AND m BETWEEN {lo} AND {hi} AND {inf.guard()}
                      GROUP BY ALL"""
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
                                     FROM {_detail(inf, f"{expr} {cond}")}
                                     WHERE closed_date BETWEEN DATE '{a}' AND DATE '{b}'
                                       AND {pred_s} AND ({cond}) AND ({expr}) IS NOT NULL""")
            sql = f"""SELECT q, grp, i, v, sum(n)::BIGINT AS n FROM ({" UNION ALL ".join(parts)})
                      WHERE {inf.guard()} GROUP BY ALL"""
        from analytics.indicators import queries  # queries imports this module

        res = summary._run(con, sql, numpy=True, params=queries._vocab_params())
        if res is None:
            return None
    else:
        res = _case_histogram(con, flt, periods, base)
        single = False
    pidx = np.asarray(res["i"], dtype="int64")
    if single:
        where = {_m(s): i for i, (s, _e) in enumerate(periods)}
        pidx = np.array([where.get(int(m), -1) for m in pidx], dtype="int64")
    code = np.zeros(len(pidx), dtype="int64") if base is None else np.asarray(res["grp"], dtype="int64")
    return (np.asarray(res["q"], dtype="int64"), pidx, code, np.asarray(res["v"], dtype="float64"),
            np.asarray(res["n"], dtype="int64"))


def _quantile_values(q: np.ndarray, gidx: np.ndarray, v: np.ndarray, n: np.ndarray, n_g: int
                     ) -> dict[str, np.ndarray]:
    """Quantile ingredient -> values per group (NaN: no case), exact, from histogram rows (a value
    may occur in several rows: rows of several pairs rolled up to one group)."""
    groups = ST.quantile_groups()
    out = {name: np.full(n_g, np.nan) for _e, _c, names in groups for name, _q in names}
    if not len(q):
        return out
    order = np.lexsort((v, gidx, q))
    q, gidx, v, n = q[order], gidx[order], v[order], n[order]
    change = np.ones(len(q), dtype=bool)
    change[1:] = (q[1:] != q[:-1]) | (gidx[1:] != gidx[:-1])
    first = np.flatnonzero(change)
    cum = np.cumsum(n)
    before = np.where(first > 0, cum[first - 1], 0)  # cases in the earlier groups
    total = np.append(before[1:], cum[-1]) - before
    for qi, (_e, _c, names) in enumerate(groups):
        sel = (q[first] == qi) & (total > 0)
        for name, frac in names:
            pos_ = frac * (total[sel] - 1)
            lo_, hi_ = np.floor(pos_), np.ceil(pos_)
            x_lo = v[np.searchsorted(cum, before[sel] + lo_, side="right")]
            x_hi = v[np.searchsorted(cum, before[sel] + hi_, side="right")]
            out[name][gidx[first[sel]]] = _interpolate(x_lo, x_hi, pos_ - lo_)
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
                    periods: Sequence[tuple[dt.date, dt.date]], base: str | None) -> dict[str, np.ndarray]:
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
    grp = "NULL" if base is None else f"enum_code(court_code)::BIGINT * {_PAIR_MUL} + adcode"
    lo, hi = min(s for s, _ in periods), max(e for _, e in periods)
    sql = f"""
        WITH p AS (SELECT * FROM (VALUES {values}) p(i, lo, hi)),
        c AS (SELECT {grp} AS grp, closed_date, procedure::VARCHAR AS proc, category::VARCHAR AS cat,
                     type_code::VARCHAR AS tcode, outcome::VARCHAR AS outc, closed_date - filed_date AS days
              FROM cases
              WHERE ({where}) AND ({out_pred}) AND closed_date BETWEEN DATE '{lo}' AND DATE '{hi}')
        {" UNION ALL ".join(parts)}"""
    return con.execute(sql, sqlgen.used_params(sql, {**params, **queries._vocab_params()})).fetchnumpy()
