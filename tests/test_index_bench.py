"""The index benchmark runs on the small store and reports every figure (never timed)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import index_bench


def test_index_bench_reports_figures(small_store: Path) -> None:
    got = index_bench.run(small_store, repeat=1)
    for key in ("history_ms", "assess_ms", "montecarlo_ms", "tables_ms", "quarterly_ms", "page_cold_ms",
                "page_warm_ms", "catalogue_overview_ms"):
        assert got[key] > 0, key
    assert got["cases"] > 10_000 and got["year"] == 2025
