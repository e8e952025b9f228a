"""The synthetic data generator: determinism, calibration to the reference figures, consistency."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import SMALL_SCALE

import geodata
from analytics import schema
from analytics.codes import COURT_BY_CODE, TYPE_CODES
from seeds import catalog as cat
from seeds.generate import day_weights, generate_cases

CASE_NO = re.compile(r"^\((\d{4})\)(苏\d{2,4})(\D+?)(\d+)号$")


def _digest(df: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(df.astype(str), index=False).sum())


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = generate_cases(seed=7, scale=0.005)
    b = generate_cases(seed=7, scale=0.005)
    c = generate_cases(seed=8, scale=0.005)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_schema_columns_and_types(small_cases: pd.DataFrame) -> None:
    assert list(small_cases.columns) == list(schema.CASE_COLUMN_NAMES)
    for col in (c.name for c in schema.CASE_COLUMNS if c.required and c.name != "h3_r7"):
        assert small_cases[col].notna().all(), col
    assert set(small_cases["category"]) <= set(schema.CATEGORIES)
    assert set(small_cases["procedure"]) <= set(schema.PROCEDURES)
    assert set(small_cases["outcome"].dropna()) <= set(schema.OUTCOMES)


def test_yearly_totals_match_calibration(small_cases: pd.DataFrame) -> None:
    per_year = small_cases.groupby(small_cases["filed_date"].dt.year).size()
    for year in cat.YEARS:
        target = cat.NEW_FILINGS[year] * SMALL_SCALE
        assert abs(per_year[year] / target - 1) < 0.06, (year, per_year[year], target)
    # Lead-in year only contributes cases still pending on 2016-01-01 (旧存).
    lead = small_cases[small_cases["filed_date"].dt.year == cat.LEAD_IN_YEAR]
    assert (lead["closed_date"].isna() | (lead["closed_date"] >= "2016-01-01")).all()


def test_category_mix_is_realistic(small_cases: pd.DataFrame) -> None:
    share = small_cases["category"].value_counts(normalize=True)
    assert 0.50 < share["民事"] < 0.68
    assert 0.20 < share["执行"] < 0.35
    assert 0.05 < share["刑事"] < 0.12
    assert 0.01 < share["行政"] < 0.05


def test_districts_follow_population_and_economy(small_cases: pd.DataFrame) -> None:
    first = small_cases[small_cases["type_code"] == "民初"]
    got = first["adcode"].value_counts(normalize=True)
    pop = pd.Series(cat.DISTRICT_POP, dtype=float)
    gdp = pd.Series(cat.DISTRICT_GDP, dtype=float)
    want = 0.7 * pop / pop.sum() + 0.3 * gdp / gdp.sum()
    assert set(got.index) == set(geodata.DISTRICT_ADCODES)
    assert (got.reindex(want.index) - want).abs().max() < 0.02


def test_case_numbers_are_real_format_unique_and_consistent(small_cases: pd.DataFrame) -> None:
    assert small_cases["case_no"].is_unique
    parts = small_cases["case_no"].str.extract(CASE_NO)
    assert parts.notna().all().all(), small_cases["case_no"][parts.isna().any(axis=1)].head()
    assert (parts[0].astype(int) == small_cases["filed_date"].dt.year).all()
    assert (parts[1] == small_cases["court_code"]).all()
    assert (parts[2] == small_cases["type_code"]).all()
    # Sequence numbers run 1..n per court, type and year (2015 keeps only its pending stock).
    in_period = parts[0].astype(int) >= cat.YEARS[0]
    p = parts[in_period]
    groups = p[3].astype(int).groupby([p[0], p[1], p[2]])
    assert (groups.max() == groups.size()).all()


def test_category_and_procedure_follow_type_code(small_cases: pd.DataFrame) -> None:
    expect = small_cases["type_code"].map({k: v[0] for k, v in TYPE_CODES.items()})
    assert (expect == small_cases["category"]).all()


def test_courts_exist_on_filing_date(small_cases: pd.DataFrame) -> None:
    for code, rows in small_cases.groupby("court_code"):
        court = COURT_BY_CODE[str(code)]
        if court.valid_from:
            assert rows["filed_date"].min() >= pd.Timestamp(court.valid_from), code
        if court.valid_to:
            assert rows["filed_date"].max() <= pd.Timestamp(court.valid_to), code
        if court.adcode and str(code) != cat.ENV_COURT:
            assert (rows["adcode"] == court.adcode).all(), code


def test_dates_outcomes_and_pending(small_cases: pd.DataFrame) -> None:
    closed = small_cases["closed_date"].notna()
    assert (small_cases.loc[closed, "closed_date"] >= small_cases.loc[closed, "filed_date"]).all()
    assert small_cases.loc[closed, "outcome"].notna().all()
    assert small_cases.loc[~closed, "outcome"].isna().all()
    assert small_cases["closed_date"].max() <= pd.Timestamp(cat.AS_OF)
    pending_share = (~closed).mean()
    assert 0.01 < pending_share < 0.06
    days = (small_cases["closed_date"] - small_cases["filed_date"]).dt.days
    civil_small = small_cases["track"] == "小额诉讼"
    assert days[civil_small].median() < days[small_cases["track"] == "普通程序"].median()


def test_derived_cases_link_to_earlier_closed_cases(small_cases: pd.DataFrame) -> None:
    idx = small_cases.set_index("case_no")
    derived = small_cases[small_cases["origin_case_no"].notna()]
    assert len(derived) > 0.15 * len(small_cases)
    known = derived[derived["origin_case_no"].isin(idx.index)]
    origin = idx.loc[known["origin_case_no"]]
    appeals = known["procedure"].to_numpy() == "二审"
    assert (origin["procedure"].to_numpy()[appeals] == "一审").all()
    assert (known["court_code"].to_numpy()[appeals] == "苏06").all()
    before = origin["closed_date"].to_numpy() <= known["filed_date"].to_numpy()
    during = known["type_code"].to_numpy() == "执异"  # objections are filed during enforcement
    assert (before | during).all()
    # Links to the 2015 lead-in year may point outside the data, as in a real extract.
    missing = derived.loc[~derived["origin_case_no"].isin(idx.index), "origin_case_no"]
    assert missing.str.startswith("(2015)").all()


def test_enforcement_money(small_cases: pd.DataFrame) -> None:
    ex = small_cases[small_cases["type_code"].isin(["执", "执恢"])]
    assert (ex["amount_recovered"] <= ex["amount"] + 1e-6).all()
    done = ex[ex["outcome"] == "执行完毕"]
    assert np.allclose(done["amount_recovered"], done["amount"])
    rate = ex["amount_recovered"].sum() / ex["amount"].sum()
    assert 0.2 < rate < 0.7


def test_seasonality_spring_festival_and_2020(small_cases: pd.DataFrame) -> None:
    filed = small_cases["filed_date"]
    for year in (2019, 2023):
        lny = pd.Timestamp(cat.SPRING_FESTIVAL[year])
        holiday = ((filed >= lny - pd.Timedelta(days=3)) & (filed <= lny + pd.Timedelta(days=3))).sum()
        normal = ((filed >= pd.Timestamp(year, 4, 8)) & (filed <= pd.Timestamp(year, 4, 14))).sum()
        assert holiday < 0.3 * normal, year
    per_year = filed.dt.year.value_counts()
    assert per_year[2020] < per_year[2019] < per_year[2021]


def test_day_weights_are_a_distribution() -> None:
    days, p = day_weights(2024)
    assert len(days) == 366 and p.min() >= 0 and abs(p.sum() - 1) < 1e-9


def test_environmental_crimes_tried_centrally_but_mapped_to_place(small_cases: pd.DataFrame) -> None:
    fish = small_cases[(small_cases["cause"] == "非法捕捞水产品罪") & (small_cases["type_code"] == "刑初")]
    late = fish[fish["filed_date"] >= pd.Timestamp(cat.ENV_FROM)]
    assert len(late) > 0 and (late["court_code"] == cat.ENV_COURT).all()
    assert late["adcode"].nunique() >= 4  # counted where the offence happened
    per_year = fish.groupby(fish["filed_date"].dt.year).size()
    assert per_year[2021] > per_year[2017]  # the Yangtze fishing ban campaign


def test_locations_fall_inside_their_district(small_cases: pd.DataFrame) -> None:
    polys = geodata.district_polygons()
    has = small_cases.dropna(subset=["lon", "lat"])
    assert 0.95 < len(has) / len(small_cases) < 0.99
    for adcode, rows in has.groupby("adcode"):
        # Coordinates are rounded to 5 decimals (~1 m): allow for that at the edge.
        inside = shapely.contains_xy(polys[int(adcode)].buffer(1e-4), rows["lon"], rows["lat"])
        assert inside.all(), adcode


def test_repeat_defendants_exist(small_cases: pd.DataFrame) -> None:
    ent = small_cases[small_cases["defendant_kind"] == "企业"]
    counts = ent["defendant_key"].value_counts()
    assert counts.iloc[0] >= 20
    assert ent["defendant_industry"].notna().all()


@pytest.mark.parametrize("col", ["plaintiff_kind", "defendant_kind"])
def test_party_kinds_in_vocabulary(small_cases: pd.DataFrame, col: str) -> None:
    assert set(small_cases[col].dropna()) <= set(schema.PARTY_KINDS)
