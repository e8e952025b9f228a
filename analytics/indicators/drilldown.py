"""Drill-down to cases and the ad-hoc pivot table, over the same base relation as the indicators."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.auth import case_rows
from analytics.filters import PENDING, CaseFilter
from analytics.indicators._values import _missing, _nullable
from analytics.indicators.definitions import CASE_STATUSES
from analytics.indicators.periods import _check_period, _month_arg, _month_end
from analytics.indicators.presentation import _court_order, _district_order, court_name, district_name
from analytics.indicators.queries import _base_sql


@case_rows
def case_list(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    start: dt.date | str,
    end: dt.date | str,
    court_code: str | None = None,
    month: dt.date | str | None = None,
    limit: int = 500,
    *,
    adcode: int | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Drill-down: cases counted in [start, end] (∩ month), optionally one court/district/status."""
    period = drill_period(start, end, month, status)
    if period is None:
        return _empty_case_list()
    s, e = period
    base, params = _base_sql(flt)
    extra = []
    if court_code is not None:
        extra.append("court_code::VARCHAR = $court")
        params["court"] = str(court_code)
    if adcode is not None:
        extra.append("adcode = $adcode")
        params["adcode"] = int(adcode)
    if status is not None:
        # status is whitelisted above, so the flag name comes from a fixed set. The 结案方式 filter
        # selects closed cases only (as in the figures): 旧存/新收/未结 lists ignore it.
        extra.append({"pending_start": "is_ps", "filed": "is_new", "closed": "is_closed AND in_out",
                      "pending_end": "is_pe"}[status])
    else:
        extra.append("(in_out OR NOT is_closed)")
    # No party columns (kinds, defendant_key) and no coordinates: a drill-down list is shown on
    # screens in meetings and exported, and must not identify parties.
    sql = f"""
        SELECT case_no, court_code::VARCHAR AS court_code, category::VARCHAR AS category,
               procedure::VARCHAR AS procedure, cause::VARCHAR AS cause, filed_date, closed_date,
               outcome::VARCHAR AS outcome, closed_date - filed_date AS duration_days,
               CASE WHEN is_new THEN '新收' ELSE '旧存' END AS intake,
               CASE WHEN is_closed THEN '本期结案' WHEN is_pe THEN '期末未结' ELSE '其他' END AS status
        FROM ({base}) WHERE {" AND ".join(extra) or "TRUE"}
        ORDER BY filed_date, case_no
        LIMIT $limit"""
    df = con.execute(sql, {**params, "start": s, "end": e, "limit": max(0, int(limit))}).df()
    df.insert(2, "court_name", [court_name(c) for c in df["court_code"]])
    df["duration_days"] = df["duration_days"].astype("Int64")
    df["outcome"] = df["outcome"].where(df["outcome"].notna(), PENDING)
    return df


def drill_period(start: dt.date | str, end: dt.date | str, month: dt.date | str | None,
                 status: str | None) -> tuple[dt.date, dt.date] | None:
    """The period a drill-down lists (None: empty); refuses an unknown status.

    The month is a sub-period: its own 旧存/新收/结案/未结, clipped to [start, end].
    """
    s, e = _check_period(start, end)
    m = _month_arg(month)
    if m is not None:
        s, e = max(s, m), min(e, _month_end(m.year, m.month))
        if s > e:
            return None
    if status is not None and status not in CASE_STATUSES:
        raise ValueError(f"unknown status {status!r}; choose from {CASE_STATUSES}")
    return s, e


def _empty_case_list() -> pd.DataFrame:
    """A case list with no rows."""
    return pd.DataFrame(
        columns=["case_no", "court_code", "court_name", "category", "procedure", "cause",
                 "filed_date", "closed_date", "outcome", "duration_days", "intake", "status"]
    )


# --- ad-hoc pivot ----------------------------------------------------------------------------

# Dimension key -> (SQL expression over the base relation, Chinese label). Only these keys reach
# SQL; user choices are looked up here, never interpolated.
PIVOT_DIMENSIONS: dict[str, tuple[str, str]] = {
    "court_code": ("court_code", "法院"),
    "adcode": ("adcode", "区县"),
    "category": ("category", "案件类别"),
    "procedure": ("procedure", "审级"),
    "track": ("track", "适用程序"),
    "type_code": ("type_code", "类型代字"),
    "cause_group": ("cause_group", "案由分组"),
    "cause": ("cause", "案由"),
    "outcome": ("outcome", "结案方式"),  # as recorded now: a case pending at `end` may show one
    "plaintiff_kind": ("plaintiff_kind", "原告/申请人类型"),
    "defendant_kind": ("defendant_kind", "被告/被执行人类型"),
    "defendant_industry": ("defendant_industry", "被告行业"),
    "filed_year": ("year(filed_date)", "立案年份"),
    "filed_month": ("strftime(filed_date, '%Y-%m')", "立案月份"),
    "closed_month": ("strftime(closed_date, '%Y-%m')", "结案月份"),
}

