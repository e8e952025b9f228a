"""Open-data catalogue: every data set listed; downloads (CSV and Parquet) have the stated rows."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analytics import catalogue, govdata


@pytest.fixture(scope="module")
def overview(small_store):
    from analytics.store import open_store

    con = open_store(small_store, read_only=False)  # the app's configuration: DuckDB allows one per file
    try:
        return catalogue.overview(con)
    finally:
        con.close()


def test_every_data_set_is_listed(overview: pd.DataFrame) -> None:
    assert list(overview["id"]) == ["cases", "judgments", "boundaries", "reference", "gov_indicators", "index_results"]
    for col in ("说明", "来源", "许可", "覆盖范围", "更新时间", "行数"):
        assert overview[col].astype(str).str.len().min() > 0, col
    rows = overview.set_index("id")["行数"]
    assert rows["boundaries"] == 7 and rows["gov_indicators"] == len(govdata.shipped())
    assert rows["index_results"] == 15 * 7 * 10  # 15 indices x 7 districts x 2016-2025


@pytest.mark.parametrize("dataset", ["cases", "boundaries", "reference", "gov_indicators", "index_results"])
def test_downloads_have_the_stated_rows(con, overview: pd.DataFrame, dataset: str) -> None:
    stated = int(overview.set_index("id").loc[dataset, "行数"])
    csv = catalogue.download(con, dataset, "csv")
    assert csv.startswith(b"\xef\xbb\xbf")  # BOM for Excel/WPS
    from_csv = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    from_pq = pd.read_parquet(io.BytesIO(catalogue.download(con, dataset, "parquet")))
    assert len(from_csv) == stated and len(from_pq) == stated
    assert list(from_csv.columns) == list(from_pq.columns)


def test_case_release_withholds_party_keys_and_places(con) -> None:
    df = pd.read_parquet(io.BytesIO(catalogue.download(con, "cases", "parquet")))
    assert not set(catalogue.CASE_WITHHELD) & set(df.columns)
    assert {"case_no", "cause", "filed_date"} <= set(df.columns)
    fields = catalogue.fields_table(catalogue.datasets(True)[0])
    assert list(fields["字段"]) == list(df.columns)


def test_judgments_not_released(con) -> None:
    d = {x.id: x for x in catalogue.datasets(True)}["judgments"]
    assert not d.downloadable and "licence" in d.why_not
    with pytest.raises(KeyError):
        catalogue.download(con, "judgments", "csv")


def test_disclosure_hook_is_applied_to_frames(con, monkeypatch: pytest.MonkeyPatch) -> None:
    # the privacy issue will plug small-count suppression in here: every frame download passes it
    monkeypatch.setattr(catalogue, "disclosure_control", lambda _id, df: df.head(2))
    got = pd.read_csv(io.BytesIO(catalogue.download(con, "gov_indicators", "csv")), encoding="utf-8-sig")
    assert len(got) == 2
