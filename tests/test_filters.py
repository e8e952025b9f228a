"""The shared filter: URL round trip, bad values, SQL semantics."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import filters as F

OPTS = F.FilterOptions(
    categories=("刑事", "民事", "执行"),
    cause_groups=("合同、准合同纠纷", "危害公共安全罪"),
    causes=("民间借贷纠纷", "危险驾驶罪"),
    courts=("苏06", "苏0602", "苏0682"),
    procedures=("一审", "二审"),
    outcomes=("判决", "调解"),
    year_min=2016,
    year_max=2025,
    districts=(320613, 320682),
)


def test_default_is_latest_year_everything() -> None:
    flt, warnings = F.parse_query_params({}, OPTS)
    assert flt == F.CaseFilter(2025, 2025)
    assert warnings == []


@pytest.mark.parametrize(
    "flt",
    [
        F.CaseFilter(2016, 2025),
        F.CaseFilter(2019, 2021, categories=("刑事", "民事"), courts=("苏0602", "苏0682", "苏06")),
        F.CaseFilter(2020, 2020, causes=("危险驾驶罪",), outcomes=("判决", F.PENDING), district=320682),
        F.CaseFilter(2025, 2025, cause_groups=("合同、准合同纠纷",), procedures=("二审",)),
    ],
)
def test_url_round_trip(flt: F.CaseFilter) -> None:
    params = flt.to_query_params(F.default_filter(OPTS))
    back, warnings = F.parse_query_params(params, OPTS)
    assert back == flt
    assert warnings == []


def test_default_fields_stay_out_of_the_url() -> None:
    assert F.CaseFilter(2025, 2025).to_query_params(F.default_filter(OPTS)) == {}
    assert F.CaseFilter(2024, 2025).to_query_params(F.default_filter(OPTS)) == {"y": "2024-2025"}


@pytest.mark.parametrize(
    ("params", "expect_field", "expect_value"),
    [
        ({"y": "abc"}, "year_from", 2025),
        ({"y": "2030-2040"}, "year_from", 2025),
        ({"y": "2021-2019"}, "year_to", 2025),
        ({"y": "2019-2020-2021"}, "year_to", 2025),
        ({"court": "苏9999,苏0602"}, "courts", ("苏0602",)),
        ({"cat": "不存在"}, "categories", ()),
        ({"d": "x"}, "district", None),
        ({"d": "110101"}, "district", None),
        ({"out": "判决,<script>"}, "outcomes", ("判决",)),
    ],
)
def test_bad_values_warn_and_fall_back(params: dict, expect_field: str, expect_value: object) -> None:
    flt, warnings = F.parse_query_params(params, OPTS)
    assert getattr(flt, expect_field) == expect_value
    assert len(warnings) == 1
    assert "/" in warnings[0]  # Chinese / English


def test_years_are_clipped_to_the_data() -> None:
    flt, warnings = F.parse_query_params({"y": "2010-2018"}, OPTS)
    assert (flt.year_from, flt.year_to) == (2016, 2018)
    assert warnings == []


def test_repeated_keys_take_the_last_value() -> None:
    flt, _ = F.parse_query_params({"y": ["2017", "2018-2019"]}, OPTS)
    assert (flt.year_from, flt.year_to) == (2018, 2019)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "filed_date": pd.to_datetime(["2019-12-31", "2020-01-01", "2020-06-30", "2021-01-01", "2020-03-03"]),
            "closed_date": pd.to_datetime(["2020-01-05", None, "2020-07-30", None, "2020-04-01"]),
            "category": ["民事", "民事", "刑事", "民事", "执行"],
            "cause_group": ["g", "g", "h", "g", "g"],
            "cause": ["a", "a", "b", "a", "c"],
            "court_code": ["苏0602", "苏0682", "苏0602", "苏0602", "苏06"],
            "procedure": ["一审"] * 5,
            "outcome": ["判决", None, "调解", None, "判决"],
            "adcode": [320613, 320682, 320613, 320613, 320682],
        }
    )


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (F.CaseFilter(2020, 2020), 3),
        (F.CaseFilter(2019, 2021), 5),
        (F.CaseFilter(2020, 2020, categories=("民事",)), 1),
        (F.CaseFilter(2020, 2020, outcomes=(F.PENDING,)), 1),
        (F.CaseFilter(2020, 2020, outcomes=("判决", F.PENDING)), 2),
        (F.CaseFilter(2020, 2020, district=320613), 1),
        (F.CaseFilter(2019, 2021, courts=("苏0602",), causes=("a",)), 2),
    ],
)
def test_where_clause_semantics(flt: F.CaseFilter, expected: int) -> None:
    con = duckdb.connect()
    con.register("cases", _frame())
    where, params = flt.where()
    assert con.execute(f"SELECT count(*) FROM cases WHERE {where}", params).fetchone()[0] == expected


def test_where_can_leave_out_years_and_district() -> None:
    where, params = F.CaseFilter(2020, 2020, district=1).where(years=False, district=False)
    assert where == "TRUE" and params == []


def test_options_from_store(con: duckdb.DuckDBPyConnection) -> None:
    opts = F.load_options(con)
    assert opts.year_min == 2016 and opts.year_max == 2025  # 2015 is only pending stock
    assert opts.categories[:4] == ("刑事", "民事", "行政", "执行")
    assert set(opts.districts) - {320600} == {320613, 320612, 320614, 320685, 320682, 320623, 320681}
    assert all(opts.cause_parent[c] in opts.cause_groups for c in opts.causes)
    assert opts.courts[0] == "苏06"  # fixed display order, never by volume


def test_cause_groups_list_every_category_they_occur_in(con: duckdb.DuckDBPyConnection, small_cases) -> None:
    # Enforcement cases carry the cause of the judgment they enforce: 合同 causes occur under
    # 民事 and under 执行, so choosing 执行 must not prune them (oracle: a pandas group-by).
    opts = F.load_options(con)
    want = small_cases.groupby("cause_group", observed=True)["category"].agg(lambda s: sorted(set(map(str, s))))
    assert {g: list(c) for g, c in opts.group_category.items()} == want.to_dict()
    assert {"民事", "执行"} <= set(opts.group_category["合同、准合同纠纷"])


@pytest.mark.parametrize(
    "flt",
    [F.CaseFilter(2020, 2020, outcomes=("判决", F.PENDING), district=320682),
     F.CaseFilter(2019, 2021, courts=("苏0602",), causes=("a",), categories=("民事",))],
)
def test_named_parameters_give_the_same_rows(flt: F.CaseFilter) -> None:
    con = duckdb.connect()
    con.register("cases", _frame())
    where, params = flt.where()
    named, by_name = flt.where_named()
    assert "?" not in named and set(by_name) == {f"f{i}" for i in range(len(params))}
    got = con.execute(f"SELECT count(*) FROM cases WHERE {named}", by_name).fetchone()[0]
    assert got == con.execute(f"SELECT count(*) FROM cases WHERE {where}", params).fetchone()[0] > 0


# --- options and data span from the store's metadata (written at every load and write) -------


def _scan_oracle(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Options computed in pandas from a full read of the store (shares no code with filters.py)."""
    df = con.execute("SELECT * FROM cases").df()
    enum = {t: con.execute(f"SELECT enum_range(NULL::{t})::VARCHAR[]").fetchall()[0][0]
            for t in ("category_t", "court_code_t", "procedure_t", "outcome_t", "cause_t")}
    start = con.execute("SELECT value FROM meta WHERE key = 'period_start'").fetchall()
    years = df["filed_date"].dt.year
    causes = set(df["cause"].astype(str))
    return {
        "categories": tuple(v for v in enum["category_t"] if v in set(df["category"].astype(str))),
        "courts": tuple(v for v in enum["court_code_t"] if v in set(df["court_code"].astype(str))),
        "procedures": tuple(v for v in enum["procedure_t"] if v in set(df["procedure"].astype(str))),
        "outcomes": tuple(v for v in enum["outcome_t"] if v in set(df["outcome"].dropna().astype(str))),
        "causes": tuple(v for v in enum["cause_t"] if v in causes),
        "year_min": max(int(years.min()), int(start[0][0][:4])) if start else int(years.min()),
        "year_max": int(years.max()),
        "districts": tuple(sorted(int(a) for a in df["adcode"].unique())),
        "as_of": max(df["filed_date"].max(), df["closed_date"].max()).date(),
    }


