"""Summary tables ("trial cubes") of ``cases`` for the trial indicators, built by ``summary.refresh``.

Every indicator of ``analytics.indicators`` for a period of whole calendar months is a function of
a few monthly figures per combination of the filter dimensions; these tables hold them, so the
trial page reads a few thousand cube rows instead of scanning the case table. They are built in
the caller's transaction together with the map cubes (``analytics.summary``), recorded in
``summary_info`` with the grains ``trial`` and ``tdays``, and read under the same freshness guard.

One table family ``summary_t_*`` with a ``kind`` column (``m`` = year * 12 + month - 1):

* ``KIND_STOCK`` -- ``m`` a month end: ``n`` cases pending at its end (filed <= end, not closed
  by it), ``o12`` of them pending for more than ``OVERDUE_DAYS`` days (超12个月未结). Built from
  cumulative sums: +1 in the filing month, -1 in the month of greatest(closed, filed), so a case
  closed before it was filed (a data error) is never pending, as in the definition. 旧存 of a
  period is the stock at the end of the month before it, 未结 the stock at its last month end.
* ``KIND_FILED`` -- ``m`` the filing month: ``n`` cases filed (新收).
* ``KIND_CLOSED`` -- ``m`` the closing month: ``n`` every closed case (whether the group has cases
  in the period) and one column per closed-case ingredient of
  ``definitions.CLOSED_INGREDIENTS``, generated from its (aggregate, expression, condition):
  count -> a count, sum -> a sum, avg -> ``<name>__s`` and ``<name>__n`` (sum and count); the
  per-case attributes (statutory limit, the 执恢 remainder, cohort links) come from the reference
  query's own enrichment (``queries._enrich_ctes``) over the whole store.
* ``KIND_EVENT_FILED`` / ``KIND_EVENT_CLOSED`` -- ``m`` the month of an appeal's / petition's own
  filing or closing date, with the dimensions (and outcome) of the first instance it arises
  from: one column per ``definitions.EVENT_INGREDIENTS`` ingredient dated by that column, and
  ``n`` the events (whether a group has events in the period).

Stocks and intake ignore the 结案方式 filter, so their rows carry no outcome. Quantile ingredients
(median, p90 of days) are answered from ``summary_td_*``: per closing month and dimension cell,
the number of cases per integer value of the expression (days), an exact histogram, from which
``quantile_cont`` is reproduced exactly (no binning error).

Each table's SELECT is a template rendered for a ``sqlgen.Dialect`` (``span_sql``, ``err_sql``,
``enriched_sql``, ``full_sql``, ``typed_sql``, ``rollup_sql``, ``hist_sql``, ``days_sql``,
``closed_detail_sql``, ``event_detail_sql``): ``build`` executes the DuckDB rendering (temp tables,
``UNION ALL BY NAME``), ``analytics.engine.spark_build`` the Spark rendering (temp views,
``unionByName``); the skeleton is written once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

import duckdb

from analytics import sqlgen
from analytics.indicators import queries as q
from analytics.indicators.definitions import CLOSED_INGREDIENTS, EVENT_INGREDIENTS, OVERDUE_DAYS
from analytics.sqlgen import grouped

KIND_STOCK, KIND_FILED, KIND_CLOSED, KIND_EVENT_FILED, KIND_EVENT_CLOSED = 0, 1, 2, 3, 4
EVENT_KIND = {"filed_date": KIND_EVENT_FILED, "closed_date": KIND_EVENT_CLOSED}

# (name, grain, dimensions besides kind/m); the first is the finest, the others are rolled up.
DIMS_FULL = ("adcode", "court_code", "category", "cause_group", "cause", "procedure", "outcome", "pending")
TRIAL_CUBES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summary_t_full", DIMS_FULL),
    ("summary_t_court", ("adcode", "court_code", "category", "procedure", "outcome", "pending")),
    ("summary_t_small", ("adcode", "category", "outcome", "pending")),
)
# Built before and no longer: ``summary_t_cause`` (the finest cube without court and procedure) kept
# 73-80% of the finest cube's rows (a cause is heard by few courts and procedures), so it saved a
# cause-filtered query nothing (both sorted by cause; trial page at 10M within noise) and cost a
# seventh of every refresh (0.46 of 3.3 s at 1M cases, 0.76 s at 10M). Dropped with the others.
RETIRED = ("summary_t_cause",)
# Duration histograms (closed cases satisfying a quantile ingredient's condition): no outcome, so
# with a 结案方式 filter the quantiles are counted from ``cases`` instead (exact as well).
DAYS_CUBES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summary_td_court", ("adcode", "court_code", "category", "procedure")),
    ("summary_td_full", ("adcode", "court_code", "category", "cause_group", "cause", "procedure")),
)
TRIAL_GRAIN, DAYS_GRAIN = "trial", "tdays"
# Day-level detail for periods that start or end inside a month (a store's last day is rarely a
# month end: the current year to date, its 同比 a year earlier, the 环比 before it): every closed
# case with its enriched attributes (sorted by closing date) and every appeal/petition event with
# its first instance's dimensions (sorted by date), read for the few days at a period's edges
# (``cubes``). Tagged with the summary's build id (``tag_details``); not listed in summary_info:
# a summary without them (an older store, one loaded from elsewhere) falls back to ``cases`` for
# such periods only.
CLOSED_DETAIL, EVENT_DETAIL, ERR_DETAIL = "summary_t_closed", "summary_t_events", "summary_t_errdays"
# The closed detail keeps the coded dimensions' codes only, not the enrichment's text of them
# (``sqlgen.TEXT_CODES``: proc, cat, outc; ``closed_detail_columns``): the text is named from the
# dictionary where a condition reads it (``with_text``), after the aggregation where it can be.
# Three VARCHAR columns fewer to sort and compress (idle machine, alternating old/new): the
# detail's build 6.7-7.2 -> 5.3-5.9 s and the whole refresh 15.5-16.0 -> 13.8-14.5 s at 10M cases;
# the detail 0.61-0.64 -> 0.47-0.50 s at 1M.
DETAIL_TABLES = (CLOSED_DETAIL, EVENT_DETAIL, ERR_DETAIL)
SPAN_TABLE = "summary_t_span"
# Cases closed before they were filed (data errors), by closing and filing month: the reference
# counts such a case as relevant to a period lying between the two dates (it lists its group).
ERR_TABLE = "summary_t_err"
_CODED = ("court_code", "category", "cause_group", "cause", "procedure", "outcome")
_STOCK_DIMS = ("adcode", "court_code", "category", "cause_group", "cause", "procedure")


def closed_measures() -> list[tuple[str, str, str, str]]:
    """(column, ingredient, part, SQL aggregate over the enriched relation ``x``) of KIND_CLOSED.

    part is 'value' (counts and sums), 'sum' or 'count' (the two halves of an average).
    """
    out = []
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        flt = f"FILTER (WHERE {cond})"
        if agg == "count":
            out.append((name, name, "value", f"count(*) {flt}"))
        elif agg == "sum":
            out.append((name, name, "value", f"sum({expr}) {flt}"))
        elif agg == "avg":
            out.append((f"{name}__s", name, "sum", f"sum({expr}) {flt}"))
            out.append((f"{name}__n", name, "count", f"count({expr}) {flt}"))
    return out


def quantile_groups() -> list[tuple[str, str, list[tuple[str, float]]]]:
    """Distinct (expression, condition) of the quantile ingredients and their (name, q) each."""
    groups: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for name, (agg, expr, cond) in CLOSED_INGREDIENTS.items():
        if agg in ("median", "p90"):
            groups.setdefault((expr, cond), []).append((name, 0.5 if agg == "median" else 0.9))
    return [(e, c, v) for (e, c), v in groups.items()]


def measure_columns() -> list[str]:
    """Every measure column of the trial cubes, in table order."""
    return ["n", "o12", *(c for c, *_ in closed_measures()), *EVENT_INGREDIENTS]


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the trial cubes."""
    for name in (*(n for n, _ in (*TRIAL_CUBES, *DAYS_CUBES)), *RETIRED):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"DROP TABLE IF EXISTS {SPAN_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {ERR_TABLE}")
    for name in DETAIL_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def tag_details(con: duckdb.DuckDBPyConnection, build: str) -> None:
    """Record the summary's build id on the detail tables (``summary.refresh``, after ``build``)."""
    if not build.isalnum():
        raise ValueError(f"unexpected build id {build!r}")
    for name in DETAIL_TABLES:
        con.execute(f"COMMENT ON TABLE {name} IS '{build}'")


