"""The indicators from ingredient columns without frames (``ratios._typed_values`` /
``_indicator_values`` / ``_indicator_columns``): hand-computed figures, and the same values and types
as the frame path (``_typed`` + ``_add_ratios``: the same computation, rendered into a frame) on
the same ingredients."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from analytics.indicators import ratios
from analytics.indicators.definitions import COHORT_INDICATORS, INDICATORS


def _ingredients(n: int) -> dict[str, np.ndarray]:
    """Ingredient columns of ``n`` rows, all 0 (floats, as the cubes return them)."""
    return {c: np.zeros(n) for c in ratios._raw_cols()}


def _two_rows() -> dict[str, np.ndarray]:
    cols = _ingredients(2)
    cols["pending_start"] = np.array([381.0, 0.0])
    cols["filed"] = np.array([3500.0, np.nan])  # NaN: missing (a count reads it as 0)
    cols["closed"] = np.array([1456.0, 0.0])
    cols["pending_end"] = np.array([2425.0, 0.0])
    cols["mean_days"] = np.array([40.5, np.nan])  # an average: undefined without a case
    cols["enforcement_amount"] = np.array([np.nan, 2.5])  # a sum: missing reads as 0.0
    cols["first_instance_closed"] = np.array([10.0, 10.0])
    cols["first_instance_appealed"] = np.array([3.0, 3.0])
    return cols


def test_typed_values_counts_sums_and_averages() -> None:
    typed = ratios._typed_values(_two_rows())
    assert typed["filed"].dtype == np.int64 and typed["filed"].tolist() == [3500, 0]
    assert typed["enforcement_amount"].tolist() == [0.0, 2.5]
    assert typed["mean_days"][0] == 40.5 and math.isnan(typed["mean_days"][1])


def test_indicator_values_by_hand() -> None:
    values = ratios._indicator_values(ratios._typed_values(_two_rows()), [365, 31], [False, True])
    # 结案率 = 1456 / (381 + 3500); no case in the second row: undefined, not 0
    assert values["closure_rate"] == [1456 / 3881, None]
    assert values["clearance_ratio"] == [1456 / 3500, None]
    # CEPEJ disposition time = days × pending_end / closed
    assert values["cepej_disposition_time"] == [2425 / 1456 * 365, None]
    assert values["mean_days"] == [40.5, None]
    assert values["closed"] == [1456, 0] and all(type(v) is int for v in values["closed"])
    # 上诉率 (cohort) = 3 / 10 where the appeal window has closed, None where it is still open
    assert values["appeal_rate_cohort"] == [0.3, None]
    assert values["appeal_rate"] == [0.0, 0.0]  # flow basis: no appeal filed in the period
    cohort = [n for n in COHORT_INDICATORS if INDICATORS[n] not in ("count", "amount")]
    assert cohort
    for name in cohort:
        assert values[name][1] is None


def test_same_as_the_frame_path() -> None:
    cols = _two_rows()
    s, e = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    frame = pd.DataFrame({"period_start": [pd.Timestamp(s)] * 2, "period_end": [pd.Timestamp(e)] * 2, **cols})
    data_end = dt.date(2025, 6, 30)  # the window of a period ending 2024-12-31 is still open
    assert ratios._open_window(e, data_end) and not ratios._open_window(e, dt.date(2026, 1, 1))
    want = ratios._add_ratios(ratios._typed(frame), data_end)[list(INDICATORS)]
    days = [(e - s).days + 1] * 2
    values = ratios._indicator_values(ratios._typed_values(cols), days, [ratios._open_window(e, data_end)] * 2)
    got = pd.DataFrame(ratios._indicator_columns(values))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for c in want.columns:  # None (never NaN) where undefined, in both
        assert [type(v) for v in got[c].tolist()] == [type(v) for v in want[c].tolist()], c
