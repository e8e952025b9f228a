"""Deployment settings: where the case store is, which map style to use, import limits.

Read from environment variables first, then an optional ``shuzhu.toml`` (path in
``SHUZHU_CONFIG``, default ``./shuzhu.toml``), then defaults. A court points the app at its own
store by configuration, never by editing code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Served by Streamlit's static file server (server.enableStaticServing): a blank MapLibre style,
# so the browser never fetches a public basemap style (the intranet has no internet).
BLANK_STYLE_URL = "app/static/blank-style.json"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    db_path: Path
    map_style_url: str
    import_max_mb: int
    is_default_store: bool


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
    return Settings(db_path, style, max_mb, db_path.resolve() == default_db.resolve())