def detail_columns() -> list[str]:
    """Columns of the enriched relation ``x`` that the closed-case measures and quantiles read,
    except the text of a coded dimension (``sqlgen.TEXT_CODES``: named from the code where read)."""
    return sorted((_ingredient_columns() & _X_COLUMNS) - set(sqlgen.TEXT_CODES))


def closed_detail_columns() -> list[str]:
    """The columns of ``CLOSED_DETAIL``, in table order (``closed_detail_sql``)."""
    return ["closed_date", "filed_date", "adcode", *_CODED, "pending", *detail_columns()]


def text_columns(cols: Set[str]) -> list[str]:
    """The ``sqlgen.TEXT_CODES`` columns among ``cols`` (e.g. what some conditions read), in a
    fixed order."""
    return [t for t in sqlgen.TEXT_CODES if t in cols]


def with_text(d: sqlgen.Dialect, source: str, texts: Sequence[str]) -> str:
    """``source`` (a table, or a SELECT in parentheses, with the coded dimensions as integer codes)
    with the text columns ``texts`` (``sqlgen.TEXT_CODES``) named from the dialect's dictionary: one
    small join per column. ``source`` itself when ``texts`` is empty."""
    if not texts:
        return source
    cols = ", ".join(f"t_{t}.value AS {t}" for t in texts)
    joins = " ".join(
        f"LEFT JOIN (SELECT {d.cast('code', 'INTEGER')} AS c_, value FROM {d.dictionary} "
        f"WHERE dim = '{sqlgen.TEXT_CODES[t]}') t_{t} "
        f"ON t_{t}.c_ = s_.{sqlgen.TEXT_CODES[t]}"
        for t in texts
    )
    return f"(SELECT s_.*, {cols} FROM {source} s_ {joins})"


