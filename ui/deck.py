"""The pydeck map: context, district choropleth, optional H3 hexagons, Chinese labels.

No basemap tiles: the districts and their neighbours *are* the map, drawn over a blank style
served by the app itself, so the page makes no request outside the intranet server.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

import geodata
from analytics.choropleth import NO_DATA, Classes, classify

DISTRICT_LAYER = "districts"
HEX_LAYER = "hex"
# pydeck turns plain strings into JavaScript expressions; literal strings need inner quotes.
CJK_FONT = '"Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"'
VIEW = pdk.ViewState(longitude=121.0, latitude=32.12, zoom=7.9, pitch=0, bearing=0)
SUPPRESSED = (200, 200, 200)  # neutral grey: a district whose count is not published ("<10")


class CompactDeck(pdk.Deck):
    """A Deck whose JSON is compact UTF-8: pydeck's own indents and escapes every Chinese
    character, which made the map page ~6x larger on the wire."""

    def to_json(self) -> str:
        """Compact JSON for Streamlit's deck.gl element."""
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


# Streamlit escapes values put into the tooltip template, so the markup lives in the template
# and the features carry plain-text lines.
TOOLTIP = {"html": "<b>{name}</b><br/>{l1}<br/>{l2}<br/>{l3}"}


def text_layer(labels: list[dict[str, Any]], layer_id: str, size: int, color: list[int],
               bold: bool = False) -> pdk.Layer:
    """Chinese labels (rows ``{"t": text, "p": [lon, lat]}``) at a fixed pixel size, white halo."""
    return pdk.Layer("TextLayer", labels, id=layer_id, get_position="p", get_text="t",
                     get_size=size, get_color=color, font_family=CJK_FONT,
                     character_set='"auto"', font_weight=700 if bold else 400,
                     outline_width=2, outline_color=[255, 255, 255, 255],
                     font_settings={"sdf": True}, pickable=False)


def label_layer(rows: list[dict[str, Any]], layer_id: str) -> pdk.Layer:
    """Names of different sizes and colours in one TextLayer (rows ``{"t", "p", "s": px, "c": rgba}``).

    Each TextLayer draws its own glyph atlas in the browser (a distance transform per Chinese
    glyph, on the CPU); one layer with a 32 px atlas instead of two with 64 px ones takes a
    fraction of that work off the first frame of the map. Bold throughout: neighbour names stay
    legible in grey at 13 px.
    """
    return pdk.Layer("TextLayer", rows, id=layer_id, get_position="p", get_text="t", get_size="s",
                     get_color="c", font_family=CJK_FONT, character_set='"auto"', font_weight=700,
                     outline_width=2, outline_color=[255, 255, 255, 255],
                     font_settings={"sdf": True, "fontSize": 32, "buffer": 4, "radius": 8}, pickable=False)


def _pct(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1%}"


