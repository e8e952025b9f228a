"""The summary cubes (map, trial and index inputs) built by Apache Spark from a Parquet case table.

Same tables, columns, codes and values as ``analytics.summary.refresh`` (which stays the
reference and is unchanged): the test ``tests/test_spark.py`` compares every table cell for cell.

What is shared and what is not. The parts that change with the product come from one place:
the cube lists and dimensions (``summary.CUBES``, ``summary_trial.TRIAL_CUBES`` / ``DAYS_CUBES``,
``summary_index`` with its columns and repeat-defendant threshold),
the indicator ingredients with their conditions (``definitions.CLOSED_INGREDIENTS`` /
``EVENT_INGREDIENTS``, translated by ``spark_expr``), the vocabulary constants and the statutory
limit table (``queries._vocab_params``). The skeleton of each cube query (a few GROUP BYs, the
running stock, the enrichment joins) is written here in Spark SQL; it mirrors
``summary_trial.build`` and ``queries._enrich_ctes`` line by line. We did not transpile the DuckDB
SQL with SQLGlot: its duckdb->spark output is silently wrong for ``quantile_cont``/``median`` and
it cannot express ``UNION ALL BY NAME``, ``unnest(range())``, ``enum_code`` or ``$name``
parameters; the cubes need none of the quantile functions (exact histograms instead).

Spark specifics (each is a trap checked by the cell-for-cell test):

* ENUMs: the Parquet export holds strings; ``dict.parquet`` (from the store's ENUM types) maps them
  to the codes DuckDB uses, joined as a broadcast table;
* ``date - date`` -> ``datediff``; ``date + to_months(n)`` -> ``add_months`` (both clamp to the
  month's last day); ``unnest(range(a, b))`` -> ``explode(sequence(a, b - 1))`` only where a < b;
* ``UNION ALL BY NAME`` -> ``DataFrame.unionByName(allowMissingColumns=True)`` (missing measures
  NULL, as in DuckDB); ``list_contains`` -> ``array_contains``; ``$name`` -> SQL literals;
* output types as DuckDB's (TINYINT/SMALLINT/INTEGER/BIGINT/DOUBLE/BOOLEAN); the loader casts the
  map cubes' code columns to the store's ENUM code types.

Usage (local mode): ``python -m analytics.engine.spark_build --cases DIR --out DIR``; on a
cluster: ``spark-submit scripts/spark_job.py --cases hdfs://... --out hdfs://...``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics import summary, summary_index, summary_trial
from analytics.indicators import queries as q
from analytics.indicators.definitions import EVENT_INGREDIENTS, OVERDUE_DAYS

if TYPE_CHECKING:  # PySpark is optional: imported only when a build runs
    from pyspark.sql import DataFrame, SparkSession

MANIFEST = "manifest.json"
_CODED = summary_trial._CODED
_STOCK_DIMS = summary_trial._STOCK_DIMS


# --- the dialect layer -------------------------------------------------------------------------


def literal(value: object) -> str:
    """A Spark SQL literal for a vocabulary constant (string, integer, list of strings)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "array(" + ", ".join(literal(v) for v in value) + ")"
    raise TypeError(f"no Spark literal for {value!r}")


def spark_expr(expr: str, params: dict[str, object] | None = None) -> str:
    """An ingredient expression or condition of ``definitions`` (DuckDB syntax) in Spark SQL.

    The ingredient language is small on purpose: comparisons, AND/OR/NOT, IN lists, IS NULL,
    ``list_contains($list, col)`` and ``$name`` constants. Anything else is refused here rather
    than silently mistranslated.
    """
    params = q._vocab_params() if params is None else params
    out = re.sub(r"\blist_contains\(", "array_contains(", expr)

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in params:
            raise KeyError(f"unknown parameter ${name}")
        return literal(params[name])

    out = re.sub(r"\$([A-Za-z_]\w*)", sub, out)
    if "::" in out or re.search(r"\b(quantile_cont|median|percentile_cont|unnest|range|enum_code)\(", out):
        raise ValueError(f"not in the portable subset: {expr!r}")
    return out


