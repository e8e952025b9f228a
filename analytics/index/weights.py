"""Weights: equal by default, entropy weights as an option.

Entropy weight method (e.g. Zhu, Tian & Yan 2020, "Effectiveness of entropy weight method in
decision-making", Math. Problems in Engineering): for indicator j over n observations,
min-max normalise x to [0, 1] in the favourable direction, p_ij = x_ij / sum_i x_ij,
e_j = -1/ln(n) * sum_i p_ij ln p_ij (0 ln 0 = 0), d_j = 1 - e_j, w_j = d_j / sum_j d_j.
Indicators that differ more between observations get more weight; with 7 districts that means
weights follow year-to-year volatility, so the app computes them once per release from a fixed
window of years (config ``[weights].entropy_years``) and never from the year on screen.
An indicator without variation (or without data) gets d_j = 0; if every indicator of a group
has d_j = 0 the group falls back to equal weights.
"""

from __future__ import annotations

import numpy as np


def equal_weights(n: int) -> np.ndarray:
    """n equal weights summing to 1."""
    return np.full(n, 1.0 / n) if n else np.zeros(0)


def entropy_weights(matrix: np.ndarray, positive: np.ndarray | None = None) -> np.ndarray:
    """Entropy weights of the columns of ``matrix`` (rows = observations; NaN rows per column ignored).

    ``positive[j]`` False means lower values are favourable (risk indicators): the min-max
    normalisation is then reversed, which leaves the entropy unchanged up to the orientation.
    """
    x = np.asarray(matrix, float)
    m = x.shape[1]
    positive = np.ones(m, bool) if positive is None else np.asarray(positive, bool)
    d = np.zeros(m)
    for j in range(m):
        col = x[:, j]
        col = col[~np.isnan(col)]
        n = col.size
        if n < 2 or np.ptp(col) == 0:
            continue
        z = (col - col.min()) / np.ptp(col)
        if not positive[j]:
            z = 1.0 - z
        total = z.sum()
        p = z / total
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = -plogp.sum() / np.log(n)
        d[j] = 1.0 - e
    if d.sum() <= 0:
        return equal_weights(m)
    return d / d.sum()
