"""Vega-Lite specs (made with Altair) for the report's charts and the static district map.

Plain dicts, built from data frames the builders computed; the writer renders them to PNG
offline with vl-convert. Every spec sets its plot ``width`` in pixels, which the writer uses to
choose a scale giving at least print resolution at the width the figure is placed. The map is a
``geoshape`` chart over the same GeoJSON the app draws (``geodata``), joined to the figures by
adcode, so no tiles or network are involved.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

import geodata

RED = "#b0182b"
BLUE = "#2f5597"


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega-Lite dict with plain styling for print."""
    spec = chart.to_dict()
    spec.setdefault("config", {}).update({"view": {"stroke": None}, "background": "white"})
    return spec


def monthly_lines(df: pd.DataFrame, width: int = 520, height: int = 200) -> dict[str, Any]:
    """新收 and 结案 per month; ``df`` has month (date), filed, closed."""
    data = pd.DataFrame({
        "月份": [pd.Timestamp(m).strftime("%Y-%m") for m in df["month"]],
        "新收": df["filed"].astype("int64"), "结案": df["closed"].astype("int64"),
    })
    chart = (
        alt.Chart(data).transform_fold(["新收", "结案"], as_=["指标", "件数"])
        .mark_line(point=True)
        .encode(x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)),
                y=alt.Y("件数:Q", title="件数"),
                color=alt.Color("指标:N", title=None, scale=alt.Scale(range=[RED, BLUE]),
                                legend=alt.Legend(orient="top")))
        .properties(width=width, height=height)
    )
    return _spec(chart)


def bars(df: pd.DataFrame, label: str, value: str, *, title: str, width: int = 420,
         percent: bool = False, sort: bool = True) -> dict[str, Any]:
    """Horizontal bars of ``value`` by ``label`` (sorted by value unless ``sort`` is False)."""
    data = df[[label, value]].rename(columns={label: "类别", value: "值"})
    axis = alt.Axis(format=".0%") if percent else alt.Axis(format=",.0f")
    chart = (
        alt.Chart(data).mark_bar(color=RED)
        .encode(x=alt.X("值:Q", title=title, axis=axis),
                y=alt.Y("类别:N", title=None, sort="-x" if sort else None,
                        axis=alt.Axis(labelLimit=200)))
        .properties(width=width, height=max(60, 18 * len(data)))
    )
    return _spec(chart)


def district_map(values: Mapping[int, float | None], *, legend: str, width: int = 420,
                 height: int = 330) -> dict[str, Any]:
    """Choropleth of the 7 districts with their names; ``values`` maps adcode → value (None: no data)."""
    fc = copy.deepcopy(geodata.load_districts())
    for f in fc["features"]:
        v = values.get(int(f["properties"]["adcode"]))
        f["properties"] = {"adcode": f["properties"]["adcode"], "name": f["properties"]["name_short"],
                           "lon": f["properties"]["label_lon"], "lat": f["properties"]["label_lat"],
                           "value": None if v is None else round(float(v), 2)}
    features = alt.Data(values=fc["features"])
    shapes = (
        alt.Chart(features).mark_geoshape(stroke="white", strokeWidth=1.2)
        .encode(color=alt.Color("properties.value:Q", title=legend,
                                scale=alt.Scale(scheme="orangered"),
                                legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=160)))
    )
    labels = (
        alt.Chart(features).mark_text(fontSize=12, fontWeight="bold", color="#222")
        .encode(longitude="properties.lon:Q", latitude="properties.lat:Q", text="properties.name:N")
    )
    chart = (shapes + labels).project(type="mercator").properties(width=width, height=height)
    return _spec(chart)
