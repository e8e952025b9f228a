"""Pre-aggregated summary tables ("cubes") of ``cases``, built at load, for the map page.

``refresh`` also builds the trial indicators' cubes (``analytics/summary_trial.py``) in the same
transaction, recorded in the same ``summary_info`` table and tag, so they share the freshness
guard below; ``Info.trial_cubes`` lists them and ``Info.cube`` finds them by grain.

The map page's figures are all counts of cases grouped by a few categorical columns, filtered by
the shared filter (filing years and categorical values only). A cube holds, for one combination
of dimensions, the number of cases per distinct value combination; at 10 million cases the
finest month cube has ~400k rows and the coarse ones a few thousand, so a filter change reads
kilobytes to a few megabytes instead of the whole case table.

* Month cubes: ``m`` = year * 12 + month - 1 of ``filed_date``, ``adcode`` and some of the
  filter dimensions, plus ``pending`` (closed_date IS NULL, the 未结 pseudo-outcome).
* Hexagon cubes: ``y`` = filing year and ``h3c``, a dense code of the H3 cell (the cell id
  string is in ``summary_dict``), plus some of the filter dimensions.
* Categorical values are stored as their ENUM codes (integers, no dependency on the ENUM types,
  which ``store._write_cases`` drops and recreates); ``summary_dict`` maps codes to values.
* A query uses the *smallest* cube holding every dimension it filters or groups on (aggregate
  navigation); when none does, or the summary is missing or stale, the caller falls back to the
  reference SQL over ``cases`` (``analytics.maps``), which stays the definition.

Freshness: every writer of ``cases`` writes a new data version into ``meta`` (key
``data_version``, ``analytics.store.bump_data_version``) in its own transaction, before it calls
``refresh``. ``refresh`` records that version, a build id and the number of cases in the comment
of ``summary_info``. Every call reads that comment with a catalog query (which cannot fail, so a
store without a summary never aborts a caller's transaction), and every cube query carries a
guard that raises unless ``meta`` still holds that data version and ``cases`` that many rows,
whereupon the caller falls back to ``cases``. The version catches any change, also an update or
a delete-and-insert that leaves the row count unchanged; the row count is a second, free check
against writes that bypass ``analytics.store`` without bumping the version.

The map page's queries over these cubes are in ``analytics/summary_map.py``; this module builds the
cubes, keeps their freshness and holds the helpers every reader shares (``info``, ``_predicate``,
``_run``). Results are built in Python from the few grouped rows (codes mapped back to values with
cached arrays): at this size DuckDB's per-query planning, not the scan, is most of the cost, so
each function runs one small catalog query and one cube query. The catalog query is kept although
the parsed ``Info`` is cached by build: a cube query on a remembered ``Info`` would fail to bind on
a store whose summary was dropped since (``drop``, or a ``refresh`` that declined the schema), and
a failed statement aborts a caller's transaction; a cursor does not tell which database it is on,
and only the catalog query can tell without failing.

Day-exact windows (the year-on-year window ends on the data's last day, which may fall inside a
month) are answered from the month cube for whole months and from ``cases`` for the partial
months only; ``cases`` is sorted by filing date, so that reads a month or two of rows.
"""

from __future__ import annotations

import calendar
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import schema, sqlgen
from analytics.filters import PENDING, CaseFilter
from analytics.sqlgen import grouped

SUMMARY_VERSION = "4"  # 2: cause cubes sorted by cause; 3: data version recorded and checked; 4: trial cubes
DATA_VERSION_KEY = "data_version"  # meta key written by every writer (analytics.store.bump_data_version)
NO_META = "-"  # recorded when the store has no meta table (a hand-made store): no version check
NO_VERSION = "none"  # recorded when meta has no data version (store written before versions)
INFO_TABLE = "summary_info"
DICT_TABLE = sqlgen.DICT_TABLE  # "summary_dict"

# Categorical dimensions: filter attribute of CaseFilter -> column (the same name in cubes).
FILTER_DIMS: tuple[tuple[str, str], ...] = (
    ("categories", "category"),
    ("cause_groups", "cause_group"),
    ("causes", "cause"),
    ("courts", "court_code"),
    ("procedures", "procedure"),
)
ENUM_DIMS: tuple[str, ...] = ("court_code", "category", "cause_group", "cause", "procedure", "outcome")


