"""Real browser as an 外部 user (built-in accounts): small counts show as "<10", a case list asked
for shows no case, and no request leaves the app's own server (127.0.0.1)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from browser_support import ARTIFACTS, app_server, assert_local, chromium, require_chromium

from analytics import auth

PW = "correct horse 42"
pytestmark = pytest.mark.browser
require_chromium()
sync_api = pytest.importorskip("playwright.sync_api")

# One cause, one year: several districts have fewer than 10 cases.
NARROW = "?y=2024-2024&cause=危险驾驶罪"
CASE_NO = re.compile(r"\(\d{4}\)苏\d{2,4}[\u4e00-\u9fff]{1,3}\d+号")


@pytest.fixture(scope="module")
def server(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in accounts mode on its own copy of the store, with an 外部 account."""
    db = tmp_path_factory.mktemp("browser_privacy") / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "gov", PW, "外部")
    con.close()
    with app_server(db, {"SHUZHU_ACCESS_MODE": "accounts"}) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


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
    assert_local(requests, server)
    context.close()