def _as_dict(opts: F.FilterOptions, as_of: date) -> dict[str, object]:
    return {"categories": opts.categories, "courts": opts.courts, "procedures": opts.procedures,
            "outcomes": opts.outcomes, "causes": opts.causes, "year_min": opts.year_min,
            "year_max": opts.year_max, "districts": opts.districts, "as_of": as_of}


@pytest.fixture()
def rw_store(small_store: Path, tmp_path: Path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(small_store, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def test_options_come_from_metadata_not_a_scan(rw_store: duckdb.DuckDBPyConnection) -> None:
    from analytics import maps

    want = _scan_oracle(rw_store)
    assert _as_dict(F.load_options(rw_store), maps.data_as_of(rw_store)) == want
    # With the case table out of reach, the options and the data span still load: no scan.
    rw_store.execute("ALTER TABLE cases RENAME TO cases_hidden")
    assert _as_dict(F.load_options(rw_store), maps.data_as_of(rw_store)) == want
    rw_store.execute("ALTER TABLE cases_hidden RENAME TO cases")
    # A store written before the metadata existed is scanned instead, with the same result.
    rw_store.execute("DELETE FROM meta WHERE key = ?", [F.OPTIONS_META_KEY])
    assert _as_dict(F.load_options(rw_store), maps.data_as_of(rw_store)) == want


def test_options_metadata_follows_a_write(rw_store: duckdb.DuckDBPyConnection) -> None:
    from analytics import maps
    from analytics.store import upsert_cases

    before = F.load_options(rw_store)
    new = rw_store.execute("SELECT * FROM cases ORDER BY case_no LIMIT 3").df()
    new["case_no"] = new["case_no"] + "N"
    new["adcode"] = 320600  # unplaced: a district code the store did not have
    new["court_code"] = "苏0699"  # a court code the store did not have (the ENUMs grow)
    new["filed_date"] = pd.Timestamp("2026-02-03")  # a later year and data span
    new["closed_date"] = [pd.Timestamp("2026-03-04"), pd.NaT, pd.NaT]
    upsert_cases(rw_store, new)
    got = _as_dict(F.load_options(rw_store), maps.data_as_of(rw_store))
    assert got == _scan_oracle(rw_store)
    # By hand: the new values appear in the options, the span ends on the new closing date.
    assert 320600 in got["districts"] and 320600 not in before.districts
    assert "苏0699" in got["courts"] and got["year_max"] == 2026
    assert got["as_of"] == date(2026, 3, 4)


def test_describe_names_each_choice_in_a_fixed_order() -> None:
    names = {320682: "如皋"}
    assert F.CaseFilter(2020, 2025).describe(names) is None  # every case (the years are said elsewhere)
    flt = F.CaseFilter(2020, 2025, categories=("民事", "刑事"), causes=("盗窃罪",), courts=("苏0682", "苏9999"),
                       procedures=("一审",), outcomes=(F.PENDING,), district=320682)
    assert flt.describe(names) == ("案件类别：民事、刑事；案由/罪名：盗窃罪；审级/程序：一审；结案方式：未结；"
                                   "法院：如皋法院、苏9999；区县：如皋")
    assert F.CaseFilter(2020, 2025, district=320699).describe(names) == "区县：320699"  # unknown: its code
