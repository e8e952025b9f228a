"""The shortcuts of the summary refresh (analytics/summary_trial.py) give what the plain SQL gives.

The refresh computes the trial cubes with less work than their definitions: the closed rows of the
finest cube are aggregated from the closed detail (amounts kept only where an ingredient reads them),
with condition terms over cell-constant columns tested once per cell and shared aggregates; the
roll-ups sum, per kind, only the measures that kind fills; the finest duration histogram cube is
the histogram itself. Each is compared here with the plain SQL on the small store.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from analytics import summary_trial as st
from analytics.indicators import queries as q
from analytics.indicators.definitions import CLOSED_INGREDIENTS
from analytics.sqlgen import DUCKDB, grouped, used_params

_SQL_WORDS = {"AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE"}  # this test's own reading of a condition
_CODES = [(f"CAST(enum_code({c}) AS INTEGER)", c) for c in st._CODED]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[tuple[str, str]], list[tuple[object, ...]]]:
    """Column names and types, and the rows in a fixed order (floating columns rounded)."""
    params = used_params(sql, q._vocab_params())
    cols = con.execute(f"DESCRIBE SELECT * FROM ({sql})", params).fetchall()
    exprs = [f"round({n}, 6) AS {n}" if t in ("DOUBLE", "FLOAT") else n for n, t, *_ in cols]
    rows = con.execute(f"SELECT {', '.join(exprs)} FROM ({sql}) ORDER BY ALL", params).fetchall()
    return [(str(n), str(t)) for n, t, *_ in cols], rows


def _same(con: duckdb.DuckDBPyConnection, a: str, b: str) -> int:
    (cols_a, rows_a), (cols_b, rows_b) = _rows(con, a), _rows(con, b)
    assert cols_a == cols_b
    assert rows_a == rows_b
    return len(rows_a)


@pytest.mark.parametrize(
    ("cond", "terms"),
    [
        ("TRUE", []),
        (
            "proc = $first AND cat = $civil AND list_contains($mw, outc)",
            ["proc = $first", "cat = $civil", "list_contains($mw, outc)"],
        ),
        (
            "proc NOT IN ($enforce, $preserve) AND (lim_known OR lim_ok)",
            ["proc NOT IN ($enforce, $preserve)", "(lim_known OR lim_ok)"],
        ),
        ("proc = $first OR lim_known", ["proc = $first OR lim_known"]),  # not a conjunction: one term
        ("days BETWEEN 1 AND 5 AND proc = $first", ["days BETWEEN 1 AND 5 AND proc = $first"]),
        ("outc = 'A AND B' AND lim_ok", ["outc = 'A AND B'", "lim_ok"]),
    ],
)
def test_conjuncts(cond: str, terms: list[str]) -> None:
    assert st._conjuncts(cond) == terms


@pytest.mark.parametrize(
    ("term", "constant"),
    [
        ("proc = $first", True),
        ("list_contains($mw, outc)", True),
        ("proc NOT IN ($enforce, $enforce_review, $preserve)", True),
        ("cat = 'days' AND outc IS NOT NULL", True),  # a word inside a string literal is no column
        ("lim_known", False),
        ("proc = $first AND fi_challenged", False),
        ("PROC = $first", False),  # not recognised: tested per case (always exact)
        ("eff_amount IS NOT NULL", False),
    ],
)
def test_cell_constant(term: str, constant: bool) -> None:
    assert st._cell_constant(term) is constant


def test_every_ingredient_reads_closed_detail_columns() -> None:
    """The closed rows are aggregated from the closed detail: every column an ingredient reads is
    there, or is the text of a code stored there (proc, cat, outc: named from the dictionary)."""
    stored = {"closed_date", "filed_date", "adcode", *st._CODED, *st.detail_columns()}
    assert not {"proc", "cat", "outc"} & set(st.detail_columns())  # the detail keeps the codes only
    stored |= {"proc", "cat", "outc"}  # procedure, category, outcome are stored as codes
    for name, (_agg, expr, cond) in CLOSED_INGREDIENTS.items():
        text = re.sub(r"'(?:[^']|'')*'", "''", f"{expr} {cond}")
        words = {w for w in re.findall(r"(?<![$\w])([A-Za-z_]\w*)(?!\w|\s*\()", text) if w.upper() not in _SQL_WORDS}
        assert words <= stored, (name, words - stored)


def _plain_closed(kind: str, codes: list, source: str, where: str | None = None) -> str:
    """The KIND_CLOSED rows by their definition: every closed measure per cell of ``source``."""
    return grouped(
        DUCKDB,
        [
            kind,
            ("CAST((year(closed_date) * 12 + month(closed_date) - 1) AS SMALLINT)", "m"),
            ("adcode", "adcode"),
            *codes,
            "false AS pending",
            "count(*) AS n",
            *(f"{sql} AS {col}" for col, _n, _p, sql in st.closed_measures()),
        ],
        source,
        where,
    )


# The closed detail with the text of its codes, read by this test from the dictionary itself.
_DETAIL_TEXT = f"""(SELECT x.*, p.value AS proc, c.value AS cat, o.value AS outc FROM {st.CLOSED_DETAIL} x
    LEFT JOIN summary_dict p ON p.dim = 'procedure' AND p.code = x.procedure
    LEFT JOIN summary_dict c ON c.dim = 'category' AND c.code = x.category
    LEFT JOIN summary_dict o ON o.dim = 'outcome' AND o.code = x.outcome)"""


def test_closed_detail_names_its_codes_as_the_enrichment_does(con: duckdb.DuckDBPyConnection) -> None:
    """The text named from the detail's codes is the enrichment's own text (the detail no longer keeps it)."""
    x = f"({st.enriched_sql(DUCKDB)})"
    by_case = ", ".join([*st._CODED[3:], "adcode"])  # not a key: compared as multisets of rows
    named = f"SELECT closed_date, filed_date, proc, cat, outc, {by_case} FROM {_DETAIL_TEXT}"
    codes = ", ".join(f"CAST(enum_code({c}) AS INTEGER) AS {c}" for c in st._CODED[3:])
    plain = f"SELECT closed_date, filed_date, proc, cat, outc, {codes}, adcode FROM {x} WHERE is_closed"
    assert _same(con, named, plain) > 1000


def test_closed_rows_equal_the_plain_aggregation(con: duckdb.DuckDBPyConnection) -> None:
    kind = "CAST(2 AS TINYINT) AS kind"
    plain_from_detail = _plain_closed(kind, [(c, c) for c in st._CODED], _DETAIL_TEXT)
    assert _same(con, plain_from_detail, st.closed_sql(DUCKDB, kind)) > 1000
    # ... and what the enrichment itself gives (amounts dropped from the detail where no measure reads them)
    plain_from_x = _plain_closed(kind, _CODES, f"({st.enriched_sql(DUCKDB)})", "is_closed")
    assert _same(con, plain_from_x, st.closed_sql(DUCKDB, kind)) > 1000


def test_kinds_fill_only_their_measures(con: duckdb.DuckDBPyConnection) -> None:
    full = st.TRIAL_CUBES[0][0]
    filled = st.kind_measures()
    rows = con.execute(f"SELECT DISTINCT kind FROM {full}").fetchall()
    assert {int(k) for (k,) in rows} == set(filled)
    for kind, cols in filled.items():
        others = [c for c in st.measure_columns() if c not in cols]
        (bad,) = con.execute(
            f"SELECT count(*) FROM {full} WHERE kind = {kind} AND NOT ({' AND '.join(f'{c} IS NULL' for c in others)})"
        ).fetchone()  # type: ignore[misc]
        assert bad == 0, kind
    types = {str(n): str(t) for n, t, *_ in con.execute(f"DESCRIBE {full}").fetchall()}
    floats = {c for c in st.measure_columns() if types[c] == "DOUBLE"}
    for name, dims in st.TRIAL_CUBES[1:]:
        sums = [st._typed(DUCKDB, f"sum({c})", c, floats) for c in st.measure_columns()]
        plain = grouped(DUCKDB, [(c, c) for c in ("kind", "m", *dims)] + sums, full)
        assert _same(con, plain, f"SELECT * FROM {name}") > 100
        assert _same(con, plain, st.rollup_sql(DUCKDB, dims, floats)) > 100


def test_days_cubes_equal_the_histograms_of_the_enrichment(con: duckdb.DuckDBPyConnection) -> None:
    """The histograms (from the closed detail, without outcome) rolled up == per outcome from the enrichment."""
    x = f"({st.enriched_sql(DUCKDB)})"
    hists = []
    for i, (expr, cond, _names) in enumerate(st.quantile_groups()):
        hists.append(
            grouped(
                DUCKDB,
                [
                    f"{i} AS q",
                    ("CAST((year(closed_date) * 12 + month(closed_date) - 1) AS SMALLINT)", "m"),
                    ("adcode", "adcode"),
                    *_CODES,
                    (f"CAST(({expr}) AS BIGINT)", "v"),
                    "CAST(count(*) AS BIGINT) AS n",
                ],
                x,
                f"is_closed AND ({cond}) AND ({expr}) IS NOT NULL",
            )
        )
    assert hists
    for name, dims in st.DAYS_CUBES:
        plain = grouped(
            DUCKDB,
            [(c, c) for c in ("q", "m", *dims, "v")] + ["CAST(sum(n) AS BIGINT) AS n"],
            f"({' UNION ALL '.join(hists)})",
        )
        assert _same(con, plain, f"SELECT * FROM {name}") > 100


def test_a_refresh_drops_the_retired_cubes_of_an_older_store(small_store, tmp_path) -> None:
    """A store built before ``summary_t_cause`` was retired loses it at its next refresh (no orphan
    table), and the cubes listed are exactly the current ones."""
    import shutil

    from analytics import summary
    from analytics.store import open_store

    path = tmp_path / "old.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    try:
        c.execute("CREATE TABLE summary_t_cause AS SELECT * FROM summary_t_small")  # as an older build left it
        c.execute("BEGIN TRANSACTION")
        assert summary.refresh(c)
        c.execute("COMMIT")
        tables = {t for (t,) in c.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "summary_t_cause" not in tables
        listed = {n for (n,) in c.execute("SELECT cube FROM summary_info WHERE grain = 'trial'").fetchall()}
        assert listed == {"summary_t_full", "summary_t_court", "summary_t_small"} <= tables
    finally:
        c.close()
