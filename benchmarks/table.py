"""The benchmark's printed table and its targets (``bench.py`` measures, this module words it)."""

from __future__ import annotations

from benchmarks import products

TARGETS = {"map_recompute_ms": 25.0, "vs_pandas": 10.0, "map_payload_bytes": 300_000,
           "per_session_mb": 50.0, "cold_start_s": 60.0, "warm_start_s": 3.0,
           # issue 10 (Speed II)
           "trial_one_year_ms": 150.0, "trial_all_years_ms": 300.0, "trial_trend_ms": 150.0,
           "options_ms": 10.0, "import_rows_per_s": 150_000, "import_peak_mb": 2048}
MB = 1024 * 1024


def _kb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1000:,.0f} KB"


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, figure, met) for the largest size (and the once-only figures)."""
    rows: list[tuple[str, str, bool | None]] = []
    if results["sizes"]:
        big = max(results["sizes"], key=lambda r: r["size"])
        worst = max(s["fast_ms"]["total"] for s in big["map"])
        rows.append((f"map recompute at {big['store']['rows']:,} cases ≤ {TARGETS['map_recompute_ms']:.0f} ms "
                     "(median, worst state)", f"{worst:.1f} ms", worst <= TARGETS["map_recompute_ms"]))
        slowest = min(s["speedup_vs_pandas"] for s in big["map"])
        rows.append((f"≥ {TARGETS['vs_pandas']:.0f}× faster than pandas (worst state)", f"{slowest:.1f}×",
                     slowest >= TARGETS["vs_pandas"]))
        pay = max(r["server"]["payload"]["map_page_hex_bytes"] for r in results["sizes"])
        pay0 = max(r["server"]["payload"]["map_page_bytes"] for r in results["sizes"])
        wire = max(r["server"]["payload"]["map_page_hex_deflate_bytes"] for r in results["sizes"])
        rows.append((f"map page sends ≤ {TARGETS['map_payload_bytes'] / 1000:.0f} KB (uncompressed, with hexagons)",
                     f"{_kb(pay)} ({_kb(pay0)} without hexagons; ~{_kb(wire)} deflated)",
                     pay <= TARGETS["map_payload_bytes"]))
        per = max(r["server"]["per_extra_session_mb"] for r in results["sizes"])
        rows.append((f"each extra session ≤ {TARGETS['per_session_mb']:.0f} MB", f"{per:.1f} MB",
                     per <= TARGETS["per_session_mb"]))
        rows += _speed2_targets(big)
    im = results.get("import") or {}
    if "import_rows_per_s" in im:
        rows.append((f"import of a valid {im['rows']:,}-row CSV ≥ {TARGETS['import_rows_per_s']:,} rows/s "
                     "(validated and loaded, summary refresh included)",
                     f"{im['import_rows_per_s']:,} rows/s (validation alone {im['validate_rows_per_s']:,})",
                     im["import_rows_per_s"] >= TARGETS["import_rows_per_s"]))
        rows.append((f"import peak memory ≤ {TARGETS['import_peak_mb'] / 1024:.0f} GB", f"{im['peak_rss_mb']:,} MB",
                     im["peak_rss_mb"] <= TARGETS["import_peak_mb"]))
    into = results.get("import_into") or {}
    if "import_s" in into:
        rows.append((f"import of a {into['rows']:,}-row export into the store of {into['store_rows_before']:,} cases "
                     "(no target: the summary refresh in its transaction rebuilds from the whole store)",
                     f"{into['import_s']:.1f} s, of which summary refresh {into['refresh_s']:.1f} s "
                     f"(DuckDB memory limit {into['memory_limit']})", None))
    st = results.get("startup") or {}
    if "cold_start_s" in st:
        rows.append((f"first start ≤ {TARGETS['cold_start_s']:.0f} s (store generated, map shown; scale {st['scale']})",
                     f"{st['cold_start_s']:.1f} s", st["cold_start_s"] <= TARGETS["cold_start_s"]))
        rows.append((f"later start ≤ {TARGETS['warm_start_s']:.0f} s", f"{st['warm_start_s']:.1f} s",
                     st["warm_start_s"] <= TARGETS["warm_start_s"]))
    if results.get("products"):
        rows += products.targets(results["products"])
    return rows


def _one_year(state: dict) -> bool:
    f = state["filter"]
    return f.get("year_from") == f.get("year_to") or "period" in state


def _speed2_targets(big: dict) -> list[tuple[str, str, bool | None]]:
    """Issue 10's targets at the largest size: trial page, trends, filter options."""
    rows: list[tuple[str, str, bool | None]] = []
    rows_at = f"at {big['store']['rows']:,} cases"
    trial = big.get("trial") or []
    for label, pick, key in (("one year", True, "trial_one_year_ms"), ("all years", False, "trial_all_years_ms")):
        states = [s for s in trial if _one_year(s) == pick]
        if states:
            worst = max(states, key=lambda s: s["page_ms"])
            ref = max(s["cases_sql_ms"]["page"] for s in states)
            rows.append((f"trial page (compare + per court + per district), {label}, {rows_at} "
                         f"≤ {TARGETS[key]:.0f} ms (worst state)",
                         f"{worst['page_ms']:.0f} ms ({worst['state']}; case-table SQL up to {ref:,.0f} ms)",
                         worst["page_ms"] <= TARGETS[key]))
    if trial:
        worst_t = max(trial, key=lambda s: s["ms"]["monthly_trend"])
        rows.append((f"monthly trend of the indicators {rows_at} ≤ {TARGETS['trial_trend_ms']:.0f} ms (worst state)",
                     f"{worst_t['ms']['monthly_trend']:.0f} ms ({worst_t['state']})",
                     worst_t["ms"]["monthly_trend"] <= TARGETS["trial_trend_ms"]))
    op = big.get("options")
    if op:
        rows.append((f"filter options and data span at start ≤ {TARGETS['options_ms']:.0f} ms "
                     "(store metadata, no scan)",
                     f"{op['read_ms']:.1f} ms (opening the store {op['open_ms']:.0f} ms)",
                     op["read_ms"] <= TARGETS["options_ms"]))
    return rows


