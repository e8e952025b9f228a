"""``analytics.h3vec.latlng_to_cells`` gives what h3 gives, row by row (h3 4.5.0 is the oracle).

The sets aim at the places where a port goes wrong: random points at every resolution, the
project's own area (Nantong, in a pentagon base cell and across a face edge of the icosahedron),
the pentagons, the poles and the antimeridian, the edges and vertices of the cells and of the
icosahedron (jittered from 1e-13 to 1e-7 degrees, on both sides of the tolerance), values beyond
the usual ranges, and the rows that must give 0. ``_cells_and_fallback`` also returns which rows
h3 computed, so the tests can see that the vectorised path does the work.
"""

from __future__ import annotations

import time

import h3
import numpy as np
import pandas as pd
import pytest
from h3.api import basic_int as h3_int

from analytics import h3vec, schema, store

RES = schema.H3_RESOLUTION
PENTAGON_BASE_CELLS = {h3.get_base_cell_number(p) for p in h3.get_pentagons(0)}
JITTERS = (0.0, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7)  # degrees


def oracle(lat: np.ndarray, lng: np.ndarray, res: int) -> np.ndarray:
    cell = h3_int.latlng_to_cell
    return np.array([cell(a, b, res) for a, b in zip(lat.tolist(), lng.tolist(), strict=True)], dtype=np.uint64)


def check(lat: np.ndarray, lng: np.ndarray, res: int) -> np.ndarray:
    """Assert equality with h3 on every row; return the mask of the rows h3 computed."""
    got, fallback = h3vec._cells_and_fallback(lat, lng, res)
    assert got.dtype == np.uint64 and got.shape == lat.shape
    want = oracle(lat, lng, res)
    bad = np.flatnonzero(got != want)
    examples = [(float(lat[k]), float(lng[k]), h3.int_to_str(int(got[k])), h3.int_to_str(int(want[k])))
                for k in bad[:5]]
    assert len(bad) == 0, f"{len(bad)} of {len(lat)} rows differ at res {res}, e.g. {examples}"
    return fallback


