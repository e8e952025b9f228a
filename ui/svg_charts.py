"""Light inline-SVG charts for the density map page (the leaders' link): a monthly line and
the top causes as bars, with a tooltip (``<title>``) on every point and bar.

Why not Altair there: in headless Chromium on the 2-core machine the two Vega charts beside the
map delayed the headline by ~0.5 s and the map's first frame by ~1 s (the Vega runtime is loaded,
parsed and run in the same pass as deck.gl; docs/pageload.md). These charts are plain SVG that the
browser draws with the page, with nothing to load. The analysts' pages keep Altair (selections,
folds, legends). Pure functions: data in, SVG text out (no Streamlit), so they are unit-tested.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd

LINE_COLOUR = "#4c78a8"  # Altair's default blue: the colour the line had before
BAR_COLOUR = "#b0182b"  # the theme's primary red, as the Altair bars
GRID = "#e6e6e6"
AXIS_TEXT = "#555"
FONT = 'font-family="inherit" font-size="12"'
TITLE = 'font-family="inherit" font-size="13" font-weight="600" fill="#31333f"'


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """(top of the scale, tick step): the step is 1, 2, 2.5 or 5 × 10^k so that about ``ticks``
    steps cover ``value``; (1, 0.25) for nothing to draw."""
    if not value > 0 or not math.isfinite(value):
        return 1.0, 0.25
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.ceil(value / step) * step, step


def _values(values: Sequence[object]) -> list[float | None]:
    """Numbers as floats, a missing one (None, NaN, NA: a count not published) as None."""
    return [None if v is None or pd.isna(v) else float(v) for v in values]  # type: ignore[arg-type]


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{escape(label)}" style="max-width:{width * 1.6:.0f}px">'
            + "".join(body) + "</svg>")


def line_chart(months: list[str], values: Sequence[object], title: str, y_title: str = "件数",
               width: int = 400, height: int = 240) -> str:
    """A line of ``values`` over ``months`` ('2025-01', ...): points with tooltips, gaps where a
    value is missing (None or NaN: a count not published), y from 0, at most 7 month labels."""
    left, right, top, bottom = 52, 14, 30, 40
    pw, ph = width - left - right, height - top - bottom
    values = _values(values)
    present = [v for v in values if v is not None]
    ymax, step = nice_max(max(present, default=0.0))
    n = len(months)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (1 - v / ymax)

    body = [f'<text x="0" y="14" {TITLE}>{escape(title)}</text>']
    for k in range(round(ymax / step) + 1):
        t = k * step
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" {FONT} fill="{AXIS_TEXT}">'
                    f"{_num(t)}</text>")
    every = max(1, math.ceil(n / 7))
    for i in range(0, n, every):
        body.append(f'<text x="{x(i):.1f}" y="{top + ph + 16}" text-anchor="middle" {FONT} fill="{AXIS_TEXT}">'
                    f"{escape(months[i])}</text>")
    body.append(f'<text x="12" y="{top + ph / 2:.1f}" transform="rotate(-90 12 {top + ph / 2:.1f})" '
                f'text-anchor="middle" {FONT} fill="{AXIS_TEXT}">{escape(y_title)}</text>')
    body.append(f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle" {FONT} fill="{AXIS_TEXT}">'
                "月份</text>")
    segment: list[str] = []
    for i, v in enumerate([*values, None]):  # a trailing None closes the last segment
        if v is None:
            if len(segment) > 1:
                body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{LINE_COLOUR}" '
                            'stroke-width="2"/>')
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
    for i, v in enumerate(values):
        if v is not None:
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{LINE_COLOUR}">'
                        f"<title>{escape(months[i])}：{_num(v)} {escape(y_title)}</title></circle>")
    return _svg(width, height, body, title)


def bar_chart(labels: list[str], values: Sequence[object], shares: Sequence[object], title: str,
              width: int = 400) -> str:
    """Horizontal bars, largest first as given: a label, a bar from 0, its count and share (a
    missing count, i.e. not published, draws no bar and reads '—'); tooltips name all three."""
    left, right, top, row = min(200, 16 + 12 * max((len(s) for s in labels), default=1)), 96, 30, 24
    pw = width - left - right
    height = top + row * len(labels) + 8
    values, shares = _values(values), _values(shares)
    present = [v for v in values if v is not None]
    vmax = max(present, default=0.0) or 1.0
    body = [f'<text x="0" y="14" {TITLE}>{escape(title)}</text>']
    for i, (label, v, share) in enumerate(zip(labels, values, shares, strict=True)):
        y0 = top + i * row
        body.append(f'<text x="{left - 6}" y="{y0 + 16}" text-anchor="end" {FONT} fill="#31333f">'
                    f"{escape(label)}</text>")
        if v is None:
            body.append(f'<text x="{left + 4}" y="{y0 + 16}" {FONT} fill="{AXIS_TEXT}">—</text>')
            continue
        w = pw * v / vmax
        pct = "" if share is None else f"（{share:.1%}）"
        tip = f"{escape(label)}：{_num(v)} 件{pct}"
        body.append(f'<rect x="{left}" y="{y0 + 4}" width="{w:.1f}" height="{row - 8}" fill="{BAR_COLOUR}">'
                    f"<title>{tip}</title></rect>")
        body.append(f'<text x="{left + w + 4:.1f}" y="{y0 + 16}" {FONT} fill="{AXIS_TEXT}">'
                    f"{_num(v)}{pct}</text>")
    return _svg(width, height, body, title)


def monthly_line(df: pd.DataFrame, y: str = "cases", title: str = "月度新收案件") -> str:
    """``ui.charts.monthly_line`` as SVG: ``df`` has columns month and ``y``."""
    months = [pd.Timestamp(m).strftime("%Y-%m") for m in df["month"]]
    return line_chart(months, list(df[y]), title)


def cause_bars(df: pd.DataFrame, title: str = "主要案由/罪名") -> str:
    """``ui.charts.cause_bars`` as SVG: ``df`` has cause, cases, share (largest first)."""
    df = df.sort_values("cases", ascending=False, na_position="last", kind="stable")
    return bar_chart([str(c) for c in df["cause"]], list(df["cases"]), list(df["share"]), title)
