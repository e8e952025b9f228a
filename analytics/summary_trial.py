"""Summary tables ("trial cubes") of ``cases`` for the trial indicators, built by ``summary.refresh``.

Every indicator of ``analytics.indicators`` for a period of whole calendar months is a function of
a few monthly figures per combination of the filter dimensions; these tables hold them, so the
trial page reads a few thousand cube rows instead of scanning the case table. They are built in
the caller's transaction together with the map cubes (``analytics.summary``), recorded in
``summary_info`` with the grains ``trial`` and ``tdays``, and read under the same freshness guard.

One table family ``summary_t_*`` with a ``kind`` column (``m`` = year * 12 + month - 1):

* ``KIND_STOCK`` -- ``m`` a month end: ``n`` cases pending at its end (filed <= end, not closed
  by it), ``o12`` of them pending for more than ``OVERDUE_DAYS`` days (超12个月未结). Built from
  cumulative sums: +1 in the filing month, -1 in the month of greatest(closed, filed), so a case
  closed before it was filed (a data error) is never pending, as in the definition. 旧存 of a
  period is the stock at the end of the month before it, 未结 the stock at its last month end.
* ``KIND_FILED`` -- ``m`` the filing month: ``n`` cases filed (新收).
* ``KIND_CLOSED`` -- ``m`` the closing month: ``n`` every closed case (whether the group has cases
  in the period) and one column per closed-case ingredient of
  ``definitions.CLOSED_INGREDIENTS``, generated from its (aggregate, expression, condition):
  count -> a count, sum -> a sum, avg -> ``<name>__s`` and ``<name>__n`` (sum and count); the
  per-case attributes (statutory limit, the 执恢 remainder, cohort links) come from the reference
  query's own enrichment (``queries._enrich_ctes``) over the whole store.
* ``KIND_EVENT_FILED`` / ``KIND_EVENT_CLOSED`` -- ``m`` the month of an appeal's / petition's own
  filing or closing date, with the dimensions (and outcome) of the first instance it arises
  from: one column per ``definitions.EVENT_INGREDIENTS`` ingredient dated by that column, and
  ``n`` the events (whether a group has events in the period).

Stocks and intake ignore the 结案方式 filter, so their rows carry no outcome. Quantile ingredients
(median, p90 of days) are answered from ``summary_td_*``: per closing month and dimension cell,
the number of cases per integer value of the expression (days), an exact histogram, from which
``quantile_cont`` is reproduced exactly (no binning error).
"""

from __future__ import annotations

import re

import duckdb

from analytics.indicators import queries as q
from analytics.indicators.definitions import CLOSED_INGREDIENTS, EVENT_INGREDIENTS, OVERDUE_DAYS

KIND_STOCK, KIND_FILED, KIND_CLOSED, KIND_EVENT_FILED, KIND_EVENT_CLOSED = 0, 1, 2, 3, 4
EVENT_KIND = {"filed_date": KIND_EVENT_FILED, "closed_date": KIND_EVENT_CLOSED}

