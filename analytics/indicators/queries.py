"""SQL strategies computing every indicator ingredient: per group, per month, and per compared period.

The aggregates are generated from the ingredient tables in ``definitions`` (one definition, three
strategies), so the strategies cannot drift apart; ratios are evaluated in Python from the catalogue.

* ``_summary_sql_reference`` -- one scan of the cases relevant to the period, grouped by court or
  district (or not at all): the definitional query;
* ``_monthly_sql`` -- every month of a period without repeating cases per month (running stocks);
* ``_compare_sql`` -- several periods (current, 同比, 环比) from one materialised relation.

Cases linked to a first instance through ``origin_case_no`` (appeals, retrial petitions) are
looked up in the *whole* store, unfiltered: an appeal is heard by the intermediate court. The flow
basis counts them by their own date in the period; the cohort basis follows the period's first
instances to links filed whenever (complete only once the windows have closed, see
``definitions.COHORT_WINDOW_DAYS``).

``summary``, ``compare`` and ``monthly_trend`` first ask the trial cubes (``cubes``, built with the
map's summary by ``analytics.summary.refresh``): for any period up to the data's last month and
filters a cube holds, with a current summary, they return the same ingredients (the oracle tests check
equality with these queries and with an independent pandas implementation); otherwise these
queries run. They stay the definition.

All SQL is parameterised: user values and vocabulary constants travel as parameters, and the only
identifiers spliced into SQL come from fixed whitelists in this package.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from analytics import schema, sqlgen
from analytics.filters import CaseFilter
from analytics.indicators import cubes
from analytics.indicators._values import _missing, _nullable, _objects
from analytics.indicators.definitions import (
    CLOSED_INGREDIENTS,
    EVENT_INGREDIENTS,
    GROUP_BY,
    INDICATORS,
    LABELS,
    VOCAB_PARAMS,
    clearance_ratio,
    closure_rate,
    ratio,
)
from analytics.indicators.periods import _as_date, _check_period, _month_end, comparison_periods, month_starts
from analytics.indicators.presentation import _court_order, _district_order, court_name, district_name
from analytics.indicators.ratios import (  # noqa: F401  (_COUNT_COLS, _RAW_COLS: used by tests and callers)
    _COUNT_COLS,
    _RAW_COLS,
    _STAT_COLS,
    _SUM_COLS,
    _add_ratios,
    _empty_counts,
    _indicator_columns,
    _indicator_values,
    _open_window,
    _raw_cols,
    _typed,
    _typed_values,
)
from analytics.summary import Info, _strings
from analytics.summary import info as summary_info  # (``summary`` is this module's indicator table)

# --- parameters and filters ----------------------------------------------------------------------


def _limit_table() -> dict[str, list[object]]:
    """schema.STATUTORY_LIMITS as parallel lists (passed to SQL as parameters)."""
    items = list(schema.STATUTORY_LIMITS.items())
    return {"lim_type": [k[0] for k, _ in items], "lim_qual": [k[1] for k, _ in items],
            "lim_n": [v[0] for _, v in items], "lim_unit": [v[1] for _, v in items]}


def _vocab_params() -> dict[str, object]:
    """Vocabulary constants and the statutory-limit table, as query parameters."""
    return {**VOCAB_PARAMS, **_limit_table(), "against_judgment": schema.APPEAL_AGAINST_JUDGMENT,
            "against_ruling": schema.APPEAL_AGAINST_RULING}


def _where_parts(flt: CaseFilter) -> tuple[str, str, dict[str, object]]:
    """(predicate without the 结案方式 filter, the 结案方式 predicate, parameters).

    The 结案方式 filter selects closed cases only; stocks and intake ignore it.
    """
    where, params = flt.with_(outcomes=()).where_named("f", years=False)
    if not flt.outcomes:
        return where, "TRUE", params
    only_outcomes = CaseFilter(year_from=flt.year_from, year_to=flt.year_to, outcomes=flt.outcomes)
    out_pred, out_params = only_outcomes.where_named("o", years=False)
    return where, out_pred, {**params, **out_params}


# --- SQL building blocks ---------------------------------------------------------------------

# A case is *relevant* to [p_start, p_end] when it counts in any of the four figures. For valid
# data (closed >= filed) that is filed <= end AND (closed IS NULL OR closed >= start); the
# lo/hi form also keeps a case closed before it was filed (a data error) when either date falls
# in the period, so the counts stay exactly their definitions.
_LO = "greatest($start, least(filed_date, coalesce(closed_date, filed_date)))"
_HI = "least($end, greatest(filed_date, coalesce(closed_date, $end)))"

_FLAGS = """
    coalesce(filed_date < p_start AND (closed_date IS NULL OR closed_date >= p_start), false) AS is_ps,
    coalesce(filed_date BETWEEN p_start AND p_end, false) AS is_new,
    coalesce(closed_date BETWEEN p_start AND p_end, false) AS is_closed,
    coalesce(filed_date <= p_end AND (closed_date IS NULL OR closed_date > p_end), false) AS is_pe,
    closed_date - filed_date AS days"""

CASE_COLS = """case_no, court_code, adcode, category, procedure, type_code, track, cause_group, cause,
              outcome, filed_date, closed_date, amount, amount_recovered, origin_case_no, plaintiff_kind,
              defendant_kind, defendant_industry"""


def _base_sql(flt: CaseFilter) -> tuple[str, dict[str, object]]:
    """SELECT of the cases relevant to [$start, $end] with p_start/p_end, the four flags and in_out.

    ``in_out``: the case passes the 结案方式 filter (which applies to closed cases only).
    """
    where, out_pred, params = _where_parts(flt)
    bounded = f"""
        SELECT {CASE_COLS}, ({out_pred}) AS in_out, NULL::DATE AS month, $start AS p_start, $end AS p_end
        FROM cases WHERE ({where}) AND {_LO} <= {_HI}"""
    return f"SELECT *, {_FLAGS} FROM ({bounded})", params


_STOCK_AGGREGATES = """
    count(*) FILTER (WHERE is_ps) AS pending_start,
    count(*) FILTER (WHERE is_new) AS filed,
    count(*) FILTER (WHERE is_pe) AS pending_end,
    count(*) FILTER (WHERE is_pe AND p_end - filed_date > $overdue) AS over_12m_pending"""


def _closed_aggregates() -> str:
    """The closed-case ingredients (definitions.CLOSED_INGREDIENTS) as aggregates over ``x``."""
    parts = []
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        flt = f"FILTER (WHERE is_closed AND in_out AND ({cond}))"
        sql = {
            "count": f"count(*) {flt}",
            "sum": f"coalesce(sum({expr}) {flt}, 0)",
            "avg": f"avg({expr}) {flt}",
            "median": f"quantile_cont({expr}, 0.5) {flt}",
            "p90": f"quantile_cont({expr}, 0.9) {flt}",
        }[agg]
        parts.append(f"{sql} AS {name}")
    return ",\n    ".join(parts)


def _event_aggregates(p_start: str, p_end: str) -> str:
    """The flow-basis appeal ingredients (definitions.EVENT_INGREDIENTS) over ``ev`` for one period."""
    return ",\n    ".join(
        f"count(*) FILTER (WHERE {col} BETWEEN {p_start} AND {p_end} AND ({cond})) AS {name}"
        for name, (col, cond) in EVENT_INGREDIENTS.items())


def _event_scalars(p_start: str, p_end: str) -> str:
    """The flow-basis appeal ingredients as scalar subqueries over ``ev`` (one row even when empty)."""
    return ",\n    ".join(
        f"(SELECT count(*) FILTER (WHERE {col} BETWEEN {p_start} AND {p_end} AND ({cond})) FROM ev) AS {name}"
        for name, (col, cond) in EVENT_INGREDIENTS.items())


def _enrich_ctes(source: str, key: str, closed_cond: str) -> str:
    """CTEs ``lim``, ``org``, ``links``, ``x0``, ``x``: the per-case attributes of the ingredients.

    ``source`` is a relation of cases with is_closed/in_out; ``closed_cond`` selects its rows whose
    origin or cohort links are needed (cases closed in the period(s)). ``x`` adds: proc, cat, tcode,
    outc (text), the statutory limit (lim_known, lim_ok), eff_amount/eff_recovered and the cohort
    flags fi_challenged/fi_appealed/fi_reversed, and ``grp`` = ``key``. The DuckDB rendering of
    ``sqlgen.enrich_ctes``, which the trial cubes share (with Spark).
    """
    return sqlgen.enrich_ctes(sqlgen.DUCKDB, source, key, closed_cond)


def _event_ctes(where: str, out_pred: str, lo: str, hi: str) -> str:
    """CTEs ``ev0`` (appeals, petitions and retrials filed or closed within [lo, hi]), ``fo`` (their
    first instances that pass the whole filter, filed whenever) and ``ev`` (the former attributed to
    the first instance's court and district). The small ``ev0`` drives the lookup of ``fo``."""
    return f"""
        ev0 AS (
            SELECT origin_case_no, procedure::VARCHAR AS proc, outcome::VARCHAR AS outc, filed_date, closed_date
            FROM cases
            WHERE list_contains($challenge, procedure::VARCHAR) AND origin_case_no IS NOT NULL
              AND (filed_date BETWEEN {lo} AND {hi} OR closed_date BETWEEN {lo} AND {hi})),
        fo AS (SELECT case_no AS fo_no, court_code::VARCHAR AS fo_court, adcode AS fo_adcode
               FROM cases
               WHERE ({where}) AND ({out_pred}) AND procedure::VARCHAR = $first
                 AND case_no IN (SELECT origin_case_no FROM ev0)),
        ev AS (SELECT ev0.*, fo.fo_court, fo.fo_adcode FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no)"""


# Whitelisted group keys -> SQL expression over the base relation, and over ``ev``.
_GROUP_SQL: dict[str | None, str] = {
    None: "NULL",
    "court_code": "court_code::VARCHAR",
    "adcode": "adcode",
    "month": "month",
}
_EVENT_GROUP_SQL: dict[str | None, str] = {None: "NULL", "court_code": "fo_court", "adcode": "fo_adcode"}

def _summary_sql_reference(flt: CaseFilter, by: str | None) -> tuple[str, dict[str, object]]:
    """The definitional query: every ingredient per group (None, court_code, adcode) in one scan."""
    if by not in _EVENT_GROUP_SQL:
        raise ValueError(f"the reference query groups by {list(_EVENT_GROUP_SQL)}, not {by!r}")
    base, params = _base_sql(flt)
    where, out_pred, _ = _where_parts(flt)
    grouped = "GROUP BY grp" if by else ""
    sql = f"""
        WITH f AS MATERIALIZED ({base}),
        {_enrich_ctes("f", _GROUP_SQL[by], "is_closed AND in_out")},
        {_event_ctes(where, out_pred, "$start", "$end")},
        main AS (SELECT {"grp" if by else "NULL"} AS grp, {_STOCK_AGGREGATES}, {_closed_aggregates()}
                 FROM x {grouped}),
        evs AS (SELECT {"grp" if by else "NULL"} AS grp, {_event_aggregates("$start", "$end")}
                FROM (SELECT *, {_EVENT_GROUP_SQL[by]} AS grp FROM ev) {grouped})
        SELECT coalesce(main.grp, evs.grp) AS grp, main.* EXCLUDE (grp), evs.* EXCLUDE (grp)
        FROM main FULL JOIN evs ON main.grp IS NOT DISTINCT FROM evs.grp"""
    return sql, {**params, **_vocab_params()}


def _summary_sql(flt: CaseFilter, by: str | None) -> tuple[str, dict[str, object]]:
    """The summary query per group: one row per group (by month: one per month of the period)."""
    if by != "month":
        return _summary_sql_reference(flt, by)
    return _monthly_sql(flt)


def _monthly_sql(flt: CaseFilter) -> tuple[str, dict[str, object]]:
    """Every ingredient per calendar month of [$start, $end] without repeating cases per month.

    * closed-case figures: each case closed in the period is closed in exactly one month (that
      of its closed_date), so they are grouped by closing month;
    * 新收: grouped by filing month;
    * 旧存/未结: pending at day d = #(filed <= d) − #(greatest(closed, filed) <= d) (a case closed
      before it was filed is never pending), so 未结 of a month is the stock the day before
      ``$start`` plus the running sum of monthly filings minus monthly ``greatest`` closings, and
      旧存 of a month is the previous month's 未结;
    * 超12个月未结: only cases whose life exceeds 365 days can qualify; they are joined with the
      month ends they are overdue at;
    * flow-basis appeal events: joined with the month their own date falls in.
    Months are consecutive, so each month's p_end is the next month's p_start − 1 day.
    """
    where, out_pred, params = _where_parts(flt)
    closed_cols = [
        (f"coalesce(c.{n}, 0) AS {n}" if agg in ("count", "sum") else f"c.{n}")
        for n, (agg, _e, _c) in CLOSED_INGREDIENTS.items()
    ]
    event_cols = [f"coalesce(evs.{n}, 0) AS {n}" for n in EVENT_INGREDIENTS]
    sql = f"""
        WITH months AS (
            SELECT m AS grp, greatest(m, $start::DATE) AS p_start,
                   least((m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $end::DATE) AS p_end
            FROM (SELECT unnest(generate_series(date_trunc('month', $start::DATE),
                                                date_trunc('month', $end::DATE),
                                                INTERVAL 1 MONTH))::DATE AS m)),
        -- cases closed in the period (passing the 结案方式 filter), each in its closing month
        f AS MATERIALIZED (
            SELECT {CASE_COLS}, true AS is_closed, true AS in_out, closed_date - filed_date AS days,
                   date_trunc('month', closed_date)::DATE AS close_month
            FROM cases WHERE ({where}) AND ({out_pred}) AND closed_date BETWEEN $start AND $end),
        {_enrich_ctes("f", "close_month", "TRUE")},
        closed_agg AS (SELECT grp, {_closed_aggregates()} FROM x GROUP BY grp),
        {_event_ctes(where, out_pred, "$start", "$end")},
        evs AS (SELECT months.grp, {_event_aggregates("months.p_start", "months.p_end")}
                FROM months JOIN ev ON ev.filed_date BETWEEN months.p_start AND months.p_end
                                    OR ev.closed_date BETWEEN months.p_start AND months.p_end
                GROUP BY months.grp),
        -- stock and intake (every outcome): cases filed by $end and not out before $start;
        -- fm = filing month (NULL: filed before $start), gm = month of greatest(closed, filed)
        -- (NULL: still pending at $end; greatest() skips NULLs, hence the IS NOT NULL)
        pairs AS (
            SELECT CASE WHEN filed_date >= $start
                        THEN date_trunc('month', filed_date)::DATE END AS fm,
                   CASE WHEN closed_date IS NOT NULL AND greatest(filed_date, closed_date) <= $end
                        THEN date_trunc('month', greatest(filed_date, closed_date))::DATE END AS gm,
                   count(*) AS n
            FROM cases
            WHERE ({where}) AND filed_date <= $end
              AND (closed_date IS NULL OR greatest(filed_date, closed_date) >= $start)
            GROUP BY ALL),
        fl AS (SELECT fm AS grp, sum(n) AS nf FROM pairs WHERE fm IS NOT NULL GROUP BY fm),
        gl AS (SELECT gm AS grp, sum(n) AS ng FROM pairs WHERE gm IS NOT NULL GROUP BY gm),
        stock AS (
            SELECT months.grp, coalesce(fl.nf, 0) AS filed, coalesce(gl.ng, 0) AS out_,
                   (SELECT coalesce(sum(n), 0) FROM pairs WHERE fm IS NULL)
                   + sum(coalesce(fl.nf, 0) - coalesce(gl.ng, 0)) OVER (ORDER BY months.grp)
                       AS pending_end
            FROM months LEFT JOIN fl ON fl.grp = months.grp LEFT JOIN gl ON gl.grp = months.grp),
        -- cases that can be pending for more than $overdue days at some day of the period
        long AS (
            SELECT filed_date, coalesce(closed_date, $end::DATE + 1) AS until_
            FROM cases
            WHERE ({where}) AND filed_date + $overdue < $end
              AND (closed_date IS NULL OR (closed_date - filed_date > $overdue
                                           AND closed_date > $start))),
        overdue AS (
            SELECT months.grp, count(*) AS over_12m_pending
            FROM months JOIN long
              ON long.filed_date + $overdue < months.p_end AND long.until_ > months.p_end
            GROUP BY months.grp)
        SELECT months.grp,
               (stock.pending_end - stock.filed + stock.out_)::BIGINT AS pending_start,
               stock.filed::BIGINT AS filed,
               stock.pending_end::BIGINT AS pending_end,
               coalesce(overdue.over_12m_pending, 0) AS over_12m_pending,
               {", ".join(closed_cols)},
               {", ".join(event_cols)}
        FROM months
        LEFT JOIN stock ON stock.grp = months.grp
        LEFT JOIN closed_agg c ON c.grp = months.grp
        LEFT JOIN overdue ON overdue.grp = months.grp
        LEFT JOIN evs ON evs.grp = months.grp
        ORDER BY months.grp"""
    return sql, {**params, **_vocab_params()}


def _from_cubes(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date, by: str | None
) -> cubes.RawColumns | None:
    """The raw ingredients ``summary`` reads from its SQL, answered from the trial cubes (or None);
    by month one row per calendar month of the period (keys: the months' first days)."""
    if by != "month":
        got = cubes.raw_ingredients(con, flt, [(s, e)], by, frame=False)
        return got if isinstance(got, cubes.RawColumns) else None
    # each calendar month of the period, the first and last cut to the period's days
    months = [(max(m, s), min(_month_end(m.year, m.month), e)) for m in month_starts(s, e)]
    got = cubes.raw_ingredients(con, flt, months, None, frame=False)
    if not isinstance(got, cubes.RawColumns):
        return None
    return cubes.RawColumns(got.pi, [months[i][0].replace(day=1) for i in got.pi.tolist()], got.cols, got.data_end)


def _display_rank(by: str | None, keys: Sequence[object]) -> list[int]:
    """Positions of ``keys`` in display order: courts and districts in their fixed order (unknown
    ones after, by value), anything else as it comes."""
    order = _court_order() if by == "court_code" else _district_order() if by == "adcode" else None
    if order is None:
        return list(range(len(keys)))
    return sorted(range(len(keys)), key=lambda i: (order.get(keys[i], len(order)), keys[i]))  # type: ignore[arg-type]


def _summary_from_columns(raw: cubes.RawColumns, s: dt.date, e: dt.date, by: str | None) -> pd.DataFrame:
    """``summary``'s frame from the cubes' ingredient columns: the groups in display order (months
    in order, each cut to the period), every indicator by ``ratios._indicator_values``; one frame made."""
    n = len(raw.keys)
    rank = _display_rank(by, raw.keys)
    idx = np.array(rank, dtype="int64")
    keys = [raw.keys[i] for i in rank]
    typed = {c: v[idx] for c, v in _typed_values(raw.cols).items()}
    cols: dict[str, object] = {}
    if by == "month":
        spans = [(max(m, s), min(_month_end(m.year, m.month), e)) for m in keys]  # type: ignore[union-attr]
        cols["month"] = [pd.Timestamp(m) for m in keys]  # type: ignore[arg-type]
        cols["period_start"] = [pd.Timestamp(a) for a, _b in spans]
        cols["period_end"] = [pd.Timestamp(b) for _a, b in spans]
    else:
        spans = [(s, e)] * n
        if by == "court_code":
            cols["court_code"] = _strings(np.array(keys, dtype=object))
            cols["court_name"] = [court_name(c) for c in keys]
        elif by == "adcode":
            cols["adcode"] = pd.array(keys, dtype="Int64")
            cols["district_name"] = [district_name(a) for a in keys]
        ts, te = pd.Timestamp(s), pd.Timestamp(e)
        cols["period_start"] = pd.Series([ts] * n, dtype=f"datetime64[{ts.unit}]")
        cols["period_end"] = pd.Series([te] * n, dtype=f"datetime64[{te.unit}]")
    values = _indicator_values(typed, [(b - a).days + 1 for a, b in spans],
                               [_open_window(b, raw.data_end) for _a, b in spans])
    cols.update(_indicator_columns(values))
    out = pd.DataFrame(cols)
    out.attrs["data_end"] = raw.data_end
    return out


def data_span(con: duckdb.DuckDBPyConnection, inf: Info | None = None
              ) -> tuple[dt.date | None, dt.date | None]:
    """(first filing date, last filing-or-closing date) in the whole store (recorded with the summary;
    ``inf``: its description when the caller has just read it)."""
    recorded = cubes.span(con, inf)
    if recorded is not None:
        return (None if recorded[0] is None else _as_date(recorded[0]),
                None if recorded[1] is None else _as_date(recorded[1]))
    row = con.execute(
        "SELECT min(filed_date), greatest(max(filed_date), max(closed_date)) FROM cases"
    ).fetchone()
    if row is None or row[0] is None:
        return None, None
    return _as_date(row[0]), _as_date(row[1])


def summary(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    start: dt.date | str,
    end: dt.date | str,
    by: str | None = None,
) -> pd.DataFrame:
    """Every indicator for [start, end], one row per group (by: None, court_code, adcode, month)."""
    if by not in _GROUP_SQL:
        raise ValueError(f"unknown grouping {by!r}; choose from {GROUP_BY}")
    s, e = _check_period(start, end)
    got = _from_cubes(con, flt, s, e, by)
    if got is not None:  # the cubes' ingredients (the data's last day recorded with them, guarded)
        return _summary_from_columns(got, s, e, by)
    # no current summary, a filter no cube holds, or no day-level detail for the edge days
    sql, params = _summary_sql(flt, by)
    raw = con.execute(sql, {**params, "start": s, "end": e}).df()
    cols = list(INDICATORS)
    keys: list[str]
    if by is None:
        raw = raw.drop(columns="grp")
        raw.insert(0, "period_start", pd.Timestamp(s))
        raw.insert(1, "period_end", pd.Timestamp(e))
        keys = []
    elif by == "month":
        by_month = {pd.Timestamp(m).date(): r for m, r in zip(raw["grp"], raw.to_dict("records"), strict=True)}
        rows = []
        for m in month_starts(s, e):
            row = dict(by_month.get(m) or _empty_counts())
            row["month"] = pd.Timestamp(m)
            row["period_start"] = pd.Timestamp(max(m, s))
            row["period_end"] = pd.Timestamp(min(_month_end(m.year, m.month), e))
            rows.append(row)
        raw = pd.DataFrame(rows, columns=["month", "period_start", "period_end", *_raw_cols()])
        keys = ["month"]
    else:
        raw = raw.rename(columns={"grp": by})
        if by == "court_code":
            raw["court_name"] = [court_name(c) for c in raw["court_code"]]
            keys = ["court_code", "court_name"]
        else:
            raw["adcode"] = raw["adcode"].astype("Int64")
            raw["district_name"] = [district_name(a) for a in raw["adcode"].tolist()]
            keys = ["adcode", "district_name"]
        raw = raw.iloc[_display_rank(by, raw[by].tolist())]
        raw["period_start"] = pd.Timestamp(s)
        raw["period_end"] = pd.Timestamp(e)
    raw = _typed(raw.reset_index(drop=True))
    out = _add_ratios(raw, data_span(con)[1])
    return out[[*keys, "period_start", "period_end", *cols]]


def monthly_trend(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Per-month indicators (summary by month) plus period-to-date cumulative 结案率 and 结收比."""
    df = summary(con, flt, start, end, by="month")
    # 1-N月累计: the period's 旧存 is the first month's; flows add up across disjoint months.
    base = int(df["pending_start"].iloc[0]) if len(df) else 0
    df["cum_filed"] = df["filed"].cumsum().astype("int64")
    df["cum_closed"] = df["closed"].cumsum().astype("int64")
    df["cum_closure_rate"] = _nullable(
        [closure_rate(c, base, f) for c, f in zip(df["cum_closed"], df["cum_filed"], strict=True)]
    ).to_numpy()
    df["cum_clearance_ratio"] = _nullable(
        [clearance_ratio(c, f) for c, f in zip(df["cum_closed"], df["cum_filed"], strict=True)]
    ).to_numpy()
    return df


def _change(cur: float | None, base: float | None) -> tuple[float | None, float | None]:
    """(current − base, (current − base) / |base|); None where undefined."""
    if cur is None or base is None:
        return None, None
    diff = float(cur) - float(base)
    return diff, ratio(diff, abs(float(base)))


def _compare_sql(flt: CaseFilter, n: int) -> tuple[str, dict[str, object]]:
    """The summary ingredients of ``n`` periods ``$ps[i]..$pe[i]`` (grp = i) in one scan of ``cases``.

    The cases relevant to the hull [$hs, $he] are read and enriched (statutory limit, origins,
    cohort links) once and materialised; then each period selects its relevant cases from them
    (the ``_LO <= _HI`` test of ``_base_sql``), adds its flags and aggregates them, ungrouped, so
    per period the rows, flags and aggregates are exactly those of ``_summary_sql_reference(flt,
    None)``. The enrichment does not depend on the period: linked cases come from the whole store,
    and are looked up for the cases closed in any of the periods (the only rows they count for).
    """
    where, out_pred, params = _where_parts(flt)
    cols = ("case_no, procedure, category, type_code, track, outcome, filed_date, closed_date, amount, "
            "amount_recovered, origin_case_no")
    hull = f"{_LO.replace('$start', '$hs')} <= {_HI.replace('$end', '$he')}"
    closed_any = " OR ".join(f"closed_date BETWEEN $ps[{i + 1}] AND $pe[{i + 1}]" for i in range(n))
    branches = "\n        UNION ALL\n        ".join(
        f"""SELECT {i} AS grp, {_STOCK_AGGREGATES}, {_closed_aggregates()},
               {_event_scalars(f"$ps[{i + 1}]", f"$pe[{i + 1}]")}
        FROM (SELECT *, {_FLAGS} FROM (
            SELECT *, $ps[{i + 1}] AS p_start, $pe[{i + 1}] AS p_end FROM x
            WHERE {_LO.replace('$start', f'$ps[{i + 1}]')} <= {_HI.replace('$end', f'$pe[{i + 1}]')}))"""
        for i in range(n))
    sql = f"""
        WITH rel AS MATERIALIZED (
            SELECT {cols}, ({out_pred}) AS in_out, closed_date - filed_date AS days
            FROM cases WHERE ({where}) AND {hull}),
        {_enrich_ctes("rel", "NULL", f"in_out AND ({closed_any})")},
        {_event_ctes(where, out_pred, "$hs", "$he")}
        {branches}
        ORDER BY grp"""
    return sql, {**params, **_vocab_params()}


def _period_values(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, periods: Sequence[tuple[dt.date, dt.date]],
    inf: Info | None = None,
) -> list[dict[str, object]]:
    """``summary(con, flt, s, e).iloc[0].to_dict()`` for every (s, e), from one query (``inf``: the
    summary's description when the caller has just read it)."""
    distinct = list(dict.fromkeys(periods))  # 同比 and 环比 of a whole year are the same period
    if not distinct:
        return []
    if len(distinct) == 1:
        # one period (e.g. 同比 and 环比 before the data): the plain summary query is faster
        value = summary(con, flt, *distinct[0]).iloc[0].to_dict()
        return [value for _ in periods]
    got = cubes.raw_ingredients(con, flt, distinct, None, frame=False, inf=inf)
    if isinstance(got, cubes.RawColumns):  # one row per period, in order: no frame needed
        # the data's last day: recorded with the summary just read (guarded)
        values = _indicator_values(_typed_values(got.cols), [(e - s).days + 1 for s, e in distinct],
                                   [_open_window(e, got.data_end) for _s, e in distinct])
        by_period = {}
        for i, (s, e) in enumerate(distinct):
            row: dict[str, object] = {"period_start": pd.Timestamp(s), "period_end": pd.Timestamp(e)}
            row.update((name, v[i]) for name, v in values.items())
            by_period[(s, e)] = row
        return [by_period[p] for p in periods]
    sql, params = _compare_sql(flt, len(distinct))
    params.update({"ps": [s for s, _ in distinct], "pe": [e for _, e in distinct],
                   "hs": min(s for s, _ in distinct), "he": max(e for _, e in distinct)})
    raw = con.execute(sql, params).df()
    rows_by = {int(g): r for g, r in zip(raw["grp"], raw.to_dict("records"), strict=True)}
    rows = []
    for i, (s, e) in enumerate(distinct):
        row = dict(rows_by[i])  # ungrouped: one row per period, even an empty one
        row["period_start"] = pd.Timestamp(s)
        row["period_end"] = pd.Timestamp(e)
        rows.append(row)
    df = _typed(pd.DataFrame(rows, columns=["period_start", "period_end", *_raw_cols()]))
    out = _add_ratios(df, data_span(con)[1])
    out = out[["period_start", "period_end", *INDICATORS]]
    by_period = {p: out.iloc[i].to_dict() for i, p in enumerate(distinct)}
    return [by_period[p] for p in periods]


def compare(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Each indicator now, 同比 (a year earlier; spans up to a year) and 环比 (the preceding equal span).

    ``attrs["periods"]`` holds the three periods as ISO strings (``yoy`` None when 同比 does not
    apply, i.e. for a span longer than a year).
    """
    periods = comparison_periods(start, end)
    inf = summary_info(con)  # read once for the span and the periods
    first, _last = data_span(con, inf)
    # A comparison period reaching before the data begins would show false zeros.
    known = [name for name, p in periods.items() if p is not None and first is not None and p[0] >= first]
    got = _period_values(con, flt, [periods[name] for name in known], inf)  # type: ignore[misc]
    values: dict[str, dict[str, object]] = {name: {k: None for k in INDICATORS} for name in periods}
    values.update(zip(known, got, strict=True))
    return _compare_frame(periods, values)


def _compare_frame(
    periods: dict[str, tuple[dt.date, dt.date] | None], values: dict[str, dict[str, object]]
) -> pd.DataFrame:
    """The compare() table from each period's indicator values (floats, None where undefined)."""
    keys = list(INDICATORS)
    nums: dict[str, list[float | None]] = {c: [] for c in ("current", "yoy", "pop", "yoy_diff", "pop_diff",
                                                           "yoy_pct", "pop_pct")}
    for key in keys:
        cur, yoy, pop = (values[p][key] for p in ("current", "yoy", "pop"))
        cur, yoy, pop = (None if _missing(v) else float(v) for v in (cur, yoy, pop))  # type: ignore[arg-type]
        yoy_diff, yoy_pct = _change(cur, yoy)
        pop_diff, pop_pct = _change(cur, pop)
        for c, v in (("current", cur), ("yoy", yoy), ("pop", pop), ("yoy_diff", yoy_diff),
                     ("pop_diff", pop_diff), ("yoy_pct", yoy_pct), ("pop_pct", pop_pct)):
            nums[c].append(None if v is None or math.isnan(v) else v)
    cols: dict[str, object] = {"indicator": keys, "label": [LABELS[k] for k in keys],
                               "kind": [INDICATORS[k] for k in keys]}
    cols.update((c, _objects(v)) for c, v in nums.items())
    out = pd.DataFrame(cols)
    out.attrs["periods"] = {k: (None if p is None else (str(p[0]), str(p[1]))) for k, p in periods.items()}
    return out
