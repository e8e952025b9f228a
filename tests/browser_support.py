"""What every headless-browser test module shares: the app on its own local server (the
benchmark's ``benchmarks.server.running``), Debian's Chromium with the benchmark's flags
(``benchmarks.pageload``), and the check that no request left the app's own host."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks.pageload import CHROMIUM, CHROMIUM_ARGS
from benchmarks.pageload import FIGURE as FIGURE  # a headline figure on any page (re-exported for the tests)
from benchmarks.server import running

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"


def require_chromium() -> None:
    """Skip the calling module without Chromium on a workstation; fail in CI, which installs it."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required in CI: apt-get install chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@contextmanager
def app_server(db: Path, env: Mapping[str, str | None] | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on 127.0.0.1 over the store ``db``; yields its base URL.

    ``env``: variables to set, or to remove (None). The store should be the server's own copy:
    DuckDB lets one process open a file for writing, and the test process may hold it (AppTest).
    """
    with running(ROOT, {**(env or {}), "SHUZHU_DB": str(db)}) as server:
        yield f"http://127.0.0.1:{server.port}"


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (``executable_path``, never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def assert_local(requests: list[str], server: str) -> None:
    """Every http(s)/ws(s) request went to the app's own host (the intranet has no internet)."""
    host = urlparse(server).netloc
    external = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != host]
    assert requests and not external, f"requests left the server: {external[:5]}"
