"""Issue 10, opening a link and many people at once: the caches the map page draws from, and the
page-load benchmark's own pieces (no timing is asserted here)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

import geodata
from analytics.choropleth import PALETTE

ROOT = Path(__file__).resolve().parents[1]


def _hand_stats() -> pd.DataFrame:
    """Cases 100, 200, ..., 700 in display order; per 10k the reverse (70, 60, ..., 10)."""
    codes = list(geodata.DISTRICT_ADCODES)
    return pd.DataFrame({"adcode": codes, "cases": [100 * (i + 1) for i in range(7)],
                         "per_10k": [10.0 * (7 - i) for i in range(7)], "yoy": [0.1] * 7})


def _fills(text: str) -> dict[int, list[int]]:
    spec = json.loads(text)
    layer = next(la for la in spec["layers"] if la["id"] == "districts")
    return {f["properties"]["adcode"]: f["properties"]["fill"] for f in layer["data"]["features"]}


def test_district_map_colours_by_the_chosen_figure() -> None:
    """By hand: 7 distinct values give 5 classes; by cases the first district (崇川, 100) is the
    lightest and the last (启东, 700) the darkest; by rate (70 ... 10) the other way round."""
    from ui import deck

    codes = list(geodata.DISTRICT_ADCODES)
    first, last = codes[0], codes[-1]
    by_count, classes = deck.district_map(_hand_stats(), "count", last, "同比", None, "app/static/x.json")
    fills = _fills(by_count.to_json())
    assert fills[first] == [*PALETTE[0], 235] and fills[last] == [*PALETTE[-1], 235]
    assert len(classes.legend("{:,.0f}")) == 5
    by_rate, _ = deck.district_map(_hand_stats(), "rate", None, "同比", None, "app/static/x.json")
    fills = _fills(by_rate.to_json())
    assert fills[first] == [*PALETTE[-1], 235] and fills[last] == [*PALETTE[0], 235]
    spec = json.loads(by_count.to_json())
    assert [la["id"] for la in spec["layers"]] == ["context", "districts", "district_labels"]
    assert spec["mapStyle"] == "app/static/x.json"
    widths = {f["properties"]["adcode"]: f["properties"]["width"] for f in spec["layers"][1]["data"]["features"]}
    assert widths[last] == 3 and widths[first] == 1  # the selected district is outlined
    assert by_count.to_json() == deck.district_map(_hand_stats(), "count", last, "同比", None,
                                                   "app/static/x.json")[0].to_json()
    assert by_count.layers == [] and by_count._tooltip == deck.TOOLTIP
    # One label layer: the 7 district names (20 px) and the neighbours' (13 px).
    names = {row["t"]: row["s"] for row in spec["layers"][2]["data"]}
    assert {names[n] for n in geodata.district_names().values() if n in names} == {20}
    assert sum(size == 20 for size in names.values()) == 7 and 13 in names.values()


def test_district_map_with_hexagons() -> None:
    """Two cells with 1 and 9 cases: the hexagon layer carries both counts; districts fade to 0.35."""
    from ui import deck

    hexes = pd.DataFrame({"h3": ["8731aa000ffffff", "8731aa001ffffff"], "cases": [1, 9]})
    text = deck.district_map(_hand_stats(), "count", None, "同比", hexes, "s.json")[0].to_json()
    layers = {la["id"]: la for la in json.loads(text)["layers"]}
    assert [d["n"] for d in layers["hex"]["data"]] == [1, 9]
    assert layers["districts"]["opacity"] == 0.35


def _charts_page() -> None:
    import pandas as pd
    import streamlit as st

    from ui import charts
    from ui.widgets import chart

    df = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "cases": [3, 5]})
    st.altair_chart(charts.monthly_line(df), width="stretch")
    chart(charts.monthly_line, df)
    top = pd.DataFrame({"cause": ["盗窃罪", "诈骗罪"], "cases": [7, 2], "share": [0.7, 0.2]})
    st.altair_chart(charts.cause_bars(top, "主要案由"), width="stretch")
    chart(charts.cause_bars, top, "主要案由")


def test_cached_chart_sends_what_altair_chart_sends() -> None:
    at = AppTest.from_function(_charts_page, default_timeout=60).run()
    assert not at.exception
    protos = [c.proto for c in at.get("vega_lite_chart")]
    assert len(protos) == 4
    for direct, cached in (protos[0:2], protos[2:4]):
        assert json.loads(cached.spec) == json.loads(direct.spec)
        assert [d.data.data for d in cached.datasets] == [d.data.data for d in direct.datasets]
    assert json.loads(protos[3].spec)["title"] == "主要案由"
    assert json.loads(protos[1].spec)["mark"]["type"] == "line"


def _downloads_page() -> None:
    from types import SimpleNamespace

    import pandas as pd

    from analytics.auth import LOCAL_USER
    from ui import widgets

    widgets._filters = lambda ctx: "{}"  # no store behind this page: only what the helper reads of Ctx
    ctx = SimpleNamespace(user=LOCAL_USER, page="t", settings=SimpleNamespace(db_path="unused"),
                          gate=lambda df, *args, **kwargs: df)
    widgets.download_buttons(ctx, pd.DataFrame({"区县": ["崇川"], "案件数": [3]}), "表", key="t_dl")


def test_download_files_are_made_on_click_not_on_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import widgets

    made: list[str] = []
    monkeypatch.setattr(widgets, "watermarked_xlsx", lambda df, mark: made.append("xlsx") or b"x")
    monkeypatch.setattr(widgets, "watermarked_csv", lambda df, mark: made.append("csv") or b"c")
    monkeypatch.setattr(widgets, "_filters", widgets._filters)  # the page replaces it; restored after
    at = AppTest.from_function(_downloads_page, default_timeout=60).run()
    assert not at.exception
    assert [b.proto.id.endswith(k) or k in b.proto.id for b, k in
            zip(at.get("download_button"), ("t_dl_csv", "t_dl_xlsx"), strict=True)] == [True, True]
    assert made == []  # nothing built until a button is clicked


def test_map_page_still_has_its_parts(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached map page draws what it drew before: 4 figures, the map with its layers, the
    legend, two charts (inline SVG), the district table (every district) and its two downloads."""
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert len(headline(at)) == 4
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert {"districts", "district_labels"} <= {la["id"] for la in spec["layers"]}
    assert any("案件数" in m.value and "rgb" in m.value for m in at.markdown)  # the legend
    assert not at.get("vega_lite_chart")  # the two charts are inline SVG (ui/svg_charts.py)
    charts = [m.value for m in at.markdown if "<svg" in m.value]
    assert len(charts) == 2 and "月度新收案件" in charts[0] and "主要案由/罪名" in charts[1]
    assert len(at.get("download_button")) == 2
    assert set(geodata.district_names()[a] for a in geodata.DISTRICT_ADCODES) <= set(at.dataframe[0].value["区县"])
    assert any("点击区县查看详情" in c.value for c in at.caption)


