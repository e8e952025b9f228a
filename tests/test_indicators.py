"""Tests of analytics.indicators: published worked figures, hand-computed cases, and a
DuckDB-vs-pandas oracle (an independent pandas implementation of every definition).

Expected numbers in the hand-made tests were worked out by hand from the case table below
(see the comments), not by running the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pytest
from indicator_oracle import data_end, load_cases, oracle
from indicator_reference import compare_reference, summary_reference

from analytics import indicators as ind
from analytics import schema
from analytics.filters import CaseFilter
from analytics.indicators import queries
from analytics.store import build_store

D = dt.date
Y2023 = (D(2023, 1, 1), D(2023, 12, 31))
ALL = CaseFilter(year_from=2000, year_to=2100)  # years are ignored by the indicators


# --- pure ratio functions: the published worked figures (published_stats.md §3) -------------


def pct(x: float | None, digits: int) -> float:
    assert x is not None
    return round(x * 100, digits)


def test_published_closure_rate() -> None:
    # 1,456 / 3,881 = 37.52 % (旧存 + 新收 = 3,881)
    assert pct(ind.closure_rate(1456, 381, 3500), 2) == 37.52
    assert pct(ind.closure_rate(1456, 0, 3881), 2) == 37.52


def test_published_clearance_ratio() -> None:
    assert pct(ind.clearance_ratio(140, 152), 1) == 92.1
    assert round(ind.cepej_clearance_rate(140, 152) or 0, 1) == 92.1


def test_published_service_acceptance_rate() -> None:
    assert pct(ind.service_acceptance_rate(93, 4), 1) == 95.7


def test_published_reversal_remand_rate() -> None:
    assert pct(ind.reversal_remand_rate(2, 93), 2) == 2.15


def test_other_pure_ratios() -> None:
    assert ind.cepej_disposition_time(50, 100) == 182.5
    assert ind.cepej_disposition_time(50, 100, period_days=31) == 15.5
    assert ind.on_time_rate(9, 12) == 0.75
    assert ind.over_12m_pending_ratio(1, 4) == 0.25
    assert ind.mediation_withdrawal_rate(3, 12) == 0.25
    assert ind.appeal_rate(1, 8) == 0.125
    assert ind.recovery_rate(250.0, 1000.0) == 0.25
    assert ind.actual_enforcement_rate(2, 5) == 0.4
    assert ind.appeal_reversal_rate(3, 12) == 0.25


def test_catalogue_is_complete_and_consistent() -> None:
    ingredients = {*ind.STOCK_INGREDIENTS, *ind.CLOSED_INGREDIENTS, *ind.EVENT_INGREDIENTS}
    # every ingredient is itself an indicator column, and every formula uses known ingredients
    assert ingredients <= set(ind.INDICATORS)
    for key, d in ind.DEFINITIONS.items():
        assert ind.definition(key) is d and d.key == key
        assert set(d.num) | set(d.den) <= ingredients, key
        assert d.label and d.formula and d.source, key
        assert d.source in d.help and d.formula in d.help
    # the headline's 调撤率 is the civil first-instance figure; 撤回上诉 only counts for 二审
    assert ind.definition("mediation_withdrawal_rate").den == ("civil_first_instance_closed",)
    assert "撤回上诉" not in ind.MEDIATION_WITHDRAWAL_OUTCOMES
    assert "撤回上诉" in ind.APPEAL_MEDIATION_WITHDRAWAL_OUTCOMES
    assert ind.LABELS["pending_end"] == "期末未结（全部在办）"
    assert "未扣除审限" in ind.definition("on_time_rate").help


@pytest.mark.parametrize(
    "value",
    [
        ind.ratio(1, 0),
        ind.ratio(0, 0),
        ind.ratio(None, 3),
        ind.ratio(1, float("nan")),
        ind.closure_rate(0, 0, 0),
        ind.clearance_ratio(5, 0),
        ind.cepej_clearance_rate(5, 0),
        ind.cepej_disposition_time(5, 0),
        ind.on_time_rate(0, 0),
        ind.over_12m_pending_ratio(0, 0),
        ind.mediation_withdrawal_rate(0, 0),
        ind.service_acceptance_rate(0, 0),
        ind.appeal_rate(0, 0),
        ind.reversal_remand_rate(0, 0),
        ind.recovery_rate(10.0, 0.0),
        ind.actual_enforcement_rate(0, 0),
    ],
)
def test_zero_denominator_is_none(value: float | None) -> None:
    assert value is None


def test_zero_numerator_is_zero_not_none() -> None:
    assert ind.closure_rate(0, 3, 0) == 0.0


def test_in_range() -> None:
    assert ind.in_range("on_time_rate", 0.95) is True
    assert ind.in_range("on_time_rate", 0.90) is True  # bounds inclusive
    assert ind.in_range("on_time_rate", 0.89) is False
    assert ind.in_range("over_12m_pending_ratio", 0.06) is False  # ≤ 5 % of 期末未结
    assert ind.in_range("mediation_withdrawal_rate", 0.2) is False
    assert ind.in_range("mediation_withdrawal_rate", 0.5) is True
    assert ind.in_range("mediation_withdrawal_rate", 0.81) is False
    assert ind.in_range("clearance_ratio", 1.05) is True
    assert ind.in_range("on_time_rate", None) is None
    assert ind.in_range("filed", 10) is None  # no range for counts
    custom = {"on_time_rate": (0.99, None)}
    assert ind.in_range("on_time_rate", 0.95, ranges=custom) is False
    for name in ind.REASONABLE_RANGES:
        assert name in ind.INDICATORS and name in ind.LABELS


def test_statutory_limit_fallback() -> None:
    assert ind.statutory_limit("民初", "小额诉讼") == (2, "month")
    assert ind.statutory_limit("民终", schema.APPEAL_AGAINST_JUDGMENT) == (3, "month")  # 民诉法 183
    assert ind.statutory_limit("民终", schema.APPEAL_AGAINST_RULING) == (30, "day")
    assert ind.statutory_limit("民终", None) is None  # first instance unknown: judgment or ruling?
    assert ind.statutory_limit("刑终", "普通程序") == (2, "month")  # falls back to (type, None); 刑诉法 243
    assert ind.statutory_limit("刑初", "速裁程序") == (10, "day")  # 刑诉法 225
    assert ind.statutory_limit("财保", None) == (48, "hour")  # 民诉法 104
    assert ind.statutory_limit("民初", None) is None  # no limit without a track
    assert ind.statutory_limit("刑再", None) is None


def test_labels_cover_indicators() -> None:
    for name in ind.INDICATORS:
        assert ind.LABELS[name]
    assert all(name in ind.INDICATORS for name in ind.HEADLINE)


@pytest.mark.parametrize(
    ("start", "end", "yoy", "pop"),
    [
        (D(2023, 1, 1), D(2023, 12, 31), (D(2022, 1, 1), D(2022, 12, 31)), (D(2022, 1, 1), D(2022, 12, 31))),
        (D(2024, 3, 1), D(2024, 3, 31), (D(2023, 3, 1), D(2023, 3, 31)), (D(2024, 2, 1), D(2024, 2, 29))),
        (D(2024, 2, 1), D(2024, 2, 29), (D(2023, 2, 1), D(2023, 2, 28)), (D(2024, 1, 1), D(2024, 1, 31))),
        (D(2024, 4, 1), D(2024, 6, 30), (D(2023, 4, 1), D(2023, 6, 30)), (D(2024, 1, 1), D(2024, 3, 31))),
        # not whole months: equal length in days (Jan 1 - Jun 15 2024 is 167 days)
        (D(2024, 1, 1), D(2024, 6, 15), (D(2023, 1, 1), D(2023, 6, 15)), (D(2023, 7, 18), D(2023, 12, 31))),
        (D(2024, 2, 29), D(2024, 3, 5), (D(2023, 2, 28), D(2023, 3, 5)), (D(2024, 2, 23), D(2024, 2, 28))),
        # twelve whole months across the turn of a year: 同比 is the year before, equal to 环比
        (D(2023, 7, 1), D(2024, 6, 30), (D(2022, 7, 1), D(2023, 6, 30)), (D(2022, 7, 1), D(2023, 6, 30))),
        # longer than a year: no 同比 (it would overlap); 环比 is the preceding equal span
        (D(2021, 1, 1), D(2023, 12, 31), None, (D(2018, 1, 1), D(2020, 12, 31))),
        (D(2024, 1, 1), D(2025, 6, 30), None, (D(2022, 7, 1), D(2023, 12, 31))),
        # not whole months, 731 days: the 731 days before (2019-03-15 .. 2021-03-14, over 2020-02-29)
        (D(2021, 3, 15), D(2023, 3, 15), None, (D(2019, 3, 15), D(2021, 3, 14))),
    ],
)
def test_comparison_periods(start: dt.date, end: dt.date, yoy: tuple, pop: tuple) -> None:
    got = ind.comparison_periods(start, end)
    assert got["current"] == (start, end)
    assert got["yoy"] == yoy
    assert got["pop"] == pop


def test_bad_period_rejected() -> None:
    with pytest.raises(ValueError):
        ind.comparison_periods(D(2023, 2, 1), D(2023, 1, 1))


# --- the hand-made store ---------------------------------------------------------------------

# (case_no, court, adcode, type_code, track, filed, closed, outcome, amount, recovered, origin)
HAND = [
    # 崇川 苏0602 (320613), civil first instances
    ("c1", "苏0602", 320613, "民初", "简易程序", "2022-11-01", "2023-01-01", "判决", None, None, None),
    ("c2", "苏0602", 320613, "民初", "普通程序", "2022-06-01", "2022-12-31", "判决", None, None, None),
    ("c3", "苏0602", 320613, "民初", "普通程序", "2023-12-31", None, None, None, None, None),
    ("c4", "苏0602", 320613, "民初", "小额诉讼", "2023-03-01", "2023-12-31", "判决", None, None, None),
    ("c5", "苏0602", 320613, "民初", "简易程序", "2023-02-01", "2023-03-01", "调解", None, None, None),
    ("c6", "苏0602", 320613, "民初", "普通程序", "2021-06-01", None, None, None, None, None),
    ("c7", "苏0602", 320613, "民初", "普通程序", "2022-12-31", None, None, None, None, None),
    ("c8", "苏0602", 320613, "民初", "普通程序", "2022-12-30", None, None, None, None, None),
    ("c9", "苏0602", 320613, "民初", None, "2023-04-01", "2023-05-01", "撤诉", None, None, None),
    ("c10", "苏0602", 320613, "民初", "简易程序", "2023-01-10", "2024-01-01", "判决", None, None, None),
    ("c11", "苏0602", 320613, "民初", "普通程序", "2023-06-01", "2023-07-01", "判决", None, None, None),
    ("c12", "苏0602", 320613, "民初", "普通程序", "2023-05-01", "2023-08-01", "驳回起诉", None, None, None),
    # 中院 苏06 (cases attributed to 320612): appeals and a retrial petition
    ("d1", "苏06", 320612, "民终", None, "2023-08-01", "2023-10-01", "维持原判", None, None, "c11"),
    ("d2", "苏06", 320612, "民申", None, "2024-02-01", None, None, None, None, "c12"),
    ("d3", "苏06", 320612, "民终", None, "2023-09-01", "2023-11-15", "改判", None, None, "c1"),
    ("d4", "苏06", 320612, "民终", None, "2023-09-10", "2023-09-20", "撤回上诉", None, None, "c4"),
    # 如皋 苏0682 (320682): enforcement and a criminal fast-track case
    ("e1", "苏0682", 320682, "执", None, "2023-01-05", "2023-04-05", "执行完毕", 1000.0, 1000.0, None),
    ("e2", "苏0682", 320682, "执", None, "2022-10-01", "2023-06-01", "终结本次执行", 3000.0, None, None),
    ("e3", "苏0682", 320682, "执", None, "2023-03-01", "2023-03-31", "执行和解", None, 500.0, None),
    ("e4", "苏0682", 320682, "执恢", None, "2023-11-01", None, None, 800.0, None, None),
    ("k1", "苏0682", 320682, "刑初", "速裁程序", "2023-07-01", "2023-07-20", "判决", None, None, None),
]

_TYPE = {
    "民初": ("民事", "一审"),
    "民终": ("民事", "二审"),
    "民申": ("民事", "再审审查"),
    "执": ("执行", "执行实施"),
    "执恢": ("执行", "执行实施"),
    "刑初": ("刑事", "一审"),
    "刑终": ("刑事", "二审"),
    "财保": ("非诉保全审查", "保全审查"),
}


def hand_frame(table: list[tuple] | None = None) -> pd.DataFrame:
    rows = []
    for no, court, ad, tc, track, filed, closed, outcome, amount, rec, origin in table or HAND:
        category, procedure = _TYPE[tc]
        rows.append({
            "case_no": no, "court_code": court, "adcode": ad, "category": category, "type_code": tc,
            "procedure": procedure, "track": track, "cause_group": category + "组",
            "cause": category + "案由", "filed_date": filed, "closed_date": closed, "outcome": outcome,
            "amount": amount, "amount_recovered": rec, "origin_case_no": origin,
            "plaintiff_kind": "自然人", "defendant_kind": "企业", "defendant_key": 7, "source": "synthetic",
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def hand_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_store(tmp_path_factory.mktemp("hand") / "hand.duckdb", hand_frame(), {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def one(df: pd.DataFrame) -> dict:
    assert len(df) == 1
    return df.iloc[0].to_dict()


def test_hand_year_counts(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # 旧存: c1 (closed on the start day), c6, c7, c8, e2 -- c2 closed the day before start
    assert r["pending_start"] == 5
    # 新收: c3 (filed on the end day), c4, c5, c9, c10, c11, c12, d1, d3, d4, e1, e3, e4, k1
    assert r["filed"] == 14
    # 结案: c1 (on start), c4 (on end), c5, c9, c11, c12, d1, d3, d4, e1, e2, e3, k1
    assert r["closed"] == 13
    # 未结: c3, c6, c7, c8, c10 (closed the day after end), e4
    assert r["pending_end"] == 6
    assert r["closure_rate"] == pytest.approx(13 / 19)
    assert r["clearance_ratio"] == pytest.approx(13 / 14)
    assert r["cepej_clearance_rate"] == pytest.approx(1300 / 14)
    assert r["cepej_disposition_time"] == pytest.approx(365 * 6 / 13)


def test_hand_year_durations(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # trial cases (not 执行/保全): c1 61, c4 305, c5 28, c9 30, c11 30, c12 92, d1 61, d3 75,
    # d4 10, k1 19 -> sum 711 over 10
    assert r["trial_closed"] == 10
    assert r["mean_days"] == pytest.approx(71.1)
    # sorted: 10 19 28 30 30 61 61 75 92 305; median (30 + 61) / 2; p90 at 8.1 -> 92 + 0.1 * 213
    assert r["median_days"] == pytest.approx(45.5)
    assert r["p90_days"] == pytest.approx(113.3)
    # enforcement: e1 90, e2 243, e3 30; no 保全 case
    assert r["enforcement_mean_days"] == pytest.approx(121.0)
    assert r["preservation_mean_days"] is None


def test_hand_year_statutory_limits(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # c9 (民初 without track) has no known limit -> excluded from both sides
    assert r["limit_known_closed"] == 12
    # late: c4 (小额 305 > 60), e2 (执 243 > 182), k1 (速裁 19 > 15)
    assert r["on_time_closed"] == 9
    assert r["on_time_rate"] == pytest.approx(0.75)
    assert r["limit_unknown_closed"] == 1  # c9, counted and shown


def test_hand_year_over_12_months(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # c6 (943 days), c8 (366); c7 is exactly 365 days old and does not count
    assert r["over_12m_pending"] == 2
    assert r["over_12m_pending_ratio"] == pytest.approx(2 / 6)


def test_hand_year_mediation_withdrawal(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # 民事一审 closed: c1 c4 c5 c9 c11 c12; 调撤: c5 调解, c9 撤诉 -> 2 / 6 (not 3 / 13 of all closed)
    assert (r["mediation_withdrawal"], r["civil_first_instance_closed"]) == (2, 6)
    assert r["mediation_withdrawal_rate"] == pytest.approx(1 / 3)
    # all 一审 adds k1 (判决): 2 / 7; no 行政 case: None
    assert r["first_instance_mediation_withdrawal_rate"] == pytest.approx(2 / 7)
    assert r["admin_first_instance_closed"] == 0 and r["admin_mediation_withdrawal_rate"] is None
    # 二审 closed: d1 维持, d3 改判, d4 撤回上诉 -> 二审调撤 1 / 3, 二审改判发回 1 / 3
    assert r["appeal_closed"] == 3
    assert r["appeal_mediation_withdrawal_rate"] == pytest.approx(1 / 3)
    assert r["appeal_reversed"] == 1 and r["appeal_reversal_rate"] == pytest.approx(1 / 3)


def test_hand_year_first_instance(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    # first instances closed: c1 c4 c5 c9 c11 c12 k1
    assert r["first_instance_closed"] == 7
    # flow basis: appeals filed in 2023: d1, d3, d4 (d2, a petition, is filed in 2024)
    assert (r["appeals_filed"], r["challenges_filed"]) == (3, 3)
    assert r["appeal_rate"] == pytest.approx(3 / 7)
    assert r["service_acceptance_rate"] == pytest.approx(4 / 7)  # 1 − 3 / 7
    assert r["reversals_decided"] == 1  # d3 改判, decided 2023-11-15
    assert r["reversal_remand_rate"] == pytest.approx(1 / 7)
    # cohort basis: c1 (d3), c4 (d4), c11 (d1), c12 (d2) challenged; c1 c4 c11 appealed; c1 reversed
    assert (r["first_instance_challenged"], r["first_instance_appealed"], r["first_instance_reversed"]) == (4, 3, 1)
    # ... but the data end 2024-02-01, less than a year after the period: the window is open
    assert r["service_acceptance_rate_cohort"] is None and r["appeal_rate_cohort"] is None
    assert r["reversal_remand_rate_cohort"] is None


def test_hand_year_enforcement(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, *Y2023))
    assert r["enforcement_closed"] == 3  # e1 e2 e3; e4 pending
    # e3 has no amount: left out of both sums; e2's missing recovery counts as 0
    assert r["enforcement_amount"] == 4000.0
    assert r["enforcement_recovered"] == 1000.0
    assert r["recovery_rate"] == pytest.approx(0.25)
    assert r["enforcement_actual"] == 2  # e1 执行完毕, e3 执行和解
    assert r["actual_enforcement_rate"] == pytest.approx(2 / 3)


def test_hand_by_court_fixed_order(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(hand_con, ALL, *Y2023, by="court_code")
    assert df["court_code"].tolist() == ["苏06", "苏0602", "苏0682"]  # codes.COURTS order
    assert df["court_name"].tolist() == ["南通中院", "崇川法院", "如皋法院"]
    assert df["pending_start"].tolist() == [0, 4, 1]
    assert df["filed"].tolist() == [3, 7, 4]
    assert df["closed"].tolist() == [3, 6, 4]
    assert df["pending_end"].tolist() == [0, 5, 1]
    # the 中院 has no first instances: None, not 0 or NaN
    assert df["service_acceptance_rate"].iloc[0] is None
    # 崇川: 6 first instances closed; 3 appeals of them filed in 2023 (d1 d3 d4, heard at 苏06)
    assert df["service_acceptance_rate"].iloc[1] == pytest.approx(1 - 3 / 6)


def test_hand_by_district(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(hand_con, ALL, *Y2023, by="adcode")
    assert df["adcode"].tolist() == [320613, 320612, 320682]
    assert df["district_name"].tolist() == ["崇川", "通州", "如皋"]
    assert df["filed"].tolist() == [7, 3, 4]


def test_hand_by_month(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(hand_con, ALL, *Y2023, by="month")
    assert len(df) == 12
    jan, feb, dec = df.iloc[0], df.iloc[1], df.iloc[11]
    # January: 旧存 c1 c6 c7 c8 e2; 新收 c10 e1; 结案 c1
    assert (jan["pending_start"], jan["filed"], jan["closed"], jan["pending_end"]) == (5, 2, 1, 6)
    # February: 新收 c5 only, nothing closed
    assert (feb["pending_start"], feb["filed"], feb["closed"], feb["pending_end"]) == (6, 1, 0, 7)
    assert feb["mean_days"] is None and feb["on_time_rate"] is None
    # December: 旧存 c4 c6 c7 c8 c10 e4; 新收 c3 (31st); 结案 c4 (31st)
    assert (dec["pending_start"], dec["filed"], dec["closed"], dec["pending_end"]) == (6, 1, 1, 6)
    assert df["filed"].sum() == 14 and df["closed"].sum() == 13
    # a month's disposition time scales by its length (31 days for January)
    assert jan["cepej_disposition_time"] == pytest.approx(31 * 6 / 1)


def test_hand_partial_months(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(hand_con, ALL, D(2023, 1, 15), D(2023, 3, 10), by="month")
    assert [str(d.date()) for d in df["period_start"]] == ["2023-01-15", "2023-02-01", "2023-03-01"]
    assert [str(d.date()) for d in df["period_end"]] == ["2023-01-31", "2023-02-28", "2023-03-10"]
    # Jan 15-31: 旧存 c6 c7 c8 e2 c10 e1 (c1 closed Jan 1); no flows
    assert df["pending_start"].iloc[0] == 6 and df["filed"].iloc[0] == 0
    # Mar 1-10: 新收 c4, e3; 结案 c5 (Mar 1)
    assert (df["filed"].iloc[2], df["closed"].iloc[2]) == (2, 1)


def test_hand_boundary_single_days(hand_con: duckdb.DuckDBPyConnection) -> None:
    # the period 2023-01-01 .. 2023-01-01: c1 is 旧存 and closed that day
    r = one(ind.summary(hand_con, ALL, D(2023, 1, 1), D(2023, 1, 1)))
    assert (r["pending_start"], r["filed"], r["closed"], r["pending_end"]) == (5, 0, 1, 4)
    # 2022-12-31: c2 closes, c7 is filed
    r = one(ind.summary(hand_con, ALL, D(2022, 12, 31), D(2022, 12, 31)))
    assert (r["pending_start"], r["filed"], r["closed"], r["pending_end"]) == (5, 1, 1, 5)


def test_hand_filter_links_reach_other_courts(hand_con: duckdb.DuckDBPyConnection) -> None:
    # the filter keeps only 崇川; its appeals sit in the 中院 and must still be found
    r = one(ind.summary(hand_con, ALL.with_(courts=("苏0602",)), *Y2023))
    assert r["first_instance_closed"] == 6
    assert (r["appeals_filed"], r["challenges_filed"], r["reversals_decided"]) == (3, 3, 1)
    assert r["first_instance_challenged"] == 4 and r["first_instance_appealed"] == 3
    assert r["first_instance_reversed"] == 1
    r = one(ind.summary(hand_con, ALL.with_(procedures=("一审",)), *Y2023))
    assert r["first_instance_challenged"] == 4 and r["reversals_decided"] == 1
    # 刑事 first instances only (k1): none appealed
    r = one(ind.summary(hand_con, ALL.with_(categories=("刑事",)), *Y2023))
    assert (r["first_instance_closed"], r["appeals_filed"], r["service_acceptance_rate"]) == (1, 0, 1.0)


def test_hand_filter_category(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL.with_(categories=("执行",)), *Y2023))
    assert (r["pending_start"], r["filed"], r["closed"], r["pending_end"]) == (1, 3, 3, 1)
    assert r["first_instance_closed"] == 0 and r["service_acceptance_rate"] is None


def test_hand_filter_district(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL.with_(district=320682), *Y2023))
    assert (r["filed"], r["closed"]) == (4, 4)


def test_empty_period(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL, D(2010, 1, 1), D(2010, 12, 31)))
    for name, kind in ind.INDICATORS.items():
        if kind == "count":
            assert r[name] == 0, name
        elif kind != "amount":
            assert r[name] is None, name
    assert ind.summary(hand_con, ALL, D(2010, 1, 1), D(2010, 12, 31), by="court_code").empty
    months = ind.summary(hand_con, ALL, D(2010, 1, 1), D(2010, 3, 31), by="month")
    assert months["filed"].tolist() == [0, 0, 0]
    assert months["closure_rate"].tolist() == [None, None, None]


def test_empty_filter(hand_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(hand_con, ALL.with_(categories=("行政",)), *Y2023))
    assert r["filed"] == 0 and r["closure_rate"] is None and r["mean_days"] is None


def test_no_closed_cases(hand_con: duckdb.DuckDBPyConnection) -> None:
    # February 2024: d2 filed; c3 c6 c7 c8 e4 still pending; c10 closed in January
    r = one(ind.summary(hand_con, ALL, D(2024, 2, 1), D(2024, 2, 29)))
    assert (r["pending_start"], r["filed"], r["closed"], r["pending_end"]) == (5, 1, 0, 6)
    assert r["closure_rate"] == 0.0 and r["clearance_ratio"] == 0.0
    for name in ("mean_days", "median_days", "p90_days", "on_time_rate", "cepej_disposition_time",
                 "mediation_withdrawal_rate", "service_acceptance_rate", "recovery_rate"):
        assert r[name] is None, name


def test_all_pending(hand_con: duckdb.DuckDBPyConnection) -> None:
    # 崇川 in 2023-12-01..30: c4 c6 c7 c8 c10 all pending, nothing filed or closed
    r = one(ind.summary(hand_con, ALL.with_(courts=("苏0602",)), D(2023, 12, 1), D(2023, 12, 30)))
    assert (r["pending_start"], r["filed"], r["closed"], r["pending_end"]) == (5, 0, 0, 5)
    assert r["closure_rate"] == 0.0 and r["clearance_ratio"] is None
    assert r["over_12m_pending"] == 1  # c6 only: c8 is 365 days old on Dec 30
    assert r["cepej_disposition_time"] is None


def test_compare(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.compare(hand_con, ALL, D(2023, 7, 1), D(2023, 12, 31)).set_index("indicator")
    filed = df.loc["filed"]
    # 新收 H2 2023: c3 d1 d3 d4 e4 k1; H1 2023 (环比): c4 c5 c9 c10 c11 c12 e1 e3;
    # H2 2022 (同比): c1 c7 c8 e2
    assert (filed["current"], filed["pop"], filed["yoy"]) == (6, 8, 4)
    assert filed["yoy_diff"] == 2 and filed["yoy_pct"] == pytest.approx(0.5)
    assert filed["pop_diff"] == -2 and filed["pop_pct"] == pytest.approx(-0.25)
    assert df.loc["closure_rate", "label"] == "结案率"
    assert df.attrs["periods"]["pop"] == ("2023-01-01", "2023-06-30")


def test_compare_before_data(hand_con: duckdb.DuckDBPyConnection) -> None:
    # the data begin 2021-06-01: the 同比 and 环比 periods of 2021H2 lie before that
    df = ind.compare(hand_con, ALL, D(2021, 7, 1), D(2021, 12, 31)).set_index("indicator")
    assert df.loc["pending_end", "current"] == 1
    assert df.loc["pending_end", "yoy"] is None and df.loc["pending_end", "pop_pct"] is None


def test_monthly_trend_cumulative(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.monthly_trend(hand_con, ALL, *Y2023)
    assert df["cum_filed"].iloc[-1] == 14 and df["cum_closed"].iloc[-1] == 13
    assert df["cum_closure_rate"].iloc[-1] == pytest.approx(13 / 19)
    # after January: closed 1 of (5 旧存 + 2 新收)
    assert df["cum_closure_rate"].iloc[0] == pytest.approx(1 / 7)


def test_case_list(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.case_list(hand_con, ALL, *Y2023, court_code="苏06")
    assert df["case_no"].tolist() == ["d1", "d3", "d4"]  # d2 filed in 2024 is not in 2023
    forbidden = {"defendant_key", "plaintiff_kind", "defendant_kind", "defendant_industry", "lon", "lat"}
    assert not forbidden & set(df.columns)
    assert df["duration_days"].tolist() == [61, 75, 10]
    pend = ind.case_list(hand_con, ALL, *Y2023, status="pending_end")
    assert pend["case_no"].tolist() == ["c6", "c8", "c7", "c10", "e4", "c3"]
    assert set(pend["status"]) == {"期末未结"}
    assert pend["outcome"].iloc[0] == "未结"
    feb = ind.case_list(hand_con, ALL, *Y2023, month="2023-02")
    assert set(feb["case_no"]) == {"c6", "c7", "c8", "e2", "c10", "e1", "c5"}
    by_date = ind.case_list(hand_con, ALL, *Y2023, month=D(2023, 2, 14))
    assert by_date["case_no"].tolist() == feb["case_no"].tolist()
    assert len(ind.case_list(hand_con, ALL, *Y2023, limit=3)) == 3
    assert ind.case_list(hand_con, ALL, *Y2023, month="2030-01").empty
    assert ind.case_list(hand_con, ALL, *Y2023, adcode=320682)["case_no"].tolist() == [
        "e2", "e1", "e3", "k1", "e4"]
    with pytest.raises(ValueError):
        ind.case_list(hand_con, ALL, *Y2023, status="x; DROP TABLE cases")


def test_pivot_count(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.pivot(hand_con, ALL, *Y2023, rows="court_code", cols="procedure", measure="count")
    assert df.columns.tolist() == ["法院", "一审", "二审", "执行实施", "合计"]
    assert df["法院"].tolist() == ["南通中院", "崇川法院", "如皋法院", "合计"]
    assert df["一审"].tolist() == [0, 6, 1, 7]
    assert df["二审"].tolist() == [3, 0, 0, 3]
    assert df["执行实施"].tolist() == [0, 0, 3, 3]
    assert df["合计"].tolist() == [3, 6, 4, 13]


def test_pivot_mean_days_and_amount(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.pivot(hand_con, ALL, *Y2023, rows="category", cols=None, measure="mean_days")
    got = dict(zip(df["案件类别"], df["平均天数"], strict=True))
    # 刑事 k1 19; 民事 61 305 28 30 30 92 61 75 10 = 692 / 9; 执行 90 243 30
    assert got["刑事"] == 19 and got["民事"] == pytest.approx(692 / 9)
    assert got["执行"] == pytest.approx(121) and got["合计"] == pytest.approx(1074 / 13)
    amt = ind.pivot(hand_con, ALL, *Y2023, rows="outcome", cols=None, measure="amount",
                    basis="pending_end")
    # pending at end: e4 (800) and civil cases without amounts; outcome of a pending case
    got_amt = dict(zip(amt["结案方式"], amt["标的额(元)"], strict=True))
    assert got_amt == {"判决": 0.0, "未结": 800.0, "合计": 800.0}
    # pending cases' mean_days is their age at the period end
    age = ind.pivot(hand_con, ALL.with_(categories=("执行",)), *Y2023, rows="type_code", cols=None,
                    measure="mean_days", basis="pending_end")
    assert age["平均天数"].tolist() == [60.0, 60.0]  # e4: 2023-11-01 .. 12-31


def test_pivot_whitelist(hand_con: duckdb.DuckDBPyConnection) -> None:
    for bad in [{"rows": "case_no"}, {"rows": "court_code", "cols": "1; DROP TABLE cases"},
                {"rows": "court_code", "measure": "sum(amount)"}, {"rows": "category", "basis": "all"}]:
        kwargs = {"cols": None, **bad}
        with pytest.raises(ValueError):
            ind.pivot(hand_con, ALL, *Y2023, **kwargs)


def test_labelled() -> None:
    df = ind.labelled(pd.DataFrame({"filed": [1], "closure_rate": [0.5], "other": [1]}))
    assert df.columns.tolist() == ["新收", "结案率", "other"]


def test_format_value_and_change() -> None:
    assert ind.format_value("filed", 198214) == "198,214"
    assert ind.format_value("closure_rate", 0.37516) == "37.52%"
    assert ind.format_value("mean_days", 64.16) == "64.2 天"
    assert ind.format_value("cepej_clearance_rate", 92.105) == "92.1"
    assert ind.format_value("enforcement_amount", 81_200_000.0) == "8,120.0 万元"
    assert ind.format_value("closure_rate", None) == "—"
    assert ind.format_change("closure_rate", -0.0125, -0.02) == "-1.25 个百分点"
    assert ind.format_change("filed", 20, 0.1) == "+10.0%"
    assert ind.format_change("filed", 20, None) is None


def test_range_table(hand_con: duckdb.DuckDBPyConnection) -> None:
    table = ind.range_table(ind.compare(hand_con, ALL, *Y2023)).set_index("指标")
    # 2023: 审限内 0.75 (< 0.90), 服判息诉 4/7, 超12个月 2/6, 调撤 1/3 (民事一审), 结收比 13/14
    assert table.loc["法定审限内结案率", "评价"] == "▲ 超出区间"
    assert table.loc["法定审限内结案率", "合理区间"] == "≥ 90.00%"
    assert table.loc["结收比", "评价"] == "区间内"
    assert table.loc["结收比", "合理区间"] == "90.00% – 110.00%"
    assert table.loc["超12个月未结案件比", "合理区间"] == "≤ 5.00%"
    assert table.loc["调撤率（民事一审）", "评价"] == "区间内"
    empty = ind.range_table(ind.compare(hand_con, ALL, D(2010, 1, 1), D(2010, 12, 31)))
    assert set(empty["评价"]) == {"— 无数据"}


def test_compare_table(hand_con: duckdb.DuckDBPyConnection) -> None:
    table = ind.compare_table(ind.compare(hand_con, ALL, D(2023, 7, 1), D(2023, 12, 31))).set_index("指标")
    assert table.loc["新收", "本期"] == 6 and table.loc["新收", "同比增减"] == 50.0
    assert table.loc["新收", "增减单位"] == "%" and table.loc["结案率", "增减单位"] == "百分点"
    # 结案率 2023H2: 旧存 c4 c6 c7 c8 c10 c11 c12 (7) + 新收 6 = 13, 结案 c4 c11 c12 d1 d3 d4 k1 (7)
    assert table.loc["结案率", "本期"] == round(7 / 13 * 100, 2)


def test_display_table(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(hand_con, ALL, *Y2023, by="month")
    shown = ind.display_table(df, ["month", "filed", "closure_rate", "mean_days"])
    assert shown.columns.tolist() == ["月份", "新收", "结案率(%)", "平均审理天数（审判）"]
    assert shown["月份"].iloc[0] == "2023-01"
    assert shown["结案率(%)"].iloc[0] == round(1 / 7 * 100, 2)
    assert shown["平均审理天数（审判）"].iloc[1] is None  # nothing closed in February


# --- DuckDB vs an independent pandas implementation -------------------------------------------

def assert_matches(got: dict, want: dict, where: str) -> None:
    assert set(want) == set(ind.INDICATORS), set(want) ^ set(ind.INDICATORS)
    for name in ind.INDICATORS:
        g, w = got[name], want[name]
        if w is None:
            assert g is None, f"{where} {name}: {g!r} != None"
        elif ind.INDICATORS[name] == "count":
            assert g == w, f"{where} {name}: {g} != {w}"
        else:
            assert g is not None and g == pytest.approx(w, rel=1e-9, abs=1e-9), f"{where} {name}: {g} != {w}"


def check_against_oracle(con: duckdb.DuckDBPyConnection, flt: CaseFilter, sel: pd.Series,
                         cases: pd.DataFrame, s: dt.date, e: dt.date, out_ok: pd.Series | None = None) -> None:
    end = data_end(cases)
    assert_matches(one(ind.summary(con, flt, s, e)), oracle(cases, sel, s, e, end, out_ok), f"{s}..{e}")
    by_court = ind.summary(con, flt, s, e, by="court_code")
    present = set()
    for _, row in by_court.iterrows():
        present.add(row["court_code"])
        assert_matches(row.to_dict(),
                       oracle(cases, sel & (cases["court_code"] == row["court_code"]), s, e, end, out_ok),
                       f"court {row['court_code']}")
    # no court with activity may be missing
    for code in set(cases.loc[sel, "court_code"]) - present:
        w = oracle(cases, sel & (cases["court_code"] == code), s, e, end, out_ok)
        assert w["pending_start"] + w["filed"] + w["closed"] + w["pending_end"] + w["challenges_filed"] == 0, code
    by_district = ind.summary(con, flt, s, e, by="adcode")
    for _, row in by_district.iterrows():
        assert_matches(row.to_dict(), oracle(cases, sel & (cases["adcode"] == row["adcode"]), s, e, end, out_ok),
                       f"district {row['adcode']}")
    for _, row in ind.summary(con, flt, s, e, by="month").iterrows():
        ms, me = row["period_start"].date(), row["period_end"].date()
        assert_matches(row.to_dict(), oracle(cases, sel, ms, me, end, out_ok), f"month {ms}")


def test_oracle_hand_frame(hand_con: duckdb.DuckDBPyConnection) -> None:
    cases = load_cases(hand_con)
    everything = pd.Series(True, index=cases.index)
    for s, e in [Y2023, (D(2022, 12, 15), D(2023, 2, 10)), (D(2023, 12, 31), D(2024, 3, 1))]:
        check_against_oracle(hand_con, ALL, everything, cases, s, e)
    civil = ALL.with_(categories=("民事",))
    check_against_oracle(hand_con, civil, cases["category"] == "民事", cases, *Y2023)


def random_cases(seed: int, n: int) -> pd.DataFrame:
    """A random but consistent case table: first instances, appeals/petitions, enforcement."""
    rng = np.random.default_rng(seed)
    courts = [("苏0602", 320613), ("苏0612", 320612), ("苏0682", 320682), ("苏0681", 320681)]
    kinds = [("民初", "民事", "一审"), ("刑初", "刑事", "一审"), ("行初", "行政", "一审"),
             ("执", "执行", "执行实施"), ("执异", "执行", "执行审查"), ("财保", "非诉保全审查", "保全审查")]
    outcomes = {"一审": ["判决", "调解", "撤诉", "驳回起诉", "准许撤回"],
                "执行实施": ["执行完毕", "终结本次执行", "执行和解", "终结执行"],
                "执行审查": ["裁定驳回", "裁定准许"], "保全审查": ["裁定准许"]}
    tracks = {"民初": ["普通程序", "简易程序", "小额诉讼", None],
              "刑初": ["普通程序", "简易程序", "速裁程序"],
              "行初": [None]}
    rows = []
    base = np.datetime64("2020-01-01")
    for i in range(n):
        court, ad = courts[rng.integers(len(courts))]
        tc, category, proc = kinds[rng.choice(len(kinds), p=[0.45, 0.1, 0.05, 0.3, 0.05, 0.05])]
        filed = base + np.timedelta64(int(rng.integers(0, 5 * 365)), "D")
        closed = None if rng.random() < 0.12 else filed + np.timedelta64(int(rng.gamma(1.5, 70)), "D")
        if closed is not None and rng.random() < 0.01:
            closed = filed - np.timedelta64(int(rng.integers(1, 40)), "D")  # a data error
        amount = float(rng.integers(1, 500)) * 1000 if rng.random() < 0.8 else None
        rec = None
        if proc == "执行实施" and amount is not None and rng.random() < 0.9:
            rec = round(amount * rng.random(), 2)
        rows.append({
            "case_no": f"r{i}", "court_code": court, "adcode": ad, "category": category, "type_code": tc,
            "procedure": proc,
            "track": (tracks[tc][rng.integers(len(tracks[tc]))] if tc in tracks else None),
            "cause_group": category + "组", "cause": category + "案由" + str(rng.integers(3)),
            "filed_date": str(filed), "closed_date": None if closed is None else str(closed),
            "outcome": None if closed is None else outcomes[proc][rng.integers(len(outcomes[proc]))],
            "amount": amount, "amount_recovered": rec, "origin_case_no": None, "source": "synthetic"})
    # appeals and petitions against closed first instances (some of them twice)
    first = [r for r in rows if r["procedure"] == "一审" and r["closed_date"]]
    for j, r in enumerate(first):
        u = rng.random()
        if u > 0.3:
            continue
        tc, proc = ("民终", "二审") if u < 0.2 else ("民申", "再审审查")
        if u < 0.01:
            tc, proc = "民再", "再审"
        filed = np.datetime64(r["closed_date"]) + np.timedelta64(int(rng.integers(5, 60)), "D")
        closed = None if rng.random() < 0.2 else filed + np.timedelta64(int(rng.integers(10, 120)), "D")
        outs = ["维持原判", "改判", "发回重审", "撤回上诉"] if proc == "二审" else ["裁定驳回", "改判"]
        for k in range(1 + int(rng.random() < 0.1)):
            rows.append({
                "case_no": f"a{j}_{k}", "court_code": "苏06", "adcode": r["adcode"], "category": "民事",
                "type_code": tc, "procedure": proc, "track": None, "cause_group": "民事组",
                "cause": "民事案由0", "filed_date": str(filed),
                "closed_date": None if closed is None else str(closed),
                "outcome": None if closed is None else outs[rng.integers(len(outs))], "amount": None,
                "amount_recovered": None, "origin_case_no": r["case_no"], "source": "synthetic"})
    # 恢复执行 of some 终本 enforcement cases, with the origin's full amount (as the generator does)
    ended = [r for r in rows if r["type_code"] == "执" and r["outcome"] == "终结本次执行"]
    for j, r in enumerate(ended):
        if rng.random() > 0.5:
            continue
        filed = np.datetime64(r["closed_date"]) + np.timedelta64(int(rng.integers(30, 400)), "D")
        closed = None if rng.random() < 0.2 else filed + np.timedelta64(int(rng.integers(10, 300)), "D")
        rec = None if r["amount"] is None else round(r["amount"] * rng.random(), 2)
        rows.append({
            "case_no": f"h{j}", "court_code": r["court_code"], "adcode": r["adcode"], "category": "执行",
            "type_code": "执恢", "procedure": "执行实施", "track": None, "cause_group": "执行组",
            "cause": "执行案由0", "filed_date": str(filed), "closed_date": None if closed is None else str(closed),
            "outcome": None if closed is None else ["执行完毕", "终结本次执行", "执行和解"][rng.integers(3)],
            "amount": r["amount"], "amount_recovered": rec, "origin_case_no": r["case_no"], "source": "synthetic"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def random_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_store(tmp_path_factory.mktemp("rand") / "rand.duckdb", random_cases(7, 1500),
                       {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_oracle_random_frame(random_con: duckdb.DuckDBPyConnection) -> None:
    cases = load_cases(random_con)
    everything = pd.Series(True, index=cases.index)
    check_against_oracle(random_con, ALL, everything, cases, D(2022, 1, 1), D(2022, 12, 31))
    check_against_oracle(random_con, ALL, everything, cases, D(2023, 2, 11), D(2023, 7, 9))
    flt = ALL.with_(courts=("苏0602", "苏06"), procedures=("一审", "二审"))
    sel = cases["court_code"].isin(["苏0602", "苏06"]) & cases["procedure"].isin(["一审", "二审"])
    check_against_oracle(random_con, flt, sel, cases, D(2021, 1, 1), D(2021, 12, 31))
    # the 结案方式 filter selects closed cases only; 旧存/新收/未结 ignore it
    judged = ALL.with_(outcomes=("判决", "执行完毕", "未结"))
    out_ok = cases["outcome"].isin(["判决", "执行完毕"]) | cases["closed_date"].isna()
    check_against_oracle(random_con, judged, everything, cases, D(2022, 1, 1), D(2022, 12, 31), out_ok)


def test_oracle_pivot_random(random_con: duckdb.DuckDBPyConnection) -> None:
    cases = load_cases(random_con)
    s, e = pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31")
    cl = cases[cases["closed_date"].between(s, e)]
    df = ind.pivot(random_con, ALL, s.date(), e.date(), rows="category", cols="court_code", measure="amount")
    got = df.set_index("案件类别")
    want = cl.groupby(["category", "court_code"])["amount"].sum()
    for (category, court), v in want.items():
        assert got.loc[category, ind.court_name(court)] == pytest.approx(v)
    assert got.loc["合计", "合计"] == pytest.approx(cl["amount"].sum())
    days = (cl["closed_date"] - cl["filed_date"]).dt.days
    md = ind.pivot(random_con, ALL, s.date(), e.date(), rows="court_code", cols="category",
                   measure="mean_days")
    assert md.set_index("法院").loc["合计", "合计"] == pytest.approx(days.mean())


def test_oracle_small_store(con: duckdb.DuckDBPyConnection) -> None:
    """The synthetic default data (``small_store`` via conftest's ``con``) against the pandas oracle."""
    cases = load_cases(con)
    last = max(cases["filed_date"].max(), cases["closed_date"].max()).date()
    year = last.year - 1
    everything = pd.Series(True, index=cases.index)
    check_against_oracle(con, ALL, everything, cases, D(year, 1, 1), D(year, 12, 31))
    civil = ALL.with_(categories=("民事",))
    check_against_oracle(con, civil, cases["category"] == "民事", cases, D(year, 4, 1), D(year, 9, 30))


# --- the fast by-month query against the definitional (exploding) reference ------------------

# Edge cases on top of HAND: data errors (closed before filed), same-day cases, and cases whose
# age crosses 365 days at a month end (over_12m_pending counts age > 365 at the period end).
EDGE = [
    *HAND,
    ("x1", "苏0602", 320613, "民初", "普通程序", "2023-03-15", "2023-02-10", "判决", None, None, None),
    ("x2", "苏0602", 320613, "民初", "普通程序", "2023-01-05", "2022-12-20", "调解", None, None, None),
    ("x3", "苏0602", 320613, "民初", "简易程序", "2024-01-03", "2023-12-30", "判决", None, None, None),
    ("x4", "苏0602", 320613, "民初", "普通程序", "2022-01-31", "2023-02-01", "判决", None, None, None),
    ("x5", "苏0602", 320613, "民初", "普通程序", "2021-12-31", "2023-01-01", "驳回起诉", None, None, None),
    ("x6", "苏0602", 320613, "民初", "普通程序", "2023-02-28", None, None, None, None, None),
    ("x7", "苏0682", 320682, "民初", "普通程序", "2022-06-15", "2023-06-30", "判决", None, None, None),
    ("x8", "苏0682", 320682, "民初", "普通程序", "2022-06-15", "2023-07-01", "判决", None, None, None),
    ("x9", "苏0682", 320682, "民初", "小额诉讼", "2023-05-10", "2023-05-10", "判决", None, None, None),
    ("x10", "苏0682", 320682, "执", None, "2023-08-20", "2023-08-05", "执行完毕", 500.0, 250.0, None),
    ("x11", "苏0682", 320682, "执", None, "2022-12-31", "2022-12-31", "执行和解", 100.0, 100.0, None),
    ("x12", "苏0602", 320613, "民初", "普通程序", "2022-01-01", "2023-01-01", "判决", None, None, None),
    ("x13", "苏0602", 320613, "民初", "普通程序", "2022-01-31", "2023-01-31", "判决", None, None, None),
    ("y1", "苏06", 320613, "民终", None, "2023-04-01", "2023-05-20", "发回重审", None, None, "x1"),
    ("y2", "苏06", 320613, "民终", None, "2024-03-01", None, None, None, None, "x5"),
]
EDGE_PERIODS = [
    Y2023,
    (D(2022, 12, 15), D(2023, 2, 10)),
    (D(2023, 12, 31), D(2024, 3, 1)),
    (D(2023, 2, 1), D(2023, 2, 28)),
    (D(2023, 1, 1), D(2023, 1, 1)),
    (D(2023, 1, 31), D(2023, 2, 1)),
    (D(2024, 2, 1), D(2024, 2, 29)),
    (D(2021, 1, 1), D(2024, 12, 31)),
    (D(2010, 1, 1), D(2010, 3, 31)),
    (D(2025, 1, 1), D(2025, 6, 30)),
]


def reference_summary(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date,
                      by: str | None, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    """ind.summary computed through the definitional reference query."""
    return summary_reference(con, flt, s, e, by, monkeypatch)


def assert_same_as_reference(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date,
                             monkeypatch: pytest.MonkeyPatch, bys: tuple = (None, "court_code", "adcode", "month")
                             ) -> None:
    for by in bys:
        got = ind.summary(con, flt, s, e, by=by)
        want = reference_summary(con, flt, s, e, by, monkeypatch)
        # every column, exactly: same values, same None/NaN handling, same dtypes and order
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"summary({s}..{e}, by={by})")


@pytest.fixture(scope="module")
def edge_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    frame = hand_frame(EDGE)
    path = build_store(tmp_path_factory.mktemp("edge") / "edge.duckdb", frame, {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_monthly_matches_reference_edge(edge_con: duckdb.DuckDBPyConnection,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    filters = [ALL, ALL.with_(courts=("苏0602",)), ALL.with_(categories=("执行",)),
               ALL.with_(outcomes=("判决", "未结")), ALL.with_(district=320682)]
    for flt in filters:
        for s, e in EDGE_PERIODS:
            assert_same_as_reference(edge_con, flt, s, e, monkeypatch)


def test_monthly_edge_against_oracle(edge_con: duckdb.DuckDBPyConnection) -> None:
    cases = load_cases(edge_con)
    everything = pd.Series(True, index=cases.index)
    for s, e in EDGE_PERIODS:
        check_against_oracle(edge_con, ALL, everything, cases, s, e)


def test_monthly_edge_hand_figures(edge_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.summary(edge_con, ALL, *Y2023, by="month").set_index(pd.Index(range(1, 13)))
    # x1 (filed Mar 15, closed Feb 10) is closed in February and filed in March, never pending;
    # Feb closed: x1, x4; Mar filed: c4, e3, x1; Dec closed: c4, x3 (filed after the period)
    assert (df.loc[2, "closed"], df.loc[3, "filed"], df.loc[12, "closed"]) == (2, 3, 2)
    # x2 (filed Jan 5, closed before the period) is filed in January and never pending
    assert df.loc[1, "filed"] == 3  # c10, e1, x2
    # over 12 months at the month end: Jan 31: c6 only (x4 is 365 days old; x13 closed that
    # day); Jun 30: c6, x8 (380 days; x7 closed that day); Dec 31: c6, c8 (366; c7 is 365)
    assert df["over_12m_pending"].tolist() == [1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2]
    # 2024: x6 (filed 2023-02-28) is 366 days old on the leap day
    q1 = ind.summary(edge_con, ALL, D(2024, 1, 1), D(2024, 3, 31), by="month")
    assert q1["over_12m_pending"].tolist() == [3, 4, 4]  # c6 c7 c8 (+ x6)


def test_monthly_matches_reference_small_store(con: duckdb.DuckDBPyConnection,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The synthetic default data: new == reference for several filters and periods."""
    first, last = ind.data_span(con)
    assert first is not None and last is not None
    y = last.year - 1
    periods = [
        (D(y, 1, 1), D(y, 12, 31)),  # a full year
        (D(y, 3, 10), D(y, 5, 20)),  # partial months at both ends
        (D(y, 2, 1), D(y, 2, _month_len(y, 2))),  # one month
        (D(y - 3, 7, 1), last),  # multi-year, to the end of the data
    ]
    cases = load_cases(con)
    courts = tuple(sorted(set(cases["court_code"])))[:2]
    filters = [ALL, ALL.with_(categories=("民事",)), ALL.with_(courts=courts),
               ALL.with_(procedures=("一审", "执行实施"), outcomes=("判决", "执行完毕", "未结"))]
    for flt in filters:
        for s, e in periods:
            assert_same_as_reference(con, flt, s, e, monkeypatch, bys=("month",))
    for s, e in periods[:2]:
        assert_same_as_reference(con, ALL, s, e, monkeypatch, bys=(None, "court_code", "adcode"))


def _month_len(year: int, month: int) -> int:
    return (D(year + month // 12, month % 12 + 1, 1) - D(year, month, 1)).days


def test_configured_ranges_override_defaults_everywhere() -> None:
    ranges = ind.effective_ranges({"on_time_rate": (0.95, None), "not_an_indicator": (0, 1)})
    assert "not_an_indicator" not in ranges
    assert ranges["clearance_ratio"] == ind.REASONABLE_RANGES["clearance_ratio"]
    assert ind.in_range("on_time_rate", 0.93) is True
    assert ind.in_range("on_time_rate", 0.93, ranges) is False
    values = pd.DataFrame({"indicator": ["on_time_rate"], "current": [0.93]})
    row = ind.range_table(values, {"on_time_rate": ranges["on_time_rate"]}).iloc[0]
    assert row["合理区间"] == "≥ 95.00%" and row["评价"] == "▲ 超出区间"


# --- compare: all periods in one query == one summary per period ------------------------------


def assert_compare_same_as_reference(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date,
                                     e: dt.date) -> None:
    got = ind.compare(con, flt, s, e)
    want = compare_reference(con, flt, s, e)
    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"compare({s}..{e}, {flt})")
    assert got.attrs == want.attrs


def assert_period_values_same(con: duckdb.DuckDBPyConnection, flt: CaseFilter,
                              periods: list[tuple[dt.date, dt.date]]) -> None:
    got = pd.DataFrame(queries._period_values(con, flt, periods))
    want = pd.DataFrame([ind.summary(con, flt, s, e).iloc[0].to_dict() for s, e in periods])
    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"periods {periods}, {flt}")


COMPARE_HAND_PERIODS = [
    Y2023,  # 同比 == 环比 (2022)
    (D(2023, 7, 1), D(2023, 12, 31)),  # three distinct half years
    (D(2023, 3, 10), D(2023, 5, 20)),  # partial months
    (D(2023, 2, 1), D(2023, 2, 28)),  # one month
    (D(2022, 12, 31), D(2023, 1, 1)),  # boundary days around the turn of the year
    (D(2023, 12, 31), D(2023, 12, 31)),  # a single boundary day
    (D(2024, 2, 1), D(2024, 2, 29)),  # no closed cases
    (D(2023, 12, 1), D(2023, 12, 30)),  # all pending (with the 崇川 filter)
    (D(2021, 7, 1), D(2021, 12, 31)),  # 同比/环比 before the data
    (D(2022, 6, 1), D(2024, 12, 31)),  # multi-year, 同比 starts before the data
    (D(2010, 1, 1), D(2010, 12, 31)),  # empty, before the data
    (D(2025, 1, 1), D(2025, 6, 30)),  # empty current period after the data
]
COMPARE_HAND_FILTERS = [
    ALL, ALL.with_(courts=("苏0602",)), ALL.with_(categories=("执行",)), ALL.with_(district=320682),
    ALL.with_(outcomes=("判决", "未结")), ALL.with_(categories=("行政",)),
]


def test_compare_matches_reference_hand(hand_con: duckdb.DuckDBPyConnection) -> None:
    for flt in COMPARE_HAND_FILTERS:
        for s, e in COMPARE_HAND_PERIODS:
            assert_compare_same_as_reference(hand_con, flt, s, e)


def test_compare_matches_reference_edge(edge_con: duckdb.DuckDBPyConnection) -> None:
    # closed before filed, boundary days, leap days (EDGE)
    for flt in COMPARE_HAND_FILTERS[:5]:
        for s, e in [*COMPARE_HAND_PERIODS, *EDGE_PERIODS]:
            assert_compare_same_as_reference(edge_con, flt, s, e)


def test_period_values_matches_summary(edge_con: duckdb.DuckDBPyConnection) -> None:
    # arbitrary sets: overlapping, disjoint with a gap, empty, no closed cases, repeated
    sets = [
        [Y2023, (D(2022, 1, 1), D(2022, 12, 31)), (D(2023, 3, 1), D(2023, 3, 31))],
        [(D(2010, 1, 1), D(2010, 12, 31)), (D(2024, 2, 1), D(2024, 2, 29)), Y2023],
        [(D(2023, 2, 10), D(2023, 2, 10)), (D(2023, 3, 15), D(2023, 3, 15)), (D(2023, 2, 10), D(2023, 2, 10))],
        [(D(2025, 1, 1), D(2025, 1, 31)), (D(2026, 1, 1), D(2026, 1, 31))],
        [(D(2021, 6, 1), D(2021, 6, 1)), (D(2024, 1, 1), D(2024, 3, 1))],
    ]
    for flt in (ALL, ALL.with_(courts=("苏0602",)), ALL.with_(categories=("行政",))):
        for periods in sets:
            assert_period_values_same(edge_con, flt, periods)


def test_compare_matches_reference_small_store(con: duckdb.DuckDBPyConnection) -> None:
    first, last = ind.data_span(con)
    assert first is not None and last is not None
    y = last.year - 1
    periods = [
        (D(y, 1, 1), D(y, 12, 31)),  # one year
        (D(y, 3, 10), D(y, 5, 20)),  # partial months
        (D(y, 2, 1), D(y, 2, _month_len(y, 2))),  # one month
        (D(y, 7, 1), D(y, 12, 31)),  # half year: three distinct periods
        (D(y - 3, 7, 1), last),  # multi-year
        (first, D(first.year, 12, 31)),  # 同比 and 环比 start before the data
        (D(first.year + 1, 1, 1), last),  # all years
    ]
    cases = load_cases(con)
    courts = tuple(sorted(set(cases["court_code"])))[:2]
    filters = [ALL, ALL.with_(categories=("民事",)), ALL.with_(courts=courts),
               ALL.with_(procedures=("一审", "执行实施"), outcomes=("判决", "执行完毕", "未结"))]
    for flt in filters:
        for s, e in periods:
            assert_compare_same_as_reference(con, flt, s, e)


# --- the definitions of issue 8, each on a small hand-made store ------------------------------

# 法定审限: calendar months, 民终 against a ruling, 48 hours, 刑事 limits, unknown limits
LIMITS = [
    # 简易 3 months from Jan 31 end on Apr 30 (a 91-day rule would accept May 1 as well)
    ("l1", "苏0602", 320613, "民初", "简易程序", "2023-01-31", "2023-04-30", "判决", None, None, None),
    ("l2", "苏0602", 320613, "民初", "简易程序", "2023-01-31", "2023-05-01", "判决", None, None, None),
    # 普通 6 months from Mar 1 end on Sep 1: 184 days, on time (a 182-day rule would say late)
    ("l3", "苏0602", 320613, "民初", "普通程序", "2023-03-01", "2023-09-01", "判决", None, None, None),
    ("l4", "苏0602", 320613, "民初", "普通程序", "2022-10-01", "2023-01-10", "驳回起诉", None, None, None),
    # appeal against a ruling (l4 驳回起诉): 30 days; 37 days is late
    ("l5", "苏06", 320613, "民终", None, "2023-02-01", "2023-03-10", "维持原判", None, None, "l4"),
    # appeal against a judgment (l7): 3 months; 37 days is on time
    ("l6", "苏06", 320613, "民终", None, "2023-02-01", "2023-03-10", "改判", None, None, "l7"),
    ("l7", "苏0602", 320613, "民初", "简易程序", "2022-12-01", "2023-01-05", "判决", None, None, None),
    # first instance not in the store: judgment or ruling unknown -> 审限未知
    ("l8", "苏06", 320613, "民终", None, "2023-03-01", "2023-04-01", "维持原判", None, None, "zz"),
    # 财保 48 hours: 2 days on time, 3 days late
    ("l9", "苏0602", 320613, "财保", None, "2023-05-01", "2023-05-03", "裁定准许", None, None, None),
    ("l10", "苏0602", 320613, "财保", None, "2023-05-01", "2023-05-04", "裁定准许", None, None, None),
    # 刑初 普通 2 months (Jun 1 -> Aug 1): Aug 15 is late; 速裁 10 days: 11 days is late
    ("l11", "苏0682", 320682, "刑初", "普通程序", "2023-06-01", "2023-08-15", "判决", None, None, None),
    ("l12", "苏0682", 320682, "刑初", "速裁程序", "2023-06-01", "2023-06-12", "判决", None, None, None),
    # 民初 without a track -> 审限未知
    ("l13", "苏0602", 320613, "民初", None, "2023-06-01", "2023-06-20", "撤诉", None, None, None),
    # 刑终 2 months (art. 243): Aug 2 is one day late
    ("l14", "苏06", 320682, "刑终", None, "2023-06-01", "2023-08-02", "维持原判", None, None, "l11"),
]


@pytest.fixture(scope="module")
def lim_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_store(tmp_path_factory.mktemp("lim") / "lim.duckdb", hand_frame(LIMITS), {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_statutory_limits_exact(lim_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(lim_con, ALL, *Y2023))
    assert r["closed"] == 14
    # unknown: l8 (民终, first instance not in the store), l13 (民初 without a track)
    assert (r["limit_unknown_closed"], r["limit_known_closed"]) == (2, 12)
    # on time: l1, l3, l4 (6 months), l6, l7, l9; late: l2, l5, l10, l11, l12, l14
    assert r["on_time_closed"] == 6
    assert r["on_time_rate"] == pytest.approx(0.5)
    # 保全 mean: l9 2 days, l10 3 days; the trial mean leaves both out
    assert r["preservation_mean_days"] == pytest.approx(2.5)
    assert r["trial_closed"] == 12
    cases = load_cases(lim_con)
    check_against_oracle(lim_con, ALL, pd.Series(True, index=cases.index), cases, *Y2023)


def test_unknown_limits_cannot_inflate_the_rate(lim_con: duckdb.DuckDBPyConnection) -> None:
    # 崇川 (苏0602) closed: l1 l2 l3 l4 l7 l9 l10 l13; l13 has no track and stays visible
    r = one(ind.summary(lim_con, ALL.with_(courts=("苏0602",)), *Y2023))
    assert (r["closed"], r["limit_unknown_closed"], r["limit_known_closed"], r["on_time_closed"]) == (8, 1, 7, 5)
    shown = ind.display_table(ind.summary(lim_con, ALL, *Y2023, by="court_code"),
                              ["court_name", "on_time_rate", "limit_unknown_closed"])
    assert shown["审限未知结案数"].tolist() == [1, 1, 0]  # 中院 l8, 崇川 l13, 如皋 none


# 执行到位率: an 执恢 counts only what its origin left unrecovered
ENFORCE = [
    ("n1", "苏0682", 320682, "执", None, "2022-01-10", "2022-06-30", "终结本次执行", 1000.0, 300.0, None),
    ("n2", "苏0682", 320682, "执恢", None, "2023-01-10", "2023-05-10", "执行完毕", 1000.0, 700.0, "n1"),
    ("n3", "苏0682", 320682, "执", None, "2023-02-01", "2023-04-01", "执行完毕", 500.0, 500.0, None),
    # origin outside the store: its own amount stands
    ("n4", "苏0682", 320682, "执恢", None, "2023-03-01", "2023-06-01", "终结本次执行", 400.0, 100.0, "gone"),
]


@pytest.fixture(scope="module")
def enf_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_store(tmp_path_factory.mktemp("enf") / "enf.duckdb", hand_frame(ENFORCE), {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_resumed_enforcement_counts_the_remainder(enf_con: duckdb.DuckDBPyConnection) -> None:
    r = one(ind.summary(enf_con, ALL, *Y2023))
    # n2: min(1000, 1000 − 300) = 700 (not 1000 again); n3 500; n4 400 -> 1600
    assert r["enforcement_amount"] == 1600.0
    # n2 700 (capped at its 700), n3 500, n4 100 -> 1300
    assert r["enforcement_recovered"] == 1300.0
    assert r["recovery_rate"] == pytest.approx(1300 / 1600)
    # 实际执结: n2, n3 of 3 closed
    assert r["actual_enforcement_rate"] == pytest.approx(2 / 3)
    # enforcement days: n2 120, n3 59, n4 92
    assert r["enforcement_mean_days"] == pytest.approx(271 / 3)
    assert r["mean_days"] is None  # no trial case
    cases = load_cases(enf_con)
    check_against_oracle(enf_con, ALL, pd.Series(True, index=cases.index), cases, *Y2023)


def test_outcome_filter_leaves_stocks_alone(hand_con: duckdb.DuckDBPyConnection) -> None:
    every = one(ind.summary(hand_con, ALL, *Y2023))
    judged = one(ind.summary(hand_con, ALL.with_(outcomes=("判决",)), *Y2023))
    for name in ("pending_start", "filed", "pending_end", "over_12m_pending", "over_12m_pending_ratio"):
        assert judged[name] == every[name], name
    assert (every["pending_start"], every["pending_end"]) == (5, 6)
    # closed as 判决 in 2023: c1, c4, c11, k1
    assert judged["closed"] == 4 and judged["first_instance_closed"] == 4
    # appeals of 判决 first instances filed in 2023: d1 (c11), d3 (c1), d4 (c4)
    assert judged["appeals_filed"] == 3
    pending = one(ind.summary(hand_con, ALL.with_(outcomes=("未结",)), *Y2023))
    assert (pending["closed"], pending["pending_end"], pending["pending_start"]) == (0, 6, 5)
    # the drill-down follows the same rule
    assert len(ind.case_list(hand_con, ALL.with_(outcomes=("判决",)), *Y2023, status="pending_end")) == 6
    assert set(ind.case_list(hand_con, ALL.with_(outcomes=("判决",)), *Y2023, status="closed")["case_no"]) == {
        "c1", "c4", "c11", "k1"}


def test_cohort_only_when_the_window_has_closed(hand_con: duckdb.DuckDBPyConnection) -> None:
    # the data end on 2024-02-01 (d2 filed)
    r = one(ind.summary(hand_con, ALL, D(2022, 1, 1), D(2022, 12, 31)))
    # 2022's only first instance closed, c2, was never challenged; window closed on 2023-12-31
    assert r["first_instance_closed"] == 1
    assert (r["service_acceptance_rate_cohort"], r["appeal_rate_cohort"], r["reversal_remand_rate_cohort"]) == (
        1.0, 0.0, 0.0)
    trend = ind.monthly_trend(hand_con, ALL, *Y2023)
    # January 2023 (window closed 2024-01-31): c1, appealed (d3) and reversed -> 0 %, 100 %, 100 %
    jan = trend.iloc[0]
    assert (jan["service_acceptance_rate_cohort"], jan["appeal_rate_cohort"]) == (0.0, 1.0)
    # from February the window is open: no cohort figure, so no misleading trend
    assert all(v is None for v in trend["service_acceptance_rate_cohort"].iloc[1:])


def test_compare_multi_year_has_no_yoy(hand_con: duckdb.DuckDBPyConnection) -> None:
    df = ind.compare(hand_con, ALL, D(2022, 1, 1), D(2023, 12, 31)).set_index("indicator")
    assert df.attrs["periods"]["yoy"] is None
    assert df.attrs["periods"]["pop"] == ("2020-01-01", "2021-12-31")
    assert df["yoy"].isna().all() and df["yoy_diff"].isna().all()
    assert df.loc["closed", "current"] == 14  # c2 (2022) + the 13 of 2023


def test_one_edit_changes_a_denominator(hand_con: duckdb.DuckDBPyConnection,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # changing 调撤率's denominator to every closed case is one edit in the catalogue ...
    old = ind.definition("mediation_withdrawal_rate")
    monkeypatch.setitem(ind.DEFINITIONS, "mediation_withdrawal_rate", dataclasses.replace(old, den=("closed",)))
    # ... and every strategy follows: 2 / 13 for the year, per month, and in compare()
    assert one(ind.summary(hand_con, ALL, *Y2023))["mediation_withdrawal_rate"] == pytest.approx(2 / 13)
    months = ind.summary(hand_con, ALL, *Y2023, by="month")
    # March: closed c5 (调解) and e3 (执行和解) -> 1 / 2
    assert months["mediation_withdrawal_rate"].iloc[2] == pytest.approx(1 / 2)
    cmp = ind.compare(hand_con, ALL, D(2023, 7, 1), D(2023, 12, 31)).set_index("indicator")
    # H1 2023 (环比): closed c1 c5 c9 e1 e2 e3 -> 2 调撤 (c5, c9) of 6
    assert cmp.loc["mediation_withdrawal_rate", "pop"] == pytest.approx(2 / 6)
