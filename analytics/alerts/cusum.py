"""Sustained shifts: an upper CUSUM on standardised residuals of the Farrington baseline.

A surge test looks at one month; a moderate rise lasting several months can stay under every
monthly upper bound. The CUSUM (Page E.S. (1954). Continuous inspection schemes. Biometrika 41,
100-115) accumulates the evidence:

    z_t = (y_t^(2/3) - mu_t^(2/3)) / se_t      (residual on the Farrington 2/3-power scale;
                                               mu_t, se_t from the past-only baseline of month t)
    S_t = max(0, S_(t-1) + z_t - k),  alarm when S_t > h, then S_t = 0 (restart after an alarm).

Standardising Anscombe-type residuals of a count baseline before a CUSUM follows Rossi G.,
Lampugnani L., Marchi M. (1999). An approximate CUSUM procedure for surveillance of health
events. Stat. Med. 18, 2111-2122. The app uses k = 1 (tuned to a sustained shift of two standard
deviations of the monthly residual) and h = 6 (``AlertConfig``). For N(0, 1) residuals the
in-control average run length would then be astronomically long (``arl0``, Siegmund's
approximation; k = 0.5, h = 5 gives ~940 months per series, i.e. m / 940 signals a month over m
series); real residuals are wider than N(0, 1) (trends the 3-year baseline lags behind: on the
synthetic data their sd is ~1.25), so the false-signal rate is measured on the planted-event
evaluation instead (``analytics.alerts.evaluate``): about 0.7 a month city-wide.
"""

from __future__ import annotations

import math

import numpy as np


def residuals(y: np.ndarray, expected: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Standardised residuals on the 2/3-power scale (NaN where there is no baseline)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.asarray(y, float) ** (2 / 3) - np.asarray(expected, float) ** (2 / 3)) / se


def cusum(z: np.ndarray, k: float = 0.5, h: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Upper CUSUM along the last axis with restart after each alarm; NaN residuals add nothing.

    Returns (S, alarm), same shape as ``z``.
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    s = np.zeros_like(z)
    alarm = np.zeros(z.shape, dtype=bool)
    cur = np.zeros(z.shape[0])
    for t in range(z.shape[1]):
        inc = np.where(np.isnan(z[:, t]), 0.0, z[:, t] - k)
        cur = np.maximum(0.0, cur + inc)
        s[:, t] = cur
        alarm[:, t] = cur > h
        cur = np.where(alarm[:, t], 0.0, cur)
    return s, alarm


def arl0(k: float = 0.5, h: float = 5.0) -> float:
    """In-control average run length of the upper CUSUM for N(0, 1) data (Siegmund 1985)."""
    b = h + 1.166
    d = -k
    return (math.exp(-2 * d * b) + 2 * d * b - 1) / (2 * d * d)
