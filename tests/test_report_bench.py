"""The report benchmark runs on the small store and reports its figures (never timed in tests)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import report_bench


def test_report_bench_reports_figures(small_store: Path) -> None:
    got = report_bench.run(small_store, repeat=1)
    assert got["cases"] > 10_000
    assert got["report"]["figures"] == 3 and got["brief"]["figures"] == 5
    for key in ("report", "brief"):
        assert got[key]["cold"]["total_s"] > 0 and got[key]["warm_median_total_s"] > 0
        assert got[key]["bytes"] > 50_000
    assert isinstance(got["within_target"], bool)
