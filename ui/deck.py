"""The pydeck map: context, district choropleth, optional H3 hexagons, Chinese labels.

No basemap tiles: the districts and their neighbours *are* the map, drawn over a blank style
served by the app itself, so the page makes no request outside the intranet server.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from analytics.choropleth import Classes

DISTRICT_LAYER = "districts"
HEX_LAYER = "hex"
# pydeck turns plain strings into JavaScript expressions; literal strings need inner quotes.
CJK_FONT = '"Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"'
VIEW = pdk.ViewState(longitude=121.0, latitude=32.12, zoom=7.9, pitch=0, bearing=0)


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


def _pct(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1%}"


def district_features(
    geojson: dict[str, Any], stats: pd.DataFrame, classes: Classes, selected: int | None,
    yoy_label: str,
) -> dict[str, Any]:
    """District GeoJSON with colour, tooltip text and figures in each feature's properties."""
    by_code = stats.set_index("adcode")
    fc = copy.deepcopy(geojson)
    fc.pop("metadata", None)
    for i, feat in enumerate(fc["features"]):
        p = feat["properties"]
        row = by_code.loc[p["adcode"]]
        color = list(classes.colors[i]) if classes.colors else [220, 220, 220]
        p.update(
            cases=int(row["cases"]),
            per_10k=round(float(row["per_10k"]), 2),
            fill=[*color, 235],
            line=[30, 30, 30, 255] if p["adcode"] == selected else [255, 255, 255, 255],
            width=3 if p["adcode"] == selected else 1,
            l1=f"案件 {int(row['cases']):,} 件",
            l2=f"每万人（年均）{float(row['per_10k']):.1f}",
            l3=f"{yoy_label} {_pct(row['yoy'])}",
        )
    return fc


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


def build_deck(
    districts: dict[str, Any],
    context: dict[str, Any],
    hexes: list[dict[str, Any]] | None,
    style_url: str,
) -> pdk.Deck:
    """The whole map as a pydeck Deck."""
    neighbours = [f for f in context["features"] if f["properties"].get("kind") == "neighbour"]
    layers = [
        pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": neighbours},
                  id="context", stroked=True, filled=True, get_fill_color=[226, 230, 234],
                  get_line_color=[255, 255, 255], line_width_min_pixels=1, pickable=False),
        pdk.Layer("GeoJsonLayer", districts, id=DISTRICT_LAYER, pickable=True, stroked=True,
                  filled=True, get_fill_color="properties.fill", get_line_color="properties.line",
                  get_line_width="properties.width", line_width_units='"pixels"',
                  auto_highlight=True, highlight_color=[0, 90, 160, 90],
                  opacity=0.35 if hexes else 1.0),
    ]
    if hexes:
        layers.append(pdk.Layer("H3HexagonLayer", hexes, id=HEX_LAYER, get_hexagon="h3",
                                get_fill_color="c", extruded=False, stroked=False, pickable=False))
    labels = [{"t": f["properties"]["name_short"], "p": [f["properties"]["label_lon"], f["properties"]["label_lat"]]}
              for f in districts["features"]]
    near = [{"t": p["name"], "p": [p.get("label_near_lon") or p["label_lon"],
                                  p.get("label_near_lat") or p["label_lat"]]}
            for p in (f["properties"] for f in neighbours)]
    layers.append(text_layer(near, "context_labels", 13, [120, 130, 140, 255]))
    layers.append(text_layer(labels, "district_labels", 20, [20, 20, 20, 255], bold=True))
    return CompactDeck(layers=layers, initial_view_state=VIEW, map_style=style_url,
                       map_provider=None, tooltip=TOOLTIP)
