"""Repeat-party windows (群体性纠纷, 职业放贷人) on a small hand-made store."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from analytics.alerts.config import MASS_DISPUTE, PROFESSIONAL_LENDER
from analytics.alerts.evaluate import crossing_month
from analytics.alerts.parties import party_alerts, party_alerts_month


def _rows(key_col: str, key: int, cause: str, start: date, step_days: int, n: int, adcode: int = 320614,
          procedure: str = "一审") -> list[tuple]:
    out = []
    for i in range(n):
        d = start + timedelta(days=step_days * i)
        out.append((procedure, cause, key if key_col == "defendant" else None,
                    key if key_col == "plaintiff" else None, d, adcode))
    return out


@pytest.fixture()
def store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""CREATE TABLE cases (procedure VARCHAR, cause VARCHAR, defendant_key BIGINT,
                   plaintiff_key BIGINT, filed_date DATE, adcode INTEGER)""")
    rows = []
    # Employer 1: a labour suit every 5 days from 2024-01-05; the 10th on 2024-02-19 (45 days
    # after the 1st, inside 90 days): crosses 10 in February. January holds 6 (05..30).
    rows += _rows("defendant", 1, "劳动争议", date(2024, 1, 5), 5, 6)
    rows += _rows("defendant", 1, "追索劳动报酬纠纷", date(2024, 2, 4), 5, 4, adcode=320612)
    # Employer 2: 9 suits in 40 days: never 10.
    rows += _rows("defendant", 2, "劳动争议", date(2024, 1, 1), 5, 9)
    # Employer 3: 10 suits 20 days apart = 180 days: never 10 within 90 days.
    rows += _rows("defendant", 3, "劳动争议", date(2024, 1, 1), 20, 10)
    # Employer 4: 10 suits but 3 of them are appeals (二审): 7 first instances.
    rows += _rows("defendant", 4, "劳动争议", date(2024, 2, 1), 1, 7)
    rows += _rows("defendant", 4, "劳动争议", date(2024, 2, 10), 1, 3, procedure="二审")
    # Employer 5: 10 suits of another cause.
    rows += _rows("defendant", 5, "买卖合同纠纷", date(2024, 2, 1), 1, 10)
    # Lender 7: 民间借贷 every 70 days from 2022-03-01; the 10th is 630 days later: 2023-03-01 + 265 days
    # = 2023-11-21 (Mar 31 + Apr 30 + ... + Oct 31 = 245 days to Nov 1, + 20).
    rows += _rows("plaintiff", 7, "民间借贷纠纷", date(2022, 3, 1), 70, 10)
    # Lender 8: every 90 days: 10 suits span 810 days > 730.
    rows += _rows("plaintiff", 8, "民间借贷纠纷", date(2022, 3, 1), 90, 10)
    con.executemany("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def test_mass_dispute_found_in_the_month_it_crosses(store: duckdb.DuckDBPyConnection) -> None:
    assert party_alerts(store, MASS_DISPUTE, "2024-01").empty
    feb = party_alerts(store, MASS_DISPUTE, "2024-02")
    assert feb["party_key"].tolist() == [1]
    row = feb.iloc[0]
    assert row["cases_in_window"] == 10
    assert row["first_crossed"] == date(2024, 2, 19)
    assert bool(row["new"]) is True
    assert row["adcode"] == 320614  # 6 of its 10 cases
    assert row["districts"] == 2
    assert row["first_filed"] == date(2024, 1, 5)
    assert party_alerts(store, MASS_DISPUTE, "2024-03").empty  # no new filing in March


def test_professional_lender_two_year_window(store: duckdb.DuckDBPyConnection) -> None:
    nov = party_alerts(store, PROFESSIONAL_LENDER, "2023-11")
    assert nov["party_key"].tolist() == [7]
    assert nov.iloc[0]["first_crossed"] == date(2023, 11, 21)
    for month in ("2023-10", "2024-02", "2024-05"):
        assert 8 not in set(party_alerts(store, PROFESSIONAL_LENDER, month)["party_key"])


def test_threshold_is_configurable(store: duckdb.DuckDBPyConnection) -> None:
    from dataclasses import replace

    nine = replace(MASS_DISPUTE, min_cases=9)
    # Employer 2's 9th suit: 2024-01-01 + 8 * 5 days = 2024-02-10; January holds 7 of them.
    assert party_alerts(store, nine, "2024-01").empty
    assert set(party_alerts(store, nine, "2024-02")["party_key"]) == {1, 2}


def test_independent_crossing_month_agrees(store: duckdb.DuckDBPyConnection) -> None:
    assert crossing_month(store, MASS_DISPUTE, 1) == "2024-02"
    assert crossing_month(store, MASS_DISPUTE, 2) is None
    assert crossing_month(store, MASS_DISPUTE, 4) is None
    assert crossing_month(store, PROFESSIONAL_LENDER, 7) == "2023-11"
    assert crossing_month(store, PROFESSIONAL_LENDER, 8) is None


@pytest.mark.parametrize("rule", [MASS_DISPUTE, PROFESSIONAL_LENDER], ids=lambda r: r.kind)
def test_all_months_table_equals_the_one_month_reference(store: duckdb.DuckDBPyConnection, rule) -> None:
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    hits = 0
    for month in months:
        fast = party_alerts(store, rule, month).reset_index(drop=True)
        ref = party_alerts_month(store, rule, month).reset_index(drop=True)
        assert fast.astype(str).equals(ref.astype(str)), month
        hits += len(ref)
    assert hits > 0
