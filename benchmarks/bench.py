"""Benchmark: the map page at 1M and 10M cases, payload, memory per session, start-up, import.

    .venv/bin/python -m benchmarks.bench [--sizes 1000000,10000000] [--repeat 15]
                                         [--json benchmarks/results/latest.json]

For each size the synthetic data set is generated deterministically by ``seeds`` (scale = size
/ rows at scale 1) and loaded with ``analytics.store.build_store`` exactly as the app loads its
default store; the store is cached in ``benchmarks/.cache/`` (keyed by size, generator version,
seed and table schema; ``--rebuild`` ignores it). Then, for typical filter states:

* the map page's recompute after a filter change -- ``district_stats + hex_density + headline +
  monthly_trend + top_causes`` as the app calls them (a fresh cursor per call, no result
  cache) -- median of ``--repeat`` warm runs, each function and the total;
* the same five through the reference SQL over ``cases`` (``analytics.maps._*_cases``, i.e.
  without the pre-aggregated summary) and through a straightforward pandas implementation on
  the same data (``benchmarks/pandas_impl.py``, results checked equal), with the ratios;
* the memory-bandwidth lower bound: bytes a scan of ``cases`` must read ÷ measured bandwidth;
* the trial page's indicators (``compare``, ``summary`` by court and by district,
  ``monthly_trend``), median of ``--trial-repeat`` runs;
* the bytes the map sends (pydeck JSON with and without hexagons, Altair chart specs).

On a real ``streamlit run`` server driven by websocket clients (benchmarks/server.py): server
RSS after 1 and after ``--sessions`` sessions on the same view, then as many more on distinct
views, and the bytes each page sends. Once: first start of a fresh copy of the app (default
store generated, map shown) and a later start; import throughput of ``analytics.importer`` on a
generated CSV, and an export imported into a copy of the largest store (``benchmarks/import_bench.py``).
On the largest store: the products' figures (``benchmarks/products.py``: alerts of
one month, the index page, the default report, opening a link in headless Chromium against a
minimal page, concurrent sessions). Prints a table (``benchmarks/table.py``, with every target
met or not) and writes everything as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geodata  # noqa: E402
from analytics import indicators as ind  # noqa: E402
from analytics import maps, schema, store, summary  # noqa: E402
from analytics.filters import CaseFilter, FilterOptions, load_options  # noqa: E402
from benchmarks import import_bench, pandas_impl, products, server, table  # noqa: E402
from seeds import catalog  # noqa: E402
from seeds.generate import GENERATOR_VERSION, generate_cases, store_meta  # noqa: E402

ROWS_AT_SCALE_1 = {"1": 1_664_062}  # rows generate_cases(seed=catalog.SEED, scale=1.0) returns
DEFAULT_SIZES = (1_000_000, 10_000_000)
CACHE_DIR = ROOT / "benchmarks" / ".cache"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"
MAP_FUNCTIONS = ("district_stats", "hex_density", "headline", "monthly_trend", "top_causes")
TRIAL_FUNCTIONS = ("compare", "summary_by_court", "summary_by_district", "monthly_trend")
TARGETS = table.TARGETS
MB = table.MB


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# --- data sets ----------------------------------------------------------------------------


def schema_key() -> str:
    """Short hash of the case table's definition: a cached store with another schema is rebuilt."""
    ddl = "\n".join(schema.create_cases_ddl(schema.enum_types((), (), (), ())))
    return hashlib.sha1(ddl.encode()).hexdigest()[:8]


