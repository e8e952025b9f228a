"""Disclosure control: primary, secondary and dominance suppression on hand-made tables.

The oracle for secondary suppression is an attacker: a linear programme (scipy's HiGHS) that
finds the smallest and largest value each hidden cell can take given everything published.
It shares no code with the suppression heuristic, only the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.privacy import (
    DisclosureRules,
    dominated,
    feasible_interval,
    gate_counts,
    gate_series,
    gate_sums,
    secondary,
    suppress_dependent,
)

RULES = DisclosureRules()  # threshold 10, one party >= 90%


def _extended(values: np.ndarray) -> np.ndarray:
    r, c = values.shape
    ext = np.zeros((r + 1, c + 1))
    ext[:r, :c] = values
    ext[:r, c] = values.sum(axis=1)
    ext[r, :c] = values.sum(axis=0)
    ext[r, c] = values.sum()
    return ext


def test_threshold_rule_hides_small_counts_but_not_zero_or_ten() -> None:
    t = pd.DataFrame({"刑事": [0, 9, 10], "民事": [120, 140, 160]}, index=["崇川", "通州", "海门"])
    g = gate_counts(t, RULES, margins=False)
    assert g.display.loc["通州", "刑事"] == "<10"
    assert g.display.loc["崇川", "刑事"] == "0"  # a zero identifies nobody
    assert g.display.loc["海门", "刑事"] == "10"  # the threshold itself is safe
    assert [s.reason for s in g.log] == ["threshold"]


def test_hand_worked_secondary_suppression() -> None:
    # 3 x 3 table, one small cell (a, y) = 3. With totals published, y's column total minus the
    # others would give it away, so the gate hides, by the cheapest non-zero cell each time:
    # row a: z (15 < 20); column y: c (18 < 30); column z: c (11 < 40): a 2 x 2 rectangle.
    t = pd.DataFrame([[20, 3, 15], [12, 30, 40], [25, 18, 11]], index=list("abc"), columns=list("xyz"))
    g = gate_counts(t, RULES)
    hidden = {(s.row, s.column): s.reason for s in g.log}
    assert hidden == {("a", "y"): "threshold", ("a", "z"): "secondary",
                      ("c", "y"): "secondary", ("c", "z"): "secondary"}
    assert g.display.loc["合计", "合计"] == "174"
    assert g.display.loc["a", "合计"] == "38"  # totals stay published
    ext = _extended(t.to_numpy(dtype=float))
    lo, hi = feasible_interval(ext, g.hidden.to_numpy(), (0, 1))
    assert (lo, hi) == (0.0, 18.0)  # a + z = 18 in row a: the attacker only learns 0..18


def test_bridge_between_two_cycles_is_closed() -> None:
    # Hidden cells: a cycle on rows 0-1 x columns 0-1, another on rows 2-3 x columns 2-3, and
    # (1, 2) joining them. Every row and column has two or more hidden cells, yet (1, 2) lies on
    # no cycle, so row 1's total determines it: the "two per line" rule alone is not enough.
    values = np.array([[50, 60, 70, 80], [55, 65, 5, 85], [90, 95, 75, 45], [35, 25, 30, 40]], dtype=float)
    primary = np.zeros((4, 4), dtype=bool)
    for cell in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        primary[cell] = True
    ext = _extended(values)
    naive = np.zeros(ext.shape, dtype=bool)
    naive[:4, :4] = primary
    lo, hi = feasible_interval(ext, naive, (1, 2))
    assert lo == hi == 5.0  # the naive pattern leaks the cell exactly
    mask = secondary(values, primary)
    lo, hi = feasible_interval(ext, mask, (1, 2))
    assert hi - lo >= 1.0


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_recomputed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 6)), int(rng.integers(2, 7)))
    values = rng.choice([0, 1, 2, 4, 7, 9, 12, 25, 60, 150], size=shape).astype(float)
    g = gate_counts(pd.DataFrame(values), RULES)
    mask = g.hidden.to_numpy()
    ext = _extended(values)
    assert (mask[: shape[0], : shape[1]] | ~((values > 0) & (values < 10))).all()  # primaries hidden
    for i, j in zip(*np.nonzero(mask), strict=True):
        lo, hi = feasible_interval(ext, mask, (int(i), int(j)))
        assert hi - lo >= 1.0 - 1e-9, f"cell {(i, j)} = {ext[i, j]} pinned to [{lo}, {hi}]"


def test_series_with_city_total_hides_a_second_district() -> None:
    s = pd.Series({"崇川": 400, "通州": 7, "海门": 35, "如东": 60}, name="件数")
    g = gate_series(s, RULES)
    assert list(g.display["件数"]) == ["400", "<10", "<10", "60", "502"]  # 海门 (35) is the cheapest
    assert [(x.row, x.reason) for x in g.log] == [("通州", "threshold"), ("海门", "secondary")]


def test_dominance_rule() -> None:
    assert dominated(1_000.0, [900.0, 50.0, 50.0], RULES)  # exactly 90%
    assert not dominated(1_000.0, [899.0, 101.0], RULES)
    assert not dominated(0.0, [], RULES)
    two = DisclosureRules(dominance_n=2, dominance_k=0.95)
    assert dominated(100.0, [60.0, 35.0, 5.0], two)


def test_sums_hidden_for_dominance_and_secondary() -> None:
    sums = pd.Series({"崇川": 5_000_000.0, "通州": 2_000_000.0, "海门": 800_000.0}, name="标的额")
    largest = pd.Series({"崇川": 1_000_000.0, "通州": 1_900_000.0, "海门": 100_000.0})
    counts = pd.Series({"崇川": 120, "通州": 40, "海门": 30})
    shown, log = gate_sums(sums, largest, counts, RULES)
    # 通州: one party holds 95% -> hidden; the total is published, so the smallest other sum
    # (海门) is hidden as well.
    assert list(shown) == ["5,000,000", "—", "—"]
    assert [(s.row, s.reason) for s in log] == [("通州", "dominance"), ("海门", "secondary")]


def test_rates_on_hidden_cells_are_hidden() -> None:
    rates = pd.Series({"崇川": 12.5, "通州": 0.8})
    hidden = pd.Series({"崇川": False, "通州": True})
    assert list(suppress_dependent(rates, hidden)) == [12.5, "—"]


def test_rules_are_validated() -> None:
    with pytest.raises(ValueError):
        DisclosureRules(threshold=0)
    with pytest.raises(ValueError):
        DisclosureRules(dominance_k=1.5)
