"""Uncertainty of the ranks (OECD/JRC Handbook, section 7): Monte Carlo over the method's choices.

Each draw picks, independently and with a fixed seed: a normalisation (reference-window length
and goalpost percentiles, i.e. one of the precomputed score matrices), random index and
dimension weights (each nominal weight times U(1 - s, 1 + s), renormalised) and the aggregation
across dimensions (geometric or arithmetic). The composite is recomputed for every district and
the districts ranked (1 = highest score = lowest risk). Reported per district: the median rank
and the 5-95% band. A district whose band covers more than half of the ranks is "unstable" and
is never called the best or the worst.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bands:
    """Per district: median rank, 5% and 95% rank, and the share of draws with a composite."""

    median: np.ndarray
    p5: np.ndarray
    p95: np.ndarray
    ranked_share: np.ndarray


def ranks(composite: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest; ties share the best rank; NaN values get NaN."""
    c = np.asarray(composite, float)
    higher = (c[..., None, :] > c[..., :, None]).sum(axis=-1)  # NaN compares False
    return np.where(np.isnan(c), np.nan, higher + 1.0)


def simulate(score_sets: np.ndarray, membership: np.ndarray, index_weights: np.ndarray, *, draws: int, seed: int,
             spread: float, aggregations: tuple[str, ...], floor: float, min_share: float,
             min_dimensions: int) -> tuple[Bands, np.ndarray]:
    """Rank bands from ``score_sets`` (S, I, D): S normalisations x I indices x D districts.

    ``membership`` (K, I) is 1 where index i belongs to dimension k; ``index_weights`` (I,) the
    nominal weights within dimensions. Returns the bands and the rank matrix (draws, D).
    """
    rng = np.random.default_rng(seed)
    s_count, n_idx, n_dist = score_sets.shape
    n_dim = membership.shape[0]
    pick = rng.integers(0, s_count, draws)
    w_noise = rng.uniform(1 - spread, 1 + spread, (draws, n_idx))
    v_noise = rng.uniform(1 - spread, 1 + spread, (draws, n_dim))
    agg = rng.integers(0, len(aggregations), draws)
    # All draws at once: scores (T, I, D), weights (T, I); the same arithmetic as aggregate.*.
    scores = score_sets[pick]
    ok = ~np.isnan(scores)
    w = (index_weights[None, :] * w_noise)[:, :, None] * ok  # (T, I, D), 0 where missing
    sw = np.where(ok, scores, 0.0) * w
    memb = membership > 0
    dims = np.full((draws, n_dim, n_dist), np.nan)
    for k in range(n_dim):
        m = memb[k]
        wsum = w[:, m].sum(axis=1)
        enough = ok[:, m].sum(axis=1) >= np.ceil(min_share * m.sum() - 1e-9)
        with np.errstate(invalid="ignore", divide="ignore"):
            dims[:, k] = np.where(enough & (wsum > 0), sw[:, m].sum(axis=1) / wsum, np.nan)
    v = (v_noise / v_noise.sum(axis=1, keepdims=True))[:, :, None] * ~np.isnan(dims)  # (T, K, D)
    vsum = v.sum(axis=1)
    present = (~np.isnan(dims)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        geo = np.exp((v * np.log(np.maximum(np.nan_to_num(dims, nan=floor), floor))).sum(axis=1) / vsum)
        geo = np.where((present >= min_dimensions) & (vsum > 0), geo, np.nan)
        ari = (v * np.nan_to_num(dims)).sum(axis=1) / vsum
        ari = np.where((present >= np.ceil(min_dimensions - 1e-9)) & (vsum > 0), ari, np.nan)
    is_geo = np.array([aggregations[a] == "geometric" for a in agg])[:, None]
    out = ranks(np.where(is_geo, geo, ari))
    ranked = (~np.isnan(out)).mean(axis=0)
    med, p5, p95 = (np.full(n_dist, np.nan) for _ in range(3))
    for d in np.flatnonzero(ranked > 0):
        col = out[:, d][~np.isnan(out[:, d])]
        med[d] = np.median(col)
        p5[d], p95[d] = np.percentile(col, [5, 95])
    return Bands(med, p5, p95, ranked), out
