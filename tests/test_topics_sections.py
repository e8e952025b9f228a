"""Figures of every case section and the risk rules on the hand-made store (tests/test_topics_store.py).

Expected numbers are worked out by hand from the 23 rows; the comments give the rows behind each.
Topic cases of the construction test topic (causes 建设工程施工合同纠纷/追索劳动报酬纠纷/金融借款合同纠纷
with a 企业/建筑业 party on either side): rows 1,2,3,4,5,9,10,11,12,13 in 海安 and 14,19 in 崇川 (12).
Not in: 6,7,15-18 (离婚), 8 (no construction party), 20-23 (criminal).
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_topics_store import C, H, build

from analytics.filters import CaseFilter
from analytics.store import open_store
from analytics.topics import risks as RK
from analytics.topics import sections as S
from analytics.topics.config import Marker, parse_topic

TOPIC = parse_topic(tomllib.loads("""
[topic]
title = "测试：建筑企业"
focus_adcode = 320685
base_categories = ["民事"]
base_procedures = ["一审"]
[selection]
causes = ["建设工程施工合同纠纷", "追索劳动报酬纠纷", "金融借款合同纠纷"]
[selection.party]
side = "either"
kinds = ["企业"]
industries = ["建筑业"]
[[sections]]
type = "mix"
[[risks]]
id = "wage"
title = "工资纠纷上升"
kind = "rising"
measure = "count"
part = { causes = ["追索劳动报酬纠纷"] }
min_change = 0.4
min_cases = 1
[[risks]]
id = "zhongben"
title = "终本率上升"
kind = "rising"
measure = "share"
date = "closed"
base = { procedures = ["执行实施"] }
part = { outcomes = ["终结本次执行"] }
min_points = 0.1
min_cases = 1
[[risks]]
id = "guarantee"
title = "担保链"
kind = "level"
measure = "share"
base = { party = { side = "defendant", kinds = ["企业"], industries = ["建筑业"] } }
part = { causes = ["金融借款合同纠纷"] }
min_share = 0.3
min_cases = 1
[[risks]]
id = "concentration"
title = "集中"
kind = "concentration"
max_key_share = 0.6
min_cases = 1
[[risks]]
id = "too_few"
title = "样本不足"
kind = "rising"
part = { causes = ["金融借款合同纠纷"] }
min_cases = 5
"""), "t")
FISH = parse_topic(tomllib.loads("""
[topic]
title = "测试：捕捞"
base_categories = ["刑事"]
base_procedures = ["一审"]
[selection]
causes = ["非法捕捞水产品罪"]
procedures = ["一审"]
[[sections]]
type = "trend"
"""), "f")
FLT = CaseFilter(2023, 2024)
AS_OF = date(2024, 12, 31)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("topics") / "hand.duckdb")
    c = open_store(path, read_only=True)
    yield c
    c.close()


def test_trend_year_city_and_focus(con: duckdb.DuckDBPyConnection) -> None:
    df = S.trend(con, TOPIC, FLT, "year", "all", H, "海安")
    got = {(p.year, s): n for p, s, n in zip(df["period"], df["scope"], df["cases"], strict=True)}
    # city 2023: rows 1,3,9,10; 2024: 2,4,5,11,12,13,14,19. 海安 2024: 2,4,5,11,12,13
    assert got == {(2023, "全市"): 4, (2024, "全市"): 8, (2023, "海安"): 4, (2024, "海安"): 6}


def test_trend_months_fill_zero_and_ignore_year_filter(con: duckdb.DuckDBPyConnection) -> None:
    df = S.trend(con, FISH, CaseFilter(2024, 2024), "month", "all")
    assert len(df) == 24 and df["cases"].sum() == 3  # 2023-01..2024-12; rows 20, 21, 22
    nonzero = {str(p)[:7] for p, n in zip(df["period"], df["cases"], strict=True) if n}
    assert nonzero == {"2023-06", "2024-06", "2024-08"}
    assert S.trend(con, FISH, CaseFilter(2024, 2024), "month", "filter")["cases"].sum() == 2


def test_share_of_base_cases(con: duckdb.DuckDBPyConnection) -> None:
    df = S.share(con, TOPIC, FLT, "all", H, "海安").set_index(["year", "scope"])
    # 海安 民事一审 2023: rows 1,3,6 (topic 1,3) = 2/3; 2024: 2,4,5,7,8,13 (topic 2,4,5,13) = 4/6
    # city 2023: + row 18 -> 2/4; 2024: + rows 14,15,16,17 (topic 14) -> 5/10. Row 19 is 二审: not base.
    assert (df.loc[(2023, "海安"), "topic_cases"], df.loc[(2023, "海安"), "base_cases"]) == (2, 3)
    assert (df.loc[(2024, "海安"), "topic_cases"], df.loc[(2024, "海安"), "base_cases"]) == (4, 6)
    assert (df.loc[(2024, "全市"), "topic_cases"], df.loc[(2024, "全市"), "base_cases"]) == (5, 10)
    assert df.loc[(2023, "全市"), "share"] == pytest.approx(0.5)
    assert df.loc[(2024, "海安"), "ratio"] == pytest.approx((4 / 6) / 0.5)
    fish = S.share(con, FISH, FLT).set_index("year")  # 刑事一审 2024: rows 21, 22, 23 -> 2/3
    assert fish.loc[2024, "share"] == pytest.approx(2 / 3) and fish.loc[2023, "share"] == 1.0


def test_district_counts(con: duckdb.DuckDBPyConnection) -> None:
    pop = {H: 100_000, C: 200_000}
    df = S.district_counts(con, TOPIC, FLT, pop, {H: "海安", C: "崇川"}, AS_OF).set_index("adcode")
    assert df.loc[H, "cases"] == 10 and df.loc[C, "cases"] == 2
    assert df.loc[H, "per_10k"] == pytest.approx(10 / 2 / 100_000 * 10_000)  # 0.5 a year
    # Data to 30 June 2024: 2024 counts 182 of its 366 days, so the rate is not halved for it.
    half = S.district_counts(con, TOPIC, FLT, pop, {H: "海安", C: "崇川"}, date(2024, 6, 30)).set_index("adcode")
    assert half.loc[H, "per_10k"] == pytest.approx(10 / (1 + 182 / 366) / 100_000 * 10_000)
    assert (df.loc[H, "yoy_cur"], df.loc[H, "yoy_prev"]) == (6, 4) and df.loc[H, "yoy"] == pytest.approx(0.5)
    assert pd.isna(df.loc[C, "yoy"])  # no 2023 base
    # share of 民事一审: 海安 (2+4)/(3+6); 崇川 row 14 of rows 14-18
    assert df.loc[H, "share"] == pytest.approx(6 / 9) and df.loc[C, "share"] == pytest.approx(1 / 5)


def test_mix(con: duckdb.DuckDBPyConnection) -> None:
    df = S.mix(con, TOPIC, FLT)
    # 建设工程 rows 1,2,9,11,14,19; 追索劳动报酬 rows 3,4,5,10,12; 金融借款 row 13
    assert list(zip(df["cause"], df["cases"], strict=True)) == [
        ("建设工程施工合同纠纷", 6), ("追索劳动报酬纠纷", 5), ("金融借款合同纠纷", 1)]
    assert df["share"].tolist() == pytest.approx([6 / 12, 5 / 12, 1 / 12])
    haian = S.mix(con, TOPIC, FLT.with_(district=H), "cause_group")
    groups = dict(zip(haian["cause_group"], haian["cases"], strict=True))
    assert groups == {"合同、准合同纠纷": 5, "劳动争议、人事争议": 5}


def test_roles(con: duckdb.DuckDBPyConnection) -> None:
    df = S.roles(con, TOPIC, FLT).set_index("role")
    # litigation: plaintiff side rows 1,14,19; defendant side 2,3,4,5,13,14,19; enforcement: 被执行人 9,10,11,12
    assert df["cases"].to_dict() == {"原告/申请人": 3, "被告/被申请人": 7, "申请执行人": 0, "被执行人": 4}
    assert df.loc["被告/被申请人", "share"] == pytest.approx(7 / 12)


def test_amounts(con: duckdb.DuckDBPyConnection) -> None:
    df = S.amounts(con, TOPIC, FLT).set_index(["category", "cause"])
    # 民事 建设工程: rows 1,2,14,19 = 10+30+20+20 万
    assert df.loc[("民事", "建设工程施工合同纠纷"), "amount_total"] == pytest.approx(80.0)
    assert df.loc[("民事", "建设工程施工合同纠纷"), "amount_median"] == pytest.approx(20.0)
    # 民事 subtotal: 8 cases, 166 万, median of 1,2,3,10,20,20,30,80 = 15
    sub = df.loc[("民事", "小计")]
    assert (sub["cases"], sub["amount_total"], sub["amount_median"]) == (8, pytest.approx(166.0), pytest.approx(15.0))
    # 执行 建设工程: rows 9, 11: applied 10+30, recovered 0+3 -> 7.5%; subtotal recovered 5 of 45
    assert df.loc[("执行", "建设工程施工合同纠纷"), "recovery_rate"] == pytest.approx(3 / 40)
    assert df.loc[("执行", "小计"), "recovery_rate"] == pytest.approx(5 / 45)
    assert df.loc[("民事", "小计"), "applied"] != df.loc[("民事", "小计"), "applied"]  # NaN: no enforcement


def test_outcomes(con: duckdb.DuckDBPyConnection) -> None:
    df = S.outcomes(con, TOPIC, FLT).set_index("year")
    # closed 2023: rows 9 (终本), 10 (执行完毕); 2024: rows 11, 12 (both 终本)
    assert df.loc[2023, ["closed", "zhongben", "completed"]].tolist() == [2, 1, 1]
    assert df["zhongben_share"].tolist() == pytest.approx([0.5, 1.0])


def test_durations(con: duckdb.DuckDBPyConnection) -> None:
    df = S.durations(con, TOPIC, FLT).set_index("procedure")
    # 一审 closed: rows 1 (92 d), 2 (60), 3 (30), 4 (30), 13 (92), 14 (61); row 5 pending
    assert df.loc["一审", "closed"] == 6
    assert df.loc["一审", "mean_days"] == pytest.approx(365 / 6)
    assert df.loc["一审", "median_days"] == pytest.approx(60.5)
    # 执行实施: rows 9 (122), 10 (92), 11 (92), 12 (61)
    assert df.loc["执行实施", "mean_days"] == pytest.approx(367 / 4) and df.loc["执行实施", "median_days"] == 92
    assert list(df.index) == ["一审", "执行实施", "二审"]


def test_repeat(con: duckdb.DuckDBPyConnection) -> None:
    rep = S.repeat(con, TOPIC, FLT)
    # key 1: rows 1 (plaintiff), 2,4,9,11,12 (defendant) = 6; keys 2,3,4,5: 2 each -> 14 pairs, 5 keys;
    # half = 7: key 1 (6) is not enough, key 1 + key 2 (8) is -> 2 keys
    assert (rep.keys, rep.pairs, rep.keys_for_half) == (5, 14, 2)
    assert rep.top["key"].tolist() == [1, 2, 3, 4, 5] and rep.top["cases"].tolist() == [6, 2, 2, 2, 2]
    assert rep.top.loc[0, ["plaintiff_cases", "defendant_cases"]].tolist() == [1, 5]
    assert rep.key_share_for_half == pytest.approx(0.4)
    assert 900 not in rep.top["key"].tolist()  # the 房地产业 opponent of row 1 is not a construction party


def test_risks_ranked_with_rules(con: duckdb.DuckDBPyConnection) -> None:
    df = RK.evaluate(con, TOPIC, FLT, AS_OF).set_index("id")
    # wage: 追索劳动报酬 filed 2024 rows 4,5,12 = 3 vs 2023 rows 3,10 = 2 -> +50% >= 40%: score 1.25
    assert df.loc["wage", "raised"] and df.loc["wage", "value"] == pytest.approx(0.5)
    assert df.loc["wage", "score"] == pytest.approx(1.25)
    # zhongben: closed 2024 rows 11,12 both 终本 (100%) vs 2023 rows 9,10 (50%): +50 points >= 10: score 5
    assert df.loc["zhongben", "raised"] and df.loc["zhongben", "value"] == pytest.approx(0.5)
    # guarantee: construction defendant filed 2024 rows 2,4,5,11,12,13,14,19 (8), 金融借款 row 13: 1/8 < 30%
    assert not df.loc["guarantee", "raised"] and df.loc["guarantee", "value"] == pytest.approx(1 / 8)
    # concentration: 2 of 5 keys = 40% <= 60%: score 1.5
    assert df.loc["concentration", "raised"] and df.loc["concentration", "score"] == pytest.approx(1.5)
    # 金融借款: 1 case in 2024, 0 in 2023 < min_cases: not judged
    assert not df.loc["too_few", "raised"] and "未作判断" in df.loc["too_few", "rule"]
    assert df.reset_index()["id"].tolist()[:3] == ["zhongben", "concentration", "wage"]
    assert "3 件" in df.loc["wage", "rule"] and "2 件" in df.loc["wage", "rule"]


def test_sidebar_filter_narrows_topic(con: duckdb.DuckDBPyConnection) -> None:
    only_exec = FLT.with_(categories=("执行",))
    assert S.mix(con, TOPIC, only_exec)["cases"].sum() == 4  # rows 9-12
    assert S.roles(con, TOPIC, only_exec).set_index("role").loc["被执行人", "cases"] == 4
    # the share denominator stays all 民事一审 cases, the numerator follows the filter (none are 执行)
    share = S.share(con, TOPIC, only_exec, "all", H, "海安").set_index(["year", "scope"])
    assert share.loc[(2024, "全市"), "topic_cases"] == 0 and share.loc[(2024, "全市"), "base_cases"] == 10


def test_store_warnings(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    assert S.store_warnings(con, TOPIC) == []
    from analytics.settings import PROJECT_ROOT
    from analytics.topics.config import load_topic

    warnings = S.store_warnings(con, load_topic(PROJECT_ROOT / "topics" / "construction.toml"))
    assert any("申请破产清算" in w for w in warnings)


def test_around_markers(con: duckdb.DuckDBPyConnection) -> None:
    trend = S.trend(con, FISH, FLT, "month", "all")
    marks = (Marker(date(2024, 7, 1), "B"), Marker(date(2023, 7, 1), "A"))  # order in the file does not matter
    df = S.around_markers(trend, marks, "month")
    # before A: 2023-01..06 (6 months) holds row 20 (2023-06); A..B: 2023-07..2024-06 (12) row 21 (2024-06);
    # after B: 2024-07..12 (6) row 22 (2024-08)
    assert df["span"].tolist() == ["A前", "A至B前", "B后"]
    assert df["months"].tolist() == [6, 12, 6] and df["cases"].tolist() == [1, 1, 1]
    assert df["per_month"].tolist() == pytest.approx([1 / 6, 1 / 12, 1 / 6])
    yearly = S.around_markers(S.trend(con, FISH, FLT, "year", "all"), (Marker(date(2024, 1, 1), "X"),), "year")
    assert yearly["months"].tolist() == [12, 12] and yearly["cases"].tolist() == [1, 2]
