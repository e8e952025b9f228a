"""Every catalogue indicator from its ingredients: typed ingredient columns and the ratios.

One computation, ``_indicator_values`` (``definitions.evaluate`` per row) over ingredient columns
as numpy arrays (``_typed_values``), used two ways:

* ``_typed`` + ``_add_ratios`` -- over a pandas frame of ingredients (the case-table SQL's result);
* directly -- over the trial cubes' columns (a few rows), without building intermediate frames:
  the page's compare and its per-court and per-district tables spend their time in SQL, not in
  pandas.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from analytics.indicators._values import _objects
from analytics.indicators.definitions import (
    CLOSED_INGREDIENTS,
    COHORT_INDICATORS,
    COHORT_WINDOW_DAYS,
    EVENT_INGREDIENTS,
    INDICATORS,
    STOCK_INGREDIENTS,
    evaluate,
)

_COUNT_COLS = [k for k, v in INDICATORS.items() if v == "count"]
_SUM_COLS = [k for k, (agg, _e, _c) in CLOSED_INGREDIENTS.items() if agg == "sum"]
_STAT_COLS = [k for k, (agg, _e, _c) in CLOSED_INGREDIENTS.items() if agg in ("avg", "median", "p90")]
_SUM_SET, _STAT_SET = frozenset(_SUM_COLS), frozenset(_STAT_COLS)
# The indicators evaluated from their ingredients (the others are ingredient columns themselves).
_EVALUATED = tuple(n for n, k in INDICATORS.items() if k not in ("count", "amount") and n not in _STAT_SET)


def _raw_cols() -> list[str]:
    """The columns the summary queries return (ingredients, before ratios)."""
    return [*STOCK_INGREDIENTS, *CLOSED_INGREDIENTS, *EVENT_INGREDIENTS]


_RAW_COLS = frozenset(_raw_cols())


def _open_window(end: object, data_end: dt.date | None) -> bool:
    """Whether the appeal window of a period ending ``end`` is still open at ``data_end``."""
    return data_end is None or pd.Timestamp(end).date() + dt.timedelta(days=COHORT_WINDOW_DAYS) > data_end


def _add_ratios(df: pd.DataFrame, data_end: dt.date | None) -> pd.DataFrame:
    """Every catalogue indicator from the ingredient columns of a ``_typed`` frame, by
    ``definitions.evaluate`` (through ``_indicator_values``, the computation the cube path uses).

    Cohort-basis ratios are None for a period whose appeal window has not closed by ``data_end``.
    """
    days = [(e - s).days + 1 for s, e in zip(df["period_start"], df["period_end"], strict=True)]
    open_window = [_open_window(e, data_end) for e in df["period_end"]]
    ingredients = {c: df[c].to_numpy(dtype="float64", na_value=np.nan) for c in _raw_cols()}
    values = _indicator_values(_typed_values(ingredients), days, open_window)
    # The columns collected first and the frame made once (a column at a time cost ~1 ms each);
    # counts and sums stay the frame's own columns.
    cols: dict[str, object] = {c: df[c] for c in df.columns}
    cols.update(_indicator_columns({n: v for n, v in values.items() if n in _EVALUATED or n in _STAT_SET}))
    out = pd.DataFrame(cols, index=df.index)
    out.attrs = dict(df.attrs)
    return out


def _empty_counts() -> dict[str, object]:
    """Ingredient values of an empty group."""
    row: dict[str, object] = {c: 0 for c in _raw_cols()}
    row.update({c: None for c in _STAT_COLS})
    row.update({c: 0.0 for c in _SUM_COLS})
    return row


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Counts as int64 (0 where a full join left them missing), sums as float64."""
    cols: dict[str, object] = {}
    for c in raw.columns:
        col = raw[c]
        if c not in _RAW_COLS or c in _STAT_COLS:
            cols[c] = col
        elif c in _SUM_COLS:
            cols[c] = col.astype("float64").fillna(0.0)
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf":  # plain numbers: no NA types
            cols[c] = pd.Series(np.nan_to_num(col.to_numpy(dtype="float64")).astype("int64"), index=raw.index)
        else:
            cols[c] = col.astype("Float64").fillna(0).astype("int64")
    out = pd.DataFrame(cols, index=raw.index)
    out.attrs = raw.attrs
    return out


def _typed_values(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ingredient columns (float64 arrays, NaN where missing) typed as ``_typed`` types them:
    counts int64 (missing: 0), sums float64 (missing: 0.0), averages and quantiles as they are."""
    out: dict[str, np.ndarray] = {}
    for c in _raw_cols():
        v = np.asarray(cols[c], dtype="float64")
        if c in _STAT_SET:
            out[c] = v
        elif c in _SUM_SET:
            out[c] = np.where(np.isnan(v), 0.0, v)
        else:
            out[c] = np.nan_to_num(v).astype("int64")
    return out


def _indicator_values(typed: dict[str, np.ndarray], days: list[int], open_window: list[bool]
                      ) -> dict[str, list[object]]:
    """Every catalogue indicator per row (Python values, as ``_add_ratios`` then ``to_dict`` give
    them: counts int, sums float, the others float or None) from ``_typed_values`` columns; row i
    spans ``days[i]`` days, its appeal window open or not."""
    values: dict[str, list[object]] = {c: v.tolist() for c, v in typed.items()}
    for c in _STAT_COLS:
        values[c] = [None if math.isnan(x) else x for x in values[c]]
    rows = [dict(zip(values, r, strict=True)) for r in zip(*values.values(), strict=True)]
    out: dict[str, list[object]] = {}
    for name in INDICATORS:
        if name not in _EVALUATED:
            out[name] = values[name]
            continue
        got = [evaluate(name, r, d) for r, d in zip(rows, days, strict=True)]
        if name in COHORT_INDICATORS:
            got = [None if o else v for v, o in zip(got, open_window, strict=True)]
        out[name] = [None if v is None or math.isnan(v) else float(v) for v in got]
    return out


def _indicator_columns(values: dict[str, list[object]]) -> dict[str, object]:
    """``_indicator_values`` as frame columns typed as ``_add_ratios``'s: counts int64, sums
    float64, the others object columns (None where missing)."""
    cols: dict[str, object] = {}
    for name, v in values.items():
        if name in _SUM_SET:
            cols[name] = np.array(v, dtype="float64")
        elif INDICATORS[name] == "count" or (name in _RAW_COLS and name not in _STAT_SET):
            cols[name] = np.array(v, dtype="int64")
        else:
            cols[name] = _objects(v)
    return cols
