"""Pieces every report kind shares: the request, the title page, scope text, indicator formatting.

Indicator values come from ``analytics.indicators`` (the functions the pages call); this module
only turns them into text. Definitions for the 附表 are read from the indicators' catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from analytics import indicators as ind
from analytics.codes import COURT_BY_CODE
from analytics.filters import CaseFilter
from analytics.report import text as T
from analytics.report.model import ReportRequest, Table, TitlePage
from geodata import district_names

SYNTHETIC_NOTICE = ("本报告数据为按南通公开统计校准的合成演示数据，不代表真实案件，"
                    "不得作为工作依据或对外引用。")


def subject(flt: CaseFilter) -> str:
    """Who the figures are about: '全市法院', '崇川法院、如皋法院', '全市法院受理的崇川区案件'."""
    if flt.courts:
        who = "、".join(COURT_BY_CODE[c].short if c in COURT_BY_CODE else c for c in flt.courts)
    else:
        who = "全市法院"
    if flt.district is not None:
        name = district_names().get(flt.district, str(flt.district))
        return f"{who}受理的{name}案件中，"
    return who


def scope_text(flt: CaseFilter) -> str | None:
    """The non-default filters in words ('案件类别：民事；审级：一审'), None when all cases."""
    return flt.describe(district_names())


def court_line(flt: CaseFilter) -> str:
    """The issuing/covered court(s) for the title page."""
    if flt.courts:
        return "、".join(COURT_BY_CODE[c].name if c in COURT_BY_CODE else c for c in flt.courts)
    return "南通市中级人民法院"


def title_page(req: ReportRequest, title: str) -> TitlePage:
    """The cover of a full report."""
    issued = req.issued or dt.date.today()
    return TitlePage(
        title=title, court=court_line(req.flt),
        period=f"统计期间：{T.date_label(req.start)}至{T.date_label(req.end)}",
        date=T.date_label(issued), notice=SYNTHETIC_NOTICE if req.synthetic else None,
        scope=(f"统计范围：{s}" if (s := scope_text(req.flt)) else None),
    )


# --- indicator values as text -----------------------------------------------------------------


def kind(name: str) -> str:
    """The indicator's kind (count, ratio, percent, days, amount)."""
    return str(ind.INDICATORS.get(name, "count"))


def value_text(name: str, v: Any) -> str | None:
    """A value in report style: 193,925件, 95.21%, 64.2天, 1.23亿元; None when missing."""
    k = kind(name)
    if k == "ratio":
        return T.fmt_pct(v)
    if k == "percent":
        x = T.num(v)
        return None if x is None else f"{x:.1f}%"
    if k == "days":
        return T.fmt_days(v)
    if k == "amount":
        return T.fmt_amount(v)
    c = T.fmt_count(v)
    return None if c is None else f"{c}件"


def change_text(name: str, cur: Any, base: Any, prefix: str = "同比") -> str | None:
    """'同比上升2.0%' or, for rates, '同比下降0.50个百分点'; None when not comparable."""
    k = kind(name)
    if k == "percent":
        return _percent_change(cur, base, prefix)
    return T.change_words(cur, base, rate=k == "ratio", prefix=prefix)


def _percent_change(cur: Any, base: Any, prefix: str) -> str | None:
    """A change of a value already in percent (CEPEJ clearance rate): in 个百分点."""
    c, b = T.num(cur), T.num(base)
    if c is None or b is None:
        return None
    return T.change_words(c / 100, b / 100, rate=True, prefix=prefix)


def short_change(name: str, cur: Any, base: Any) -> str:
    """A table cell for the change: '+2.0%', '-0.50个百分点', '持平' or '—'."""
    words = change_text(name, cur, base, prefix="")
    if words is None:
        return "—"
    return words.replace("上升", "+").replace("下降", "-")


def label(name: str) -> str:
    """The indicator's Chinese label."""
    return str(ind.LABELS.get(name, name))


def definition(name: str) -> str:
    """The indicator's definition from the indicators' catalogue (help text with its source).

    Looks for a catalogue mapping (``DEFINITIONS`` or ``HELP``: name -> text or an object with
    ``help``/``definition``/``formula``), then a ``definition(name)`` function, then the first
    line of the docstring of the indicator's pure function.
    """
    for attr in ("DEFINITIONS", "HELP", "HELP_TEXT"):
        catalogue = getattr(ind, attr, None)
        if isinstance(catalogue, Mapping) and name in catalogue:
            entry = catalogue[name]
            if isinstance(entry, str):
                return entry
            for field_name in ("help", "definition", "formula", "text"):
                got = getattr(entry, field_name, None)
                if isinstance(got, str) and got:
                    return got
    fn = getattr(ind, "definition", None)
    if callable(fn):
        got = fn(name)
        if isinstance(got, str) and got:
            return got
    pure = getattr(ind, name, None)
    doc = getattr(pure, "__doc__", None) if callable(pure) else None
    if doc:
        return doc.strip().splitlines()[0]
    return _FALLBACK_DEFINITIONS.get(name, "—")


# Used only when the catalogue has no entry: the four stock/flow counts and the durations have no
# pure function; their definitions are those of the indicators package docstring.
_FALLBACK_DEFINITIONS = {
    "pending_start": "旧存：立案日期早于统计期间起日、且期初尚未结案的案件",
    "filed": "新收：立案日期在统计期间内的案件",
    "closed": "结案：结案日期在统计期间内的案件",
    "pending_end": "未结：立案日期不晚于统计期间止日、且期末尚未结案的案件",
    "mean_days": "平均审理天数：统计期间内结案案件的（结案日期 − 立案日期）天数的平均值",
    "median_days": "审理天数中位数：统计期间内结案案件审理天数的中位数",
}


def range_words(name: str, ranges: Mapping[str, tuple[float | None, float | None]]) -> str:
    """The reasonable range in words ('不低于90.00%', '30.00%至80.00%'), '—' without one."""
    bounds = ranges.get(name)
    if not bounds:
        return "—"
    lo, hi = bounds
    lo_t, hi_t = value_text(name, lo), value_text(name, hi)
    if lo_t and hi_t:
        return f"{lo_t}至{hi_t}"
    if lo_t:
        return f"不低于{lo_t}"
    return f"不高于{hi_t}" if hi_t else "—"


def definitions_table(names: list[str], ranges: Mapping[str, tuple[float | None, float | None]],
                      caption: str = "附表1 指标定义及合理区间") -> Table:
    """附表: every indicator used, with its definition and reasonable range."""
    rows = tuple((label(n), definition(n), range_words(n, ranges)) for n in dict.fromkeys(names))
    return Table(caption, ("指标", "定义及口径", "合理区间"), rows, widths=(2.2, 5.5, 1.8),
                 note="合理区间为本系统的工作参考值（可在 shuzhu.toml 中配置），非最高人民法院公布数值。")
