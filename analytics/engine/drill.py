"""Case-list drill-down on the engine that holds the cases: Spark over the Parquet case table.

With the Spark engine the case table lives on the cluster (``[engine] cases``: the export's
directory, or the courts' own table with the same columns): the trial page's case list is then
asked of Spark, limited rows, the same query as ``analytics.indicators.drilldown.case_list`` (the
reference, and the DuckDB path): the same filter (the caller's, already narrowed to the user's
courts by ``analytics.auth.restrict``), the same period flags, the same columns, order and limit,
and no party columns. The filter predicate is the one ``CaseFilter`` writes for DuckDB, with its
parameters as Spark literals (``spark_build.spark_expr``, which refuses anything outside the
portable subset); the text columns are plain strings in Parquet, so the ``::VARCHAR`` casts drop.

PySpark is imported only when a drill-down runs (an optional extra).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analytics.filters import PENDING, CaseFilter
from analytics.indicators.drilldown import _empty_case_list, drill_period
from analytics.indicators.presentation import court_name
from analytics.indicators.queries import _where_parts

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

CASES_VIEW = "shuzhu_cases"
_FLAG = {"pending_start": "is_ps", "filed": "is_new", "closed": "is_closed AND in_out", "pending_end": "is_pe"}


def _predicate(sql: str, params: dict[str, object]) -> str:
    """A ``CaseFilter`` predicate (DuckDB, ``$name`` parameters) over the Parquet case table."""
    from analytics.engine.spark_build import spark_expr

    return spark_expr(re.sub(r"::VARCHAR\b", "", sql), params)


def case_list_sql(flt: CaseFilter, s: dt.date, e: dt.date, court_code: str | None, status: str | None,
                  limit: int, source: str = CASES_VIEW) -> str:
    """The drill-down query in Spark SQL (dates and values as literals; names from fixed sets)."""
    from analytics.engine.spark_build import literal

    where, out_pred, params = _where_parts(flt)
    where, out_pred = _predicate(where, params), _predicate(out_pred, params)
    ds, de = f"DATE '{s.isoformat()}'", f"DATE '{e.isoformat()}'"
    extra = []
    if court_code is not None:
        extra.append(f"court_code = {literal(str(court_code))}")
    if status is not None:
        extra.append(_FLAG[status])
    else:
        extra.append("(in_out OR NOT is_closed)")
    return f"""
        WITH b AS (
            SELECT case_no, court_code, category, procedure, cause, filed_date, closed_date, outcome,
                   ({out_pred}) AS in_out
            FROM {source}
            WHERE ({where})
              AND greatest({ds}, least(filed_date, coalesce(closed_date, filed_date)))
                  <= least({de}, greatest(filed_date, coalesce(closed_date, {de})))),
        f AS (
            SELECT *,
                   coalesce(filed_date < {ds} AND (closed_date IS NULL OR closed_date >= {ds}), false) AS is_ps,
                   coalesce(filed_date BETWEEN {ds} AND {de}, false) AS is_new,
                   coalesce(closed_date BETWEEN {ds} AND {de}, false) AS is_closed,
                   coalesce(filed_date <= {de} AND (closed_date IS NULL OR closed_date > {de}), false) AS is_pe
            FROM b)
        SELECT case_no, court_code, category, procedure, cause, filed_date, closed_date, outcome,
               CAST(datediff(closed_date, filed_date) AS BIGINT) AS duration_days,
               CASE WHEN is_new THEN '新收' ELSE '旧存' END AS intake,
               CASE WHEN is_closed THEN '本期结案' WHEN is_pe THEN '期末未结' ELSE '其他' END AS status
        FROM f WHERE {" AND ".join(extra)}
        ORDER BY filed_date, case_no
        LIMIT {max(0, int(limit))}"""


def register_cases(spark: SparkSession, cases: str) -> None:
    """Make the Parquet case table (a directory, partitioned by year) the view the query reads."""
    spark.read.parquet(cases).createOrReplaceTempView(CASES_VIEW)


def case_list(spark: SparkSession, flt: CaseFilter, start: dt.date | str, end: dt.date | str,
              court_code: str | None = None, month: dt.date | str | None = None, limit: int = 500,
              *, status: str | None = None) -> pd.DataFrame:
    """``drilldown.case_list`` answered by Spark from the registered case table (``register_cases``)."""
    period = drill_period(start, end, month, status)
    if period is None:
        return _empty_case_list()
    s, e = period
    table = spark.sql(case_list_sql(flt, s, e, court_code, status, limit)).toArrow()
    # through DuckDB's own Arrow -> pandas conversion: the same dtypes as the DuckDB path's .df()
    df = duckdb.connect().from_arrow(table).df()
    df.insert(2, "court_name", [court_name(c) for c in df["court_code"]])
    df["duration_days"] = df["duration_days"].astype("Int64")
    df["outcome"] = df["outcome"].where(df["outcome"].notna(), PENDING)
    return df
