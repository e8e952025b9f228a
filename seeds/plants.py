"""Events planted into the synthetic default data, to evaluate the 风险预警 module (issue 12).

The default data (``seeds.generate.generate_cases``) contain, on top of the seasonal background,
a fixed, documented set of events. ``PLANTED`` is the manifest an evaluation reads; ``plant`` adds
the cases (called inside ``generate_cases``, before outcomes, parties and appeals are drawn, so
planted cases go through the same later steps as any other first instance). Dates inside a month
come from the generator's random stream (fixed seed); the events themselves never change.

Surges (``kind="surge"``): extra 民初 filings of one cause in one district during 1-3 months.
``factor`` is the multiplier of the series' *expected* monthly count of 民初 filings of that cause
in that district (the generator's own expectation, computed from the calibration tables: yearly
volume x cause share x district share x the month's share of filing days), so a surge keeps its
size at any scale: each month adds ``(factor - 1) x expected`` cases, and at least
``SURGE_FLOOR`` cases so that it is still visible in a reduced store (scale 0.03). Counting
derived cases too (民终, 执 of the same cause) lowers the apparent factor a little.

| # | district | cause | months | factor |
|---|---|---|---|---|
| 1 | 如皋 320682 | 民间借贷纠纷 | 2023-04..05 | 3x |
| 2 | 海门 320614 | 买卖合同纠纷 | 2023-09 | 5x |
| 3 | 启东 320681 | 离婚纠纷 | 2024-03..04 | 2x |
| 4 | 通州 320612 | 物业服务合同纠纷 | 2024-06..08 | 2x |
| 5 | 如东 320623 | 劳动争议 | 2025-05 | 3x |
| 6 | 崇川 320613 | 民间借贷纠纷 | 2025-08..09 | 5x |

Repeat parties (absolute counts, not scaled):
- ``mass_dispute``: 22 追索劳动报酬纠纷 suits by distinct workers against ONE 海安 builder
  (``defendant_key`` 88000001) filed 2024-12-02..2025-01-20 (before the 2025 Spring Festival); the
  count within 90 days reaches 10 on 2024-12-31 (December 2024).
- ``professional_lender``: 32 民间借贷纠纷 suits by ONE natural person (``plaintiff_key``
  88000002) against distinct borrowers in 崇川, filed 2023-03-22..2024-11-28 (within 2 years);
  the count within 2 years reaches 10 on 2023-09-19 (September 2023; the 职业放贷人 rule of
  江苏高院 2019).
The dates of these two come from their own fixed seed (``PARTY_SEED``), the same at any scale.
Key range 88,000,000 and up is reserved for planted parties (``seeds.parties``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seeds import catalog as cat

SURGE_FLOOR = 8  # minimum extra cases per surge month (visible at scale 0.03)
PARTY_SEED = 20241202  # the repeat-party plants' dates do not depend on the scale or the data seed
MASS_DISPUTE_KEY = 88_000_001
LENDER_KEY = 88_000_002
_PERSON_KEYS = 88_100_000  # distinct workers / borrowers of the planted suits


@dataclass(frozen=True)
class PlantedEvent:
    """One planted event (see the module docstring)."""

    kind: str  # "surge" | "mass_dispute" | "professional_lender"
    adcode: int
    cause: str  # the 案由 of the planted cases
    start: str  # first month "YYYY-MM"
    months: int  # length in months
    factor: float  # surge: multiplier of the series' expected monthly count; else 0
    party_key: int | None  # mass_dispute: defendant_key; professional_lender: plaintiff_key
    note: str  # one-line description in Chinese


PLANTED: tuple[PlantedEvent, ...] = (
    PlantedEvent("surge", 320682, "民间借贷纠纷", "2023-04", 2, 3.0, None,
                 "如皋市民间借贷纠纷连续两个月激增至预期的3倍"),
    PlantedEvent("surge", 320614, "买卖合同纠纷", "2023-09", 1, 5.0, None,
                 "海门区买卖合同纠纷单月激增至预期的5倍"),
    PlantedEvent("surge", 320681, "离婚纠纷", "2024-03", 2, 2.0, None,
                 "启东市离婚纠纷连续两个月增至预期的2倍"),
    PlantedEvent("surge", 320612, "物业服务合同纠纷", "2024-06", 3, 2.0, None,
                 "通州区物业服务合同纠纷连续三个月增至预期的2倍"),
    PlantedEvent("surge", 320623, "劳动争议", "2025-05", 1, 3.0, None,
                 "如东县劳动争议单月激增至预期的3倍"),
    PlantedEvent("surge", 320613, "民间借贷纠纷", "2025-08", 2, 5.0, None,
                 "崇川区民间借贷纠纷连续两个月激增至预期的5倍"),
    PlantedEvent("mass_dispute", 320685, "追索劳动报酬纠纷", "2024-12", 2, 0.0, MASS_DISPUTE_KEY,
                 "海安市一家建筑企业春节前被22名务工人员集中起诉追索劳动报酬"),
    PlantedEvent("professional_lender", 320613, "民间借贷纠纷", "2023-03", 22, 0.0, LENDER_KEY,
                 "崇川区同一出借人两年内提起32件民间借贷诉讼（疑似职业放贷）"),
)

_MASS_CASES = 22
_MASS_WINDOW = ("2024-12-02", "2025-01-20")
_LENDER_CASES = 32
_LENDER_WINDOW = ("2023-03-01", "2024-12-31")


def _month_days(month: str) -> tuple[np.ndarray, np.ndarray]:
    """Days of a month and the generator's filing weights for them (summing to the month's share)."""
    from seeds.generate import day_weights

    start = np.datetime64(month, "M")
    days, p = day_weights(int(month[:4]))
    sel = (days >= start.astype("datetime64[D]")) & (days < (start + 1).astype("datetime64[D]"))
    return days[sel], p[sel]


def _cause_share(cause: str, year: int) -> float:
    """Share of the year's 民初 filings drawn with this cause."""
    w = {c.name: c.weight * c.trend.get(year, 1.0) for c in cat.CIVIL}
    return w[cause] / sum(w.values())


