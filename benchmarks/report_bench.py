"""Benchmark of the default report: content (analytics), charts + .docx (writer), and in total.

    .venv/bin/python -m benchmarks.report_bench [--db PATH] [--repeat 3]

``run(db_path)`` times the default report the page offers (审判执行运行情况, all cases, the last
filing year up to the last day with data) and the one-page brief, cold (first call in this
process: font registration, imports) and warm (median of ``repeat`` runs). Target: the default
report in ≤ 10 s at the default data size (about 1.66 million cases). Without ``--db`` the
configured store (``analytics.settings.load_settings``) is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

from analytics import maps
from analytics.filters import default_filter, load_options
from analytics.report import build_report
from analytics.settings import load_settings
from analytics.store import open_store
from ui.docx_writer import write_docx

TARGET_S = 10.0


def _once(con: object, brief: bool) -> dict[str, float | int]:
    """One report: seconds for the content and for the writer, and the file size."""
    opts = load_options(con)  # type: ignore[arg-type]
    flt = default_filter(opts)
    as_of = maps.data_as_of(con)  # type: ignore[arg-type]
    start, end = dt.date(flt.year_from, 1, 1), min(dt.date(flt.year_to, 12, 31), as_of)
    c0, t0 = time.process_time(), time.perf_counter()
    rep = build_report(con, "trial", flt, start, end, brief=brief)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    data = write_docx(rep)
    t2, c2 = time.perf_counter(), time.process_time()
    # cpu_s: CPU time of this process (all threads), a figure that a busy machine inflates less
    return {"content_s": round(t1 - t0, 3), "docx_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3),
            "cpu_s": round(c2 - c0, 3), "bytes": len(data), "figures": len(rep.figures())}


def run(db_path: str | Path, repeat: int = 3) -> dict:
    """Timings of the default report and the brief on the store at ``db_path``."""
    con = open_store(Path(db_path), read_only=False)  # the app's configuration (nothing is written)
    try:
        rows = int(con.execute("SELECT count(*) FROM cases").fetchone()[0])  # type: ignore[index]
        out: dict = {"cases": rows, "target_s": TARGET_S}
        for name, brief in (("report", False), ("brief", True)):
            cold = _once(con, brief)
            warm = [_once(con, brief) for _ in range(max(1, repeat))]
            out[name] = {
                "cold": cold,
                "warm_median_total_s": round(statistics.median(w["total_s"] for w in warm), 3),
                "warm_median_content_s": round(statistics.median(w["content_s"] for w in warm), 3),
                "warm_median_docx_s": round(statistics.median(w["docx_s"] for w in warm), 3),
                "warm_median_cpu_s": round(statistics.median(w["cpu_s"] for w in warm), 3),
                "bytes": warm[-1]["bytes"],
                "figures": warm[-1]["figures"],
            }
        out["within_target"] = out["report"]["cold"]["total_s"] <= TARGET_S
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]  # a busy machine slows every figure
        return out
    finally:
        con.close()


def main() -> None:
    p = argparse.ArgumentParser(description="time the default report")
    p.add_argument("--db", type=Path, default=None, help="store (default: the configured one)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(json.dumps(run(args.db or load_settings().db_path, args.repeat), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