@dataclass(frozen=True)
class Cube:
    """A cube's table name, time grain ('month' or 'year') and dimensions besides time."""

    name: str
    grain: str
    dims: tuple[str, ...]


# The first cube of each grain is the finest; the others are rolled up from it. Sizes measured
# at 10M cases (generator v1): m_full 399k, m_cause 69k, m_court 51k, m_small 5.6k rows;
# h_full 2.7M, h_cause 1.07M, h_court 692k, h_small 135k rows (the case table: 10M).
CUBES: tuple[Cube, ...] = (
    Cube(
        "summary_m_full",
        "month",
        ("adcode", "court_code", "category", "cause_group", "cause", "procedure", "outcome", "pending"),
    ),
    Cube("summary_m_cause", "month", ("adcode", "category", "cause_group", "cause", "pending")),
    Cube("summary_m_court", "month", ("adcode", "court_code", "category", "procedure", "outcome", "pending")),
    Cube("summary_m_small", "month", ("adcode", "category", "pending")),
    Cube(
        "summary_h_full",
        "year",
        ("h3c", "court_code", "category", "cause_group", "cause", "procedure", "outcome", "pending"),
    ),
    Cube("summary_h_cause", "year", ("h3c", "category", "cause_group", "cause")),
    Cube("summary_h_court", "year", ("h3c", "court_code", "category", "procedure", "outcome", "pending")),
    Cube("summary_h_small", "year", ("h3c", "category")),
)
_TIME = {"month": "m", "year": "y"}


# --- building -----------------------------------------------------------------------------


def _case_columns(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        """SELECT column_name, data_type FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = current_schema()
             AND table_name = 'cases'"""
    ).fetchall()
    return {str(n): str(t) for n, t in rows}


_META_SQL = """SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
                AND schema_name = current_schema() AND table_name = 'meta'"""


