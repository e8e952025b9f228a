"""Export a DuckDB store's case table to Parquet for the Spark build.

Writes into ``out``:

* ``cases/year=YYYY/*.parquet`` -- every case column; ENUM columns as strings (Spark has no ENUM),
  ``h3_r7`` as BIGINT (H3 ids are < 2^63; Spark has no unsigned 64-bit integer);
* ``dict.parquet`` -- (dim, code, value) of every ENUM dimension of the cubes, taken from the
  store's ENUM types exactly as ``analytics.summary.refresh`` records them in ``summary_dict``:
  Spark maps the strings back to these codes (a small broadcast table), so codes agree;
* ``manifest.json`` -- the number of cases and the store's data version, which the loader checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from analytics import schema, summary

DICT_FILE = "dict.parquet"
CASES_DIR = "cases"
MANIFEST = "manifest.json"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, object]:
    """Write the case table, its ENUM dictionary and a manifest under ``out``; returns the manifest."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    types = {c.name: c.sql_type for c in schema.CASE_COLUMNS}
    present = [str(r[0]) for r in con.execute("DESCRIBE cases").fetchall()]
    cols = []
    for name in present:
        t = types.get(name, "")
        if t == "UBIGINT":
            cols.append(f"{name}::BIGINT AS {name}")
        elif t.endswith("_t"):
            cols.append(f"{name}::VARCHAR AS {name}")
        else:
            cols.append(name)
    con.execute(
        f"""COPY (SELECT {", ".join(cols)}, year(filed_date) AS year FROM cases)
            TO {_quote(out / CASES_DIR)} (FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)"""
    )
    parts = []
    for dim in summary.ENUM_DIMS:
        parts.append(
            f"""SELECT '{dim}' AS dim, enum_code(v::{types[dim]})::INTEGER AS code, v::VARCHAR AS value
                FROM (SELECT unnest(enum_range(NULL::{types[dim]})) AS v)"""
        )
    con.execute(f"COPY ({' UNION ALL '.join(parts)}) TO {_quote(out / DICT_FILE)} (FORMAT parquet)")
    (n,) = con.execute("SELECT count(*) FROM cases").fetchone()  # type: ignore[misc]
    manifest = {"n_cases": int(n), "data_version": summary._current_version(con)}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="export a store's case table to Parquet for the Spark build")
    ap.add_argument("db", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    try:
        print(json.dumps(export(con, args.out)))
    finally:
        con.close()


if __name__ == "__main__":
    main()
