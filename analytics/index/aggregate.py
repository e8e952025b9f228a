"""Aggregation (OECD/JRC Handbook, section 6): arithmetic within a dimension, geometric across.

Within a dimension the index scores are compensatory (a weighted arithmetic mean of the scores
available). Across the 4 dimensions a weighted geometric mean limits compensation: a very low
score in one dimension cannot be bought back fully by another. Scores are floored at
``geo_floor`` (default 1) for the geometric mean, which is undefined at 0.

Missing values ("样本不足"): a dimension is scored from the indices that have enough cases if
they are at least ``min_share`` of its indices (weights renormalised over them), else it is
missing; the composite needs at least ``min_dimensions`` dimensions.
"""

from __future__ import annotations

import numpy as np


def arithmetic(scores: np.ndarray, weights: np.ndarray, min_share: float = 0.5) -> np.ndarray:
    """Weighted arithmetic mean of ``scores`` shaped (k, n): k indicators (rows), n units (columns).

    NaN scores are left out and the weights renormalised; NaN when fewer than ``min_share`` of
    the k indicators (by count) are present.
    """
    s = np.asarray(scores, float)
    w = np.asarray(weights, float)[:, None] * np.ones_like(s)
    ok = ~np.isnan(s)
    wsum = np.where(ok, w, 0.0).sum(axis=0)
    total = np.where(ok, w * np.nan_to_num(s), 0.0).sum(axis=0)
    enough = ok.sum(axis=0) >= np.ceil(min_share * s.shape[0] - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / wsum
    return np.where(enough & (wsum > 0), out, np.nan)


def geometric(scores: np.ndarray, weights: np.ndarray, floor: float = 1.0, min_count: int = 1) -> np.ndarray:
    """Weighted geometric mean of ``scores`` shaped (k, n), floored at ``floor``; NaN left out.

    NaN when fewer than ``min_count`` of the k values are present.
    """
    s = np.asarray(scores, float)
    w = np.asarray(weights, float)[:, None] * np.ones_like(s)
    ok = ~np.isnan(s)
    wsum = np.where(ok, w, 0.0).sum(axis=0)
    logs = np.where(ok, w * np.log(np.maximum(np.nan_to_num(s, nan=floor), floor)), 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(logs / wsum)
    return np.where((ok.sum(axis=0) >= min_count) & (wsum > 0), out, np.nan)
