"""审判执行运行情况: the standard court operation indicators, exact for any filter and period.

Every indicator is defined on a *period* ``[start, end]`` (dates, both inclusive) and a
``CaseFilter`` whose non-date part selects the cases (the filter's filing-year range is ignored:
a period's stock and flow depend on filing *and* closing dates, so periods are handled here).

Counts (the four 收结存 figures; a case counts in every one it satisfies):

* 旧存 ``pending_start`` = filed < start AND (closed IS NULL OR closed >= start)
* 新收 ``filed``         = start <= filed <= end
* 结案 ``closed``        = start <= closed <= end
* 未结 ``pending_end``   = filed <= end AND (closed IS NULL OR closed > end)

Ratios are fractions (0.9521, shown as 95.21 %) except the CEPEJ clearance rate, which CEPEJ
publishes as a percentage. Whenever a denominator is 0 the value is ``None`` -- never NaN or 0 --
in the pure functions and in every returned frame (ratio columns are ``object`` columns holding
``float`` or ``None``).

Cases linked to a first instance through ``origin_case_no`` (appeals, retrial petitions) are
looked up in the *whole* store, unfiltered and whenever they were filed: an appeal is heard by
the intermediate court and often filed after the period ends, so applying the filter or the
period to it would lose it. Recent periods therefore rise as appeals arrive.

法定审限内结案率 counts only closed cases whose (type_code, track) -- or (type_code, None) --
has a limit in ``schema.STATUTORY_LIMIT_DAYS``; cases without a known limit (e.g. 民初 with no
track, 刑再) are left out of numerator *and* denominator, and ``limit_known_closed`` says how
many remained. Median and 90th percentile interpolate linearly (DuckDB ``quantile_cont``, the
same as pandas' default).

All SQL is parameterised: user values and vocabulary constants travel as parameters, and the
only identifiers spliced into SQL come from fixed whitelists in this module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Literal

import duckdb
import pandas as pd

import geodata
from analytics import codes, schema
from analytics.filters import PENDING, CaseFilter

# --- vocabularies the indicators rely on (members of schema.OUTCOMES / schema.PROCEDURES) ------

FIRST_INSTANCE = "一审"
APPEAL = "二审"
ENFORCEMENT = "执行实施"
# A first instance is "challenged" (not 服判息诉) when an appeal or a retrial petition/retrial
# names it as its origin.
CHALLENGE_PROCEDURES: tuple[str, ...] = ("二审", "再审审查", "再审")
# 调撤: 调解 + 撤诉, plus 撤回上诉 (the withdrawal of an appeal closes a 二审 the same way 撤诉
# closes a first instance). 准许撤回 (prosecution withdrawing a criminal charge) is *not*
# included: 调撤率 measures party settlement, and the conventional figure is civil/administrative.
MEDIATION_WITHDRAWAL_OUTCOMES: tuple[str, ...] = ("调解", "撤诉", "撤回上诉")
# 可上诉的一审结案: judgments and 驳回起诉 rulings. 调解书 and 撤诉 rulings cannot be appealed,
# and 小额诉讼 judgments are final (民事诉讼法 art. 165: 一审终审), so they are left out.
APPEALABLE_OUTCOMES: tuple[str, ...] = ("判决", "驳回起诉")
FINAL_TRACKS: tuple[str, ...] = ("小额诉讼",)
REVERSAL_OUTCOMES: tuple[str, ...] = ("改判", "发回重审")
# 实际执结: the creditor actually got performance -- 执行完毕 or a 执行和解 (settlement). 终结本次
# 执行 (终本, no assets found), 终结执行, 不予执行 and 销案 are closures without performance.
ACTUAL_ENFORCEMENT_OUTCOMES: tuple[str, ...] = ("执行完毕", "执行和解")
OVERDUE_DAYS = 365  # 超12个月: end − filed > 365 days

GROUP_BY: tuple[str, ...] = ("court_code", "adcode", "month")
CASE_STATUSES: tuple[str, ...] = ("pending_start", "filed", "closed", "pending_end")

# --- indicator catalogue: column name -> Chinese label, and how to format it ------------------

Kind = Literal["count", "ratio", "percent", "days", "amount"]

INDICATORS: dict[str, Kind] = {
    "pending_start": "count",
    "filed": "count",
    "closed": "count",
    "pending_end": "count",
    "closure_rate": "ratio",
    "clearance_ratio": "ratio",
    "cepej_clearance_rate": "percent",
    "cepej_disposition_time": "days",
    "mean_days": "days",
    "median_days": "days",
    "p90_days": "days",
    "limit_known_closed": "count",
    "on_time_closed": "count",
    "on_time_rate": "ratio",
    "over_12m_pending": "count",
    "over_12m_pending_ratio": "ratio",
    "mediation_withdrawal": "count",
    "mediation_withdrawal_rate": "ratio",
    "first_instance_closed": "count",
    "first_instance_challenged": "count",
    "service_acceptance_rate": "ratio",
    "appealable_closed": "count",
    "appealed": "count",
    "appeal_rate": "ratio",
    "reversed_remanded": "count",
    "reversal_remand_rate": "ratio",
    "enforcement_closed": "count",
    "enforcement_amount": "amount",
    "enforcement_recovered": "amount",
    "recovery_rate": "ratio",
    "enforcement_actual": "count",
    "actual_enforcement_rate": "ratio",
}

LABELS: dict[str, str] = {
    "pending_start": "旧存",
    "filed": "新收",
    "closed": "结案",
    "pending_end": "未结",
    "closure_rate": "结案率",
    "clearance_ratio": "结收比",
    "cepej_clearance_rate": "CEPEJ结案清理率(%)",
    "cepej_disposition_time": "CEPEJ预计处置时间(天)",
    "mean_days": "平均审理天数",
    "median_days": "审理天数中位数",
    "p90_days": "审理天数90分位",
    "limit_known_closed": "有法定审限的结案数",
    "on_time_closed": "法定审限内结案数",
    "on_time_rate": "法定审限内结案率",
    "over_12m_pending": "超12个月未结案件数",
    "over_12m_pending_ratio": "超12个月未结案件比",
    "mediation_withdrawal": "调撤结案数",
    "mediation_withdrawal_rate": "调撤率",
    "first_instance_closed": "一审结案数",
    "first_instance_challenged": "一审上诉及申请再审数",
    "service_acceptance_rate": "一审服判息诉率",
    "appealable_closed": "可上诉的一审结案数",
    "appealed": "上诉案件数",
    "appeal_rate": "上诉率",
    "reversed_remanded": "一审被改判发回重审数",
    "reversal_remand_rate": "一审被改判发回重审率",
    "enforcement_closed": "执行实施结案数",
    "enforcement_amount": "申请执行标的额(元)",
    "enforcement_recovered": "执行到位金额(元)",
    "recovery_rate": "执行到位率",
    "enforcement_actual": "实际执结数",
    "actual_enforcement_rate": "实际执结率",
    # cumulative columns of monthly_trend
    "cum_filed": "累计新收",
    "cum_closed": "累计结案",
    "cum_closure_rate": "累计结案率",
    "cum_clearance_ratio": "累计结收比",
    # grouping / period / case-list columns
    "court_code": "法院代码",
    "court_name": "法院",
    "adcode": "区县代码",
    "district_name": "区县",
    "month": "月份",
    "period_start": "起始日期",
    "period_end": "截止日期",
    "case_no": "案号",
    "category": "案件类别",
    "procedure": "审级",
    "cause": "案由",
    "filed_date": "立案日期",
    "closed_date": "结案日期",
    "outcome": "结案方式",
    "duration_days": "审理天数",
    "intake": "收案",
    "status": "期末状态",
    "indicator": "指标",
    "label": "指标名称",
    "current": "本期",
    "yoy": "同期(同比)",
    "pop": "上期(环比)",
    "yoy_diff": "同比增减",
    "pop_diff": "环比增减",
    "yoy_pct": "同比增幅",
    "pop_pct": "环比增幅",
}

# The figures a report leads with (the page's headline metrics).
HEADLINE: tuple[str, ...] = (
    "filed",
    "closed",
    "pending_end",
    "closure_rate",
    "clearance_ratio",
    "on_time_rate",
    "mean_days",
    "over_12m_pending_ratio",
    "mediation_withdrawal_rate",
    "service_acceptance_rate",
    "reversal_remand_rate",
    "recovery_rate",
)

# 合理区间 (acceptable range) per indicator: (low, high), None = unbounded. The SPC's 审判质量管理
# 指标体系 (2024) gives most indicators a 合理区间参考值, but the numbers are not public; these
# defaults are conservative working values, meant for annual figures, and configurable: pass
# ``ranges=`` to ``in_range`` or update this dict at start-up.
REASONABLE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "on_time_rate": (0.90, None),
    "service_acceptance_rate": (0.85, None),
    "over_12m_pending_ratio": (None, 0.01),  # national 2023: 0.109 % (published_stats.md)
    "mediation_withdrawal_rate": (0.30, 0.80),
    "clearance_ratio": (0.90, 1.10),
}


# Which way is better, for colouring changes: +1 higher, -1 lower, None neither (counts, or an
# indicator judged by a two-sided range such as 结收比 and 调撤率).
DIRECTION: dict[str, int | None] = {
    "closure_rate": 1,
    "cepej_disposition_time": -1,
    "mean_days": -1,
    "median_days": -1,
    "p90_days": -1,
    "on_time_rate": 1,
    "over_12m_pending_ratio": -1,
    "service_acceptance_rate": 1,
    "appeal_rate": -1,
    "reversal_remand_rate": -1,
    "recovery_rate": 1,
    "actual_enforcement_rate": 1,
}

# Columns of the per-court / per-district / monthly tables (a readable subset of INDICATORS).
TABLE_COLUMNS: tuple[str, ...] = (
    "pending_start", "filed", "closed", "pending_end", "closure_rate", "clearance_ratio",
    "on_time_rate", "mean_days", "median_days", "over_12m_pending_ratio",
    "mediation_withdrawal_rate", "service_acceptance_rate", "appeal_rate",
    "reversal_remand_rate", "recovery_rate", "actual_enforcement_rate",
)

# --- pure ratio functions ----------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator; None when the denominator is 0 or either value is missing."""
    if numerator is None or denominator is None:
        return None
    num, den = float(numerator), float(denominator)
    if math.isnan(num) or math.isnan(den) or den == 0:
        return None
    return num / den


