"""Cell-for-cell comparison of two stores' summary tables (DuckDB-built vs Spark-built).

Tables are read through Arrow, sorted by every column, and compared column by column: integers,
booleans, dates and strings exactly, doubles (sums of amounts, whose summation order differs
between engines) to a relative 1e-9. Column names and DuckDB types must agree as well.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from analytics import summary, summary_index, summary_trial


def summary_tables() -> list[str]:
    """Every table ``summary.refresh`` writes (cubes, dictionary, span, errors, day-level detail, index
    inputs, info)."""
    names = [c.name for c in summary.CUBES] + [summary.DICT_TABLE]
    names += [n for n, _ in summary_trial.TRIAL_CUBES] + [n for n, _ in summary_trial.DAYS_CUBES]
    return [*names, summary_trial.SPAN_TABLE, summary_trial.ERR_TABLE, *summary_trial.DETAIL_TABLES,
            *summary_index.TABLES, summary.INFO_TABLE]


def _sorted(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[tuple[str, str]], pa.Table]:
    types = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {name}").fetchall()]
    floats = [c for c, t in types if t in ("DOUBLE", "FLOAT")]
    keys = [c for c, _ in types if c not in floats] + floats
    order = ", ".join(f"{c} NULLS FIRST" for c in keys)
    return types, con.sql(f"SELECT * FROM {name} ORDER BY {order}").to_arrow_table()


def diff_table(a: duckdb.DuckDBPyConnection, b: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Differences of table ``name`` between the stores of ``a`` and ``b`` (empty when equal)."""
    ta, xa = _sorted(a, name)
    tb, xb = _sorted(b, name)
    if ta != tb:
        return [f"{name}: columns {ta} != {tb}"]
    if xa.num_rows != xb.num_rows:
        return [f"{name}: {xa.num_rows} rows != {xb.num_rows}"]
    out = []
    for col, typ in ta:
        ca, cb = xa.column(col), xb.column(col)
        if typ in ("DOUBLE", "FLOAT"):
            va = np.array(ca.to_pylist(), dtype=float)
            vb = np.array(cb.to_pylist(), dtype=float)
            if not np.array_equal(np.isnan(va), np.isnan(vb)) or not np.allclose(
                    np.nan_to_num(va), np.nan_to_num(vb), rtol=1e-9, atol=1e-6):
                out.append(f"{name}.{col}: doubles differ")
        elif not ca.equals(cb):
            la, lb = ca.to_pylist(), cb.to_pylist()
            first = next(i for i, (u, v) in enumerate(zip(la, lb, strict=True)) if u != v)
            out.append(f"{name}.{col}: first difference at sorted row {first}: {la[first]!r} != {lb[first]!r}")
    return out


def diff_stores(a: duckdb.DuckDBPyConnection, b: duckdb.DuckDBPyConnection) -> list[str]:
    """Differences over every summary table, the info table without its build-specific tag."""
    out = []
    for name in summary_tables():
        out += diff_table(a, b, name)
    return out
