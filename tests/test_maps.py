"""Map aggregations: each district once, totals, census rates, DuckDB == pandas oracle."""

from __future__ import annotations

from datetime import date

import duckdb
import h3
import numpy as np
import pandas as pd
import pytest

import geodata
from analytics import maps
from analytics.choropleth import PALETTE, classify
from analytics.filters import PENDING, CaseFilter
from benchmarks.pandas_impl import PandasMap

AS_OF = date(2025, 12, 31)
FILTERS = [
    CaseFilter(2025, 2025),
    CaseFilter(2019, 2021, categories=("刑事", "民事"), courts=("苏0602", "苏0682", "苏0612")),
    CaseFilter(2016, 2025, causes=("非法捕捞水产品罪",)),
    CaseFilter(2020, 2020, procedures=("一审",), outcomes=("判决", PENDING), district=320682),
    CaseFilter(2023, 2024, cause_groups=("合同、准合同纠纷",), outcomes=("调解",)),
]


def _pandas_filter(df: pd.DataFrame, flt: CaseFilter, years: bool = True, district: bool = True) -> pd.DataFrame:
    """The filter in pandas (the oracle): the benchmark's baseline, so there is one pandas definition."""
    return df[PandasMap(df).mask(flt, years=years, district=district)]


@pytest.mark.parametrize("flt", FILTERS)
def test_district_stats_oracle(con: duckdb.DuckDBPyConnection, small_cases: pd.DataFrame, flt: CaseFilter) -> None:
    pop = geodata.rate_population()
    got = maps.district_stats(con, flt, pop, AS_OF)
    assert sorted(got["adcode"]) == sorted(geodata.DISTRICT_ADCODES)  # each district exactly once
    sub = _pandas_filter(small_cases, flt, district=False)
    want = sub.groupby("adcode").size().reindex(got["adcode"], fill_value=0)
    assert got["cases"].tolist() == want.tolist()
    placed = sub["adcode"].isin(geodata.DISTRICT_ADCODES)
    assert got["cases"].sum() == placed.sum()  # counts add up to the filtered total of placed cases
    assert maps.unplaced_count(con, flt) == (~placed).sum()  # the rest is stated, not drawn
    years = flt.year_to - flt.year_from + 1
    rate = want.to_numpy() / years / np.array([pop[a] for a in got["adcode"]]) * 10_000
    assert np.allclose(got["per_10k"], rate)
    all_years = _pandas_filter(small_cases, flt.with_(year_from=2015, year_to=2025), years=False, district=False)
    cur = all_years[all_years["filed_date"].dt.year == flt.year_to].groupby("adcode").size()
    prev = all_years[all_years["filed_date"].dt.year == flt.year_to - 1].groupby("adcode").size()
    for _, row in got.iterrows():
        c, p = cur.get(row["adcode"], 0), prev.get(row["adcode"], 0)
        assert row["yoy_cur"] == c and row["yoy_prev"] == p
        if p == 0:
            assert pd.isna(row["yoy"])
        else:
            assert row["yoy"] == pytest.approx((c - p) / p)


def test_rates_use_census_population_with_dev_zone_in_chongchuan() -> None:
    pop = geodata.rate_population()
    assert pop[320613] == 1_183_740 + 332_273
    assert pop[320682] == 1_238_448
    assert sum(pop.values()) == 7_726_635  # the city's 2020 census total


def test_district_with_no_cases_is_kept_with_zero(con: duckdb.DuckDBPyConnection) -> None:
    got = maps.district_stats(con, CaseFilter(2025, 2025, causes=("不存在的案由",)), geodata.rate_population(), AS_OF)
    assert len(got) == 7 and (got["cases"] == 0).all() and got["yoy"].isna().all()


