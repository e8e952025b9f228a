"""The yardstick of ``benchmarks/pageload.py``: one metric and a one-layer pydeck map, nothing else.

Served by its own ``streamlit run`` (see ``pageload.minimal_app``); it draws the seven districts
in the choropleth palette over the app's blank style, so that the browser harness detects "map
drawn" the same way as on the map page. Not part of the app.

For finding where the map page's browser time goes, URL flags add one ingredient of the map
page at a time (all off by default, i.e. the yardstick): ``sidebar`` (widgets like the filter
sidebar), ``context`` (neighbour cities layer), ``labels`` (the two Chinese TextLayers),
``charts`` (two Altair charts before the map), ``table`` (a dataframe in an expander),
``appdeck`` (the map page's own deck; ``no_<layer id>`` drops a layer, ``merged`` puts the
neighbours into the district layer, ``regular`` labels not bold), ``select`` (clicks select, as
on the map page). E.g. ``?add=appdeck,no_district_labels``.
"""

import json

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st
from shapely.geometry import mapping

import geodata
from analytics.choropleth import PALETTE
from ui import deck

st.set_page_config(page_title="minimal", layout="wide")
flags = set(st.query_params.get("add", "").split(","))
if "sidebar" in flags:
    st.sidebar.slider("立案年度", 2016, 2025, (2025, 2025))
    for i in range(6):
        st.sidebar.multiselect(f"筛选 {i}", ["刑事", "民事", "行政"], key=f"ms{i}")
    st.sidebar.selectbox("区县", ["全市", "崇川"])
    for i in range(11):
        st.sidebar.markdown(f"[页面 {i}](?p={i})")
st.metric("新收案件", "123,456")
demo = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=12, freq="MS"), "cases": range(12)})
if "charts" in flags:
    st.altair_chart(alt.Chart(demo).mark_line(point=True).encode(x="month:T", y="cases:Q"))
    st.altair_chart(alt.Chart(demo).mark_bar().encode(x="cases:Q", y="month:N"))
gdf = geodata.districts_gdf()
features = [
    {"type": "Feature", "geometry": mapping(geom),
     "properties": {"fill": [*PALETTE[i % len(PALETTE)], 235]}}
    for i, geom in enumerate(gdf.geometry)
]
layers = [pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features},
                    id="districts", filled=True, stroked=True, get_fill_color="properties.fill",
                    get_line_color=[255, 255, 255, 255], line_width_min_pixels=1)]
if "context" in flags:
    near = [f for f in geodata.load_context()["features"] if f["properties"].get("kind") == "neighbour"]
    layers.insert(0, pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": near},
                               id="context", filled=True, get_fill_color=[226, 230, 234]))
if "labels" in flags:
    labels = [{"t": n, "p": [float(x), float(y)]}
              for n, x, y in zip(gdf["name_short"], gdf["label_lon"], gdf["label_lat"], strict=True)]
    layers.append(deck.text_layer(labels, "district_labels", 20, [20, 20, 20, 255], bold=True))
the_map = deck.CompactDeck(layers=layers, initial_view_state=deck.VIEW,
                           map_style="app/static/blank-style.json", map_provider=None)
if "appdeck" in flags:  # the map page's own deck (all layers, tooltips) on made-up figures
    stats = pd.DataFrame({"adcode": list(geodata.DISTRICT_ADCODES), "cases": [100 * (i + 1) for i in range(7)],
                          "per_10k": [1.0] * 7, "yoy": [0.1] * 7})
    the_map = deck.district_map(stats, "count", None, "同比", None, "app/static/blank-style.json")[0]
    drop = {f.removeprefix("no_") for f in flags if f.startswith("no_")}  # e.g. no_context: without that layer
    if "merged" in flags:  # the neighbours as grey features of the district layer (one polygon layer)
        spec = json.loads(the_map.to_json())
        ctx_layer = next(la for la in spec["layers"] if la["id"] == "context")
        dist = next(la for la in spec["layers"] if la["id"] == "districts")
        grey = [{**f, "properties": {"fill": [226, 230, 234, 255], "line": [0, 0, 0, 0], "width": 0}}
                for f in ctx_layer["data"]["features"]]
        dist["data"]["features"] = grey + dist["data"]["features"]
        spec["layers"] = [la for la in spec["layers"] if la["id"] != "context"]
        the_map = deck.DeckSpec(json.dumps(spec, ensure_ascii=False), deck.TOOLTIP)
    if "regular" in flags:  # labels in the regular weight instead of bold
        spec = json.loads(the_map.to_json())
        for la in spec["layers"]:
            if la["@@type"] == "TextLayer":
                la["fontWeight"] = 400
        the_map = deck.DeckSpec(json.dumps(spec, ensure_ascii=False), deck.TOOLTIP)
    if drop:
        spec = json.loads(the_map.to_json())
        spec["layers"] = [la for la in spec["layers"] if la["id"] not in drop]
        the_map = deck.DeckSpec(json.dumps(spec, ensure_ascii=False), deck.TOOLTIP)
if "select" in flags:
    st.pydeck_chart(the_map, height=640, key="map", on_select="rerun", selection_mode="single-object")
else:
    st.pydeck_chart(the_map, height=640)
if "table" in flags:
    with st.expander("表"):
        st.dataframe(demo)
if "charts_below" in flags:
    st.altair_chart(alt.Chart(demo).mark_line(point=True).encode(x="month:T", y="cases:Q"))
    st.altair_chart(alt.Chart(demo).mark_bar().encode(x="cases:Q", y="month:N"))
if "charts_expander" in flags:
    with st.expander("趋势"):
        st.altair_chart(alt.Chart(demo).mark_line(point=True).encode(x="month:T", y="cases:Q"))
        st.altair_chart(alt.Chart(demo).mark_bar().encode(x="cases:Q", y="month:N"))
