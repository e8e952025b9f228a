"""Parse dates as people type them in court spreadsheets, rejecting impossible ones with a reason.

Accepted: ``2021-03-05``, ``2021/3/5``, ``2021.3.5``, ``2021年3月5日`` (or 号), ``20210305``,
Excel serial numbers (``44260``; Excel's 1900 date system, which is what WPS and Excel on
Windows write), and date/datetime objects. A trailing time of day is ignored. Day-first or
month-first forms (``05/03/2021``) are refused: both readings are common, so guessing would
silently swap day and month.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from analytics.casenumber import Problem

# Excel's day 0 is 1899-12-30 (not -31) because Excel counts the non-existent 1900-02-29.
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST = date(1990, 1, 1)  # older dates in a case list are typing errors, not old cases

_YMD = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(\.\d+)?$")
_DMY = re.compile(r"^\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}$")
_TIME = re.compile(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")


def is_missing(value: object) -> bool:
    """Whether a cell is empty (None, NA, NaN, NaT, blank string)."""
    if type(value) is str:  # nearly every cell of an import: decided without the other tests
        return value.strip() == ""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _build(y: int, m: int, d: int, text: str) -> date | Problem:
    """A date from parts, or why it does not exist."""
    try:
        return date(y, m, d)
    except ValueError:
        return Problem(f"日期不存在: {text}", f"no such date: {text}")


def _from_serial(n: float, text: str) -> date | Problem:
    """A date from an Excel serial number (fraction = time of day, ignored)."""
    days = int(n)
    if days < 61:  # serials 1-60 fall before Excel's phantom 1900-02-29 and are never case dates
        return Problem(f"无法识别的日期序号: {text}", f"not a plausible Excel date serial: {text}")
    try:
        return EXCEL_EPOCH + timedelta(days=days)
    except OverflowError:
        return Problem(f"无法识别的日期序号: {text}", f"not a plausible Excel date serial: {text}")


def _parse_number(n: float, text: str) -> date | Problem:
    """An int/float cell: yyyymmdd when it has 8 digits, otherwise an Excel serial."""
    if not math.isfinite(n) or n < 0:
        return Problem(f"无法识别的日期: {text}", f"not a date: {text}")
    if n == int(n) and 10_000_000 <= n <= 99_999_999:
        s = str(int(n))
        return _build(int(s[:4]), int(s[4:6]), int(s[6:]), text)
    return _from_serial(n, text)


def _parse_text(raw: str) -> date | Problem:
    """A date typed as text."""
    s = _TIME.sub("", unicodedata.normalize("NFKC", raw).strip()).strip()
    for pattern in (_YMD, _CN, _COMPACT):
        m = pattern.match(s)
        if m:
            return _build(int(m[1]), int(m[2]), int(m[3]), raw)
    if _SERIAL.match(s):
        return _parse_number(float(s), raw)
    if _DMY.match(s):
        return Problem(
            f"日/月顺序不明确, 请用 年-月-日: {raw}",
            f"ambiguous day/month order, use year-month-day: {raw}",
        )
    return Problem(f"无法识别的日期: {raw}", f"not a recognised date: {raw}")


def parse_date(value: object, *, earliest: date = EARLIEST, latest: date | None = None) -> date | Problem:
    """A date from a typed value, or a Problem (Chinese + English) saying why it is not one."""
    if is_missing(value):
        return Problem("日期为空", "date is empty")
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):  # includes pd.Timestamp
        result: date | Problem = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool | np.bool_):
        return Problem(f"无法识别的日期: {value}", f"not a date: {value}")
    elif isinstance(value, int | float | np.integer | np.floating):
        result = _parse_number(float(value), str(value))
    else:
        result = _parse_text(str(value))
    if isinstance(result, Problem):
        return result
    if result < earliest:
        return Problem(f"日期 {result} 早于 {earliest}", f"date {result} is before {earliest}")
    if latest is not None and result > latest:
        return Problem(f"日期 {result} 晚于 {latest}(未来日期)", f"date {result} is after {latest} (in the future)")
    return result


def parse_dates(
    values: pd.Series, *, earliest: date = EARLIEST, latest: date | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse a column: (dates or None, Problems or None), one value parsed once however often it repeats."""
    cache: dict[object, date | Problem | None] = {}
    dates: list[date | None] = []
    problems: list[Problem | None] = []
    for v in values.tolist():
        key = (type(v), v) if not is_missing(v) else None
        if key not in cache:
            cache[key] = None if key is None else parse_date(v, earliest=earliest, latest=latest)
        r = cache[key]
        dates.append(r if isinstance(r, date) else None)
        problems.append(r if isinstance(r, Problem) else None)
    return (
        pd.Series(dates, index=values.index, dtype=object),
        pd.Series(problems, index=values.index, dtype=object),
    )
