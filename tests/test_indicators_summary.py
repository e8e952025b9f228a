"""The trial indicators from the summary cubes (analytics/summary_trial.py, indicators/cubes.py)
== the case-table reference SQL (analytics/indicators/queries.py) == the pandas oracle
(tests/indicator_oracle.py, which shares no code with either).

Stores: a random case table with appeals, petitions, 执恢 and data errors (closed before filed);
the small synthetic store with imported rows mixed in (new cases, a new cause, replaced synthetic
cases), imported through ``analytics.importer.import_file`` as the import page does.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd
import pytest
from indicator_oracle import data_end, load_cases, oracle
from test_indicators import assert_matches, random_cases

from analytics import importer, summary, summary_trial
from analytics import indicators as ind
from analytics.filters import PENDING, CaseFilter
from analytics.importer.causes import standard_causes
from analytics.indicators import cubes, edges, queries
from analytics.store import build_store, open_store

D = dt.date
ANY = CaseFilter(2000, 2100)  # the indicators ignore the filter's years: the period decides
T = TypeVar("T")
NEW_CAUSE = "<a standard civil cause the store does not have yet>"  # replaced by new_cause()


def reference(fn: Callable[[], T], monkeypatch: pytest.MonkeyPatch) -> T:
    """``fn()`` computed by the case-table SQL: the cube path switched off."""
    with monkeypatch.context() as m:
        m.setattr(cubes, "raw_ingredients", lambda *_a, **_k: None)
        m.setattr(cubes, "span", lambda *_a, **_k: None)
        return fn()


def mask(cases: pd.DataFrame, flt: CaseFilter) -> tuple[pd.Series, pd.Series]:
    """(the filter without 结案方式, the 结案方式 filter) as pandas masks (for the oracle)."""
    sel = pd.Series(True, index=cases.index)
    for attr, col in (("categories", "category"), ("cause_groups", "cause_group"), ("causes", "cause"),
                      ("courts", "court_code"), ("procedures", "procedure")):
        if getattr(flt, attr):
            sel &= cases[col].isin(getattr(flt, attr))
    if flt.district is not None:
        sel &= cases["adcode"] == flt.district
    out_ok = pd.Series(True, index=cases.index)
    if flt.outcomes:
        out_ok = cases["outcome"].isin([o for o in flt.outcomes if o != PENDING])
        if PENDING in flt.outcomes:
            out_ok |= cases["closed_date"].isna()
    return sel, out_ok


def assert_cube_path(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date) -> None:
    """The cubes answer this filter and period (so the comparisons below test them)."""
    for by in (None, "court_code", "adcode"):
        assert cubes.raw_ingredients(con, flt, [(s, e)], by) is not None, (flt, s, e, by)


def assert_same_as_reference(con: duckdb.DuckDBPyConnection, flt: CaseFilter, s: dt.date, e: dt.date,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    for by in (None, "court_code", "adcode", "month"):
        got = ind.summary(con, flt, s, e, by=by)
        want = reference(lambda b=by: ind.summary(con, flt, s, e, by=b), monkeypatch)
        # Same rows, columns, dtypes and None/NaN; sums of amounts may differ in the last bits
        # (another summation order), hence the relative tolerance.
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0,
                                      obj=f"summary({flt}, {s}..{e}, by={by})")
    got = ind.compare(con, flt, s, e)
    want = reference(lambda: ind.compare(con, flt, s, e), monkeypatch)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0, obj=f"compare({flt})")
    assert got.attrs == want.attrs
    got = ind.monthly_trend(con, flt, s, e)
    want = reference(lambda: ind.monthly_trend(con, flt, s, e), monkeypatch)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0, obj=f"trend({flt})")


def assert_same_as_oracle(con: duckdb.DuckDBPyConnection, cases: pd.DataFrame, flt: CaseFilter,
                          s: dt.date, e: dt.date, by_month: bool = False) -> None:
    sel, out_ok = mask(cases, flt)
    end = data_end(cases)
    assert_matches(ind.summary(con, flt, s, e).iloc[0].to_dict(), oracle(cases, sel, s, e, end, out_ok),
                   f"{flt} {s}..{e}")
    for by in ("court_code", "adcode"):
        got = ind.summary(con, flt, s, e, by=by)
        for _, row in got.iterrows():
            want = oracle(cases, sel & (cases[by] == row[by]), s, e, end, out_ok)
            assert_matches(row.to_dict(), want, f"{flt} {by}={row[by]}")
        # every group with activity is listed
        for key in set(cases.loc[sel, by]) - set(got[by]):
            w = oracle(cases, sel & (cases[by] == key), s, e, end, out_ok)
            assert w["pending_start"] + w["filed"] + w["closed"] + w["pending_end"] + w["challenges_filed"] == 0
    if by_month:
        for _, row in ind.summary(con, flt, s, e, by="month").iterrows():
            ms, me = row["period_start"].date(), row["period_end"].date()
            assert_matches(row.to_dict(), oracle(cases, sel, ms, me, end, out_ok), f"{flt} month {ms}")


# --- a random store: appeals, petitions, 执恢, closed-before-filed errors ------------------------


@pytest.fixture(scope="module")
def random_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_store(tmp_path_factory.mktemp("trialcubes") / "r.duckdb", random_cases(11, 1200),
                       {"kind": "test"})
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


RANDOM_FILTERS = [
    ANY,
    ANY.with_(courts=("苏0602", "苏06"), procedures=("一审", "二审")),
    ANY.with_(categories=("民事",), district=320682),
    ANY.with_(causes=("民事案由1",)),
    ANY.with_(causes=("执行案由0", "民事案由2"), courts=("苏0612",)),  # the finest cube
    ANY.with_(outcomes=("判决", "执行完毕", PENDING)),  # 结案方式: quantiles counted from cases
    ANY.with_(outcomes=(PENDING,), categories=("执行",)),
    ANY.with_(causes=("没有这个案由",)),  # a value the store does not have: nothing
]
RANDOM_PERIODS = [(D(2022, 1, 1), D(2022, 12, 31)), (D(2020, 1, 1), D(2024, 12, 31)),
                  (D(2023, 3, 1), D(2023, 9, 30))]
# Periods starting and/or ending inside a month (whole months from the cubes, the edge days from
# the detail tables); compare() adds their 同比 and 环比, which are cut mid-month as well.
MID_PERIODS = [(D(2022, 1, 15), D(2022, 6, 20)), (D(2022, 3, 5), D(2022, 3, 25)),
               (D(2021, 2, 10), D(2023, 11, 7)), (D(2022, 1, 1), D(2022, 6, 20)), (D(2022, 2, 9), D(2022, 12, 31))]


@pytest.mark.parametrize("flt", RANDOM_FILTERS, ids=range(len(RANDOM_FILTERS)))
def test_random_store_cubes_equal_reference(random_store: duckdb.DuckDBPyConnection, flt: CaseFilter,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for s, e in RANDOM_PERIODS + MID_PERIODS:
        assert_cube_path(random_store, flt, s, e)
        assert_same_as_reference(random_store, flt, s, e, monkeypatch)
    # the year to the data's last day (a store's usual default view): the edge is that day
    last = queries.data_span(random_store)[1]
    assert last is not None and last.day not in (1, 28, 29, 30, 31)
    assert_cube_path(random_store, flt, D(last.year, 1, 1), last)
    assert_same_as_reference(random_store, flt, D(last.year, 1, 1), last, monkeypatch)


@pytest.mark.parametrize("flt", RANDOM_FILTERS[:6], ids=range(6))
def test_random_store_cubes_equal_oracle(random_store: duckdb.DuckDBPyConnection, flt: CaseFilter) -> None:
    cases = load_cases(random_store)
    assert_same_as_oracle(random_store, cases, flt, D(2022, 1, 1), D(2022, 12, 31), by_month=True)
    assert_same_as_oracle(random_store, cases, flt, D(2021, 7, 1), D(2023, 6, 30))
    assert_same_as_oracle(random_store, cases, flt, D(2022, 1, 15), D(2022, 6, 20), by_month=True)
    assert_same_as_oracle(random_store, cases, flt, D(2022, 3, 5), D(2022, 3, 25))
    last = data_end(cases)
    assert_same_as_oracle(random_store, cases, flt, D(last.year - 1, last.month, last.day + 1), last)


def test_data_errors_are_present(random_store: duckdb.DuckDBPyConnection) -> None:
    # the store has cases closed before they were filed, which the cubes must treat as the reference
    (n,) = random_store.execute("SELECT count(*) FROM cases WHERE closed_date < filed_date").fetchone()  # type: ignore[misc]
    assert n > 0


def test_periods_the_cubes_cannot_answer_fall_back(random_store: duckdb.DuckDBPyConnection,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    last = queries.data_span(random_store)[1]
    assert last is not None
    past = (D(last.year, last.month, 1), D(last.year + 1, 12, 31))  # stocks after the data's last month
    for s, e in [past, (D(2022, 1, 15), D(last.year + 1, 1, 10))]:
        assert cubes.raw_ingredients(random_store, ANY, [(s, e)], None) is None
        got = ind.summary(random_store, ANY, s, e, by="court_code")
        want = reference(lambda a=s, b=e: ind.summary(random_store, ANY, a, b, by="court_code"), monkeypatch)
        pd.testing.assert_frame_equal(got, want)


def test_without_the_detail_tables_only_whole_months_come_from_the_cubes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a summary without day-level detail (built before it existed, or loaded from another engine)
    path = build_store(tmp_path / "s.duckdb", random_cases(5, 300), {"kind": "test"})
    con = open_store(path, read_only=False)
    try:
        mid, whole = (D(2022, 1, 15), D(2022, 6, 20)), (D(2022, 1, 1), D(2022, 6, 30))
        assert cubes.raw_ingredients(con, ANY, [mid], None) is not None
        con.execute(f"DROP TABLE {summary_trial.EVENT_DETAIL}")
        assert cubes.raw_ingredients(con, ANY, [mid], None) is None
        assert cubes.raw_ingredients(con, ANY, [whole], None) is not None
        want = reference(lambda: ind.compare(con, ANY, *mid), monkeypatch)
        pd.testing.assert_frame_equal(ind.compare(con, ANY, *mid), want)
    finally:
        con.close()
    # detail tables of another build (the summary rebuilt elsewhere) are not used either
    con = open_store(path, read_only=False)
    try:
        summary.refresh(con)
        assert cubes.raw_ingredients(con, ANY, [mid], None) is not None
        con.execute(f"COMMENT ON TABLE {summary_trial.CLOSED_DETAIL} IS 'another'")
        assert cubes.raw_ingredients(con, ANY, [mid], None) is None
    finally:
        con.close()


def test_stale_or_missing_summary_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_store(tmp_path / "s.duckdb", random_cases(5, 300), {"kind": "test"})
    con = open_store(path, read_only=False)
    try:
        s, e = D(2022, 1, 1), D(2022, 12, 31)
        assert cubes.raw_ingredients(con, ANY, [(s, e)], None) is not None
        # a write that bypasses analytics.store: the row count changes, the guard notices
        con.execute("DELETE FROM cases WHERE case_no IN (SELECT case_no FROM cases LIMIT 3)")
        assert cubes.raw_ingredients(con, ANY, [(s, e)], None) is None
        want = reference(lambda: ind.summary(con, ANY, s, e), monkeypatch)
        pd.testing.assert_frame_equal(ind.summary(con, ANY, s, e), want)
        summary.drop(con)
        assert cubes.raw_ingredients(con, ANY, [(s, e)], None) is None
        assert queries.data_span(con) == reference(lambda: queries.data_span(con), monkeypatch)
    finally:
        con.close()


def test_quantile_from_a_histogram_is_duckdbs_quantile_cont() -> None:
    # bit for bit, on random multisets of integers (days), for the page's two quantiles and others
    rng = np.random.default_rng(3)
    con = duckdb.connect()
    for _ in range(300):
        flat = np.sort(rng.integers(-5, 900, int(rng.integers(1, 80))))
        values, counts = np.unique(flat, return_counts=True)
        for frac in (0.5, 0.9, 0.1, 0.0, 1.0, 0.37):
            want = con.execute("SELECT quantile_cont(x, ?) FROM (SELECT unnest(?::BIGINT[]) AS x)",
                               [frac, flat.tolist()]).fetchone()[0]  # type: ignore[index]
            assert edges.quantile_from_histogram(values.astype("float64"), counts, frac) == want
    assert edges.quantile_from_histogram(np.array([]), np.array([], dtype="int64"), 0.5) is None


# --- the synthetic store with imported rows mixed in, and a new cause -------------------------


IMPORT_HEADER = "案号,立案日期,结案日期,案由,承办法院,结案方式,标的额\n"


def new_cause(con: duckdb.DuckDBPyConnection) -> str:
    """The first civil cause of the standard list (in file order) that the store does not have."""
    have = {r[0] for r in con.execute("SELECT DISTINCT cause::VARCHAR FROM cases").fetchall()}
    return next(c.cause for c in standard_causes().values()
                if c.category == "民事" and c.cause not in have and "," not in c.cause)


def with_new_cause(flt: CaseFilter, cause: str) -> CaseFilter:
    return flt.with_(causes=tuple(cause if c == NEW_CAUSE else c for c in flt.causes))


def _import_rows(con: duckdb.DuckDBPyConnection, cause_new: str) -> str:
    """New cases (some of a cause the store does not know yet) and replaced synthetic cases."""
    rows = []
    for i in range(40):
        filed = D(2023, 1, 1) + dt.timedelta(days=7 * i)
        closed = "" if i % 4 == 0 else str(filed + dt.timedelta(days=20 + 9 * i))
        outcome = "" if not closed else ("调解" if i % 3 else "判决")
        cause = cause_new if i % 2 else "民间借贷纠纷"
        rows.append(f"(2023)苏0682民初{90000 + i}号,{filed},{closed},{cause},,{outcome},{1000 * (i + 1)}")
    # synthetic 民初 cases closed in 2023 come back with another closing date and outcome
    old = con.execute(
        """SELECT case_no, filed_date, closed_date, cause::VARCHAR, amount FROM cases
           WHERE type_code::VARCHAR = '民初' AND closed_date BETWEEN DATE '2023-01-01' AND DATE '2023-10-31'
             AND amount IS NOT NULL AND cause::VARCHAR NOT LIKE '%,%'
           ORDER BY case_no LIMIT 25""").fetchall()
    for no, filed, closed, cause, amount in old:
        rows.append(f"{no},{filed},{closed + dt.timedelta(days=3)},{cause},,撤诉,{amount}")
    return IMPORT_HEADER + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def imported_store(small_store: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("trialimport") / "imported.duckdb"
    shutil.copy(small_store, path)
    con = open_store(path, read_only=False)
    cause = new_cause(con)
    text = _import_rows(con, cause)
    got = importer.import_file(con, text.encode("utf-8"), "cases.csv", max_mb=5, today=D(2026, 1, 1))
    assert not got.refused and got.inserted == 40 and got.replaced >= 20, got.report["reason_en"].dropna()
    yield con, cause
    con.close()


def test_import_keeps_the_summary_current_with_the_new_cause(imported_store: tuple) -> None:
    con, cause = imported_store
    assert summary.available(con)
    inf = summary.info(con)
    assert inf is not None and cause in inf.codes["cause"]
    (n,) = con.execute("SELECT count(*) FROM cases WHERE source::VARCHAR = 'import'").fetchone()  # type: ignore[misc]
    assert n >= 60


IMPORTED_FILTERS = [
    CaseFilter(2023, 2023),
    CaseFilter(2019, 2021, categories=("刑事", "民事"), courts=("苏0602", "苏0682", "苏0612")),
    CaseFilter(2023, 2023, district=320682),
    CaseFilter(2016, 2025, causes=("危险驾驶罪",)),
    CaseFilter(2023, 2023, causes=(NEW_CAUSE,)),
    CaseFilter(2023, 2023, causes=(NEW_CAUSE, "民间借贷纠纷"), courts=("苏0682",)),
    CaseFilter(2023, 2023, outcomes=("调解", "撤诉", PENDING), district=320682),
    CaseFilter(2023, 2023, cause_groups=("合同、准合同纠纷",), procedures=("一审",)),
]


@pytest.mark.parametrize("flt", IMPORTED_FILTERS, ids=range(len(IMPORTED_FILTERS)))
def test_imported_store_cubes_equal_reference(imported_store: tuple, flt: CaseFilter,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    con, cause = imported_store
    flt = with_new_cause(flt, cause)
    for s, e in [(D(2023, 1, 1), D(2023, 12, 31)), (D(2023, 4, 1), D(2023, 6, 30)), (D(2023, 2, 11), D(2023, 8, 19))]:
        assert_cube_path(con, flt, s, e)
        assert_same_as_reference(con, flt, s, e, monkeypatch)
    first, last = queries.data_span(con)
    assert first is not None and last is not None
    s, e = D(first.year, first.month, 1), D(last.year, last.month, 1) - dt.timedelta(days=1)
    assert_cube_path(con, flt, s, e)
    for by in (None, "court_code"):
        got = ind.summary(con, flt, s, e, by=by)
        want = reference(lambda b=by: ind.summary(con, flt, s, e, by=b), monkeypatch)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0)


@pytest.mark.parametrize("flt", [IMPORTED_FILTERS[i] for i in (0, 4, 5, 6)], ids=range(4))
def test_imported_store_cubes_equal_oracle(imported_store: tuple, flt: CaseFilter) -> None:
    con, cause = imported_store
    flt = with_new_cause(flt, cause)
    cases = load_cases(con)
    assert (cases["source"] == "import").sum() >= 60
    assert_same_as_oracle(con, cases, flt, D(2023, 1, 1), D(2023, 12, 31), by_month=flt.causes != ())


def test_day_edges_of_stocks_and_overdue_cases_by_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cases placed on the boundaries of a period ending 2023-03-15 (inside March): the closing
    # stock is February's end stock + March 1-15 filings - departures, and 超12个月未结 at 3-15 is
    # February's + cases turning 366 days old by 3-15 still pending - overdue ones leaving.
    df = random_cases(5, 300)
    linked = set(df["origin_case_no"].dropna())
    first = df.index[(df["type_code"] == "民初") & ~df["case_no"].isin(linked)][:7]
    edge = {  # (filed, closed): expected in 超12个月未结 at 2023-03-15?
        0: (D(2022, 3, 1), None),             # 379 days old at 3-15, 364 at 2-28: turns overdue -> yes
        1: (D(2022, 2, 27), D(2023, 3, 10)),  # overdue at 2-28 (366 days), leaves 3-10 -> no
        2: (D(2022, 2, 28), D(2023, 3, 10)),  # 365 days at 2-28 (not yet), overdue 3-1, leaves 3-10 -> no
        3: (D(2022, 3, 14), None),            # exactly 366 days at 3-15 -> yes
        4: (D(2022, 3, 15), None),            # 365 days at 3-15 -> no
        5: (D(2023, 3, 12), D(2023, 3, 2)),   # closed before filed (a data error): never pending
        6: (D(2023, 3, 15), D(2023, 3, 16)),  # filed on the last day, closed after it: pending at 3-15
    }
    for i, (filed, closed) in edge.items():
        df.loc[first[i], "filed_date"] = filed.isoformat()
        df.loc[first[i], "closed_date"] = None if closed is None else closed.isoformat()
        df.loc[first[i], "outcome"] = None if closed is None else "判决"
    path = build_store(tmp_path / "edges.duckdb", df, {"kind": "test"})
    con = open_store(path, read_only=False)
    try:
        flt = ANY.with_(courts=tuple(sorted(set(df.loc[first, "court_code"]))))
        cases = load_cases(con)
        for s, e in [(D(2023, 1, 1), D(2023, 3, 15)), (D(2023, 3, 2), D(2023, 3, 15)), (D(2022, 3, 1), D(2023, 3, 14))]:
            assert_cube_path(con, flt, s, e)
            assert_same_as_reference(con, flt, s, e, monkeypatch)
            assert_same_as_oracle(con, cases, flt, s, e)
        # the hand count for the first period: cases 0 and 3 among the boundary cases
        nos = set(df.loc[first, "case_no"])
        mine = cases[cases["case_no"].isin(nos)]
        end = pd.Timestamp(D(2023, 3, 15))
        pend = mine[(mine["filed_date"] <= end) & (mine["closed_date"].isna() | (mine["closed_date"] > end))]
        assert set(pend["case_no"]) == {df.loc[first[i], "case_no"] for i in (0, 3, 4, 6)}
        over = pend[(end - pend["filed_date"]).dt.days > 365]
        assert set(over["case_no"]) == {df.loc[first[i], "case_no"] for i in (0, 3)}
    finally:
        con.close()


# --- one page, one computation: kept periods, overlapping windows, the grouped measures ---------


def test_a_page_computes_its_period_once(random_store: duckdb.DuckDBPyConnection,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # compare() computes the period per court x district pair and keeps it; the per-court and
    # per-district tables are then rolled up from it without a query, and equal the reference.
    flt = ANY.with_(procedures=("一审", "二审", "执行实施"))
    for s, e in [(D(2022, 1, 15), D(2022, 6, 20)), (D(2022, 1, 1), D(2022, 12, 31))]:
        cubes.clear_memo()
        ind.compare(random_store, flt, s, e)
        with monkeypatch.context() as m:
            def no_query(*_a: object, **_k: object) -> None:
                raise AssertionError("the kept period was not used")
            m.setattr(cubes, "_compute", no_query)
            got = {by: ind.summary(random_store, flt, s, e, by=by) for by in ("court_code", "adcode", None)}
        for by, frame in got.items():
            want = reference(lambda b=by, a=s, z=e: ind.summary(random_store, flt, a, z, by=b), monkeypatch)
            pd.testing.assert_frame_equal(frame, want, check_exact=False, rtol=1e-12, atol=0, obj=f"{by} {s}..{e}")
        assert len(got["court_code"]) > 1 and len(got["adcode"]) > 1


def test_a_kept_period_is_checked_like_a_query(tmp_path: Path) -> None:
    path = build_store(tmp_path / "s.duckdb", random_cases(5, 300), {"kind": "test"})
    con = open_store(path, read_only=False)
    try:
        mid = (D(2022, 1, 15), D(2022, 6, 20))
        cubes.clear_memo()
        assert cubes.raw_ingredients(con, ANY, [mid], "court_code") is not None  # now kept
        con.execute(f"COMMENT ON TABLE {summary_trial.CLOSED_DETAIL} IS 'another build'")
        assert cubes.raw_ingredients(con, ANY, [mid], "court_code") is None
        summary.refresh(con)
        assert cubes.raw_ingredients(con, ANY, [mid], "adcode") is not None
        con.execute("DELETE FROM cases WHERE case_no IN (SELECT case_no FROM cases LIMIT 2)")
        assert cubes.raw_ingredients(con, ANY, [mid], "adcode") is None  # the guard, as a query's
    finally:
        con.close()


def test_overlapping_windows_each_get_their_days(random_store: duckdb.DuckDBPyConnection,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # edge windows 2022-01-15..31 and 2022-01-10..31 overlap: the range join, not the CASE
    periods = [(D(2022, 1, 15), D(2022, 6, 20)), (D(2022, 1, 10), D(2022, 3, 31)), (D(2022, 1, 20), D(2022, 1, 31))]
    for flt in (ANY, RANDOM_FILTERS[2], RANDOM_FILTERS[5]):
        got = queries._period_values(random_store, flt, periods)
        want = reference(lambda f=flt: queries._period_values(random_store, f, periods), monkeypatch)
        pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want), check_exact=False, rtol=1e-12, atol=0)
        assert cubes.raw_ingredients(random_store, flt, periods, None) is not None


def test_grouped_measures_only_for_conditions_on_known_attributes(
        random_store: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    assert edges._grouped_measures() is not None  # the shipped definitions are grouped
    # a condition on a column outside the grouped attributes: evaluated per case instead
    extra = dict(edges.CLOSED_INGREDIENTS, long_closed=("count", "", "days > 365"))
    monkeypatch.setattr(edges, "CLOSED_INGREDIENTS", extra)
    assert edges._grouped_measures.__wrapped__() is None
    monkeypatch.setattr(edges, "CLOSED_INGREDIENTS", dict(extra, long_closed=("sum", "days * 2", "TRUE")))
    assert edges._grouped_measures.__wrapped__() is None  # an expression that is not a column
    monkeypatch.undo()
    # and the per-case form gives the same figures
    monkeypatch.setattr(edges, "_grouped_measures", lambda: None)
    s, e = D(2022, 1, 15), D(2022, 6, 20)
    for flt in (ANY, RANDOM_FILTERS[1], RANDOM_FILTERS[5]):
        cubes.clear_memo()
        got = ind.compare(random_store, flt, s, e)
        want = reference(lambda f=flt: ind.compare(random_store, f, s, e), monkeypatch)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0)
