"""The index inputs (``rates.case_counts``) from the index summary tables equal the case-table SQL.

``analytics/summary_index.py`` builds ``summary_i_counts`` (cases per basis, quarter, district and
selection columns) and ``summary_i_series`` (the cases of defendants with >= 20 cases in a filing
year) with the other summary tables; ``rates.case_counts`` reads them while the summary is current
(``use_summary=False``: the reference). Checked: the shipped configuration on the small synthetic
store (yearly and quarterly, both date bases, the repeat-defendant series included) without a
case-table scan; a hand-made store with repeat-defendant counts computed by hand around the
``min_cases`` boundary; doubled table counts show (the tables are read); a stale or absent summary
and a ``min_cases`` below the table's threshold fall back to ``cases``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import summary, summary_index
from analytics.index import rates
from analytics.index.config import load_config, parse_config
from analytics.store import build_store, open_store


def spy_summary_scans(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record whether each ``_scan`` was answered by the summary tables."""
    answered: list[bool] = []
    real = rates._scan_summary

    def spy(*a: object, **k: object) -> pd.DataFrame | None:
        got = real(*a, **k)  # type: ignore[arg-type]
        answered.append(got is not None)
        return got

    monkeypatch.setattr(rates, "_scan_summary", spy)
    return answered


def test_selection_columns_are_the_index_columns() -> None:
    assert {c for c, _ in rates.COLUMNS.values()} == set(summary_index.SELECTION_COLUMNS)


