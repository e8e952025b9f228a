"""Timing and evaluation of the 风险预警 computations.

    .venv/bin/python -m benchmarks.alerts_bench [DB_PATH]

``run(db_path)`` returns:
* ``cube_ms``: the monthly count series (one grouped scan of ``cases``: first instances by
  district x cause x month);
* ``surveillance_ms``: Farrington baselines, BH and CUSUM for every series and every month
  (done once per store and config, then kept in memory);
* ``month_cold_ms``: all alerts of the latest month from a cold start (cube + surveillance +
  repeat-party window queries + wording), i.e. the first visit of the page;
* ``month_warm_ms``: all alerts of another month once the surveillance and the repeat-party
  tables are in memory (median of 3), i.e. replaying any month; ``parties_ms``: the repeat-party
  window queries for every month (part of the cold start);
* ``series``, ``months``, ``alerts_latest``: sizes;
* ``evaluation``: ``analytics.alerts.evaluate.evaluate`` on every replayable month, when the
  store was generated with the planted events (``seeds.plants``); ``evaluation_ms``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from analytics.alerts import detect, parties
from analytics.alerts.config import load_alert_config
from analytics.alerts.parties import party_alerts
from analytics.alerts.series import build_cube
from analytics.store import open_store


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def run(db_path: str | Path, evaluate: bool = True) -> dict[str, Any]:
    """Timings (ms) of one month's alerts, cold and warm, and the planted-event evaluation."""
    con = open_store(Path(db_path), read_only=False)  # the app's configuration (nothing is written)
    cfg = load_alert_config()
    detect._MEMO.clear()
    parties._MEMO.clear()
    try:
        out: dict[str, Any] = {"cases": int(con.execute("SELECT count(*) FROM cases").fetchone()[0])}
        t0 = time.perf_counter()
        cube = build_cube(con, cfg.procedure)
        out["cube_ms"] = _ms(t0)
        t0 = time.perf_counter()
        detect.compute(cube, cfg)
        out["surveillance_ms"] = _ms(t0)
        detect._MEMO.clear()
        parties._MEMO.clear()
        t0 = time.perf_counter()
        months = detect.replay_months(con, cfg)
        latest = detect.month_alerts(con, months[0], cfg)
        out["month_cold_ms"] = _ms(t0)
        warm = []
        for m in (months[6], months[12], months[24]):
            t0 = time.perf_counter()
            detect.month_alerts(con, m, cfg)
            warm.append((time.perf_counter() - t0) * 1000)
        out["month_warm_ms"] = round(statistics.median(warm), 1)
        parties._MEMO.clear()
        t0 = time.perf_counter()
        for rule in cfg.rules:
            party_alerts(con, rule, months[0])
        out["parties_ms"] = _ms(t0)
        out.update(series=len(cube.keys), months=len(months), latest_month=months[0], alerts_latest=len(latest))
        if evaluate:
            try:
                from analytics.alerts.evaluate import evaluate as run_eval

                t0 = time.perf_counter()
                ev = run_eval(con, cfg=cfg)
                out["evaluation_ms"] = _ms(t0)
                out["evaluation"] = ev
            except ImportError as err:  # a store without the planted manifest
                out["evaluation"] = f"not run: {err}"
    finally:
        con.close()
    return out


def main() -> None:
    """Command line: print the results as JSON."""
    from analytics.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="?", default=None)
    ap.add_argument("--no-eval", action="store_true")
    args = ap.parse_args()
    print(json.dumps(run(args.db or load_settings().db_path, not args.no_eval), indent=2, ensure_ascii=False,
                     default=str))


if __name__ == "__main__":
    main()
