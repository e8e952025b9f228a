"""The summary cubes (map, trial and index inputs) built by Apache Spark from a Parquet case table.

Same tables, columns, codes and values as ``analytics.summary.refresh`` (the DuckDB build, the
reference for the pages): the test ``tests/test_spark.py`` compares every table cell for cell.

Nothing of the aggregation is written here. Every SELECT comes from the shared templates, rendered
with ``sqlgen.SparkDialect``: the map cubes from ``summary.map_cubes_sql`` (and ``h3_codes_sql``),
the trial cubes, their enrichment and day-level detail from ``summary_trial`` (``enriched_sql`` ->
``sqlgen.enrich_ctes``, which the reference queries' ``queries._enrich_ctes`` render for DuckDB,
``full_sql``, ``typed_sql``, ``rollup_sql``, ``hist_sql``, ``days_sql``, ``closed_detail_sql``,
``event_detail_sql``, the error and span tables), the index inputs from
``summary_index.tables_sql``. The templates read the shared definitions: the cube lists and
dimensions, the indicator ingredients with their conditions (``definitions``, translated by
``sqlgen.spark_expr``), the vocabulary constants and the statutory limit table
(``queries._vocab_params``). ``analytics.sqlgen`` lists the dialect differences (``$name`` ->
literals, ``date - date`` -> ``datediff``, ``+ to_months`` -> ``add_months``, ``unnest(range())``
-> ``explode(sequence())``, ``list_contains`` -> ``array_contains``, ``GROUP BY ALL`` -> the keys).

This module is the thin Spark adapter, the steps that are not SQL:

* ENUMs: the Parquet export holds strings; ``dict.parquet`` (from the store's ENUM types) maps them
  to the codes DuckDB uses, joined as broadcast tables into the view ``coded`` (``c_<dim>``);
* each built table (and each CTE of the finest trial cube) is a temp view of its name, so the
  templates read earlier tables by name as DuckDB does; the tables read again are cached;
* ``UNION ALL BY NAME`` -> ``DataFrame.unionByName(allowMissingColumns=True)`` (missing measures
  NULL, as in DuckDB); the column types of the union (which measures are floating) from its dtypes;
* output types as DuckDB's (TINYINT/SMALLINT/INTEGER/BIGINT/DOUBLE/BOOLEAN, cast in the
  templates); the loader casts the map cubes' code columns to the store's ENUM code types and
  sorts every table (a parallel write keeps no row order).

Usage (local mode): ``python -m analytics.engine.spark_build --cases DIR --out DIR``; on a
cluster: ``spark-submit scripts/spark_job.py --cases hdfs://... --out hdfs://...``.
"""

from __future__ import annotations

import json
import os
import time
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics import summary, summary_index, summary_trial
from analytics.sqlgen import SparkDialect, literal, spark_expr

if TYPE_CHECKING:  # PySpark is optional: imported only when a build runs
    from pyspark.sql import DataFrame, SparkSession

MANIFEST = "manifest.json"
__all__ = ["build", "literal", "main", "session", "spark_expr"]  # literal/spark_expr: drill.py, tests


# --- the build --------------------------------------------------------------------------------


def session(master: str | None = "local[2]", app: str = "shuzhu-cubes") -> SparkSession:
    """A SparkSession for the build: UTC, non-ANSI arithmetic as in the tests (``master`` None: the
    one spark-submit gives). The SQL settings apply to a cluster session as well."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        # local mode runs in the driver: its heap bounds the build (the cached case table spills)
        builder = (
            builder.master(master)
            .config("spark.driver.memory", os.environ.get("SHUZHU_SPARK_DRIVER_MEMORY", "4g"))
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
        )
    spark = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
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
            F.col("value").alias(f"_v_{dim}"), F.col("code").cast("int").alias(f"c_{dim}")
        )
        out = out.join(F.broadcast(d), out[dim] == d[f"_v_{dim}"], "left").drop(f"_v_{dim}")
    return out


def _view(spark: SparkSession, name: str, sql: str, cache: bool = False) -> DataFrame:
    """Run a template's SELECT; the result is the temp view ``name`` (cached when read again)."""
    df = spark.sql(sql)
    if cache:
        df = df.cache()
    df.createOrReplaceTempView(name)
    return df