@pytest.mark.parametrize("flt", FILTERS)
def test_hex_density_oracle(con: duckdb.DuckDBPyConnection, small_cases: pd.DataFrame, flt: CaseFilter) -> None:
    got = maps.hex_density(con, flt)
    sub = _pandas_filter(small_cases, flt, district=False).dropna(subset=["lon", "lat"])
    cells = [h3.latlng_to_cell(y, x, 7) for x, y in zip(sub["lon"], sub["lat"], strict=True)]
    want = pd.Series(cells, dtype=object).value_counts()
    assert dict(zip(got["h3"], got["cases"], strict=True)) == want.to_dict()
    assert all(h3.is_valid_cell(c) for c in got["h3"])


def test_hex_min_count_suppresses_small_cells(con: duckdb.DuckDBPyConnection) -> None:
    got = maps.hex_density(con, CaseFilter(2016, 2025), min_count=5)
    assert (got["cases"] >= 5).all()


@pytest.mark.parametrize("flt", FILTERS)
def test_headline_oracle(con: duckdb.DuckDBPyConnection, small_cases: pd.DataFrame, flt: CaseFilter) -> None:
    head = maps.headline(con, flt, AS_OF)
    sub = _pandas_filter(small_cases, flt)
    assert head.cases == len(sub)
    assert head.closed == sub["closed_date"].notna().sum()
    assert head.pending == sub["closed_date"].isna().sum()


@pytest.mark.parametrize("flt", FILTERS)
def test_trend_and_top_causes_oracle(
    con: duckdb.DuckDBPyConnection, small_cases: pd.DataFrame, flt: CaseFilter
) -> None:
    sub = _pandas_filter(small_cases, flt)
    trend = maps.monthly_trend(con, flt)
    assert len(trend) == 12 * (flt.year_to - flt.year_from + 1)
    want = sub.groupby(sub["filed_date"].dt.to_period("M")).size()
    got = trend.set_index(pd.to_datetime(trend["month"]).dt.to_period("M"))["cases"]
    assert got.sum() == len(sub)
    assert (got.reindex(want.index) == want).all()
    top = maps.top_causes(con, flt, 5)
    want_top = sub["cause"].value_counts()
    assert top["cases"].tolist() == want_top.head(len(top)).tolist()
    assert top["share"].sum() <= 1 + 1e-9


def test_yoy_window_partial_year_compares_same_span() -> None:
    win = maps.yoy_window(CaseFilter(2024, 2025), date(2025, 6, 30))
    assert (win.cur_start, win.cur_end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert (win.prev_start, win.prev_end) == (date(2024, 1, 1), date(2024, 6, 30))
    assert win.label == "2025年1-6月 同比"
    assert maps.yoy_window(CaseFilter(2024, 2024), date(2025, 6, 30)).label == "2024年 同比"
    leap = maps.yoy_window(CaseFilter(2024, 2024), date(2024, 2, 29))
    assert leap.prev_end == date(2023, 2, 28)


def test_yoy_change() -> None:
    assert maps.yoy_change(110, 100) == pytest.approx(0.10)
    assert maps.yoy_change(5, 0) is None
    assert maps.yoy_change(None, 3) is None


def test_district_table_has_chinese_headers(con: duckdb.DuckDBPyConnection) -> None:
    stats = maps.district_stats(con, CaseFilter(2025, 2025), geodata.rate_population(), AS_OF)
    table = maps.district_table(stats, geodata.district_names())
    assert list(table.columns) == list(maps.DISTRICT_TABLE_LABELS.values())
    assert table["区县"].tolist() == ["崇川", "通州", "海门", "海安", "如皋", "如东", "启东"]


@pytest.mark.parametrize("values", [[5, 1, 9, 3, 7, 2, 8], [0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 2, 1, 2, 1], [3.5],
                                    [4, 4, 9, 1]])
def test_classes_are_monotone_and_one_colour_per_row(values: list[float]) -> None:
    cls = classify(values)
    assert len(cls.yb) == len(values) == len(cls.colors)
    assert all(c in PALETTE for c in cls.colors)
    order = np.argsort(values, kind="stable")
    assert all(cls.yb[order[i]] <= cls.yb[order[i + 1]] for i in range(len(values) - 1))
    # As many classes as distinct values, at most 5; every class holds at least one value.
    k = min(5, len(set(values)))
    assert len(cls.bins) == len(cls.legend()) == k
    assert set(cls.yb) == set(range(k))
    assert cls.bins[-1] >= max(values)


@pytest.mark.parametrize("seed", range(40))
def test_fisher_jenks_equals_mapclassify(seed: int) -> None:
    # The port in analytics.choropleth against mapclassify itself (the oracle: another code base):
    # same bins and class of every value, on skewed, tied and integer data of 5-40 areas.
    import warnings

    import mapclassify

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 41))
    values = [rng.lognormal(3, 1.2, n), rng.integers(0, 8, n).astype(float), rng.normal(100, 5, n).round(1)][seed % 3]
    k = min(5, len(np.unique(values)))
    if k < 2:
        pytest.skip("one distinct value")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "numba not installed"
        want = mapclassify.FisherJenks(values, k=k)
    got = classify(values, k=k)
    assert got.bins == tuple(float(b) for b in want.bins)
    assert got.yb == tuple(int(c) for c in want.yb)


