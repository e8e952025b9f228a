"""Deployment settings: where the case store is, which map style to use, import limits.

Read from environment variables first, then an optional ``shuzhu.toml`` (path in
``SHUZHU_CONFIG``, default ``./shuzhu.toml``), then defaults. A court points the app at its own
store by configuration, never by editing code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Served by Streamlit's static file server (server.enableStaticServing): a blank MapLibre style,
# so the browser never fetches a public basemap style (the intranet has no internet).
BLANK_STYLE_URL = "app/static/blank-style.json"
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    db_path: Path
    map_style_url: str
    import_max_mb: int
    is_default_store: bool
    # Reasonable ranges of court indicators that override the defaults in analytics.indicators
    # ([indicators.ranges.<name>] with min and/or max in shuzhu.toml).
    indicator_ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    # Import: earliest case-number year accepted (the store's earliest year widens it), and the
    # file with the per-installation secret for party pseudonyms (kept outside the store).
    import_first_year: int = 2016
    party_secret_file: Path | None = None
    # Aggregation engine of the summary cubes ([engine] in shuzhu.toml, SHUZHU_ENGINE...): "duckdb"
    # (embedded, the default) or "spark" (analytics/engine: cubes built by Spark from the Parquet
    # case table at ``spark_cases`` on ``spark_master``, loaded into the store as Parquet).
    engine: str = "duckdb"
    spark_master: str = "local[*]"
    spark_cases: str | None = None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Settings from environment, then shuzhu.toml, then defaults."""
    env = dict(os.environ) if env is None else env
    config_path = Path(env.get("SHUZHU_CONFIG", PROJECT_ROOT / "shuzhu.toml"))
    cfg: dict = {}
    if config_path.is_file():
        with config_path.open("rb") as fh:
            cfg = tomllib.load(fh)
    store = cfg.get("store", {})
    default_db = PROJECT_ROOT / "data" / "shuzhu.duckdb"
    db = env.get("SHUZHU_DB") or store.get("path") or str(default_db)
    db_path = Path(db).expanduser()
    if not db_path.is_absolute():
        db_path = PROJECT_ROOT / db_path
    style = env.get("SHUZHU_MAP_STYLE") or cfg.get("map", {}).get("style_url") or BLANK_STYLE_URL
    max_mb = int(env.get("SHUZHU_IMPORT_MAX_MB") or cfg.get("import", {}).get("max_mb", 200))
    ranges = {
        str(name): (_opt_float(b.get("min")), _opt_float(b.get("max")))
        for name, b in cfg.get("indicators", {}).get("ranges", {}).items()
        if isinstance(b, dict)
    }
    imp = cfg.get("import", {})
    first_year = int(env.get("SHUZHU_IMPORT_FIRST_YEAR") or imp.get("first_year", 2016))
    secret = env.get("SHUZHU_SECRET_FILE") or imp.get("secret_file")
    secret_path = Path(secret).expanduser() if secret else PROJECT_ROOT / "data" / ".party_secret"
    if not secret_path.is_absolute():
        secret_path = PROJECT_ROOT / secret_path
    eng = cfg.get("engine", {})
    engine = str(env.get("SHUZHU_ENGINE") or eng.get("kind", "duckdb")).lower()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    return Settings(
        db_path, style, max_mb, db_path.resolve() == default_db.resolve(), ranges, first_year, secret_path,
        engine=engine,
        spark_master=str(env.get("SHUZHU_SPARK_MASTER") or eng.get("master", "local[*]")),
        spark_cases=env.get("SHUZHU_SPARK_CASES") or eng.get("cases") or None,
    )


def _opt_float(value: object) -> float | None:
    """A bound from the config file (None when absent)."""
    return None if value is None else float(value)  # type: ignore[arg-type]