# (name, grain, dimensions besides kind/m); the first is the finest, the others are rolled up.
DIMS_FULL = ("adcode", "court_code", "category", "cause_group", "cause", "procedure", "outcome", "pending")
TRIAL_CUBES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summary_t_full", DIMS_FULL),
    ("summary_t_court", ("adcode", "court_code", "category", "procedure", "outcome", "pending")),
    ("summary_t_cause", ("adcode", "category", "cause_group", "cause", "outcome", "pending")),
    ("summary_t_small", ("adcode", "category", "outcome", "pending")),
)
# Duration histograms (closed cases satisfying a quantile ingredient's condition): no outcome, so
# with a 结案方式 filter the quantiles are counted from ``cases`` instead (exact as well).
DAYS_CUBES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summary_td_court", ("adcode", "court_code", "category", "procedure")),
    ("summary_td_full", ("adcode", "court_code", "category", "cause_group", "cause", "procedure")),
)
TRIAL_GRAIN, DAYS_GRAIN = "trial", "tdays"
# Day-level detail for periods that start or end inside a month (a store's last day is rarely a
# month end: the current year to date, its 同比 a year earlier, the 环比 before it): every closed
# case with its enriched attributes (sorted by closing date) and every appeal/petition event with
# its first instance's dimensions (sorted by date), read for the few days at a period's edges
# (``cubes``). Tagged with the summary's build id (``tag_details``); not listed in summary_info:
# a summary without them (an older store, one loaded from elsewhere) falls back to ``cases`` for
# such periods only.
CLOSED_DETAIL, EVENT_DETAIL, ERR_DETAIL = "summary_t_closed", "summary_t_events", "summary_t_errdays"
DETAIL_TABLES = (CLOSED_DETAIL, EVENT_DETAIL, ERR_DETAIL)
SPAN_TABLE = "summary_t_span"
# Cases closed before they were filed (data errors), by closing and filing month: the reference
# counts such a case as relevant to a period lying between the two dates (it lists its group).
ERR_TABLE = "summary_t_err"
_CODED = ("court_code", "category", "cause_group", "cause", "procedure", "outcome")
_STOCK_DIMS = ("adcode", "court_code", "category", "cause_group", "cause", "procedure")


def closed_measures() -> list[tuple[str, str, str, str]]:
    """(column, ingredient, part, SQL aggregate over the enriched relation ``x``) of KIND_CLOSED.

    part is 'value' (counts and sums), 'sum' or 'count' (the two halves of an average).
    """
    out = []
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        flt = f"FILTER (WHERE {cond})"
        if agg == "count":
            out.append((name, name, "value", f"count(*) {flt}"))
        elif agg == "sum":
            out.append((name, name, "value", f"sum({expr}) {flt}"))
        elif agg == "avg":
            out.append((f"{name}__s", name, "sum", f"sum({expr}) {flt}"))
            out.append((f"{name}__n", name, "count", f"count({expr}) {flt}"))
    return out


def quantile_groups() -> list[tuple[str, str, list[tuple[str, float]]]]:
    """Distinct (expression, condition) of the quantile ingredients and their (name, q) each."""
    groups: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        if agg in ("median", "p90"):
            groups.setdefault((expr, cond), []).append((name, 0.5 if agg == "median" else 0.9))
    return [(e, c, v) for (e, c), v in groups.items()]


def measure_columns() -> list[str]:
    """Every measure column of the trial cubes, in table order."""
    return ["n", "o12", *(c for c, *_ in closed_measures()), *EVENT_INGREDIENTS]


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the trial cubes."""
    for name, _ in (*TRIAL_CUBES, *DAYS_CUBES):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"DROP TABLE IF EXISTS {SPAN_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {ERR_TABLE}")
    for name in DETAIL_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def tag_details(con: duckdb.DuckDBPyConnection, build: str) -> None:
    """Record the summary's build id on the detail tables (``summary.refresh``, after ``build``)."""
    if not build.isalnum():
        raise ValueError(f"unexpected build id {build!r}")
    for name in DETAIL_TABLES:
        con.execute(f"COMMENT ON TABLE {name} IS '{build}'")


def detail_columns() -> list[str]:
    """Columns of the enriched relation ``x`` that the closed-case measures and quantiles read."""
    text = " ".join(f"{e} {c}" for _a, e, c in CLOSED_INGREDIENTS.values())
    words = set(re.findall(r"(?<![$\w])[a-z_][a-z0-9_]*", text))
    return sorted(words & _X_COLUMNS)


# Per-case columns of ``x`` (queries._enrich_ctes) that an ingredient may read; the dimensions and
# dates are stored anyway.
_X_COLUMNS = frozenset({
    "proc", "cat", "tcode", "outc", "days", "amount", "amount_recovered", "eff_amount", "eff_recovered",
    "lim_known", "lim_ok", "fi_challenged", "fi_appealed", "fi_reversed", "is_resumed_linked", "track",
    "type_code", "plaintiff_kind", "defendant_kind", "defendant_industry",
})


