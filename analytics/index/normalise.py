"""Normalisation to 0-100 "正向" scores with fixed goalposts (OECD/JRC Handbook, section 5).

Goalposts are percentiles (default P5 and P95) of the shrunk values of every district in a
reference window of years before the year scored; values are clipped to the goalposts, so a
district beyond them scores 0 or 100. Indicators that are strongly skewed in the reference window
(skewness > 2 and excess kurtosis > 3.5, the rule COINr applies before normalisation) are
log-transformed, ln(1 + x), before the goalposts are taken.

Direction: "risk" indicators score 100 at the low goalpost (few cases) and 0 at the high one;
"positive" indicators the other way round. When both goalposts are equal, every value scores 50.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Goalposts:
    """Low and high goalpost (on the transformed scale) and whether values are log-transformed."""

    low: float
    high: float
    log: bool


def skew_kurtosis(values: np.ndarray) -> tuple[float, float]:
    """Sample skewness and excess kurtosis, bias-corrected (as Excel SKEW/KURT and COINr)."""
    v = np.asarray(values, float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n < 4 or np.allclose(v, v[0]):
        return 0.0, 0.0
    d = v - v.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3.0
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    kurt = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


def needs_log(values: np.ndarray, skew_threshold: float, kurtosis_threshold: float) -> bool:
    """True when the values are skewed enough for the log rule."""
    s, k = skew_kurtosis(values)
    return abs(s) > skew_threshold and k > kurtosis_threshold


def transform(values: np.ndarray, log: bool) -> np.ndarray:
    """ln(1 + x) when ``log`` (values are rates or shares, never negative), else unchanged."""
    v = np.asarray(values, float)
    return np.log1p(v) if log else v


def goalposts(reference: np.ndarray, low_pct: float, high_pct: float, skew_threshold: float = 2.0,
              kurtosis_threshold: float = 3.5) -> Goalposts:
    """Goalposts from the reference values (NaN ignored; NaN goalposts when there are none)."""
    ref = np.asarray(reference, float)
    ref = ref[~np.isnan(ref)]
    if ref.size == 0:
        return Goalposts(float("nan"), float("nan"), False)
    log = needs_log(ref, skew_threshold, kurtosis_threshold)
    t = transform(ref, log)
    lo, hi = np.percentile(t, [low_pct, high_pct])
    return Goalposts(float(lo), float(hi), log)


def score(values: np.ndarray, gp: Goalposts, direction: str) -> np.ndarray:
    """0-100 scores, higher = better (lower risk), clipped to the goalposts."""
    v = transform(np.asarray(values, float), gp.log)
    span = gp.high - gp.low
    if not np.isfinite(span):
        return np.full(v.shape, np.nan)
    if span <= 1e-9 * max(1.0, abs(gp.high)):  # equal goalposts (up to rounding): no spread to score on
        return np.where(np.isnan(v), np.nan, 50.0)
    s = (gp.high - v) / span if direction == "risk" else (v - gp.low) / span
    return np.clip(s, 0.0, 1.0) * 100.0
