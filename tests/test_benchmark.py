"""The benchmark runs end to end at a small size and reports every figure (timings never asserted).

The documented command is run as a subprocess at ~100k cases with one or two repeats; the test
checks that the table is printed and the JSON holds every figure (positive where it is a time,
a size or a rate), and that the fast path agreed with the pandas implementation on every
filter state -- so the benchmark cannot rot unnoticed.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAP_FUNCTIONS = ("district_stats", "hex_density", "headline", "monthly_trend", "top_causes")


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.json"
    cmd = [sys.executable, "-m", "benchmarks.bench", "--sizes", "100000", "--repeat", "2", "--trial-repeat", "1",
           "--sessions", "3", "--startup-scale", "0.03", "--import-rows", "2000",
           "--into-rows", "2000",
           "--page-reps", "1", "--page-sessions", "2", "--settle-load", "1000", "--json", str(out),
           "--cache-dir", str(tmp / "cache")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


@pytest.mark.slow
def test_table_is_printed(run: tuple[dict, str]) -> None:
    _, stdout = run
    for part in ("Map page recompute", "Trial page indicators", "Payload", "server RSS", "Start-up",
                 "Import of", "Targets:", "memory bandwidth", "Products on the largest store", "风险预警",
                 "经济社会运行评估", "default report", "sessions at once"):
        assert part in stdout


@pytest.mark.slow
def test_every_map_figure_is_present(run: tuple[dict, str]) -> None:
    res, _ = run
    assert _positive(res["bandwidth"]["gb_per_s"])
    (size,) = res["sizes"]
    assert size["size"] == 100_000
    assert _positive(size["store"]["rows"]) and _positive(size["store"]["file_bytes"])
    assert size["store"]["summary_cubes"]  # the store was built with its summary tables
    assert len(size["map"]) >= 3
    for state in size["map"]:
        for key in ("fast_ms", "cases_sql_ms", "pandas_ms"):
            assert all(_positive(state[key][f]) for f in (*MAP_FUNCTIONS, "total")), (state["state"], key)
        for key in ("speedup_vs_pandas", "speedup_vs_cases_sql", "bound_ms", "ratio_to_bound"):
            assert _positive(state[key]), (state["state"], key)
        assert _positive(state["touched"]["bytes"])
        assert state["check"] == "ok", state  # the app's results equal the pandas implementation's
    assert _positive(size["pandas"]["frame_mb"])
    for state in size["trial"]:
        assert all(_positive(v) for v in state["ms"].values())


@pytest.mark.slow
def test_payload_memory_startup_import(run: tuple[dict, str]) -> None:
    res, _ = run
    size = res["sizes"][0]
    for p in size["payload"].values():
        for key in ("deck_json_bytes", "deck_json_hex_bytes", "charts_json_bytes", "deck_json_compact_bytes"):
            assert _positive(p[key])
        assert p["deck_json_hex_bytes"] > p["deck_json_bytes"]
    sv = size["server"]
    pay = sv["payload"]
    for key in ("map_page_bytes", "map_page_hex_bytes", "trial_page_bytes", "map_page_deflate_bytes"):
        assert _positive(pay[key])
    assert pay["trial_page_error"] is None
    assert "deck_gl_json_chart" in pay["map_page_by_element"]
    for key in ("rss_idle_mb", "rss_1_session_mb", "rss_3_sessions_mb", "server_ready_s", "first_page_s"):
        assert _positive(sv[key])
    assert math.isfinite(sv["per_extra_session_mb"])  # a difference: may be ~0 either way
    st = res["startup"]
    assert _positive(st["cold_start_s"]) and _positive(st["warm_start_s"])
    im = res["import"]
    assert "skipped" in im or (_positive(im["validate_rows_per_s"]) and _positive(im["import_rows_per_s"]))
    into = res["import_into"]  # an export into (a copy of) the largest store, the refresh timed apart
    assert into["store_rows_before"] == size["store"]["rows"]
    assert 0 < into["refresh_s"] < into["import_s"]
    assert into["inserted"] + into["replaced"] + into["unchanged"] + into["kept"] + into["rejected"] == into["rows"]
    assert {t["target"].split(" ")[0] for t in res["targets_met"]} >= {"map", "each", "first", "later"}


@pytest.mark.slow
def test_product_figures(run: tuple[dict, str]) -> None:
    res, _ = run
    pr = res["products"]
    al = pr["alerts"]
    assert all(_positive(al[k]) for k in ("cube_ms", "surveillance_ms", "month_cold_ms", "month_warm_ms"))
    assert al["series"] > 0 and al["months"] >= 25
    ix = pr["index"]
    assert all(_positive(ix[k]) for k in ("history_ms", "assess_ms", "page_cold_ms", "page_warm_ms"))
    rp = pr["report"]
    assert _positive(rp["report"]["cold"]["total_s"]) and rp["report"]["bytes"] > 10_000
    assert rp["brief"]["figures"] >= 1
    pl = pr["pageload"]
    cpu = pl["server_cpu_per_cached_run"]
    assert all(_positive(cpu[k]["cpu_ms"]) for k in ("map", "trial"))
    for which in ("same_link", "distinct_links"):
        assert pl["concurrent"][which]["errors"] == 0
    if "map_page" in pl["browser"]:
        assert _positive(pl["browser"]["ratio_metric_s"])
    assert pl["settled"]["below"] == 1000 and pl["settled"]["waited_s"] < 5  # any load is below 1000
    wanted = {"alerts", "index", "default", "server"}
    assert wanted <= {t["target"].split(" ")[0] for t in res["targets_met"]}


@pytest.mark.slow
def test_speed2_figures_and_readme_section(run: tuple[dict, str]) -> None:
    from benchmarks import table

    res, _ = run
    size = res["sizes"][0]
    assert _positive(size["options"]["read_ms"])
    mid = [s for s in size["trial"] if s.get("period")]
    assert len(mid) == 2 and all(s["period"][1].endswith("-11-15") for s in mid)
    # every trial state, also those ending inside a month, is answered by the summary tables
    assert {s["answered_by"] for s in size["trial"]} == {"summary"}
    names = [name for name, _fig, _met in table.targets(res)]
    for part in ("trial page (compare + per court + per district), one year", "all years", "monthly trend",
                 "filter options and data span", "rows/s", "import peak memory"):
        assert any(part in n for n in names), part
    md = table.markdown(res)
    assert "| year to 15 Nov, no filter (real-data default) (" in md and "| target | measured | met |" in md
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(table.README_START) == 1 and readme.count(table.README_END) == 1
    new = table.update_readme(readme, res)
    assert md in new and new.split(table.README_START)[0] == readme.split(table.README_START)[0]