def _district_share(cause: str, adcode: int) -> float:
    """Share of the cause's cases drawn in the district (as ``seeds.generate`` draws them)."""
    from seeds.generate import cause_district_weights

    w = cause_district_weights(next(c for c in cat.CIVIL if c.name == cause))
    return w[adcode] / sum(w.values())


def expected_monthly(adcode: int, cause: str, month: str, scale: float) -> float:
    """The generator's expected number of 民初 filings of ``cause`` in ``adcode`` in ``month``."""
    year = int(month[:4])
    total = cat.NEW_FILINGS[year] * scale * cat.BASE_MIX["民初"] * cat.BASE_SCALE
    return total * _cause_share(cause, year) * _district_share(cause, adcode) * float(_month_days(month)[1].sum())


def _months(ev: PlantedEvent) -> list[str]:
    start = np.datetime64(ev.start, "M")
    return [str(start + i) for i in range(ev.months)]


def _working_days(lo: str, hi: str, n: int, rng: np.random.Generator) -> np.ndarray:
    days = np.arange(np.datetime64(lo), np.datetime64(hi) + 1)
    dow = (days.view("int64") - 4) % 7
    return np.sort(rng.choice(days[dow < 5], size=n))


def plant(cases: pd.DataFrame, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    """``cases`` plus the planted first instances (民初), flagged in the column ``planted``."""
    rows = []
    party_rng = np.random.default_rng(PARTY_SEED)
    for i, ev in enumerate(PLANTED):
        if ev.kind == "surge":
            for month in _months(ev):
                extra = max(round((ev.factor - 1) * expected_monthly(ev.adcode, ev.cause, month, scale)), SURGE_FLOOR)
                days, p = _month_days(month)
                filed = rng.choice(days, size=extra, p=p / p.sum())
                rows.append(pd.DataFrame({"filed_date": filed, "planted": i}))
            continue
        if ev.kind == "mass_dispute":
            filed = _working_days(*_MASS_WINDOW, _MASS_CASES, party_rng)
            preset = {"defendant_kind": "企业", "defendant_industry": "建筑业", "defendant_key": ev.party_key,
                      "plaintiff_kind": "自然人", "plaintiff_key": _PERSON_KEYS + i * 1000 + np.arange(len(filed))}
        else:
            filed = _working_days(*_LENDER_WINDOW, _LENDER_CASES, party_rng)
            preset = {"plaintiff_kind": "自然人", "plaintiff_key": ev.party_key, "defendant_kind": "自然人",
                      "defendant_key": _PERSON_KEYS + i * 1000 + np.arange(len(filed))}
        rows.append(pd.DataFrame({"filed_date": filed, "planted": i, **preset}))
    add = pd.concat(rows, ignore_index=True)
    ev_of = add["planted"].map(dict(enumerate(PLANTED)))
    add["type_code"] = pd.Series("民初", index=add.index, dtype=object)
    add["cause"] = pd.Series([e.cause for e in ev_of], index=add.index, dtype=object)
    for col in ("plaintiff_kind", "defendant_kind", "defendant_industry"):
        add[col] = add[col].astype(object)
    add["adcode"] = np.asarray([e.adcode for e in ev_of], dtype="int64")
    add["filed_date"] = add["filed_date"].astype("datetime64[s]")
    add["origin"] = -1
    base = cases.assign(planted=-1)
    return pd.concat([base, add], ignore_index=True)
