"""Summary tables for the 经济社会运行评估 index inputs (``analytics.index.rates.case_counts``).

Built by ``summary.refresh`` in the same transaction as the map and trial cubes, listed in
``summary_info`` (grains ``index`` and ``iseries``) and read under the same freshness guard; the
case-table SQL in ``rates`` stays the reference and answers when these tables are missing (a
store built before them) or stale.

The index selections (``config/indices.toml``) are ANDs of value lists over seven categorical
columns (``SELECTION_COLUMNS``, the ``rates.COLUMNS`` of ``analytics.index.rates``), counted per
district and year or quarter of the filing or closing date. No map or trial cube holds
``type_code`` or ``defendant_kind``, so:

* ``summary_i_counts`` (grain ``index``): ``basis`` (``FILED``: every case by its filing date;
  ``CLOSED``: closed cases by their closing date), ``p`` = year * 10 + quarter of that date,
  ``adcode``, the seven columns as text, ``n`` cases. Any configuration of plain selections is
  answered from it (a yearly count sums the four quarters).
* ``summary_i_series`` (grain ``iseries``): the cases of repeat defendants, for the ``series``
  selections (a defendant with at least ``min_cases`` matching cases in the city in a filing
  year): ``p`` (filing quarter), ``k`` = ``defendant_key``, ``adcode``, the seven columns, ``n``;
  only pairs (filing year, key) with at least ``SERIES_MIN_CASES`` cases of any kind that year.
  A selection's own count is at most that total, so every series selection with
  ``min_cases >= SERIES_MIN_CASES`` is answered exactly; a smaller ``min_cases`` (and a series
  counted by closing date) is counted from ``cases``. The threshold is recorded in the table's
  ``summary_info`` dimensions as ``min_cases=<n>``.

Sizes (synthetic data, 1M / 10M cases): ``summary_i_counts`` 0.27M / ~0.5M rows; ``summary_i_series``
with the threshold 20 (the shipped configuration's ``min_cases``) 65k / 1.26M rows (2: 0.4M / 5.7M,
40% of the cases at 1M: too many).

Columns are stored as text, not ENUM codes: the selections compare values, and the Spark build
writes the same strings without a dictionary. Both builds render the same template
(``tables_sql``, ``analytics.sqlgen``).
"""

from __future__ import annotations

import duckdb

from analytics import sqlgen
from analytics.sqlgen import grouped

COUNTS_TABLE, SERIES_TABLE = "summary_i_counts", "summary_i_series"
COUNTS_GRAIN, SERIES_GRAIN = "index", "iseries"
FILED, CLOSED = 0, 1
SELECTION_COLUMNS = ("type_code", "category", "procedure", "cause_group", "cause", "defendant_kind", "outcome")
SERIES_MIN_CASES = 20
MIN_CASES_DIM = "min_cases="
COUNTS_DIMS = ("basis", "p", "adcode", *SELECTION_COLUMNS)
SERIES_DIMS = ("p", "k", "adcode", *SELECTION_COLUMNS, f"{MIN_CASES_DIM}{SERIES_MIN_CASES}")
TABLES = (COUNTS_TABLE, SERIES_TABLE)
ORDER = {COUNTS_TABLE: "basis, p, adcode", SERIES_TABLE: "p, k"}  # row order (zone maps on p)


def listing() -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, grain, dims) of each table, as ``summary_info`` lists them (DuckDB and Spark builds)."""
    return [(COUNTS_TABLE, COUNTS_GRAIN, COUNTS_DIMS), (SERIES_TABLE, SERIES_GRAIN, SERIES_DIMS)]


def quarter(col: str) -> str:
    """The period ``p`` of a date column: year * 10 + quarter (20241 = 2024 Q1)."""
    return f"(year({col}) * 10 + quarter({col}))"


def series_threshold(dims: frozenset[str]) -> int | None:
    """The ``min_cases`` threshold recorded in a series table's dimensions (None if absent)."""
    for d in dims:
        if d.startswith(MIN_CASES_DIM) and d[len(MIN_CASES_DIM) :].isdigit():
            return int(d[len(MIN_CASES_DIM) :])
    return None


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the index tables."""
    for name in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def tables_sql(d: sqlgen.Dialect) -> list[tuple[str, str]]:
    """(name, SELECT) of the index tables, rendered for DuckDB (``build``) or Spark (engine/spark_build).

    Grouped on the case table's columns (ENUM codes in DuckDB) and cast to text on the (much
    smaller) aggregate.
    """
    cols = [(c, c) for c in SELECTION_COLUMNS]
    text = ", ".join(c if d.text(c) == c else f"{d.text(c)} AS {c}" for c in SELECTION_COLUMNS)
    parts = []
    for basis, col in ((FILED, "filed_date"), (CLOSED, "closed_date")):
        parts.append(
            grouped(
                d,
                [
                    f"{d.cast(str(basis), 'TINYINT')} AS basis",
                    (d.cast(quarter(col), "SMALLINT"), "p"),
                    ("adcode", "adcode"),
                    *cols,
                    "CAST(count(*) AS BIGINT) AS n",
                ],
                d.cases,
                None if basis == FILED else f"{col} IS NOT NULL",
            )
        )
    counts = f"SELECT basis, p, adcode, {text}, n FROM ({' UNION ALL '.join(parts)}) {d.order_by(ORDER[COUNTS_TABLE])}"
    repeat = grouped(
        d,
        [("year(filed_date)", "y"), ("defendant_key", "k")],
        d.cases,
        "defendant_key IS NOT NULL",
        f"count(*) >= {int(SERIES_MIN_CASES)}",
    )
    inner = grouped(
        d,
        [
            (d.cast(quarter("c.filed_date"), "SMALLINT"), "p"),
            ("c.defendant_key", "k"),
            ("c.adcode", "adcode"),
            *((f"c.{x}", x) for x in SELECTION_COLUMNS),
            "CAST(count(*) AS BIGINT) AS n",
        ],
        f"{d.cases} c JOIN r ON r.y = year(c.filed_date) AND r.k = c.defendant_key",
    )
    series = sqlgen.with_ctes(
        [("r", repeat)], f"SELECT p, k, adcode, {text}, n FROM ({inner}) {d.order_by(ORDER[SERIES_TABLE])}"
    )
    return [(COUNTS_TABLE, counts), (SERIES_TABLE, series)]


def build(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, tuple[str, ...]]]:
    """Build the index tables from ``cases``; returns (name, grain, dims) of each table built."""
    drop(con)
    for name, sql in tables_sql(sqlgen.DUCKDB):
        con.execute(f"CREATE TABLE {name} AS {sql}")
    return listing()
