"""Choropleth maps of record counts by named region (provinces of China, cities of Jiangsu).

Counts come as a table of ``name, records, share`` (e.g. ``analytics.judgments.by_province``) and
are joined to the boundaries (GeoDataFrames from ``geodata``) on the full Chinese name (江苏省,
南京市) with a ``merge``. Regions with records
are coloured by ``analytics.choropleth.classify`` classes, regions without records are light
grey. As in ``ui.deck``, there are no basemap tiles: the blank style served by the app is the
only map style, so the page makes no request outside the intranet server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st
from shapely.geometry import shape

import geodata
from analytics.choropleth import Classes, classify
from ui.deck import CompactDeck, text_layer
from ui.widgets import legend

REGION_LAYER = "regions"
NO_RECORDS = (214, 218, 223)  # light grey: a region with no record
NO_RECORDS_LABEL = "无记录"
CONTEXT_FILL = [247, 248, 250]  # neighbouring provinces around Jiangsu (not counted)
CONTEXT_LINE = [190, 196, 204]
CONTEXT_TEXT = [130, 138, 148, 255]
TOOLTIP = "<b>{name}</b><br/>{tip}"  # filled from each region's properties
CHINA_VIEW = pdk.ViewState(longitude=104.2, latitude=35.8, zoom=2.5, pitch=0, bearing=0)
JIANGSU_VIEW = pdk.ViewState(longitude=119.3, latitude=32.85, zoom=5.75, pitch=0, bearing=0)
JIANGSU_CONTEXT_BOX = (112.5, 28.0, 126.0, 38.0)  # lon0, lat0, lon1, lat1: provinces drawn around it


@dataclass(frozen=True)
class RegionMap:
    """A drawn choropleth and what the page says beside it."""

    deck: pdk.Deck
    legend: list[tuple[str, tuple[int, int, int]]]
    title: str  # legend title
    mapped: int  # records in regions that have a boundary
    unmapped: dict[str, int] = field(default_factory=dict)  # name -> records without a boundary


def _int(v: object) -> int:
    return 0 if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)  # type: ignore[arg-type]


def join_counts(
    boundaries: gpd.GeoDataFrame | dict[str, Any], counts: pd.DataFrame, name_col: str
) -> tuple[dict[str, Any], Classes, dict[str, int]]:
    """Features with ``records``, ``share``, ``fill`` and ``tip`` (tooltip line) properties, their classes, and
    the counts whose name matches no feature (e.g. 未识别).

    ``boundaries``: a GeoDataFrame (``geodata.provinces_gdf()``) or FeatureCollection dict with a
    ``name`` column; ``counts`` has columns ``name_col``, ``records`` and ``share`` (share of all
    records, the unrecognised ones included). Counts are joined to the regions on the full name
    with a ``merge`` (never by position); the input is not modified.
    """
    gdf = boundaries if isinstance(boundaries, gpd.GeoDataFrame) else gpd.GeoDataFrame.from_features(
        boundaries["features"], crs=None)
    figures = pd.DataFrame({
        "name": counts[name_col].astype(str).to_numpy(),
        "records": [_int(r) for r in counts["records"]],
        "share": pd.to_numeric(counts["share"]).astype(float).to_numpy(),
    }).groupby("name", as_index=False, sort=False).sum()
    merged = gdf.merge(figures, on="name", how="left", validate="one_to_one")
    merged["records"] = merged["records"].fillna(0).astype("int64")
    merged["share"] = merged["share"].fillna(0.0)
    has = merged["records"] > 0
    classes = classify(merged.loc[has, "records"].tolist())
    fills = [NO_RECORDS] * len(merged)
    for pos, colour in zip(has.to_numpy().nonzero()[0], classes.colors, strict=True):
        fills[pos] = colour  # the classes were computed on the rows of this same frame
    merged["fill"] = [[*(int(c) for c in f), 235] for f in fills]
    # Plain text: Streamlit escapes the values it puts into the tooltip template.
    merged["tip"] = [f"{r:,} 条记录（占全部 {sh:.1%}）" if r else NO_RECORDS_LABEL
                     for r, sh in zip(merged["records"], merged["share"], strict=True)]
    merged["share"] = merged["share"].round(4)
    fc = merged.to_geo_dict(na="null", drop_id=True)
    for feat in fc["features"]:
        p = feat["properties"]
        p["adcode"] = int(p["adcode"])
        p["records"] = int(p["records"])
    known = set(gdf["name"])
    unmapped = {n: int(r) for n, r in zip(figures["name"], figures["records"], strict=True) if n not in known and r > 0}
    return fc, classes, unmapped


def legend_items(classes: Classes, fmt: str = "{:,.0f}") -> list[tuple[str, tuple[int, int, int]]]:
    """The class legend followed by the no-record grey."""
    return [*classes.legend(fmt), (NO_RECORDS_LABEL, NO_RECORDS)]


def _pixels(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web-Mercator pixel position at a zoom level (512-pixel world at zoom 0, as deck.gl)."""
    world = 512 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * world, (1 - y / math.pi) / 2 * world


