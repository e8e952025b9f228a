"""The synthetic data generator: determinism, calibration to the reference figures, consistency."""

from __future__ import annotations

import json
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
from seeds import plants
from seeds.generate import day_weights, generate_cases, store_meta

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


# --- court structure (issue 8): who hears what, and what goes to 江苏高院 -------------------------

def _origin(df: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The origin rows of ``rows`` that are in ``df`` (aligned to ``rows``; NaN where absent)."""
    return df.set_index("case_no").reindex(rows["origin_case_no"]).set_axis(rows.index)


def test_intermediate_court_hears_admin_large_civil_and_serious_criminal_first_instances(
        small_cases: pd.DataFrame) -> None:
    at06 = small_cases[small_cases["court_code"] == "苏06"]
    for tc in ("行初", "民初", "刑初"):
        assert (at06["type_code"] == tc).sum() > 0, tc
    # 级别管辖 by amount, written out from the notices (not read from the catalog): 1亿 from
    # 法发〔2015〕7号, 5亿 from 2021-10-01 (法发〔2021〕27号).
    civil = small_cases[(small_cases["type_code"] == "民初") & (small_cases["filed_date"] >= "2016-01-01")]
    threshold = np.where(civil["filed_date"] >= pd.Timestamp("2021-10-01"), 5e8, 1e8)
    big = civil[civil["amount"].to_numpy() >= threshold]
    assert (big["court_code"] == "苏06").all()
    # Patent cases are the intermediate court's; murder (life or death, 刑诉法 art. 21) mostly too.
    assert (civil.loc[civil["cause"] == "侵害专利权纠纷", "court_code"] == "苏06").all()
    murder = small_cases[(small_cases["cause"] == "故意杀人罪") & (small_cases["type_code"] == "刑初")]
    assert len(murder) > 0 and (murder["court_code"] == "苏06").mean() > 0.7
    # Ordinary first instances stay at the basic courts.
    theft = small_cases[(small_cases["cause"] == "盗窃罪") & (small_cases["type_code"] == "刑初")]
    assert (theft["court_code"] != "苏06").all()


def test_appeals_at_intermediate_court_come_only_from_basic_courts(small_cases: pd.DataFrame) -> None:
    second = small_cases[small_cases["procedure"] == "二审"]
    assert len(second) > 0 and (second["court_code"] == "苏06").all()
    origin = _origin(small_cases, second)
    known = origin["court_code"].notna()
    assert known.mean() > 0.95
    # An appeal of 苏06's own first instance would go to 江苏高院: none may be filed here.
    assert (origin.loc[known, "court_code"] != "苏06").all()
    assert (origin.loc[known, "procedure"] == "一审").all()


def test_retrial_petitions_at_intermediate_court_are_against_basic_court_judgments(
        small_cases: pd.DataFrame) -> None:
    pet = small_cases[small_cases["type_code"] == "民申"]
    assert len(pet) > 50 and (pet["court_code"] == "苏06").all()
    origin = _origin(small_cases, pet)
    known = origin["court_code"].notna()
    # Petitions against 苏06's 二审 (or its own first instances) go to 江苏高院: never here.
    assert (origin.loc[known, "type_code"] == "民初").all()
    assert (origin.loc[known, "court_code"] != "苏06").all()
    assert origin.loc[known, "outcome"].isin(["判决", "驳回起诉"]).all()
    # ... and against an effective judgment: one that was not appealed.
    appealed = set(small_cases.loc[small_cases["type_code"] == "民终", "origin_case_no"])
    assert not (set(pet["origin_case_no"]) & appealed)


def test_higher_court_filings_are_counted_not_stored(small_cases: pd.DataFrame) -> None:
    higher = small_cases.attrs["higher_court_filings"]
    for tc in ("民终", "行终", "民申"):
        assert sum(higher[tc].values()) > 0, tc
    meta = store_meta(1, 0.03, len(small_cases), 0.0, higher)
    assert json.loads(meta["higher_court_filings"]) == higher


def test_enforcement_stays_with_the_first_instance_court(small_cases: pd.DataFrame) -> None:
    ex = small_cases[(small_cases["type_code"] == "执") & small_cases["origin_case_no"].notna()]
    origin = _origin(small_cases, ex)
    known = origin["court_code"].notna() & (origin["type_code"] == "民初")
    same = ex.loc[known, "court_code"].to_numpy() == origin.loc[known, "court_code"].to_numpy()
    # Only the two re-coded courts differ: 港闸 (苏0611) → 崇川 (苏0602), 海安 苏0621 → 苏0685.
    moved = pd.DataFrame({"from": origin.loc[known, "court_code"].to_numpy()[~same],
                          "to": ex.loc[known, "court_code"].to_numpy()[~same]})
    assert set(map(tuple, moved.drop_duplicates().to_numpy())) <= {("苏0611", "苏0602"), ("苏0621", "苏0685")}
    assert (ex.loc[known & (origin["court_code"] == "苏06"), "court_code"] == "苏06").all()


# --- calibration to the published figures (../shared/reference/published_stats.md) -----------------
# Rates are pooled over 2021-2025 at test scale (the model's rates do not depend on the year, and
# pooling gives ~17,000 first instances, so sampling noise is a small part of each tolerance).

def _closed_in(df: pd.DataFrame, lo: str, hi: str) -> pd.DataFrame:
    c = df["closed_date"]
    return df[(c >= lo) & (c <= hi)]


def test_criminal_first_instances_share_of_closed(small_cases: pd.DataFrame) -> None:
    closed = _closed_in(small_cases, "2021-01-01", "2025-12-31")
    share = (closed["type_code"] == "刑初").mean()
    assert abs(share - 0.036) < 0.004, share  # Jiangsu 2023: 3.6%


def test_reversal_and_remand_rate_of_first_instances(small_cases: pd.DataFrame) -> None:
    closed = _closed_in(small_cases, "2021-01-01", "2025-12-31")
    first = (closed["procedure"] == "一审").sum()
    reversed_ = ((closed["procedure"] == "二审") & closed["outcome"].isin(["改判", "发回重审"])).sum()
    assert abs(reversed_ / first - 0.017) < 0.003, reversed_ / first  # Jiangsu 2023: 1.7%


def test_acceptance_rate_of_first_instances(small_cases: pd.DataFrame) -> None:
    closed = _closed_in(small_cases, "2021-01-01", "2025-12-31")
    first = (closed["procedure"] == "一审").sum()
    filed = small_cases[(small_cases["filed_date"] >= "2021-01-01") & (small_cases["filed_date"] <= "2025-12-31")]
    challenged = ((filed["procedure"] == "二审") | (filed["type_code"] == "民申")).sum()
    assert abs(1 - challenged / first - 0.908) < 0.008, 1 - challenged / first  # Jiangsu 2023: 90.8%


def _deadline(filed: pd.Series, n: int, unit: str) -> pd.Series:
    if unit == "month":
        return filed + pd.DateOffset(months=n)
    return filed + pd.Timedelta(days=n if unit == "day" else n // 24)


def test_on_time_rate(small_cases: pd.DataFrame) -> None:
    closed = _closed_in(small_cases, "2021-01-01", "2025-12-31")
    origin_outcome = _origin(small_cases, closed)["outcome"]
    qualifier = np.array(closed["track"].astype(object).where(closed["track"].notna(), None), dtype=object)
    appeal = (closed["type_code"] == "民终").to_numpy()
    qualifier[appeal & origin_outcome.eq("判决").fillna(False).to_numpy(dtype=bool)] = schema.APPEAL_AGAINST_JUDGMENT
    qualifier[appeal & origin_outcome.eq("驳回起诉").fillna(False).to_numpy(dtype=bool)] = schema.APPEAL_AGAINST_RULING
    known = ok = 0
    for (tc, q), (n, unit) in schema.STATUTORY_LIMITS.items():
        sel = (closed["type_code"] == tc).to_numpy().copy()
        if q is not None:
            sel &= qualifier == q
        rows = closed[sel]
        known += len(rows)
        ok += int((rows["closed_date"] <= _deadline(rows["filed_date"], n, unit)).sum())
    assert known > 0.95 * len(closed)
    assert abs(ok / known - 0.947) < 0.012, ok / known  # Jiangsu 2023: 94.7%


def test_2016_january_to_november_received_and_closed(small_cases: pd.DataFrame) -> None:
    # Nantong 2016 Jan-Nov: received 12.6万, closed 9.69万. Tolerance 5% at test scale (about 2,900
    # closures, sampling sd ~2%); the full default data are within 1.5% (README).
    closed = len(_closed_in(small_cases, "2016-01-01", "2016-11-30")) / SMALL_SCALE
    stock = (small_cases["filed_date"] < "2016-01-01").sum()
    new = ((small_cases["filed_date"] >= "2016-01-01") & (small_cases["filed_date"] <= "2016-11-30")).sum()
    assert abs(closed / 96_900 - 1) < 0.05, closed
    assert abs((stock + new) / SMALL_SCALE / 126_000 - 1) < 0.05, (stock + new) / SMALL_SCALE


def test_environmental_cases_at_rugao_keep_the_place_of_the_offence(small_cases: pd.DataFrame) -> None:
    env = small_cases[small_cases["cause"].isin(["非法捕捞水产品罪", "污染环境罪"])
                      & (small_cases["type_code"] == "刑初")]
    early = env[env["filed_date"] < "2020-07-01"]
    late = env[env["filed_date"] >= "2020-07-01"]
    # Before the Yangtze tribunal: tried where the offence happened.
    assert (early["court_code"].map(lambda c: COURT_BY_CODE[c].adcode) == early["adcode"]).all()
    # After: tried at 如皋 (苏0682), still counted in the offence's district (not 如皋's 320682).
    assert (late["court_code"] == "苏0682").all()
    assert (late["adcode"] != 320682).mean() > 0.5
    polys = geodata.district_polygons()
    placed = late.dropna(subset=["lon", "lat"])
    for adcode, rows in placed.groupby("adcode"):
        assert shapely.contains_xy(polys[int(adcode)].buffer(1e-4), rows["lon"], rows["lat"]).all(), adcode


# --- parties (issue 13): both sides, industries, repeat enterprises, 海安's builders -----------------

def test_parties_on_both_sides(small_cases: pd.DataFrame) -> None:
    for side in ("plaintiff", "defendant"):
        ent = small_cases[small_cases[f"{side}_kind"] == "企业"]
        assert len(ent) > 1000 and ent[f"{side}_industry"].notna().all() and ent[f"{side}_key"].notna().all()
        assert set(ent[f"{side}_industry"]) <= set(schema.INDUSTRIES)
        other = small_cases[small_cases[f"{side}_kind"] != "企业"]
        assert other[f"{side}_industry"].isna().all()
    prosecutor = small_cases[small_cases["plaintiff_kind"] == "检察机关"]
    assert prosecutor["plaintiff_key"].isna().all()
    banks = small_cases[(small_cases["cause"] == "金融借款合同纠纷") & (small_cases["type_code"] == "民初")]
    assert (banks["plaintiff_industry"] == "金融业").all()


def test_enterprise_keys_repeat_with_a_heavy_tail(small_cases: pd.DataFrame) -> None:
    sides = [small_cases.loc[(small_cases[f"{s}_kind"] == "企业") & (small_cases[f"{s}_industry"] != "金融业"),
                             f"{s}_key"] for s in ("plaintiff", "defendant")]
    counts = pd.concat(sides).value_counts()
    top = counts.head(max(len(counts) // 20, 1)).sum() / counts.sum()
    assert top > 0.25, top  # the top 5% of firms are in over a quarter of the enterprise cases
    assert (counts >= 10).sum() >= 20
    # A firm appears on both sides (a builder sues its client and is sued by its workers).
    both = set(sides[0]) & set(sides[1])
    assert len(both) > 100


def _construction_share(df: pd.DataFrame) -> pd.Series:
    build = (df["plaintiff_industry"] == "建筑业") | (df["defendant_industry"] == "建筑业")
    return build.groupby(df["adcode"]).mean(), build.mean()


def test_haian_has_two_to_three_times_the_city_share_of_construction_cases(small_cases: pd.DataFrame) -> None:
    by_district, city = _construction_share(small_cases)
    assert 2.0 <= by_district[320685] / city <= 3.0, by_district[320685] / city
    assert by_district.drop(320685).max() < 1.2 * city


def test_construction_causes_exist_with_builders(small_cases: pd.DataFrame) -> None:
    builder = (small_cases["defendant_industry"] == "建筑业") | (small_cases["plaintiff_industry"] == "建筑业")
    first = small_cases["type_code"] == "民初"
    for cause in ("建设工程施工合同纠纷", "建设工程分包合同纠纷", "劳务合同纠纷", "追索劳动报酬纠纷", "劳动争议",
                  "买卖合同纠纷", "租赁合同纠纷", "民间借贷纠纷", "金融借款合同纠纷", "破产债权确认纠纷"):
        assert (first & builder & (small_cases["cause"] == cause)).sum() > 0, cause
    ex = small_cases[(small_cases["type_code"] == "执") & (small_cases["defendant_industry"] == "建筑业")]
    assert len(ex) > 20  # builders as 被执行人


def test_wage_claims_against_builders_come_in_year_end_waves(small_cases: pd.DataFrame) -> None:
    wages = small_cases[(small_cases["type_code"] == "民初") & (small_cases["cause"] == "追索劳动报酬纠纷")
                        & small_cases["defendant_key"].ne(plants.MASS_DISPUTE_KEY).fillna(True)]
    builders = wages["defendant_industry"] == "建筑业"
    wave = wages["filed_date"].dt.month.isin([12, 1])
    # Without a wave December + January hold about 2/12 of filings; with it, far more.
    assert wave[builders].mean() > 0.35, wave[builders].mean()
    assert wave[~builders].mean() < 0.25


# --- planted events (issue 12): the manifest and the cases behind it -------------------------------

def _months(ev: plants.PlantedEvent) -> list[pd.Period]:
    return list(pd.period_range(ev.start, periods=ev.months, freq="M"))


def test_planted_manifest_is_varied_and_documented() -> None:
    surges = [e for e in plants.PLANTED if e.kind == "surge"]
    assert len(surges) >= 5
    assert {2.0, 3.0, 5.0} <= {e.factor for e in surges}
    assert {e.months for e in surges} == {1, 2, 3}
    assert len({e.adcode for e in surges}) >= 5 and len({e.cause for e in surges}) >= 4
    for e in plants.PLANTED:
        assert re.fullmatch(r"20(23|24|25)-\d\d", e.start) and e.note and e.adcode in geodata.DISTRICT_ADCODES
        end = pd.Period(e.start, "M") + e.months - 1
        assert end <= pd.Period("2025-12", "M")
        assert (e.party_key is None) == (e.kind == "surge") and (e.factor > 0) == (e.kind == "surge")
    assert sorted(e.kind for e in plants.PLANTED if e.kind != "surge") == ["mass_dispute", "professional_lender"]


def test_planted_surges_are_in_the_data(small_cases: pd.DataFrame) -> None:
    first = small_cases[small_cases["type_code"] == "民初"]
    month = first["filed_date"].dt.to_period("M")
    for ev in (e for e in plants.PLANTED if e.kind == "surge"):
        series = first[(first["adcode"] == ev.adcode) & (first["cause"] == ev.cause)].groupby(month).size()
        before = series.reindex(pd.period_range(pd.Period(ev.start, "M") - 12, periods=12, freq="M"), fill_value=0)
        want = got = 0.0
        for m in _months(ev):
            expected = plants.expected_monthly(ev.adcode, ev.cause, str(m), SMALL_SCALE)
            # The generator's expectation is the series' real level: the 12 months before the
            # event average within 50% of it (independent of plants' own arithmetic).
            assert 0.5 * expected < before.mean() < 1.5 * expected, (ev.cause, before.mean(), expected)
            # Each surge month holds at least the planted extra cases: (factor - 1) x expected, >= 8.
            n = series.get(m, 0)
            assert n >= max(int((ev.factor - 1) * expected), plants.SURGE_FLOOR), (ev, m, n, expected)
            want += max(ev.factor * expected, expected + plants.SURGE_FLOOR)
            got += n
        # Over the event, about factor x the usual level (background counts are Poisson at this scale).
        assert got >= 0.8 * want, (ev, got, want)
        assert got / ev.months >= 1.8 * before.mean(), (ev, got, before.mean())


def test_planted_mass_wage_dispute_against_one_builder(small_cases: pd.DataFrame) -> None:
    ev = next(e for e in plants.PLANTED if e.kind == "mass_dispute")
    rows = small_cases[(small_cases["defendant_key"] == ev.party_key) & (small_cases["type_code"] == "民初")]
    assert (rows["cause"] == ev.cause).all() and (rows["adcode"] == 320685).all()
    assert (rows["defendant_industry"] == "建筑业").all() and rows["plaintiff_key"].is_unique
    days = np.sort(rows["filed_date"].to_numpy())
    in_90 = np.searchsorted(days, days + np.timedelta64(90, "D"), side="right") - np.arange(len(days))
    assert in_90.max() >= 15  # the rule's threshold is 10 in 90 days
    assert rows["filed_date"].dt.to_period("M").min() == pd.Period(ev.start, "M")
    assert str(days[9])[:10] == "2024-12-31"  # the 10th suit, as documented in seeds/plants.py


def test_planted_professional_lender(small_cases: pd.DataFrame) -> None:
    ev = next(e for e in plants.PLANTED if e.kind == "professional_lender")
    rows = small_cases[(small_cases["plaintiff_key"] == ev.party_key) & (small_cases["type_code"] == "民初")]
    assert (rows["cause"] == "民间借贷纠纷").all() and rows["defendant_key"].is_unique
    days = np.sort(rows["filed_date"].to_numpy())
    in_2y = np.searchsorted(days, days + np.timedelta64(730, "D"), side="right") - np.arange(len(days))
    assert in_2y.max() >= 25
    assert str(days[9])[:10] == "2023-09-19"  # the 10th suit, as documented in seeds/plants.py
    span = pd.period_range(ev.start, periods=ev.months, freq="M")
    assert rows["filed_date"].dt.to_period("M").isin(span).all()


def test_no_background_party_reaches_the_planted_thresholds_at_test_scale(small_cases: pd.DataFrame) -> None:
    first = small_cases[(small_cases["type_code"] == "民初") & (small_cases["filed_date"] >= "2016-01-01")]
    wages = first[first["cause"].isin(["劳动争议", "追索劳动报酬纠纷"]) & first["defendant_key"].notna()
                  & (first["defendant_key"] != plants.MASS_DISPUTE_KEY)]
    per_quarter = wages.groupby([wages["defendant_key"], wages["filed_date"].dt.to_period("Q")]).size()
    assert per_quarter.max() < 10
    loans = first[(first["cause"] == "民间借贷纠纷") & first["plaintiff_key"].notna()
                  & (first["plaintiff_key"] != plants.LENDER_KEY)]
    assert loans.groupby("plaintiff_key").size().max() < 10
