"""Real browser, sign-in and roles (issue 15): built-in accounts (a 法院 user sees only their court's
cases, five wrong passwords lock the account, sign-out ends the session), the proxy header (ignored
from an untrusted address, accepted from a trusted one), the audit row of each event, and the
meeting slides at projector sizes.

Every test starts its own server (headless Streamlit on 127.0.0.1) on its own copy of the small
store, stops it, and then reads the audit log from that copy (DuckDB lets one process write a file).
No request may leave 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from browser_support import ARTIFACTS, FIGURE, ROOT, app_server, assert_local, chromium, require_chromium

from analytics import audit, auth

DOCS = ROOT / "docs"
pytestmark = pytest.mark.browser
require_chromium()
sync_api = pytest.importorskip("playwright.sync_api")

PW = "correct horse 42"
OWN = "苏0682"  # 如皋法院
WAIT = 90_000


@contextmanager
def served(db: Path, **env: str) -> Iterator[str]:
    """A Streamlit server on 127.0.0.1 over ``db`` with only the given SHUZHU_ settings."""
    clean: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SHUZHU_")}
    with app_server(db, {**clean, "SHUZHU_CONFIG": str(db.parent / "none.toml"), **env}) as base:
        yield base


@pytest.fixture
def store_copy(small_store: Path, tmp_path: Path) -> Path:
    """A copy of the small store with three accounts (the server process writes to it)."""
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "rugao", PW, "法院", [OWN])
    auth.add_user(con, "gov", PW, "外部")
    auth.add_user(con, "admin", PW, "管理员")
    con.close()
    return db


def _events(db: Path) -> list[tuple[str, str, str]]:
    """(user, event, detail) of the audit log, oldest first; the hash chain must be intact."""
    con = duckdb.connect(str(db))  # (the audit module creates its table if absent)
    try:
        check = audit.verify(con)
        assert check.ok, f"audit chain broken at row {check.first_bad}"
        log = audit.read(con, limit=10_000)
    finally:
        con.close()
    return [(str(u), str(e), str(d)) for u, e, d in zip(log["用户"], log["事件"], log["内容"], strict=True)][::-1]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


class Local:
    """A browser context that records every request; ``check()`` fails on any leaving the server."""

    def __init__(self, browser: object, base: str, **context: object) -> None:
        self.base, self.requests = base, []
        self.context = browser.new_context(**context)
        self.context.on("request", lambda r: self.requests.append(r.url))

    def page(self, width: int = 1500, height: int = 1100) -> object:
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        return page

    def check(self) -> None:
        assert_local(self.requests, self.base)
        self.context.close()


def _idle(page: object) -> None:
    """Wait until the script run has finished (the status widget shows while it runs)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT)
    page.wait_for_timeout(500)


def _sign_in(page: object, name: str, pw: str) -> None:
    """Submit the form and wait for the run it starts to end (the next attempt must not cut it short)."""
    page.get_by_label("用户名 / User").fill(name)
    page.get_by_label("密码 / Password").fill(pw)
    page.get_by_role("button", name="登录 / Sign in").click()
    with contextlib.suppress(sync_api.TimeoutError):  # (the run may end before the indicator shows)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="visible", timeout=3_000)
    _idle(page)


def _no_exception(page: object) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _grid_text(page: object, header: str) -> str:
    """The text of the data grid with this column (Glide renders an accessible table of its cells)."""
    grid = page.locator("[data-testid='stDataFrame'] table").filter(has_text=header).first
    grid.wait_for(state="attached", timeout=WAIT)
    return str(grid.text_content())


# --- built-in accounts ------------------------------------------------------------------------


def test_court_user_sees_only_their_courts_case_list(browser: object, store_copy: Path) -> None:
    with served(store_copy, SHUZHU_ACCESS_MODE="accounts") as base:
        ctx = Local(browser, base)
        page = ctx.page()
        page.goto(base + "/trial?y=2024&court=苏0623")  # a hand-made link asking for 如东法院
        page.get_by_text("数助 · 登录").wait_for(timeout=WAIT)
        assert page.locator(FIGURE).count() == 0  # nothing before signing in
        _sign_in(page, "rugao", PW)
        page.get_by_text("案件明细").first.wait_for(timeout=WAIT)
        assert page.get_by_text("当前用户：rugao · 法院（苏0682）").count() == 1
        month = page.locator('[data-testid="stSelectbox"]').filter(has_text="月份").first
        month.click()
        page.keyboard.type("2024-12")  # the list is virtualised: filter it, then take the match
        page.get_by_role("option", name="2024-12").wait_for(timeout=WAIT)
        page.keyboard.press("Enter")
        page.get_by_text("共显示").first.wait_for(timeout=WAIT)
        _idle(page)
        text = _grid_text(page, "案号")
        assert text.count("(2024)苏0682") >= 5 and "如皋法院" in text
        for other in ("苏0623", "苏0602", "苏0612", "苏0681", "苏0684", "苏0685", "如东法院", "崇川法院", "启东法院"):
            assert other not in text, f"{other} in the court user's case list"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "access_court_user_trial.png"), full_page=True)
        _no_exception(page)
        ctx.check()
    assert ("rugao", "sign_in", "accounts") in _events(store_copy)


