"""Missing-value helpers shared by the indicator modules: None (never NaN) for undefined figures."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


def _missing(v: object) -> bool:
    """None, NaN, NaT or pd.NA."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))



def _nullable(values: Sequence[float | None] | pd.Series) -> pd.Series:
    """An object column holding floats, with None (never NaN) where a value is missing."""
    return pd.Series(
        [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values],
        dtype=object,
    )



def _objects(values: Sequence[object]) -> np.ndarray:
    """An object array of ``values`` as they are (e.g. floats and None): a frame column that pandas
    neither converts nor copies element by element."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr
