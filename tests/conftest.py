"""Shared fixtures: a small deterministic synthetic store, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.store import build_store, open_store
from seeds.generate import generate_cases, store_meta

SMALL_SCALE = 0.03  # ~50k cases: every code path, a few seconds to build
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def small_cases() -> pd.DataFrame:
    """The generated case frame at small scale (default seed)."""
    return generate_cases(scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory, small_cases: pd.DataFrame) -> Path:
    """Path of a DuckDB store built from ``small_cases`` the way the app builds its default."""
    path = tmp_path_factory.mktemp("store") / "small.duckdb"
    build_store(path, small_cases, store_meta(0, SMALL_SCALE, len(small_cases), 0.0))
    return path


@pytest.fixture()
def con(small_store: Path):
    """A connection to the small store (tests only read)."""
    # Same configuration as the app's shared connection: DuckDB allows one per file per process.
    c = open_store(small_store, read_only=False)
    yield c
    c.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present on this machine")
    return SHARED
