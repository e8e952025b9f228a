"""A small SQL dialect layer: the summary tables' queries written once, rendered for DuckDB or Spark.

Every summary table family (the map cubes in ``summary``, the trial cubes and their day-level
detail in ``summary_trial``, the index inputs in ``summary_index``) has one template function per
table that renders its SELECT from the shared definitions for a ``Dialect``. DuckDB executes the
``DUCKDB`` rendering (``summary.refresh``); Spark executes the ``Spark`` rendering
(``analytics.engine.spark_build``). What is not SQL stays in a thin engine adapter: DuckDB's
``CREATE [TEMP] TABLE``, Spark's temp views, caches and ``DataFrame.unionByName``, and the ENUM
dictionary join that gives Spark its ``c_<dim>`` code columns.

The primitives where the two SQL dialects differ (each is a trap checked by ``tests/test_spark.py``
cell for cell, and by ``tests/test_sqlgen.py`` as text):

==========================  ==================================  =====================================
primitive                   DuckDB                              Spark SQL
==========================  ==================================  =====================================
``cases``                   ``cases`` (ENUM columns)            ``coded`` (text + ``c_<dim>`` codes)
``dictionary``              ``summary_dict`` (dim/code/value)   ``dict`` (the same rows, a view)
``text(col)``               ``col::VARCHAR``                    ``col`` (the export holds strings)
``code(dim)``               ``enum_code(dim)``                  ``c_dim`` (dictionary broadcast join)
``param(name)``             ``$name`` (a query parameter)       a SQL literal of the vocabulary value
``cast(e, T)``              ``CAST(e AS T)``                    ``CAST(e AS T)`` (VARCHAR -> STRING)
``days(a, b)``              ``a - b`` (BIGINT)                  ``CAST(datediff(a, b) AS BIGINT)``
``add_days(a, n)``          ``a + n``                           ``date_add(a, n)``
``add_months(a, n)``        ``a + to_months(n)``                ``add_months(a, n)`` (both clamp)
``explode_range(a, b)``     ``unnest(range(a::BIGINT, ...))``   ``explode(sequence(a, b - 1))``
``list_contains(l, x)``     ``list_contains(l, x)``             ``array_contains(l, x)``
``double(0)``               ``0``                               ``0D``
``param_table(...)``        ``unnest($p::T[])`` per column      ``VALUES`` rows of literals
``group_by(keys)``          ``GROUP BY ALL``                    ``GROUP BY <keys>``
``order_by(cols)``          ``ORDER BY cols`` (zone maps)       nothing (the loader sorts)
``union_by_name(parts)``    ``UNION ALL BY NAME``               (the adapter: ``unionByName``)
``star_except(cols)``       ``* EXCLUDE (cols)``                ``*``
``inline()``                ``NOT MATERIALIZED`` (a CTE)        nothing (Spark inlines CTEs)
==========================  ==================================  =====================================

``month(col)`` (year * 12 + month - 1) is the same in both. The ingredient conditions of
``definitions`` are written in DuckDB syntax in a small portable subset; ``Dialect.expr`` passes
them through for DuckDB and translates them for Spark (``spark_expr``), refusing anything outside
the subset. We do not transpile with SQLGlot: its duckdb->spark output is silently wrong for
``quantile_cont``/``median`` and it cannot express ``UNION ALL BY NAME``, ``unnest(range())``,
``enum_code`` or ``$name`` parameters.

This module imports nothing from the application at import time (``summary`` and ``queries``
import it), and never PySpark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import ClassVar, Protocol

# --- literals and the ingredient language (Spark) -----------------------------------------------


def literal(value: object) -> str:
    """A Spark SQL literal for a vocabulary constant (string, integer, list of strings)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "array(" + ", ".join(literal(v) for v in value) + ")"
    raise TypeError(f"no Spark literal for {value!r}")


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
# an identifier that is not a $parameter, not part of a longer word and not a function call
_NAME = re.compile(r"(?<![$\w])([A-Za-z_]\w*)(?!\w|\s*\()")
_KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "BETWEEN"})


def spark_expr(expr: str, params: Mapping[str, object] | None = None) -> str:
    """An ingredient expression or condition of ``definitions`` (DuckDB syntax) in Spark SQL.

    The ingredient language is small on purpose: comparisons, AND/OR/NOT, IN lists, IS NULL,
    ``list_contains($list, col)`` and ``$name`` constants. Anything else is refused here rather
    than silently mistranslated.
    """
    params = _vocab() if params is None else params
    out = re.sub(r"\blist_contains\(", "array_contains(", expr)

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in params:
            raise KeyError(f"unknown parameter ${name}")
        return literal(params[name])

    out = _PARAM.sub(sub, out)
    if "::" in out or re.search(r"\b(quantile_cont|median|percentile_cont|unnest|range|enum_code)\(", out):
        raise ValueError(f"not in the portable subset: {expr!r}")
    return out