def _month(col: str) -> str:
    return f"(year({col}) * 12 + month({col}) - 1)"


# --- the build --------------------------------------------------------------------------------


def session(master: str | None = "local[2]", app: str = "shuzhu-cubes") -> SparkSession:
    """A SparkSession for the build: UTC, non-ANSI arithmetic as in the tests (``master`` None: the
    one spark-submit gives). The SQL settings apply to a cluster session as well."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        # local mode runs in the driver: its heap bounds the build (the cached case table spills)
        builder = (builder.master(master)
                   .config("spark.driver.memory", os.environ.get("SHUZHU_SPARK_DRIVER_MEMORY", "4g"))
                   .config("spark.sql.shuffle.partitions", "8")
                   .config("spark.ui.enabled", "false"))
    spark = (builder
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.ansi.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _coded(spark: SparkSession, cases: DataFrame, dictionary: DataFrame) -> DataFrame:
    """The cases with ``c_<dim>``: the DuckDB ENUM code of each cube dimension (broadcast joins)."""
    from pyspark.sql import functions as F

    out = cases
    for dim in summary.ENUM_DIMS:
        d = dictionary.where(F.col("dim") == dim).select(
            F.col("value").alias(f"_v_{dim}"), F.col("code").cast("int").alias(f"c_{dim}"))
        out = out.join(F.broadcast(d), out[dim] == d[f"_v_{dim}"], "left").drop(f"_v_{dim}")
    return out


def _map_cubes(spark: SparkSession) -> dict[str, DataFrame]:
    codes = ", ".join(f"c_{d} AS {d}" for d in summary.ENUM_DIMS)
    keys = ", ".join(f"c_{d}" for d in summary.ENUM_DIMS)
    m_full, h_full = summary.CUBES[0], summary.CUBES[4]
    h3 = spark.sql("""SELECT h3_r7, CAST(row_number() OVER (ORDER BY h3_r7) - 1 AS INT) AS h3c
                      FROM (SELECT DISTINCT h3_r7 FROM coded WHERE h3_r7 IS NOT NULL)""").cache()
    h3.createOrReplaceTempView("h3dict")
    out: dict[str, DataFrame] = {}
    out[summary.DICT_TABLE] = spark.sql(
        """SELECT dim, CAST(code AS INT) AS code, value FROM dict
           UNION ALL SELECT 'h3', h3c, lower(hex(h3_r7)) FROM h3dict""")
    out[m_full.name] = spark.sql(
        f"""SELECT CAST({_month("filed_date")} AS SMALLINT) AS m, adcode, {codes},
                   closed_date IS NULL AS pending, CAST(count(*) AS INT) AS n
            FROM coded GROUP BY {_month("filed_date")}, adcode, {keys}, closed_date IS NULL""").cache()
    out[h_full.name] = spark.sql(
        f"""SELECT CAST(year(filed_date) AS SMALLINT) AS y, d.h3c, {codes},
                   closed_date IS NULL AS pending, CAST(count(*) AS INT) AS n
            FROM coded c JOIN h3dict d ON c.h3_r7 = d.h3_r7
            GROUP BY year(filed_date), d.h3c, {keys}, closed_date IS NULL""").cache()
    for cube in summary.CUBES:
        if cube in (m_full, h_full):
            continue
        src = m_full if cube.grain == "month" else h_full
        out[src.name].createOrReplaceTempView("src")
        k = ", ".join((summary._TIME[cube.grain], *cube.dims))
        out[cube.name] = spark.sql(f"SELECT {k}, CAST(sum(n) AS BIGINT) AS n FROM src GROUP BY {k}")
    return out


def _enrich_sql(params: dict[str, object]) -> str:
    """``queries._enrich_ctes('s', 'NULL', 'is_closed')`` over every case, in Spark SQL."""
    lit = {k: literal(v) for k, v in params.items()}
    lims = q._limit_table()
    rows = ", ".join(
        f"({literal(t)}, {'CAST(NULL AS STRING)' if u is None else literal(u)}, {int(n)}, {literal(unit)})"
        for t, u, n, unit in zip(lims["lim_type"], lims["lim_qual"], lims["lim_n"], lims["lim_unit"], strict=True))
    return f"""
        s AS (SELECT *, closed_date IS NOT NULL AS is_closed, true AS in_out,
                     datediff(closed_date, filed_date) AS days FROM coded),
        lim AS (SELECT * FROM VALUES {rows} AS lim(l_type, l_qual, l_n, l_unit)),
        org AS (
            SELECT case_no AS org_no, outcome AS org_outcome, amount AS org_amount,
                   amount_recovered AS org_recovered
            FROM coded
            WHERE case_no IN (SELECT origin_case_no FROM s
                              WHERE is_closed AND type_code IN ({lit["civil_appeal"]}, {lit["resumed"]}))),
        links AS (
            SELECT origin_case_no AS link_no,
                   bool_or(procedure = {lit["appeal"]}) AS appealed,
                   true AS challenged,
                   bool_or(procedure = {lit["appeal"]}
                           AND array_contains({lit["reversal"]}, outcome)) AS reversed
            FROM coded
            WHERE array_contains({lit["challenge"]}, procedure)
              AND origin_case_no IN (SELECT case_no FROM s WHERE is_closed AND procedure = {lit["first"]})
            GROUP BY origin_case_no),
        x0 AS (
            SELECT s.*, procedure AS proc, category AS cat, type_code AS tcode, outcome AS outc,
                   CASE WHEN track IS NOT NULL THEN track
                        WHEN type_code = {lit["civil_appeal"]} AND org.org_no IS NOT NULL THEN
                             CASE WHEN array_contains({lit["ruling"]}, org.org_outcome) THEN {lit["against_ruling"]}
                                  ELSE {lit["against_judgment"]} END END AS qual,
                   CASE WHEN type_code = {lit["resumed"]} AND org.org_no IS NOT NULL AND amount IS NOT NULL
                        THEN least(amount, greatest(coalesce(org.org_amount, amount)
                                                    - coalesce(org.org_recovered, 0), 0D))
                        ELSE amount END AS eff_amount,
                   (type_code = {lit["resumed"]} AND org.org_no IS NOT NULL) AS is_resumed_linked,
                   coalesce(links.challenged, false) AS fi_challenged,
                   coalesce(links.appealed, false) AS fi_appealed,
                   coalesce(links.reversed, false) AS fi_reversed
            FROM s
            LEFT JOIN org ON org.org_no = s.origin_case_no
            LEFT JOIN links ON links.link_no = s.case_no),
        x AS (
            SELECT x0.*,
                   CASE WHEN is_resumed_linked THEN least(coalesce(amount_recovered, 0D), eff_amount)
                        ELSE coalesce(amount_recovered, 0D) END AS eff_recovered,
                   coalesce(l1.l_n, l2.l_n) IS NOT NULL AS lim_known,
                   coalesce(CASE coalesce(l1.l_unit, l2.l_unit)
                       WHEN 'month' THEN closed_date <= add_months(filed_date, coalesce(l1.l_n, l2.l_n))
                       WHEN 'hour' THEN days * 24 <= coalesce(l1.l_n, l2.l_n)
                       WHEN 'day' THEN days <= coalesce(l1.l_n, l2.l_n) END, false) AS lim_ok
            FROM x0
            LEFT JOIN lim l1 ON l1.l_type = x0.tcode AND l1.l_qual = x0.qual
            LEFT JOIN lim l2 ON l2.l_type = x0.tcode AND l2.l_qual IS NULL)"""


def _trial_cubes(spark: SparkSession) -> dict[str, DataFrame]:
    from pyspark.sql import functions as F

    params = q._vocab_params()
    lit = {k: literal(v) for k, v in params.items()}
    codes = ", ".join(f"c_{d} AS {d}" for d in _CODED)
    keys = ", ".join(f"c_{d}" for d in _CODED)
    out: dict[str, DataFrame] = {}
    out[summary_trial.SPAN_TABLE] = spark.sql(
        "SELECT min(filed_date) AS first_day, greatest(max(filed_date), max(closed_date)) AS last_day FROM coded")
    out[summary_trial.ERR_TABLE] = spark.sql(
        f"""SELECT CAST({_month("closed_date")} AS SMALLINT) AS mc, CAST({_month("filed_date")} AS SMALLINT) AS mf,
                   adcode, {codes}, CAST(count(*) AS BIGINT) AS n
            FROM coded WHERE closed_date < filed_date
            GROUP BY {_month("closed_date")}, {_month("filed_date")}, adcode, {keys}""")
    last = out[summary_trial.SPAN_TABLE].first()["last_day"]
    maxm = 0 if last is None else last.year * 12 + last.month - 1
    # the enriched closed cases (reference enrichment), once for the closed and the histogram rows
    spark.sql(f"WITH {_enrich_sql(params)} SELECT * FROM x WHERE is_closed").cache() \
        .createOrReplaceTempView("tx")
    sdims = ", ".join(_STOCK_DIMS)
    scodes = ", ".join(f"c_{d} AS {d}" if d in _CODED else d for d in _STOCK_DIMS)
    skeys = ", ".join(f"c_{d}" if d in _CODED else d for d in _STOCK_DIMS)
    spark.sql(
        f"""SELECT {scodes}, {_month("filed_date")} AS fm,
                   CASE WHEN closed_date IS NOT NULL THEN {_month("greatest(filed_date, closed_date)")} END AS gm,
                   count(*) AS n
            FROM coded GROUP BY {skeys}, {_month("filed_date")},
                     CASE WHEN closed_date IS NOT NULL THEN {_month("greatest(filed_date, closed_date)")} END"""
    ).cache().createOrReplaceTempView("pairs")
    stock = spark.sql(
        f"""WITH delta AS (SELECT {sdims}, m, sum(d) AS d FROM (
                      SELECT {sdims}, fm AS m, n AS d FROM pairs
                      UNION ALL SELECT {sdims}, gm AS m, -n AS d FROM pairs WHERE gm IS NOT NULL)
                  GROUP BY {sdims}, m),
            run AS (SELECT {sdims}, m, sum(d) OVER w AS p, coalesce(lead(m) OVER w, {maxm + 1}) AS nxt
                    FROM delta WINDOW w AS (PARTITION BY {sdims} ORDER BY m)),
            stock AS (SELECT {sdims}, explode(sequence(m, nxt - 1)) AS mm, p FROM run WHERE p <> 0)
            SELECT CAST({summary_trial.KIND_STOCK} AS TINYINT) AS kind, CAST(mm AS SMALLINT) AS m, {sdims},
                   CAST(NULL AS INT) AS outcome, CAST(NULL AS BOOLEAN) AS pending,
                   CAST(p AS BIGINT) AS n, CAST(0 AS BIGINT) AS o12
            FROM stock""")
    over = spark.sql(
        f"""WITH long_ AS (SELECT {scodes}, {_month(f"date_add(filed_date, {OVERDUE_DAYS + 1})")} AS m0,
                                  CASE WHEN closed_date IS NULL THEN {maxm + 1}
                                       ELSE {_month("closed_date")} END AS m1
                           FROM coded
                           WHERE closed_date IS NULL OR datediff(closed_date, filed_date) > {OVERDUE_DAYS}),
                 months AS (SELECT {sdims}, explode(sequence(m0, m1 - 1)) AS mm FROM long_ WHERE m0 < m1)
            SELECT CAST({summary_trial.KIND_STOCK} AS TINYINT) AS kind, CAST(mm AS SMALLINT) AS m, {sdims},
                   CAST(NULL AS INT) AS outcome, CAST(NULL AS BOOLEAN) AS pending,
                   CAST(0 AS BIGINT) AS n, CAST(count(*) AS BIGINT) AS o12
            FROM months GROUP BY {sdims}, mm""")
    filed = spark.sql(
        f"""SELECT CAST({summary_trial.KIND_FILED} AS TINYINT) AS kind, CAST(fm AS SMALLINT) AS m, {sdims},
                   CAST(NULL AS INT) AS outcome, CAST(NULL AS BOOLEAN) AS pending, CAST(sum(n) AS BIGINT) AS n
            FROM pairs GROUP BY fm, {sdims}""")
    measures = summary_trial.closed_measures()
    closed_cols = ",\n ".join(f"{spark_expr(sql, params)} AS {col}" for col, _n, _p, sql in measures)
    closed = spark.sql(
        f"""SELECT CAST({summary_trial.KIND_CLOSED} AS TINYINT) AS kind,
                   CAST({_month("closed_date")} AS SMALLINT) AS m, adcode, {codes},
                   false AS pending, count(*) AS n, {closed_cols}
            FROM tx GROUP BY {_month("closed_date")}, adcode, {keys}""")
    ev_cte = f"""
        ev0 AS (SELECT origin_case_no, procedure AS proc, outcome AS outc, filed_date, closed_date
                FROM coded WHERE array_contains({lit["challenge"]}, procedure) AND origin_case_no IS NOT NULL),
        fo AS (SELECT case_no AS fo_no, adcode, {codes}, closed_date IS NULL AS pending
               FROM coded
               WHERE procedure = {lit["first"]} AND case_no IN (SELECT origin_case_no FROM ev0))"""
    events = []
    for col, kind in summary_trial.EVENT_KIND.items():
        counts = ", ".join(
            (f"count(*) FILTER (WHERE {spark_expr(cond, params)})" if dcol == col else "CAST(NULL AS BIGINT)")
            + f" AS {name}" for name, (dcol, cond) in EVENT_INGREDIENTS.items())
        events.append(spark.sql(
            f"""WITH {ev_cte}
                SELECT CAST({kind} AS TINYINT) AS kind, CAST({_month("ev0." + col)} AS SMALLINT) AS m,
                       fo.adcode, fo.court_code, fo.category, fo.cause_group, fo.cause, fo.procedure,
                       fo.outcome, fo.pending, count(*) AS n, {counts}
                FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no
                WHERE ev0.{col} IS NOT NULL
                GROUP BY {_month("ev0." + col)}, fo.adcode, fo.court_code, fo.category, fo.cause_group,
                         fo.cause, fo.procedure, fo.outcome, fo.pending"""))
    full_df = stock
    for part in (over, filed, closed, *events):
        full_df = full_df.unionByName(part, allowMissingColumns=True)
    types = dict(full_df.dtypes)
    cols = [F.col("kind"), F.col("m"), *(F.col(d).cast("int") if d not in ("pending",) else F.col(d)
                                          for d in summary_trial.DIMS_FULL)]
    for c in summary_trial.measure_columns():
        cols.append(F.col(c).cast("double" if types[c] in ("double", "float") else "bigint").alias(c))
    full_name = summary_trial.TRIAL_CUBES[0][0]
    full = full_df.select(*cols).cache()
    out[full_name] = full
    full.createOrReplaceTempView("tfull")
    sums = ", ".join(
        f"CAST(sum({c}) AS {'DOUBLE' if types[c] in ('double', 'float') else 'BIGINT'}) AS {c}"
        for c in summary_trial.measure_columns())
    for name, dims in summary_trial.TRIAL_CUBES[1:]:
        k = ", ".join(("kind", "m", *dims))
        out[name] = spark.sql(f"SELECT {k}, {sums} FROM tfull GROUP BY {k}")
    hists = []
    for i, (expr, cond, _names) in enumerate(summary_trial.quantile_groups()):
        e, c = spark_expr(expr, params), spark_expr(cond, params)
        hists.append(f"""SELECT {i} AS q, CAST({_month("closed_date")} AS SMALLINT) AS m, adcode, {codes},
                                CAST({e} AS BIGINT) AS v, CAST(count(*) AS BIGINT) AS n
                         FROM tx WHERE is_closed AND ({c}) AND ({e}) IS NOT NULL
                         GROUP BY {_month("closed_date")}, adcode, {keys}, CAST({e} AS BIGINT)""")
    if hists:
        spark.sql(" UNION ALL ".join(hists)).cache().createOrReplaceTempView("td")
        for name, dims in summary_trial.DAYS_CUBES:
            k = ", ".join(("q", "m", *dims, "v"))
            out[name] = spark.sql(f"SELECT {k}, CAST(sum(n) AS BIGINT) AS n FROM td GROUP BY {k}")
    out.update(_detail_tables(spark, params, codes, keys, ev_cte))
    return out


def _detail_tables(spark: SparkSession, params: dict[str, object], codes: str, keys: str,
                   ev_cte: str) -> dict[str, DataFrame]:
    """The day-level detail of ``summary_trial._build_details``: the enriched closed cases (``tx``),
    the appeal events with their first instance's dimensions, the cases closed before filed."""
    tx_types = dict(spark.table("tx").dtypes)
    extra = []
    for c in summary_trial.detail_columns():
        if tx_types[c] == "double":  # amounts only where a measure reads them, as DuckDB stores them
            extra.append(f"CAST({spark_expr(summary_trial.kept_expr(c), params)} AS DOUBLE) AS {c}")
        elif tx_types[c] == "int":  # datediff: INT in Spark, BIGINT (date - date) in DuckDB
            extra.append(f"CAST({c} AS BIGINT) AS {c}")
        else:
            extra.append(c)
    out: dict[str, DataFrame] = {}
    out[summary_trial.CLOSED_DETAIL] = spark.sql(
        f"SELECT closed_date, filed_date, adcode, {codes}, false AS pending, {', '.join(extra)} FROM tx")
    kinds = " UNION ALL ".join(
        f"""SELECT CAST({kind} AS TINYINT) AS kind, ev0.{col} AS d, fo.adcode, fo.court_code, fo.category,
                   fo.cause_group, fo.cause, fo.procedure, fo.outcome, fo.pending, ev0.proc, ev0.outc
            FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no WHERE ev0.{col} IS NOT NULL"""
        for col, kind in summary_trial.EVENT_KIND.items())
    out[summary_trial.EVENT_DETAIL] = spark.sql(f"WITH {ev_cte} {kinds}")
    out[summary_trial.ERR_DETAIL] = spark.sql(
        f"""SELECT closed_date AS dc, filed_date AS df, adcode, {codes}, CAST(count(*) AS BIGINT) AS n
            FROM coded WHERE closed_date < filed_date GROUP BY closed_date, filed_date, adcode, {keys}""")
    return out


