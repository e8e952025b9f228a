"""Alert wording, ranking strength and links to the cases behind an alert.

Strength: the excess over the upper bound relative to the width of the band,
    strength = (observed - upper) / (upper - expected)   (= R's Farrington ``score`` - 1),
> 0 for a count above its upper bound, 1 when the excess equals the band width. Party alerts
use (count - threshold) / threshold, so that a count at the threshold ranks like a count at the
upper bound.

Links open the density map (``/``) and the trial page (``/trial``) through the shared filter in
the URL (``CaseFilter.to_query_params``): the alert's district, cause (or group), first instances,
and the filing year of the alert month. The shared filter has whole filing years only, so the
pages show that year; the month is in the sentence and the page's monthly trend.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from analytics.filters import CaseFilter

MAP_PATH, TRIAL_PATH = "/", "/trial"


def strength(observed: float, expected: float, upper: float) -> float:
    """(observed - upper) / (upper - expected); NaN without a band."""
    width = upper - expected
    if not math.isfinite(width) or width <= 0:
        return float("nan")
    return (observed - upper) / width


def month_cn(month: str) -> str:
    """'2025-11' -> '2025年11月'."""
    return f"{int(month[:4])}年{int(month[5:7])}月"


def surge_sentence(district: str, name: str, month: str, observed: int, expected: float, upper: float,
                   run: int) -> str:
    """e.g. '海门区 劳动争议 2025年11月 63件，预期 31件（上限 44件），连续2个月超出'."""
    tail = f"，连续{run}个月超出" if run >= 2 else "，超出上限"
    return (f"{district} {name} {month_cn(month)} {observed}件，预期 {expected:.0f}件"
            f"（上限 {upper:.0f}件）{tail}")


def shift_sentence(district: str, name: str, month: str, observed: int, expected: float, months: int) -> str:
    """A sustained shift found by the CUSUM."""
    return (f"{district} {name} {month_cn(month)} {observed}件，预期 {expected:.0f}件；"
            f"近{months}个月持续高于预期（累积和检验）")


def party_sentence(label: str, role_cn: str, key: int, district: str, causes: str, n: int, days: int,
                   threshold: int, new: bool) -> str:
    """A repeat-party alert; the party appears by pseudonymous number only."""
    when = "本月首次达到" if new else "仍在"
    return (f"{label}：{district} {causes} 同一{role_cn}（匿名编号 {key}）{days}天内 {n}件，"
            f"{when}阈值（{threshold}件）")


def case_filter(month: str, adcode: int | None, level: str | None, name: str | None,
                procedure: str = "一审", causes: tuple[str, ...] = ()) -> CaseFilter:
    """The shared filter that shows an alert's cases (filing year of the alert month)."""
    y = int(month[:4])
    flt = CaseFilter(year_from=y, year_to=y, procedures=(procedure,), district=adcode)
    if causes:
        return flt.with_(causes=causes)
    if level == "cause_group" and name:
        return flt.with_(cause_groups=(name,))
    if name:
        return flt.with_(causes=(name,))
    return flt


def links(flt: CaseFilter) -> tuple[str, str]:
    """(map URL, trial page URL) opening on ``flt``."""
    q = urlencode(flt.to_query_params())
    return f"{MAP_PATH}?{q}", f"{TRIAL_PATH}?{q}"
