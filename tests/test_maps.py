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
    assert got["cases"].sum() == len(sub)  # counts add up to the filtered total
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
    assert set(table["区县"]) == set(geodata.district_names().values())


@pytest.mark.parametrize("values", [[5, 1, 9, 3, 7, 2, 8], [0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 2, 1, 2, 1], [3.5]])
def test_classes_are_monotone_and_one_colour_per_row(values: list[float]) -> None:
    cls = classify(values)
    assert len(cls.yb) == len(values) == len(cls.colors)
    assert all(c in PALETTE for c in cls.colors)
    order = np.argsort(values, kind="stable")
    assert all(cls.yb[order[i]] <= cls.yb[order[i + 1]] for i in range(len(values) - 1))
    assert len(cls.legend()) == len(cls.bins) == len(set(cls.yb)) or len(set(values)) > len(cls.bins)
    assert cls.bins[-1] >= max(values)


def test_classes_span_light_to_dark() -> None:
    cls = classify([1, 2, 3, 10, 11, 12, 30])
    assert cls.colors[0] == PALETTE[0] and cls.colors[-1] == PALETTE[-1]
