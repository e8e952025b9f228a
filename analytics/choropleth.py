"""Colour classes for the district choropleth (Fisher-Jenks breaks + a fixed sequential palette).

The breaks are mapclassify's ``FisherJenks`` (2.10), ported here: importing mapclassify pulls in
scipy.stats and scikit-learn (~1.2 s on this machine), which the map page's first run after a
start paid for seven numbers. Same algorithm, same float32 sums, same bins and class ids;
``tests/test_maps.py`` checks them against mapclassify itself on random data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ColorBrewer YlOrRd (colour-blind safe, prints in greyscale); index = class, light = low.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (255, 255, 178),
    (254, 204, 92),
    (253, 141, 60),
    (240, 59, 32),
    (189, 0, 38),
)
NO_DATA = (220, 220, 220)


@dataclass(frozen=True)
class Classes:
    """Class of each value, upper bounds of the classes, and an RGB colour per value."""

    yb: tuple[int, ...]
    bins: tuple[float, ...]
    colors: tuple[tuple[int, int, int], ...]
    palette: tuple[tuple[int, int, int], ...]

    def legend(self, fmt: str = "{:,.0f}") -> list[tuple[str, tuple[int, int, int]]]:
        """(label, colour) per class, lowest first, e.g. '1,200 – 3,400'."""
        out = []
        lo = None
        for i, hi in enumerate(self.bins):
            label = f"≤ {fmt.format(hi)}" if lo is None else f"{fmt.format(lo)} – {fmt.format(hi)}"
            out.append((label, self.palette[i]))
            lo = hi
        return out


def classify(values: list[float] | np.ndarray, k: int = 5) -> Classes:
    """Fisher-Jenks natural breaks (at most k classes, fewer when values repeat)."""
    y = np.asarray(values, dtype=float)
    if y.size == 0:
        return Classes((), (), (), ())
    distinct = np.unique(y)
    k = int(min(k, len(distinct), len(PALETTE)))
    if k < 2:
        # One value (e.g. every district 0): a single class, drawn in the lightest colour.
        return Classes(tuple(0 for _ in y), (float(distinct[-1]),), tuple(PALETTE[0] for _ in y), PALETTE[:1])
    bins = fisher_jenks_bins(y, k)
    # Spread the k classes over the 5-step palette so that 3 classes still span light to dark.
    idx = np.round(np.linspace(0, len(PALETTE) - 1, k)).astype(int)
    palette = tuple(PALETTE[i] for i in idx)
    yb = tuple(int(c) for c in np.searchsorted(bins, y, side="left"))  # class i: bins[i-1] < y <= bins[i]
    return Classes(yb, tuple(float(b) for b in bins), tuple(palette[c] for c in yb), palette)


def fisher_jenks_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of the k Fisher-Jenks classes of ``values`` (at least k distinct values).

    Fisher's exact optimisation (the least total within-class squared deviation), as mapclassify
    computes it (``_fisher_jenks_means``): a dynamic programme over the sorted values with float32
    running sums; the last bound is the maximum. O(n^2 k): meant for a few dozen areas.
    """
    x = np.sort(np.asarray(values, dtype="f8"))
    n = len(x)
    start = np.zeros((n + 1, k + 1), dtype=np.int32)  # first value (1-based) of the last class
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)  # least within-class deviation
    start[1, 1:] = 1
    cost[2:, 1:] = np.inf
    v = np.float32(0)
    for last in range(2, n + 1):
        s1 = s2 = w = np.float32(0)
        for m in range(1, last + 1):
            first = last - m + 1
            val = np.float32(x[first - 1])
            s2 += val * val
            s1 += val
            w += np.float32(1)
            v = s2 - (s1 * s1) / w
            if first > 1:
                for j in range(2, k + 1):
                    if cost[last, j] >= v + cost[first - 1, j - 1]:
                        start[last, j] = first
                        cost[last, j] = v + cost[first - 1, j - 1]
        start[last, 1] = 1
        cost[last, 1] = v
    bounds = np.zeros(k + 1, dtype="f8")
    bounds[k] = x[n - 1]
    bounds[0] = x[0]
    end = n
    for j in range(k, 1, -1):
        pivot = int(start[end, j])
        bounds[j - 1] = x[pivot - 2]
        end = pivot - 1
    return bounds[1:]
