"""The products' figures in the main benchmark run: alerts, index, report, opening a link.

``bench.py`` calls ``run(db_path, ...)`` on the largest store it built, so every figure of the
README table comes from one run; each part is its own module with its own command line
(``benchmarks/alerts_bench.py``, ``index_bench.py``, ``report_bench.py``, ``pageload.py``).
Targets are the issues' (12: alerts of one month ≤ 2 s; 11: the index page ≤ 300 ms; 14: the
default report ≤ 10 s; 10: map page within 1.5× of a minimal page, ≤ 100 ms server CPU per cached
page run, 20 sessions on one link ≤ 2 s median). Timings are printed, never asserted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.pageload import SETTLED_LOAD

TARGETS = {
    "alerts_month_s": 2.0,
    "index_page_ms": 300.0,
    "report_s": 10.0,
    "map_vs_minimal": 1.5,
    "cached_run_cpu_ms": 100.0,
    "same_link_median_s": 2.0,
}
PARTS = ("alerts", "index", "report", "pageload")


def run(db_path: Path, skip: set[str], repeat: int = 3, reps: int = 5, sessions: int = 20,
        log: Any = print, settle_load: float = SETTLED_LOAD) -> dict[str, Any]:
    """Every product figure on the store ``db_path`` (no other process may hold it open)."""
    out: dict[str, Any] = {"store": str(db_path)}
    if "alerts" not in skip:
        from benchmarks import alerts_bench

        log("alerts: one month, cold and warm, and the planted-event evaluation")
        out["alerts"] = alerts_bench.run(db_path, evaluate=True)
    if "index" not in skip:
        from benchmarks import index_bench

        log("index page computations")
        out["index"] = index_bench.run(db_path, repeat=repeat)
    if "report" not in skip:
        from benchmarks import report_bench

        log("default report and brief")
        out["report"] = report_bench.run(db_path, repeat=max(1, repeat - 1))
    if "pageload" not in skip:
        from benchmarks import pageload

        log(f"opening a link: browser vs minimal page, server CPU, {sessions} sessions at once")
        out["pageload"] = pageload.run(db_path, reps=reps, sessions=sessions, settle_below=settle_load)
    return out


def targets(res: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, figure, met) for the product figures present in ``res``."""
    rows: list[tuple[str, str, bool | None]] = []
    al = res.get("alerts")
    if al:
        cold = al["month_cold_ms"] / 1000
        rows.append((f"alerts of one month at {al['cases']:,} cases ≤ {TARGETS['alerts_month_s']:.0f} s "
                     "(first visit; later months from memory)",
                     f"{cold:.2f} s (warm {al['month_warm_ms']:.0f} ms)", cold <= TARGETS["alerts_month_s"]))
    ix = res.get("index")
    if ix:
        rows.append((f"index page ≤ {TARGETS['index_page_ms']:.0f} ms (cached view; Monte Carlo cached per state)",
                     f"{ix['page_warm_ms']:.0f} ms (first view after a data change {ix['page_cold_ms']:,.0f} ms)",
                     ix["page_warm_ms"] <= TARGETS["index_page_ms"]))
    rp = res.get("report")
    if rp:
        cold = rp["report"]["cold"]["total_s"]
        rows.append((f"default report ≤ {TARGETS['report_s']:.0f} s at {rp['cases']:,} cases",
                     f"{cold:.1f} s first, {rp['report']['warm_median_total_s']:.1f} s later",
                     cold <= TARGETS["report_s"]))
    pl = res.get("pageload")
    if pl:
        b = pl.get("browser", {})
        if b.get("ratio_metric_s"):
            worst = max(b["ratio_metric_s"], b["ratio_map_s"] or 0)
            rows.append((f"map page within {TARGETS['map_vs_minimal']}× of a one-metric one-layer page "
                         "(headline and map, headless Chromium)",
                         f"headline ×{b['ratio_metric_s']}, map ×{b['ratio_map_s']}",
                         worst <= TARGETS["map_vs_minimal"]))
        cpu = pl["server_cpu_per_cached_run"]
        worst_cpu = max(v["cpu_ms"] for k, v in cpu.items() if v and k != "minimal_page")
        rows.append((f"server CPU per page run with figures cached ≤ {TARGETS['cached_run_cpu_ms']:.0f} ms "
                     "(map, map with hexagons, trial)", f"{worst_cpu:.0f} ms (worst page)",
                     worst_cpu <= TARGETS["cached_run_cpu_ms"]))
        same = pl["concurrent"]["same_link"]
        first_map = next((v for k, v in same.items() if k[:1].isdigit()), None)
        if first_map:
            rows.append((f"{pl['concurrent']['sessions']} sessions on one link: median load "
                         f"≤ {TARGETS['same_link_median_s']:.0f} s", f"{first_map['median_s']} s "
                         f"(p90 {first_map['p90_s']} s, errors {same['errors']})",
                         first_map["median_s"] <= TARGETS["same_link_median_s"]))
    return rows


