"""Deployment settings: environment first, then shuzhu.toml, then defaults."""

from __future__ import annotations

from pathlib import Path

from analytics.settings import BLANK_STYLE_URL, PROJECT_ROOT, load_settings


def test_defaults_use_the_embedded_store_and_the_blank_style(tmp_path: Path) -> None:
    s = load_settings({"SHUZHU_CONFIG": str(tmp_path / "absent.toml")})
    assert s.db_path == PROJECT_ROOT / "data" / "shuzhu.duckdb"
    assert s.is_default_store
    assert s.map_style_url == BLANK_STYLE_URL
    assert s.import_max_mb == 200


def test_config_file_points_at_another_store(tmp_path: Path) -> None:
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text(
        '[store]\npath = "/srv/court/cases.duckdb"\n[map]\nstyle_url = "http://gis.intranet/style.json"\n'
        "[import]\nmax_mb = 50\n",
        encoding="utf-8",
    )
    s = load_settings({"SHUZHU_CONFIG": str(cfg)})
    assert s.db_path == Path("/srv/court/cases.duckdb")
    assert not s.is_default_store
    assert s.map_style_url == "http://gis.intranet/style.json"
    assert s.import_max_mb == 50


def test_environment_wins_over_the_file_and_relative_paths_are_from_the_project(tmp_path: Path) -> None:
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text('[store]\npath = "/srv/court/cases.duckdb"\n', encoding="utf-8")
    s = load_settings({"SHUZHU_CONFIG": str(cfg), "SHUZHU_DB": "data/other.duckdb", "SHUZHU_IMPORT_MAX_MB": "7"})
    assert s.db_path == PROJECT_ROOT / "data" / "other.duckdb"
    assert s.import_max_mb == 7


def test_indicator_ranges_from_the_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text(
        "[indicators.ranges.on_time_rate]\nmin = 0.95\n"
        "[indicators.ranges.mediation_withdrawal_rate]\nmin = 0.4\nmax = 0.7\n",
        encoding="utf-8",
    )
    s = load_settings({"SHUZHU_CONFIG": str(cfg)})
    assert s.indicator_ranges == {"on_time_rate": (0.95, None), "mediation_withdrawal_rate": (0.4, 0.7)}
