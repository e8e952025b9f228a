"""Many tests at once: Benjamini-Hochberg false discovery rate control across series.

Every month hundreds of district x cause series are tested. Testing each at alpha = 0.05 would
raise about 0.05 x (number of series) false alarms a month (~40 for 800 series). The alerts
instead keep the series whose Farrington p-values pass the Benjamini-Hochberg step-up procedure
at level q (Benjamini Y., Hochberg Y. (1995). Controlling the false discovery rate: a practical
and powerful approach to multiple testing. JRSS B 57(1), 289-300):

    sort p_(1) <= ... <= p_(m); reject H_(1..k) for the largest k with p_(k) <= k q / m.

What that promises (independent or positively dependent tests): the expected share of false
alarms among the alarms is at most ``q * m0 / m <= q``. So E[false alarms per month] <= q x
E[alarms per month]; when nothing at all is going on (every series in control) the chance of one
or more false alarms in a month is at most q (e.g. 0.05: one false alarm in 20 months).
"""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(pvalues: np.ndarray, q: float = 0.05) -> np.ndarray:
    """Boolean mask of rejected hypotheses; NaN p-values are not tests (never rejected, not counted)."""
    p = np.asarray(pvalues, dtype=float)
    ok = ~np.isnan(p)
    out = np.zeros(p.shape, dtype=bool)
    m = int(ok.sum())
    if m == 0:
        return out
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[idx], kind="stable")]
    below = p[order] <= q * np.arange(1, m + 1) / m
    if below.any():
        k = int(np.flatnonzero(below).max())
        out[order[: k + 1]] = True
    return out


def expected_false_alarms(n_alarms: float, q: float) -> float:
    """Upper bound on the expected number of false alarms among ``n_alarms`` BH alarms (FDR <= q)."""
    return q * n_alarms
