"""Periods: validation, calendar months, and the 同比/环比 comparison periods."""

from __future__ import annotations

import calendar
import datetime as dt
import re

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


def comparison_periods(start: dt.date | str, end: dt.date | str) -> dict[str, tuple[dt.date, dt.date] | None]:
    """The current period, 同比 (``yoy``) and 环比 (``pop``): equal, non-overlapping spans.

    * 环比: the preceding span of equal length -- the same number of calendar months for whole
      months (March with February, Q2 with Q1, 2021-2023 with 2018-2020, as court reports do),
      otherwise the same number of days;
    * 同比: the same span a year earlier, only for a span of at most twelve months (a longer span
      would overlap its year-earlier span); ``None`` otherwise.
    """
    s, e = _check_period(start, end)
    whole_months = s.day == 1 and e == _month_end(e.year, e.month)
    yoy: tuple[dt.date, dt.date] | None = (_shift_months(s, -12, False), _shift_months(e, -12, whole_months))
    if yoy is not None and yoy[1] >= s:
        yoy = None  # longer than a year: 同比 does not apply, 环比 is the comparison
    if whole_months:
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


def _month_arg(month: dt.date | str | None) -> dt.date | None:
    """First day of the month given as a date or 'YYYY-MM'."""
    if month is None:
        return None
    if isinstance(month, str) and re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        y, m = month.strip().split("-")
        return dt.date(int(y), int(m), 1)
    return _as_date(month).replace(day=1)