def used_params(sql: str, params: Mapping[str, object]) -> dict[str, object]:
    """The parameters ``sql`` refers to as ``$name`` (DuckDB refuses unused ones)."""
    names = set(_PARAM.findall(sql))
    return {k: v for k, v in params.items() if k in names}


def columns_read(sql: str) -> set[str]:
    """The column names an ingredient expression or condition reads, as written: identifiers outside
    string literals that are neither ``$parameters``, keywords nor function names."""
    return {n for n in _NAME.findall(_LITERAL.sub("''", sql)) if n.upper() not in _KEYWORDS}


def _vocab() -> dict[str, object]:
    from analytics.indicators import queries  # imports this module: not at import time

    return queries._vocab_params()


# --- the dialects -------------------------------------------------------------------------------

DICT_TABLE = "summary_dict"  # DuckDB: the summary's ENUM dictionary (``summary.refresh`` writes it first)


class Dialect(Protocol):
    """The primitives the summary templates need (see the module docstring for each rendering)."""

    name: str
    cases: str  # the case relation
    dictionary: str  # the ENUM dictionary (dim, code, value): DuckDB's codes and their text

    def param(self, name: str) -> str: ...
    def expr(self, sql: str) -> str: ...
    def text(self, col: str) -> str: ...
    def code(self, dim: str) -> str: ...
    def cast(self, expr: str, type_: str) -> str: ...
    def null(self, type_: str) -> str: ...
    def month(self, col: str) -> str: ...
    def days(self, end: str, start: str) -> str: ...
    def add_days(self, col: str, n: int) -> str: ...
    def add_months(self, col: str, n: str) -> str: ...
    def explode_range(self, lo: str, hi: str) -> str: ...
    def list_contains(self, lst: str, item: str) -> str: ...
    def double(self, value: int) -> str: ...
    def param_table(self, cols: Sequence[tuple[str, str, str]]) -> str: ...
    def case_columns(self) -> str: ...
    def star_except(self, cols: Sequence[str]) -> str: ...
    def inline(self) -> str: ...
    def group_by(self, keys: Sequence[str]) -> str: ...
    def order_by(self, cols: str) -> str: ...
    def union_by_name(self, parts: Sequence[str]) -> str: ...


class _Common:
    """The renderings both dialects share."""

    def cast(self, expr: str, type_: str) -> str:
        return f"CAST({expr} AS {type_})"

    def null(self, type_: str) -> str:
        return self.cast("NULL", type_)

    def month(self, col: str) -> str:
        """The month index of a date: year * 12 + month - 1."""
        return f"(year({col}) * 12 + month({col}) - 1)"


class DuckDBDialect(_Common):
    """DuckDB SQL over the store's ``cases`` (ENUM columns); constants as ``$name`` parameters."""

    name = "duckdb"
    cases = "cases"
    dictionary = DICT_TABLE

    def param(self, name: str) -> str:
        return f"${name}"

    def expr(self, sql: str) -> str:
        return sql

    def text(self, col: str) -> str:
        return f"{col}::VARCHAR"

    def code(self, dim: str) -> str:
        return f"enum_code({dim})"

    def days(self, end: str, start: str) -> str:
        return f"{end} - {start}"

    def add_days(self, col: str, n: int) -> str:
        return f"{col} + {int(n)}"

    def add_months(self, col: str, n: str) -> str:
        return f"{col} + to_months({n})"

    def explode_range(self, lo: str, hi: str) -> str:
        """One row per integer in [lo, hi) (the caller keeps lo < hi, as Spark needs)."""
        return f"unnest(range({lo}::BIGINT, {hi}::BIGINT))"

    def list_contains(self, lst: str, item: str) -> str:
        return f"list_contains({lst}, {item})"

    def double(self, value: int) -> str:
        return str(int(value))

    def param_table(self, cols: Sequence[tuple[str, str, str]]) -> str:
        """SELECT of a table whose columns are list parameters: (column, parameter, SQL type)."""
        return "SELECT " + ", ".join(f"unnest(${p}::{t}[]) AS {c}" for c, p, t in cols)

    def case_columns(self) -> str:
        from analytics.indicators import queries  # imports this module: not at import time

        return queries.CASE_COLS

    def star_except(self, cols: Sequence[str]) -> str:
        return f"* EXCLUDE ({', '.join(cols)})"

    def inline(self) -> str:
        """Before a CTE's ``(``: scan its source at each use rather than materialise it (a cheap
        projection of ``cases`` read several times, each use reading other columns)."""
        return "NOT MATERIALIZED "

    def group_by(self, keys: Sequence[str]) -> str:
        return "GROUP BY ALL"

    def order_by(self, cols: str) -> str:
        return f"ORDER BY {cols}"

    def union_by_name(self, parts: Sequence[str]) -> str:
        return "\nUNION ALL BY NAME\n".join(parts)


