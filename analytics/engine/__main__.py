"""Refresh a store's summary cubes with the configured engine: ``python -m analytics.engine [--db PATH]``.

engine ``duckdb`` (default): ``analytics.summary`` CLI behaviour (rebuild in DuckDB).
engine ``spark``: export the store's cases to Parquet at ``spark_cases`` (a local directory; on a
cluster whose case table already lives in HDFS/S3/Hive, run ``scripts/spark_job.py`` with
spark-submit instead and load with ``python -m analytics.engine.load``), build the cubes with
Spark on ``spark_master`` and load them into the store.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb

from analytics.settings import load_settings


def main(argv: list[str] | None = None) -> None:
    st = load_settings()
    ap = argparse.ArgumentParser(description="refresh the summary cubes with the configured engine")
    ap.add_argument("--db", type=Path, default=st.db_path)
    ap.add_argument("--engine", choices=("duckdb", "spark"), default=st.engine)
    ap.add_argument("--master", default=st.spark_master)
    ap.add_argument("--cases", default=st.spark_cases, help="Parquet export directory (default: a temporary one)")
    args = ap.parse_args(argv)
    if args.engine == "duckdb":
        from analytics import summary

        con = duckdb.connect(str(args.db))
        try:
            con.execute("BEGIN TRANSACTION")
            summary.refresh(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        print("summary built (duckdb)")
        return
    from analytics.engine import export, load, spark_build

    with tempfile.TemporaryDirectory(prefix="shuzhu_spark_") as tmp:
        base = Path(args.cases) if args.cases else Path(tmp) / "export"
        con = duckdb.connect(str(args.db))
        try:
            export.export(con, base)
        finally:
            con.close()
        spark = spark_build.session(args.master)
        try:
            m = spark_build.build(spark, str(base / export.CASES_DIR), str(Path(tmp) / "agg"))
        finally:
            spark.stop()
        con = duckdb.connect(str(args.db))
        try:
            load.load(con, Path(tmp) / "agg")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    print(f"summary built (spark {args.master}) from {m['n_cases']} cases in {m['seconds']} s")


if __name__ == "__main__":
    main()
