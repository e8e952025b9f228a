"""Altair charts shared by pages (Chinese axis titles; the data come from analytics/)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def monthly_line(df: pd.DataFrame, y: str = "cases", title: str = "月度新收案件") -> alt.Chart:
    """Monthly line with points; ``df`` has columns month and ``y``."""
    return (
        alt.Chart(df, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="月份", axis=alt.Axis(format="%Y-%m")),
            y=alt.Y(f"{y}:Q", title="件数"),
            tooltip=[alt.Tooltip("month:T", title="月份", format="%Y-%m"),
                     alt.Tooltip(f"{y}:Q", title="件数", format=",")],
        )
        .properties(height=230)
    )


def cause_bars(df: pd.DataFrame, title: str = "主要案由/罪名") -> alt.Chart:
    """Horizontal bars of the top causes; ``df`` has cause, cases, share."""
    return (
        alt.Chart(df, title=title)
        .mark_bar(color="#b0182b")
        .encode(
            x=alt.X("cases:Q", title="件数"),
            y=alt.Y("cause:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
            tooltip=[alt.Tooltip("cause:N", title="案由/罪名"), alt.Tooltip("cases:Q", title="件数", format=","),
                     alt.Tooltip("share:Q", title="占比", format=".1%")],
        )
        .properties(height=300)
    )


def trial_trend(df: pd.DataFrame, series: list[str], title: str) -> alt.Chart:
    """Monthly lines of several indicators (``df`` from ``indicators.display_table``: 月份 + series),
    with a clickable point selection named ``month`` on the 月份 field (the page's drill-down)."""
    sel = alt.selection_point(name="month", fields=["月份"])
    return (
        alt.Chart(df)
        .transform_fold(series, as_=["指标", "值"])
        .mark_line(point=True)
        .encode(
            x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("值:Q", title=title),
            color=alt.Color("指标:N", title=None),
            tooltip=["月份:O", "指标:N", "值:Q"],
        )
        .add_params(sel)
        .properties(height=260)
    )
