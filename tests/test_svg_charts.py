"""ui.svg_charts: the map page's inline SVG charts, read back as XML with hand-computed positions."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from ui import svg_charts as S

NS = {"s": "http://www.w3.org/2000/svg"}


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


@pytest.mark.parametrize(("value", "top", "step"), [
    (9_876, 10_000, 2_500), (400, 400, 100), (401, 600, 200), (7, 8, 2), (0, 1, 0.25),
    (float("nan"), 1, 0.25), (0.3, 0.3, 0.1),
])
def test_nice_max(value: float, top: float, step: float) -> None:
    got_top, got_step = S.nice_max(value)
    assert math.isclose(got_top, top) and math.isclose(got_step, step)


def test_line_points_gaps_and_tooltips() -> None:
    # 3 months, the middle one not published: 2 points, no line across the gap (a lone point
    # on each side draws no polyline); y from 0 to nice_max(10) = 10 in steps of 2.5.
    svg = S.line_chart(["2025-01", "2025-02", "2025-03"], [5.0, None, 10.0], "月度新收案件")
    root = _tree(svg)
    circles = root.findall("s:circle", NS)
    assert [c.find("s:title", NS).text for c in circles] == ["2025-01：5 件数", "2025-03：10 件数"]
    left, top, pw, ph = 52, 30, 400 - 52 - 14, 240 - 30 - 40
    assert [(float(c.get("cx")), float(c.get("cy"))) for c in circles] == [
        (left, round(top + ph * 0.5, 1)), (left + pw, top)]
    assert root.findall("s:polyline", NS) == []
    ticks = [t.text for t in root.findall("s:text", NS)][1:6]
    assert ticks == ["0", "2.5", "5", "7.5", "10"]
    two = _tree(S.line_chart(["2025-01", "2025-02", "2025-03"], [5.0, 6.0, float("nan")], "t"))
    (line,) = two.findall("s:polyline", NS)
    assert len(line.get("points").split()) == 2


def test_line_labels_at_most_seven_months() -> None:
    months = [f"{y}-{m:02d}" for y in range(2016, 2026) for m in range(1, 13)]  # 120 months
    root = _tree(S.line_chart(months, [1.0] * 120, "t"))
    labels = [t.text for t in root.findall("s:text", NS) if t.text in months]
    assert labels == months[::18] and len(labels) == 7
    assert len(root.findall("s:circle", NS)) == 120


def test_bars_are_proportional_escaped_and_hidden_counts_draw_nothing() -> None:
    df = pd.DataFrame({"cause": ["盗窃罪", "<b>&诈骗", "寻衅滋事罪"], "cases": [50.0, 100.0, float("nan")],
                       "share": [0.25, 0.5, float("nan")]})
    svg = S.cause_bars(df, "如皋 · 主要案由")
    root = _tree(svg)
    rects = root.findall("s:rect", NS)
    assert [r.find("s:title", NS).text for r in rects] == ["<b>&诈骗：100 件（50.0%）", "盗窃罪：50 件（25.0%）"]
    left = 16 + 12 * 6  # the longest label, "<b>&诈骗", has 6 characters
    pw = 400 - left - 96
    assert [float(r.get("width")) for r in rects] == [pw, pw / 2]
    assert "&lt;b&gt;&amp;诈骗" in svg and "<b>" not in svg.replace("<b>&诈骗", "")
    texts = [t.text for t in root.findall("s:text", NS)]
    assert texts[0] == "如皋 · 主要案由" and "寻衅滋事罪" in texts and "—" in texts  # listed, no bar


def test_the_map_data_frames_draw() -> None:
    trend = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"), "cases": range(24)})
    root = _tree(S.monthly_line(trend))
    assert root.findall("s:circle", NS)[-1].find("s:title", NS).text == "2025-12：23 件数"
    assert root.get("role") == "img" and root.get("aria-label") == "月度新收案件"