class SparkDialect(_Common):
    """Spark SQL over the view ``coded``: the Parquet case table (ENUMs as text) with ``c_<dim>``
    codes; vocabulary constants (``params``, default ``queries._vocab_params()``) as literals."""

    name = "spark"
    cases = "coded"
    dictionary = "dict"  # engine/spark_build: the export's dictionary as a temp view
    _TYPES: ClassVar[dict[str, str]] = {"VARCHAR": "STRING"}

    def __init__(self, params: Mapping[str, object] | None = None) -> None:
        self._params = params

    @property
    def params(self) -> Mapping[str, object]:
        if self._params is None:
            self._params = _vocab()
        return self._params

    def param(self, name: str) -> str:
        if name not in self.params:
            raise KeyError(f"unknown parameter ${name}")
        return literal(self.params[name])

    def expr(self, sql: str) -> str:
        return spark_expr(sql, self.params)

    def text(self, col: str) -> str:
        return col

    def code(self, dim: str) -> str:
        return f"c_{dim}"

    def cast(self, expr: str, type_: str) -> str:
        return f"CAST({expr} AS {self._TYPES.get(type_, type_)})"

    def days(self, end: str, start: str) -> str:
        return f"CAST(datediff({end}, {start}) AS BIGINT)"  # BIGINT as DuckDB's date - date

    def add_days(self, col: str, n: int) -> str:
        return f"date_add({col}, {int(n)})"

    def add_months(self, col: str, n: str) -> str:
        return f"add_months({col}, {n})"

    def explode_range(self, lo: str, hi: str) -> str:
        """One row per integer in [lo, hi); only where lo < hi (``sequence`` counts down otherwise)."""
        return f"explode(sequence({lo}, {hi} - 1))"

    def list_contains(self, lst: str, item: str) -> str:
        return f"array_contains({lst}, {item})"

    def double(self, value: int) -> str:
        return f"{int(value)}D"

    def param_table(self, cols: Sequence[tuple[str, str, str]]) -> str:
        columns = [list(self.params[p]) for _c, p, _t in cols]  # type: ignore[call-overload]
        rows = []
        for values in zip(*columns, strict=True):
            rows.append(
                "("
                + ", ".join(
                    self.null(t) if v is None else literal(v) for v, (_c, _p, t) in zip(values, cols, strict=True)
                )
                + ")"
            )
        return f"SELECT * FROM VALUES {', '.join(rows)} AS t({', '.join(c for c, _p, _t in cols)})"

    def case_columns(self) -> str:
        return "*"  # every column, the c_<dim> codes included

    def star_except(self, cols: Sequence[str]) -> str:
        return "*"  # no EXCLUDE in Spark SQL: the extra columns are never read

    def inline(self) -> str:
        return ""  # Spark inlines CTEs

    def group_by(self, keys: Sequence[str]) -> str:
        return "GROUP BY " + ", ".join(keys)

    def order_by(self, cols: str) -> str:
        return ""  # a parallel write keeps no order: the loader sorts (engine/load.py)

    def union_by_name(self, parts: Sequence[str]) -> str:
        raise NotImplementedError("Spark SQL has no UNION BY NAME: union the parts' DataFrames by name")


DUCKDB: Dialect = DuckDBDialect()


# --- template helpers ---------------------------------------------------------------------------

Item = str | tuple[str, str]  # a grouping key (expression, alias), or a rendered aggregate/constant


def grouped(d: Dialect, items: Sequence[Item], source: str, where: str | None = None, having: str | None = None) -> str:
    """SELECT ``items`` FROM ``source`` grouped by its keys (the (expression, alias) items)."""
    cols = [(it[0] if it[0] == it[1] else f"{it[0]} AS {it[1]}") if isinstance(it, tuple) else it for it in items]
    keys = [it[0] for it in items if isinstance(it, tuple)]
    sql = f"SELECT {', '.join(cols)} FROM {source}"
    if where:
        sql += f" WHERE {where}"
    sql += f" {d.group_by(keys)}"
    if having:
        sql += f" HAVING {having}"
    return sql


def with_ctes(ctes: Sequence[tuple[str, str]], body: str) -> str:
    """``WITH name AS (sql), ... body`` (the DuckDB adapter; Spark registers the CTEs as views)."""
    if not ctes:
        return body
    return "WITH " + ",\n".join(f"{name} AS ({sql})" for name, sql in ctes) + "\n" + body


# --- the per-case enrichment (indicator ingredients) --------------------------------------------

