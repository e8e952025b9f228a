"""Real browser: headless Debian Chromium opens the app, sees the map, changes a filter, and no
request leaves the app's own server (the intranet has no internet)."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, FIGURE, ROOT, app_server, assert_local, chromium, require_chromium

pytestmark = pytest.mark.browser
require_chromium()
sync_api = pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def server(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The server process gets its own copy: this pytest process may hold the store open (AppTest),
    # and DuckDB lets only one process open a file for writing.
    db = tmp_path_factory.mktemp("browser") / "store.duckdb"
    shutil.copy(small_store, db)
    with app_server(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _palette_hits(page: object) -> int:
    """How many choropleth palette colours appear on the map (fills are 92% opaque, so near)."""
    png = page.locator('[data-testid="stDeckGlJsonChart"]').first.screenshot()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser_map_canvas.png").write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = [c for n, c in img.getcolors(maxcolors=1 << 22) if n >= 50]  # area colours only
    palette = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
    return sum(any(sum(abs(a - b) for a, b in zip(px, c, strict=True)) < 60 for px in pixels) for c in palette)


def test_map_renders_filter_changes_and_nothing_leaves_the_server(server: str, browser: object) -> None:
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/?y=2016-2025")
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible", timeout=60_000)
    metric = page.locator(FIGURE).first
    metric.wait_for(timeout=60_000)
    page.wait_for_timeout(2_000)  # let deck.gl draw
    before = metric.inner_text()
    # The choropleth is drawn: several palette colours are on the canvas, not a blank map.
    assert _palette_hits(page) >= 3, "district colours not found on the map"

    # The filter in force is shown as text; the widgets open from the filter button.
    caption = page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]').first
    assert caption.inner_text() == "立案年度 2016–2025年；全部案件"
    assert page.locator('[data-testid="stMultiSelect"]').count() == 0  # not drawn before the button is pressed
    # One filter change through the real widget: 案件类别 = 刑事.
    page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button').first.click()
    page.locator('[data-testid="stPopoverBody"] [data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option", name="刑事").click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.innerText !== old; }",
        arg=[FIGURE, before], timeout=30_000,
    )
    assert "cat=" in page.url  # the view is in the URL, ready to share
    assert caption.inner_text() == "立案年度 2016–2025年；案件类别：刑事"
    assert page.locator('[data-testid="stPopoverBody"]').is_visible()  # still open for the next choice
    page.wait_for_timeout(1_500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_map.png"))

    assert_local(requests, server)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def test_clicking_a_district_selects_it(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(server + "/")
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(2_000)
    box = canvas.bounding_box()
    assert box is not None
    # The view is centred on lon 121.0, lat 32.12, inside 通州区.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # deck.gl picks on hover first
    page.wait_for_timeout(500)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('d=320612')", timeout=60_000)
    page.get_by_text("通州 · 月度趋势").wait_for(timeout=60_000)
    page.close()


def test_trial_page_via_navigation_keeps_filters_and_stays_local(server: str, browser: object) -> None:
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/?y=2024-2025&cat=民事")
    page.locator(FIGURE).first.wait_for(timeout=60_000)
    page.get_by_role("link", name="审判执行运行情况").click()
    page.get_by_text("合理区间", exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stMetricValue"]').nth(5).wait_for(timeout=60_000)
    assert "/trial" in page.url and "cat=" in page.url  # the shared filters travel with the link
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_timeout(1_500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_trial.png"), full_page=True)
    assert_local(requests, server)
    page.close()


def _page_paths() -> list[tuple[str, str]]:
    """(url path, label) of every page in the navigation that exists in this checkout."""
    from ui.shell import PAGES

    out = []
    for script, label in PAGES:
        if not (ROOT / script).is_file():
            continue
        stem = Path(script).stem
        out.append(("/" if script == "app.py" else "/" + stem.split("_", 1)[-1], label))
    return out


@pytest.mark.parametrize(("path", "label"), _page_paths())
def test_every_page_renders_without_errors_or_external_requests(
        server: str, browser: object, path: str, label: str) -> None:
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + path + "?y=2024-2025")
    page.locator("h1").first.wait_for(timeout=90_000)
    # Wait until the script run has finished (the status widget shows while it runs).
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(1_500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page_{path.strip('/') or 'map'}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{label}: exception on the page"
    assert_local(requests, server)
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_meeting_mode_fits_the_projector_and_steps_with_the_keyboard(
        server: str, browser: object, width: int, height: int) -> None:
    requests: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/meeting?y=2024")
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="visible", timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(2_000)
    assert not page.locator('[data-testid="stSidebar"]').first.is_visible()  # no sidebar in a meeting
    # Nothing cut off: the title, the map, its legend, the figures and the slide buttons are on screen.
    for name, loc in {
        "title": page.locator("h1").first,
        "map": page.locator('[data-testid="stDeckGlJsonChart"]').first,
        "legend": page.get_by_text("案件数：").first,
        "next": page.get_by_role("button", name="下一页 ▶"),
        "last figure": page.locator(FIGURE).last,
    }.items():
        box = loc.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["y"] >= 0, name
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, f"{name} cut off: {box}"
    # The legend under the map, not drawn over it (on a screen taller than the chart's own height).
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.bounding_box()
    legend = page.get_by_text("案件数：").first.bounding_box()
    assert canvas is not None and legend is not None
    assert legend["y"] >= canvas["y"] + canvas["height"] - 1, f"legend over the map: {legend} {canvas}"
    size = page.locator(FIGURE).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36, f"figures too small for a projector: {size}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting_{width}x{height}.png"))
    page.keyboard.press("PageDown")  # what a presenter's clicker sends
    page.wait_for_function("() => location.search.includes('s=1')", timeout=60_000)
    page.get_by_text("结案率").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_local(requests, server)
    page.close()


def test_import_page_uploads_and_loads_the_sample(server: str, browser: object) -> None:
    # Runs last in this module: it writes the sample into the server's own copy of the store.
    from seeds.samples import SAMPLE_PATH, SAMPLE_ROWS

    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/import")
    page.locator('input[type="file"]').first.wait_for(state="attached", timeout=60_000)
    page.locator('input[type="file"]').first.set_input_files(str(SAMPLE_PATH))
    confirm = page.get_by_role("button", name="确认导入")
    confirm.wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)
    confirm.click()
    page.get_by_text("新增", exact=True).wait_for(timeout=90_000)  # the load's result metrics
    # The sample's case numbers overlap the store's (same generator): some rows are new, some
    # replace a stored version and some are older than it (kept stored); only written rows count.
    summary = page.get_by_text("import done;").first.inner_text()
    m = re.search(r"(\d+) rows: (\d+) accepted.*?(\d+) new, (\d+) replaced, (\d+) unchanged, (\d+) older",
                  summary, re.S)
    assert m, summary
    rows, accepted, new, replaced, unchanged, kept = map(int, m.groups())
    assert rows == accepted == SAMPLE_ROWS == new + replaced + unchanged + kept
    page.goto(server + "/")
    # The banner of every page now says the demo store holds imported rows.
    page.get_by_text(f"其中 {new + replaced:,} 条为导入数据").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_local(requests, server)
    page.close()