def _floats(df: DataFrame) -> set[str]:
    return {c for c, t in df.dtypes if t in ("double", "float")}


def _map_cubes(spark: SparkSession, d: SparkDialect) -> dict[str, DataFrame]:
    _view(spark, summary.H3_TABLE, summary.h3_codes_sql(d), cache=True)
    out: dict[str, DataFrame] = {
        summary.DICT_TABLE: spark.sql(
            f"SELECT dim, CAST(code AS INT) AS code, value FROM dict UNION ALL {summary.h3_dict_sql()}"
        )
    }
    finest = {summary.CUBES[0].name, summary.CUBES[4].name}  # the roll-ups read them
    for name, sql in summary.map_cubes_sql(d):
        out[name] = _view(spark, name, sql, cache=name in finest)
    return out


def _trial_cubes(spark: SparkSession, d: SparkDialect) -> dict[str, DataFrame]:
    st = summary_trial
    out: dict[str, DataFrame] = {}
    out[st.SPAN_TABLE] = _view(spark, st.SPAN_TABLE, st.span_sql(d))
    out[st.ERR_DETAIL] = _view(spark, st.ERR_DETAIL, st.err_detail_sql(d), cache=True)
    out[st.ERR_TABLE] = _view(spark, st.ERR_TABLE, st.err_sql(d))
    last = spark.sql(st.last_month_sql(d)).first()
    maxm = 0 if last is None or last[0] is None else int(last[0])
    # the enriched closed cases (reference enrichment) into the closed detail, from which the closed
    # rows of the finest cube and the histograms are aggregated
    x = _view(spark, st.X_TABLE, st.enriched_sql(d))
    out[st.CLOSED_DETAIL] = _view(spark, st.CLOSED_DETAIL, st.closed_detail_sql(d, _floats(x)), cache=True)
    ctes, parts = st.full_sql(d, maxm)
    for name, sql in ctes:
        _view(spark, name, sql, cache=name in st.REUSED_CTES)
    union = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), (spark.sql(p) for p in parts))
    union.createOrReplaceTempView("_t_union")
    floats = _floats(union) & set(st.measure_columns())
    full_name = st.TRIAL_CUBES[0][0]
    out[full_name] = _view(spark, full_name, st.typed_sql(d, "_t_union", floats), cache=True)
    for name, dims in st.TRIAL_CUBES[1:]:
        out[name] = _view(spark, name, st.rollup_sql(d, dims, floats))
    hists = st.hist_sql(d)
    if hists:
        _view(spark, st.TD_TABLE, hists, cache=True)
        for name, dims in st.DAYS_CUBES:
            out[name] = _view(spark, name, st.days_sql(d, dims))
    out[st.EVENT_DETAIL] = _view(spark, st.EVENT_DETAIL, st.event_detail_sql(d))  # ev0, fo: views above
    return out


def _index_tables(spark: SparkSession, d: SparkDialect) -> dict[str, DataFrame]:
    """The index inputs (text columns, as in the Parquet export: no dictionary needed)."""
    out: dict[str, DataFrame] = {}
    for name, sql in summary_index.tables_sql(d):
        out[name] = _view(spark, name, sql)
    return out


def build(
    spark: SparkSession, cases: str, out: str, dictionary: str | None = None, data_version: str | None = None
) -> dict[str, Any]:
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
    d = SparkDialect()
    tables = {**_map_cubes(spark, d), **_trial_cubes(spark, d), **_index_tables(spark, d)}
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
    manifest = {
        "n_cases": int(n_cases),
        "data_version": version,
        "cubes": built,
        "tables": sorted(tables),
        "seconds": round(time.perf_counter() - t0, 2),
    }
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
    ap.add_argument(
        "--data-version",
        default=None,
        help="the exported store's data version (default: from manifest.json beside a local --cases)",
    )
    ap.add_argument(
        "--master",
        default=default_master,
        help="Spark master (default local[2]; under spark-submit its --master applies)",
    )
    args = ap.parse_args(argv)
    spark = session(args.master)
    try:
        manifest = build(spark, args.cases, args.out, args.dict, args.data_version)
    finally:
        spark.stop()
    print(json.dumps({k: manifest[k] for k in ("n_cases", "data_version", "seconds")}))


if __name__ == "__main__":
    main()
