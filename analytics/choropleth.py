"""Colour classes for the district choropleth (mapclassify breaks + a fixed sequential palette)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
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
    with warnings.catch_warnings():
        # Without numba, mapclassify warns that it uses pure Python: fine for a few districts.
        warnings.simplefilter("ignore", UserWarning)
        mc = mapclassify.FisherJenks(y, k=k)
    # Spread the k classes over the 5-step palette so that 3 classes still span light to dark.
    idx = np.round(np.linspace(0, len(PALETTE) - 1, mc.k)).astype(int)
    palette = tuple(PALETTE[i] for i in idx)
    yb = tuple(int(c) for c in mc.yb)
    return Classes(yb, tuple(float(b) for b in mc.bins), tuple(palette[c] for c in yb), palette)
