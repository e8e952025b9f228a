"""Load Spark-built Parquet aggregates into a DuckDB store as the summary tables.

The result is what ``analytics.summary.refresh`` would have written: the same table names,
column names and types (the map cubes' code columns cast to the store's ENUM code types), the same
row order (zone maps), ``summary_info`` with one row per cube and a freshness tag
``SUMMARY_VERSION:build:n_cases:data_version``. The tag records the case count and data version
of the *export* the aggregates were built from; the loader refuses aggregates whose source is not
the store's current data (they would be stale at once), so the pages' freshness guard holds as
for a DuckDB build and the app serves them unchanged.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb

from analytics import schema, summary, summary_index, summary_trial


class StaleAggregates(RuntimeError):
    """The aggregates were not built from the store's current case data."""


def _order(name: str) -> str:
    """The row order ``refresh`` gives each table (mirrors summary.py / summary_trial.py / summary_index.py)."""
    for cube in summary.CUBES:
        if cube.name == name:
            t = summary._TIME[cube.grain]
            if cube in (summary.CUBES[0], summary.CUBES[4]):
                return f"{t}, {cube.dims[0]}"
            return f"cause_group, cause, {t}" if "cause" in cube.dims else f"{t}, {cube.dims[0]}"
    for n, dims in summary_trial.TRIAL_CUBES:
        if n == name:
            return "cause_group, cause, kind, m" if "cause" in dims else "kind, m, adcode"
    for n, dims in summary_trial.DAYS_CUBES:
        if n == name:
            return "cause_group, cause, m" if "cause" in dims else "m, adcode"
    if name in summary_index.ORDER:
        return summary_index.ORDER[name]
    return {summary_trial.CLOSED_DETAIL: "closed_date", summary_trial.EVENT_DETAIL: "d"}.get(name, "")


def _code_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The type of ``enum_code`` for each ENUM dimension of the store (UTINYINT, USMALLINT ...)."""
    types = {c.name: c.sql_type for c in schema.CASE_COLUMNS}
    out = {}
    for dim in summary.ENUM_DIMS:
        (t,) = con.execute(f"SELECT typeof(enum_code(NULL::{types[dim]}))").fetchone()  # type: ignore[misc]
        out[dim] = str(t)
    return out


def load(con: duckdb.DuckDBPyConnection, agg_dir: Path, *, check: bool = True) -> dict[str, object]:
    """Replace the store's summary tables with the aggregates in ``agg_dir`` (one transaction).

    ``check``: refuse aggregates whose manifest's case count or data version differs from the
    store's (``StaleAggregates``). Returns the manifest.
    """
    agg_dir = Path(agg_dir)
    manifest = json.loads((agg_dir / "manifest.json").read_text(encoding="utf-8"))
    version = summary._current_version(con)
    (n_cases,) = con.execute("SELECT count(*) FROM cases").fetchone()  # type: ignore[misc]
    if check and (int(manifest["n_cases"]) != int(n_cases) or str(manifest["data_version"]) != version):
        raise StaleAggregates(
            f"aggregates built from {manifest['n_cases']} cases, version {manifest['data_version']}; "
            f"the store has {n_cases}, version {version}")
    code_types = _code_types(con)
    map_cubes = {c.name for c in summary.CUBES}
    con.execute("BEGIN TRANSACTION")
    try:
        summary.drop(con)
        for name in manifest["tables"]:
            files = str(agg_dir / name / "*.parquet").replace("'", "''")
            cols = [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{files}')").fetchall()]
            sel = ", ".join(
                f"{c}::{code_types[c]} AS {c}" if name in map_cubes and c in code_types else c for c in cols)
            order = _order(name)
            con.execute(f"CREATE TABLE {name} AS SELECT {sel} FROM read_parquet('{files}')"
                        + (f" ORDER BY {order}" if order else ""))
        con.execute(f"CREATE TABLE {summary.INFO_TABLE} (cube VARCHAR, grain VARCHAR, dims VARCHAR, n_rows BIGINT)")
        for name, grain, dims in manifest["cubes"]:
            (rows,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # type: ignore[misc]
            con.execute(f"INSERT INTO {summary.INFO_TABLE} VALUES (?, ?, ?, ?)", [name, grain, ",".join(dims), rows])
        build = uuid.uuid4().hex
        tag = f"{summary.SUMMARY_VERSION}:{build}:{int(manifest['n_cases'])}:{manifest['data_version']}"
        con.execute(f"COMMENT ON TABLE {summary.INFO_TABLE} IS '{tag}'")
        if set(summary_trial.DETAIL_TABLES) <= set(manifest["tables"]):  # aggregates of an older build may lack them
            summary_trial.tag_details(con, build)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return manifest


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="load Spark-built aggregates into a DuckDB store")
    ap.add_argument("db", type=Path)
    ap.add_argument("aggregates", type=Path)
    args = ap.parse_args()
    con = duckdb.connect(str(args.db))
    try:
        m = load(con, args.aggregates)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    print(f"loaded {len(m['tables'])} tables built from {m['n_cases']} cases")


if __name__ == "__main__":
    main()