def _index_tables(spark: SparkSession) -> dict[str, DataFrame]:
    """The index inputs of ``summary_index.build``: cases per basis, quarter, district and selection
    columns (text, as in the Parquet export), and the cases of repeat defendants."""
    si = summary_index
    cols = ", ".join(si.SELECTION_COLUMNS)
    parts = []
    for basis, col in ((si.FILED, "filed_date"), (si.CLOSED, "closed_date")):
        where = "" if basis == si.FILED else f"WHERE {col} IS NOT NULL"
        parts.append(f"""SELECT CAST({basis} AS TINYINT) AS basis, CAST({si.quarter(col)} AS SMALLINT) AS p, adcode,
                                {cols}, CAST(count(*) AS BIGINT) AS n
                         FROM coded {where} GROUP BY {si.quarter(col)}, adcode, {cols}""")
    out: dict[str, DataFrame] = {si.COUNTS_TABLE: spark.sql(" UNION ALL ".join(parts))}
    ccols = ", ".join("c." + x for x in si.SELECTION_COLUMNS)
    out[si.SERIES_TABLE] = spark.sql(
        f"""WITH r AS (SELECT year(filed_date) AS y, defendant_key AS k FROM coded
                       WHERE defendant_key IS NOT NULL
                       GROUP BY year(filed_date), defendant_key HAVING count(*) >= {int(si.SERIES_MIN_CASES)})
            SELECT CAST({si.quarter("c.filed_date")} AS SMALLINT) AS p, c.defendant_key AS k, c.adcode, {ccols},
                   CAST(count(*) AS BIGINT) AS n
            FROM coded c JOIN r ON r.y = year(c.filed_date) AND r.k = c.defendant_key
            GROUP BY {si.quarter("c.filed_date")}, c.defendant_key, c.adcode, {ccols}""")
    return out