def _ingredient_columns() -> set[str]:
    """Every column the closed ingredients' expressions and conditions read."""
    return set().union(*(sqlgen.columns_read(f"{e} {c}") for _a, e, c in CLOSED_INGREDIENTS.values()))


# Per-case columns of ``x`` (queries._enrich_ctes) that an ingredient may read; the dimensions and
# dates are stored anyway.
_X_COLUMNS = frozenset(
    {
        "proc",
        "cat",
        "tcode",
        "outc",
        "days",
        "amount",
        "amount_recovered",
        "eff_amount",
        "eff_recovered",
        "lim_known",
        "lim_ok",
        "fi_challenged",
        "fi_appealed",
        "fi_reversed",
        "is_resumed_linked",
        "track",
        "type_code",
        "plaintiff_kind",
        "defendant_kind",
        "defendant_industry",
    }
)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    con.execute(sql, sqlgen.used_params(sql, params))


# --- the templates (one per table, rendered for DuckDB here and for Spark in engine/spark_build) ---

X_TABLE = "_t_x"  # the enriched closed cases (Spark: a view; DuckDB reads the SELECT into CLOSED_DETAIL)
TD_TABLE = "_td"  # the duration histograms before the roll-ups (Spark; DuckDB builds the finest cube from them)
REUSED_CTES = frozenset({"pairs"})  # CTEs of ``full_sql`` read more than once (Spark caches them)


def _keys(d: sqlgen.Dialect, dims: Sequence[str]) -> list[tuple[str, str]]:
    """Grouping keys of ``dims``: the ENUM dimensions as INTEGER codes, the others as they are."""
    return [(d.cast(d.code(c), "INTEGER"), c) if c in _CODED else (c, c) for c in dims]


def _columns(keys: Sequence[tuple[str, str]]) -> str:
    return ", ".join(e if e == a else f"{e} AS {a}" for e, a in keys)


def span_sql(d: sqlgen.Dialect) -> str:
    """``SPAN_TABLE``: the first filing day and the last filing or closing day."""
    return (
        f"SELECT min(filed_date) AS first_day, greatest(max(filed_date), max(closed_date)) AS last_day FROM {d.cases}"
    )


def last_month_sql(d: sqlgen.Dialect) -> str:
    """The month index of the last day (NULL for an empty store), from ``SPAN_TABLE``."""
    return f"SELECT {d.month('last_day')} AS m FROM {SPAN_TABLE}"