def _current_version(con: duckdb.DuckDBPyConnection) -> str:
    """The data version in ``meta`` as recorded in the tag (``NO_META`` / ``NO_VERSION`` if absent)."""
    (has_meta,) = con.execute(_META_SQL).fetchone()  # type: ignore[misc]
    if not has_meta:
        return NO_META
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [DATA_VERSION_KEY]).fetchall()
    version = str(rows[0][0]) if rows else NO_VERSION
    if not version.isalnum():  # recorded in a colon-separated tag and quoted into the guard
        raise ValueError(f"unexpected data version {version!r} in meta")
    return version


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every summary table (the map then answers from ``cases``)."""
    for cube in CUBES:
        con.execute(f"DROP TABLE IF EXISTS {cube.name}")
    con.execute(f"DROP TABLE IF EXISTS {DICT_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {INFO_TABLE}")
    from analytics import summary_index, summary_trial  # summary_trial imports analytics.indicators: not early

    summary_trial.drop(con)
    summary_index.drop(con)


# The map cubes' templates (rendered for DuckDB by ``refresh``, for Spark by engine/spark_build).
H3_TABLE = "_summary_h3"  # dense codes of the H3 cells present (a temp table / view of the build)


def h3_codes_sql(d: sqlgen.Dialect) -> str:
    """``H3_TABLE``: dense codes for the H3 cells present, in id order."""
    return (
        f"SELECT h3_r7, {d.cast('row_number() OVER (ORDER BY h3_r7) - 1', 'INTEGER')} AS h3c "
        f"FROM (SELECT DISTINCT h3_r7 FROM {d.cases} WHERE h3_r7 IS NOT NULL)"
    )


def h3_dict_sql() -> str:
    """The rows of ``DICT_TABLE`` for the H3 cells (dim 'h3'), from ``H3_TABLE``."""
    return f"SELECT 'h3' AS dim, h3c AS code, lower(hex(h3_r7)) AS value FROM {H3_TABLE}"


def map_cubes_sql(d: sqlgen.Dialect) -> list[tuple[str, str]]:
    """(name, SELECT) of every map cube, in build order: the finest of each grain from the cases,
    the others rolled up from it (``H3_TABLE`` must exist)."""
    codes = [(d.code(c), c) for c in ENUM_DIMS]
    count = "CAST(count(*) AS INTEGER) AS n"
    m_full, h_full = CUBES[0], CUBES[4]
    out = [
        (
            m_full.name,
            grouped(
                d,
                [
                    (d.cast(d.month("filed_date"), "SMALLINT"), "m"),
                    ("adcode", "adcode"),
                    *codes,
                    ("closed_date IS NULL", "pending"),
                    count,
                ],
                d.cases,
            )
            + " "
            + d.order_by("m, adcode"),
        ),
        (
            h_full.name,
            f"""SELECT a.y, h.h3c, {", ".join("a." + c for c in ENUM_DIMS)}, a.pending, a.n
             FROM ({
                grouped(
                    d,
                    [
                        (d.cast("year(filed_date)", "SMALLINT"), "y"),
                        ("h3_r7", "h3_r7"),
                        *codes,
                        ("closed_date IS NULL", "pending"),
                        count,
                    ],
                    d.cases,
                    "h3_r7 IS NOT NULL",
                )
            }) a
             JOIN {H3_TABLE} h USING (h3_r7) {d.order_by("a.y, h.h3c")}""",
        ),
    ]
    for cube in CUBES:
        if cube in (m_full, h_full):
            continue
        src = m_full if cube.grain == "month" else h_full
        t = _TIME[cube.grain]
        # Cause cubes are only chosen when a query filters or groups on cause, so they are sorted
        # by cause first: a one-cause filter then reads one or two row groups (zone maps), not
        # the whole cube (at 10M cases the hexagon cause cube has ~1M rows).
        order = f"cause_group, cause, {t}" if "cause" in cube.dims else f"{t}, {cube.dims[0]}"
        # BIGINT sums: a coarse cell may exceed 2^31 cases only in absurd stores, but be safe.
        keys = [(c, c) for c in (t, *cube.dims)]
        out.append((cube.name, grouped(d, [*keys, "CAST(sum(n) AS BIGINT) AS n"], src.name) + " " + d.order_by(order)))
    return out


def refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """(Re)build the summary tables from ``cases``; False (and no summary) if the schema differs.

    Runs inside the caller's transaction when there is one, so a rebuilt case table and its
    summary are committed together. Never raises for an unexpected schema: it only checks
    column types first (an error inside a transaction would abort the caller's transaction).
    """
    drop(con)
    cols = _case_columns(con)
    sql_types = {c.name: c.sql_type for c in schema.CASE_COLUMNS}
    needed_enum = all(cols.get(d, "").startswith("ENUM") for d in ENUM_DIMS)
    if not needed_enum or not {"adcode", "filed_date", "closed_date", "h3_r7"} <= set(cols):
        return False
    con.execute(f"CREATE TABLE {DICT_TABLE} (dim VARCHAR NOT NULL, code INTEGER NOT NULL, value VARCHAR)")
    for dim in ENUM_DIMS:
        con.execute(
            f"""INSERT INTO {DICT_TABLE}
                SELECT ?, enum_code(v::{sql_types[dim]})::INTEGER, v::VARCHAR
                FROM (SELECT unnest(enum_range(NULL::{sql_types[dim]})) AS v)""",
            [dim],
        )
    # Dense codes for the H3 cells present, in id order.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {H3_TABLE} AS {h3_codes_sql(sqlgen.DUCKDB)}")
    con.execute(f"INSERT INTO {DICT_TABLE} {h3_dict_sql()}")
    for name, sql in map_cubes_sql(sqlgen.DUCKDB):
        con.execute(f"CREATE TABLE {name} AS {sql}")
    con.execute(f"DROP TABLE {H3_TABLE}")
    from analytics import summary_index, summary_trial

    # The trial indicators' cubes (analytics/summary_trial.py) and the index inputs
    # (analytics/summary_index.py), in the same transaction and tag.
    built = [(c.name, c.grain, c.dims) for c in CUBES] + summary_trial.build(con) + summary_index.build(con)
    con.execute(f"CREATE TABLE {INFO_TABLE} (cube VARCHAR, grain VARCHAR, dims VARCHAR, n_rows BIGINT)")
    for name, grain, dims in built:
        (rows,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # type: ignore[misc]
        con.execute(f"INSERT INTO {INFO_TABLE} VALUES (?, ?, ?, ?)", [name, grain, ",".join(dims), rows])
    (n_cases,) = con.execute("SELECT count(*) FROM cases").fetchone()  # type: ignore[misc]
    build = uuid.uuid4().hex
    tag = f"{SUMMARY_VERSION}:{build}:{n_cases}:{_current_version(con)}"
    con.execute(f"COMMENT ON TABLE {INFO_TABLE} IS '{tag}'")
    summary_trial.tag_details(con, build)  # the day-level detail belongs to this build
    return True


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CubeInfo:
    name: str
    grain: str
    dims: frozenset[str]
    rows: int


@dataclass(frozen=True)
class Info:
    """A built summary: its cubes (smallest first), value <-> code maps, the cases it was built from."""

    build: str
    n_cases: int
    data_version: str  # the version in meta when the summary was built (or NO_META / NO_VERSION)
    cubes: tuple[_CubeInfo, ...]  # the map's count cubes (grains 'month' and 'year')
    codes: dict[str, dict[str, int]]  # dim -> value -> code
    names: dict[str, np.ndarray]  # dim -> object array: code -> value
    ranks: dict[str, np.ndarray]  # dim -> int array: code -> rank of the value in string order
    # the trial indicators' cubes (analytics/summary_trial.py: grains 'trial' and 'tdays')
    trial_cubes: tuple[_CubeInfo, ...] = ()
    # dim -> ``names[dim]`` as a pandas string array, made on first use (``texts``)
    _texts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def texts(self, dim: str, codes: np.ndarray) -> Any:
        """The values of ``codes`` as the string column DuckDB's ``.df()`` makes (``_strings``).

        Taken from the dimension's values converted once per summary, not converted per call
        (a few thousand H3 cell ids cost a third of a millisecond each time).
        """
        if not len(codes):
            return _strings(codes)
        arr = self._texts.get(dim)
        if arr is None:
            arr = self._texts.setdefault(dim, _strings(self.names[dim]))
        return arr.take(codes)

    def cube(self, grain: str, dims: Iterable[str]) -> str | None:
        """The smallest cube of this grain holding all ``dims`` (None when there is none)."""
        need = set(dims)
        for c in (*self.cubes, *self.trial_cubes):
            if c.grain == grain and need <= c.dims:
                return c.name
        return None

    def _fresh_condition(self) -> str:
        """Aggregate condition over ``cases``: the data are those the summary was built from."""
        same = f"count(*) = {int(self.n_cases)}"
        if self.data_version != NO_META:
            want = "NULL" if self.data_version == NO_VERSION else f"'{self.data_version}'"
            same += f" AND (SELECT max(value) FROM meta WHERE key = '{DATA_VERSION_KEY}') IS NOT DISTINCT FROM {want}"
        return same

    def fresh_sql(self) -> str:
        """A boolean SQL expression: true while the summary is current."""
        return f"(SELECT {self._fresh_condition()} FROM cases)"

    def guard(self) -> str:
        """A predicate that raises when the data changed since the summary was built."""
        return f"(SELECT CASE WHEN {self._fresh_condition()} THEN true ELSE error('summary is stale') END FROM cases)"


# Never raises (a missing table would abort the caller's transaction): a catalog lookup.
_CHECK_SQL = f"""
    SELECT comment FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = current_schema()
      AND table_name = '{INFO_TABLE}'"""
_INFOS: dict[str, Info] = {}  # by build id: shared by every session of a server
_LOCK = threading.Lock()


def _load_info(con: duckdb.DuckDBPyConnection, build: str, n_cases: int, version: str) -> Info:
    every = tuple(
        _CubeInfo(str(n), str(g), frozenset(str(d).split(",")), int(r))
        for n, g, d, r in con.execute(
            f"SELECT cube, grain, dims, n_rows FROM {INFO_TABLE} ORDER BY n_rows, cube"
        ).fetchall()
    )
    cubes = tuple(c for c in every if c.grain in _TIME)
    trial = tuple(c for c in every if c.grain not in _TIME)
    codes: dict[str, dict[str, int]] = {}
    for dim, code, value in con.execute(f"SELECT dim, code, value FROM {DICT_TABLE}").fetchall():
        codes.setdefault(str(dim), {})[str(value)] = int(code)
    names: dict[str, np.ndarray] = {}
    ranks: dict[str, np.ndarray] = {}
    for dim in (*ENUM_DIMS, "h3"):
        m = codes.setdefault(dim, {})
        size = max(m.values()) + 1 if m else 0
        arr = np.empty(size, dtype=object)
        for value, code in m.items():
            arr[code] = value
        names[dim] = arr
        # Python compares str by code point, which is the byte order of UTF-8 (DuckDB's order).
        order = sorted(range(size), key=lambda c, a=arr: (a[c] is None, a[c] or ""))
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size)
        ranks[dim] = rank
    return Info(build, n_cases, version, cubes, codes, names, ranks, trial)


def info(con: duckdb.DuckDBPyConnection) -> Info | None:
    """The current summary's description, or None when the store has none (or an old one)."""
    row = con.execute(_CHECK_SQL).fetchone()
    if row is None or not row[0]:
        return None
    parts = str(row[0]).split(":")
    if len(parts) != 4 or parts[0] != SUMMARY_VERSION or not parts[2].isdigit():
        return None
    got = _INFOS.get(parts[1])
    if got is None:
        got = _load_info(con, parts[1], int(parts[2]), parts[3])
        with _LOCK:
            if len(_INFOS) > 32:  # stores rebuilt again and again in one process (tests)
                _INFOS.clear()
            _INFOS[parts[1]] = got
    return got


def available(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store has a summary the fast path can use."""
    inf = info(con)
    if inf is None:
        return False
    (fresh,) = con.execute(f"SELECT {inf.fresh_sql()}").fetchone()  # type: ignore[misc]
    return bool(fresh)


def _in_list(codes: Sequence[int]) -> str:
    return ", ".join(str(int(c)) for c in codes)


def _predicate(inf: Info, flt: CaseFilter, district: bool) -> tuple[str, set[str]]:
    """SQL over cube columns equivalent to ``flt.where(years=False, district=district)``.

    Returns the predicate and the dimensions it needs. Values become integer codes here
    (an unknown value matches nothing, as in the reference), so only integers reach the SQL.
    """
    clauses: list[str] = []
    need: set[str] = set()

    def codes_of(dim: str, values: Iterable[str]) -> list[int]:
        known = inf.codes.get(dim, {})
        return [known[v] for v in values if v in known]

    for attr, dim in FILTER_DIMS:
        values = getattr(flt, attr)
        if values:
            need.add(dim)
            codes = codes_of(dim, values)
            clauses.append(f"{dim} IN ({_in_list(codes)})" if codes else "FALSE")
    if flt.outcomes:
        real = [o for o in flt.outcomes if o != PENDING]
        parts = []
        if real:
            need.add("outcome")
            codes = codes_of("outcome", real)
            parts.append(f"outcome IN ({_in_list(codes)})" if codes else "FALSE")
        if PENDING in flt.outcomes:
            need.add("pending")
            parts.append("pending")
        clauses.append("(" + " OR ".join(parts) + ")")
    if district and flt.district is not None:
        need.add("adcode")
        clauses.append(f"adcode = {int(flt.district)}")
    return (" AND ".join(clauses) or "TRUE"), need


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, *, numpy: bool = False, params: dict[str, object] | None = None
) -> Any:
    """Rows (or numpy columns) of a cube query; None when the guard found the summary stale.

    ``params``: named parameters; only those the SQL refers to as ``$name`` are passed.
    """
    try:
        res = con.execute(sql, sqlgen.used_params(sql, params)) if params else con.execute(sql)
        return res.fetchnumpy() if numpy else res.fetchall()
    except duckdb.Error as exc:
        if "summary is stale" in str(exc):
            return None
        raise


def _strings(values: np.ndarray) -> Any:
    """A string column as DuckDB's ``.df()`` makes it (pandas str; object when empty)."""
    return pd.array(values.tolist(), dtype="str") if len(values) else np.array([], dtype=object)


def _month(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_bounds(m: int) -> tuple[date, date]:
    y, mo = divmod(m, 12)
    return date(y, mo + 1, 1), date(y, mo + 1, calendar.monthrange(y, mo + 1)[1])


def main() -> None:
    """Command line: add (or rebuild) the summary of an existing store."""
    import argparse
    from pathlib import Path

    ap = argparse.ArgumentParser(description="build the map summary tables of a case store")
    ap.add_argument("db", type=Path)
    args = ap.parse_args()
    from analytics.store import bump_data_version  # store imports this module

    con = duckdb.connect(str(args.db))
    try:
        con.execute("BEGIN TRANSACTION")
        (has_meta,) = con.execute(_META_SQL).fetchone()  # type: ignore[misc]
        if has_meta:  # also upgrades an older store: data version and filter metadata
            bump_data_version(con)
        ok = refresh(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    print("summary built" if ok else "store schema not supported: no summary built")


if __name__ == "__main__":
    main()
