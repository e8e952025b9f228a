"""Index case counts on the small synthetic store == the same counts in pandas (no shared code)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.index import assess as A


@pytest.fixture(scope="module")
def counts(small_store) -> pd.DataFrame:
    from analytics.store import open_store

    con = open_store(small_store, read_only=False)  # the app's configuration: DuckDB allows one per file
    try:
        hist = A.history(con)
    finally:
        con.close()
    return hist.set_index(["index", "adcode", "year"])


def _by(df: pd.DataFrame, date_col: str = "filed_date") -> pd.Series:
    return df.groupby([df["adcode"].astype(int), pd.to_datetime(df[date_col]).dt.year]).size()


def _check(counts: pd.DataFrame, index: str, expected: pd.Series, column: str = "count") -> None:
    got = counts.loc[index][column]
    exp = expected.reindex(got.index, fill_value=0)
    assert got.sum() > 0
    assert (got.astype(int) == exp.astype(int)).all(), (got - exp)[got != exp]


def _filed(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[pd.to_datetime(cases["filed_date"]).dt.year >= 2016]


def test_traffic(counts: pd.DataFrame, small_cases: pd.DataFrame) -> None:
    c = _filed(small_cases)
    sel = ((c["type_code"] == "民初") & (c["cause"] == "机动车交通事故责任纠纷")) | (
        (c["type_code"] == "刑初") & c["cause"].isin(["危险驾驶罪", "交通肇事罪"]))
    _check(counts, "traffic", _by(c[sel]))


def test_enterprise(counts: pd.DataFrame, small_cases: pd.DataFrame) -> None:
    c = _filed(small_cases)
    sel = c["type_code"].isin(["民初", "执", "执恢"]) & (c["defendant_kind"] == "企业")
    _check(counts, "enterprise", _by(c[sel]))


def test_mass_with_case_series(counts: pd.DataFrame, small_cases: pd.DataFrame) -> None:
    c = _filed(small_cases).assign(y=lambda d: pd.to_datetime(d["filed_date"]).dt.year)
    civil = c[(c["type_code"] == "民初") & c["defendant_key"].notna()]
    per_key = civil.groupby(["y", "defendant_key"]).size()
    series = {k for k, n in per_key.items() if n >= 20}
    in_series = [(y, k) in series for y, k in zip(civil["y"], civil["defendant_key"], strict=True)]
    crim = c[(c["type_code"] == "刑初") & c["cause"].isin(["非法吸收公众存款罪", "集资诈骗罪", "组织、领导传销活动罪"])]
    expected = _by(pd.concat([civil[in_series], crim]))
    assert any(in_series)  # the synthetic data do have case series (repeat enterprise defendants)
    _check(counts, "mass", expected)


def test_performance_share_by_closing_year(counts: pd.DataFrame, small_cases: pd.DataFrame) -> None:
    c = small_cases[small_cases["type_code"].isin(["执", "执恢"]) & small_cases["closed_date"].notna()]
    c = c[pd.to_datetime(c["closed_date"]).dt.year >= 2016]
    _check(counts, "performance", _by(c[c["outcome"] == "执行完毕"], "closed_date"))
    _check(counts, "performance", _by(c, "closed_date"), column="base")
