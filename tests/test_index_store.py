"""Every index on a small hand-made store, with scores computed by hand.

The store: 7 districts, 2021-2024, 10,000 residents and 1,000 enterprises per district (a
``gov_indicators`` table in the store), so every exposure is 1 and a rate is the count.
Each rate index gets, in district order (崇川, 通州, 海门, 海安, 如皋, 如东, 启东):
  2021-2023 (reference window): 10, 10, 10, 10, 10, 10, 80 cases a year
  2024 (the year scored):       10, 10, 10, 10, 10, 45, 80
except 刑事犯罪, which counts every 刑初 case: 严重暴力犯罪 + 长江生物资源 = twice the pattern.
履约: 100 closed 执 cases per district and year, 执行完毕 30 (x6) and 90 (2021-2023), then
30 x5, 60, 90 (2024).

Hand calculation (Marshall's moment estimator, then P5/P95 goalposts, risk direction):
  reference year: m = 20, s2 = (6*10^2 + 60^2)/7 = 600, A = s2 - m/1 = 580, C = 580/600;
    shrunk = 20 - 10*C = 10.3333 (x6), 20 + 60*C = 78.0 -> 21 values: 18 x 10.3333, 3 x 78.0;
    P5 (position 1 of 0..20) = 10.3333, P95 (position 19) = 78.0; skewness 2.20, excess kurtosis
    3.14 < 3.5, so no log transform.
  2024: m = 25, s2 = (5*15^2 + 20^2 + 55^2)/7 = 650, A = 625, C = 625/650 = 0.961538;
    shrunk = 10.5769, 44.2308, 77.8846; score = 100 (78 - x)/(78 - 10.3333)
    = 99.6400, 49.9053, 0.1705; city (m = 25): 100 (78 - 25)/67.6667 = 78.3251.
  刑事犯罪 (2x): goalposts 20.3333/158.0; 2024 scores 99.8231, 49.9534, 0.0838.
  履约 (beta-binomial moments): goalposts 0.304607/0.872357; 2024 shrunk 0.306593, 0.591209,
    0.875824; positive direction: 0.3498, 50.4803, 100 (clipped).
  Dimensions (equal weights): 经济社会 = (4 x rate score + 履约)/5 = 79.7820, 50.0203, 20.1364;
    社会稳定 = (刑事 + 3 x rate score)/4 = 99.6858, 49.9173, 0.1488; 生活和谐 = 生态文明 = rate score.
  Composite: geometric mean of the 4 dimensions floored at 1: 94.2652, 49.9370, 2.1183
    (启东: (20.1364 x 1 x 1 x 1)^(1/4) = 2.1183).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import govdata
from analytics.index import assess as A
from analytics.index.config import load_config
from analytics.store import build_store, open_store
from geodata import DISTRICT_ADCODES

REF = [10, 10, 10, 10, 10, 10, 80]
CUR = [10, 10, 10, 10, 10, 45, 80]
# index -> (type_code, category, procedure, cause_group, cause, defendant_kind, series key)
RATE_CASES = {
    "commercial": ("民初", "民事", "一审", "合同、准合同纠纷", "买卖合同纠纷", "自然人", None),
    "finance": ("民初", "民事", "一审", "合同、准合同纠纷", "民间借贷纠纷", "自然人", None),
    "enterprise": ("民初", "民事", "一审", "合同、准合同纠纷", "其他合同纠纷", "企业", None),
    "construction": ("民初", "民事", "一审", "合同、准合同纠纷", "建设工程施工合同纠纷", "自然人", None),
    "violent": ("刑初", "刑事", "一审", "侵犯公民人身权利、民主权利罪", "故意伤害罪", "自然人", None),
    "mass": ("民初", "民事", "一审", "合同、准合同纠纷", "其他合同纠纷", "自然人", 77),
    "administrative": ("行初", "行政", "一审", "公安行政管理", "治安管理处罚", "国家机关", None),
    "family": ("民初", "民事", "一审", "婚姻家庭、继承纠纷", "离婚纠纷", "自然人", None),
    "labour": ("民初", "民事", "一审", "劳动争议、人事争议", "劳动争议", "自然人", None),
    "traffic": ("民初", "民事", "一审", "侵权责任纠纷", "机动车交通事故责任纠纷", "自然人", None),
    "neighbour": ("民初", "民事", "一审", "物权纠纷", "排除妨害纠纷", "自然人", None),
    "environment": ("民初", "民事", "一审", "侵权责任纠纷", "环境污染责任纠纷", "自然人", None),
    "yangtze": ("刑初", "刑事", "一审", "妨害社会管理秩序罪", "非法捕捞水产品罪", "自然人", None),
}
RATE_SCORES = [99.6400, 99.6400, 99.6400, 99.6400, 99.6400, 49.9053, 0.1705]


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(year: int, adcode: int, tc: str, cat: str, proc: str, grp: str, cause: str, kind: str,
            key: int | None, outcome: str = "判决") -> None:
        n = len(rows)
        rows.append({"case_no": f"({year})苏06{tc}{n}号", "court_code": "苏06", "adcode": adcode, "category": cat,
                     "type_code": tc, "procedure": proc, "cause_group": grp, "cause": cause,
                     "filed_date": date(year, 3, 1), "closed_date": date(year, 6, 1), "outcome": outcome,
                     "defendant_kind": kind, "defendant_key": key, "source": "synthetic"})

    for year in (2021, 2022, 2023, 2024):
        pattern = CUR if year == 2024 else REF
        for d, adcode in enumerate(DISTRICT_ADCODES):
            for spec in RATE_CASES.values():
                for _ in range(pattern[d]):
                    add(year, adcode, *spec)
            done = ([30, 30, 30, 30, 30, 60, 90] if year == 2024 else [30, 30, 30, 30, 30, 30, 90])[d]
            for i in range(100):
                add(year, adcode, "执", "执行", "执行实施", "合同、准合同纠纷", "民间借贷纠纷", "自然人", None,
                    "执行完毕" if i < done else "终结本次执行")
    return rows


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    df = pd.DataFrame(_rows())
    df["defendant_key"] = df["defendant_key"].astype("Int64")
    build_store(path, df, {"dataset": "synthetic", "period_start": "2021-01-01"})
    con = open_store(path, read_only=False)
    con.execute(govdata.DDL)
    insert = f"INSERT INTO {govdata.TABLE} VALUES (?, 2020, ?, ?, ?, 'test', 'high', '')"
    for a in DISTRICT_ADCODES:
        con.execute(insert, [a, "population_census", 10000, "人"])
        con.execute(insert, [a, "enterprises", 1000, "户"])
    con.close()
    return path


@pytest.fixture(scope="module")
def result(hand_store: Path) -> A.Assessment:
    con = open_store(hand_store)
    try:
        return A.assess(con, 2024)
    finally:
        con.close()


def _scores(result: A.Assessment, index: str) -> list[float]:
    sub = result.indices[result.indices["index"] == index].set_index("adcode")
    return [float(sub.loc[a, "score"]) for a in DISTRICT_ADCODES]


@pytest.mark.parametrize("index", [i for i in RATE_CASES if i != "criminal"])
def test_rate_index_scores(result: A.Assessment, index: str) -> None:
    assert _scores(result, index) == pytest.approx(RATE_SCORES, abs=1e-3)
    city = result.city.set_index("index").loc[index]
    assert city["city"] == pytest.approx(25.0)  # 175 cases / 7 exposure units
    assert city["city_score"] == pytest.approx(78.3251, abs=1e-3)
    # previous year with this year's goalposts: 10.3333 -> 100, 78.0 -> 0
    prev = result.indices[result.indices["index"] == index]["score_prev"].to_numpy()
    assert prev == pytest.approx([100, 100, 100, 100, 100, 100, 0], abs=1e-6)


def test_counts_are_exact(result: A.Assessment) -> None:
    counts = result.indices.pivot(index="index", columns="adcode", values="count")[list(DISTRICT_ADCODES)]
    for index in RATE_CASES:
        assert list(counts.loc[index]) == CUR, index
    assert list(counts.loc["criminal"]) == [2 * c for c in CUR]  # 故意伤害 + 非法捕捞
    assert list(counts.loc["performance"]) == [30, 30, 30, 30, 30, 60, 90]


def test_criminal_and_share_indices(result: A.Assessment) -> None:
    assert _scores(result, "criminal") == pytest.approx([99.8231] * 5 + [49.9534, 0.0838], abs=1e-3)
    assert _scores(result, "performance") == pytest.approx([0.3498] * 5 + [50.4803, 100.0], abs=1e-3)
    perf = result.indices[result.indices["index"] == "performance"]
    assert perf["raw"].to_numpy() == pytest.approx([0.3] * 5 + [0.6, 0.9])


def test_dimensions_and_composite(result: A.Assessment) -> None:
    dims = result.dimensions.pivot(index="dimension", columns="adcode", values="score")[list(DISTRICT_ADCODES)]
    assert list(dims.loc["economy"]) == pytest.approx([79.7820] * 5 + [50.0203, 20.1364], abs=1e-3)
    assert list(dims.loc["stability"]) == pytest.approx([99.6858] * 5 + [49.9173, 0.1488], abs=1e-3)
    assert list(dims.loc["harmony"]) == pytest.approx(RATE_SCORES, abs=1e-3)
    comp = result.composite.set_index("adcode")
    assert [comp.loc[a, "score"] for a in DISTRICT_ADCODES] == pytest.approx([94.2652] * 5 + [49.9370, 2.1183],
                                                                             abs=1e-3)
    # ties share the best rank: five districts 1st, 如东 6th, 启东 7th
    assert [comp.loc[a, "rank"] for a in DISTRICT_ADCODES] == [1, 1, 1, 1, 1, 6, 7]
    # 启东 is last or tied last in every Monte Carlo draw (with a 2-year window and P10/P90 the
    # goalposts coincide and 如东 ties it): a narrow band, so it may be called the worst
    assert comp.loc[320681, "mc_median"] == 7
    assert comp.loc[320681, "mc_p5"] >= 6 and comp.loc[320681, "mc_p95"] == 7
    assert comp.loc[320681, "stable"]
    # five districts share the first rank: none is singled out as the best
    assert A.best_and_worst(result) == (None, 320681)


def test_minimum_count_gives_insufficient(hand_store: Path) -> None:
    cfg = load_config()
    con = open_store(hand_store)
    try:
        hist = A.history(con, cfg)
    finally:
        con.close()
    # raise 长江生物资源's minimum above 10 cases: the five districts with 10 cases are 样本不足
    hist.loc[(hist["index"] == "yangtze") & (hist["sample"] < 11), "enough"] = False
    a = A.assess_history(hist, cfg, 2024)
    scores = _scores(a, "yangtze")
    assert np.isnan(scores[:5]).all() and scores[5:] == pytest.approx([49.9053, 0.1705], abs=1e-3)
    # the ecology dimension still has 1 of 2 indices (>= half): it equals the remaining index
    eco = a.dimensions[(a.dimensions["dimension"] == "ecology")].set_index("adcode")
    assert eco.loc[320613, "score"] == pytest.approx(99.64, abs=1e-3)


def test_drill_filter_for_an_index() -> None:
    cfg = load_config()
    flt, exact = A.drill_filter(cfg.index("yangtze"), 2024, 320682, frozenset({"非法捕捞水产品罪"}))
    assert exact
    # the cause implies the category (刑初 = 一审 of a 罪名), so the category is left to the cause
    assert flt.causes == ("非法捕捞水产品罪",) and flt.categories == () and flt.procedures == ("一审",)
    assert (flt.year_from, flt.year_to, flt.district) == (2024, 2024, 320682)
    flt, exact = A.drill_filter(cfg.index("enterprise"), 2024, None)
    assert not exact  # 被告为企业 cannot be expressed by the shared filter
    assert set(flt.categories) == {"民事", "执行"}


def test_quarterly_counts_by_hand(hand_store: Path) -> None:
    # every hand-made case is filed on 1 March: 2024 Q1 holds the year, Q2-Q4 nothing;
    # city Q1 = 175 cases over 7 exposure units (70,000 residents / 10,000), annualised x 4 = 100
    con = open_store(hand_store)
    try:
        q = A.quarterly(con, "traffic", 2024, years=1)
    finally:
        con.close()
    city = q[q["adcode"] == 0].set_index("quarter")
    assert list(city["count"]) == [175, 0, 0, 0]
    assert city.loc["2024Q1", "value"] == pytest.approx(100.0)
    qidong = q[(q["adcode"] == 320681) & (q["quarter"] == "2024Q1")].iloc[0]
    assert qidong["count"] == 80 and qidong["value"] == pytest.approx(320.0) and qidong["enough"]
    assert not q[q["quarter"] == "2024Q2"]["enough"].any()  # 0 cases: below the minimum
