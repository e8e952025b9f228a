"""Test-only reference paths of analytics.indicators, kept to check the fast queries for exact equality.

* ``compare_reference``: compare() through one ``summary`` per period (the definitional path);
* ``summary_reference``: summary() through the definitional per-group query, which by month
  repeats each case once per month it is relevant to (slow on a large store).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from analytics.filters import CaseFilter
from analytics.indicators import queries
from analytics.indicators.definitions import INDICATORS
from analytics.indicators.periods import comparison_periods


def compare_reference(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """compare() through one ``summary`` per period."""
    periods = comparison_periods(start, end)
    first, _last = queries.data_span(con)
    values: dict[str, dict[str, object]] = {}
    for name, p in periods.items():
        if p is None or first is None or p[0] < first:
            # A comparison period reaching before the data begins would show false zeros.
            values[name] = {k: None for k in INDICATORS}
        else:
            values[name] = queries.summary(con, flt, *p).iloc[0].to_dict()
    return queries._compare_frame(periods, values)


def monthly_reference_sql(flt: CaseFilter) -> tuple[str, dict[str, object]]:
    """The definitional by-month query: each case repeated once per calendar month it is relevant
    to, so a month is its own period (旧存 at its first day, 未结 at its last) in one scan."""
    where, out_pred, params = queries._where_parts(flt)
    lo, hi = queries._LO, queries._HI
    inner = f"""
        SELECT {queries.CASE_COLS}, ({out_pred}) AS in_out,
               unnest(generate_series(date_trunc('month', {lo}), date_trunc('month', {hi}),
                                      INTERVAL 1 MONTH))::DATE AS month
        FROM cases WHERE ({where}) AND {lo} <= {hi}"""
    base = f"""
        SELECT *, {queries._FLAGS} FROM (
            SELECT *, greatest(month, $start) AS p_start,
                   least((month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $end) AS p_end
            FROM ({inner}))"""
    sql = f"""
        WITH f AS MATERIALIZED ({base}),
        {queries._enrich_ctes("f", "month", "is_closed AND in_out")},
        {queries._event_ctes(where, out_pred, "$start", "$end")},
        months AS (SELECT DISTINCT month AS grp, p_start, p_end FROM f),
        main AS (SELECT grp, {queries._STOCK_AGGREGATES}, {queries._closed_aggregates()} FROM x GROUP BY grp),
        evs AS (SELECT months.grp, {queries._event_aggregates("months.p_start", "months.p_end")}
                FROM months LEFT JOIN ev ON TRUE GROUP BY months.grp)
        SELECT main.grp, main.* EXCLUDE (grp), evs.* EXCLUDE (grp)
        FROM main LEFT JOIN evs ON evs.grp = main.grp"""
    return sql, {**params, **queries._vocab_params()}


def _reference_sql(flt: CaseFilter, by: str | None) -> tuple[str, dict[str, object]]:
    return monthly_reference_sql(flt) if by == "month" else queries._summary_sql_reference(flt, by)


def summary_reference(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date,
                      by: str | None, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    """summary() computed through the definitional reference queries."""
    with monkeypatch.context() as m:
        m.setattr(queries, "_summary_sql", _reference_sql)
        m.setattr(queries, "_from_cubes", lambda *_a: None)  # not the summary cubes
        return queries.summary(con, flt, s, e, by=by)