def build(spark: SparkSession, cases: str, out: str, dictionary: str | None = None,
          data_version: str | None = None) -> dict[str, Any]:
    """Build every cube from the Parquet case table ``cases``; write ``out/<table>/`` and a manifest.

    ``dictionary``: the ENUM dictionary (default ``dict.parquet`` beside ``cases``). Returns the
    manifest: the case count, the source data version (from the export's manifest when present),
    the tables with their grains and dimensions, and the build time in seconds.
    """
    t0 = time.perf_counter()
    cases_path = cases.rstrip("/")
    parent = cases_path.rsplit("/", 1)[0] if "/" in cases_path else "."
    dictionary = dictionary or f"{parent}/dict.parquet"
    spark.read.parquet(dictionary).createOrReplaceTempView("dict")
    src = spark.read.parquet(cases_path)
    coded = _coded(spark, src, spark.table("dict")).cache()
    coded.createOrReplaceTempView("coded")
    n_cases = coded.count()
    tables = {**_map_cubes(spark), **_trial_cubes(spark), **_index_tables(spark)}
    for name, df in tables.items():
        df.write.mode("overwrite").parquet(f"{out.rstrip('/')}/{name}")
    built = [(c.name, c.grain, list(c.dims)) for c in summary.CUBES]
    built += [(n, summary_trial.TRIAL_GRAIN, list(d)) for n, d in summary_trial.TRIAL_CUBES]
    built += [(n, summary_trial.DAYS_GRAIN, list(d)) for n, d in summary_trial.DAYS_CUBES]
    built += [(n, g, list(d)) for n, g, d in summary_index.listing()]
    version = data_version or summary.NO_META
    src_manifest = Path(parent) / "manifest.json"
    if data_version is None and src_manifest.is_file():  # a local export (on a cluster, pass the version to the loader)
        version = json.loads(src_manifest.read_text(encoding="utf-8"))["data_version"]
    manifest = {"n_cases": int(n_cases), "data_version": version, "cubes": built,
                "tables": sorted(tables), "seconds": round(time.perf_counter() - t0, 2)}
    for df in (coded,):
        df.unpersist()
    spark.catalog.clearCache()
    text = json.dumps(manifest)
    if "://" not in out or out.startswith("file://"):
        Path(out.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
        (Path(out.removeprefix("file://")) / MANIFEST).write_text(text, encoding="utf-8")
    else:  # a cluster file system: the manifest as a one-line text file beside the tables
        spark.sparkContext.parallelize([text], 1).saveAsTextFile(f"{out.rstrip('/')}/{MANIFEST}.d")
    return manifest


def main(argv: list[str] | None = None, default_master: str | None = "local[2]") -> None:
    import argparse

    ap = argparse.ArgumentParser(description="build the summary cubes with Spark from a Parquet case table")
    ap.add_argument("--cases", required=True, help="Parquet case table (directory, partitioned by year)")
    ap.add_argument("--out", required=True, help="output directory: one Parquet directory per table")
    ap.add_argument("--dict", default=None, help="ENUM dictionary (default: dict.parquet beside --cases)")
    ap.add_argument("--data-version", default=None,
                    help="the exported store's data version (default: from manifest.json beside a local --cases)")
    ap.add_argument("--master", default=default_master,
                    help="Spark master (default local[2]; under spark-submit its --master applies)")
    args = ap.parse_args(argv)
    spark = session(args.master)
    try:
        manifest = build(spark, args.cases, args.out, args.dict, args.data_version)
    finally:
        spark.stop()
    print(json.dumps({k: manifest[k] for k in ("n_cases", "data_version", "seconds")}))


if __name__ == "__main__":
    main()
