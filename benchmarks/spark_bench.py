"""Benchmark: the summary (cube) build on DuckDB and on Spark local, and the pages on Spark-built cubes.

    .venv/bin/python -m benchmarks.spark_bench [--sizes 1000000[,10000000]] [--master local[2]]
                                              [--repeat 5] [--json PATH]

For each size, on a copy of the benchmark's cached store (``benchmarks.bench.ensure_store``,
generated when absent; the cache is never modified):

* ``duckdb_refresh_s`` -- ``analytics.summary.refresh`` (map + trial cubes) in one transaction;
* ``export_s`` -- the case table to Parquet partitioned by year (``analytics.engine.export``);
* ``spark_start_s`` -- SparkSession start (JVM), once per run, not per size;
* ``spark_build_s`` -- ``analytics.engine.spark_build.build`` from the Parquet export, writing the
  Parquet aggregates; ``load_s`` -- loading them into the store (``analytics.engine.load``);
* ``equal`` -- every summary table of the Spark build equal to DuckDB's (``engine.compare``);
* page latency on the Spark-built cubes vs the DuckDB-built ones: the map page's five calls and
  the trial page's (compare + by court + by district), median ms of ``--repeat`` warm runs per
  filter state of ``benchmarks.bench.filter_states``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import bench


def _page_ms(path: Path, repeat: int) -> dict[str, Any]:
    from analytics import maps, store
    from analytics.filters import load_options

    con = store.open_store(path, read_only=False)
    try:
        opts = load_options(con)
        as_of = maps.data_as_of(con)
        states = bench.filter_states(opts)
        out: dict[str, Any] = {"map_ms": {}, "trial_ms": {}}
        for name, flt in states:
            calls = bench._map_calls(con, flt, as_of)["fast"]
            out["map_ms"][name] = bench.round_robin(calls, repeat)["total"]
        for row in bench.bench_trial(con, states, as_of, repeat):
            out["trial_ms"][row["state"]] = row["page_ms"]
        return out
    finally:
        con.close()


def bench_size(size: int, spark: Any, work: Path, repeat: int) -> dict[str, Any]:
    import duckdb

    from analytics import summary
    from analytics.engine import compare, export, load, spark_build

    src, info = bench.ensure_store(size, bench.CACHE_DIR)
    ref = work / f"ref_{size}.duckdb"
    sp = work / f"spark_{size}.duckdb"
    shutil.copy(src, ref)
    res: dict[str, Any] = {"size": size, "rows": info.get("rows")}
    con = duckdb.connect(str(ref))
    t0 = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    summary.refresh(con)
    con.execute("COMMIT")
    res["duckdb_refresh_s"] = round(time.perf_counter() - t0, 2)
    con.execute("CHECKPOINT")
    t0 = time.perf_counter()
    export.export(con, work / f"export_{size}")
    res["export_s"] = round(time.perf_counter() - t0, 2)
    con.close()
    bench.log(f"  {size:,}: DuckDB refresh {res['duckdb_refresh_s']} s; Spark build ...")
    t0 = time.perf_counter()
    spark_build.build(spark, str(work / f"export_{size}" / "cases"), str(work / f"agg_{size}"))
    res["spark_build_s"] = round(time.perf_counter() - t0, 2)
    shutil.copy(ref, sp)
    con = duckdb.connect(str(sp))
    t0 = time.perf_counter()
    load.load(con, work / f"agg_{size}")
    con.execute("CHECKPOINT")
    res["load_s"] = round(time.perf_counter() - t0, 2)
    a = duckdb.connect(str(ref), read_only=True)
    try:
        diffs = compare.diff_stores(a, con)
    finally:
        a.close()
        con.close()
    res["equal"] = not diffs
    res["differences"] = diffs[:10]
    bench.log(f"  {size:,}: Spark build {res['spark_build_s']} s, equal: {res['equal']}; page latency ...")
    res["pages_duckdb_built"] = _page_ms(ref, repeat)
    res["pages_spark_built"] = _page_ms(sp, repeat)
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    from analytics.engine import spark_build

    t0 = time.perf_counter()
    spark = spark_build.session(args.master, "shuzhu-bench")
    start_s = round(time.perf_counter() - t0, 2)
    results: dict[str, Any] = {"master": args.master, "spark_start_s": start_s, "sizes": []}
    with tempfile.TemporaryDirectory(prefix="spark_bench_") as tmp:
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                results["sizes"].append(bench_size(size, spark, Path(tmp), args.repeat))
        finally:
            spark.stop()
    print(f"Spark session start ({args.master}): {start_s} s")
    print(f"{'cases':>12} {'DuckDB refresh s':>17} {'export s':>9} {'Spark build s':>14} {'load s':>7} equal")
    for r in results["sizes"]:
        print(f"{r['rows'] or r['size']:>12,} {r['duckdb_refresh_s']:>17} {r['export_s']:>9} "
              f"{r['spark_build_s']:>14} {r['load_s']:>7} {r['equal']}")
        for page in ("map_ms", "trial_ms"):
            for state, ms in r["pages_duckdb_built"][page].items():
                print(f"    {page[:-3]:>5} {state:<40} DuckDB-built {ms:8.1f} ms   "
                      f"Spark-built {r['pages_spark_built'][page][state]:8.1f} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