def closure_rate(closed: int, pending_start: int, filed: int) -> float | None:
    """结案率 = closed / (pending_start + filed)."""
    return ratio(closed, pending_start + filed)


def clearance_ratio(closed: int, filed: int) -> float | None:
    """结收比 = closed / filed."""
    return ratio(closed, filed)


def cepej_clearance_rate(closed: int, filed: int) -> float | None:
    """CEPEJ clearance rate = closed / filed × 100 (a percentage)."""
    r = ratio(closed, filed)
    return None if r is None else r * 100.0


def cepej_disposition_time(pending_end: int, closed: int, period_days: int = 365) -> float | None:
    """CEPEJ disposition time = period_days × pending_end / closed (days; 365 for a year)."""
    # CEPEJ defines it on a year (365 × pending / resolved); scaling by the period's length keeps
    # a month's figure comparable instead of twelve times too large.
    r = ratio(pending_end, closed)
    return None if r is None else period_days * r


def on_time_rate(on_time_closed: int, limit_known_closed: int) -> float | None:
    """法定审限内结案率 = closed within the statutory limit / closed cases with a known limit."""
    return ratio(on_time_closed, limit_known_closed)


def over_12m_pending_ratio(over_12m_pending: int, pending_end: int) -> float | None:
    """超12个月未结案件比 = pending at end with end − filed > 365 days / pending at end."""
    return ratio(over_12m_pending, pending_end)


def mediation_withdrawal_rate(mediation_withdrawal: int, closed: int) -> float | None:
    """调撤率 = closed as 调解, 撤诉 or 撤回上诉 / closed."""
    return ratio(mediation_withdrawal, closed)


def service_acceptance_rate(first_instance_closed: int, challenged: int) -> float | None:
    """一审服判息诉率 = (first-instance closed − appealed or petitioned) / first-instance closed."""
    return ratio(first_instance_closed - challenged, first_instance_closed)


def appeal_rate(appealed: int, appealable_closed: int) -> float | None:
    """上诉率 = appealable first instances that were appealed (二审) / appealable closed."""
    return ratio(appealed, appealable_closed)


def reversal_remand_rate(reversed_remanded: int, first_instance_closed: int) -> float | None:
    """一审被改判发回重审率 = first instances whose 二审 ended 改判/发回重审 / first-instance closed."""
    return ratio(reversed_remanded, first_instance_closed)


def recovery_rate(recovered: float, amount: float) -> float | None:
    """执行到位率 = Σ amount_recovered / Σ amount (执行实施 closed in the period)."""
    return ratio(recovered, amount)


def actual_enforcement_rate(actual: int, enforcement_closed: int) -> float | None:
    """实际执结率 = 执行实施 closed as 执行完毕 or 执行和解 / 执行实施 closed."""
    return ratio(actual, enforcement_closed)


