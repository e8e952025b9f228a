"""Repeat parties: 群体性纠纷 (many labour suits against one employer) and 职业放贷人 (one lender, many suits).

For every first-instance case of the rule's causes, a DuckDB window counts the same party's cases
filed in the ``window_days`` days up to and including that filing day (a RANGE frame over the
filing date, partitioned by the pseudonymous party key). A party is listed in every month in
which one of its filings brings that count to ``min_cases`` or more; the first such month of an
episode (the count rising from below the threshold) is marked ``new``. Only pseudonymous keys
(``defendant_key`` / ``plaintiff_key``) are used and shown; names never enter the store.

Rules and their sources are in ``analytics.alerts.config`` (MASS_DISPUTE, PROFESSIONAL_LENDER).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import duckdb
import pandas as pd

from analytics.alerts.config import PartyRule
from analytics.alerts.series import store_fingerprint

COLUMNS = ["party_key", "cases_in_window", "first_crossed", "window_end", "adcode", "districts",
           "first_filed", "new"]


def month_bounds(month: str) -> tuple[date, date]:
    """First day of ``YYYY-MM`` and first day of the next month."""
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1)


def party_alerts(con: duckdb.DuckDBPyConnection, rule: PartyRule, month: str) -> pd.DataFrame:
    """Parties at or above the rule's threshold in ``month`` (columns as ``party_alerts_month``).

    Answered from ``party_months`` (every month at once, one window query, kept in memory per
    store content and rule), so replaying months costs a filter.
    """
    table = party_months(con, rule)
    got = table[table["month"] == month]
    return got[COLUMNS].reset_index(drop=True) if not got.empty else pd.DataFrame(columns=COLUMNS)


_MEMO: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


def party_months(con: duckdb.DuckDBPyConnection, rule: PartyRule) -> pd.DataFrame:
    """For every month, the parties whose window count reaches the threshold in it (``COLUMNS`` + month)."""
    if rule.role not in ("defendant", "plaintiff"):
        raise ValueError(f"unknown party role {rule.role!r}")
    memo_key = (store_fingerprint(con), rule)
    if memo_key in _MEMO:
        _MEMO.move_to_end(memo_key)
        return _MEMO[memo_key]
    key = f"{rule.role}_key"
    causes = ", ".join(f"$c{i}" for i in range(len(rule.causes)))
    # Only parties with at least ``min_cases`` cases in all can reach the threshold in a window:
    # the windows below then sort a few thousand parties' cases, not every party's (at 10M cases,
    # ~660k plaintiffs of the lender rule, nearly all with one case: 0.9 s became 0.3 s).
    sql = f"""
        WITH c0 AS (
            SELECT {key} AS party_key, filed_date, adcode
            FROM cases
            WHERE procedure::VARCHAR = '一审' AND cause::VARCHAR IN ({causes}) AND {key} IS NOT NULL
        ), c AS (
            SELECT * FROM c0
            WHERE party_key IN (SELECT party_key FROM c0 GROUP BY party_key HAVING count(*) >= $min)
        ), w AS (
            SELECT party_key, filed_date,
                   count(*) OVER (PARTITION BY party_key ORDER BY filed_date
                                  RANGE BETWEEN INTERVAL ($days - 1) DAY PRECEDING AND CURRENT ROW) AS n
            FROM c
        ), x AS (
            SELECT *, coalesce(lag(n) OVER (PARTITION BY party_key ORDER BY filed_date), 0) AS prev_n FROM w
        ), y AS (
            SELECT *, max(CASE WHEN n >= $min AND prev_n < $min THEN filed_date END)
                          OVER (PARTITION BY party_key ORDER BY filed_date ROWS UNBOUNDED PRECEDING) AS crossed
            FROM x
        ), hit AS (
            SELECT party_key, strftime(filed_date, '%Y-%m') AS month, max(n) AS cases_in_window,
                   arg_max(filed_date, n) AS window_end, max(crossed) AS first_crossed
            FROM y GROUP BY party_key, month HAVING max(n) >= $min
        )
        SELECT h.party_key, h.month, h.cases_in_window, h.first_crossed, h.window_end,
               mode(c.adcode) AS adcode, count(DISTINCT c.adcode) AS districts,
               min(c.filed_date) AS first_filed
        FROM hit h JOIN c ON c.party_key = h.party_key
             AND c.filed_date > h.window_end - INTERVAL ($days) DAY AND c.filed_date <= h.window_end
        GROUP BY ALL ORDER BY h.month, h.cases_in_window DESC, h.party_key
    """
    args = {**{f"c{i}": v for i, v in enumerate(rule.causes)}, "days": rule.window_days, "min": rule.min_cases}
    df = con.execute(sql, args).df()
    if df.empty:
        df = pd.DataFrame(columns=["month", *COLUMNS])
    else:
        for col in ("first_crossed", "window_end", "first_filed"):
            df[col] = pd.to_datetime(df[col]).dt.date
        df["new"] = [c >= month_bounds(m)[0] for c, m in zip(df["first_crossed"], df["month"], strict=True)]
        df["adcode"] = df["adcode"].astype(int)
    _MEMO[memo_key] = df
    while len(_MEMO) > 8:
        _MEMO.popitem(last=False)
    return df


def party_alerts_month(con: duckdb.DuckDBPyConnection, rule: PartyRule, month: str) -> pd.DataFrame:
    """Reference for one month, straight from ``cases`` (data up to that month only): parties at or
    above the rule's threshold at some day of ``month``.

    Columns: party_key, cases_in_window (largest window count in the month), first_crossed (first
    day the count ever reached the threshold, data up to the month), window_end (the day of the
    largest count), adcode (district with most of the party's cases in that window), districts
    (number of districts), first_filed (first case in that window), new (the count rose to the
    threshold from below during this month: a new episode; ``first_crossed`` is that episode's start).
    """
    if rule.role not in ("defendant", "plaintiff"):
        raise ValueError(f"unknown party role {rule.role!r}")
    key = f"{rule.role}_key"
    start, end = month_bounds(month)
    causes = ", ".join(f"$c{i}" for i in range(len(rule.causes)))
    sql = f"""
        WITH c AS (
            SELECT {key} AS party_key, filed_date, adcode
            FROM cases
            WHERE procedure::VARCHAR = '一审' AND cause::VARCHAR IN ({causes})
              AND {key} IS NOT NULL AND filed_date < $end
        ), w AS (
            SELECT party_key, filed_date, adcode,
                   count(*) OVER (PARTITION BY party_key ORDER BY filed_date
                                  RANGE BETWEEN INTERVAL ($days - 1) DAY PRECEDING AND CURRENT ROW) AS n
            FROM c
        ), x AS (
            SELECT *, coalesce(lag(n) OVER (PARTITION BY party_key ORDER BY filed_date), 0) AS prev_n FROM w
        ), hit AS (
            SELECT party_key,
                   max(filed_date) FILTER (WHERE n >= $min AND prev_n < $min) AS first_crossed,
                   max(n) FILTER (WHERE filed_date >= $start) AS cases_in_window,
                   arg_max(filed_date, n) FILTER (WHERE filed_date >= $start) AS window_end
            FROM x GROUP BY party_key
            HAVING max(n) FILTER (WHERE filed_date >= $start) >= $min
        )
        SELECT h.party_key, h.cases_in_window, h.first_crossed, h.window_end,
               mode(c.adcode) AS adcode, count(DISTINCT c.adcode) AS districts,
               min(c.filed_date) AS first_filed
        FROM hit h JOIN c ON c.party_key = h.party_key
             AND c.filed_date > h.window_end - INTERVAL ($days) DAY AND c.filed_date <= h.window_end
        GROUP BY ALL ORDER BY h.cases_in_window DESC, h.party_key
    """
    args = {**{f"c{i}": v for i, v in enumerate(rule.causes)}, "end": end, "start": start,
            "days": rule.window_days, "min": rule.min_cases}
    df = con.execute(sql, args).df()
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    for col in ("first_crossed", "window_end", "first_filed"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["new"] = df["first_crossed"] >= start
    df["adcode"] = df["adcode"].astype(int)
    return df[COLUMNS]
