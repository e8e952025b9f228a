"""The index method's building blocks against hand calculations (literals, derivations in comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.index import aggregate, montecarlo, normalise, rates, weights


def test_poisson_shrinkage_by_hand() -> None:
    # y = 10, 20, 30 over exposures 1, 1, 2: m = 60/4 = 15; rates 10, 20, 15;
    # s2 = (1*25 + 1*25 + 2*0)/4 = 12.5; mean exposure 4/3, so A = 12.5 - 15/(4/3) = 1.25;
    # C = 1.25/(1.25 + 15/e): e=1 -> 1/13, e=2 -> 1/7; shrunk = 15 -+ 5/13, 15.
    shrunk, m, a = rates.eb_poisson(np.array([10, 20, 30]), np.array([1.0, 1.0, 2.0]))
    assert m == 15 and a == pytest.approx(1.25)
    assert shrunk == pytest.approx([14.615385, 15.384615, 15.0], abs=1e-6)


def test_no_extra_variance_shrinks_to_the_city() -> None:
    # y = 9, 11 over 1, 1: m = 10, s2 = 1 < m, so A = 0 and both districts get the city rate
    shrunk, _m, a = rates.eb_poisson(np.array([9, 11]), np.array([1.0, 1.0]))
    assert a == 0 and list(shrunk) == [10.0, 10.0]


def test_binomial_shrinkage_by_hand() -> None:
    # x = 10, 40 of n = 100, 100: p = 0.25; s2 = (100*0.15^2*2)/200 = 0.0225;
    # p(1-p)/mean(n) = 0.1875/100 = 0.001875; A = 0.020625; C = A/(A + 0.001875) = 0.916667;
    # shrunk = 0.25 -+ 0.15*0.916667 = 0.1125, 0.3875
    shrunk, p, a = rates.eb_binomial(np.array([10, 40]), np.array([100, 100]))
    assert p == 0.25 and a == pytest.approx(0.020625)
    assert shrunk == pytest.approx([0.1125, 0.3875])


def test_garwood_known_values() -> None:
    # Exact Poisson 95% limits: y = 0 -> (0, -ln 0.025 = 3.6889); y = 1 -> (-ln 0.975 = 0.0253, 5.5716)
    lo, hi = rates.garwood(np.array([0, 1]))
    assert lo == pytest.approx([0.0, 0.025318], abs=1e-5)
    assert hi == pytest.approx([3.688879, 5.571643], abs=1e-5)


def test_clopper_pearson_known_values() -> None:
    # 0 of 10: upper = 1 - 0.025^(1/10) = 0.308497; 10 of 10: lower = 0.025^(1/10) = 0.691503
    lo, hi = rates.clopper_pearson(np.array([0, 10]), np.array([10, 10]))
    assert lo[0] == 0 and hi[0] == pytest.approx(0.308497, abs=1e-6)
    assert lo[1] == pytest.approx(0.691503, abs=1e-6) and hi[1] == 1


def test_skew_and_kurtosis_by_hand() -> None:
    # 1 (x9), 10: mean 1.9, m2 = 7.29, m3 = 52.488, m4 = 431.0577; g1 = 2.6667, g2 = 5.1111;
    # bias-corrected G1 = g1 sqrt(90)/8 = sqrt(10) = 3.1623; G2 = ((11 g2 + 6) 9)/(8*7) = 10
    s, k = normalise.skew_kurtosis(np.array([1.0] * 9 + [10.0]))
    assert s == pytest.approx(math.sqrt(10)) and k == pytest.approx(10.0)
    assert normalise.needs_log(np.array([1.0] * 9 + [10.0]), 2.0, 3.5)
    assert not normalise.needs_log(np.arange(10.0), 2.0, 3.5)  # symmetric


def test_goalposts_and_scores_by_hand() -> None:
    # 0, 10, ..., 100 (11 values): P5 at position 0.5 -> 5, P95 at position 9.5 -> 95
    gp = normalise.goalposts(np.arange(0.0, 101.0, 10.0), 5, 95)
    assert (gp.low, gp.high, gp.log) == (5.0, 95.0, False)
    # risk: 100 (95 - x)/90, clipped; positive: 100 (x - 5)/90
    assert normalise.score(np.array([5.0, 50.0, 95.0, 200.0, 0.0]), gp, "risk") == pytest.approx([100, 50, 0, 0, 100])
    assert normalise.score(np.array([32.0]), gp, "positive") == pytest.approx([30.0])


def test_log_goalposts() -> None:
    # skewed reference: goalposts on ln(1 + x); x = 0 and 9 -> ln 1 = 0 and ln 10
    ref = np.array([0.0] * 9 + [9.0])
    gp = normalise.goalposts(ref, 0, 100)
    assert gp.log and (gp.low, gp.high) == (0.0, pytest.approx(math.log(10)))
    # x = 2: (ln 10 - ln 3)/ln 10 = 0.522879 -> 52.2879 (risk)
    assert normalise.score(np.array([2.0]), gp, "risk")[0] == pytest.approx(52.2879, abs=1e-4)


def test_entropy_weights_by_hand() -> None:
    # A = 0, 1, 2 -> p = 0, 1/3, 2/3 -> e = 0.579380; B = 1, 2, 2 -> p = 0, 1/2, 1/2 -> e = ln2/ln3 = 0.630930
    # d = 0.420620, 0.369070 -> w = 0.532639, 0.467361
    w = weights.entropy_weights(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 2.0]]))
    assert w == pytest.approx([0.532639, 0.467361], abs=1e-6)
    # a constant indicator carries no information: weight 0
    assert weights.entropy_weights(np.array([[1.0, 0.0], [1.0, 1.0]])) == pytest.approx([0.0, 1.0])
    # reversing the direction (risk) gives 1 - z: B becomes p = 1, 0, 0 -> e = 0, d = 1
    w_rev = weights.entropy_weights(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 2.0]]), np.array([True, False]))
    assert w_rev == pytest.approx([0.420620 / 1.420620, 1 / 1.420620], abs=1e-6)


def test_arithmetic_within_dimension() -> None:
    # (0.5*80 + 0.25*40 + 0.25*NaN) -> NaN left out: (40 + 10)/0.75 = 66.6667; 1 of 3 present < half -> NaN
    s = np.array([[80.0, np.nan], [40.0, np.nan], [np.nan, 30.0]])
    out = aggregate.arithmetic(s, np.array([0.5, 0.25, 0.25]), min_share=0.5)
    assert out[0] == pytest.approx(66.666667) and np.isnan(out[1])


def test_geometric_across_dimensions() -> None:
    # (16 x 4)^(1/2) = 8; with weights 0.25/0.75 on 81 and 0 (floored to 1): 81^0.25 = 3
    assert aggregate.geometric(np.array([[16.0], [4.0]]), np.array([0.5, 0.5]))[0] == pytest.approx(8.0)
    assert aggregate.geometric(np.array([[81.0], [0.0]]), np.array([0.25, 0.75]))[0] == pytest.approx(3.0)
    # too few dimensions present -> NaN
    assert np.isnan(aggregate.geometric(np.array([[81.0], [np.nan]]), np.array([0.5, 0.5]), min_count=2)[0])


def test_ranks_ties_and_missing() -> None:
    assert list(montecarlo.ranks(np.array([50.0, 80.0, 50.0, np.nan, 10.0]))[[0, 1, 2, 4]]) == [2, 1, 2, 4]
    assert np.isnan(montecarlo.ranks(np.array([1.0, np.nan]))[1])


def _sets() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    sets = rng.uniform(0, 100, (3, 4, 5))  # 3 normalisations, 4 indices, 5 districts
    memb = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    return sets, memb, np.full(4, 0.5)


def test_monte_carlo_reproducible_with_seed() -> None:
    sets, memb, w = _sets()
    kw = dict(draws=200, spread=0.5, aggregations=("geometric", "arithmetic"), floor=1.0, min_share=0.5,
              min_dimensions=2)
    a, ra = montecarlo.simulate(sets, memb, w, seed=7, **kw)
    b, rb = montecarlo.simulate(sets, memb, w, seed=7, **kw)
    _c, rc = montecarlo.simulate(sets, memb, w, seed=8, **kw)
    assert np.array_equal(ra, rb) and np.array_equal(a.median, b.median)
    assert not np.array_equal(ra, rc)  # another seed draws other weights
    assert ra.shape == (200, 5) and set(np.unique(ra)) <= {1, 2, 3, 4, 5}
    assert (a.p5 <= a.median).all() and (a.median <= a.p95).all()


def test_monte_carlo_dominant_district_has_a_narrow_band() -> None:
    # district 0 scores 100 everywhere, district 1 scores 0 everywhere: ranks 1 and 5 in every draw
    sets, memb, w = _sets()
    sets[:, :, 0], sets[:, :, 1] = 100.0, 0.0
    bands, _ = montecarlo.simulate(sets, memb, w, draws=100, seed=3, spread=0.5, aggregations=("geometric",),
                                   floor=1.0, min_share=0.5, min_dimensions=2)
    assert (bands.p5[0], bands.p95[0], bands.p5[1], bands.p95[1]) == (1, 1, 5, 5)