def test_five_wrong_passwords_lock_the_account(browser: object, store_copy: Path) -> None:
    with served(store_copy, SHUZHU_ACCESS_MODE="accounts") as base:
        ctx = Local(browser, base)
        page = ctx.page()
        page.goto(base + "/")
        page.get_by_text("数助 · 登录").wait_for(timeout=WAIT)
        error = page.locator('[data-testid="stAlertContentError"]')
        for k in range(4):
            _sign_in(page, "gov", f"wrong password {k}")
            error.filter(has_text="用户名或密码错误").wait_for(timeout=WAIT)
        _sign_in(page, "gov", "wrong password 4")
        error.filter(has_text="连续 5 次密码错误，账号锁定").wait_for(timeout=WAIT)
        _sign_in(page, "gov", PW)  # the right password, too late
        error.filter(has_text="账号已锁定至").wait_for(timeout=WAIT)
        assert page.get_by_text("数助 · 登录").count() == 1
        assert page.locator(FIGURE).count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "access_locked.png"))
        _no_exception(page)
        ctx.check()
    gov = [(e, d) for u, e, d in _events(store_copy) if u == "gov"]
    assert [e for e, _ in gov] == ["sign_in_failed"] * 4 + ["locked", "locked"]
    assert "锁定" in gov[4][1]


def test_sign_out_then_reload_asks_for_sign_in_again(browser: object, store_copy: Path) -> None:
    with served(store_copy, SHUZHU_ACCESS_MODE="accounts") as base:
        ctx = Local(browser, base)
        page = ctx.page()
        page.goto(base + "/")
        _sign_in(page, "admin", PW)
        page.locator(FIGURE).first.wait_for(timeout=WAIT)
        page.reload()  # the session cookie keeps a signed-in browser signed in
        page.locator(FIGURE).first.wait_for(timeout=WAIT)
        assert page.get_by_text("数助 · 登录").count() == 0
        page.get_by_role("button", name="退出登录 / Sign out").click()
        _idle(page)
        page.reload()
        page.get_by_text("数助 · 登录").wait_for(timeout=WAIT)
        _idle(page)
        assert page.locator(FIGURE).count() == 0
        _no_exception(page)
        ctx.check()
    admin = [e for u, e, _ in _events(store_copy) if u == "admin"]
    # the page views in between (one per session: the reload opened a new one) are audited too
    assert [e for e in admin if e != "view"] == ["sign_in", "sign_out"]
    assert admin[0] == "sign_in" and admin[-1] == "sign_out" and admin.count("view") >= 1


# --- trusted proxy header ---------------------------------------------------------------------


def test_proxy_header_from_an_untrusted_address_is_ignored(browser: object, store_copy: Path) -> None:
    # The test server sees the browser at 127.0.0.1, which this setting does not trust.
    with served(store_copy, SHUZHU_ACCESS_MODE="proxy", SHUZHU_TRUSTED_PROXIES="10.20.0.0/16") as base:
        ctx = Local(browser, base, extra_http_headers={"X-Remote-User": "rugao"})
        page = ctx.page()
        page.goto(base + "/")
        page.get_by_text("未通过统一身份认证").wait_for(timeout=WAIT)
        _idle(page)
        assert page.locator(FIGURE).count() == 0
        assert page.get_by_text("当前用户：rugao").count() == 0
        _no_exception(page)
        ctx.check()
    events = _events(store_copy)
    assert ("?", "sign_in_failed", "proxy header missing or untrusted peer 127.0.0.1") in events
    assert not [e for e in events if e[0] == "rugao"]