def render(results: dict) -> str:
    env = results["environment"]
    bw = results["bandwidth"]
    lines = [
        f"Shuzhu benchmark · {env['when']} · commit {env['commit']}{' (dirty)' if env['dirty'] else ''}",
        f"{env['cpus']} CPUs ({env['cpu']}), {env['ram_gb']} GB · Python {env['python']}, DuckDB {env['duckdb']}, "
        f"pandas {env['pandas']}, Streamlit {env['streamlit']}",
        f"memory bandwidth {bw['gb_per_s']} GB/s ({bw['method']})",
    ]
    for r in results["sizes"]:
        st = r["store"]
        made = "cached" if st.get("cached") else f"generated {st['generate_s']} s + built {st['build_s']} s"
        lines += ["", f"== {r['size']:,} cases ({st['rows']:,} rows; store {st['file_bytes'] / MB:,.0f} MB, {made}) ==",
                  f"Map page recompute after a filter change, median of {results['repeat']} warm runs (ms):"]
        head = f"  {'filter state':36} {'distr':>6} {'hex':>6} {'head':>6} {'trend':>6} {'top':>6} │ {'TOTAL':>7} │ " \
               f"{'cases SQL':>9} {'pandas':>8} {'×pandas':>8} │ {'bound':>6} {'×bound':>7}  check"
        lines.append(head)
        for s in r["map"]:
            f = s["fast_ms"]
            lines.append(
                f"  {s['state'][:36]:36} {f['district_stats']:6.1f} {f['hex_density']:6.1f} "
                f"{f['headline']:6.1f} {f['monthly_trend']:6.1f} {f['top_causes']:6.1f} │ {f['total']:7.1f} │ "
                f"{s['cases_sql_ms']['total']:9.1f} {s['pandas_ms']['total']:8.1f} "
                f"{s['speedup_vs_pandas']:7.1f}× │ {s['bound_ms']:6.2f} {s['ratio_to_bound']:6.1f}×  {s['check']}")
        lines.append("  (cases SQL: the same five queries over the case table, no summary; bound: bytes a scan of "
                     "the case table must read ÷ bandwidth)")
        pd_ = r["pandas"]
        lines.append(f"  pandas frame: {pd_['frame_mb']:,.0f} MB, loaded in {pd_['load_s']} s")
        if r["trial"]:
            lines.append(f"Trial page indicators, median of {results['trial_repeat']} runs (ms):")
            lines.append(f"  {'filter state':36} {'compare':>8} {'courts':>8} {'distr':>8} │ {'PAGE':>6} │ "
                         f"{'trend':>6} │ {'cases SQL page':>14} {'trend':>8}  answered by")
            for s in r["trial"]:
                m, ref = s["ms"], s["cases_sql_ms"]
                lines.append(f"  {s['state'][:36]:36} {m['compare']:8.0f} {m['summary_by_court']:8.0f} "
                             f"{m['summary_by_district']:8.0f} │ {s['page_ms']:6.0f} │ {m['monthly_trend']:6.0f} │ "
                             f"{ref['page']:14,.0f} {ref['monthly_trend']:8,.0f}  {s['answered_by']}")
        if r.get("options"):
            lines.append(f"Filter options + data span at start: {r['options']['read_ms']} ms "
                         f"({r['options']['method']}; opening the store {r['options']['open_ms']} ms)")
        lines.append("Payload built in-process (pydeck JSON as st.pydeck_chart sends it; Altair specs):")
        for name, p in r["payload"].items():
            lines.append(f"  {name[:36]:36} deck {_kb(p['deck_json_bytes'])}, with {p['hex_cells']:,} hexagons "
                         f"{_kb(p['deck_json_hex_bytes'])} (compact JSON: {_kb(p['deck_json_compact_bytes'])} / "
                         f"{_kb(p['deck_json_hex_compact_bytes'])}); charts {_kb(p['charts_json_bytes'])}")
        sv = r["server"]
        pl = sv["payload"]
        n = sv["sessions"]
        lines += [
            "Real server (streamlit run + websocket sessions):",
            f"  sent to the browser: map page {_kb(pl['map_page_bytes'])} "
            f"(~{_kb(pl['map_page_deflate_bytes'])} deflated), with hexagons {_kb(pl['map_page_hex_bytes'])} "
            f"(~{_kb(pl['map_page_hex_deflate_bytes'])}), trial page {_kb(pl['trial_page_bytes'])} "
            f"(~{_kb(pl['trial_page_deflate_bytes'])})",
            f"  server RSS: idle {sv['rss_idle_mb']:,.0f} MB, 1 session {sv['rss_1_session_mb']:,.0f} MB, "
            f"{n} sessions {sv[f'rss_{n}_sessions_mb']:,.0f} MB → {sv['per_extra_session_mb']:.2f} MB "
            f"per extra session; +{n} on distinct views {sv[f'rss_{2 * n}_sessions_distinct_views_mb']:,.0f} MB"
            f" → {sv['per_extra_session_distinct_views_mb']:.2f} MB each",
            f"  server ready {sv['server_ready_s']} s, first map page {sv['first_page_s']} s, "
            f"first trial page {pl['trial_page_seconds']} s (RSS after it {sv['rss_after_trial_page_mb']:,.0f} MB)",
        ]
    st = results.get("startup")
    if st:
        lines += ["", f"Start-up of a fresh copy of the app ({st['method']}; scale {st['scale']}):",
                  f"  first start {st['cold_start_s']} s; later start {st['warm_start_s']} s (server ready "
                  f"{st['warm_server_ready_s']} s + first map page {st['warm_first_page_s']} s; "
                  f"starts: {st['warm_starts_s']})"]
    im = results.get("import")
    if im:
        if "skipped" in im:
            lines += ["", f"Import: skipped ({im['skipped']})"]
        else:
            lines += ["", f"Import of {im['rows']:,} CSV rows ({im['csv_bytes'] / MB:.1f} MB): validation "
                          f"{im['validate_rows_per_s']:,} rows/s; validation + load into a store of "
                          f"{im['store_rows_before']:,} cases {im['import_rows_per_s']:,} rows/s "
                          f"({im['accepted']:,} accepted, {im['rejected']:,} rejected)"]
    if results.get("products"):
        lines += products.render(results["products"])
    lines += ["", "Targets:"]
    for name, figure, met in targets(results):
        mark = "met" if met else "NOT met" if met is not None else "no target"
        lines.append(f"  [{mark:9}] {name}: {figure}")
    return "\n".join(lines)




