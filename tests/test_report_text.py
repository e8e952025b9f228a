"""Unit tests of the report's Chinese number formatting and sentence templates (hand-computed)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analytics.report import text as T


def test_counts_and_percentages() -> None:
    assert T.fmt_count(193925) == "193,925"
    assert T.fmt_count(7.0) == "7"
    assert T.fmt_pct(0.952134) == "95.21%"
    assert T.fmt_pct(0.02, 1) == "2.0%"
    assert T.fmt_days(64.23) == "64.2天"
    assert T.fmt_days(1234.0) == "1,234.0天"
    assert T.fmt_amount(123_456_789) == "1.23亿元"  # 1.23456789亿
    assert T.fmt_amount(1_234_567) == "123.5万元"  # 123.4567万
    assert T.fmt_ratio(1.0062) == "1.01"


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, float("nan")])
def test_missing_values_give_no_text(missing: object) -> None:
    for fmt in (T.fmt_count, T.fmt_pct, T.fmt_days, T.fmt_amount, T.fmt_ratio):
        assert fmt(missing) is None
    assert T.change_words(missing, 10, rate=False) is None
    assert T.change_words(10, missing, rate=False) is None
    assert T.clause("新收案件", T.fmt_count(missing), None, "件") is None


def test_change_words_by_sign() -> None:
    # 193,925 against 197,883: (193925 - 197883) / 197883 = -2.0002% -> 下降2.0%
    assert T.change_words(193925, 197883, rate=False) == "同比下降2.0%"
    # 195,125 against 190,000: +2.697% -> 上升2.7%
    assert T.change_words(195125, 190000, rate=False) == "同比上升2.7%"
    # rates in percentage points: 0.9521 - 0.9400 = 1.21 points
    assert T.change_words(0.9521, 0.94, rate=True) == "同比上升1.21个百分点"
    assert T.change_words(0.30, 0.3125, rate=True) == "同比下降1.25个百分点"
    assert T.change_words(5, 0, rate=False) is None  # no base to compare with
    assert T.change_words(10, 8, rate=False, prefix="环比") == "环比上升25.0%"


def test_flat_within_tolerance() -> None:
    # 10,004 against 10,000: +0.04% < 0.05% -> 持平; 10,006: +0.06% -> 上升0.1%
    assert T.change_words(10004, 10000, rate=False) == "同比持平"
    assert T.change_words(10006, 10000, rate=False) == "同比上升0.1%"
    # rates: 0.004 points -> 持平; 0.006 points -> 上升0.01个百分点
    assert T.change_words(0.50004, 0.5, rate=True) == "同比持平"
    assert T.change_words(0.50006, 0.5, rate=True) == "同比上升0.01个百分点"
    assert T.change_words(7, 7, rate=False) == "同比持平"


def test_sentences_leave_out_missing_clauses() -> None:
    parts = [T.clause("新收案件", "100", "同比上升2.0%", "件"), T.clause("结案", None, "同比下降1.0%", "件"),
             T.clause("未结案件", "5", None, "件")]
    assert T.join_clauses(parts) == "新收案件100件，同比上升2.0%；未结案件5件。"
    assert T.join_clauses([None, None]) is None
    with pytest.raises(ValueError):
        T.clean("结案率nan%")
    with pytest.raises(ValueError):
        T.clean("结案None件")


def test_period_labels() -> None:
    d = dt.date
    assert T.period_label(d(2025, 1, 1), d(2025, 12, 31)) == "2025年"
    assert T.period_label(d(2025, 1, 1), d(2025, 6, 30)) == "2025年1-6月"
    assert T.period_label(d(2025, 3, 1), d(2025, 3, 31)) == "2025年3月"
    assert T.period_label(d(2023, 1, 1), d(2025, 12, 31)) == "2023-2025年"
    assert T.period_label(d(2024, 3, 5), d(2025, 2, 28)) == "2024年3月5日至2025年2月28日"
    assert T.chinese_ordinal(3) == "三" and T.chinese_ordinal(10) == "十" and T.chinese_ordinal(12) == "十二"
    assert T.chinese_ordinal(24) == "二十四"