_LIM_COLS = (
    ("l_type", "lim_type", "VARCHAR"),
    ("l_qual", "lim_qual", "VARCHAR"),
    ("l_n", "lim_n", "INTEGER"),
    ("l_unit", "lim_unit", "VARCHAR"),
)


# Columns of the enrichment (``enrich_ctes``'s ``x``) that are the text of a coded dimension.
TEXT_CODES = {"proc": "procedure", "cat": "category", "outc": "outcome"}


def enrich_ctes(d: Dialect, source: str, key: str | None, closed_cond: str) -> str:
    """CTEs ``lim``, ``org``, ``links``, ``x0``, ``x``: the per-case attributes of the ingredients.

    ``source`` is a relation of cases with is_closed/in_out/days; ``closed_cond`` selects its rows
    whose origin or cohort links are needed (cases closed in the period(s)). ``x`` adds: proc, cat,
    tcode, outc (text), the statutory limit (lim_known, lim_ok), eff_amount/eff_recovered, the
    cohort flags fi_challenged/fi_appealed/fi_reversed, and ``grp`` = ``key`` (unless None).
    Origins and links are looked up in the whole case table ``d.cases``.
    """
    t, p, cases, zero = d.text, d.param, d.cases, d.double(0)
    grp = "" if key is None else f"{key} AS grp, "
    n = "coalesce(l1.l_n, l2.l_n)"
    return f"""
        lim AS ({d.param_table(_LIM_COLS)}),
        -- origins of 民终 (judgment or ruling appealed) and 执恢 (amount already recovered)
        org AS (
            SELECT case_no AS org_no, {t("outcome")} AS org_outcome, amount AS org_amount,
                   amount_recovered AS org_recovered
            FROM {cases}
            WHERE case_no IN (SELECT origin_case_no FROM {source}
                              WHERE ({closed_cond})
                                AND {t("type_code")} IN ({p("civil_appeal")}, {p("resumed")}))),
        -- cohort links of the first instances closed in the period(s), from the unfiltered store
        links AS (
            SELECT origin_case_no AS link_no,
                   bool_or({t("procedure")} = {p("appeal")}) AS appealed,
                   true AS challenged,
                   bool_or({t("procedure")} = {p("appeal")}
                           AND {d.list_contains(p("reversal"), t("outcome"))}) AS reversed
            FROM {cases}
            WHERE {d.list_contains(p("challenge"), t("procedure"))}
              AND origin_case_no IN (SELECT case_no FROM {source}
                                     WHERE ({closed_cond}) AND {t("procedure")} = {p("first")})
            GROUP BY origin_case_no),
        x0 AS (
            SELECT s.*, {grp}{t("procedure")} AS proc, {t("category")} AS cat, {t("type_code")} AS tcode,
                   {t("outcome")} AS outc,
                   CASE WHEN track IS NOT NULL THEN {t("track")}
                        WHEN {t("type_code")} = {p("civil_appeal")} AND org.org_no IS NOT NULL THEN
                             CASE WHEN {d.list_contains(p("ruling"), "org.org_outcome")} THEN {p("against_ruling")}
                                  ELSE {p("against_judgment")} END END AS qual,
                   CASE WHEN {t("type_code")} = {p("resumed")} AND org.org_no IS NOT NULL AND amount IS NOT NULL
                        THEN least(amount, greatest(coalesce(org.org_amount, amount)
                                                    - coalesce(org.org_recovered, {zero}), {zero}))
                        ELSE amount END AS eff_amount,
                   ({t("type_code")} = {p("resumed")} AND org.org_no IS NOT NULL) AS is_resumed_linked,
                   coalesce(links.challenged, false) AS fi_challenged,
                   coalesce(links.appealed, false) AS fi_appealed,
                   coalesce(links.reversed, false) AS fi_reversed
            FROM {source} s
            LEFT JOIN org ON org.org_no = s.origin_case_no
            LEFT JOIN links ON links.link_no = s.case_no),
        x AS (
            SELECT x0.*,
                   CASE WHEN is_resumed_linked THEN least(coalesce(amount_recovered, {zero}), eff_amount)
                        ELSE coalesce(amount_recovered, {zero}) END AS eff_recovered,
                   {n} IS NOT NULL AS lim_known,
                   coalesce(CASE coalesce(l1.l_unit, l2.l_unit)
                       WHEN 'month' THEN closed_date <= {d.add_months("filed_date", n)}
                       WHEN 'hour' THEN days * 24 <= {n}
                       WHEN 'day' THEN days <= {n} END, false) AS lim_ok
            FROM x0
            LEFT JOIN lim l1 ON l1.l_type = x0.tcode AND l1.l_qual = x0.qual
            LEFT JOIN lim l2 ON l2.l_type = x0.tcode AND l2.l_qual IS NULL)"""
