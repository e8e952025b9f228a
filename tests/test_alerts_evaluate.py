"""The planted-event evaluation on the reduced synthetic store (scale 0.03, default seed).

Measured on this store (recorded when written; the generator's plants are in ``seeds.plants``):
recall of the six planted surges within 2 months 4/6 (the 5x surges in 海门 and 崇川, 离婚纠纷 启东
2x and 劳动争议 如东 3x found in their first month; at this scale a surge adds only ~8-20 cases, so
如皋 民间借贷 3x and 通州 物业 2x stay below the BH line among ~400 series); 0.13 false alarms
per month on series without plants (max 2 in a month); both party plants flagged in the month
their window count crosses the threshold.
"""

from __future__ import annotations

import pytest

from analytics.alerts.evaluate import evaluate

plants = pytest.importorskip("seeds.plants")


@pytest.fixture(scope="module")
def result(small_store):
    from analytics.store import open_store

    con = open_store(small_store, read_only=False)
    try:
        yield evaluate(con)
    finally:
        con.close()


def test_party_plants_found_in_the_month_they_cross(result) -> None:
    got = {p["kind"]: p for p in result["parties"]}
    assert set(got) == {"mass_dispute", "professional_lender"}
    assert got["mass_dispute"]["crossing_month"] == "2024-12"
    assert got["mass_dispute"]["first_alert_month"] == "2024-12"
    lender = got["professional_lender"]
    assert lender["crossing_month"] is not None and "2023-03" <= lender["crossing_month"] <= "2024-12"
    assert lender["first_alert_month"] == lender["crossing_month"]
    assert result["parties_found_in_crossing_month"] is True


def test_large_planted_surges_found_at_once(result) -> None:
    surges = {(s["adcode"], s["cause"], s["start"]): s for s in result["surges"]}
    assert len(surges) == len([p for p in plants.PLANTED if p.kind == "surge"]) == result["surge_plants"]
    for key in ((320614, "买卖合同纠纷", "2023-09"), (320613, "民间借贷纠纷", "2025-08")):  # the 5x surges
        assert surges[key]["found"] and surges[key]["delay"] == 0
    assert result["recall_2x_within_2_months"] >= 0.5


def test_few_false_alarms(result) -> None:
    assert result["months"] >= 80
    assert result["false_alarms_per_month"] <= 0.5
    assert result["max_false_alarms_in_a_month"] <= 4
    assert result["false_alarms_per_month"] == pytest.approx(
        result["false_surges_per_month"] + result["false_shifts_per_month"])