def err_detail_sql(d: sqlgen.Dialect) -> str:
    """``ERR_DETAIL``: cases closed before they were filed, by day."""
    return grouped(
        d,
        [
            ("closed_date", "dc"),
            ("filed_date", "df"),
            ("adcode", "adcode"),
            *_keys(d, _CODED),
            "CAST(count(*) AS BIGINT) AS n",
        ],
        d.cases,
        "closed_date < filed_date",
    )


def err_sql(d: sqlgen.Dialect) -> str:
    """``ERR_TABLE``: ``ERR_DETAIL`` by closing and filing month."""
    return grouped(
        d,
        [
            (d.cast(d.month("dc"), "SMALLINT"), "mc"),
            (d.cast(d.month("df"), "SMALLINT"), "mf"),
            ("adcode", "adcode"),
            *((c, c) for c in _CODED),
            "CAST(sum(n) AS BIGINT) AS n",
        ],
        ERR_DETAIL,
    )


def enriched_sql(d: sqlgen.Dialect) -> str:
    """``X_TABLE``: every closed case with the reference query's enrichment (``sqlgen.enrich_ctes``)."""
    src = (
        f"SELECT {d.case_columns()}, closed_date IS NOT NULL AS is_closed, true AS in_out, "
        f"{d.days('closed_date', 'filed_date')} AS days FROM {d.cases}"
    )
    return (
        f"WITH s AS {d.inline()}({src}), {sqlgen.enrich_ctes(d, 's', None, 'is_closed')}\n"
        f"SELECT {d.star_except(('case_no', 'origin_case_no'))} FROM x WHERE is_closed"
    )


def event_ctes(d: sqlgen.Dialect) -> list[tuple[str, str]]:
    """``ev0`` (appeals and petitions with a first instance) and ``fo`` (those first instances with
    their dimensions), over the whole store."""
    ev0 = (
        f"SELECT origin_case_no, {d.text('procedure')} AS proc, {d.text('outcome')} AS outc, "
        f"filed_date, closed_date FROM {d.cases} "
        f"WHERE {d.list_contains(d.param('challenge'), d.text('procedure'))} AND origin_case_no IS NOT NULL"
    )
    codes = _columns(_keys(d, _CODED))
    fo = (
        f"SELECT case_no AS fo_no, adcode, {codes}, closed_date IS NULL AS pending FROM {d.cases} "
        f"WHERE {d.text('procedure')} = {d.param('first')} AND case_no IN (SELECT origin_case_no FROM ev0)"
    )
    return [("ev0", ev0), ("fo", fo)]


