"""The map page's queries over the map cubes of ``analytics.summary``: counts per window (headline,
district figures, 同比), the monthly trend, the top causes and the hexagon density.

Each function runs one small catalog query (``summary.info``) and one cube query carrying the
freshness guard, and returns None when no cube answers (no summary, a stale one, a filter no cube
holds): the caller (``analytics.maps``) then runs the reference SQL over ``cases``. Split from
``analytics/summary.py`` (building, freshness, shared helpers) when it passed 700 lines.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.filters import CaseFilter
from analytics.summary import _in_list, _month, _month_bounds, _predicate, _run, info


@dataclass(frozen=True)
class Window:
    """A count over filing dates [lo, hi] (inclusive); ``closed``: only cases already closed."""

    name: str
    lo: date
    hi: date
    closed: bool = False


Counts = dict[int | None, list[int]]


def window_counts(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    windows: Sequence[Window],
    *,
    district: bool,
    by_adcode: bool,
) -> Counts | None:
    """Counts of the filter's cases (its years ignored) in each window, per adcode or in total.

    Returns {adcode: [count per window]} (only adcodes with cases in some window), or
    {None: [...]} without ``by_adcode``; None when no summary can answer (use ``cases``).
    Whole months come from a month cube, partly covered months from ``cases``.
    """
    inf = info(con)
    if inf is None:
        return None
    pred, need = _predicate(inf, flt, district)
    if by_adcode:
        need.add("adcode")
    if any(w.closed for w in windows):
        need.add("pending")
    cube = inf.cube("month", need)
    if cube is None:
        return None
    partial: set[int] = set()
    spans: list[tuple[int, int] | None] = []
    for w in windows:
        if w.lo > w.hi:
            spans.append(None)
            continue
        ml, mh = _month(w.lo), _month(w.hi)
        if w.lo.day != 1:
            partial.add(ml)
            ml += 1
        if w.hi != _month_bounds(mh)[1]:
            partial.add(mh)
            mh -= 1
        spans.append((ml, mh) if ml <= mh else None)
    out: Counts = {} if by_adcode else {None: [0] * len(windows)}
    full = [s for s in spans if s is not None]
    if full:
        sums = []
        for w, span in zip(windows, spans, strict=True):
            if span is None:
                sums.append("0")
            else:
                cond = f"m BETWEEN {span[0]} AND {span[1]}" + (" AND NOT pending" if w.closed else "")
                sums.append(f"sum(n) FILTER (WHERE {cond})")  # NULL when no row: 0 in _accumulate
        lo, hi = min(s[0] for s in full), max(s[1] for s in full)
        skip = f" AND m NOT IN ({_in_list(sorted(partial))})" if partial else ""
        sql = f"""SELECT {"adcode" if by_adcode else "NULL"}, {", ".join(sums)} FROM {cube}
                  WHERE {pred} AND m BETWEEN {lo} AND {hi}{skip} AND {inf.guard()}
                  {"GROUP BY adcode" if by_adcode else ""}"""
        rows = _run(con, sql)
        if rows is None:
            return None
        _accumulate(out, rows)
    if partial:
        _accumulate(out, _partial_rows(con, flt, windows, sorted(partial), district=district, by_adcode=by_adcode))
    return out


def _accumulate(out: Counts, rows: Iterable[tuple]) -> None:
    for key, *counts in rows:
        k = None if key is None else int(key)
        cur = out.setdefault(k, [0] * len(counts))
        for i, v in enumerate(counts):
            cur[i] += int(v or 0)


def _partial_rows(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    windows: Sequence[Window],
    months: list[int],
    *,
    district: bool,
    by_adcode: bool,
) -> list[tuple]:
    """Window counts over partly covered months, from ``cases`` (one filing-date range each)."""
    where, params = flt.where(years=False, district=district)
    ranges = []
    args: list[object] = []
    for m in months:
        first, last = _month_bounds(m)
        ranges.append(f"SELECT * FROM cases WHERE filed_date BETWEEN ? AND ? AND ({where})")
        args += [first, last, *params]
    counts = []
    wargs: list[object] = []
    for w in windows:
        cond = "filed_date BETWEEN ? AND ?" + (" AND closed_date IS NOT NULL" if w.closed else "")
        counts.append(f"count(*) FILTER (WHERE {cond})")
        wargs += [w.lo, w.hi]
    sql = f"""SELECT {"adcode" if by_adcode else "NULL"}, {", ".join(counts)}
              FROM ({" UNION ALL ".join(ranges)}) {"GROUP BY adcode" if by_adcode else ""}"""
    return con.execute(sql, [*wargs, *args]).fetchall()


def monthly_trend(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> pd.DataFrame | None:
    """``maps.monthly_trend`` from a month cube (None when no cube can answer)."""
    inf = info(con)
    if inf is None:
        return None
    pred, need = _predicate(inf, flt, district=True)
    cube = inf.cube("month", need)
    if cube is None or flt.year_from > flt.year_to:
        return None
    lo, hi = flt.year_from * 12, flt.year_to * 12 + 11
    rows = _run(
        con,
        f"""SELECT m, sum(n) FROM {cube}
                         WHERE {pred} AND m BETWEEN {lo} AND {hi} AND {inf.guard()} GROUP BY m""",
    )
    if rows is None:
        return None
    counts = np.zeros(hi - lo + 1, dtype="int64")
    for m, n in rows:
        counts[int(m) - lo] = int(n)
    return pd.DataFrame({"month": _months(lo, hi), "cases": counts})


@functools.lru_cache(maxsize=64)
def _months(lo: int, hi: int) -> np.ndarray:
    """The first days of months ``lo..hi`` (year * 12 + month - 1), as ``.df()`` makes a DATE column
    (read-only: shared by the frames, which copy it)."""
    month = (np.arange(lo, hi + 1) - 1970 * 12).astype("datetime64[M]").astype("datetime64[us]")
    month.setflags(write=False)
    return month


def top_causes(con: duckdb.DuckDBPyConnection, flt: CaseFilter, n: int = 10) -> pd.DataFrame | None:
    """``maps.top_causes`` from a month cube (None when no cube can answer)."""
    inf = info(con)
    if inf is None or not isinstance(n, int) or n < 0:
        return None
    pred, need = _predicate(inf, flt, district=True)
    cube = inf.cube("month", need | {"cause", "cause_group"})
    if cube is None:
        return None
    lo, hi = flt.year_from * 12, flt.year_to * 12 + 11
    rows = _run(
        con,
        f"""SELECT cause, cause_group, sum(n) FROM {cube}
                         WHERE {pred} AND m BETWEEN {lo} AND {hi} AND {inf.guard()}
                         GROUP BY cause, cause_group""",
    )
    if rows is None:
        return None
    cause = np.array([r[0] for r in rows], dtype="int64")
    group = np.array([r[1] for r in rows], dtype="int64")
    cases = np.array([int(r[2]) for r in rows], dtype="int64")
    # ORDER BY cases DESC, cause (the name, in string order) LIMIT n; share of the total.
    order = np.lexsort((inf.ranks["cause"][cause], -cases))[:n] if len(rows) else np.array([], dtype="int64")
    total = float(cases.sum())
    return pd.DataFrame(
        {
            "cause": inf.texts("cause", cause[order]),
            "cause_group": inf.texts("cause_group", group[order]),
            "cases": cases[order],
            "share": cases[order].astype("float64") / total if len(rows) else np.array([], dtype="float64"),
        }
    )


def hex_density(con: duckdb.DuckDBPyConnection, flt: CaseFilter, min_count: int = 1) -> pd.DataFrame | None:
    """``maps.hex_density`` from a hexagon cube (None when no cube can answer)."""
    inf = info(con)
    if inf is None or not isinstance(min_count, int):
        return None
    pred, need = _predicate(inf, flt, district=False)
    cube = inf.cube("year", need | {"h3c"})
    if cube is None:
        return None
    got = _run(
        con,
        f"""SELECT h3c, sum(n)::BIGINT AS n FROM {cube}
                        WHERE {pred} AND y BETWEEN {int(flt.year_from)} AND {int(flt.year_to)}
                          AND {inf.guard()}
                        GROUP BY h3c HAVING sum(n) >= {int(min_count)}""",
        numpy=True,
    )
    if got is None:
        return None
    code = np.asarray(got["h3c"], dtype="int64")
    cases = np.asarray(got["n"], dtype="int64")
    order = np.argsort(inf.ranks["h3"][code], kind="stable") if len(code) else code
    return pd.DataFrame(
        {
            "h3": inf.texts("h3", code[order]),
            "cases": cases[order],
        }
    )
