"""Drafted text: Chinese number and percentage formatting and sentence templates.

Conventions (as in court statistical bulletins):

* counts with thousands separators: 193,925件;
* percentages of change with one decimal: 同比下降2.0%; rates with two decimals: 结案率95.21%;
* a change of a rate is stated in 个百分点 (同比上升1.23个百分点), never as a relative %;
* 持平 when the change is within the tolerance: |relative change| < 0.05% for counts, days and
  amounts (it would print as 0.0%), |difference| < 0.005 percentage points for rates (0.00);
* amounts in 万元, or 亿元 from 1亿 up.

Every formatter returns ``None`` for a missing value (None, NaN, pd.NA), and every sentence
template leaves out a clause whose figure is missing, so a drafted text never shows "nan" or
"None". ``clean`` is the last guard before text goes into a report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

COUNT_TOLERANCE = 0.0005  # relative change below which a count/amount/duration is 持平
RATE_TOLERANCE = 0.00005  # absolute change of a fraction (0.005 percentage points) → 持平


def missing(v: Any) -> bool:
    """None, NaN, NaT or pd.NA (without importing pandas)."""
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return type(v).__name__ in ("NAType", "NaTType")


def num(v: Any) -> float | None:
    """A float, or None when missing."""
    return None if missing(v) else float(v)


def fmt_count(v: Any) -> str | None:
    """193925 → '193,925'."""
    x = num(v)
    return None if x is None else f"{round(x):,}"


def fmt_pct(v: Any, digits: int = 2) -> str | None:
    """A fraction as a percentage: 0.95213 → '95.21%'."""
    x = num(v)
    return None if x is None else f"{x * 100:.{digits}f}%"


def fmt_days(v: Any) -> str | None:
    """64.23 → '64.2天'."""
    x = num(v)
    return None if x is None else f"{x:,.1f}天"


def fmt_amount(v: Any) -> str | None:
    """Yuan as 万元 or 亿元: 123456789 → '1.23亿元', 1234567 → '123.5万元'."""
    x = num(v)
    if x is None:
        return None
    if abs(x) >= 1e8:
        return f"{x / 1e8:,.2f}亿元"
    return f"{x / 1e4:,.1f}万元"


def fmt_ratio(v: Any) -> str | None:
    """A plain ratio such as 结收比: 1.0062 → '1.01'."""
    x = num(v)
    return None if x is None else f"{x:.2f}"


def change_words(cur: Any, base: Any, *, rate: bool, prefix: str = "同比") -> str | None:
    """'同比上升2.0%' / '同比下降1.23个百分点' / '同比持平'; None when either value is missing.

    ``rate``: the values are fractions and the change is their difference in percentage points;
    otherwise the change is relative to ``base`` (None when ``base`` is 0).
    """
    c, b = num(cur), num(base)
    if c is None or b is None:
        return None
    if rate:
        d = c - b
        if abs(d) < RATE_TOLERANCE:
            return f"{prefix}持平"
        return f"{prefix}{'上升' if d > 0 else '下降'}{abs(d) * 100:.2f}个百分点"
    if b == 0:
        return None
    r = (c - b) / abs(b)
    if abs(r) < COUNT_TOLERANCE:
        return f"{prefix}持平"
    return f"{prefix}{'上升' if r > 0 else '下降'}{abs(r) * 100:.1f}%"


def clause(label: str, value: str | None, change: str | None = None, unit: str = "") -> str | None:
    """'新收案件193,925件，同比下降2.0%'; None when the value is missing (no sentence then)."""
    if value is None:
        return None
    return f"{label}{value}{unit}" + (f"，{change}" if change else "")


def join_clauses(parts: Iterable[str | None], sep: str = "；", end: str = "。") -> str | None:
    """Clauses joined by '；' and closed by '。'; None when every clause is missing."""
    kept = [p for p in parts if p]
    return sep.join(kept) + end if kept else None


def clean(text: str) -> str:
    """The last guard: refuse text that would show a missing value to a reader."""
    for bad in ("nan", "None", "NaN", "<NA>", "NaT"):
        if bad in text:
            raise ValueError(f"drafted text contains {bad!r}: {text}")
    return text


def period_label(start: dt.date, end: dt.date) -> str:
    """'2025年', '2025年1-6月', '2025年3月', or '2024年3月1日至2025年2月28日'."""
    month_end = (end + dt.timedelta(days=1)).day == 1
    if start.day == 1 and month_end and start.year == end.year:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}-{end.month}月"
    if start.day == 1 and month_end and start.month == 1 and end.month == 12:
        return f"{start.year}-{end.year}年"
    return f"{date_label(start)}至{date_label(end)}"


def date_label(d: dt.date) -> str:
    """2025-03-05 → '2025年3月5日'."""
    return f"{d.year}年{d.month}月{d.day}日"


def chinese_ordinal(i: int) -> str:
    """1 → '一', 12 → '十二' (up to 99), for numbered headings."""
    digits = "零一二三四五六七八九"
    if i < 10:
        return digits[i]
    tens, ones = divmod(i, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + ("" if ones == 0 else digits[ones])
