"""Real browser as an 外部 user (built-in accounts): small counts show as "<10", a case list asked
for shows no case, and no request leaves the app's own server (127.0.0.1)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from analytics import auth

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PW = "correct horse 42"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required in CI: apt-get install chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

# One cause, one year: several districts have fewer than 10 cases.
NARROW = "?y=2024-2024&cause=危险驾驶罪"
CASE_NO = re.compile(r"\(\d{4}\)苏\d{2,4}[\u4e00-\u9fff]{1,3}\d+号")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in accounts mode on its own copy of the store, with an 外部 account."""
    port = _free_port()
    db = tmp_path_factory.mktemp("browser_privacy") / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "gov", PW, "外部")
    con.close()
    env = {**os.environ, "SHUZHU_DB": str(db), "SHUZHU_ACCESS_MODE": "accounts"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-default-apps", "--disable-quic"],
        )
        yield b
        b.close()


def _assert_local(requests: list[str], server: str) -> None:
    host = urlparse(server).netloc
    external = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != host]
    assert requests and not external, f"requests left the server: {external[:5]}"


def _settled(page: object) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(1_000)


def test_external_user_sees_below_ten_and_no_case_list(server: str, browser: object) -> None:
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1600, "height": 1300})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/" + NARROW)
    page.get_by_label("用户名 / User").fill("gov")
    page.get_by_label("密码 / Password").fill(PW)
    page.get_by_role("button", name="登录 / Sign in").click()
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible", timeout=90_000)
    _settled(page)
    body = page.locator("body").inner_text()
    assert "<10 不公开" in body, "the map's legend should name the suppressed districts"
    assert "外部" in page.locator('[data-testid="stSidebar"]').inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_privacy_map.png"))

    # The trial page by URL (the session cookie keeps the sign-in), then a court's case list.
    page.goto(server + "/trial" + NARROW)
    page.get_by_text("合理区间", exact=True).first.wait_for(timeout=90_000)
    _settled(page)
    court = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has_text=re.compile(r"^\s*法院\s*$")).first
    court.click()
    page.keyboard.type("如皋")
    page.keyboard.press("Enter")
    page.get_by_text("外部用户只能查看汇总数据", exact=False).first.wait_for(timeout=60_000)
    _settled(page)
    body = page.locator("body").inner_text()
    assert "共显示 0 件" in body
    assert not CASE_NO.search(body), "a case number reached the page"
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "browser_privacy_trial.png"), full_page=True)
    _assert_local(requests, server)
    context.close()