def test_classes_span_light_to_dark() -> None:
    cls = classify([1, 2, 3, 10, 11, 12, 30])
    assert cls.colors[0] == PALETTE[0] and cls.colors[-1] == PALETTE[-1]


def test_classes_of_hand_values() -> None:
    # 1 1 1 | 10 10 | 50: three distinct values give three classes, the breaks are the values.
    cls = classify([10, 1, 50, 1, 10, 1])
    assert cls.yb == (1, 0, 2, 0, 1, 0)
    assert cls.bins == (1.0, 10.0, 50.0)
    assert cls.colors[2] == PALETTE[-1] and cls.colors[1] == PALETTE[0]


# --- the choropleth joins figures to districts by adcode, never by position -----------------


def _hand_stats(order: list[int]) -> pd.DataFrame:
    """District figures in the given row order: cases = 100 × (position in display order + 1)."""
    rank = {a: i for i, a in enumerate(geodata.DISTRICT_ADCODES)}
    cases = [100 * (rank[a] + 1) for a in order]
    return pd.DataFrame({"adcode": order, "cases": cases, "per_10k": [c / 10 for c in cases],
                         "yoy": [0.01 * (rank[a] + 1) for a in order]})


@pytest.mark.parametrize("feature_order", ["file", "reversed", "shuffled"])
@pytest.mark.parametrize("stats_order", ["display", "reversed"])
@pytest.mark.parametrize("as_frame", [False, True])
def test_colours_and_figures_follow_the_adcode(feature_order: str, stats_order: str, as_frame: bool) -> None:
    """Reordering the GeoJSON features or the stats rows must not move a colour to another district.

    Expected colours by hand: cases 100..700 (崇川 100 ... 启东 700) are 7 distinct values, so
    classify makes 5 classes; the lowest (崇川, 100) is the lightest colour and the highest
    (启东, 700) the darkest, whatever the order of features or rows.
    """
    from ui import deck

    fc = geodata.load_districts()
    feats = list(fc["features"])
    if feature_order == "reversed":
        feats = feats[::-1]
    elif feature_order == "shuffled":
        feats = [feats[i] for i in (3, 6, 0, 5, 1, 4, 2)]
    reordered = {"type": "FeatureCollection", "features": feats}
    if as_frame:
        boundaries = geodata.districts_gdf().set_index("adcode").loc[
            [f["properties"]["adcode"] for f in feats]].reset_index()
    else:
        boundaries = reordered
    codes = list(geodata.DISTRICT_ADCODES)
    stats = _hand_stats(codes if stats_order == "display" else codes[::-1])
    classes = classify(stats["cases"].tolist())
    out = deck.district_features(boundaries, stats, classes, 320682, "2025年 同比")
    props = {f["properties"]["adcode"]: f["properties"] for f in out["features"]}
    assert sorted(props) == sorted(codes)
    assert props[320613]["fill"] == [*PALETTE[0], 235]  # 崇川: the fewest cases
    assert props[320681]["fill"] == [*PALETTE[-1], 235]  # 启东: the most
    # Each district's colour is the class colour of its own figure (class of value 100 × (rank+1)).
    by_value = dict(zip(stats["cases"], classes.colors, strict=True))
    for rank, adcode in enumerate(codes):
        p = props[adcode]
        assert p["cases"] == 100 * (rank + 1), adcode
        assert p["per_10k"] == pytest.approx(10.0 * (rank + 1))
        assert p["fill"] == [*by_value[100 * (rank + 1)], 235], adcode
        assert p["l1"] == f"案件 {100 * (rank + 1):,} 件"
        assert p["width"] == (3 if adcode == 320682 else 1)
    # The geometry travels with its own district.
    want = {f["properties"]["adcode"]: f["geometry"]["type"] for f in fc["features"]}
    assert {f["properties"]["adcode"]: f["geometry"]["type"] for f in out["features"]} == want