def render(res: dict[str, Any]) -> list[str]:
    """Lines of the benchmark table for the product figures."""
    lines = ["", f"Products on the largest store ({res['store']}):"]
    al = res.get("alerts")
    if al:
        lines.append(f"  风险预警: cube {al['cube_ms']:,.0f} ms, surveillance of {al['series']:,} series × "
                     f"{al['months']} months {al['surveillance_ms']:,.0f} ms, repeat parties {al['parties_ms']:,.0f}"
                     f" ms; one month cold {al['month_cold_ms']:,.0f} ms, warm {al['month_warm_ms']:,.0f} ms; "
                     f"{al['alerts_latest']} alerts in {al['latest_month']}")
        ev = al.get("evaluation")
        if isinstance(ev, dict):
            lines.append(f"  planted events: {_evaluation_line(ev)}")
    ix = res.get("index")
    if ix:
        lines.append(f"  经济社会运行评估 ({ix['year']}): history {ix['history_ms']:,.0f} ms, assess "
                     f"{ix['assess_ms']:,.0f} ms (Monte Carlo {ix['montecarlo_ms']:,.0f}), tables "
                     f"{ix['tables_ms']:,.0f} ms, quarterly {ix['quarterly_ms']:,.0f} ms → first view "
                     f"{ix['page_cold_ms']:,.0f} ms, cached view {ix['page_warm_ms']:,.0f} ms; catalogue "
                     f"overview {ix['catalogue_overview_ms']:,.0f} ms")
    rp = res.get("report")
    if rp:
        for name, label in (("report", "default report"), ("brief", "one-page brief")):
            r = rp[name]
            lines.append(f"  {label}: first {r['cold']['total_s']} s (content {r['cold']['content_s']} s + Word "
                         f"{r['cold']['docx_s']} s), later {r['warm_median_total_s']} s; {r['figures']} figures, "
                         f"{r['bytes'] / 1000:,.0f} KB")
    pl = res.get("pageload")
    if pl:
        from benchmarks import pageload

        lines += ["  " + line for line in pageload.render(pl).splitlines()]
    return lines


def _evaluation_line(ev: dict[str, Any]) -> str:
    """One line from ``analytics.alerts.evaluate.evaluate``'s result."""
    recall = ev.get("recall_2x_within_2_months")
    delay = ev.get("mean_delay_months")
    return (f"{ev['surge_plants_2x']} surges ≥2× found within 2 months: "
            f"{'—' if recall is None else f'{recall:.0%}'} (mean delay "
            f"{'—' if delay is None else f'{delay:.1f}'} months); false alarms {ev['false_alarms_per_month']:.2f}"
            f" per month (max {ev['max_false_alarms_in_a_month']}) over {ev['months']} months × {ev['series']} "
            f"series; repeat-party plants found in their crossing month: {ev['parties_found_in_crossing_month']}")