def _used(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters ``sql`` refers to as ``$name`` (DuckDB refuses unused ones)."""
    names = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    return {k: v for k, v in params.items() if k in names}


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    con.execute(sql, _used(sql, params))


def _month(col: str) -> str:
    return f"(year({col}) * 12 + month({col}) - 1)"


def build(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, tuple[str, ...]]]:
    """Build the trial cubes from ``cases``; returns (name, grain, dims) of each table built."""
    drop(con)
    params = q._vocab_params()
    codes = ", ".join(f"enum_code({d})::INTEGER AS {d}" for d in _CODED)
    con.execute(
        f"""CREATE TABLE {SPAN_TABLE} AS
            SELECT min(filed_date) AS first_day, greatest(max(filed_date), max(closed_date)) AS last_day
            FROM cases"""
    )
    # Cases closed before they were filed, by day (the detail) and by month (one scan of cases).
    con.execute(
        f"""CREATE TABLE {ERR_DETAIL} AS
            SELECT closed_date AS dc, filed_date AS df, adcode, {codes}, count(*)::BIGINT AS n
            FROM cases WHERE closed_date < filed_date GROUP BY ALL""")
    coded = ", ".join(_CODED)
    con.execute(
        f"""CREATE TABLE {ERR_TABLE} AS
            SELECT {_month("dc")}::SMALLINT AS mc, {_month("df")}::SMALLINT AS mf, adcode, {coded},
                   sum(n)::BIGINT AS n
            FROM {ERR_DETAIL} GROUP BY ALL"""
    )
    (last,) = con.execute(f"SELECT {_month('last_day')} FROM {SPAN_TABLE}").fetchone()  # type: ignore[misc]
    full = TRIAL_CUBES[0][0]
    if last is None:  # an empty store: empty cubes
        last = 0
    maxm = int(last)
    sdims = ", ".join(_STOCK_DIMS)
    scodes = ", ".join(f"enum_code({d})::INTEGER AS {d}" if d in _CODED else d for d in _STOCK_DIMS)
    measures = closed_measures()
    closed_cols = ",\n               ".join(f"{sql} AS {col}" for col, _n, _p, sql in measures)
    ev_parts = []
    for col, kind in EVENT_KIND.items():
        counts = ", ".join(
            (f"count(*) FILTER (WHERE {cond})" if dcol == col else "NULL::BIGINT") + f" AS {name}"
            for name, (dcol, cond) in EVENT_INGREDIENTS.items())
        ev_parts.append(
            f"""SELECT {kind}::TINYINT AS kind, {_month("ev0." + col)}::SMALLINT AS m,
                       fo.adcode, fo.court_code, fo.category, fo.cause_group, fo.cause, fo.procedure,
                       fo.outcome, fo.pending, count(*) AS n, {counts}
                FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no
                WHERE ev0.{col} IS NOT NULL GROUP BY ALL""")
    src = (f"SELECT {q.CASE_COLS}, closed_date IS NOT NULL AS is_closed, true AS in_out, "
           "closed_date - filed_date AS days FROM cases")
    # The reference query's per-case enrichment of every closed case, once for both families.
    _run(con, f"""CREATE TEMP TABLE _t_x AS WITH s AS ({src}), {q._enrich_ctes("s", "NULL", "is_closed")}
                  SELECT * EXCLUDE (case_no, origin_case_no) FROM x WHERE is_closed""", params)
    ev_ctes = f"""
        ev0 AS (SELECT origin_case_no, procedure::VARCHAR AS proc, outcome::VARCHAR AS outc,
                       filed_date, closed_date
                FROM cases
                WHERE list_contains($challenge, procedure::VARCHAR) AND origin_case_no IS NOT NULL),
        fo AS (SELECT case_no AS fo_no, adcode, {codes}, closed_date IS NULL AS pending
               FROM cases
               WHERE procedure::VARCHAR = $first AND case_no IN (SELECT origin_case_no FROM ev0))"""
    sql = f"""
        CREATE TABLE {full} AS
        WITH x AS (SELECT * FROM _t_x),
        pairs AS (SELECT {scodes}, {_month("filed_date")} AS fm,
                         CASE WHEN closed_date IS NOT NULL
                              THEN {_month("greatest(filed_date, closed_date)")} END AS gm,
                         count(*) AS n
                  FROM cases GROUP BY ALL),
        delta AS (SELECT {sdims}, m, sum(d) AS d FROM (
                      SELECT {sdims}, fm AS m, n AS d FROM pairs
                      UNION ALL SELECT {sdims}, gm AS m, -n AS d FROM pairs WHERE gm IS NOT NULL)
                  GROUP BY ALL),
        run AS (SELECT {sdims}, m, sum(d) OVER w AS p, coalesce(lead(m) OVER w, {maxm + 1}) AS nxt
                FROM delta WINDOW w AS (PARTITION BY {sdims} ORDER BY m)),
        stock AS (SELECT {sdims}, unnest(range(m::BIGINT, nxt::BIGINT)) AS m, p AS n FROM run WHERE p <> 0),
        long_ AS (SELECT {scodes}, {_month(f"filed_date + {OVERDUE_DAYS + 1}")}::BIGINT AS m0,
                         CASE WHEN closed_date IS NULL THEN {maxm + 1}
                              ELSE {_month("closed_date")} END::BIGINT AS m1
                  FROM cases
                  WHERE closed_date IS NULL OR closed_date - filed_date > {OVERDUE_DAYS}),
        over_ AS (SELECT {sdims}, m, count(*) AS o12
                  FROM (SELECT {sdims}, unnest(range(m0, m1)) AS m FROM long_ WHERE m0 < m1)
                  GROUP BY ALL),
        {ev_ctes}
        SELECT {KIND_STOCK}::TINYINT AS kind, m::SMALLINT AS m, {sdims}, NULL::INTEGER AS outcome,
               NULL::BOOLEAN AS pending, n::BIGINT AS n, 0::BIGINT AS o12
        FROM stock
        UNION ALL BY NAME
        SELECT {KIND_STOCK}::TINYINT AS kind, m::SMALLINT AS m, {sdims}, NULL::INTEGER AS outcome,
               NULL::BOOLEAN AS pending, 0::BIGINT AS n, o12::BIGINT AS o12
        FROM over_
        UNION ALL BY NAME
        SELECT {KIND_FILED}::TINYINT AS kind, fm::SMALLINT AS m, {sdims}, NULL::INTEGER AS outcome,
               NULL::BOOLEAN AS pending, sum(n)::BIGINT AS n
        FROM pairs GROUP BY ALL
        UNION ALL BY NAME
        SELECT {KIND_CLOSED}::TINYINT AS kind, {_month("closed_date")}::SMALLINT AS m, adcode, {codes},
               false AS pending, count(*) AS n,
               {closed_cols}
        FROM x WHERE is_closed GROUP BY ALL
        UNION ALL BY NAME
        {" UNION ALL BY NAME ".join(ev_parts)}"""
    _run(con, sql, params)
    # A fixed column order (UNION BY NAME orders by first appearance); integer measures as BIGINT
    # (DuckDB sums integers into HUGEINT, slow to aggregate again and to fetch).
    types = {str(n): str(t) for n, t, *_ in con.execute(f"DESCRIBE {full}").fetchall()}
    floats = {c for c in measure_columns() if types[c] in ("DOUBLE", "FLOAT")}

    def typed(expr: str, col: str) -> str:
        return f"{expr}::{'DOUBLE' if col in floats else 'BIGINT'} AS {col}"

    cols = ", ".join(("kind", "m", *DIMS_FULL, *(typed(c, c) for c in measure_columns())))
    # Sorted by cause: the finest cube is chosen when a query needs a cause with a court, procedure
    # or outcome, and a one-cause filter then reads a few row groups (zone maps).
    con.execute(f"CREATE TABLE _t_tmp AS SELECT {cols} FROM {full} ORDER BY cause_group, cause, kind, m")
    con.execute(f"DROP TABLE {full}")
    con.execute(f"ALTER TABLE _t_tmp RENAME TO {full}")
    built: list[tuple[str, str, tuple[str, ...]]] = [(full, TRIAL_GRAIN, DIMS_FULL)]
    sums = ", ".join(typed(f"sum({c})", c) for c in measure_columns())
    for name, dims in TRIAL_CUBES[1:]:
        keys = ", ".join(("kind", "m", *dims))
        order = "cause_group, cause, kind, m" if "cause" in dims else "kind, m, adcode"
        con.execute(f"CREATE TABLE {name} AS SELECT {keys}, {sums} FROM {full} GROUP BY ALL ORDER BY {order}")
        built.append((name, TRIAL_GRAIN, dims))
    # Exact duration histograms, one per distinct (expression, condition) of the quantiles.
    hists = []
    for i, (expr, cond, _names) in enumerate(quantile_groups()):
        hists.append(f"""SELECT {i} AS q, {_month("closed_date")}::SMALLINT AS m, adcode, {codes},
                                ({expr})::BIGINT AS v, count(*)::BIGINT AS n
                         FROM x WHERE is_closed AND ({cond}) AND ({expr}) IS NOT NULL GROUP BY ALL""")
    if hists:
        _run(con, f"CREATE TEMP TABLE _td AS WITH x AS (SELECT * FROM _t_x) {' UNION ALL '.join(hists)}",
             params)
        for name, dims in DAYS_CUBES:
            keys = ", ".join(("q", "m", *dims, "v"))
            order = "cause_group, cause, m" if "cause" in dims else "m, adcode"
            con.execute(f"CREATE TABLE {name} AS SELECT {keys}, sum(n)::BIGINT AS n FROM _td "
                        f"GROUP BY ALL ORDER BY {order}")
            built.append((name, DAYS_GRAIN, dims))
        con.execute("DROP TABLE _td")
    _build_details(con, codes, ev_ctes, params)
    con.execute("DROP TABLE _t_x")
    return built


def kept_expr(col: str) -> str:
    """``col`` where an ingredient reading it may count the row, else NULL (amounts take no space).

    Rows on which every ingredient mentioning ``col`` has a false condition never contribute it;
    the condition stays false with NULL there unless it tests for NULL, which is refused here.
    Used for the DOUBLE columns of ``CLOSED_DETAIL`` (here and in the Spark build).
    """
    word = re.compile(rf"(?<![$\w]){col}(?!\w)")
    conds = list(dict.fromkeys(c for _a, e, c in CLOSED_INGREDIENTS.values() if word.search(f"{e} {c}")))
    if not conds or any(re.search(r"IS\s+NULL|coalesce|ifnull", c, re.IGNORECASE) for c in conds):
        return col
    return f"CASE WHEN {' OR '.join(f'({c})' for c in conds)} THEN {col} END"


def _build_details(con: duckdb.DuckDBPyConnection, codes: str, ev_ctes: str, params: dict[str, object]) -> None:
    """The closed-case and event detail tables from ``_t_x`` and ``cases``."""
    types = {str(n): str(t) for n, t, *_ in con.execute("DESCRIBE _t_x").fetchall()}
    extra = ", ".join(f"{kept_expr(c)} AS {c}" if types.get(c) == "DOUBLE" else c for c in detail_columns())
    _run(con, f"""CREATE TABLE {CLOSED_DETAIL} AS
                  SELECT closed_date, filed_date, adcode, {codes}, false AS pending, {extra}
                  FROM _t_x ORDER BY closed_date""", params)
    kinds = " UNION ALL ".join(
        f"""SELECT {kind}::TINYINT AS kind, ev0.{col} AS d, fo.adcode, fo.court_code, fo.category,
                   fo.cause_group, fo.cause, fo.procedure, fo.outcome, fo.pending, ev0.proc, ev0.outc
            FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no WHERE ev0.{col} IS NOT NULL"""
        for col, kind in EVENT_KIND.items())
    _run(con, f"CREATE TABLE {EVENT_DETAIL} AS WITH {ev_ctes} SELECT * FROM ({kinds}) ORDER BY d", params)
    # (ERR_DETAIL is built first, in ``build``: the month table is rolled up from it)