def test_a_district_without_figures_is_grey() -> None:
    from ui import deck

    stats = _hand_stats(list(geodata.DISTRICT_ADCODES)[:6])  # 启东 missing
    classes = classify(stats["cases"].tolist())
    out = deck.district_features(geodata.districts_gdf(), stats, classes, None, "同比")
    qidong = next(f["properties"] for f in out["features"] if f["properties"]["adcode"] == 320681)
    assert qidong["cases"] == 0 and qidong["fill"][:3] == [220, 220, 220]


# --- rates per 10,000 residents: annualised by the days covered ------------------------------


def test_years_covered_by_hand() -> None:
    assert maps.years_covered(2025, 2025, date(2025, 12, 31)) == 1.0
    assert maps.years_covered(2025, 2025, date(2025, 6, 30)) == pytest.approx(181 / 365)  # Jan-Jun: 181 days
    assert maps.years_covered(2023, 2025, date(2025, 6, 30)) == pytest.approx(2 + 181 / 365)
    assert maps.years_covered(2024, 2024, date(2024, 2, 29)) == pytest.approx(60 / 366)  # leap year
    assert maps.years_covered(2026, 2027, date(2025, 6, 30)) == 0.0


def _case(i: int, adcode: int, filed: str, closed: str | None = None, lon: float | None = None,
          lat: float | None = None) -> dict:
    return {"case_no": f"(2025)苏0682民初{i}号", "court_code": "苏0682", "adcode": adcode, "category": "民事",
            "type_code": "民初", "procedure": "一审", "cause_group": "合同、准合同纠纷", "cause": "民间借贷纠纷",
            "filed_date": pd.Timestamp(filed), "closed_date": pd.Timestamp(closed) if closed else None,
            "outcome": "判决" if closed else None, "lon": lon, "lat": lat, "source": "import"}


@pytest.fixture(scope="module")
def hand_path(tmp_path_factory: pytest.TempPathFactory):
    """Eleven hand-made cases, data to 2025-06-30 (the latest year is half covered):
    如皋 320682: 2 cases in 2024, 3 in 2025; 崇川 320613: 1 in 2025; unplaced 320600: 2 in 2025
    (one still pending) and 1 in 2024; 海安 320685: 2 in 2024."""
    from analytics.store import build_store

    rows = [
        _case(1, 320682, "2024-03-01", "2024-05-01"), _case(2, 320682, "2024-11-11", "2025-01-10"),
        _case(3, 320682, "2025-01-02", "2025-02-02"), _case(4, 320682, "2025-04-04"),
        _case(5, 320682, "2025-06-30", "2025-06-30"), _case(6, 320613, "2025-05-05"),
        _case(7, 320600, "2025-02-14"), _case(8, 320600, "2025-03-01", "2025-04-01"),
        _case(9, 320600, "2024-08-08", "2024-09-09"), _case(10, 320685, "2024-01-01", "2024-02-01"),
        _case(11, 320685, "2024-12-31", "2025-01-31"),
    ]
    path = build_store(tmp_path_factory.mktemp("hand_map") / "hand.duckdb", pd.DataFrame(rows), {"dataset": "test"})
    return path