def full_sql(d: sqlgen.Dialect, maxm: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The finest trial cube before typing: (CTEs, SELECTs to union by name), reading ``CLOSED_DETAIL``.

    ``maxm``: the month index of the store's last day (stocks run to its end).
    """
    sdims = ", ".join(_STOCK_DIMS)
    skeys = [(c, c) for c in _STOCK_DIMS]
    gm = f"CASE WHEN closed_date IS NOT NULL THEN {d.month('greatest(filed_date, closed_date)')} END"
    m1 = f"CASE WHEN closed_date IS NULL THEN {maxm + 1} ELSE {d.month('closed_date')} END"
    ctes = [
        (
            "pairs",
            grouped(d, [*_keys(d, _STOCK_DIMS), (d.month("filed_date"), "fm"), (gm, "gm"), "count(*) AS n"], d.cases),
        ),
        (
            "delta",
            grouped(
                d,
                [*skeys, ("m", "m"), "sum(d) AS d"],
                f"""(SELECT {sdims}, fm AS m, n AS d FROM pairs
                               UNION ALL SELECT {sdims}, gm AS m, -n AS d FROM pairs WHERE gm IS NOT NULL)""",
            ),
        ),
        (
            "run",
            f"""SELECT {sdims}, m, sum(d) OVER w AS p, coalesce(lead(m) OVER w, {maxm + 1}) AS nxt
                    FROM delta WINDOW w AS (PARTITION BY {sdims} ORDER BY m)""",
        ),
        ("stock", f"SELECT {sdims}, {d.explode_range('m', 'nxt')} AS m, p AS n FROM run WHERE p <> 0"),
        (
            "long_",
            f"""SELECT {_columns(_keys(d, _STOCK_DIMS))},
                             {d.cast(d.month(d.add_days("filed_date", OVERDUE_DAYS + 1)), "BIGINT")} AS m0,
                             {d.cast(m1, "BIGINT")} AS m1
                      FROM {d.cases}
                      WHERE closed_date IS NULL OR {d.days("closed_date", "filed_date")} > {OVERDUE_DAYS}""",
        ),
        (
            "over_",
            grouped(
                d,
                [*skeys, ("m", "m"), "count(*) AS o12"],
                f"(SELECT {sdims}, {d.explode_range('m0', 'm1')} AS m FROM long_ WHERE m0 < m1)",
            ),
        ),
        *event_ctes(d),
    ]
    kind = {
        k: d.cast(str(k), "TINYINT") + " AS kind" for k in (KIND_STOCK, KIND_FILED, KIND_CLOSED, *EVENT_KIND.values())
    }
    no_outcome = f"{d.null('INTEGER')} AS outcome, {d.null('BOOLEAN')} AS pending"
    parts = [
        f"""SELECT {kind[KIND_STOCK]}, {d.cast("m", "SMALLINT")} AS m, {sdims}, {no_outcome},
                   {d.cast("n", "BIGINT")} AS n, {d.cast("0", "BIGINT")} AS o12 FROM stock""",
        f"""SELECT {kind[KIND_STOCK]}, {d.cast("m", "SMALLINT")} AS m, {sdims}, {no_outcome},
                   {d.cast("0", "BIGINT")} AS n, {d.cast("o12", "BIGINT")} AS o12 FROM over_""",
        grouped(
            d,
            [kind[KIND_FILED], (d.cast("fm", "SMALLINT"), "m"), *skeys, no_outcome, "CAST(sum(n) AS BIGINT) AS n"],
            "pairs",
        ),
        closed_sql(d, kind[KIND_CLOSED]),
    ]
    fo_dims = [(f"fo.{c}", c) for c in DIMS_FULL]
    for col, k in EVENT_KIND.items():
        counts = [
            (f"count(*) FILTER (WHERE {d.expr(cond)})" if dcol == col else d.null("BIGINT")) + f" AS {name}"
            for name, (dcol, cond) in EVENT_INGREDIENTS.items()
        ]
        parts.append(
            grouped(
                d,
                [kind[k], (d.cast(d.month(f"ev0.{col}"), "SMALLINT"), "m"), *fo_dims, "count(*) AS n", *counts],
                "ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no",
                f"ev0.{col} IS NOT NULL",
            )
        )
    return ctes, parts


# The columns of ``x`` that are functions of a dimension of the finest cube, so constant within its
# cells, are the text of its coded dimensions: ``sqlgen.TEXT_CODES`` (proc, cat, outc).


def _conjuncts(cond: str) -> list[str]:
    """The top-level AND terms of an ingredient condition ([cond] unless it is a plain conjunction)."""
    out, depth, quoted, start = [], 0, False, 0
    for m in re.finditer(r"'|\(|\)|\bAND\b|\bOR\b|\bBETWEEN\b", cond, re.IGNORECASE):
        tok = m.group(0)
        if tok == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0 and tok.upper() in ("OR", "BETWEEN"):
            return [cond.strip()]
        elif depth == 0:  # AND
            out.append(cond[start : m.start()].strip())
            start = m.end()
    out.append(cond[start:].strip())
    return [c for c in out if c.upper() != "TRUE"]


def _cell_constant(term: str) -> bool:
    """True when a condition term reads only cell-constant columns (``sqlgen.TEXT_CODES``) and constants."""
    return sqlgen.columns_read(term) <= set(sqlgen.TEXT_CODES)


def closed_sql(d: sqlgen.Dialect, kind: str) -> str:
    """The KIND_CLOSED rows of the finest cube from ``CLOSED_DETAIL`` (every closed case, codes as
    integers): ``closed_measures`` per cell.

    A condition term that reads only cell-constant columns (``sqlgen.TEXT_CODES``) holds for all or
    none of a cell's cases, so it is tested once per cell after the aggregation, and measures that
    differ only in such terms share one aggregate (``count(*) FILTER (WHERE proc = $first AND
    cat = $civil)`` is ``CASE WHEN proc = $first AND cat = $civil THEN count(*) ELSE 0 END``; a sum
    over no case is NULL, as without the CASE): 11 aggregates per case instead of 27.
    """
    aggs: dict[str, str] = {"count(*)": "n"}  # aggregate SQL -> alias in the inner query

    def agg(sql: str, row: list[str]) -> str:
        full = sql + (f" FILTER (WHERE {' AND '.join(row)})" if row else "")
        return aggs.setdefault(d.expr(full), f"_a{len(aggs)}")

    measures = []
    for name, (kind_, expr, cond) in CLOSED_INGREDIENTS.items():
        terms = _conjuncts(cond)
        const = [t for t in terms if _cell_constant(t)]
        row = [t for t in terms if t not in const]
        if kind_ == "count":
            parts = [(name, agg("count(*)", row), "0")]
        elif kind_ == "sum":
            parts = [(name, agg(f"sum({expr})", row), None)]
        elif kind_ == "avg":
            parts = [(f"{name}__s", agg(f"sum({expr})", row), None), (f"{name}__n", agg(f"count({expr})", row), "0")]
        else:
            continue
        for col, alias, zero in parts:
            if const:
                alias = (
                    f"CASE WHEN {d.expr(' AND '.join(const))} THEN {alias}"
                    + (f" ELSE {zero}" if zero is not None else "")
                    + " END"
                )
            measures.append(f"{alias} AS {col}")
    assert [m.rsplit(" AS ", 1)[1] for m in measures] == [c for c, *_ in closed_measures()]
    # A row term may still read a text column (none does today): then the rows get it named.
    row_texts = text_columns(set().union(*(sqlgen.columns_read(a) for a in aggs)))
    inner = grouped(
        d,
        [
            (d.cast(d.month("closed_date"), "SMALLINT"), "m"),
            ("adcode", "adcode"),
            *((c, c) for c in _CODED),
            *(f"{sql} AS {alias}" for sql, alias in aggs.items()),
        ],
        with_text(d, CLOSED_DETAIL, row_texts),
    )
    # the cell-constant terms read the text of the cell's codes, named once per cell
    cells = with_text(d, f"({inner})", text_columns(set().union(*(sqlgen.columns_read(m) for m in measures))))
    return f"SELECT {kind}, m, adcode, {', '.join(_CODED)}, false AS pending, n, {', '.join(measures)} FROM {cells}"


def _typed(d: sqlgen.Dialect, expr: str, col: str, floats: Set[str]) -> str:
    return f"{d.cast(expr, 'DOUBLE' if col in floats else 'BIGINT')} AS {col}"


def typed_sql(d: sqlgen.Dialect, source: str, floats: Set[str]) -> str:
    """The finest trial cube from the union of ``full_sql``'s parts (``source``) in a fixed column
    order; integer measures as BIGINT (DuckDB sums integers into HUGEINT, slow to aggregate again
    and to fetch), ``floats`` (the measure columns the union gives a floating type) as DOUBLE."""
    dims = ", ".join(c if c == "pending" else f"{d.cast(c, 'INTEGER')} AS {c}" for c in DIMS_FULL)
    measures = ", ".join(_typed(d, c, c, floats) for c in measure_columns())
    # Sorted by cause: the finest cube is chosen when a query needs a cause with a court, procedure
    # or outcome, and a one-cause filter then reads a few row groups (zone maps).
    return f"SELECT kind, m, {dims}, {measures} FROM {source} {d.order_by('cause_group, cause, kind, m')}"


def kind_measures() -> dict[int, list[str]]:
    """kind -> the measure columns ``full_sql`` can fill for rows of that kind (the others are NULL
    on every row of the kind: ``UNION ALL BY NAME`` leaves them out, or they are NULL constants)."""
    out = {KIND_STOCK: ["n", "o12"], KIND_FILED: ["n"], KIND_CLOSED: ["n", *(c for c, *_ in closed_measures())]}
    for col, k in EVENT_KIND.items():
        out[k] = ["n", *(name for name, (dcol, _cond) in EVENT_INGREDIENTS.items() if dcol == col)]
    return out


def rollup_sql(d: sqlgen.Dialect, dims: Sequence[str], floats: Set[str]) -> str:
    """A coarser trial cube from the finest: one aggregation per kind, summing only the measures
    the kind fills (``kind_measures``; the others stay NULL, as their sum would be), which is much
    less work than summing every measure of every row."""
    order = "cause_group, cause, kind, m" if "cause" in dims else "kind, m, adcode"
    keys = [(c, c) for c in ("kind", "m", *dims)]
    parts = []
    for kind, filled in kind_measures().items():
        sums = [_typed(d, f"sum({c})" if c in filled else "NULL", c, floats) for c in measure_columns()]
        parts.append(grouped(d, keys + sums, TRIAL_CUBES[0][0], f"kind = {kind}"))
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) {d.order_by(order)}"


# The histograms' dimensions: those of the finest days cube (no outcome).
_TD_DIMS = DAYS_CUBES[-1][1]


def hist_sql(d: sqlgen.Dialect) -> str | None:
    """``TD_TABLE``: exact duration histograms, one per distinct (expression, condition) of the
    quantile ingredients, at the grain of the finest days cube (None when there are none)."""
    hists = []
    groups = quantile_groups()
    texts = text_columns(set().union(*(sqlgen.columns_read(f"{e} {c}") for e, c, _ in groups)))
    source = with_text(d, CLOSED_DETAIL, texts)
    for i, (expr, cond, _names) in enumerate(groups):
        e, c = d.expr(expr), d.expr(cond)
        hists.append(
            grouped(
                d,
                [
                    f"{i} AS q",
                    (d.cast(d.month("closed_date"), "SMALLINT"), "m"),
                    *((k, k) for k in _TD_DIMS),
                    (d.cast(f"({e})", "BIGINT"), "v"),
                    "CAST(count(*) AS BIGINT) AS n",
                ],
                source,
                f"({c}) AND ({e}) IS NOT NULL",
            )
        )
    return " UNION ALL ".join(hists) if hists else None


def days_sql(d: sqlgen.Dialect, dims: Sequence[str], source: str = TD_TABLE) -> str:
    """A duration histogram cube from ``TD_TABLE`` (or ``source``: ``hist_sql`` in parentheses, or
    a finer days cube); the finest is the histograms themselves, sorted."""
    order = "cause_group, cause, m" if "cause" in dims else "m, adcode"
    cols = ("q", "m", *dims, "v")
    if tuple(dims) == _TD_DIMS:
        return f"SELECT {', '.join(cols)}, n FROM {source} {d.order_by(order)}"
    return f"{grouped(d, [(c, c) for c in cols] + ['CAST(sum(n) AS BIGINT) AS n'], source)} {d.order_by(order)}"


def closed_detail_sql(d: sqlgen.Dialect, floats: Set[str], source: str = X_TABLE) -> str:
    """``CLOSED_DETAIL`` from ``X_TABLE`` (or ``source``, the SELECT of ``enriched_sql`` in
    parentheses); ``floats``: its floating columns (amounts: only where a measure reads them,
    ``kept_expr``). The closed rows of the finest cube and the duration histograms are aggregated
    from it (``closed_sql``, ``hist_sql``): a measure reads an amount only where ``kept_expr``
    keeps it."""
    codes = {alias: expr for expr, alias in _keys(d, _CODED)}  # the codes as integers

    def item(c: str) -> str:
        if c in codes:
            return f"{codes[c]} AS {c}"
        if c == "pending":
            return "false AS pending"
        return f"{d.cast(d.expr(kept_expr(c)), 'DOUBLE')} AS {c}" if c in floats else c

    cols = ", ".join(item(c) for c in closed_detail_columns())
    return f"SELECT {cols} FROM {source} {d.order_by('closed_date')}"


def event_detail_sql(d: sqlgen.Dialect) -> str:
    """``EVENT_DETAIL`` from the CTEs of ``event_ctes``."""
    kinds = " UNION ALL ".join(
        f"""SELECT {d.cast(str(kind), "TINYINT")} AS kind, ev0.{col} AS d, fo.adcode, fo.court_code, fo.category,
                   fo.cause_group, fo.cause, fo.procedure, fo.outcome, fo.pending, ev0.proc, ev0.outc
            FROM ev0 JOIN fo ON ev0.origin_case_no = fo.fo_no WHERE ev0.{col} IS NOT NULL"""
        for col, kind in EVENT_KIND.items()
    )
    return f"SELECT * FROM ({kinds}) {d.order_by('d')}"


# --- the DuckDB adapter -------------------------------------------------------------------------


def build(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, tuple[str, ...]]]:
    """Build the trial cubes from ``cases``; returns (name, grain, dims) of each table built."""
    drop(con)
    d = sqlgen.DUCKDB
    params = q._vocab_params()
    con.execute(f"CREATE TABLE {SPAN_TABLE} AS {span_sql(d)}")
    # Cases closed before they were filed, by day (the detail) and by month (one scan of cases).
    con.execute(f"CREATE TABLE {ERR_DETAIL} AS {err_detail_sql(d)}")
    con.execute(f"CREATE TABLE {ERR_TABLE} AS {err_sql(d)}")
    (last,) = con.execute(last_month_sql(d)).fetchone()  # type: ignore[misc]
    maxm = 0 if last is None else int(last)  # an empty store: empty cubes
    # The reference query's per-case enrichment of every closed case, computed once into the closed
    # detail (sorted by closing date), from which the closed rows and the histograms are aggregated.
    enriched = f"({enriched_sql(d)})"
    x_floats = _floats(_types(con, f"SELECT * FROM {enriched}", params))
    _run(con, f"CREATE TABLE {CLOSED_DETAIL} AS {closed_detail_sql(d, x_floats, enriched)}", params)
    # The appeals/petitions and their first instances, once for the finest cube and the detail.
    events = event_ctes(d)
    for name, sql in events:
        _run(con, f"CREATE TEMP TABLE {name} AS {sql}", params)
    full = TRIAL_CUBES[0][0]
    ctes, parts = full_sql(d, maxm)
    ctes = [(name, sql) for name, sql in ctes if name not in dict(events)]
    union = d.union_by_name(parts)
    # The union's column types from the plan (DESCRIBE runs nothing), then the typed cube in one
    # statement: a fixed column order (UNION BY NAME orders by first appearance), no union table.
    floats = _floats(_types(con, sqlgen.with_ctes(ctes, union), params)) & set(measure_columns())
    _run(con, f"CREATE TABLE {full} AS {sqlgen.with_ctes(ctes, typed_sql(d, f'({union})', floats))}", params)
    built: list[tuple[str, str, tuple[str, ...]]] = [(full, TRIAL_GRAIN, DIMS_FULL)]
    for name, dims in TRIAL_CUBES[1:]:
        con.execute(f"CREATE TABLE {name} AS {rollup_sql(d, dims, floats)}")
        built.append((name, TRIAL_GRAIN, dims))
    hists = hist_sql(d)
    if hists:
        # The finest days cube straight from the histograms, the others rolled up from it.
        finest = DAYS_CUBES[-1][0]
        _run(con, f"CREATE TABLE {finest} AS {days_sql(d, _TD_DIMS, f'({hists})')}", params)
        for name, dims in DAYS_CUBES:
            if name != finest:
                con.execute(f"CREATE TABLE {name} AS {days_sql(d, dims, finest)}")
            built.append((name, DAYS_GRAIN, dims))
    _run(con, f"CREATE TABLE {EVENT_DETAIL} AS {event_detail_sql(d)}", params)
    for name in dict(events):
        con.execute(f"DROP TABLE {name}")
    return built


def _types(con: duckdb.DuckDBPyConnection, select: str, params: dict[str, object]) -> dict[str, str]:
    """Column -> type of a SELECT, from its plan (DESCRIBE runs nothing)."""
    rows = con.execute(f"DESCRIBE {select}", sqlgen.used_params(select, params)).fetchall()
    return {str(n): str(t) for n, t, *_ in rows}


def _floats(types: dict[str, str]) -> set[str]:
    return {c for c, t in types.items() if t.upper() in ("DOUBLE", "FLOAT")}


def kept_expr(col: str) -> str:
    """``col`` where an ingredient reading it may count the row, else NULL (amounts take no space).

    Rows on which every ingredient mentioning ``col`` has a false condition never contribute it;
    the condition stays false with NULL there unless it tests for NULL, which is refused here.
    Used for the DOUBLE columns of ``CLOSED_DETAIL`` (here and in the Spark build).
    """
    word = re.compile(rf"(?<![$\w]){col}(?!\w)")
    conds = list(dict.fromkeys(c for _a, e, c in CLOSED_INGREDIENTS.values() if word.search(f"{e} {c}")))
    if not conds or any(re.search(r"IS\s+NULL|coalesce|ifnull", c, re.IGNORECASE) for c in conds):
        return col
    return f"CASE WHEN {' OR '.join(f'({c})' for c in conds)} THEN {col} END"
