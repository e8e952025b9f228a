"""Timing of the 经济社会运行评估 page's computations (and the catalogue overview).

    .venv/bin/python -m benchmarks.index_bench [DB_PATH] [--repeat N]

``run(db_path)`` returns medians in milliseconds:
* ``history_ms``: the case counts (one scan of ``cases`` per date basis), shrinkage and intervals
  for every index, district and year: what a first visit costs (then cached per year and
  weighting by ``ctx.run``);
* ``assess_ms``: scoring one year from the history (goalposts, weights, aggregation) including
  ``montecarlo_ms``, the 500-draw Monte Carlo;
* ``tables_ms``: the page's display tables from an assessment (cached together with it by
  ``tables.page_data``);
* ``quarterly_ms``: one index by quarter for the drill-down chart (one scan; cached per index and year);
* ``page_cold_ms`` = history + assess + tables + quarterly: the first view of a year after a data change;
* ``page_warm_ms``: a later view (cache hit = pickle round trip, map features, chart specs);
* ``catalogue_overview_ms``: the catalogue page's overview (row counts of every data set).
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geodata
from analytics import catalogue
from analytics.index import assess as A
from analytics.index import montecarlo
from analytics.index import tables as T
from analytics.index.config import load_config
from analytics.store import open_store
from ui import index_charts


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def run(db_path: str | Path, repeat: int = 3) -> dict[str, float | int]:
    """Median timings (ms) of the page's computations on the store at ``db_path``."""
    con = open_store(Path(db_path), read_only=False)  # the app's configuration (nothing is written)
    try:
        cfg = load_config()
        year = A.data_years(con)[-1]
        n_cases = int(con.execute("SELECT count(*) FROM cases").fetchall()[0][0])
        history_ms, hist = _median_ms(lambda: A.history(con, cfg), repeat)
        assess_ms, a = _median_ms(lambda: A.assess_history(hist, cfg, year), repeat)
        panel = A.Panel.of(hist, cfg)
        mc = cfg.method.monte_carlo
        sets = A.np.stack([A.score_year(panel, cfg, [year], k, lo, hi)[0][0]
                           for k in mc.windows for lo, hi in mc.percentiles])
        w = A.index_weights(panel, cfg, "equal")
        m = cfg.method
        montecarlo_ms, _ = _median_ms(lambda: montecarlo.simulate(
            sets, A.membership(cfg), w, draws=mc.draws, seed=mc.seed, spread=mc.weight_spread,
            aggregations=mc.aggregations, floor=m.geo_floor, min_share=m.min_dimension_share,
            min_dimensions=m.min_dimensions), repeat)

        def page_tables() -> None:
            T.score_matrix(a, cfg)
            T.detail_table(a, cfg)
            T.rank_table(a)
            T.weight_table(a, cfg)

        tables_ms, _ = _median_ms(page_tables, repeat)
        data = T.PageData(a, T.score_matrix(a, cfg), T.detail_table(a, cfg), T.rank_table(a), T.weight_table(a, cfg))

        def page_warm() -> None:
            # what a view costs once ``page_data`` is cached: the cache hit (a pickle round trip,
            # as st.cache_data does), the map features and the charts
            got = pickle.loads(pickle.dumps(data))
            values = T.measure_values(got.assessment, T.COMPOSITE)
            index_charts.score_features(geodata.load_districts(), values, None, "综合").__len__()
            index_charts.heatmap(got.matrix)
            index_charts.rank_bands(got.ranks)
            index_charts.small_multiples(got.assessment.dimensions, cfg.dimension_names, geodata.district_names())

        warm_ms, _ = _median_ms(page_warm, repeat)
        quarterly_ms, _ = _median_ms(lambda: A.quarterly(con, cfg.indices[0].id, year), repeat)
        overview_ms, _ = _median_ms(lambda: catalogue.overview(con), repeat)
    finally:
        con.close()
    return {
        "cases": n_cases, "year": year, "history_ms": round(history_ms, 1), "assess_ms": round(assess_ms, 1),
        "montecarlo_ms": round(montecarlo_ms, 1), "tables_ms": round(tables_ms, 1),
        "quarterly_ms": round(quarterly_ms, 1),
        "page_cold_ms": round(history_ms + assess_ms + tables_ms + quarterly_ms, 1), "page_warm_ms": round(warm_ms, 1),
        "catalogue_overview_ms": round(overview_ms, 1),
    }


def main() -> None:
    """Command line: print the timings as JSON."""
    from analytics.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="?", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(run(args.db or load_settings().db_path, args.repeat), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