# --- the README's performance section, from one run ----------------------------------------

README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def _bandwidth(results: dict) -> str:
    """The machine's memory bandwidth measured in the run: on a shared virtual machine it moves
    between runs (32 to 50 GB/s seen on the same day), and every timing moves with it."""
    gb = (results.get("bandwidth") or {}).get("gb_per_s")
    return f"; memory bandwidth {gb:.1f} GB/s" if gb else ""


def markdown(results: dict) -> str:
    """The README's performance tables from one run's results (``benchmarks/results/latest.json``)."""
    env = results["environment"]
    sizes = sorted(results["sizes"], key=lambda r: r["size"])
    big = sizes[-1] if sizes else None
    lines = [f"One run of `.venv/bin/python -m benchmarks.bench` on {env['when'][:10]} (commit {env['commit']}"
             f"{', dirty' if env['dirty'] else ''}; {env['cpus']} CPUs, {env['ram_gb']} GB; DuckDB {env['duckdb']}, "
             f"pandas {env['pandas']}, Streamlit {env['streamlit']}; synthetic data from `seeds/`; load average "
             f"{env.get('load_average', '—')} at the start{_bandwidth(results)}). Full figures: "
             "`benchmarks/results/latest.json`, committed with this section.", ""]
    if big:
        heads = " | ".join(f"{r['store']['rows'] / 1e6:.1f}M cases" for r in sizes)
        lines += [f"Map page recompute after a filter change (district_stats + hex_density + headline + monthly_trend "
                  f"+ top_causes), median of {results['repeat']} warm runs, ms:", "",
                  f"| filter state | {heads} | {big['store']['rows'] / 1e6:.0f}M, SQL on the case table | "
                  f"{big['store']['rows'] / 1e6:.0f}M, pandas | × pandas |",
                  "|---|" + "---|" * (len(sizes) + 3)]
        for i, s in enumerate(big["map"]):
            cells = " | ".join(f"{r['map'][i]['fast_ms']['total']:.1f}" for r in sizes)
            lines.append(f"| {s['state']} | {cells} | {s['cases_sql_ms']['total']:,.0f} | "
                         f"{s['pandas_ms']['total']:,.0f} | {s['speedup_vs_pandas']:.0f}× |")
        if big.get("trial"):
            lines += ["", f"Trial page at {big['store']['rows']:,} cases (compare + per court + per district = the "
                      "page, in page order on a new filter state: compare computes the period per court x "
                      "district pair, the two tables are rolled up from it; monthly trend separately), median of "
                      f"{results['trial_repeat']} warm runs, ms; the "
                      "case-table SQL (the reference, and the figures before the summary tables) once:", "",
                      "| filter state (period) | page | trend | case-table SQL: page | trend | answered by |",
                      "|---|---|---|---|---|---|"]
            for s in big["trial"]:
                period = f" ({s['period'][0]} – {s['period'][1]})" if s.get("period") else ""
                ref = s["cases_sql_ms"]
                lines.append(f"| {s['state']}{period} | {s['page_ms']:.0f} | {s['ms']['monthly_trend']:.0f} | "
                             f"{ref['page']:,.0f} | {ref['monthly_trend']:,.0f} | {s['answered_by']} |")
    lines += ["", "Targets (the largest store; never asserted in a test):", "", "| target | measured | met |",
              "|---|---|---|"]
    for name, figure, met in targets(results):
        lines.append(f"| {name} | {figure} | {'yes' if met else 'no' if met is not None else '—'} |")
    return "\n".join(lines)


def update_readme(readme: str, results: dict) -> str:
    """``readme`` with the text between the benchmark markers replaced by ``markdown(results)``."""
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
    return readme[:start] + "\n" + markdown(results) + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> None:
    import argparse
    import json
    from pathlib import Path

    ap = argparse.ArgumentParser(description="Print the benchmark table, or write the README's section.")
    ap.add_argument("json", nargs="?", type=Path, default=Path("benchmarks/results/latest.json"))
    ap.add_argument("--readme", type=Path, help="replace the section between the bench markers of this file")
    args = ap.parse_args(argv)
    results = json.loads(args.json.read_text(encoding="utf-8"))
    if args.readme:
        args.readme.write_text(update_readme(args.readme.read_text(encoding="utf-8"), results), encoding="utf-8")
    else:
        print(markdown(results))


if __name__ == "__main__":
    main()