def district_features(
    districts: gpd.GeoDataFrame | dict[str, Any], stats: pd.DataFrame, classes: Classes,
    selected: int | None, yoy_label: str, hidden: tuple[int, ...] = (), hidden_label: str = "<10",
) -> dict[str, Any]:
    """District GeoJSON with colour, tooltip text and figures in each feature's properties.

    ``districts``: the boundaries (``geodata.districts_gdf()``, or a FeatureCollection dict);
    ``stats``: one row per district (``maps.district_stats``); ``classes``: the classes of a
    figure computed *in the row order of* ``stats``. Colours and figures are attached to the
    stats rows first and then joined to the boundaries on ``adcode`` (``merge``), never by
    position, so the order of the features in the boundary file does not matter. A district
    without a row gets the no-data grey and zero figures. Districts in ``hidden`` (not published
    to the viewer: ``Ctx.gated``) are drawn in neutral grey with ``hidden_label`` and carry no
    figure at all; ``classes`` then covers the other rows only.
    """
    gdf = districts if isinstance(districts, gpd.GeoDataFrame) else gpd.GeoDataFrame.from_features(
        districts["features"], crs=None)
    shown = [int(a) not in hidden for a in stats["adcode"]]
    if len(classes.colors) == sum(shown):
        it = iter(classes.colors)
        colours = [next(it) if ok else SUPPRESSED for ok in shown]
    else:
        colours = [NO_DATA if ok else SUPPRESSED for ok in shown]
    figures = pd.DataFrame({
        "adcode": stats["adcode"].astype("int64").to_numpy(),
        "cases": stats["cases"].to_numpy(),
        "per_10k": stats["per_10k"].to_numpy(),
        "yoy": stats["yoy"].to_numpy(),
        "colour": colours,
    })
    # The join by adcode: attributes with a plain DataFrame merge, the geometry looked up by adcode.
    adcodes = gdf["adcode"].astype("int64").tolist()
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).assign(adcode=adcodes)
    merged = attrs.merge(figures, on="adcode", how="left", validate="one_to_one")
    geometry = dict(zip(adcodes, gdf.geometry, strict=True))
    base_cols = list(attrs.columns)
    features = []
    for rec in merged.to_dict("records"):
        adcode = int(rec["adcode"])
        n = 0 if pd.isna(rec["cases"]) else int(rec["cases"])
        rate = 0.0 if pd.isna(rec["per_10k"]) else float(rec["per_10k"])
        yoy = None if rec["yoy"] is None or pd.isna(rec["yoy"]) else float(rec["yoy"])
        colour = rec["colour"] if isinstance(rec["colour"], tuple | list) else NO_DATA
        props = {c: rec[c] for c in base_cols}
        props.update(
            adcode=adcode,
            cases=n,
            per_10k=round(rate, 2),
            fill=[*(int(c) for c in colour), 235],
            line=[30, 30, 30, 255] if adcode == selected else [255, 255, 255, 255],
            width=3 if adcode == selected else 1,
            l1=f"案件 {n:,} 件",
            l2=f"每万人（年化）{rate:.1f}",
            l3=f"{yoy_label} {_pct(yoy)}",
        )
        if adcode in hidden:  # nothing of the figure may reach the browser
            props.update(cases=None, per_10k=None, l1=f"案件 {hidden_label} 件", l2="每万人（年化）—",
                         l3=f"{yoy_label} —", hidden=hidden_label)
        features.append({"type": "Feature", "properties": props, "geometry": _geojson(geometry[adcode])})
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=64)
def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry dict of a boundary (cached: the same few boundaries are drawn on every run)."""
    return mapping(geom)


def hex_records(hexes: pd.DataFrame) -> list[dict[str, Any]]:
    """Hexagon rows with a colour on a log scale (a few busy town cells would flatten a linear one).

    Kept minimal (id, count, colour): at res. 7 the city has ~1,700 cells, and every byte per
    cell is sent to every browser. Hexagons are not pickable, so hover and click reach the
    district underneath.
    """
    if hexes.empty:
        return []
    top = math.log1p(float(hexes["cases"].max()))
    out = []
    for h, n in zip(hexes["h3"], hexes["cases"], strict=True):
        v = math.log1p(int(n)) / top if top else 0.0
        out.append({"h3": h, "n": int(n), "c": [int(255 - 90 * v), int(220 - 200 * v), int(140 - 120 * v), 200]})
    return out


# Neighbour cities are grey background: simplified to ~1 px at the opening zoom (0.006° ≈ 1 px at
# zoom 7.9), they keep their look and cost the browser less to triangulate on every page load.
CONTEXT_TOLERANCE = 0.006
_LIGHT: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}


def light_neighbours(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The neighbour features of ``context`` (``geodata.load_context()``) with simplified
    geometry and only the properties the map uses; made once per context object."""
    hit = _LIGHT.get(id(context))
    if hit is None or hit[0] is not context:
        out = []
        for f in context["features"]:
            if f["properties"].get("kind") != "neighbour":
                continue
            geom = shape(f["geometry"]).simplify(CONTEXT_TOLERANCE, preserve_topology=True)
            out.append({"type": "Feature", "properties": f["properties"], "geometry": mapping(geom)})
        hit = (context, out)
        _LIGHT[id(context)] = hit
    return hit[1]


def _label(props: dict[str, Any]) -> str:
    """A district's map label: its short name, and "<10" below it when its count is not published."""
    return props["name_short"] + (f"\n{props['hidden']}" if props.get("hidden") else "")