def test_palette_hits_counts_palette_areas() -> None:
    """A hand-made 30x30 image: three palette colours on 300 pixels each (one off by 10 in
    red, still near) and a grey: 3 hits; a 7-pixel speck of a fourth colour does not count."""
    from PIL import Image

    from benchmarks.pageload import palette_hits

    img = Image.new("RGB", (30, 30), (238, 242, 245))
    px = img.load()
    for x in range(30):
        for y in range(10):
            px[x, y] = (255, 255, 178)
        for y in range(10, 20):
            px[x, y] = (243, 141, 60)  # (253, 141, 60) off by 10
    for x in range(30):
        for y in range(20, 30):
            px[x, y] = (189, 0, 38) if x < 20 else (238, 242, 245)
    for x in range(7):
        px[x, 29] = (240, 59, 32)  # too small to be an area
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert palette_hits(buf.getvalue()) == 3


def test_concurrency_summary_by_hand() -> None:
    """Loads of 1..10 s: median 5.5, p90 the 9th of 10 sorted (index round(0.9 x 9) = 8) = 9;
    an exception and a timeout text are two errors and are not timed."""
    from benchmarks.pageload import _summarise
    from benchmarks.server import PageLoad

    rows: list[list[PageLoad | str]] = [[PageLoad(float(s), 10, 5)] for s in range(1, 11)]
    rows.append([PageLoad(0.1, 10, 5, exception="boom")])
    rows.append(["map: TimeoutError()"])
    out = _summarise(rows, ["map"], 12.0)
    assert out["1_map"] == {"median_s": 5.5, "p90_s": 9.0, "n": 10}
    assert out["errors"] == 2


def test_distinct_queries_are_distinct(small_store: Path, tmp_path: Path) -> None:
    import shutil

    from benchmarks.pageload import distinct_queries

    db = tmp_path / "copy.duckdb"  # an AppTest in this process may hold small_store open
    shutil.copy(small_store, db)
    views = distinct_queries(db, 20)
    assert len(views) == len(set(views)) == 20
    assert all(v.startswith("y=") for v in views)


def test_map_page_loads_no_chart_or_statistics_library(small_store: Path) -> None:
    """A new server's first map page imports neither Altair (its charts are inline SVG) nor
    scipy/scikit-learn (the choropleth's classes are computed in analytics/choropleth.py)."""
    code = ("import sys; from streamlit.testing.v1 import AppTest; "
            "at = AppTest.from_file('app.py', default_timeout=90).run(); assert not at.exception, at.exception; "
            "assert at.header; "
            "print(sorted(m for m in ('altair', 'scipy', 'sklearn', 'vl_convert') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "SHUZHU_DB": str(small_store)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