def test_proxy_header_from_a_trusted_address_is_accepted(browser: object, store_copy: Path) -> None:
    with served(store_copy, SHUZHU_ACCESS_MODE="proxy", SHUZHU_TRUSTED_PROXIES="127.0.0.1/32,::1/128") as base:
        ctx = Local(browser, base, extra_http_headers={"X-Remote-User": "rugao"})
        page = ctx.page()
        page.goto(base + "/trial?y=2024")
        page.get_by_text("当前用户：rugao · 法院（苏0682）").wait_for(timeout=WAIT)
        page.locator(FIGURE).first.wait_for(timeout=WAIT)
        _no_exception(page)
        ctx.check()
        anonymous = Local(browser, base)  # the same trusted address without the header: refused
        page = anonymous.page()
        page.goto(base + "/")
        page.get_by_text("未通过统一身份认证").wait_for(timeout=WAIT)
        anonymous.check()
    events = _events(store_copy)
    assert ("rugao", "sign_in", "proxy 127.0.0.1") in events
    assert ("?", "sign_in_failed", "proxy header missing or untrusted peer 127.0.0.1") in events


# --- meeting mode: every slide at projector sizes -----------------------------------------------

SLIDES = {"map": "案件分布", "trial": "审判执行", "alerts": "风险预警", "index": "经济社会运行"}


def _busiest_alert_month(db: Path) -> str:
    """A month with several alerts (the latest month of the small store may have none)."""
    from analytics.alerts import detect
    from analytics.alerts.config import load_alert_config

    con = duckdb.connect(str(db), read_only=True)
    try:
        cfg = load_alert_config()
        months = detect.replay_months(con, cfg)[:24]
        return max(months, key=lambda m: len(detect.month_alerts(con, m, cfg)))
    finally:
        con.close()


def _on_screen(page: object, name: str, loc: object, width: int, height: int) -> None:
    box = loc.bounding_box()
    assert box is not None, name
    assert box["x"] >= 0 and box["y"] >= 0, f"{name} off screen: {box}"
    assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, f"{name} cut off: {box}"


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_meeting_slides_fit_the_projector(browser: object, store_copy: Path, width: int, height: int) -> None:
    month = _busiest_alert_month(store_copy)
    with served(store_copy) as base:
        ctx = Local(browser, base)
        page = ctx.page(width, height)
        page.goto(base + f"/meeting?y=2024&am={month}")
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible", timeout=WAIT)
        for i, slide in enumerate(SLIDES):
            if i:
                page.keyboard.press("PageDown")  # what a presenter's clicker sends
                page.wait_for_function(f"() => new URLSearchParams(location.search).get('s') === '{i}'",
                                       timeout=WAIT)
            page.locator("h1").filter(has_text=SLIDES[slide]).wait_for(timeout=WAIT)
            _idle(page)
            page.wait_for_timeout(1_500 if slide == "map" else 500)
            assert not page.locator('[data-testid="stSidebar"]').first.is_visible()
            parts = {"title": page.locator("h1").first, "next": page.get_by_role("button", name="下一页 ▶"),
                     "last figure": page.locator(FIGURE).last}
            if slide == "map":
                parts["map"] = page.locator('[data-testid="stDeckGlJsonChart"]').first
            if slide in ("alerts", "index"):
                parts["table"] = page.locator("table.meeting-list").first
                parts["note"] = page.locator(".meeting-note").last
            for name, loc in parts.items():
                _on_screen(page, f"{slide}: {name}", loc, width, height)
            size = page.locator(FIGURE).first.evaluate(
                "e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 36, f"{slide}: figures too small for a projector: {size}px"
            if slide in ("alerts", "index"):
                cell = page.locator("table.meeting-list td").first.evaluate(
                    "e => parseFloat(getComputedStyle(e).fontSize)")
                assert cell >= 18, f"{slide}: table text too small for a projector: {cell}px"
            if slide == "alerts":
                assert page.locator("table.meeting-list tr").count() >= 3  # header and at least two alerts
            if slide == "index":
                assert page.locator("table.meeting-list tr").count() == 8  # header and the seven districts
            _no_exception(page)
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"meeting_{slide}_{width}x{height}.png"
            page.screenshot(path=str(shot))
            if slide == "map":
                DOCS.mkdir(exist_ok=True)
                shutil.copy(shot, DOCS / f"meeting_{width}x{height}.png")
        page.keyboard.press("PageUp")
        page.wait_for_function("() => new URLSearchParams(location.search).get('s') === '2'", timeout=WAIT)
        ctx.check()