def build_deck(
    districts: dict[str, Any],
    context: dict[str, Any],
    hexes: list[dict[str, Any]] | None,
    style_url: str,
) -> pdk.Deck:
    """The whole map as a pydeck Deck."""
    neighbours = light_neighbours(context)
    # Grey land without borders between the neighbour cities (their names say which is which):
    # their outlines were a second path layer that delayed the first frame by ~0.5-1 s with
    # software rendering; the geometry goes without properties (the layer reads none).
    shapes = [{"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in neighbours]
    layers = [
        pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": shapes},
                  id="context", stroked=False, filled=True, get_fill_color=[226, 230, 234], pickable=False),
        pdk.Layer("GeoJsonLayer", districts, id=DISTRICT_LAYER, pickable=True, stroked=True,
                  filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
                  get_line_width="properties.width", line_width_units='"pixels"',
                  auto_highlight=True, highlight_color=[0, 90, 160, 90],
                  opacity=0.35 if hexes else 1.0),
    ]
    if hexes:
        layers.append(pdk.Layer("H3HexagonLayer", hexes, id=HEX_LAYER, get_hexagon="h3",
                                get_fill_color="c", extruded=False, stroked=False, pickable=False))
    near = [{"t": p["name"], "p": [p.get("label_near_lon") or p["label_lon"],
                                  p.get("label_near_lat") or p["label_lat"]], "s": 13, "c": [120, 130, 140, 255]}
            for p in (f["properties"] for f in neighbours)]
    labels = [{"t": _label(p), "p": [p["label_lon"], p["label_lat"]], "s": 20, "c": [20, 20, 20, 255]}
              for p in (f["properties"] for f in districts["features"])]
    layers.append(label_layer(near + labels, "district_labels"))
    return CompactDeck(layers=layers, initial_view_state=VIEW, map_style=style_url,
                       map_provider=None, tooltip=TOOLTIP)


class DeckSpec:
    """A map already serialised: what ``st.pydeck_chart`` reads of a Deck (``to_json``, ``layers``
    and the tooltip), so that a cached JSON text is sent as it is, without rebuilding the Deck."""

    def __init__(self, text: str, tooltip: dict[str, str] | None = None) -> None:
        self.text = text
        self.layers: list[pdk.Layer] = []  # nothing left for Streamlit to convert
        self._tooltip = tooltip

    def to_json(self) -> str:
        """The deck JSON, as built by :func:`build_deck`."""
        return self.text


@st.cache_data(show_spinner=False, max_entries=1024, ttl=6 * 3600)
def _district_map(stats: pd.DataFrame, metric: str, selected: int | None, yoy_label: str,
                  hexes: pd.DataFrame | None, style_url: str, hidden: tuple[int, ...] = (),
                  hidden_label: str = "<10") -> tuple[str, Classes]:
    values = stats["per_10k"] if metric == "rate" else stats["cases"]
    classes = classify(values[~stats["adcode"].isin(hidden)].tolist())
    features = district_features(geodata.districts_gdf(), stats, classes, selected, yoy_label, hidden,
                                 hidden_label)
    hex_rows = hex_records(hexes) if hexes is not None else None
    return build_deck(features, geodata.load_context(), hex_rows, style_url).to_json(), classes


def district_map(stats: pd.DataFrame, metric: str, selected: int | None, yoy_label: str,
                 hexes: pd.DataFrame | None, style_url: str, hidden: tuple[int, ...] = (),
                 hidden_label: str = "<10") -> tuple[DeckSpec, Classes]:
    """The map page's map and its classes, for one filter state: cached across sessions.

    ``stats``: ``maps.district_stats`` rows; ``metric``: "rate" colours by cases per 10,000
    residents, anything else by cases; ``hexes``: ``maps.hex_density`` rows or None (no
    hexagon layer). Building the features and the JSON costs ~0.1 s of CPU per run; people
    opening the same link get the same text. ``hidden``: adcodes not published to the viewer
    (grey, "<10", left out of the classes).
    """
    text, classes = _district_map(stats, metric, selected, yoy_label, hexes, style_url, hidden, hidden_label)
    return DeckSpec(text, TOOLTIP), classes