@pytest.fixture()
def hand_store(hand_path):
    c = duckdb.connect(str(hand_path))
    yield c
    c.close()


def test_partial_year_rate_by_hand(hand_store: duckdb.DuckDBPyConnection) -> None:
    as_of = maps.data_as_of(hand_store)
    assert as_of == date(2025, 6, 30)  # latest filing/closing date, read from the store metadata
    pop = geodata.rate_population()
    got = maps.district_stats(hand_store, CaseFilter(2025, 2025), pop, as_of).set_index("adcode")
    # 如皋 2025: 3 cases in 181 days of data (1 Jan - 30 Jun), population 1,238,448:
    # 3 / (181/365) = 1095/181 = 6.04972 cases a year; / 1,238,448 × 10,000 = 0.0488492 per 10,000
    # residents per year (a whole-year divisor would give 0.0242238, half the rate).
    assert got.loc[320682, "cases"] == 3
    assert got.loc[320682, "per_10k"] == pytest.approx(0.0488492, rel=1e-5)
    both = maps.district_stats(hand_store, CaseFilter(2024, 2025), pop, as_of).set_index("adcode")
    # 如皋 2024-2025: 5 cases over 1 + 181/365 = 546/365 years: 1825/546 = 3.34249 a year;
    # / 1,238,448 × 10,000 = 0.0269893
    assert both.loc[320682, "per_10k"] == pytest.approx(0.0269893, rel=1e-5)
    ref = maps._district_stats_cases(hand_store, CaseFilter(2024, 2025), pop, as_of).set_index("adcode")
    assert np.allclose(both["per_10k"], ref["per_10k"])


def test_unplaced_cases_count_in_totals_not_on_the_map(hand_store: duckdb.DuckDBPyConnection) -> None:
    as_of, pop = date(2025, 6, 30), geodata.rate_population()
    flt = CaseFilter(2025, 2025)
    stats = maps.district_stats(hand_store, flt, pop, as_of)
    assert stats["adcode"].tolist() == list(geodata.DISTRICT_ADCODES)  # no row, no polygon for 320600
    assert stats["cases"].sum() == 4  # 如皋 3 + 崇川 1
    assert maps.headline(hand_store, flt, as_of).cases == 6  # the city total includes the 2 unplaced
    assert maps.unplaced_count(hand_store, flt) == 2
    assert maps._unplaced_count_cases(hand_store, flt) == 2
    assert maps.unplaced_count(hand_store, CaseFilter(2024, 2025)) == 3
    assert maps.unplaced_count(hand_store, CaseFilter(2024, 2024, district=320682)) == 1  # district ignored
    # Selecting the unplaced code as a filter: its own cases, 1 of them pending.
    only = maps.headline(hand_store, flt.with_(district=geodata.UNPLACED_ADCODE), as_of)
    assert (only.cases, only.pending) == (2, 1)
    table = maps.district_table(stats, geodata.district_names(), maps.unplaced_count(hand_store, flt))
    assert len(table) == 8 and table["区县"].iloc[-1] == "未定/全市" and table["区划代码"].iloc[-1] == 320600
    assert table["案件数"].sum() == 6  # the rows add up to the city total
    assert pd.isna(table["每万人案件数(年化)"].iloc[-1])


def test_unplaced_code_in_filter_options_and_url(hand_store: duckdb.DuckDBPyConnection) -> None:
    from analytics import filters as F

    opts = F.load_options(hand_store)
    assert opts.districts == (320600, 320613, 320682, 320685)
    flt, warnings = F.parse_query_params({"d": "320600"}, opts)
    assert flt.district == 320600 and warnings == []
    assert geodata.district_names()[flt.district] == "未定/全市"


