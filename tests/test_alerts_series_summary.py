"""The alert series read from the month cube ``summary_m_full`` equal the case-table reference.

``analytics.alerts.series.build_cube`` reads the summary while it is current and ``cases``
otherwise (``use_summary=False`` forces the reference). Checked: on the small synthetic store
the two are equal (months, keys, counts) and the summary path reads no full scan of ``cases``;
doubling the cube's counts doubles the series (the cube is really read); a stale or absent
summary falls back to ``cases`` (the changed data show); and a hand-made store whose months,
counts and last complete month are computed by hand.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import summary
from analytics.alerts import series
from analytics.store import build_store, open_store


def _equal(a: series.SeriesCube, b: series.SeriesCube) -> None:
    assert a.months == b.months
    pd.testing.assert_frame_equal(a.keys, b.keys)
    assert a.counts.dtype == b.counts.dtype and np.array_equal(a.counts, b.counts)


def _no_case_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> object:
        raise AssertionError("the reference (case-table) path was taken")

    monkeypatch.setattr(series, "_rows_cases", refuse)
    monkeypatch.setattr(series, "_period_cases", refuse)


def test_summary_series_equal_the_case_table(con, monkeypatch: pytest.MonkeyPatch) -> None:
    assert summary.available(con)
    procedures = ("一审", "二审", "执行实施")
    want = {p: series.build_cube(con, p, use_summary=False) for p in procedures}
    assert want["一审"].counts.sum() > 5_000 and len(want["一审"].months) > 24
    _no_case_scan(monkeypatch)
    for p in procedures:
        _equal(series.build_cube(con, p), want[p])


def test_the_cube_is_what_is_read(small_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "doubled.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    try:
        want = series.build_cube(c, use_summary=False)
        c.execute("UPDATE summary_m_full SET n = n * 2")  # the data version is unchanged: still fresh
        got = series.build_cube(c)
        assert got.months == want.months
        pd.testing.assert_frame_equal(got.keys, want.keys)
        assert np.array_equal(got.counts, 2 * want.counts)
    finally:
        c.close()


@pytest.mark.parametrize("change", ["deleted", "same_count", "absent"])
def test_stale_or_absent_summary_falls_back(small_store: Path, tmp_path: Path, change: str) -> None:
    path = tmp_path / f"{change}.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    try:
        before = series.build_cube(c)
        if change == "deleted":  # fewer cases, data version unchanged (a writer bypassing the store)
            c.execute("DELETE FROM cases WHERE procedure = '一审' AND adcode = 320612 AND filed_date < '2020-01-01'")
        elif change == "same_count":  # the same number of cases, a new data version
            c.execute("UPDATE cases SET adcode = 320612 WHERE procedure = '一审' AND adcode = 320681")
            c.execute("UPDATE meta SET value = 'changed1' WHERE key = 'data_version'")
        else:
            summary.drop(c)
        assert not summary.available(c)
        got = series.build_cube(c)
        _equal(got, series.build_cube(c, use_summary=False))
        if change != "absent":  # the changed data show: the stale cube was not read
            assert not (got.keys.equals(before.keys) and np.array_equal(got.counts, before.counts))
    finally:
        c.close()


# --- a hand-made store ---------------------------------------------------------------------------

A, B = 320612, 320682  # 通州, 如皋


def _case(i: int, proc: str, tc: str, adcode: int, cause: str, filed: date) -> dict[str, object]:
    return {"case_no": f"({filed.year})苏06{tc}{i}号", "court_code": "苏06", "adcode": adcode,
            "category": "民事", "type_code": tc, "procedure": proc, "cause_group": "合同、准合同纠纷",
            "cause": cause, "filed_date": filed, "closed_date": None, "outcome": None, "source": "synthetic"}


def _hand_store(path: Path, last_first_instance: date) -> Path:
    rows = []
    plan = [  # (adcode, cause, filing day, number of cases)
        (A, "民间借贷纠纷", date(2023, 11, 30), 1),  # before period_start: left out
        (A, "民间借贷纠纷", date(2023, 12, 5), 2),
        (A, "民间借贷纠纷", date(2024, 2, 29), 3),
        (A, "买卖合同纠纷", date(2024, 1, 31), 4),
        (B, "民间借贷纠纷", date(2024, 2, 1), 5),
        (B, "民间借贷纠纷", last_first_instance, 6),
    ]
    for adcode, cause, day, n in plan:
        rows += [_case(len(rows), "一审", "民初", adcode, cause, day) for _ in range(n)]
    # appeals filed later must not move the first instances' last month
    rows += [_case(len(rows), "二审", "民终", A, "民间借贷纠纷", date(2024, 4, 30)) for _ in range(2)]
    build_store(path, pd.DataFrame(rows), {"dataset": "synthetic", "period_start": "2023-12-01"})
    return path


@pytest.mark.parametrize("use_summary", [True, False])
def test_hand_made_months_and_counts(tmp_path: Path, use_summary: bool) -> None:
    # The data stop on 10 March 2024, inside March: March is incomplete, the last month is February.
    c = open_store(_hand_store(tmp_path / "mid.duckdb", date(2024, 3, 10)), read_only=False)
    try:
        assert summary.available(c)
        cube = series.build_cube(c, use_summary=use_summary)
        assert cube.months == ("2023-12", "2024-01", "2024-02")
        got = {(int(r.adcode), r.level, r.name): list(cube.counts[i])
               for i, r in zip(range(len(cube.keys)), cube.keys.itertuples(), strict=True)}
        assert got == {
            (A, "cause", "买卖合同纠纷"): [0, 4, 0],
            (A, "cause", "民间借贷纠纷"): [2, 0, 3],
            (B, "cause", "民间借贷纠纷"): [0, 0, 5],
            (A, "cause_group", "合同、准合同纠纷"): [2, 4, 3],  # two causes: the group is a series too
        }
        # 二审: only April 2024 filings, and 30 April is the month's last day: one complete month
        appeals = series.build_cube(c, "二审", use_summary=use_summary)
        assert appeals.months == ("2024-04",) and appeals.counts.tolist() == [[2]]
        assert series.build_cube(c, "再审", use_summary=use_summary).months == ()
    finally:
        c.close()


@pytest.mark.parametrize("use_summary", [True, False])
def test_hand_made_last_day_of_the_month_is_complete(tmp_path: Path, use_summary: bool) -> None:
    # The last first instance is filed on 31 March: March is complete and included.
    c = open_store(_hand_store(tmp_path / "end.duckdb", date(2024, 3, 31)), read_only=False)
    try:
        cube = series.build_cube(c, use_summary=use_summary)
        assert cube.months == ("2023-12", "2024-01", "2024-02", "2024-03")
        row = cube.keys.index[(cube.keys["adcode"] == B) & (cube.keys["level"] == "cause")][0]
        assert cube.counts[row].tolist() == [0, 0, 5, 6]
    finally:
        c.close()