def sphere(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform on the sphere: uniform in z and in longitude."""
    rng = np.random.default_rng(seed)
    return np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n))), rng.uniform(-180.0, 180.0, n)


def nantong(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(31.5, 32.8, n), rng.uniform(120.0, 122.0, n)


def jitter(lat: np.ndarray, lng: np.ndarray, size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Move each point by ``size`` degrees in a random direction."""
    angle = np.random.default_rng(seed).uniform(0.0, 2 * np.pi, len(lat))
    return np.clip(lat + size * np.sin(angle), -90.0, 90.0), lng + size * np.cos(angle)


def to_vec(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    la, ln = np.radians(lat), np.radians(lng)
    return np.stack([np.cos(la) * np.cos(ln), np.cos(la) * np.sin(ln), np.sin(la)], axis=-1)


def to_latlng(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.degrees(np.arcsin(np.clip(v[..., 2], -1.0, 1.0))), np.degrees(np.arctan2(v[..., 1], v[..., 0]))


def boundary_points(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The vertices of the cells and the midpoints (on the great circle) of their edges."""
    lat, lng = [], []
    for c in cells:
        verts = np.array(h3.cell_to_boundary(c))
        vec = to_vec(verts[:, 0], verts[:, 1])
        mid_lat, mid_lng = to_latlng(vec + np.roll(vec, -1, axis=0))
        lat += [verts[:, 0], mid_lat]
        lng += [verts[:, 1], mid_lng]
    return np.concatenate(lat), np.concatenate(lng)


def test_random_points_on_the_sphere_at_res_7() -> None:
    lat, lng = sphere(200_000, seed=1)
    fallback = check(lat, lng, RES)
    assert fallback.sum() < len(lat) / 10_000  # h3 computes almost none of them


@pytest.mark.parametrize("res", range(16))
def test_random_points_at_every_resolution(res: int) -> None:
    lat, lng = sphere(20_000, seed=100 + res)
    fallback = check(lat, lng, res)
    assert fallback.sum() < len(lat) / 1_000
    assert np.array_equal(h3vec.latlng_to_cells(lat, lng, res), h3vec._cells_and_fallback(lat, lng, res)[0])


def test_nantong_at_res_7() -> None:
    lat, lng = nantong(100_000, seed=2)
    fallback = check(lat, lng, RES)
    assert fallback.sum() < len(lat) / 10_000
    # the area lies in a pentagon base cell: the pentagon rotations are done here, not by h3
    base = (h3vec.latlng_to_cells(lat, lng, RES) >> np.uint64(45)) & np.uint64(127)
    assert set(np.unique(base).tolist()) <= PENTAGON_BASE_CELLS


@pytest.mark.parametrize("res", range(16))
def test_near_the_pentagons(res: int) -> None:
    rng = np.random.default_rng(300 + res)
    edge = h3.average_hexagon_edge_length(res, unit="km") / 111.0  # in degrees, roughly
    lat, lng = [], []
    for p in h3.get_pentagons(res):
        la, ln = h3.cell_to_latlng(p)
        for scale in (0.0, 1e-12, 1e-9, 1e-6, 1e-3, 0.05, 0.3, 1.0, 2.0, 5.0):
            d = rng.normal(size=(60, 2)) * edge * scale
            lat.append(la + d[:, 0])
            lng.append(ln + d[:, 1])
    lat_a = np.clip(np.concatenate(lat), -90.0, 90.0)
    lng_a = (np.concatenate(lng) + 180.0) % 360.0 - 180.0
    fallback = check(lat_a, lng_a, res)
    # most rows in the pentagon base cells are computed here (the rotations are ported, not deferred)
    cells = h3vec.latlng_to_cells(lat_a, lng_a, res)
    in_pentagon = np.isin((cells >> np.uint64(45)) & np.uint64(127), list(PENTAGON_BASE_CELLS))
    assert (in_pentagon & ~fallback).sum() > 0.4 * len(lat_a)


@pytest.mark.parametrize("res", [0, 1, 4, 7, 10, 15])
def test_poles_antimeridian_and_out_of_range_values(res: int) -> None:
    rng = np.random.default_rng(400 + res)
    n = 3000
    lat = np.concatenate([
        90.0 - rng.exponential(1e-3, n), -90.0 + rng.exponential(1e-3, n),  # near the poles
        np.full(50, 90.0), np.full(50, -90.0),  # on them, with any longitude
        rng.uniform(-90.0, 90.0, n),  # on the antimeridian
        rng.uniform(-90.0, 90.0, 8),
        [95.0, -120.0, 450.0, -1e6, 1e300, 0.0, 45.0, -0.0],  # beyond the usual ranges
    ])
    lng = np.concatenate([
        rng.uniform(-180.0, 180.0, 2 * n + 100),
        rng.choice([-180.0, 180.0], n),
        [190.0, -540.0, 360.0, 720.5, -1e5, 1e300, -180.0000001, 180.0000001],
        [10.0, 20.0, -30.0, 40.0, 50.0, -179.9, 540.0, -0.0],
    ])
    check(lat, lng, res)


def test_lng_beyond_180_matches_h3_and_wraps_like_it() -> None:
    lat = np.array([32.0, 32.0, -10.0, 0.0])
    lng = np.array([190.0, -540.0, 181.0, -180.0])
    got = h3vec.latlng_to_cells(lat, lng, RES)
    assert got.tolist() == [h3.str_to_int(h3.latlng_to_cell(a, b, RES)) for a, b in zip(lat, lng, strict=True)]
    assert got[0] == h3vec.latlng_to_cells(np.array([32.0]), np.array([-170.0]), RES)[0]


@pytest.mark.parametrize("jitter_deg", JITTERS)
def test_cell_vertices_and_edges(jitter_deg: float) -> None:
    rng = np.random.default_rng(500)
    la, ln = nantong(700, seed=5)
    ra, rn = sphere(700, seed=6)
    cells = list({h3.latlng_to_cell(a, b, RES) for a, b in zip(np.r_[la, ra], np.r_[ln, rn], strict=True)})
    lat, lng = boundary_points(cells)
    lat, lng = jitter(lat, lng, jitter_deg, seed=int(rng.integers(1 << 30)))
    fallback = check(lat, lng, RES)
    if jitter_deg == 0.0:  # on a cell edge: always within the tolerance, h3 decides
        assert fallback.mean() > 0.99
    # 1e-8 degrees is ~4e-7 hex units at res 7, 100 times the tolerance (times up to 6, the
    # coefficients of the tests); only a jitter almost along an edge stays that close to it
    if jitter_deg == 1e-8:
        assert fallback.mean() < 0.05
    if jitter_deg == 1e-7:
        assert fallback.mean() < 0.01


@pytest.mark.parametrize("res", [0, 3, 8, 15])
def test_cell_vertices_and_edges_at_other_resolutions(res: int) -> None:
    lat0, lng0 = sphere(300, seed=600 + res)
    cells = list({h3.latlng_to_cell(a, b, res) for a, b in zip(lat0, lng0, strict=True)})
    lat, lng = boundary_points(cells)
    for k, size in enumerate(JITTERS):
        check(*jitter(lat, lng, size, seed=700 + k), res)


@pytest.mark.parametrize("res", [0, 7, 15])
def test_edges_of_the_icosahedron(res: int) -> None:
    # The icosahedron's vertices are the centres of the res-0 pentagons; its edges, the arcs
    # between neighbouring vertices, are where the closest face changes.
    verts = np.array([h3.cell_to_latlng(p) for p in h3.get_pentagons(0)])
    vec = to_vec(verts[:, 0], verts[:, 1])
    near = np.argwhere(np.triu(vec @ vec.T > 0.4, k=1))  # adjacent vertices: 63.4 degrees apart
    assert len(near) == 30
    t = np.random.default_rng(800 + res).uniform(0.0, 1.0, (30, 40))
    arc = [np.sin((1 - s)[:, None] * 1.107) * vec[i] + np.sin(s[:, None] * 1.107) * vec[j]
           for (i, j), s in zip(near, t, strict=True)]  # points on each arc (direction only matters)
    lat, lng = to_latlng(np.concatenate(arc))
    for k, size in enumerate(JITTERS):
        check(*jitter(lat, lng, size, seed=900 + k), res)


def test_not_finite_coordinates_give_zero() -> None:
    nan, inf = np.nan, np.inf
    lat = np.array([nan, 32.0, inf, -inf, 32.0, nan, 32.0, 31.9])
    lng = np.array([121.0, nan, 121.0, 121.0, inf, nan, -inf, 120.5])
    got, fallback = h3vec._cells_and_fallback(lat, lng, RES)
    assert got.dtype == np.uint64
    assert got[:7].tolist() == [0] * 7
    assert got[7] == h3.str_to_int(h3.latlng_to_cell(31.9, 120.5, RES))
    assert not fallback.any()


def test_empty_input_gives_an_empty_uint64_array() -> None:
    got = h3vec.latlng_to_cells(np.array([]), np.array([]), RES)
    assert got.dtype == np.uint64 and got.shape == (0,)


@pytest.mark.parametrize("res", [-1, 16, 100, 7.0, True, "7"])
def test_resolution_outside_0_to_15_is_refused(res: object) -> None:
    with pytest.raises(ValueError, match="resolution"):
        h3vec.latlng_to_cells(np.array([32.0]), np.array([121.0]), res)  # type: ignore[arg-type]


def test_shapes_and_inputs() -> None:
    lat, lng = nantong(12, seed=7)
    flat = h3vec.latlng_to_cells(lat, lng, RES)
    assert h3vec.latlng_to_cells(lat.reshape(3, 4), lng.reshape(3, 4), RES).tolist() == flat.reshape(3, 4).tolist()
    assert h3vec.latlng_to_cells(lat.tolist(), lng.tolist(), RES).tolist() == flat.tolist()
    assert h3vec.latlng_to_cells(lat.astype(np.float32), lng.astype(np.float32), RES).tolist() == oracle(
        lat.astype(np.float32).astype(np.float64), lng.astype(np.float32).astype(np.float64), RES).tolist()
    with pytest.raises(ValueError, match="shape"):
        h3vec.latlng_to_cells(lat, lng[:5], RES)


def test_store_h3_cells_keeps_na_for_missing_coordinates() -> None:
    lon = pd.Series([120.86, None, 121.05, "x", np.inf, 120.5], index=list("abcdef"))
    lat = pd.Series([32.01, 32.0, np.nan, 32.0, 32.0, 31.9], index=list("abcdef"))
    got = store.h3_cells(lon, lat)
    assert str(got.dtype) == "UInt64" and list(got.index) == list("abcdef")
    assert got.isna().tolist() == [False, True, True, True, True, False]
    assert got["a"] == h3.str_to_int(h3.latlng_to_cell(32.01, 120.86, RES))
    assert got["f"] == h3.str_to_int(h3.latlng_to_cell(31.9, 120.5, RES))


def test_timing_against_the_per_row_loop(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the time for 1M Nantong points at res 7 (never asserted: the machine varies)."""
    lat, lng = nantong(1_000_000, seed=8)
    h3vec.latlng_to_cells(lat[:10], lng[:10], RES)  # the tables, built once per process
    start = time.perf_counter()
    got = h3vec.latlng_to_cells(lat, lng, RES)
    vectorised = time.perf_counter() - start
    try:
        from h3._cy import latlng_to_cell as cell
    except ImportError:  # pragma: no cover - another h3 layout
        cell = h3_int.latlng_to_cell
    start = time.perf_counter()
    want = np.fromiter(map(cell, lat.tolist(), lng.tolist(), [RES] * len(lat)), dtype=np.uint64, count=len(lat))
    loop = time.perf_counter() - start
    assert np.array_equal(got, want)
    with capsys.disabled():
        print(f"\nh3vec: 1M Nantong points at res {RES}: vectorised {vectorised:.3f} s, per-row h3 loop {loop:.3f} s")
