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


# Scale of the design note (README): ~3,000 districts, ~500 causes, 10 years; Jiangsu ~100 districts.
SCALES = {"city (Nantong)": (7, 1.7e5), "province (Jiangsu)": (100, 2.4e6), "national": (3000, 3.4e7)}
CAUSES_NATIONAL = 500


def estimate(path: Path, years: int = 10) -> list[dict[str, Any]]:
    """Cells per cube at city/province/national scale, extrapolated from a store's cubes (an estimate).

    For each month (year) cube: cells per district and month measured in the store, times
    districts x months. The store's cause vocabulary is smaller than the national one, so the
    cause cubes get a range: the measured density (same mix) up to that density x (500 / causes
    in the store), capped by the cases per district and month (a cell holds at least one case).
    """
    import duckdb

    from analytics import summary, summary_trial

    con = duckdb.connect(str(path), read_only=True)
    try:
        (n_causes,) = con.execute("SELECT count(*) FROM summary_dict WHERE dim = 'cause'").fetchone()  # type: ignore[misc]
        (cases, months, districts) = con.execute(
            "SELECT count(*), count(DISTINCT year(filed_date) * 12 + month(filed_date)), count(DISTINCT adcode) "
            "FROM cases").fetchone()  # type: ignore[misc]
        per_dm = cases / months / districts
        out = []
        cubes = [(c.name, c.dims, c.grain) for c in summary.CUBES if c.grain == "month"]
        cubes += [(n, d, "trial") for n, d in summary_trial.TRIAL_CUBES]
        cubes += [(n, d, "tdays") for n, d in summary_trial.DAYS_CUBES]
        for name, dims, grain in cubes:
            (rows,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # type: ignore[misc]
            density = rows / months / districts
            row: dict[str, Any] = {"cube": name, "store_rows": rows, "cells_per_district_month": round(density, 1)}
            for label, (n_d, per_year) in SCALES.items():
                dm = per_year / 12 / n_d  # cases per district and month at that scale
                lo = density * min(1.0, dm / per_dm) if grain != "trial" else density
                hi = lo * (CAUSES_NATIONAL / n_causes if "cause" in dims and label != "city (Nantong)" else 1)
                hi = min(hi, max(lo, dm * (4 if grain == "trial" else 1)))  # trial rows: up to 4 kinds per case
                row[label] = (round(lo * n_d * 12 * years), round(hi * n_d * 12 * years))
            out.append(row)
        return [{"store_cases": cases, "store_causes": n_causes, "cases_per_district_month": round(per_dm)},
                *out]
    finally:
        con.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--estimate", type=Path, default=None,
                    help="only print the cube-size estimate (README design note) from this store")
    args = ap.parse_args(argv)
    if args.estimate:
        head, *rows = estimate(args.estimate)
        print(json.dumps(head))
        print(f"{'cube':<18} {'store rows':>11} " + " ".join(f"{k:>26}" for k in SCALES))
        for r in rows:
            print(f"{r['cube']:<18} {r['store_rows']:>11,} "
                  + " ".join(f"{r[k][0]:>12,}-{r[k][1]:<13,}" for k in SCALES))
        return None
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
