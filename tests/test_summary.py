"""The map's fast path (pre-aggregated cubes, analytics/summary.py) == the reference SQL == pandas.

``analytics.maps`` answers from the summary whenever the store has a current one, so the oracle
tests in test_maps.py already run the fast path against pandas; here every fast function is
compared with the reference SQL over ``cases`` (``maps._*_cases``) for many filters and for
year-on-year windows that end inside a month, and the fallbacks are exercised: no summary, a
stale summary, an upsert, a store whose columns are not ENUMs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import geodata
from analytics import maps, summary, summary_map
from analytics.filters import PENDING, CaseFilter
from analytics.store import build_store, bump_data_version, data_version, open_store, upsert_cases

POP = geodata.rate_population()

FILTERS = [
    CaseFilter(2025, 2025),
    CaseFilter(2016, 2025),
    CaseFilter(2019, 2021, categories=("刑事", "民事"), courts=("苏0602", "苏0682", "苏0612")),
    CaseFilter(2025, 2025, district=320682),
    CaseFilter(2016, 2025, causes=("危险驾驶罪",)),
    CaseFilter(2016, 2025, causes=("非法捕捞水产品罪", "民间借贷纠纷"), district=320623),
    CaseFilter(2020, 2020, procedures=("一审",), outcomes=("判决", PENDING), district=320682),
    CaseFilter(2023, 2024, cause_groups=("合同、准合同纠纷",), outcomes=("调解",)),
    CaseFilter(2024, 2025, outcomes=(PENDING,)),
    CaseFilter(2018, 2022, categories=("执行",), procedures=("执行实施",), courts=("苏0681",)),
    CaseFilter(2025, 2025, causes=("不存在的案由",)),  # unknown value: nothing matches
    CaseFilter(2022, 2022, outcomes=("不存在", PENDING)),
    CaseFilter(2030, 2031),  # beyond the data
]
# The data end on 2025-12-31; these make the year-on-year windows end inside a month (or be empty).
AS_OFS = [date(2025, 12, 31), date(2025, 6, 15), date(2025, 1, 1), date(2024, 2, 29), date(2025, 3, 31)]


def _same(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> None:
    """Every map function equals its reference over ``cases`` (values and dtypes)."""
    assert_frame_equal(maps.district_stats(con, flt, POP, as_of), maps._district_stats_cases(con, flt, POP, as_of))
    assert maps.headline(con, flt, as_of) == maps._headline_cases(con, flt, as_of)
    assert_frame_equal(maps.hex_density(con, flt), maps._hex_density_cases(con, flt))
    assert_frame_equal(maps.hex_density(con, flt, min_count=4), maps._hex_density_cases(con, flt, 4))
    assert_frame_equal(maps.monthly_trend(con, flt), maps._monthly_trend_cases(con, flt))
    for n in (10, 3, 0):
        assert_frame_equal(maps.top_causes(con, flt, n), maps._top_causes_cases(con, flt, n))


def _uses_summary(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> None:
    """The fast functions answer (rather than handing over to ``cases``)."""
    assert summary.available(con)
    win = [summary_map.Window("cases", date(flt.year_from, 1, 1), date(flt.year_to, 12, 31))]
    assert summary_map.window_counts(con, flt, win, district=True, by_adcode=True) is not None
    assert summary_map.hex_density(con, flt) is not None
    assert summary_map.monthly_trend(con, flt) is not None
    assert summary_map.top_causes(con, flt) is not None


@pytest.mark.parametrize("flt", FILTERS)
def test_fast_equals_reference(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> None:
    _uses_summary(con, flt)
    _same(con, flt, date(2025, 12, 31))


@pytest.mark.parametrize("as_of", AS_OFS)
@pytest.mark.parametrize("flt", FILTERS[:4] + FILTERS[6:9])
def test_partial_month_windows(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> None:
    assert maps.headline(con, flt, as_of) == maps._headline_cases(con, flt, as_of)
    assert_frame_equal(maps.district_stats(con, flt, POP, as_of), maps._district_stats_cases(con, flt, POP, as_of))


def test_partial_window_against_pandas(con: duckdb.DuckDBPyConnection, small_cases: pd.DataFrame) -> None:
    flt, as_of = CaseFilter(2024, 2025, categories=("民事",)), date(2025, 6, 15)
    got = maps.district_stats(con, flt, POP, as_of).set_index("adcode")
    sub = small_cases[small_cases["category"] == "民事"]
    filed = sub["filed_date"]
    cur = sub[(filed >= "2025-01-01") & (filed <= "2025-06-15")].groupby("adcode").size()
    prev = sub[(filed >= "2024-01-01") & (filed <= "2024-06-15")].groupby("adcode").size()
    for adcode, row in got.iterrows():
        assert row["yoy_cur"] == cur.get(adcode, 0)
        assert row["yoy_prev"] == prev.get(adcode, 0)
    head = maps.headline(con, flt.with_(district=320682), as_of)
    d = sub[sub["adcode"] == 320682]
    assert head.yoy_cur == ((d["filed_date"] >= "2025-01-01") & (d["filed_date"] <= "2025-06-15")).sum()
    assert head.yoy_prev == ((d["filed_date"] >= "2024-01-01") & (d["filed_date"] <= "2024-06-15")).sum()


def test_smallest_cube_is_chosen(con: duckdb.DuckDBPyConnection) -> None:
    inf = summary.info(con)
    assert inf is not None
    rows = {c.name: c.rows for c in inf.cubes}
    assert inf.cube("month", {"adcode"}) == "summary_m_small"
    assert inf.cube("month", {"adcode", "court_code"}) in ("summary_m_court", "summary_m_full")
    assert inf.cube("month", {"adcode", "cause"}) in ("summary_m_cause", "summary_m_full")
    assert inf.cube("year", {"h3c"}) == "summary_h_small"
    assert inf.cube("year", {"h3c", "cause", "outcome"}) == "summary_h_full"
    assert inf.cube("month", {"h3c"}) is None
    assert rows["summary_m_small"] <= rows["summary_m_full"] and rows["summary_h_small"] <= rows["summary_h_full"]
    # Every cube counts every case (the hexagon cubes: every case with a location).
    n, located = con.execute("SELECT count(*), count(h3_r7) FROM cases").fetchone()
    for c in inf.cubes:
        total = con.execute(f"SELECT sum(n) FROM {c.name}").fetchone()[0]
        assert total == (n if c.grain == "month" else located)


def test_texts_are_the_values_of_the_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Codes back to values (the string column ``.df()`` makes), from the array made once per summary."""
    inf = summary.info(con)
    assert inf is not None
    a, b = inf.codes["cause"]["危险驾驶罪"], inf.codes["cause"]["民间借贷纠纷"]
    got = inf.texts("cause", np.array([b, a, b]))
    assert got.tolist() == ["民间借贷纠纷", "危险驾驶罪", "民间借贷纠纷"]
    assert got.dtype == summary._strings(np.array(["x"], dtype=object)).dtype
    assert inf.texts("cause", np.array([a])).tolist() == ["危险驾驶罪"]  # again, from the cached array
    empty = inf.texts("cause", np.array([], dtype="int64"))
    assert len(empty) == 0 and empty.dtype == object


