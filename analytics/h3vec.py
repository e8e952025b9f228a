"""Vectorised H3 ``latLngToCell``: the cells of whole arrays of coordinates in numpy operations.

``latlng_to_cells(lat, lng, res)`` gives for every row exactly what ``h3.latlng_to_cell`` of the
installed h3-py 4.5.0 (the H3 C library v4.5.0) gives, as ``uint64`` ids. It is a port of the C
chain ``latLngToCell -> latLngToVec3 -> vec3ToCell -> _vec3ToFaceIjk -> _hex2dToCoordIJK ->
_faceIjkToH3`` (uber/h3 v4.5.0, Apache License 2.0: ``faceijk.c``, ``coordijk.h``,
``h3Index.c``, ``baseCells.c``, ``vec3d.h``, ``latLng.c``), reorganised for arrays:

* Floating point. C gets the face-local hex coordinates from ``acos``, ``atan2``, ``tan``, ``cos``
  and ``sin``; here the same point of the face's gnomonic projection comes from dot products with
  per-face basis vectors (``x = K p.u / p.c``, see ``_face_frames``), and ``sin``/``cos`` of the
  latitude and longitude from ``tan`` of the half angle (numpy's float64 ``sin``/``cos`` are the
  slow scalar libm ones). Equal in exact arithmetic, the two differ by rounding only, so every row
  whose answer depends on a comparison within a tolerance of its threshold is computed by h3
  itself (the tolerances and their derivation are at ``_TOL_ABS``).
* Closest face (``_vec3ToClosestFace``): looked up in a 2-degree grid where a whole grid cell is
  closer to one face centre than to any other by a margin; near an edge of the icosahedron the cell
  knows the two candidate faces and one dot product decides; elsewhere all 20 are compared.
* Integers. The digit loop of ``_faceIjkToH3`` (``_upAp7``/``_upAp7r``, ``_downAp7``/``_downAp7r``,
  ``_unitIjkToDigit``, ``lround``) is the unique decomposition ``z = d + M z'`` of the axial
  coordinates ``z`` with ``d`` a unit vector or zero and ``M`` the aperture-7 matrix of the level
  (``_DOWN``); two levels together multiply by exactly 7 (``M_odd @ M_even == 7 I``), so the digits
  of 2g levels follow from ``z mod 7**g`` by a table lookup (``_DigitGroup``), with no rounding.
* Base cell, rotations and pentagons: ``faceIjkBaseCells`` and ``baseCellData``
  (``analytics.h3vec_tables``). The 60-degree rotations of all digits (``_h3Rotate60ccw``), and for
  the 12 pentagon base cells the k-axis handling of ``_faceIjkToH3`` and ``_h3RotatePent60ccw``,
  reduce to one rotation count per row (``_pentagon_rotations``), applied by table lookup.

Rows outside the ordinary domain (|lat| > 90 or |lng| > 180) are computed by h3 row by row too;
NaN/inf give 0. The work runs in blocks of ``_CHUNK`` rows so the temporaries stay in cache;
numpy releases the GIL inside each operation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from analytics import h3vec_tables as _tables

try:  # the C function h3.api.basic_int.latlng_to_cell wraps (returns the int directly)
    from h3._cy import latlng_to_cell as _h3_latlng_to_cell
except ImportError:  # pragma: no cover - another h3 layout
    from h3.api.basic_int import latlng_to_cell as _h3_latlng_to_cell

__all__ = ["MAX_RES", "latlng_to_cells"]

MAX_RES = 15
_CHUNK = 1 << 15  # rows per block: the ~20 live temporaries (256 KiB each) stay in L2

# Constants of H3 constants.h / faceijk.c (Python reads the literals as the same doubles as C).
_M_PI_180 = 0.0174532925199432957692369076848861271111
_M_AP7_ROT_RADS = 0.333473172251832115336090755351601070065900389
_INV_RES0_U_GNOMONIC = 2.61803398874989588842
_M_SQRT7 = 2.6457513110645905905016157536392604257102
_M_RSIN60 = 1.1547005383792515290182975610039149112953

# --- Tolerances -------------------------------------------------------------------------------
# The hex coordinates (x, y) here and in C differ by rounding only. Bound, in hex units, with
# K = INV_RES0_U_GNOMONIC * sqrt(7)**res and r the angle from the face centre:
# * C's own error: acos(1 - sqd/2) near r = 0 turns the rounding of 1 - sqd/2 and of |v|^2 - 1
#   (a few 1e-16) into ~3e-16 / r in r, the azimuth of the normalised projection has ~3e-16 / r;
#   tan, the res multiplications by sqrt(7), cos, sin and the posAngle wraps add ~5e-15 relative:
#   together |dx| <= K * (~1e-15 / r + ~1e-14).
# * Ours: sin/cos from tan(half angle) (numpy's SIMD tan is within 4 ulp) put p within ~2e-15 of
#   C's vector; the dot products and the division add a few ulp: |dx| <= K * (~1e-15 / r + ~5e-15).
# The tolerance, K * (_TOL_ABS + _TOL_INV_R / sin r), is 50-100 times that bound (sin r is at
# least (|p.u| + |p.v|) / 2, p.u and p.v being its components on two orthonormal axes); measured on
# jittered cell edges at res 7 and 15, also near face centres, the tolerance divided by 1e4 lets
# mismatches through and divided by 1e3 none, so the real margin is ~1000. Every test uses it times
# the sum of |coefficients| of its linear form in (x1, x2), which covers the 1.6 by which |dx1|,
# |dx2| can exceed |dx| + |dy|. At res 7, away from the face centres, it is ~3e-9 hex units (~7
# micrometres on the ground): rows that close to a threshold, ~1e-6 of all, go to h3.
_TOL_ABS = 1e-12
_TOL_INV_R = 1e-13
_MIN_SIN_R = 1e-6  # C treats r < EPSILON as the face centre itself: h3 decides within ~6 m of one
_FACE_TIE = 1e-10  # closest face: two dot products this close go to h3 (they differ by ~1e-15)
_GRID_MARGIN = 1e-9  # a grid cell decides the face only with this margin in dot products

# Face grid: 2-degree cells, + 1 row/column for lat = 90 and lng = 180. Built on first use in every
# process (an import is one): 16k cells take ~10 ms where 0.5-degree ones took 0.1-0.3 s; coarser
# cells leave more rows near an edge or vertex of the icosahedron to the dot products (one or 20).
_GRID_DEG = 2
_GRID_ROWS = 180 // _GRID_DEG + 1
_GRID_COLS = 360 // _GRID_DEG + 1

# Digits 0..6 (CENTER, K, J, JK, I, IK, IJ) as axial (i - k, j - k) vectors (coordijk.h UNIT_VECS).
_UNIT_AXIAL = np.array([(0, 0), (-1, -1), (0, 1), (-1, 0), (1, 0), (0, -1), (1, 1)], dtype=np.int64)
_ROT60CCW = np.array([0, 5, 3, 1, 6, 4, 2, 7], dtype=np.int64)  # _rotate60ccw of digits 0..7
# One aperture-7 level in axial coordinates: child centre = M @ parent. Odd (Class III) levels use
# _upAp7/_downAp7, even ones _upAp7r/_downAp7r; M_odd @ M_even == 7 * identity.
_DOWN = {True: np.array([[2, 1], [-1, 3]], dtype=np.int64), False: np.array([[3, -1], [1, 2]], dtype=np.int64)}
_MAX_FACE_COORD = 2  # baseCells.h: res-0 ijk+ components 0..2 (beyond, C returns H3_NULL)


def _rotations_table() -> np.ndarray:
    """ROT[k, d]: digit d rotated k times by 60 degrees ccw."""
    out = np.empty((6, 8), dtype=np.int64)
    out[0] = np.arange(8)
    for k in range(1, 6):
        out[k] = _ROT60CCW[out[k - 1]]
    return out


_ROT = _rotations_table()


def _pentagon_rotations(lead: int, cw_offset: bool, num_rots: int) -> int:
    """Net ccw rotations (mod 6) that _faceIjkToH3 applies to the digits of a pentagon base cell.

    ``lead`` is the leading (coarsest) non-zero digit before rotation. C first rotates a leading K
    digit out (cw on the base cell's cw-offset faces, else ccw), then calls _h3RotatePent60ccw
    ``num_rots`` times, which rotates every digit ccw and, if the leading digit became K, once more.
    All of these rotate every digit alike, so only their count matters.
    """
    k = 0
    if lead == 1:
        k = -1 if cw_offset else 1
    for _ in range(num_rots):
        k += 1
        if _ROT[k % 6, lead] == 1:
            k += 1
    return k % 6


# Rotation class of a base cell on a face: rots (hexagon), 6 + rots (pentagon), 12 + rots (pentagon
# on a cw-offset face). _ROTS_BY_CLASS[class * 8 + leading digit] = the rotations to apply.
_ROTS_BY_CLASS = np.array(
    [[cls % 6 if cls < 6 else _pentagon_rotations(lead, cls >= 12, cls % 6) for lead in range(8)] for cls in range(18)],
    dtype=np.int64,
).ravel()


@dataclass(frozen=True)
class _Frames:
    """Per face, for one resolution class: the dot-product form of _vec3ToHex2d."""

    u: tuple[np.ndarray, np.ndarray, np.ndarray]  # x = K (p . u) / (p . c)
    v: tuple[np.ndarray, np.ndarray, np.ndarray]  # y = K (p . v) / (p . c)
    c: tuple[np.ndarray, np.ndarray, np.ndarray]  # face centres (faceCenterPoint)


def _face_frames(class_iii: bool) -> _Frames:
    """Basis vectors that turn _vec3ToHex2d into dot products.

    C: r = angle(p, c), az = atan2(p.east, p.north) in the tangent basis at the face centre c
    (_vec3TangentBasis), theta = A - az with A the azimuth of the face's i axis (less the Class III
    rotation), x = K tan(r) cos(theta), y = K tan(r) sin(theta). As tan(r) cos(az) = p.north / p.c
    and tan(r) sin(az) = p.east / p.c for a unit p, x = K p.(cos A north + sin A east) / p.c and
    y = K p.(sin A north - cos A east) / p.c: the gnomonic projection, with no trigonometry per row.
    """
    c = np.array(_tables.FACE_CENTER_POINT, dtype=np.float64)
    north = -c[:, 2:3] * c  # vec3LinComb(1, northPole, -p.z, p), then vec3Normalize
    north[:, 2] += 1.0
    north *= 1.0 / np.sqrt((north * north).sum(axis=1))[:, None]
    east = np.cross(north, c)
    az = np.array([row[0] for row in _tables.FACE_AXES_AZ_RADS_CII], dtype=np.float64)
    if class_iii:
        az = az - _M_AP7_ROT_RADS
    cos_a, sin_a = np.cos(az)[:, None], np.sin(az)[:, None]

    def cols(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (m[:, 0].copy(), m[:, 1].copy(), m[:, 2].copy())

    return _Frames(cols(cos_a * north + sin_a * east), cols(sin_a * north - cos_a * east), cols(c))


@dataclass(frozen=True)
class _Grid:
    """Closest face per grid cell: code >= 0 the face of all its points; <= -2 one of two
    faces, pair -2 - code; -1 undecided (near a vertex of the icosahedron)."""

    code: np.ndarray  # int8 per cell
    pair_faces: np.ndarray  # (pairs, 2) faces f, g
    pair_diff: tuple[np.ndarray, np.ndarray, np.ndarray]  # c_f - c_g: f is closer where p.diff > 0


def _face_grid() -> _Grid:
    """The candidate faces of each grid cell.

    For p in a cell with centre p0 and angular radius rho (bounded by half its latitude span plus
    half its widest parallel), (c_f - c_g).p >= (c_f - c_g).p0 - |c_f - c_g| rho; a face g whose
    bound against the best face f is above _GRID_MARGIN is never the closest in that cell.
    """
    step = float(_GRID_DEG)
    lat0 = np.minimum(np.arange(_GRID_ROWS) * step - 90.0, 90.0 - step)  # the extra row = the last
    lng0 = np.minimum(np.arange(_GRID_COLS) * step - 180.0, 180.0 - step)
    lat_c, lng_c = np.meshgrid(np.radians(lat0 + step / 2), np.radians(lng0 + step / 2), indexing="ij")
    lat_c, lng_c = lat_c.ravel(), lng_c.ravel()
    p0 = np.stack([np.cos(lat_c) * np.cos(lng_c), np.cos(lat_c) * np.sin(lng_c), np.sin(lat_c)], axis=1)
    widest = np.cos(np.radians(np.minimum(np.abs(lat0), np.abs(lat0 + step))))
    widest[(lat0 < 0) & (lat0 + step > 0)] = 1.0
    radius = np.repeat(np.radians(step / 2 * (1.0 + widest)), _GRID_COLS) * 1.01 + 1e-12
    centres = np.array(_tables.FACE_CENTER_POINT)
    dots = p0 @ centres.T  # (cells, 20)
    rows = np.arange(len(p0))
    best = dots.argmax(axis=1)
    dist = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)  # |c_f - c_g|
    candidate = dots[rows, best][:, None] - dots - dist[best] * radius[:, None] <= _GRID_MARGIN
    count = candidate.sum(axis=1)  # best is always among them
    code = np.full(len(p0), -1, dtype=np.int8)
    code[count == 1] = best[count == 1]
    two = np.flatnonzero(count == 2)
    pair_faces = np.nonzero(candidate[two])[1].reshape(-1, 2).astype(np.int64)  # row-major: each row's two faces
    pairs, pair_id = np.unique(pair_faces, axis=0, return_inverse=True)
    code[two] = -2 - pair_id.ravel()
    diff = centres[pairs[:, 0]] - centres[pairs[:, 1]]
    return _Grid(code, pairs, (diff[:, 0].copy(), diff[:, 1].copy(), diff[:, 2].copy()))


@dataclass(frozen=True)
class _DigitGroup:
    """2g consecutive levels of the digit loop of _faceIjkToH3, as one table lookup.

    With z the axial coordinates at the group's finest level l, z = o + 7**g q, where
    o = d_l + M_l d_(l-1) + M_l M_(l-1) d_(l-2) + ... and q are the coordinates 2g levels up; the
    7**(2g) digit tuples give 7**(2g) offsets o, distinct mod 7**g, so z mod 7**g picks the tuple.
    """

    modulus: int  # 7**g
    adj_a: np.ndarray  # q = z // 7**g + adj, indexed by (z_a mod P) * P + (z_b mod P)
    adj_b: np.ndarray
    lead: np.ndarray  # the group's coarsest non-zero digit (0 if none), unrotated
    bits: np.ndarray  # uint64 [k * P * P + index]: the digits rotated k times, in place in the index


def _digit_group(level: int, pairs: int) -> _DigitGroup:
    modulus, levels = 7**pairs, 2 * pairs
    tuples = np.indices((7,) * levels).reshape(levels, -1)  # tuples[t]: digit of level - t
    off = np.zeros((2, tuples.shape[1]), dtype=np.int64)
    mat = np.eye(2, dtype=np.int64)
    for t in range(levels):
        off += mat @ _UNIT_AXIAL[tuples[t]].T
        mat = mat @ _DOWN[(level - t) % 2 == 1]
    assert (mat == modulus * np.eye(2, dtype=np.int64)).all()
    low = off % modulus
    index = low[0] * modulus + low[1]
    assert len(np.unique(index)) == modulus * modulus  # a complete residue system
    size = modulus * modulus
    adj_a, adj_b = np.empty(size, dtype=np.int32), np.empty(size, dtype=np.int32)
    lead = np.empty(size, dtype=np.int64)
    adj_a[index] = (low[0] - off[0]) // modulus
    adj_b[index] = (low[1] - off[1]) // modulus
    first = np.zeros(tuples.shape[1], dtype=np.int64)
    for t in range(levels - 1, -1, -1):  # coarsest level first
        first = np.where(first == 0, tuples[t], first)
    lead[index] = first
    bits = np.zeros((6, size), dtype=np.uint64)
    for k in range(6):
        packed = np.zeros(tuples.shape[1], dtype=np.int64)
        for t in range(levels):
            packed |= _ROT[k][tuples[t]] << (3 * (15 - level + t))  # digit of level r at 3 (15 - r)
        bits[k, index] = packed.astype(np.uint64)
    return _DigitGroup(modulus, adj_a, adj_b, lead, bits.ravel())


# The coarse table: (face, axial coordinates of level 1 for odd res, of level 0 for even res) ->
# valid (bit 15), digit of level 1, unrotated (bits 12-14, odd res), rotation class (bits 7-11).
_COARSE_MIN = -9  # level-1 components lie within -9..9 (level-0 ones within -2..2)
_COARSE_SIDE = 19
_COARSE_FACE = _COARSE_SIDE * _COARSE_SIDE


@dataclass(frozen=True)
class _Coarse:
    info: np.ndarray  # int64 per key = face * _COARSE_FACE + (a - MIN) * _COARSE_SIDE + (b - MIN)
    head: np.ndarray  # uint64 [k * keys + key]: mode, res, base cell, rotated digit 1, unused 7s


def _coarse_table(res: int) -> _Coarse:
    odd = res % 2 == 1
    base = np.array(_tables.FACE_IJK_BASE_CELLS, dtype=np.int64)  # (20, 27, 2)
    keys = 20 * _COARSE_FACE
    info = np.zeros(keys, dtype=np.int64)
    head = np.zeros((6, keys), dtype=np.uint64)
    fixed = 1 << 59 | res << 52 | ((1 << (3 * (15 - res))) - 1)  # H3_CELL_MODE, res, digits > res = 7
    for face in range(20):
        for i in range(_MAX_FACE_COORD + 1):
            for j in range(_MAX_FACE_COORD + 1):
                for k in range(_MAX_FACE_COORD + 1):
                    if min(i, j, k) != 0:
                        continue  # not normalised: no _ijkNormalize result
                    cell, rots = (int(v) for v in base[face, 9 * i + 3 * j + k])
                    cw = _tables.PENTAGON_CW_OFFSET_FACES.get(cell)  # None: a hexagon
                    cls = rots + (6 * (1 + (face in cw)) if cw is not None else 0)  # _baseCellIsCwOffset
                    z0 = np.array([i - k, j - k])
                    for d in range(7) if odd else (0,):
                        z = _UNIT_AXIAL[d] + _DOWN[True] @ z0 if odd else z0
                        key = face * _COARSE_FACE + (z[0] - _COARSE_MIN) * _COARSE_SIDE + z[1] - _COARSE_MIN
                        info[key] = 1 << 15 | d << 12 | cls << 7
                        for r in range(6):
                            digit1 = int(_ROT[r, d]) << 42 if odd else 0
                            head[r, key] = fixed | cell << 45 | digit1
    return _Coarse(info, head.ravel())


@dataclass(frozen=True)
class _Plan:
    """Everything one resolution needs."""

    res: int
    scale: float  # INV_RES0_U_GNOMONIC * sqrt(7)**res, multiplied in C's order
    grid: _Grid
    frames: _Frames
    groups: tuple[_DigitGroup, ...]  # finest first
    coarse: _Coarse


def _build_plan(res: int, grid: _Grid) -> _Plan:
    scale = _INV_RES0_U_GNOMONIC
    for _ in range(res):
        scale *= _M_SQRT7
    groups, level, pairs_left = [], res, res // 2
    while pairs_left:  # groups of 4 levels, the last maybe of 2; level 1 of odd res: coarse table
        pairs = min(pairs_left, 2)
        groups.append(_digit_group(level, pairs))
        level -= 2 * pairs
        pairs_left -= pairs
    return _Plan(res, scale, grid, _face_frames(res % 2 == 1), tuple(groups), _coarse_table(res))


@functools.cache
def _plan(res: int) -> _Plan:
    """The tables of a resolution, built on first use (~30 ms with the face grid) and shared by all
    threads (two threads' first calls may both build them: same tables, the cache keeps one)."""
    return _build_plan(res, _shared_grid())


@functools.cache
def _shared_grid() -> _Grid:
    return _face_grid()


def _frac_dist(u: np.ndarray) -> np.ndarray:
    """|u - the nearest integer|."""
    out = np.rint(u)
    np.subtract(u, out, out=out)
    return np.abs(out, out=out)


def _chunk(lat: np.ndarray, lng: np.ndarray, plan: _Plan, out: np.ndarray, fallback: np.ndarray) -> None:
    """Cells of one block of rows with |lat| <= 90 and |lng| <= 180 into ``out``; sets ``fallback``
    on the rows h3 must compute (near a threshold, or beyond what the tables cover)."""
    grid, frames = plan.grid, plan.frames

    # latLngToVec3. sin and cos from t = tan(angle / 2): sin = 2t / (1 + t^2), cos = (1 - t^2) /
    # (1 + t^2), within a few ulp absolute (what the projection sees), at the poles and 180 too.
    half = _M_PI_180 * 0.5  # deg * (M_PI_180 / 2) == (deg * M_PI_180) / 2 exactly
    t = np.tan(lat * half)
    t2 = t * t
    inv = t2 + 1.0
    np.divide(1.0, inv, out=inv)
    pz = t * inv
    pz *= 2.0  # sin(lat)
    cos_lat = 1.0 - t2
    cos_lat *= inv
    np.tan(lng * half, out=t)
    np.multiply(t, t, out=t2)
    np.add(t2, 1.0, out=inv)
    np.divide(1.0, inv, out=inv)
    px = 1.0 - t2
    px *= inv
    px *= cos_lat  # cos(lat) cos(lng)
    py = t
    py *= inv
    py *= 2.0
    py *= cos_lat  # cos(lat) sin(lng)
    del t2, inv, cos_lat

    # _vec3ToClosestFace from the grid, where its cell leaves no doubt.
    gi = lat * (1.0 / _GRID_DEG)
    gi += 90.0 / _GRID_DEG
    gj = lng * (1.0 / _GRID_DEG)
    gj += 180.0 / _GRID_DEG
    cell = gi.astype(np.intp)
    cell *= _GRID_COLS
    cell += gj.astype(np.intp)
    del gi, gj
    code = grid.code[cell]
    face = code.astype(np.intp)
    del cell
    undecided = np.flatnonzero(code < 0)
    if len(undecided):
        _decide_faces(undecided, code[undecided], px, py, pz, grid, frames, face, fallback)

    # _vec3ToHex2d as a gnomonic projection (see _face_frames); x, y in hex units of res.
    if face[0] == face[-1] and (face == face[0]).all():  # one face (a city): scalars, no gathers
        f = int(face[0])
        dot = [px * col[0][f] + py * col[1][f] + pz * col[2][f] for col in (frames.u, frames.v, frames.c)]
    else:
        dot = [px * col[0][face] + py * col[1][face] + pz * col[2][face] for col in (frames.u, frames.v, frames.c)]
    x, y, pc = dot
    del dot
    # the tolerance (see _TOL_ABS), with 2 / (|p.u| + |p.v|) >= 1 / sin r
    tol = np.abs(x)
    tol += np.abs(y)
    fallback |= tol < _MIN_SIN_R
    np.divide(2.0 * _TOL_INV_R * plan.scale, tol, out=tol)
    tol += _TOL_ABS * plan.scale
    np.divide(plan.scale, pc, out=pc)
    x *= pc
    y *= pc
    del pc

    # _hex2dToCoordIJK, branch by branch as in C.
    a1 = np.abs(x)
    x2 = np.abs(y)
    x2 *= _M_RSIN60
    x1 = x2 * 0.5
    x1 += a1
    m1 = np.floor(x1)  # (int)x1, x1 >= 0
    m2 = np.floor(x2)
    r1 = x1 - m1
    r2 = x2 - m2
    cls_a = r1 < 1.0 / 3.0
    lt_half = r1 < 0.5
    lt_23 = r1 < 2.0 / 3.0
    w = 1.0 - r1
    ge_1mr1 = r2 >= w  # not (r2 < 1 - r1)
    np.add(r1, 1.0, out=w)
    w /= 2.0
    j_a = r2 >= w  # not (r2 < (1 + r1) / 2)
    np.divide(r1, 2.0, out=w)
    j_d = r2 >= w  # not (r2 < r1 / 2)
    np.multiply(r1, 2.0, out=w)
    i_b = r2 < w
    i_b &= ge_1mr1  # (1 - r1) <= r2 && r2 < 2 r1
    w -= 1.0
    i_c = r2 <= w
    i_c |= ge_1mr1  # !((2 r1 - 1) < r2 && r2 < (1 - r1))
    del r1, r2, w
    # r1 < 1/3: (m1, m2 + j_a); < 1/2: (m1 + i_b, m2 + ge); < 2/3: (m1 + i_c, m2 + ge); else (m1 + 1, m2 + j_d)
    not_a = ~cls_a
    dj = cls_a & j_a
    dj |= not_a & lt_23 & ge_1mr1
    dj |= ~lt_23 & j_d
    di = not_a & lt_half & i_b
    di |= ~lt_half & lt_23 & i_c
    di |= ~lt_23
    i = m1 + di
    j = m2 + dj
    del m1, m2, cls_a, not_a, lt_half, lt_23, ge_1mr1, j_a, j_d, i_b, i_c, di, dj
    # Folds. x < 0: i -> j - i (both branches of the C code); y < 0: i -> i - (2j + 1) / 2 = i - j
    # (C division, j >= 0), j -> -j. x or y of +-0 go to h3 below (a1, x2 near 0), so copysign's
    # view of -0.0 as negative never matters.
    half_j = j * 0.5
    i -= half_j
    i *= np.copysign(1.0, x)
    i += half_j
    np.copysign(j, y, out=j)
    i += np.minimum(j, 0.0)
    del half_j

    # Rows near a threshold go to h3: r1 vs 0, 1/3, 1/2, 2/3, 1 (6 x1 near an integer), (int)x2
    # (x2), r2 vs (1 + r1)/2 and r1/2 (2 x2 - x1), vs 1 - r1 (x1 + x2), vs 2 r1 and 2 r1 - 1
    # (x2 - 2 x1), and the folds at x = 0 (a1) and y = 0 (x2 near 0).
    near = a1 < tol
    near |= _frac_dist(x2) < tol
    tol *= 2.0
    near |= _frac_dist(x1 + x2) < tol
    tol *= 1.5
    near |= _frac_dist(2.0 * x2 - x1) < tol
    near |= _frac_dist(x2 - 2.0 * x1) < tol
    tol *= 2.0
    x1 *= 6.0
    near |= _frac_dist(x1) < tol
    fallback |= near
    del a1, x1, x2, tol, near, x, y

    # _faceIjkToH3: the digits, 4 or 2 levels at a time, in axial coordinates (a, b).
    a = i.astype(np.int32)  # |a|, |b| < 2**25 at res 15: int32 halves the memory traffic
    b = j.astype(np.int32)
    del i, j
    indices = []
    for g in plan.groups:
        qa = a // g.modulus
        qb = b // g.modulus
        index = a - qa * g.modulus
        index *= g.modulus
        index += b
        index -= qb * g.modulus
        index = index.astype(np.intp)
        a = g.adj_a[index]
        a += qa
        b = g.adj_b[index]
        b += qb
        indices.append(index)
    # base cell, rotation class (and the digit of level 1 for odd res) from face and coordinates
    a -= _COARSE_MIN
    b -= _COARSE_MIN
    inside = (a >= 0) & (a < _COARSE_SIDE) & (b >= 0) & (b < _COARSE_SIDE)
    key = face * _COARSE_FACE
    key += a * _COARSE_SIDE
    key += b
    del a, b
    if not inside.all():  # C would return H3_NULL (ALWAYS-checked never to happen): h3 decides
        key[~inside] = 0
        fallback |= ~inside
    info = plan.coarse.info[key]
    fallback |= info == 0
    rots = info >> 7
    rots &= 31
    pent = np.flatnonzero(rots >= 6)
    if len(pent):  # pentagon base cells: their rotations depend on the leading digit
        rows = slice(None) if 4 * len(pent) > len(rots) else pent  # many: whole-array operations
        lead = (info[rows] >> 12) & 7  # digit of level 1 (0 for even res), unrotated
        for g, index in zip(reversed(plan.groups), reversed(indices), strict=True):  # coarsest first
            lead += g.lead[index[rows]] * (lead == 0)
        lead += rots[rows] * 8
        rots[rows] = _ROTS_BY_CLASS[lead]

    # the index: mode, resolution, base cell and digit 1, then every group's rotated digits
    key += rots * len(plan.coarse.info)
    h = plan.coarse.head[key]
    for g, index in zip(plan.groups, indices, strict=True):
        index += rots * (g.modulus * g.modulus)
        h |= g.bits[index]
    out[:] = h


def _decide_faces(
    rows: np.ndarray,
    code: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    pz: np.ndarray,
    grid: _Grid,
    frames: _Frames,
    face: np.ndarray,
    fallback: np.ndarray,
) -> None:
    """The closest face of the rows the grid left open (``face`` and ``fallback`` in place)."""
    pair = code <= -2
    two = rows[pair]
    if len(two):  # near an edge of the icosahedron: f or g by the sign of p.(c_f - c_g)
        pid = -2 - code[pair].astype(np.intp)
        if pid[0] == pid[-1] and (pid == pid[0]).all():  # one edge (a city): scalars, no gathers
            pid = pid[:1]
        dx, dy, dz = (col[pid] for col in grid.pair_diff)
        s = px[two] * dx + py[two] * dy + pz[two] * dz
        f, g = grid.pair_faces[pid, 0], grid.pair_faces[pid, 1]
        face[two] = g + (s > 0.0) * (f - g)
        fallback[two[np.abs(s) < _FACE_TIE]] = True
    full = rows[~pair]
    if len(full):  # all 20 dot products, as _vec3ToClosestFace compares all squared distances
        cx, cy, cz = frames.c
        dots = px[full, None] * cx + py[full, None] * cy + pz[full, None] * cz
        best = dots.argmax(axis=1)
        top = dots[np.arange(len(full)), best]
        dots[np.arange(len(full)), best] = -np.inf
        fallback[full[top - dots.max(axis=1) < _FACE_TIE]] = True
        face[full] = best


def _validate_res(res: int) -> int:
    if isinstance(res, bool) or not isinstance(res, int | np.integer) or not 0 <= int(res) <= MAX_RES:
        raise ValueError(f"H3 resolution must be an integer in 0..{MAX_RES}, got {res!r}")
    return int(res)


def _cells_and_fallback(lat: np.ndarray, lng: np.ndarray, res: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells, and the mask of the rows that h3 computed row by row (for the tests)."""
    res = _validate_res(res)
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    lng = np.ascontiguousarray(lng, dtype=np.float64)
    if lat.shape != lng.shape:
        raise ValueError(f"lat and lng differ in shape: {lat.shape} vs {lng.shape}")
    shape = lat.shape
    lat, lng = lat.ravel(), lng.ravel()
    n = len(lat)
    out = np.zeros(n, dtype=np.uint64)
    fallback = np.zeros(n, dtype=bool)
    if n == 0:
        return out.reshape(shape), fallback.reshape(shape)
    plan = _plan(res)
    finite = np.isfinite(lat) & np.isfinite(lng)
    ordinary = finite & (np.abs(lat) <= 90.0) & (np.abs(lng) <= 180.0)
    all_ordinary = bool(ordinary.all())
    with np.errstate(all="ignore"):  # the rows that would warn are the ones h3 redoes or zeroes
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            la, ln = lat[start:stop], lng[start:stop]
            if not all_ordinary:  # harmless stand-ins for the other rows
                keep = ordinary[start:stop]
                la, ln = np.where(keep, la, 0.0), np.where(keep, ln, 0.0)
            _chunk(la, ln, plan, out[start:stop], fallback[start:stop])
    if not all_ordinary:
        out[~finite] = 0
        fallback &= finite
        fallback |= finite & ~ordinary
    for row in np.flatnonzero(fallback).tolist():
        out[row] = _h3_latlng_to_cell(float(lat[row]), float(lng[row]), res)
    return out.reshape(shape), fallback.reshape(shape)


def latlng_to_cells(lat: np.ndarray, lng: np.ndarray, res: int) -> np.ndarray:
    """uint64 H3 cells of degrees lat/lng at resolution res; 0 where a coordinate is not finite.

    Row by row equal to ``h3.str_to_int(h3.latlng_to_cell(lat, lng, res))`` of h3 4.5.0 for every
    finite input. ``lat`` and ``lng`` are float arrays of one shape (the result has it too);
    raises ValueError for a resolution outside 0..15.
    """
    return _cells_and_fallback(lat, lng, res)[0]