PIVOT_MEASURES: dict[str, str] = {"count": "件数", "amount": "标的额(元)", "mean_days": "平均天数"}
PIVOT_BASES: dict[str, str] = {
    "closed": "本期结案",
    "filed": "本期新收",
    "pending_end": "期末未结",
    "pending_start": "期初旧存",
}
# The 结案方式 filter selects closed cases only (as in the figures).
_BASIS_FLAG = {"closed": "is_closed AND in_out", "filed": "is_new", "pending_end": "is_pe", "pending_start": "is_ps"}
_MEASURE_SQL = {
    "count": "count(*)",
    "amount": "coalesce(sum(amount), 0)",
    # days in court up to the period end: closed − filed for closed cases, end − filed (age)
    # for cases still pending at the end.
    "mean_days": "avg(least(coalesce(closed_date, p_end), p_end) - filed_date)",
}
TOTAL = "合计"


def _dim_label(dim: str, value: object) -> str:
    """Display label of one dimension value."""
    if _missing(value):
        return PENDING if dim == "outcome" else "（空）"
    if dim == "court_code":
        return court_name(str(value))
    if dim == "adcode":
        return district_name(int(str(value)))
    return str(value)


def pivot(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    start: dt.date | str,
    end: dt.date | str,
    rows: str,
    cols: str | None,
    measure: str = "count",
    basis: str = "closed",
) -> pd.DataFrame:
    """Cross table of measure (count, amount, mean_days) by rows × cols over the basis cases, with totals."""
    if rows not in PIVOT_DIMENSIONS or (cols is not None and cols not in PIVOT_DIMENSIONS):
        raise ValueError(f"unknown pivot dimension; choose from {list(PIVOT_DIMENSIONS)}")
    if cols == rows:
        cols = None
    if measure not in _MEASURE_SQL:
        raise ValueError(f"unknown measure {measure!r}; choose from {list(_MEASURE_SQL)}")
    if basis not in _BASIS_FLAG:
        raise ValueError(f"unknown basis {basis!r}; choose from {list(_BASIS_FLAG)}")
    s, e = _check_period(start, end)
    base, params = _base_sql(flt)
    r_sql = PIVOT_DIMENSIONS[rows][0]
    c_sql = PIVOT_DIMENSIONS[cols][0] if cols else "NULL"
    # GROUPING SETS give exact totals (a mean of means would be wrong for mean_days). Values
    # leave SQL as text (labels), ordered by the raw value, i.e. ENUM order for ENUM columns.
    sql = f"""
        SELECT r::VARCHAR AS r, c::VARCHAR AS c, {_MEASURE_SQL[measure]} AS v,
               grouping(r) AS gr, grouping(c) AS gc
        FROM (SELECT *, {r_sql} AS r, {c_sql} AS c FROM ({base}) WHERE {_BASIS_FLAG[basis]})
        GROUP BY GROUPING SETS ((r, c), (r), (c), ())
        ORDER BY gr, gc, r NULLS LAST, c NULLS LAST"""
    raw = con.execute(sql, {**params, "start": s, "end": e}).df()
    recs = [(_key(r), _key(c), v, int(gr), int(gc)) for r, c, v, gr, gc in
            zip(raw["r"], raw["c"], raw["v"], raw["gr"], raw["gc"], strict=True)]
    cells = {(r, c): v for r, c, v, gr, gc in recs if (gr, gc) == (0, 0)}
    row_tot = {r: v for r, _c, v, gr, gc in recs if (gr, gc) == (0, 1)}
    col_tot = {c: v for _r, c, v, gr, gc in recs if (gr, gc) == (1, 0)}
    grand = next((v for _r, _c, v, gr, gc in recs if (gr, gc) == (1, 1)), None)
    row_keys = _ordered(rows, list(row_tot))
    col_keys = _ordered(cols, list(col_tot)) if cols else []

    def val(v: object) -> object:
        if measure == "count":
            return 0 if _missing(v) else int(v)  # type: ignore[call-overload]
        if measure == "amount":
            return 0.0 if _missing(v) else float(v)  # type: ignore[arg-type]
        return None if _missing(v) else float(v)  # type: ignore[arg-type]

    row_label = PIVOT_DIMENSIONS[rows][1]
    clab = {k: _dim_label(cols, k) for k in col_keys} if cols else {}
    value_cols = [*clab.values(), TOTAL] if cols else [PIVOT_MEASURES[measure]]
    out_rows: list[list[object]] = []
    for rk in [*row_keys, *([TOTAL] if row_keys else [])]:
        is_total = rk is TOTAL
        label = TOTAL if is_total else _dim_label(rows, rk)
        tot = grand if is_total else row_tot.get(rk)
        if cols:
            line = [(col_tot.get(ck) if is_total else cells.get((rk, ck))) for ck in col_keys]
            out_rows.append([label, *(val(v) for v in line), val(tot)])
        else:
            out_rows.append([label, val(tot)])
    out = pd.DataFrame(out_rows, columns=[row_label, *value_cols])
    if measure == "mean_days":
        for c in value_cols:
            out[c] = _nullable(out[c].astype(object).tolist()).to_numpy()
    return out


def _key(v: object) -> object:
    """A hashable, NaN-free key for a dimension value (None for missing)."""
    return None if _missing(v) else v


def _ordered(dim: str | None, keys: list[object]) -> list[object]:
    """Values in display order: courts/districts fixed (codes.COURTS), others as SQL sorted them."""
    if dim == "court_code":
        order = _court_order()
        return sorted(keys, key=lambda k: (k is None, order.get(str(k), len(order)), str(k)))
    if dim == "adcode":
        dorder = _district_order()
        return sorted(
            keys, key=lambda k: (k is None, 0 if k is None else dorder.get(int(str(k)), len(dorder)), str(k))
        )
    return keys