def test_map_page_states_unplaced_cases(hand_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest on the hand store: 2025 (the default year) has 2 unplaced cases; the pending
    figure is labelled as 2025 filings still pending (崇川 1, 如皋 1, unplaced 1 = 3)."""
    from pathlib import Path

    from app_support import headline
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SHUZHU_DB", str(hand_path))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    assert any("另有未定位案件 2 件（计入全市合计" in c.value for c in at.caption)
    figures = headline(at)
    assert figures["所选期间立案、至今未结"] == "3"
    assert figures["全市 新收案件"] == "6"  # city total: 4 placed + 2 unplaced
    table = at.dataframe[0].value
    assert table["区县"].iloc[-1] == "未定/全市" and int(table["案件数"].iloc[-1]) == 2
    at.selectbox(key="f_district").set_value(320600).run()
    assert not at.exception and next(iter(headline(at).values())) == "2"


def test_region_counts_join_on_the_name_not_the_position() -> None:
    """Province counts by name: reversing the features keeps each count on its own province.

    By hand: 江苏省 90 records (90% of 100), 上海市 8, 浙江省 1 → three classes, 江苏 darkest,
    浙江 lightest; 未识别 1 has no boundary and is reported as unmapped; the other 31 are grey."""
    from ui import region_map

    counts = pd.DataFrame({"province": ["江苏省", "上海市", "浙江省", "未识别"], "records": [90, 8, 1, 1],
                           "share": [0.9, 0.08, 0.01, 0.01]})
    fc = geodata.load_provinces()
    for feats in (fc["features"], fc["features"][::-1]):
        out, classes, unmapped = region_map.join_counts({"type": "FeatureCollection", "features": feats},
                                                        counts, "province")
        props = {f["properties"]["name"]: f["properties"] for f in out["features"]}
        assert len(props) == 34 and unmapped == {"未识别": 1}
        assert props["江苏省"]["records"] == 90 and props["江苏省"]["fill"] == [*PALETTE[-1], 235]
        assert props["浙江省"]["records"] == 1 and props["浙江省"]["fill"] == [*PALETTE[0], 235]
        assert props["上海市"]["tip"] == "8 条记录（占全部 8.0%）"
        assert props["北京市"]["records"] == 0 and props["北京市"]["fill"][:3] == list(region_map.NO_RECORDS)
        assert len(classes.bins) == 3


def test_district_frame_by_hand() -> None:
    """The rows of ``district_stats`` from counts: every district of ``population`` once, in its
    order; absent districts 0; the annual rate and the change computed by hand."""
    pop = {320682: 20_000, 320613: 8_000, 320685: 5_000}
    got = {320613: [30, 12, 8], 320682: [10, 0, 4], 320600: [7, 7, 7]}  # 320600: no population, left out
    out = maps._district_frame(got, CaseFilter(2024, 2025), pop, date(2025, 6, 30))
    assert out.columns.tolist() == ["adcode", "population", "cases", "yoy_cur", "yoy_prev", "per_10k", "yoy"]
    assert out["adcode"].tolist() == [320682, 320613, 320685]
    assert out["population"].tolist() == [20_000, 8_000, 5_000]
    assert out["cases"].tolist() == [10, 30, 0] and out["yoy_cur"].tolist() == [0, 12, 0]
    assert out["yoy_prev"].tolist() == [4, 8, 0]
    years = 1 + 181 / 365  # 2024 and January-June 2025
    assert out["per_10k"].tolist() == pytest.approx([10 / years / 2, 30 / years / 0.8, 0.0])
    assert out["yoy"].iloc[0] == -1.0 and out["yoy"].iloc[1] == 0.5 and pd.isna(out["yoy"].iloc[2])
    assert [str(t) for t in out.dtypes] == ["int64"] * 5 + ["float64"] * 2
    # A filter after the data: no day covered, rate 0; no base anywhere: the change column is all None.
    late = maps._district_frame({}, CaseFilter(2030, 2030), pop, date(2025, 6, 30))
    assert late["per_10k"].tolist() == [0.0, 0.0, 0.0] and late["cases"].tolist() == [0, 0, 0]
    assert late["yoy"].isna().all()
