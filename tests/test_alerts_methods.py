"""Benjamini-Hochberg, CUSUM and the alert wording on hand-computed examples."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from analytics.alerts import cusum as cs
from analytics.alerts import explain as ex
from analytics.alerts.multiple import benjamini_hochberg, expected_false_alarms
from analytics.filters import CaseFilter, FilterOptions, parse_query_params


def test_bh_all_rejected_when_every_p_is_under_its_line() -> None:
    # m = 4, q = 0.05: lines 0.0125, 0.025, 0.0375, 0.05; sorted p .005, .01, .03, .04 all under.
    assert benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.005]), 0.05).tolist() == [True] * 4


def test_bh_step_up_stops_at_the_largest_k() -> None:
    # sorted .01 <= .0125 yes, .02 <= .025 yes, .04 <= .0375 no, .5 <= .05 no -> first two only.
    assert benjamini_hochberg(np.array([0.01, 0.02, 0.5, 0.04]), 0.05).tolist() == [True, True, False, False]
    # step-up: .03 > .025 (k = 2) but .036 <= .0375 (k = 3) -> the three smallest are rejected.
    assert benjamini_hochberg(np.array([0.001, 0.03, 0.036, 0.9]), 0.05).tolist() == [True, True, True, False]


def test_bh_ignores_nan_and_counts_only_tests() -> None:
    # One real test (m = 1): 0.04 <= 0.05.
    assert benjamini_hochberg(np.array([np.nan, 0.04, np.nan]), 0.05).tolist() == [False, True, False]
    assert not benjamini_hochberg(np.array([np.nan, np.nan])).any()
    assert expected_false_alarms(10, 0.05) == pytest.approx(0.5)


def test_cusum_accumulates_alarms_and_restarts() -> None:
    # k = 0.5, h = 2: S = 0, 1.5, 3.0 (> 2: alarm, restart at 0), 1.5, 1.0 (0 - 0.5), 0.5 (NaN adds 0)
    z = np.array([[0.0, 2.0, 2.0, 2.0, 0.0, np.nan]])
    s, alarm = cs.cusum(z, k=0.5, h=2.0)
    assert s[0].tolist() == pytest.approx([0.0, 1.5, 3.0, 1.5, 1.0, 1.0])
    assert alarm[0].tolist() == [False, False, True, False, False, False]


def test_cusum_never_goes_negative() -> None:
    s, alarm = cs.cusum(np.array([[-3.0, -1.0, 0.4]]), k=0.5, h=4.0)
    assert s[0].tolist() == [0.0, 0.0, 0.0] and not alarm.any()


def test_cusum_residuals_on_the_two_thirds_scale() -> None:
    # (27^(2/3) - 8^(2/3)) / 2.5 = (9 - 4) / 2.5 = 2
    assert cs.residuals(np.array([27.0]), np.array([8.0]), np.array([2.5]))[0] == pytest.approx(2.0)


def test_arl0_siegmund() -> None:
    # k = 0.5, h = 4: b = 5.166, (e^5.166 - 5.166 - 1) / 0.5 = (175.19 - 6.166) * 2 = 338.0
    assert cs.arl0(0.5, 4.0) == pytest.approx(338.0, abs=0.5)


def test_strength_and_sentence() -> None:
    # (63 - 44) / (44 - 31) = 19 / 13
    assert ex.strength(63, 31, 44) == pytest.approx(19 / 13)
    assert np.isnan(ex.strength(5, 3, 3))
    assert ex.surge_sentence("海门区", "劳动争议", "2025-11", 63, 31.2, 44.4, 2) == \
        "海门区 劳动争议 2025年11月 63件，预期 31件（上限 44件），连续2个月超出"
    assert ex.surge_sentence("海门区", "劳动争议", "2025-03", 63, 31.2, 44.4, 1).endswith("超出上限")


def test_links_open_exactly_the_alert_filter() -> None:
    flt = ex.case_filter("2023-06", 320614, "cause_group", "劳动争议、人事争议")
    map_url, trial_url = ex.links(flt)
    assert urlsplit(map_url).path == "/" and urlsplit(trial_url).path == "/trial"
    params = {k: v[0] for k, v in parse_qs(urlsplit(map_url).query).items()}
    opts = FilterOptions(categories=("民事",), cause_groups=("劳动争议、人事争议",), causes=("劳动争议",),
                         courts=(), procedures=("一审", "二审"), outcomes=(), year_min=2016, year_max=2025,
                         districts=(320614,))
    parsed, warnings = parse_query_params(params, opts)
    assert not warnings
    assert parsed == CaseFilter(2023, 2023, cause_groups=("劳动争议、人事争议",), procedures=("一审",),
                                district=320614)