def test_shipped_config_equals_the_case_table(con, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config()
    assert any(s.kind == "series" for ix in cfg.indices for s in ix.count)
    assert all(s.min_cases >= summary_index.SERIES_MIN_CASES
               for ix in cfg.indices for s in (*ix.count, *ix.base) if s.kind == "series")
    (series_pairs,) = con.execute(  # the repeat-defendant series has something to count
        """SELECT count(*) FROM (SELECT year(filed_date), defendant_key FROM cases
           WHERE type_code = '民初' AND defendant_key IS NOT NULL GROUP BY ALL HAVING count(*) >= 20)""").fetchone()
    assert series_pairs > 0
    answered = spy_summary_scans(monkeypatch)
    for year_from, quarterly in ((2016, False), (2021, False), (2019, True)):
        want = rates.case_counts(con, cfg, year_from, quarterly, use_summary=False)
        got = rates.case_counts(con, cfg, year_from, quarterly)
        pd.testing.assert_frame_equal(got, want)
        assert want["count"].sum() > 1_000
    one = rates.case_counts(con, cfg, 2020, True, only="mass")
    pd.testing.assert_frame_equal(one, rates.case_counts(con, cfg, 2020, True, only="mass", use_summary=False))
    assert len(answered) == 7 and all(answered)  # every scan (2 bases x 3, then one) from the tables


def test_the_tables_are_what_is_read(small_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "doubled.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    try:
        cfg = load_config()
        want = rates.case_counts(c, cfg, 2018)
        c.execute(f"UPDATE {summary_index.COUNTS_TABLE} SET n = n * 2")  # data version unchanged: fresh
        c.execute(f"UPDATE {summary_index.SERIES_TABLE} SET n = n * 2")
        got = rates.case_counts(c, cfg, 2018)
        # doubling every count doubles every numerator and base (the series' thresholds are met
        # by twice as many defendants, so 涉众型纠纷 may grow by more)
        plain = got["index"] != "mass"
        assert (got.loc[plain, "count"].to_numpy() == 2 * want.loc[plain, "count"].to_numpy()).all()
        assert (got.loc[~plain, "count"].to_numpy() >= 2 * want.loc[~plain, "count"].to_numpy()).all()
    finally:
        c.close()


@pytest.mark.parametrize("change", ["deleted", "same_count", "absent"])
def test_stale_or_absent_summary_falls_back(small_store: Path, tmp_path: Path, change: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"{change}.duckdb"
    shutil.copy(small_store, path)
    c = open_store(path, read_only=False)
    try:
        cfg = load_config()
        before = rates.case_counts(c, cfg, 2018)
        if change == "deleted":
            c.execute("DELETE FROM cases WHERE type_code = '民初' AND adcode = 320612")
        elif change == "same_count":
            c.execute("UPDATE cases SET adcode = 320612 WHERE type_code = '刑初' AND adcode = 320681")
            c.execute("UPDATE meta SET value = 'changed1' WHERE key = 'data_version'")
        else:
            summary.drop(c)
        assert not summary.available(c)
        answered = spy_summary_scans(monkeypatch)
        got = rates.case_counts(c, cfg, 2018)
        assert answered and not any(answered)
        pd.testing.assert_frame_equal(got, rates.case_counts(c, cfg, 2018, use_summary=False))
        if change != "absent":
            assert not got.equals(before)
    finally:
        c.close()


# --- a hand-made store: repeat defendants around the min_cases boundary ---------------------------

A, B = 320612, 320682  # 通州, 如皋
LOAN, SALE, FUND = "民间借贷纠纷", "买卖合同纠纷", "非法吸收公众存款罪"

CONFIG = {
    "dimension": [{"id": "d", "name": "测试"}],
    "index": [
        {"id": "mass", "name": "涉众", "dimension": "d",
         "count": [{"type_codes": ["刑初"], "causes": [FUND]},
                   {"kind": "series", "type_codes": ["民初"], "min_cases": 20}]},
        {"id": "loans", "name": "借贷", "dimension": "d",
         "count": [{"type_codes": ["民初"], "causes": [LOAN]},
                   {"kind": "series", "type_codes": ["民初"], "min_cases": 21}]},
        {"id": "closed", "name": "判决率", "dimension": "d", "measure": "share", "date": "closed",
         "count": [{"type_codes": ["民初"], "outcomes": ["判决"]}], "base": [{"type_codes": ["民初"]}]},
        {"id": "low", "name": "低门槛", "dimension": "d",
         "count": [{"kind": "series", "type_codes": ["民初"], "min_cases": 5}]},
    ],
}


def _hand_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(n: int, key: int | None, adcode: int, filed: date, closed: date | None, outcome: str | None,
            tc: str = "民初", cause: str = SALE) -> None:
        crim = tc == "刑初"
        for _ in range(n):
            rows.append({"case_no": f"({filed.year})苏06{tc}{len(rows)}号", "court_code": "苏06", "adcode": adcode,
                         "category": "刑事" if crim else "民事", "type_code": tc, "procedure": "一审",
                         "cause_group": "破坏社会主义市场经济秩序罪" if crim else "合同、准合同纠纷", "cause": cause,
                         "filed_date": filed, "closed_date": closed, "outcome": outcome,
                         "defendant_kind": "企业", "defendant_key": key, "source": "synthetic"})

    # key 1: exactly 20 民初 in 2024 (15 in A in Q1, 5 in B in Q3): a series at min_cases 20, not 21
    add(15, 1, A, date(2024, 2, 10), date(2024, 12, 1), "判决")
    add(5, 1, B, date(2024, 8, 1), date(2024, 12, 1), "判决")
    # key 2: 19 民初 in 2024 (pending): one short of 20
    add(19, 2, A, date(2024, 5, 1), None, None)
    # key 3: 20 民初, but 10 in 2023 and 10 in 2024: never 20 in one year
    add(10, 3, A, date(2023, 12, 20), date(2023, 12, 30), "判决")
    add(10, 3, A, date(2024, 1, 5), None, None)
    # key 4: 20 cases in 2024, but 19 民初 + 1 刑初: in the table (>= 20 cases), not a 民初 series
    add(19, 4, A, date(2024, 11, 11), date(2024, 6, 30), "撤诉")  # closed before filed: a data error
    add(1, 4, A, date(2024, 11, 11), date(2024, 12, 20), "判决", tc="刑初", cause=FUND)
    # key 5: 25 民初 民间借贷 in B in Q2: a series, and also counted by the plain loan selection
    add(25, 5, B, date(2024, 4, 1), date(2025, 1, 15), "调解", cause=LOAN)
    # no defendant key: never a series
    add(3, None, A, date(2024, 2, 1), date(2024, 3, 1), "判决")
    return rows


# (index, adcode, year) -> count, by hand from the comments above; every other row is 0
HAND_YEARLY = {
    ("mass", A, 2024): 15 + 1,  # key 1 (A part) + the 刑初 非法吸收 case of key 4
    ("mass", B, 2024): 5 + 25,  # key 1 (B part) + key 5
    ("loans", B, 2024): 25,  # key 5 by the plain selection; its series adds nothing; key 1 < 21
    ("low", A, 2023): 10,  # key 3 in 2023 (min_cases 5)
    ("low", A, 2024): 15 + 19 + 10 + 19,  # keys 1, 2, 3, 4 (its 19 民初)
    ("low", B, 2024): 5 + 25,
    ("closed", A, 2023): 10,  # 民初 判决 by closing year: key 3's 2023 cases
    ("closed", A, 2024): 15 + 3,  # key 1 in A and the keyless cases
    ("closed", B, 2024): 5,
}
HAND_BASE = {("closed", A, 2023): 10, ("closed", A, 2024): 15 + 19 + 3, ("closed", B, 2024): 5,
             ("closed", B, 2025): 25}
HAND_QUARTERLY_MASS = {(A, 20241): 15, (A, 20244): 1, (B, 20242): 25, (B, 20243): 5}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand_index") / "hand.duckdb"
    df = pd.DataFrame(_hand_rows())
    df["defendant_key"] = df["defendant_key"].astype("Int64")
    build_store(path, df, {"dataset": "synthetic"})
    return path


def _as_dict(frame: pd.DataFrame, col: str) -> dict[tuple[str, int, int], float]:
    return {(str(i), int(a), int(y)): v for i, a, y, v in frame[["index", "adcode", "year", col]].itertuples(
        index=False) if v == v and v != 0}


@pytest.mark.parametrize("use_summary", [True, False])
def test_hand_made_repeat_defendants(hand_store: Path, use_summary: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = parse_config(CONFIG)
    c = open_store(hand_store, read_only=False)
    try:
        assert summary.available(c)
        (rows,) = c.execute(f"SELECT count(DISTINCT k) FROM {summary_index.SERIES_TABLE}").fetchone()  # type: ignore[misc]
        assert rows == 3  # keys 1, 4 and 5 have >= 20 cases in 2024
        answered = spy_summary_scans(monkeypatch)
        got = rates.case_counts(c, cfg, 2023, use_summary=use_summary)
        assert _as_dict(got, "count") == HAND_YEARLY
        assert _as_dict(got[got["index"] == "closed"], "base") == HAND_BASE
        # the filed-basis scan holds a series with min_cases 5 < 20: always from cases; the closed one
        # from the table when allowed
        assert answered == ([False, True] if use_summary else [])
        for only in ("mass", "loans"):
            one = rates.case_counts(c, cfg, 2023, use_summary=use_summary, only=only)
            assert _as_dict(one, "count") == {k: v for k, v in HAND_YEARLY.items() if k[0] == only}
        assert answered[2:] == ([True, True] if use_summary else [])
        quarters = rates.case_counts(c, cfg, 2024, quarterly=True, use_summary=use_summary, only="mass")
        assert {(a, y): n for (_i, a, y), n in _as_dict(quarters, "count").items()} == HAND_QUARTERLY_MASS
    finally:
        c.close()