def thin_labels(props: list[dict[str, Any]], zoom: float, size: int) -> list[dict[str, Any]]:
    """Label rows ``{"t", "p"}`` that do not overlap at ``zoom``; busier regions are placed first.

    deck.gl's CollisionFilterExtension (which Streamlit registers) would do this per frame, but
    in headless Chromium it hid every label whenever the device pixel ratio was not 1 (125 %/150 %
    display scaling, HiDPI), so the labels are thinned once, for the initial view; the regions
    left unlabelled (天津 beside 北京/河北, 香港, 澳门) are still named by their tooltips.
    """
    order = sorted(range(len(props)), key=lambda i: (-int(props[i].get("records", 0)), i))
    placed: list[tuple[float, float, float, float]] = []
    keep = set()
    for i in order:
        p = props[i]
        x, y = _pixels(p["label_lon"], p["label_lat"], zoom)
        half_w, half_h = size * len(p["name_short"]) / 2, size / 2 + 1  # CJK: 1 em a character
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if all(box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in placed):
            placed.append(box)
            keep.add(i)
    return [
        {"t": p["name_short"], "p": [p["label_lon"], p["label_lat"]]}
        for i, p in enumerate(props)
        if i in keep
    ]


def build_deck(
    regions: dict[str, Any],
    view: pdk.ViewState,
    style_url: str,
    context: list[dict[str, Any]] | None = None,
    label_size: int = 12,
) -> pdk.Deck:
    """Context provinces (optional, faint), the coloured regions and their short-name labels."""
    layers = []
    if context:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection", "features": context},
                id="region_context",
                stroked=True,
                filled=True,
                get_fill_color=CONTEXT_FILL,
                get_line_color=CONTEXT_LINE,
                line_width_min_pixels=1,
                pickable=False,
            )
        )
    layers.append(
        pdk.Layer(
            "GeoJsonLayer",
            regions,
            id=REGION_LAYER,
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=[255, 255, 255, 255],
            get_line_width=1,
            line_width_units='"pixels"',
            auto_highlight=True,
            highlight_color=[0, 90, 160, 90],
        )
    )
    if context:
        names = [{"t": p["name_short"], "p": [p["label_lon"], p["label_lat"]]}
                 for p in (f["properties"] for f in context)]
        layers.append(text_layer(names, "region_context_labels", label_size - 1, CONTEXT_TEXT))
    labels = thin_labels([f["properties"] for f in regions["features"]], view.zoom, label_size)
    layers.append(text_layer(labels, "region_labels", label_size, [20, 20, 20, 255]))
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_style=style_url,
        map_provider=None,
        tooltip={"html": TOOLTIP},
    )


def province_map(counts: pd.DataFrame, style_url: str) -> RegionMap:
    """Records per province (``by_province`` table) on a map of China."""
    fc, classes, unmapped = join_counts(geodata.provinces_gdf(), counts, "province")
    deck = build_deck(fc, CHINA_VIEW, style_url, label_size=11)
    mapped = sum(f["properties"]["records"] for f in fc["features"])
    return RegionMap(deck, legend_items(classes), "记录数", mapped, unmapped)


@cache
def _jiangsu_context() -> tuple[int, ...]:
    """Indices of the provinces (other than Jiangsu) that reach into the Jiangsu map's window."""
    box = shapely.box(*JIANGSU_CONTEXT_BOX)
    return tuple(
        i
        for i, f in enumerate(geodata.load_provinces()["features"])
        if f["properties"]["name"] != "江苏省" and shape(f["geometry"]).intersects(box)
    )


def jiangsu_city_map(counts: pd.DataFrame, style_url: str) -> RegionMap:
    """Records per city of Jiangsu (``by_city`` table) with the neighbouring provinces as context."""
    fc, classes, unmapped = join_counts(geodata.jiangsu_cities_gdf(), counts, "city")
    provinces = geodata.load_provinces()["features"]
    context = [provinces[i] for i in _jiangsu_context()]
    deck = build_deck(fc, JIANGSU_VIEW, style_url, context=context, label_size=13)
    mapped = sum(f["properties"]["records"] for f in fc["features"])
    return RegionMap(deck, legend_items(classes), "记录数", mapped, unmapped)


def show(region_map: RegionMap, key: str, height: int = 440) -> None:
    """Draw the map, its legend, and a caption on what could not be placed on it."""
    st.pydeck_chart(region_map.deck, height=height, key=key)
    legend(region_map.legend, region_map.title)
    missing = sum(region_map.unmapped.values())
    note = f"图上 {region_map.mapped:,} 条记录"
    if missing:
        parts = "、".join(f"{n} {r:,}" for n, r in region_map.unmapped.items())
        note += f"；未上图 {missing:,} 条（{parts}）"
    st.caption(f"{note} · 悬停查看数量 · {geodata.ATTRIBUTION}")