def in_range(
    name: str,
    value: float | None,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> bool | None:
    """Whether value lies in the indicator's reasonable range; None if no value or no range."""
    bounds = (REASONABLE_RANGES if ranges is None else ranges).get(name)
    if bounds is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def _limit_table() -> tuple[list[str], list[str | None], list[int]]:
    """schema.STATUTORY_LIMIT_DAYS as three parallel lists (passed to SQL as parameters)."""
    items = list(schema.STATUTORY_LIMIT_DAYS.items())
    return [k[0] for k, _ in items], [k[1] for k, _ in items], [v for _, v in items]


def statutory_limit(type_code: str, track: str | None) -> int | None:
    """法定审限 in days for (type_code, track), falling back to (type_code, None); None if unknown."""
    limits = schema.STATUTORY_LIMIT_DAYS
    return limits.get((type_code, track), limits.get((type_code, None)))


# --- periods ---------------------------------------------------------------------------------


def _as_date(value: dt.date | str) -> dt.date:
    """A date from a date, datetime/Timestamp or ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _check_period(start: dt.date | str, end: dt.date | str) -> tuple[dt.date, dt.date]:
    """Validated (start, end) dates."""
    s, e = _as_date(start), _as_date(end)
    if s > e:
        raise ValueError(f"起始日期晚于截止日期 / start {s} is after end {e}")
    return s, e


def _month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(day: dt.date, months: int, to_month_end: bool) -> dt.date:
    """The date ``months`` later (negative: earlier), clipped to the target month's length."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = _month_end(year, month0 + 1)
    return last if to_month_end else last.replace(day=min(day.day, last.day))


def comparison_periods(start: dt.date | str, end: dt.date | str) -> dict[str, tuple[dt.date, dt.date]]:
    """The current period, 同比 (``yoy``: a year earlier) and 环比 (``pop``: the preceding period)."""
    s, e = _check_period(start, end)
    whole_months = s.day == 1 and e == _month_end(e.year, e.month)
    yoy = (_shift_months(s, -12, False), _shift_months(e, -12, whole_months))
    if whole_months:
        # Calendar months compare with the same number of preceding months (March with February,
        # Q2 with Q1), as court monthly reports do, not with an equal count of days.
        n = (e.year * 12 + e.month) - (s.year * 12 + s.month) + 1
        pop = (_shift_months(s, -n, False), s - dt.timedelta(days=1))
    else:
        length = (e - s).days + 1
        pop = (s - dt.timedelta(days=length), s - dt.timedelta(days=1))
    return {"current": (s, e), "yoy": yoy, "pop": pop}


def month_starts(start: dt.date | str, end: dt.date | str) -> list[dt.date]:
    """First day of every calendar month overlapping [start, end]."""
    s, e = _check_period(start, end)
    out, cur = [], s.replace(day=1)
    while cur <= e:
        out.append(cur)
        cur = _shift_months(cur, 1, False)
    return out


# --- SQL building blocks ---------------------------------------------------------------------


def _vocab_params() -> dict[str, object]:
    """Vocabulary constants and the statutory-limit table, as query parameters."""
    lim_type, lim_track, lim_days = _limit_table()
    return {
        "first": FIRST_INSTANCE,
        "appeal": APPEAL,
        "enforce": ENFORCEMENT,
        "challenge": list(CHALLENGE_PROCEDURES),
        "mw": list(MEDIATION_WITHDRAWAL_OUTCOMES),
        "appealable": list(APPEALABLE_OUTCOMES),
        "final_tracks": list(FINAL_TRACKS),
        "reversal": list(REVERSAL_OUTCOMES),
        "actual": list(ACTUAL_ENFORCEMENT_OUTCOMES),
        "overdue": OVERDUE_DAYS,
        "lim_type": lim_type,
        "lim_track": lim_track,
        "lim_days": lim_days,
    }


# A case is *relevant* to [p_start, p_end] when it counts in any of the four figures. For valid
# data (closed >= filed) that is filed <= end AND (closed IS NULL OR closed >= start); the
# lo/hi form also keeps a case closed before it was filed (a data error) when either date falls
# in the period, so the counts stay exactly their definitions.
_LO = "greatest($start, least(filed_date, coalesce(closed_date, filed_date)))"
_HI = "least($end, greatest(filed_date, coalesce(closed_date, $end)))"

_FLAGS = """
    coalesce(filed_date < p_start AND (closed_date IS NULL OR closed_date >= p_start), false) AS is_ps,
    coalesce(filed_date BETWEEN p_start AND p_end, false) AS is_new,
    coalesce(closed_date BETWEEN p_start AND p_end, false) AS is_closed,
    coalesce(filed_date <= p_end AND (closed_date IS NULL OR closed_date > p_end), false) AS is_pe,
    closed_date - filed_date AS days"""


def _base_sql(flt: CaseFilter, by_month: bool) -> tuple[str, dict[str, object]]:
    """SELECT of relevant cases with their (sub-)period bounds p_start/p_end and the four flags."""
    where, params = flt.where_named(years=False)
    cols = """case_no, court_code, adcode, category, procedure, type_code, track, cause_group, cause,
              outcome, filed_date, closed_date, amount, amount_recovered, plaintiff_kind,
              defendant_kind, defendant_industry"""
    if by_month:
        # Each case is repeated once per calendar month it is relevant to, so a month is its own
        # period (旧存 at the month's first day, 未结 at its last) in the same single scan.
        inner = f"""
            SELECT {cols}, unnest(generate_series(date_trunc('month', {_LO}),
                                                  date_trunc('month', {_HI}),
                                                  INTERVAL 1 MONTH))::DATE AS month
            FROM cases WHERE ({where}) AND {_LO} <= {_HI}"""
        bounded = f"""
            SELECT *, greatest(month, $start) AS p_start,
                   least((month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $end) AS p_end
            FROM ({inner})"""
    else:
        bounded = f"""
            SELECT {cols}, NULL::DATE AS month, $start AS p_start, $end AS p_end
            FROM cases WHERE ({where}) AND {_LO} <= {_HI}"""
    return f"SELECT *, {_FLAGS} FROM ({bounded})", params


# One pass computes every ingredient; ratios are derived in Python by the pure functions above.
# ``days`` is closed − filed; the duration statistics use cases closed in the period only.
# The stock aggregates need the period's p_start/p_end; the closed ones only ``is_closed`` (the
# by-month query evaluates them on the cases closed in the period, grouped by closing month).
_STOCK_AGGREGATES = """
    count(*) FILTER (WHERE is_ps) AS pending_start,
    count(*) FILTER (WHERE is_new) AS filed,
    count(*) FILTER (WHERE is_pe) AS pending_end,
    count(*) FILTER (WHERE is_pe AND p_end - filed_date > $overdue) AS over_12m_pending"""
_CLOSED_AGGREGATES = """
    count(*) FILTER (WHERE is_closed) AS closed,
    avg(days) FILTER (WHERE is_closed) AS mean_days,
    quantile_cont(days, 0.5) FILTER (WHERE is_closed) AS median_days,
    quantile_cont(days, 0.9) FILTER (WHERE is_closed) AS p90_days,
    count(*) FILTER (WHERE is_closed AND lim_days IS NOT NULL) AS limit_known_closed,
    count(*) FILTER (WHERE is_closed AND days <= lim_days) AS on_time_closed,
    count(*) FILTER (WHERE is_closed AND list_contains($mw, outcome::VARCHAR)) AS mediation_withdrawal,
    count(*) FILTER (WHERE is_closed AND is_fi) AS first_instance_closed,
    count(*) FILTER (WHERE is_closed AND is_fi AND coalesce(challenged, false))
        AS first_instance_challenged,
    count(*) FILTER (WHERE is_closed AND is_fi AND is_appealable) AS appealable_closed,
    count(*) FILTER (WHERE is_closed AND is_fi AND is_appealable AND coalesce(appealed, false))
        AS appealed,
    count(*) FILTER (WHERE is_closed AND is_fi AND coalesce(reversed, false)) AS reversed_remanded,
    count(*) FILTER (WHERE is_closed AND is_enf) AS enforcement_closed,
    coalesce(sum(amount) FILTER (WHERE is_closed AND is_enf AND amount IS NOT NULL), 0)
        AS enforcement_amount,
    coalesce(sum(coalesce(amount_recovered, 0))
             FILTER (WHERE is_closed AND is_enf AND amount IS NOT NULL), 0) AS enforcement_recovered,
    count(*) FILTER (WHERE is_closed AND is_enf AND list_contains($actual, outcome::VARCHAR))
        AS enforcement_actual"""
_AGGREGATES = _STOCK_AGGREGATES + "," + _CLOSED_AGGREGATES

# Whitelisted group keys -> SQL expression over the base relation.
_GROUP_SQL: dict[str | None, str] = {
    None: "NULL",
    "court_code": "court_code::VARCHAR",
    "adcode": "adcode",
    "month": "month",
}

_COUNT_COLS = [k for k, v in INDICATORS.items() if v == "count"]
_STAT_COLS = ["mean_days", "median_days", "p90_days"]


# Per-case attributes the closed-case aggregates need, over a relation ``f`` of cases: the
# statutory limit, and the linked appeals/petitions of the first instances closed in ``f``.
_ENRICH_CTES = """
        lim AS (SELECT unnest($lim_type::VARCHAR[]) AS l_type,
                       unnest($lim_track::VARCHAR[]) AS l_track,
                       unnest($lim_days::INTEGER[]) AS l_days),
        -- linked cases of the first instances closed in the period, from the unfiltered store
        links AS (
            SELECT origin_case_no AS link_no,
                   bool_or(procedure::VARCHAR = $appeal) AS appealed,
                   true AS challenged,
                   bool_or(procedure::VARCHAR = $appeal
                           AND list_contains($reversal, outcome::VARCHAR)) AS reversed
            FROM cases
            WHERE list_contains($challenge, procedure::VARCHAR)
              AND origin_case_no IN (SELECT case_no FROM f
                                     WHERE is_closed AND procedure::VARCHAR = $first)
            GROUP BY origin_case_no),
        x AS (
            SELECT f.*, {key} AS grp,
                   procedure::VARCHAR = $first AS is_fi,
                   procedure::VARCHAR = $enforce AS is_enf,
                   coalesce(list_contains($appealable, outcome::VARCHAR)
                            AND NOT list_contains($final_tracks, coalesce(track::VARCHAR, '')), false)
                       AS is_appealable,
                   coalesce(l1.l_days, l2.l_days) AS lim_days,
                   links.appealed, links.challenged, links.reversed
            FROM f
            LEFT JOIN lim l1 ON l1.l_type = f.type_code::VARCHAR AND l1.l_track = f.track::VARCHAR
            LEFT JOIN lim l2 ON l2.l_type = f.type_code::VARCHAR AND l2.l_track IS NULL
            LEFT JOIN links ON links.link_no = f.case_no)"""


def _summary_sql_reference(flt: CaseFilter, by: str | None) -> tuple[str, dict[str, object]]:
    """The definitional query: every ingredient per group in one scan of ``cases``.

    By month it repeats each case once per month it is relevant to (slow on a large store);
    ``_summary_sql`` computes the same figures without that, and the tests check the two agree.
    """
    base, params = _base_sql(flt, by_month=by == "month")
    key = _GROUP_SQL[by]
    sql = f"""
        WITH f AS MATERIALIZED ({base}),
        {_ENRICH_CTES.format(key=key)}
        SELECT {"grp," if by else ""} {_AGGREGATES}
        FROM x {"GROUP BY grp" if by else ""}"""
    return sql, {**params, **_vocab_params()}


def _summary_sql(flt: CaseFilter, by: str | None) -> tuple[str, dict[str, object]]:
    """The summary query per group: one row per group (by month: one per month of the period)."""
    if by != "month":
        return _summary_sql_reference(flt, by)
    return _monthly_sql(flt)


def _monthly_sql(flt: CaseFilter) -> tuple[str, dict[str, object]]:
    """Every ingredient per calendar month of [$start, $end] without repeating cases per month.

    * closed-case figures: each case closed in the period is closed in exactly one month (that
      of its closed_date), so they are grouped by closing month;
    * 新收: grouped by filing month;
    * 旧存/未结: pending at day d = #(filed <= d) − #(greatest(closed, filed) <= d) (a case closed
      before it was filed is never pending), so 未结 of a month is the stock the day before
      ``$start`` plus the running sum of monthly filings minus monthly ``greatest`` closings, and
      旧存 of a month is the previous month's 未结;
    * 超12个月未结: only cases whose life exceeds 365 days can qualify; they are joined with the
      month ends they are overdue at.
    Months are consecutive, so each month's p_end is the next month's p_start − 1 day.
    """
    where, params = flt.where_named(years=False)
    cols = """case_no, court_code, adcode, category, procedure, type_code, track, cause_group, cause,
              outcome, filed_date, closed_date, amount, amount_recovered"""
    sql = f"""
        WITH months AS (
            SELECT m AS grp, greatest(m, $start::DATE) AS p_start,
                   least((m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $end::DATE) AS p_end
            FROM (SELECT unnest(generate_series(date_trunc('month', $start::DATE),
                                                date_trunc('month', $end::DATE),
                                                INTERVAL 1 MONTH))::DATE AS m)),
        -- cases closed in the period, each in its closing month
        f AS MATERIALIZED (
            SELECT {cols}, true AS is_closed, closed_date - filed_date AS days,
                   date_trunc('month', closed_date)::DATE AS close_month
            FROM cases WHERE ({where}) AND closed_date BETWEEN $start AND $end),
        {_ENRICH_CTES.format(key="close_month")},
        closed_agg AS (SELECT grp, {_CLOSED_AGGREGATES} FROM x GROUP BY grp),
        -- stock and intake: cases filed by $end and not out (closed or filed) before $start;
        -- fm = filing month (NULL: filed before $start), gm = month of greatest(closed, filed)
        -- (NULL: still pending at $end; greatest() skips NULLs, hence the IS NOT NULL)
        pairs AS (
            SELECT CASE WHEN filed_date >= $start
                        THEN date_trunc('month', filed_date)::DATE END AS fm,
                   CASE WHEN closed_date IS NOT NULL AND greatest(filed_date, closed_date) <= $end
                        THEN date_trunc('month', greatest(filed_date, closed_date))::DATE END AS gm,
                   count(*) AS n
            FROM cases
            WHERE ({where}) AND filed_date <= $end
              AND (closed_date IS NULL OR greatest(filed_date, closed_date) >= $start)
            GROUP BY ALL),
        fl AS (SELECT fm AS grp, sum(n) AS nf FROM pairs WHERE fm IS NOT NULL GROUP BY fm),
        gl AS (SELECT gm AS grp, sum(n) AS ng FROM pairs WHERE gm IS NOT NULL GROUP BY gm),
        stock AS (
            SELECT months.grp, coalesce(fl.nf, 0) AS filed, coalesce(gl.ng, 0) AS out_,
                   (SELECT coalesce(sum(n), 0) FROM pairs WHERE fm IS NULL)
                   + sum(coalesce(fl.nf, 0) - coalesce(gl.ng, 0)) OVER (ORDER BY months.grp)
                       AS pending_end
            FROM months LEFT JOIN fl ON fl.grp = months.grp LEFT JOIN gl ON gl.grp = months.grp),
        -- cases that can be pending for more than $overdue days at some day of the period
        long AS (
            SELECT filed_date, coalesce(closed_date, $end::DATE + 1) AS until_
            FROM cases
            WHERE ({where}) AND filed_date + $overdue < $end
              AND (closed_date IS NULL OR (closed_date - filed_date > $overdue
                                           AND closed_date > $start))),
        overdue AS (
            SELECT months.grp, count(*) AS over_12m_pending
            FROM months JOIN long
              ON long.filed_date + $overdue < months.p_end AND long.until_ > months.p_end
            GROUP BY months.grp)
        SELECT months.grp,
               (stock.pending_end - stock.filed + stock.out_)::BIGINT AS pending_start,
               stock.filed::BIGINT AS filed,
               stock.pending_end::BIGINT AS pending_end,
               coalesce(overdue.over_12m_pending, 0) AS over_12m_pending,
               coalesce(c.closed, 0) AS closed,
               c.mean_days, c.median_days, c.p90_days,
               coalesce(c.limit_known_closed, 0) AS limit_known_closed,
               coalesce(c.on_time_closed, 0) AS on_time_closed,
               coalesce(c.mediation_withdrawal, 0) AS mediation_withdrawal,
               coalesce(c.first_instance_closed, 0) AS first_instance_closed,
               coalesce(c.first_instance_challenged, 0) AS first_instance_challenged,
               coalesce(c.appealable_closed, 0) AS appealable_closed,
               coalesce(c.appealed, 0) AS appealed,
               coalesce(c.reversed_remanded, 0) AS reversed_remanded,
               coalesce(c.enforcement_closed, 0) AS enforcement_closed,
               coalesce(c.enforcement_amount, 0) AS enforcement_amount,
               coalesce(c.enforcement_recovered, 0) AS enforcement_recovered,
               coalesce(c.enforcement_actual, 0) AS enforcement_actual
        FROM months
        LEFT JOIN stock ON stock.grp = months.grp
        LEFT JOIN closed_agg c ON c.grp = months.grp
        LEFT JOIN overdue ON overdue.grp = months.grp
        ORDER BY months.grp"""
    return sql, {**params, **_vocab_params()}


def _nullable(values: Sequence[float | None] | pd.Series) -> pd.Series:
    """An object column holding floats, with None (never NaN) where a value is missing."""
    return pd.Series(
        [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values],
        dtype=object,
    )


def _add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Ratio columns from the count columns, through the pure functions above (one definition)."""
    days = [(e - s).days + 1 for s, e in zip(df["period_start"], df["period_end"], strict=True)]
    rows = df.to_dict("records")
    computed = {
        "closure_rate": [closure_rate(r["closed"], r["pending_start"], r["filed"]) for r in rows],
        "clearance_ratio": [clearance_ratio(r["closed"], r["filed"]) for r in rows],
        "cepej_clearance_rate": [cepej_clearance_rate(r["closed"], r["filed"]) for r in rows],
        "cepej_disposition_time": [
            cepej_disposition_time(r["pending_end"], r["closed"], d) for r, d in zip(rows, days, strict=True)
        ],
        "on_time_rate": [on_time_rate(r["on_time_closed"], r["limit_known_closed"]) for r in rows],
        "over_12m_pending_ratio": [
            over_12m_pending_ratio(r["over_12m_pending"], r["pending_end"]) for r in rows
        ],
        "mediation_withdrawal_rate": [
            mediation_withdrawal_rate(r["mediation_withdrawal"], r["closed"]) for r in rows
        ],
        "service_acceptance_rate": [
            service_acceptance_rate(r["first_instance_closed"], r["first_instance_challenged"])
            for r in rows
        ],
        "appeal_rate": [appeal_rate(r["appealed"], r["appealable_closed"]) for r in rows],
        "reversal_remand_rate": [
            reversal_remand_rate(r["reversed_remanded"], r["first_instance_closed"]) for r in rows
        ],
        "recovery_rate": [
            recovery_rate(r["enforcement_recovered"], r["enforcement_amount"]) for r in rows
        ],
        "actual_enforcement_rate": [
            actual_enforcement_rate(r["enforcement_actual"], r["enforcement_closed"]) for r in rows
        ],
    }
    out = df.copy()
    for name, values in computed.items():
        out[name] = _nullable(values).to_numpy()
    for name in _STAT_COLS:
        out[name] = _nullable(out[name].tolist()).to_numpy()
    return out


def _court_order() -> dict[str, int]:
    """Court code -> fixed display position (codes.COURTS order; never by a figure)."""
    return {c.code: i for i, c in enumerate(codes.COURTS)}


def _district_order() -> dict[int, int]:
    """District adcode -> fixed display position (geodata's order, as in the sidebar)."""
    return {a: i for i, a in enumerate(geodata.district_names())}


def court_name(code: str) -> str:
    """Short court name for a court code (the code itself when unknown)."""
    court = codes.court_for(str(code))
    return court.short if court else str(code)


def district_name(adcode: int | None) -> str:
    """District name for an adcode (the code as text when unknown)."""
    if adcode is None or (isinstance(adcode, float) and math.isnan(adcode)):
        return "（空）"
    return geodata.district_names().get(int(adcode), str(adcode))


def _empty_counts() -> dict[str, object]:
    """Ingredient values of an empty group."""
    row: dict[str, object] = {c: 0 for c in _COUNT_COLS}
    row.update({c: None for c in _STAT_COLS})
    row.update({"enforcement_amount": 0.0, "enforcement_recovered": 0.0})
    return row


def summary(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    start: dt.date | str,
    end: dt.date | str,
    by: str | None = None,
) -> pd.DataFrame:
    """Every indicator for [start, end], one row per group (by: None, court_code, adcode, month)."""
    if by not in _GROUP_SQL:
        raise ValueError(f"unknown grouping {by!r}; choose from {GROUP_BY}")
    s, e = _check_period(start, end)
    sql, params = _summary_sql(flt, by)
    raw = con.execute(sql, {**params, "start": s, "end": e}).df()
    cols = list(INDICATORS)
    if by is None:
        raw.insert(0, "period_start", pd.Timestamp(s))
        raw.insert(1, "period_end", pd.Timestamp(e))
        keys: list[str] = []
    elif by == "month":
        got = {pd.Timestamp(m).date(): r for m, r in zip(raw["grp"], raw.to_dict("records"), strict=True)}
        rows = []
        for m in month_starts(s, e):
            row = dict(got.get(m) or _empty_counts())
            row["month"] = pd.Timestamp(m)
            row["period_start"] = pd.Timestamp(max(m, s))
            row["period_end"] = pd.Timestamp(min(_month_end(m.year, m.month), e))
            rows.append(row)
        raw = pd.DataFrame(rows, columns=["month", "period_start", "period_end", *_raw_cols()])
        keys = ["month"]
    else:
        raw = raw.rename(columns={"grp": by})
        if by == "court_code":
            order = _court_order()
            raw["court_name"] = [court_name(c) for c in raw["court_code"]]
            raw["_o"] = [(order.get(c, len(order)), c) for c in raw["court_code"]]
            keys = ["court_code", "court_name"]
        else:
            dorder = _district_order()
            raw["adcode"] = raw["adcode"].astype("Int64")
            raw["district_name"] = [district_name(a) for a in raw["adcode"].tolist()]
            raw["_o"] = [(dorder.get(a, len(dorder)), a) for a in raw["adcode"].tolist()]
            keys = ["adcode", "district_name"]
        raw = raw.iloc[sorted(range(len(raw)), key=lambda i: raw["_o"].iloc[i])].drop(columns="_o")
        raw["period_start"] = pd.Timestamp(s)
        raw["period_end"] = pd.Timestamp(e)
    for c in _COUNT_COLS:
        raw[c] = raw[c].astype("int64")
    for c in ("enforcement_amount", "enforcement_recovered"):
        raw[c] = raw[c].astype("float64")
    out = _add_ratios(raw.reset_index(drop=True))
    return out[[*keys, "period_start", "period_end", *cols]]


def _raw_cols() -> list[str]:
    """The columns the summary query returns (ingredients, before ratios)."""
    return [*_COUNT_COLS, *_STAT_COLS, "enforcement_amount", "enforcement_recovered"]


def monthly_trend(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Per-month indicators (summary by month) plus period-to-date cumulative 结案率 and 结收比."""
    df = summary(con, flt, start, end, by="month")
    # 1-N月累计: the period's 旧存 is the first month's; flows add up across disjoint months.
    base = int(df["pending_start"].iloc[0]) if len(df) else 0
    df["cum_filed"] = df["filed"].cumsum().astype("int64")
    df["cum_closed"] = df["closed"].cumsum().astype("int64")
    df["cum_closure_rate"] = _nullable(
        [closure_rate(c, base, f) for c, f in zip(df["cum_closed"], df["cum_filed"], strict=True)]
    ).to_numpy()
    df["cum_clearance_ratio"] = _nullable(
        [clearance_ratio(c, f) for c, f in zip(df["cum_closed"], df["cum_filed"], strict=True)]
    ).to_numpy()
    return df


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """(first filing date, last filing-or-closing date) in the whole store."""
    row = con.execute(
        "SELECT min(filed_date), greatest(max(filed_date), max(closed_date)) FROM cases"
    ).fetchone()
    if row is None or row[0] is None:
        return None, None
    return _as_date(row[0]), _as_date(row[1])


def _change(cur: float | None, base: float | None) -> tuple[float | None, float | None]:
    """(current − base, (current − base) / |base|); None where undefined."""
    if cur is None or base is None:
        return None, None
    diff = float(cur) - float(base)
    return diff, ratio(diff, abs(float(base)))


def _compare_sql(flt: CaseFilter, n: int) -> tuple[str, dict[str, object]]:
    """The summary ingredients of ``n`` periods ``$ps[i]..$pe[i]`` (grp = i) in one scan of ``cases``.

    The cases relevant to the hull [min $ps, max $pe] are read and enriched (statutory limit,
    linked cases) once and materialized; then each period selects its relevant cases from them
    (the ``_LO <= _HI`` test of ``_base_sql``), adds its flags and aggregates them, ungrouped,
    so per period the rows, flags and aggregates are exactly those of
    ``_summary_sql_reference(flt, None)``. The enrichment does not depend on the period: linked
    cases come from the whole store, and are looked up for the first instances closed in any of
    the periods (the only rows they count for: every closed-case aggregate filters on is_closed).
    One ungrouped aggregate per period (UNION ALL) is much faster than GROUP BY period.
    """
    where, params = flt.where_named(years=False)
    cols = "case_no, procedure, type_code, track, outcome, filed_date, closed_date, amount, amount_recovered"
    hull = f"{_LO.replace('$start', '$hs')} <= {_HI.replace('$end', '$he')}"
    # one ungrouped aggregate per period over its relevant cases
    branches = "\n        UNION ALL\n        ".join(
        f"""SELECT {i} AS grp, {_AGGREGATES}
        FROM (SELECT *, {_FLAGS} FROM (
            SELECT *, $ps[{i + 1}] AS p_start, $pe[{i + 1}] AS p_end FROM x
            WHERE {_LO.replace('$start', f'$ps[{i + 1}]')} <= {_HI.replace('$end', f'$pe[{i + 1}]')}))"""
        for i in range(n))
    closed_any = " OR ".join(f"closed_date BETWEEN $ps[{i + 1}] AND $pe[{i + 1}]" for i in range(n))
    sql = f"""
        WITH rel AS MATERIALIZED (
            SELECT {cols}, procedure::VARCHAR = $first AS is_fi
            FROM cases WHERE ({where}) AND {hull}),
        lim AS (SELECT unnest($lim_type::VARCHAR[]) AS l_type,
                       unnest($lim_track::VARCHAR[]) AS l_track,
                       unnest($lim_days::INTEGER[]) AS l_days),
        links AS (
            SELECT origin_case_no AS link_no,
                   bool_or(procedure::VARCHAR = $appeal) AS appealed,
                   true AS challenged,
                   bool_or(procedure::VARCHAR = $appeal
                           AND list_contains($reversal, outcome::VARCHAR)) AS reversed
            FROM cases
            WHERE list_contains($challenge, procedure::VARCHAR)
              AND origin_case_no IN (SELECT case_no FROM rel WHERE is_fi AND ({closed_any}))
            GROUP BY origin_case_no),
        x AS MATERIALIZED (
            SELECT rel.*,
                   procedure::VARCHAR = $enforce AS is_enf,
                   coalesce(list_contains($appealable, outcome::VARCHAR)
                            AND NOT list_contains($final_tracks, coalesce(track::VARCHAR, '')), false)
                       AS is_appealable,
                   coalesce(l1.l_days, l2.l_days) AS lim_days,
                   links.appealed, links.challenged, links.reversed
            FROM rel
            LEFT JOIN lim l1 ON l1.l_type = rel.type_code::VARCHAR AND l1.l_track = rel.track::VARCHAR
            LEFT JOIN lim l2 ON l2.l_type = rel.type_code::VARCHAR AND l2.l_track IS NULL
            LEFT JOIN links ON links.link_no = rel.case_no)
        {branches}
        ORDER BY grp"""
    return sql, {**params, **_vocab_params()}


def _period_values(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, periods: Sequence[tuple[dt.date, dt.date]]
) -> list[dict[str, object]]:
    """``summary(con, flt, s, e).iloc[0].to_dict()`` for every (s, e), from one query."""
    distinct = list(dict.fromkeys(periods))  # 同比 and 环比 of a whole year are the same period
    if not distinct:
        return []
    if len(distinct) == 1:
        # one period (e.g. 同比 and 环比 before the data): the plain summary query is faster
        value = summary(con, flt, *distinct[0]).iloc[0].to_dict()
        return [value for _ in periods]
    sql, params = _compare_sql(flt, len(distinct))
    params.update({"ps": [s for s, _ in distinct], "pe": [e for _, e in distinct],
                   "hs": min(s for s, _ in distinct), "he": max(e for _, e in distinct)})
    raw = con.execute(sql, params).df()
    got = {int(g): r for g, r in zip(raw["grp"], raw.to_dict("records"), strict=True)}
    rows = []
    for i, (s, e) in enumerate(distinct):
        row = dict(got[i])  # ungrouped: one row per period, even an empty one
        row["period_start"] = pd.Timestamp(s)
        row["period_end"] = pd.Timestamp(e)
        rows.append(row)
    df = pd.DataFrame(rows, columns=["period_start", "period_end", *_raw_cols()])
    for c in _COUNT_COLS:
        df[c] = df[c].astype("int64")
    for c in ("enforcement_amount", "enforcement_recovered"):
        df[c] = df[c].astype("float64")
    out = _add_ratios(df)[["period_start", "period_end", *INDICATORS]]
    by_period = {p: out.iloc[i].to_dict() for i, p in enumerate(distinct)}
    return [by_period[p] for p in periods]


def compare(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """Each indicator now, 同比 (a year earlier) and 环比 (preceding period), with changes."""
    periods = comparison_periods(start, end)
    first, _last = data_span(con)
    # A comparison period reaching before the data begins would show false zeros.
    known = [name for name, (s, _e) in periods.items() if first is not None and s >= first]
    got = _period_values(con, flt, [periods[name] for name in known])
    values: dict[str, dict[str, object]] = {name: {k: None for k in INDICATORS} for name in periods}
    values.update(zip(known, got, strict=True))
    return _compare_frame(periods, values)


def _compare_reference(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """compare() through one ``summary`` per period (the definitional path the tests check against)."""
    periods = comparison_periods(start, end)
    first, _last = data_span(con)
    values: dict[str, dict[str, object]] = {}
    for name, (s, e) in periods.items():
        if first is None or s < first:
            # A comparison period reaching before the data begins would show false zeros.
            values[name] = {k: None for k in INDICATORS}
        else:
            values[name] = summary(con, flt, s, e).iloc[0].to_dict()
    return _compare_frame(periods, values)


def _compare_frame(
    periods: dict[str, tuple[dt.date, dt.date]], values: dict[str, dict[str, object]]
) -> pd.DataFrame:
    """The compare() table from each period's indicator values."""
    rows = []
    for key, kind in INDICATORS.items():
        cur, yoy, pop = (values[p][key] for p in ("current", "yoy", "pop"))
        cur, yoy, pop = (None if _missing(v) else float(v) for v in (cur, yoy, pop))  # type: ignore[arg-type]
        yoy_diff, yoy_pct = _change(cur, yoy)
        pop_diff, pop_pct = _change(cur, pop)
        rows.append(
            {"indicator": key, "label": LABELS[key], "kind": kind, "current": cur, "yoy": yoy,
             "pop": pop, "yoy_diff": yoy_diff, "pop_diff": pop_diff, "yoy_pct": yoy_pct,
             "pop_pct": pop_pct}
        )
    out = pd.DataFrame(rows)
    for c in ("current", "yoy", "pop", "yoy_diff", "pop_diff", "yoy_pct", "pop_pct"):
        out[c] = _nullable(out[c].astype(object).tolist()).to_numpy()
    out.attrs["periods"] = {k: (str(s), str(e)) for k, (s, e) in periods.items()}
    return out


def _missing(v: object) -> bool:
    """None, NaN, NaT or pd.NA."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _month_arg(month: dt.date | str | None) -> dt.date | None:
    """First day of the month given as a date or 'YYYY-MM'."""
    if month is None:
        return None
    if isinstance(month, str) and re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        y, m = month.strip().split("-")
        return dt.date(int(y), int(m), 1)
    return _as_date(month).replace(day=1)


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
    s, e = _check_period(start, end)
    m = _month_arg(month)
    if m is not None:
        # The month is a sub-period: its own 旧存/新收/结案/未结, clipped to [start, end].
        s, e = max(s, m), min(e, _month_end(m.year, m.month))
        if s > e:
            return _empty_case_list()
    if status is not None and status not in CASE_STATUSES:
        raise ValueError(f"unknown status {status!r}; choose from {CASE_STATUSES}")
    base, params = _base_sql(flt, by_month=False)
    extra = []
    if court_code is not None:
        extra.append("court_code::VARCHAR = $court")
        params["court"] = str(court_code)
    if adcode is not None:
        extra.append("adcode = $adcode")
        params["adcode"] = int(adcode)
    if status is not None:
        # status is whitelisted above, so the flag name comes from a fixed set.
        extra.append({"pending_start": "is_ps", "filed": "is_new", "closed": "is_closed",
                      "pending_end": "is_pe"}[status])
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
_BASIS_FLAG = {"closed": "is_closed", "filed": "is_new", "pending_end": "is_pe", "pending_start": "is_ps"}
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
    base, params = _base_sql(flt, by_month=False)
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


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with Chinese column labels (LABELS) for display and export."""
    return df.rename(columns={c: LABELS.get(c, c) for c in df.columns})


# --- presentation helpers (pure: formatting for pages and exports) ---------------------------


def format_value(name: str, value: float | None) -> str:
    """A value as shown on screen: counts 1,234; ratios 95.21%; days 64.2 天; '—' when missing."""
    if _missing(value):
        return "—"
    kind = INDICATORS.get(name, "count")
    v = float(value)  # type: ignore[arg-type]
    if kind == "ratio":
        return f"{v:.2%}"
    if kind == "percent":
        return f"{v:.1f}"
    if kind == "days":
        return f"{v:,.1f} 天"
    if kind == "amount":
        return f"{v / 1e4:,.1f} 万元"
    return f"{v:,.0f}"


def format_change(name: str, diff: float | None, pct: float | None) -> str | None:
    """A change as shown by st.metric: percentage points for ratios, relative % otherwise."""
    kind = INDICATORS.get(name, "count")
    if kind == "ratio":
        return None if _missing(diff) else f"{float(diff) * 100:+.2f} 个百分点"  # type: ignore[arg-type]
    if kind == "percent":
        return None if _missing(diff) else f"{float(diff):+.1f}"  # type: ignore[arg-type]
    return None if _missing(pct) else f"{float(pct):+.1%}"  # type: ignore[arg-type]


def effective_ranges(
    overrides: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> dict[str, tuple[float | None, float | None]]:
    """The default reasonable ranges with a deployment's overrides (shuzhu.toml) on top.

    Only indicators in ``INDICATORS`` can be given a range; other names are ignored.
    """
    out = dict(REASONABLE_RANGES)
    for name, bounds in (overrides or {}).items():
        if name in INDICATORS:
            out[name] = bounds
    return out


def _range_text(name: str, ranges: Mapping[str, tuple[float | None, float | None]] | None = None) -> str:
    """The reasonable range of an indicator as text (≥ 90.00%, 30.00%–80.00% ...)."""
    low, high = (REASONABLE_RANGES if ranges is None else ranges)[name]
    if low is not None and high is not None:
        return f"{format_value(name, low)} – {format_value(name, high)}"
    return f"≥ {format_value(name, low)}" if low is not None else f"≤ {format_value(name, high)}"


def range_table(
    values: pd.DataFrame, ranges: Mapping[str, tuple[float | None, float | None]] | None = None
) -> pd.DataFrame:
    """Each ranged indicator's current value against its reasonable range (input: compare())."""
    current = dict(zip(values["indicator"], values["current"], strict=True))
    rows = []
    for name in (REASONABLE_RANGES if ranges is None else ranges):
        v = current.get(name)
        ok = in_range(name, None if _missing(v) else v, ranges)
        # Plain text, no emoji: court PCs and the test browser may lack an emoji font.
        status = "— 无数据" if ok is None else ("区间内" if ok else "▲ 超出区间")
        rows.append({"指标": LABELS[name], "本期": format_value(name, v),
                     "合理区间": _range_text(name, ranges), "评价": status})
    return pd.DataFrame(rows, columns=["指标", "本期", "合理区间", "评价"])


def display_table(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Chosen columns with Chinese headers; ratios in % (header 'xx(%)'), dates as text."""
    out = pd.DataFrame(index=df.index)
    for col in columns:
        s = df[col]
        kind = INDICATORS.get(col)
        label = LABELS.get(col, col)
        if kind == "ratio":
            pct_values = [None if _missing(v) else round(float(v) * 100, 2) for v in s]
            out[label + "(%)"] = _nullable(pct_values).to_numpy()
        elif kind == "days":
            out[label] = _nullable([None if _missing(v) else round(float(v), 1) for v in s]).to_numpy()
        elif col == "month":
            out[label] = [pd.Timestamp(v).strftime("%Y-%m") for v in s]
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[label] = [None if _missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
        else:
            out[label] = s.to_numpy()
    return out.reset_index(drop=True)


_UNITS: dict[str, str] = {"count": "件", "ratio": "%", "percent": "%", "days": "天", "amount": "元"}


def compare_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """compare() output for display/export: numbers (ratios in %), changes in 百分点 or %."""
    # Numbers, not formatted text: exports stay numeric, and a text cell starting with '+'/'-'
    # would be neutralised as a formula by analytics.export.

    def num(v: object, k: float = 1.0) -> float | None:
        return None if _missing(v) else round(float(v) * k, 2)  # type: ignore[arg-type]

    rows = []
    for r in cmp.to_dict("records"):
        kind = INDICATORS[r["indicator"]]
        scale = 100.0 if kind == "ratio" else 1.0
        in_points = kind in ("ratio", "percent")
        rows.append({
            "指标": r["label"],
            "单位": _UNITS[kind],
            "本期": num(r["current"], scale),
            "同期(同比)": num(r["yoy"], scale),
            "上期(环比)": num(r["pop"], scale),
            "同比增减": num(r["yoy_diff"], scale) if in_points else num(r["yoy_pct"], 100.0),
            "环比增减": num(r["pop_diff"], scale) if in_points else num(r["pop_pct"], 100.0),
            "增减单位": "百分点" if in_points else "%",
        })
    out = pd.DataFrame(rows, columns=["指标", "单位", "本期", "同期(同比)", "上期(环比)", "同比增减",
                                      "环比增减", "增减单位"])
    for c in ("本期", "同期(同比)", "上期(环比)", "同比增减", "环比增减"):
        out[c] = _nullable(out[c].astype(object).tolist()).to_numpy()
    return out