def summary_details(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store's summary is the one this code builds: its day-level detail tables
    (``summary_trial.DETAIL_TABLES``), and exactly the cubes and index tables the code lists (a
    store cached before one was added or retired, e.g. ``summary_trial.RETIRED``, is refreshed,
    or the benchmark would measure the cubes of an older build)."""
    from analytics import summary_index, summary_trial

    inf = summary.info(con)
    if inf is None or not ind.cubes._details_ok(con, inf):
        return False
    listed = {c.name for c in (*inf.cubes, *inf.trial_cubes)}
    built = {c.name for c in summary.CUBES} | {n for n, _ in (*summary_trial.TRIAL_CUBES, *summary_trial.DAYS_CUBES)}
    # ... and the closed detail's columns as this code writes them (e.g. no text of the codes)
    held = {str(r[0]) for r in con.execute(f"DESCRIBE {summary_trial.CLOSED_DETAIL}").fetchall()}
    return listed == built | set(summary_index.TABLES) and held == set(summary_trial.closed_detail_columns())


def store_path(cache: Path, size: int) -> Path:
    return cache / f"cases_{size}_g{GENERATOR_VERSION}_s{catalog.SEED}_{schema_key()}.duckdb"


def ensure_store(size: int, cache: Path, rebuild: bool = False) -> tuple[Path, dict]:
    """The store for ``size`` cases (generated and built unless cached), with how it was made."""
    path = store_path(cache, size)
    info: dict[str, Any] = {"path": str(path)}
    if path.is_file() and not rebuild:
        info["cached"] = True
    else:
        scale = size / ROWS_AT_SCALE_1.get(GENERATOR_VERSION, ROWS_AT_SCALE_1["1"])
        log(f"generating {size:,} cases (scale {scale:.4f})")
        t0 = time.perf_counter()
        df = generate_cases(catalog.SEED, scale)
        gen_s = time.perf_counter() - t0
        log(f"building the store ({len(df):,} rows)")
        t1 = time.perf_counter()
        store.build_store(path, df, store_meta(catalog.SEED, scale, len(df), gen_s))
        build_s = time.perf_counter() - t1
        info.update(cached=False, generate_s=round(gen_s, 2), build_s=round(build_s, 2),
                    build_rows_per_s=round(len(df) / build_s))
        del df
        gc.collect()
    con = store.open_store(path, read_only=False)
    try:
        if not summary.available(con) or not summary_details(con):  # cached before they existed
            t0 = time.perf_counter()
            con.execute("BEGIN TRANSACTION")
            summary.refresh(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            info["summary_refresh_s"] = round(time.perf_counter() - t0, 2)
        info["rows"] = int(con.execute("SELECT count(*) FROM cases").fetchone()[0])  # type: ignore[index]
        inf = summary.info(con)
        info["summary_cubes"] = {c.name: c.rows for c in inf.cubes} if inf else {}
    finally:
        con.close()
    info["file_bytes"] = path.stat().st_size
    return path, info


def filter_states(opts: FilterOptions) -> list[tuple[str, CaseFilter]]:
    """Typical filter states of the shared filters."""
    y0, y1 = opts.year_min, opts.year_max
    a, b = max(2019, y0), min(2021, y1)
    return [
        ("default: last year, no filter", CaseFilter(y1, y1)),
        (f"{a}-{b} + 2 categories + 3 courts",
         CaseFilter(a, b, categories=("刑事", "民事"), courts=("苏0602", "苏0682", "苏0612"))),
        ("one district (如皋), last year", CaseFilter(y1, y1, district=320682)),
        ("all years, no filter", CaseFilter(y0, y1)),
        ("one cause (危险驾驶罪), all years", CaseFilter(y0, y1, causes=("危险驾驶罪",))),
        ("one cause (民间借贷纠纷), last year", CaseFilter(y1, y1, causes=("民间借贷纠纷",))),
    ]


def mid_month_states(opts: FilterOptions) -> list[tuple[str, CaseFilter, tuple[date, date]]]:
    """Trial-page states whose period ends inside a month, as on a store of real data (its last
    day is the export's date, rarely a month end): the year to 15 November, so that 同比 and 环比
    are cut mid-month too (whole months from the cubes, the edge days from the detail tables)."""
    y = opts.year_max
    return [
        ("year to 15 Nov, no filter (real-data default)", CaseFilter(y, y), (date(y, 1, 1), date(y, 11, 15))),
        ("year to 15 Nov, one cause (民间借贷纠纷)", CaseFilter(y, y, causes=("民间借贷纠纷",)),
         (date(y, 1, 1), date(y, 11, 15))),
    ]


def describe(flt: CaseFilter) -> dict:
    return {k: v for k, v in flt.__dict__.items() if v not in ((), None)}


# --- timing -------------------------------------------------------------------------------


def round_robin(fns: dict[str, Callable[[], object]], repeat: int, warmup: int = 1) -> dict[str, float]:
    """Median ms of each function and of their sum per round (functions run in turn, warm)."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    totals = []
    for _ in range(repeat):
        total = 0.0
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            times[name].append(dt)
            total += dt
        totals.append(total)
    out = {k: round(statistics.median(v) * 1000, 3) for k, v in times.items()}
    out["total"] = round(statistics.median(totals) * 1000, 3)
    return out


def _read_bandwidth(parts: list[np.ndarray], repeat: int) -> float:
    """Bytes per second summing ``parts`` concurrently (one thread per part), best of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        threads = [threading.Thread(target=p.sum) for p in parts]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        best = min(best, time.perf_counter() - t0)
    return sum(p.nbytes for p in parts) / best


def measure_bandwidth(mbytes: int = 512, repeat: int = 5) -> dict:
    """Memory read bandwidth: numpy sum over a large array, 1 and n threads; the best is used."""
    arr = np.ones(mbytes * MB // 8)
    arr.sum()
    threads = min(os.cpu_count() or 1, 4)
    bw1 = _read_bandwidth([arr], repeat)
    bwn = _read_bandwidth(np.array_split(arr, threads), repeat) if threads > 1 else bw1
    del arr
    gc.collect()
    return {"gb_per_s": round(max(bw1, bwn) / 1e9, 2), "one_thread_gb_per_s": round(bw1 / 1e9, 2),
            "all_threads_gb_per_s": round(bwn / 1e9, 2),
            "method": f"numpy sum of a {mbytes} MB float64 array, best of {repeat}, 1 and {threads} threads"}


def bytes_touched(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> dict:
    """What one scan of ``cases`` answering the whole map page must read, at minimum.

    Rows: those filed in the years the page needs (the filter's years and, for the YoY figure,
    the previous year); ``cases`` is sorted by filing date, so zone maps skip the others.
    Bytes per row: filing date 4, closing date 4, district 4, H3 cell 8, cause and cause group
    1 each, plus 1 for every other filtered ENUM column (2 for outcome + closing date is
    already counted).
    """
    win = maps.yoy_window(flt, as_of)
    lo = min(date(flt.year_from, 1, 1), win.prev_start)
    hi = date(flt.year_to, 12, 31)
    rows = int(con.execute("SELECT count(*) FROM cases WHERE filed_date BETWEEN ? AND ?", [lo, hi])
               .fetchone()[0])  # type: ignore[index]
    width = 4 + 4 + 4 + 8 + 1 + 1
    width += sum(1 for v in (flt.categories, flt.courts, flt.procedures, flt.outcomes) if v)
    return {"rows_scanned": rows, "bytes_per_row": width, "bytes": rows * width}


# --- per size -------------------------------------------------------------------------------


def _map_calls(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> dict[str, dict]:
    """The five map computations, three ways: the app's path, the reference SQL, (pandas later)."""
    pop = geodata.rate_population()
    cur = con.cursor  # the app calls every function with a fresh cursor
    return {
        "fast": {
            "district_stats": lambda: maps.district_stats(cur(), flt, pop, as_of),
            "hex_density": lambda: maps.hex_density(cur(), flt),
            "headline": lambda: maps.headline(cur(), flt, as_of),
            "monthly_trend": lambda: maps.monthly_trend(cur(), flt),
            "top_causes": lambda: maps.top_causes(cur(), flt, 10),
        },
        "cases_sql": {
            "district_stats": lambda: maps._district_stats_cases(cur(), flt, pop, as_of),
            "hex_density": lambda: maps._hex_density_cases(cur(), flt),
            "headline": lambda: maps._headline_cases(cur(), flt, as_of),
            "monthly_trend": lambda: maps._monthly_trend_cases(cur(), flt),
            "top_causes": lambda: maps._top_causes_cases(cur(), flt, 10),
        },
    }


def _pandas_calls(pm: pandas_impl.PandasMap, flt: CaseFilter, as_of: date) -> dict:
    pop = geodata.rate_population()
    return {
        "district_stats": lambda: pm.district_stats(flt, pop, as_of),
        "hex_density": lambda: pm.hex_density(flt),
        "headline": lambda: pm.headline(flt, as_of),
        "monthly_trend": lambda: pm.monthly_trend(flt),
        "top_causes": lambda: pm.top_causes(flt, 10),
    }


def bench_map_state(con: duckdb.DuckDBPyConnection, name: str, flt: CaseFilter, as_of: date, repeat: int,
                    pm: pandas_impl.PandasMap, bandwidth: float) -> dict:
    """One filter state: the app's path, the reference SQL and pandas, checked equal."""
    log(f"  map: {name}")
    calls = _map_calls(con, flt, as_of)
    pcalls = _pandas_calls(pm, flt, as_of)
    fast = round_robin(calls["fast"], repeat)
    cases_sql = round_robin(calls["cases_sql"], repeat)
    pand = round_robin(pcalls, repeat)
    got_fast = {k: f() for k, f in calls["fast"].items()}
    diffs = pandas_impl.same_results(got_fast, {k: f() for k, f in pcalls.items()})
    touched = bytes_touched(con, flt, as_of)
    bound_ms = touched["bytes"] / bandwidth * 1000
    return {
        "state": name, "filter": describe(flt), "fast_ms": fast, "cases_sql_ms": cases_sql, "pandas_ms": pand,
        "speedup_vs_pandas": round(pand["total"] / fast["total"], 1),
        "speedup_vs_cases_sql": round(cases_sql["total"] / fast["total"], 1),
        "touched": touched, "bound_ms": round(bound_ms, 3),
        "ratio_to_bound": round(fast["total"] / bound_ms, 2) if bound_ms else None,
        "hex_cells": len(got_fast["hex_density"]),
        "check": "ok" if not diffs else "MISMATCH: " + ", ".join(diffs),
    }


def bench_trial(con: duckdb.DuckDBPyConnection, states: list, as_of: date, repeat: int) -> list[dict]:
    """The trial page's indicators per filter state: median ms of warm runs of each function.

    ``page_ms``: compare + per court + per district (the page for the current filters, target
    150 ms for one year, 300 ms for all years), each round on a new filter state (the periods the
    page's compare computed and kept are forgotten first); ``monthly_trend`` (target 150 ms)
    separately.
    ``answered_by``: 'summary' when the trial cubes answered, 'cases' when the case-table SQL did;
    ``cases_sql_ms``: the four functions once through the case-table SQL (the reference, and the
    figures before the trial cubes), same filter and period.
    """
    out = []
    for state in states:
        name, flt = state[0], state[1]
        start, end = date(flt.year_from, 1, 1), min(date(flt.year_to, 12, 31), as_of)
        if len(state) > 2:  # an explicit period (one ending inside a month, as real data do)
            start, end = state[2]
        if end < start:
            continue
        log(f"  trial: {name}")
        def fresh_compare(f: CaseFilter = flt, s: date = start, e: date = end) -> object:
            ind.cubes.clear_memo()  # a new filter state: nothing kept from the previous round
            return ind.compare(con.cursor(), f, s, e)

        # In page order: compare computes the period (and its 同比/环比) per court x district pair
        # and keeps it; the per-court and per-district tables are rolled up from it.
        fns = {
            "compare": fresh_compare,
            "summary_by_court": lambda f=flt, s=start, e=end: ind.summary(con.cursor(), f, s, e, by="court_code"),
            "summary_by_district": lambda f=flt, s=start, e=end: ind.summary(con.cursor(), f, s, e, by="adcode"),
            "monthly_trend": lambda f=flt, s=start, e=end: ind.monthly_trend(con.cursor(), f, s, e),
        }
        ms = round_robin(fns, repeat, warmup=1)
        page = round(ms["compare"] + ms["summary_by_court"] + ms["summary_by_district"], 3)
        answered = ind.cubes.raw_ingredients(con.cursor(), flt, [(start, end)], "court_code") is not None
        ref: dict[str, float] = {}
        real = ind.cubes.raw_ingredients
        ind.cubes.raw_ingredients = lambda *_a, **_k: None  # type: ignore[assignment]
        try:
            for fname, fn in fns.items():
                t0 = time.perf_counter()
                fn()
                ref[fname] = round((time.perf_counter() - t0) * 1000, 1)
        finally:
            ind.cubes.raw_ingredients = real  # type: ignore[assignment]
        ref["page"] = round(ref["compare"] + ref["summary_by_court"] + ref["summary_by_district"], 1)
        extra = {"period": [str(start), str(end)]} if len(state) > 2 else {}
        out.append({"state": name, "filter": describe(flt), **extra, "ms": ms, "page_ms": page,
                    "answered_by": "summary" if answered else "cases", "cases_sql_ms": ref})
    return out


def bench_payload(con: duckdb.DuckDBPyConnection, states: list, as_of: date) -> dict:
    """Bytes of the map's pydeck JSON (with/without hexagons) and chart specs, built as app.py does."""
    from analytics.choropleth import classify
    from analytics.settings import load_settings
    from ui import charts, deck

    style = load_settings().map_style_url
    out = {}
    for name, flt in (states[0], states[3]):
        stats = maps.district_stats(con, flt, geodata.rate_population(), as_of)
        head = maps.headline(con, flt, as_of)
        classes = classify(stats["cases"].tolist())
        features = deck.district_features(geodata.load_districts(), stats, classes, flt.district, head.window.label)
        hexes = deck.hex_records(maps.hex_density(con, flt))
        plain = deck.build_deck(features, geodata.load_context(), None, style).to_json()
        with_hex = deck.build_deck(features, geodata.load_context(), hexes, style).to_json()
        trend = charts.monthly_line(maps.monthly_trend(con, flt)).to_json()
        top = charts.cause_bars(maps.top_causes(con, flt, 10), "主要案由/罪名").to_json()

        def compact(text: str) -> int:
            return len(json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False).encode())

        out[name] = {
            "hex_cells": len(hexes),
            "deck_json_bytes": len(plain.encode()),
            "deck_json_hex_bytes": len(with_hex.encode()),
            "charts_json_bytes": len(trend.encode()) + len(top.encode()),
            "map_total_bytes": len(plain.encode()) + len(trend.encode()) + len(top.encode()),
            "map_total_hex_bytes": len(with_hex.encode()) + len(trend.encode()) + len(top.encode()),
            # The same JSON without pydeck's indent=2 and \\u escapes (what ui/deck.py could send).
            "deck_json_compact_bytes": compact(plain),
            "deck_json_hex_compact_bytes": compact(with_hex),
        }
    return out


def distinct_views(opts: FilterOptions, n: int) -> list[str]:
    """n different URL query strings (years, categories) for sessions on distinct views."""
    views = []
    years = list(range(opts.year_min, opts.year_max + 1))
    for i in range(n):
        params = {"y": str(years[i % len(years)])}
        if i >= len(years):
            params["cat"] = opts.categories[i % len(opts.categories)]
        views.append(urllib.parse.urlencode(params))
    return views


def bench_options(path: Path, repeat: int = 5) -> dict:
    """Filter options and data span as a page start reads them: a fresh connection each time (ms).

    The figure is the two reads only (``load_options`` + ``maps.data_as_of``, from the metadata
    written at load), median of ``repeat`` fresh connections; opening the file is reported apart.
    """
    open_ms, read_ms = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        con = store.open_store(path, read_only=False)
        t1 = time.perf_counter()
        try:
            load_options(con)
            maps.data_as_of(con)
            t2 = time.perf_counter()
        finally:
            con.close()
        open_ms.append((t1 - t0) * 1000)
        read_ms.append((t2 - t1) * 1000)
    return {"read_ms": round(statistics.median(read_ms), 2), "open_ms": round(statistics.median(open_ms), 1),
            "method": f"fresh connection, load_options + data_as_of, median of {repeat}"}


def bench_size(size: int, args: argparse.Namespace, bandwidth: float) -> dict:
    log(f"== {size:,} cases ==")
    path, info = ensure_store(size, args.cache_dir, args.rebuild)
    con = store.open_store(path, read_only=False)  # as the app: one read-write instance, cursors
    res: dict[str, Any] = {"size": size, "store": info}
    try:
        res["options"] = bench_options(path)
        opts = load_options(con)
        as_of = maps.data_as_of(con)
        states = filter_states(opts)
        log("loading the pandas frame")
        t0 = time.perf_counter()
        frame = pandas_impl.load_cases(con)
        res["pandas"] = {"load_s": round(time.perf_counter() - t0, 2),
                         "frame_mb": round(frame.memory_usage(deep=True).sum() / MB, 1)}
        pm = pandas_impl.PandasMap(frame)
        res["map"] = [bench_map_state(con, name, flt, as_of, args.repeat, pm, bandwidth) for name, flt in states]
        del pm
        del frame
        gc.collect()
        res["trial"] = bench_trial(con, states + mid_month_states(opts), as_of, args.trial_repeat)
        res["payload"] = bench_payload(con, states, as_of)
        views = distinct_views(opts, args.sessions)
    finally:
        con.close()
    log(f"  server: {args.sessions} sessions")
    res["server"] = server.measure_sessions(path, args.sessions, views)
    return res


# --- once ---------------------------------------------------------------------------------


def environment() -> dict:
    import pandas as pd
    import streamlit

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                    text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    mem = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = int(fh.readline().split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit, "dirty": dirty,
        "cpus": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem / 1e9, 1), "python": platform.python_version(),
        "duckdb": duckdb.__version__, "pandas": pd.__version__, "numpy": np.__version__,
        "streamlit": streamlit.__version__, "generator_version": GENERATOR_VERSION,
        "load_average": round(os.getloadavg()[0], 2),  # other work on the machine at the start
    }


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                    help="comma-separated numbers of cases (default 1000000,10000000)")
    ap.add_argument("--repeat", type=int, default=15, help="warm runs per map measurement (median)")
    ap.add_argument("--trial-repeat", type=int, default=3, help="runs per trial-page measurement")
    ap.add_argument("--sessions", type=int, default=10, help="browser sessions for the memory figure")
    ap.add_argument("--startup-scale", type=float, default=1.0,
                    help="data set scale of the start-up measurement (1.0 = the app's default)")
    ap.add_argument("--import-rows", type=int, default=50_000, help="CSV rows for the import figure (0: skip)")
    ap.add_argument("--into-rows", type=int, default=20_000,
                    help="rows of the export imported into the largest store (0: skip)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    ap.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="where generated stores are kept")
    ap.add_argument("--rebuild", action="store_true", help="regenerate stores even if cached")
    ap.add_argument("--page-reps", type=int, default=5, help="browser loads per page for the link-opening figure")
    ap.add_argument("--settle-load", type=float, default=products.SETTLED_LOAD,
                    help="load average to wait for (at most 2 min) before opening links in the browser")
    ap.add_argument("--page-sessions", type=int, default=20, help="concurrent sessions for the link-opening figure")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: startup, import, "
                    + ", ".join(products.PARTS))
    args = ap.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in str(args.sizes).split(",") if s.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"environment": environment(), "repeat": args.repeat,
                               "trial_repeat": args.trial_repeat, "targets": TARGETS}
    log("measuring memory bandwidth")
    results["bandwidth"] = measure_bandwidth()
    bandwidth = results["bandwidth"]["gb_per_s"] * 1e9
    results["sizes"] = [bench_size(size, args, bandwidth) for size in args.sizes]
    with tempfile.TemporaryDirectory(prefix="shuzhu-bench-") as tmp:
        if "startup" not in args.skip:
            log(f"start-up (scale {args.startup_scale})")
            results["startup"] = server.measure_startup(Path(tmp), args.startup_scale)
        if "import" not in args.skip and args.import_rows > 0:
            log(f"import throughput ({args.import_rows:,} rows)")
            results["import"] = import_bench.bench_import(args.import_rows, Path(tmp), ROWS_AT_SCALE_1["1"])
            if args.sizes and args.into_rows > 0:
                big, _ = ensure_store(max(args.sizes), args.cache_dir)  # cached by bench_size above
                log(f"import of {args.into_rows:,} rows into the {max(args.sizes):,}-case store")
                results["import_into"] = import_bench.bench_import_into(big, args.into_rows, Path(tmp),
                                                                        ROWS_AT_SCALE_1["1"])
    if args.sizes and not set(products.PARTS) <= args.skip:
        path, _ = ensure_store(max(args.sizes), args.cache_dir)  # cached by bench_size above
        results["products"] = products.run(path, args.skip, repeat=args.trial_repeat, reps=args.page_reps,
                                           sessions=args.page_sessions, log=log, settle_load=args.settle_load)
    results["targets_met"] = [{"target": t, "figure": f, "met": m} for t, f, m in table.targets(results)]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(table.render(results))
    print(f"\nJSON: {args.json}")
    return results


if __name__ == "__main__":
    main()
