"""The dialect layer (analytics/sqlgen.py): each primitive rendered for DuckDB and Spark SQL, and the
shared templates rendered for DuckDB give what the hand-written DuckDB SQL they replaced gave.

The Spark renderings are executed (and compared cell for cell with the DuckDB build) by
tests/test_spark.py; here they are checked as text, without PySpark.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from analytics import sqlgen, summary, summary_index, summary_trial
from analytics.indicators import queries as q
from analytics.indicators.definitions import EVENT_INGREDIENTS, OVERDUE_DAYS
from analytics.sqlgen import DUCKDB, SparkDialect

PARAMS = {"first": "一审", "reversal": ["改判", "发回重审"], "n": 3, "q": "it's",
          "lim_type": ["民初", "民终"], "lim_qual": [None, "x"], "lim_n": [6, 3], "lim_unit": ["month", "day"]}
SPARK = SparkDialect(PARAMS)


@pytest.mark.parametrize(("call", "duck", "spark"), [
    (lambda d: d.cases, "cases", "coded"),
    (lambda d: d.param("first"), "$first", "'一审'"),
    (lambda d: d.param("q"), "$q", "'it\\'s'"),
    (lambda d: d.param("reversal"), "$reversal", "array('改判', '发回重审')"),
    (lambda d: d.expr("proc = $first AND list_contains($reversal, outc)"),
     "proc = $first AND list_contains($reversal, outc)",
     "proc = '一审' AND array_contains(array('改判', '发回重审'), outc)"),
    (lambda d: d.text("procedure"), "procedure::VARCHAR", "procedure"),
    (lambda d: d.code("cause"), "enum_code(cause)", "c_cause"),
    (lambda d: d.cast("x", "SMALLINT"), "CAST(x AS SMALLINT)", "CAST(x AS SMALLINT)"),
    (lambda d: d.cast("x", "VARCHAR"), "CAST(x AS VARCHAR)", "CAST(x AS STRING)"),
    (lambda d: d.null("BIGINT"), "CAST(NULL AS BIGINT)", "CAST(NULL AS BIGINT)"),
    (lambda d: d.month("closed_date"), "(year(closed_date) * 12 + month(closed_date) - 1)",
     "(year(closed_date) * 12 + month(closed_date) - 1)"),
    (lambda d: d.days("closed_date", "filed_date"), "closed_date - filed_date",
     "CAST(datediff(closed_date, filed_date) AS BIGINT)"),
    (lambda d: d.add_days("filed_date", 366), "filed_date + 366", "date_add(filed_date, 366)"),
    (lambda d: d.add_months("filed_date", "n"), "filed_date + to_months(n)", "add_months(filed_date, n)"),
    (lambda d: d.explode_range("m0", "m1"), "unnest(range(m0::BIGINT, m1::BIGINT))", "explode(sequence(m0, m1 - 1))"),
    (lambda d: d.list_contains("$l", "x"), "list_contains($l, x)", "array_contains($l, x)"),
    (lambda d: d.double(0), "0", "0D"),
    (lambda d: d.param_table((("l_type", "lim_type", "VARCHAR"), ("l_qual", "lim_qual", "VARCHAR"),
                              ("l_n", "lim_n", "INTEGER"))),
     "SELECT unnest($lim_type::VARCHAR[]) AS l_type, unnest($lim_qual::VARCHAR[]) AS l_qual, "
     "unnest($lim_n::INTEGER[]) AS l_n",
     "SELECT * FROM VALUES ('民初', CAST(NULL AS STRING), 6), ('民终', 'x', 3) AS t(l_type, l_qual, l_n)"),
    (lambda d: d.star_except(("case_no", "origin_case_no")), "* EXCLUDE (case_no, origin_case_no)", "*"),
    (lambda d: d.group_by(["a", "CAST(b AS INTEGER)"]), "GROUP BY ALL", "GROUP BY a, CAST(b AS INTEGER)"),
    (lambda d: d.order_by("m, adcode"), "ORDER BY m, adcode", ""),
])
def test_primitives(call, duck: str, spark: str) -> None:
    assert call(DUCKDB) == duck
    assert call(SPARK) == spark


def test_union_by_name_and_helpers() -> None:
    assert DUCKDB.union_by_name(["SELECT 1 AS a", "SELECT 2 AS b"]) == \
        "SELECT 1 AS a\nUNION ALL BY NAME\nSELECT 2 AS b"
    with pytest.raises(NotImplementedError):  # the Spark adapter unions DataFrames by name
        SPARK.union_by_name(["SELECT 1 AS a"])
    items = [("CAST(x AS SMALLINT)", "m"), ("adcode", "adcode"), "count(*) AS n"]
    assert sqlgen.grouped(DUCKDB, items, "t", "y > 0") == \
        "SELECT CAST(x AS SMALLINT) AS m, adcode, count(*) AS n FROM t WHERE y > 0 GROUP BY ALL"
    assert sqlgen.grouped(SPARK, items, "t", having="count(*) > 1") == \
        "SELECT CAST(x AS SMALLINT) AS m, adcode, count(*) AS n FROM t GROUP BY CAST(x AS SMALLINT), adcode " \
        "HAVING count(*) > 1"
    assert sqlgen.with_ctes([("a", "SELECT 1"), ("b", "SELECT 2")], "SELECT 3") == \
        "WITH a AS (SELECT 1),\nb AS (SELECT 2)\nSELECT 3"
    with pytest.raises(KeyError):
        SPARK.param("nope")


def test_spark_renderings_have_no_duckdb_syntax() -> None:
    """Every template rendered for Spark: no parameters, casts, ENUM codes or DuckDB-only syntax."""
    d = SparkDialect()
    ctes, parts = summary_trial.full_sql(d, 700)
    sqls = [sql for _n, sql in (*summary.map_cubes_sql(d), *summary_index.tables_sql(d), *ctes)]
    sqls += [*parts, summary.h3_codes_sql(d), summary_trial.enriched_sql(d), summary_trial.span_sql(d),
             summary_trial.err_detail_sql(d), summary_trial.err_sql(d), summary_trial.typed_sql(d, "u", {"x"}),
             summary_trial.hist_sql(d) or "", summary_trial.closed_detail_sql(d, {"amount"}),
             summary_trial.event_detail_sql(d), *(summary_trial.rollup_sql(d, dims, set())
                                                  for _n, dims in summary_trial.TRIAL_CUBES[1:]),
             *(summary_trial.days_sql(d, dims) for _n, dims in summary_trial.DAYS_CUBES)]
    for sql in sqls:
        for bad in ("$", "::", "GROUP BY ALL", "BY NAME", "enum_code", "unnest(", "to_months", "EXCLUDE",
                    "list_contains", "VARCHAR"):
            assert bad not in sql, (bad, sql)
        assert not re.search(r"ORDER BY [\w., ]+$", sql.strip()), sql  # the loader sorts


# --- the DuckDB renderings equal the hand-written SQL they replaced -------------------------------

_CODES = ", ".join(f"enum_code({d})::INTEGER AS {d}" for d in summary_trial._CODED)
_SCODES = ", ".join(f"enum_code({d})::INTEGER AS {d}" if d in summary_trial._CODED else d
                    for d in summary_trial._STOCK_DIMS)
_SDIMS = ", ".join(summary_trial._STOCK_DIMS)


def _m(col: str) -> str:
    return f"(year({col}) * 12 + month({col}) - 1)"


def _same(con: duckdb.DuckDBPyConnection, old: str, new: str, params: dict[str, object] | None = None) -> int:
    """Both queries give the same bag of rows with the same column names and types; the row count."""
    def run(sql: str) -> tuple[list[tuple[str, str]], list[tuple[object, ...]]]:
        cur = con.execute(f"SELECT * FROM ({sql}) ORDER BY ALL", sqlgen.used_params(sql, params or {}))
        return [(c[0], str(c[1])) for c in cur.description], cur.fetchall()

    (cols_a, rows_a), (cols_b, rows_b) = run(old), run(new)
    assert cols_a == cols_b
    assert rows_a == rows_b
    return len(rows_a)


def test_map_and_index_templates_equal_the_previous_sql(con: duckdb.DuckDBPyConnection) -> None:
    codes = ", ".join(f"enum_code({d}) AS {d}" for d in summary.ENUM_DIMS)
    old_m_full = f"""SELECT (year(filed_date) * 12 + month(filed_date) - 1)::SMALLINT AS m, adcode, {codes},
                            closed_date IS NULL AS pending, count(*)::INTEGER AS n
                     FROM cases GROUP BY ALL"""
    new = dict(summary.map_cubes_sql(DUCKDB))
    assert _same(con, old_m_full, new[summary.CUBES[0].name]) > 100
    cols = ", ".join(summary_index.SELECTION_COLUMNS)
    text = ", ".join(f"{c}::VARCHAR AS {c}" for c in summary_index.SELECTION_COLUMNS)
    quarter = summary_index.quarter
    old_counts = f"""
        SELECT basis, p, adcode, {text}, n FROM (
            SELECT 0::TINYINT AS basis, {quarter("filed_date")}::SMALLINT AS p, adcode, {cols}, count(*)::BIGINT AS n
            FROM cases GROUP BY ALL
            UNION ALL
            SELECT 1::TINYINT AS basis, {quarter("closed_date")}::SMALLINT AS p, adcode, {cols}, count(*)::BIGINT AS n
            FROM cases WHERE closed_date IS NOT NULL GROUP BY ALL)"""
    assert _same(con, old_counts, dict(summary_index.tables_sql(DUCKDB))[summary_index.COUNTS_TABLE]) > 100


def test_trial_templates_equal_the_previous_sql(con: duckdb.DuckDBPyConnection) -> None:
    params = q._vocab_params()
    x = summary_trial.X_TABLE
    src = (f"SELECT {q.CASE_COLS}, closed_date IS NOT NULL AS is_closed, true AS in_out, "
           "closed_date - filed_date AS days FROM cases")
    old_x = f"""WITH s AS ({src}), {q._enrich_ctes("s", "NULL", "is_closed")}
                SELECT * EXCLUDE (case_no, origin_case_no, grp) FROM x WHERE is_closed"""
    assert _same(con, old_x, summary_trial.enriched_sql(DUCKDB), params) > 100
    con.execute(f"CREATE OR REPLACE TEMP TABLE {x} AS {summary_trial.enriched_sql(DUCKDB)}",
                sqlgen.used_params(summary_trial.enriched_sql(DUCKDB), params))
    try:
        (maxm,) = con.execute(f"SELECT {_m('greatest(max(filed_date), max(closed_date))')} FROM cases").fetchone()
        closed_cols = ", ".join(f"{sql} AS {col}" for col, _n, _p, sql in summary_trial.closed_measures())
        ev = []
        for col, kind in summary_trial.EVENT_KIND.items():
            counts = ", ".join((f"count(*) FILTER (WHERE {cond})" if dcol == col else "NULL::BIGINT") + f" AS {name}"
                               for name, (dcol, cond) in EVENT_INGREDIENTS.items())
            ev.append(f"""SELECT {kind}::TINYINT AS kind, {_m("ev0." + col)}::SMALLINT AS m, fo.adcode,
                                 fo.court_code, fo.category, fo.cause_group, fo.cause, fo.procedure, fo.outcome,
                                 fo.pending, count(*) AS n, {counts}
                          FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no
                          WHERE ev0.{col} IS NOT NULL GROUP BY ALL""")
        old_full = f"""
            WITH pairs AS (SELECT {_SCODES}, {_m("filed_date")} AS fm,
                                  CASE WHEN closed_date IS NOT NULL THEN {_m("greatest(filed_date, closed_date)")}
                                  END AS gm, count(*) AS n FROM cases GROUP BY ALL),
            delta AS (SELECT {_SDIMS}, m, sum(d) AS d FROM (
                          SELECT {_SDIMS}, fm AS m, n AS d FROM pairs
                          UNION ALL SELECT {_SDIMS}, gm AS m, -n AS d FROM pairs WHERE gm IS NOT NULL)
                      GROUP BY ALL),
            run AS (SELECT {_SDIMS}, m, sum(d) OVER w AS p, coalesce(lead(m) OVER w, {maxm + 1}) AS nxt
                    FROM delta WINDOW w AS (PARTITION BY {_SDIMS} ORDER BY m)),
            stock AS (SELECT {_SDIMS}, unnest(range(m::BIGINT, nxt::BIGINT)) AS m, p AS n FROM run WHERE p <> 0),
            long_ AS (SELECT {_SCODES}, {_m(f"filed_date + {OVERDUE_DAYS + 1}")}::BIGINT AS m0,
                             CASE WHEN closed_date IS NULL THEN {maxm + 1} ELSE {_m("closed_date")} END::BIGINT AS m1
                      FROM cases WHERE closed_date IS NULL OR closed_date - filed_date > {OVERDUE_DAYS}),
            over_ AS (SELECT {_SDIMS}, m, count(*) AS o12
                      FROM (SELECT {_SDIMS}, unnest(range(m0, m1)) AS m FROM long_ WHERE m0 < m1) GROUP BY ALL),
            ev0 AS (SELECT origin_case_no, procedure::VARCHAR AS proc, outcome::VARCHAR AS outc,
                           filed_date, closed_date
                    FROM cases WHERE list_contains($challenge, procedure::VARCHAR) AND origin_case_no IS NOT NULL),
            fo AS (SELECT case_no AS fo_no, adcode, {_CODES}, closed_date IS NULL AS pending FROM cases
                   WHERE procedure::VARCHAR = $first AND case_no IN (SELECT origin_case_no FROM ev0))
            SELECT 0::TINYINT AS kind, m::SMALLINT AS m, {_SDIMS}, NULL::INTEGER AS outcome,
                   NULL::BOOLEAN AS pending, n::BIGINT AS n, 0::BIGINT AS o12 FROM stock
            UNION ALL BY NAME
            SELECT 0::TINYINT AS kind, m::SMALLINT AS m, {_SDIMS}, NULL::INTEGER AS outcome,
                   NULL::BOOLEAN AS pending, 0::BIGINT AS n, o12::BIGINT AS o12 FROM over_
            UNION ALL BY NAME
            SELECT 1::TINYINT AS kind, fm::SMALLINT AS m, {_SDIMS}, NULL::INTEGER AS outcome,
                   NULL::BOOLEAN AS pending, sum(n)::BIGINT AS n FROM pairs GROUP BY ALL
            UNION ALL BY NAME
            SELECT 2::TINYINT AS kind, {_m("closed_date")}::SMALLINT AS m, adcode, {_CODES},
                   false AS pending, count(*) AS n, {closed_cols}
            FROM {x} WHERE is_closed GROUP BY ALL
            UNION ALL BY NAME
            {" UNION ALL BY NAME ".join(ev)}"""
        ctes, parts = summary_trial.full_sql(DUCKDB, int(maxm))
        new_full = sqlgen.with_ctes(ctes, DUCKDB.union_by_name(parts))
        assert _same(con, old_full, new_full, params) > 1000
    finally:
        con.execute(f"DROP TABLE IF EXISTS {x}")


def test_columns_read_and_used_params() -> None:
    cond = "proc = $first AND list_contains($mw, outc) AND cat = 'days' AND NOT lim_ok OR eff_amount IS NULL"
    assert sqlgen.columns_read(cond) == {"proc", "outc", "cat", "lim_ok", "eff_amount"}
    assert sqlgen.columns_read("days BETWEEN 1 AND 5") == {"days"}
    assert sqlgen.columns_read("PROC = $first") == {"PROC"}  # as written
    assert sqlgen.used_params("proc = $first AND x IN $firsts", {"first": 1, "firsts": [2], "mw": 3}) == {
        "first": 1, "firsts": [2]}