def test_trend_months_are_not_shared(con: duckdb.DuckDBPyConnection) -> None:
    """Every month of the years once (first days); a caller changing one frame changes no other."""
    flt = CaseFilter(2024, 2025)
    first = summary_map.monthly_trend(con, flt)
    assert first is not None and len(first) == 24 and str(first["month"].dtype) == "datetime64[us]"
    assert first["month"].iloc[0] == pd.Timestamp("2024-01-01")
    assert first["month"].iloc[-1] == pd.Timestamp("2025-12-01")
    first.loc[0, "month"] = pd.Timestamp("1999-01-01")
    again = summary_map.monthly_trend(con, flt)
    assert again is not None and again["month"].iloc[0] == pd.Timestamp("2024-01-01")


# --- fallbacks: no summary, stale summary, upsert, unexpected schema ---------------------------


@pytest.fixture()
def rw_copy(small_store: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the small store."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    yield c
    c.close()


def test_without_summary_maps_answers_from_cases(rw_copy: duckdb.DuckDBPyConnection) -> None:
    flt = FILTERS[2]
    before = maps.district_stats(rw_copy, flt, POP, date(2025, 12, 31))
    summary.drop(rw_copy)
    assert summary.info(rw_copy) is None and not summary.available(rw_copy)
    assert summary_map.hex_density(rw_copy, flt) is None
    assert_frame_equal(maps.district_stats(rw_copy, flt, POP, date(2025, 12, 31)), before)
    _same(rw_copy, flt, date(2025, 6, 15))
    # A store without a summary never aborts the caller's transaction (no failing statement).
    rw_copy.execute("BEGIN TRANSACTION")
    maps.headline(rw_copy, flt, date(2025, 12, 31))
    assert rw_copy.execute("SELECT 1").fetchone() == (1,)
    rw_copy.execute("ROLLBACK")
    assert summary.refresh(rw_copy)
    _uses_summary(rw_copy, flt)


def test_stale_summary_is_not_used(rw_copy: duckdb.DuckDBPyConnection) -> None:
    rw_copy.execute("DELETE FROM cases WHERE filed_date >= DATE '2025-07-01' AND category = '民事'")
    assert not summary.available(rw_copy)
    flt = CaseFilter(2024, 2025)
    assert summary_map.monthly_trend(rw_copy, flt) is None  # the guard in the cube query caught it
    _same(rw_copy, flt, date(2025, 12, 31))
    _same(rw_copy, FILTERS[6], date(2025, 6, 15))


def test_same_size_update_makes_the_summary_stale(rw_copy: duckdb.DuckDBPyConnection) -> None:
    """An UPDATE keeps the row count: only the data version can tell the summary is stale."""
    flt = CaseFilter(2024, 2024, district=320623)
    n_before = rw_copy.execute("SELECT count(*) FROM cases").fetchone()[0]
    moved = rw_copy.execute(
        "SELECT count(*) FROM cases WHERE year(filed_date) = 2024 AND adcode = 320682").fetchone()[0]
    before = maps.headline(rw_copy, flt, date(2025, 12, 31)).cases
    assert moved > 0
    rw_copy.execute("BEGIN TRANSACTION")
    rw_copy.execute("UPDATE cases SET adcode = 320623 WHERE year(filed_date) = 2024 AND adcode = 320682")
    bump_data_version(rw_copy)  # what every writer does in its transaction
    rw_copy.execute("COMMIT")
    assert rw_copy.execute("SELECT count(*) FROM cases").fetchone()[0] == n_before  # same size
    assert not summary.available(rw_copy)
    assert summary_map.monthly_trend(rw_copy, flt) is None  # the cube guard refuses the stale cubes
    # The map now answers from cases: 如东 gained exactly the moved 如皋 cases.
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == before + moved
    _same(rw_copy, flt, date(2025, 12, 31))
    assert summary.refresh(rw_copy)
    _uses_summary(rw_copy, flt)
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == before + moved
    _same(rw_copy, flt, date(2025, 6, 15))


def test_same_size_delete_and_insert_makes_the_summary_stale(rw_copy: duckdb.DuckDBPyConnection) -> None:
    """Delete 25 cases and insert 25 others (same count): the summary must not be used."""
    flt = CaseFilter(2016, 2025, categories=("行政",))
    before = maps.headline(rw_copy, flt, date(2025, 12, 31)).cases
    rw_copy.execute("BEGIN TRANSACTION")
    pick = "SELECT case_no FROM cases WHERE category = '行政' AND year(filed_date) >= 2016 ORDER BY case_no LIMIT 25"
    gone = rw_copy.execute(pick).fetchall()
    rw_copy.execute(f"DELETE FROM cases WHERE case_no IN ({pick})")
    rw_copy.execute("""INSERT INTO cases SELECT * REPLACE (case_no || 'Z' AS case_no) FROM cases
                       WHERE category = '民事' ORDER BY case_no LIMIT 25""")
    bump_data_version(rw_copy)
    rw_copy.execute("COMMIT")
    assert len(gone) == 25
    assert not summary.available(rw_copy)
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == before - 25
    _same(rw_copy, flt, date(2025, 12, 31))
    assert summary.refresh(rw_copy)
    assert summary.available(rw_copy)
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == before - 25


def test_upsert_of_changed_rows_bumps_the_version(rw_copy: duckdb.DuckDBPyConnection) -> None:
    """An import replacing rows (same count) writes a new version and rebuilds the summary."""
    v0 = data_version(rw_copy)
    old = summary.info(rw_copy)
    changed = rw_copy.execute(
        "SELECT * FROM cases WHERE category = '民事' AND year(filed_date) = 2023 ORDER BY case_no LIMIT 30").df()
    already = int((changed["adcode"] == 320681).sum())  # rows that were 启东 before (unchanged)
    changed["adcode"] = 320681
    flt = CaseFilter(2023, 2023, district=320681)
    before = maps.headline(rw_copy, flt, date(2025, 12, 31)).cases
    result = upsert_cases(rw_copy, changed)
    assert result.inserted == 0 and result.replaced == 30 - already
    v1 = data_version(rw_copy)
    new = summary.info(rw_copy)
    assert v0 and v1 and v1 != v0
    assert new is not None and old is not None and new.data_version == v1 != old.data_version
    _uses_summary(rw_copy, flt)
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == before + 30 - already
    _same(rw_copy, flt, date(2025, 12, 31))


def test_upsert_refreshes_the_summary(rw_copy: duckdb.DuckDBPyConnection) -> None:
    old = summary.info(rw_copy)
    incoming = rw_copy.execute(
        "SELECT * FROM cases WHERE filed_date >= DATE '2016-01-01' ORDER BY case_no LIMIT 40").df()
    incoming["case_no"] = incoming["case_no"] + "X"  # 40 new cases
    incoming["cause"] = "新案由"  # a value the store has not seen: the ENUMs grow
    incoming["cause_group"] = "新案由组"
    result = upsert_cases(rw_copy, incoming)
    assert result.inserted == 40
    new = summary.info(rw_copy)
    assert new is not None and old is not None and new.build != old.build
    flt = CaseFilter(2016, 2025, causes=("新案由",))
    _uses_summary(rw_copy, flt)
    assert maps.headline(rw_copy, flt, date(2025, 12, 31)).cases == 40
    _same(rw_copy, flt, date(2025, 12, 31))
    _same(rw_copy, FILTERS[2], date(2025, 6, 15))


def test_refresh_declines_a_schema_without_enums(tmp_path: Path, small_cases: pd.DataFrame) -> None:
    c = duckdb.connect(str(tmp_path / "plain.duckdb"))
    sample = small_cases.head(500).copy()
    sample["h3_r7"] = pd.array([None] * len(sample), dtype="UInt64")
    c.register("s", sample)
    c.execute("CREATE TABLE cases AS SELECT * FROM s")
    assert summary.refresh(c) is False
    assert summary.info(c) is None
    flt = CaseFilter(2016, 2025)
    assert maps.headline(c, flt, date(2025, 12, 31)).cases == len(sample[sample["filed_date"] >= "2016-01-01"])
    c.close()


# --- hand-made frames -------------------------------------------------------------------------


def random_frame(seed: int, n: int) -> pd.DataFrame:
    """Cases with dates on month edges, missing places, pending cases and a cause in two groups."""
    rng = np.random.default_rng(seed)
    kinds = [("民事", "民初", "一审", "合同纠纷", "借款纠纷"), ("民事", "民终", "二审", "合同纠纷", "借款纠纷"),
             ("民事", "民初", "一审", "侵权纠纷", "借款纠纷"),  # same cause, another group
             ("刑事", "刑初", "一审", "盗窃类", "盗窃罪"), ("执行", "执", "执行实施", "执行类", "借款纠纷"),
             ("行政", "行初", "一审", "行政类", "政府信息公开")]
    courts = ["苏0602", "苏0682", "苏06", "苏0623"]
    ads = [320613, 320682, 320612, 320623, 320681]
    days = pd.date_range("2016-01-01", "2025-12-31").to_numpy()
    edges = days[(pd.DatetimeIndex(days).day == 1) | (pd.DatetimeIndex(days).is_month_end)]
    rows = []
    for i in range(n):
        cat, tc, proc, grp, cause = kinds[rng.integers(len(kinds))]
        pool = edges if rng.random() < 0.4 else days
        filed = pd.Timestamp(pool[rng.integers(len(pool))])
        pending = rng.random() < 0.25
        closed = None if pending else filed + pd.Timedelta(days=int(rng.integers(0, 400)))
        located = rng.random() > 0.1
        rows.append({
            "case_no": f"h{i}", "court_code": courts[rng.integers(len(courts))], "adcode": ads[rng.integers(len(ads))],
            "category": cat, "type_code": tc, "procedure": proc, "cause_group": grp, "cause": cause,
            "filed_date": filed, "closed_date": closed,
            "outcome": None if pending else ["判决", "调解", "撤诉", "执行完毕"][rng.integers(4)],
            "lon": round(float(rng.uniform(120.6, 121.0)), 5) if located else None,
            "lat": round(float(rng.uniform(31.9, 32.2)), 5) if located else None,
            "source": "synthetic",
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, pd.DataFrame]]:
    frame = random_frame(11, 3000)
    path = build_store(tmp_path_factory.mktemp("sumhand") / "hand.duckdb", frame, {"kind": "test"})
    c = duckdb.connect(str(path), read_only=True)
    yield c, frame
    c.close()


HAND_FILTERS = [
    CaseFilter(2016, 2025),
    CaseFilter(2020, 2021, causes=("借款纠纷",)),
    CaseFilter(2020, 2021, cause_groups=("侵权纠纷",), causes=("借款纠纷",)),
    CaseFilter(2019, 2025, categories=("执行",), outcomes=("执行完毕", PENDING), district=320682),
    CaseFilter(2024, 2025, courts=("苏06",), procedures=("二审",)),
    CaseFilter(2017, 2017, outcomes=(PENDING,), district=320613),
]


@pytest.mark.parametrize("flt", HAND_FILTERS)
@pytest.mark.parametrize("as_of", [date(2025, 12, 31), date(2025, 1, 31), date(2025, 5, 1), date(2021, 8, 17)])
def test_hand_frame(hand: tuple[duckdb.DuckDBPyConnection, pd.DataFrame], flt: CaseFilter, as_of: date) -> None:
    c, frame = hand
    _uses_summary(c, flt)
    _same(c, flt, as_of)
    # And against pandas, written independently.
    sub = frame[frame["filed_date"].dt.year.between(flt.year_from, flt.year_to)]
    for attr, col in (("categories", "category"), ("cause_groups", "cause_group"), ("causes", "cause"),
                      ("courts", "court_code"), ("procedures", "procedure")):
        if getattr(flt, attr):
            sub = sub[sub[col].isin(getattr(flt, attr))]
    if flt.outcomes:
        sub = sub[sub["outcome"].isin(flt.outcomes) | (sub["closed_date"].isna() & (PENDING in flt.outcomes))]
    hexes = maps.hex_density(c, flt)
    assert hexes["cases"].sum() == sub["lon"].notna().sum()
    if flt.district is not None:
        sub = sub[sub["adcode"] == flt.district]
    head = maps.headline(c, flt, as_of)
    assert (head.cases, head.pending) == (len(sub), int(sub["closed_date"].isna().sum()))
    top = maps.top_causes(c, flt, 10)
    want = sub.groupby(["cause", "cause_group"]).size().sort_values(ascending=False)
    assert top["cases"].tolist() == want.tolist()[: len(top)]
    assert len(top) == min(10, len(want))


def test_command_line_upgrades_an_older_store(small_store: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A store written before data versions (old summary tag, no version or options in meta) is
    answered from ``cases`` until ``python -m analytics.summary`` adds both."""
    from analytics import filters

    path = tmp_path / "old.duckdb"
    shutil.copy(small_store, path)
    c = duckdb.connect(str(path))
    c.execute("DELETE FROM meta WHERE key IN ('data_version', 'options')")
    (n,) = c.execute("SELECT count(*) FROM cases").fetchone()
    c.execute(f"COMMENT ON TABLE {summary.INFO_TABLE} IS '2:0123abcd:{n}'")  # the version-2 tag
    assert summary.info(c) is None and data_version(c) is None
    c.close()
    monkeypatch.setattr("sys.argv", ["summary", str(path)])
    summary.main()
    c = duckdb.connect(str(path))
    inf = summary.info(c)
    assert inf is not None and inf.data_version == data_version(c) is not None
    assert summary.available(c)
    assert filters.stored_options(c)[0] is not None
    c.close()
