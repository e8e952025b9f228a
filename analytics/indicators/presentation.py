"""Presentation helpers (pure): names in fixed order, formatting, display and comparison tables."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

import geodata
from analytics import codes
from analytics.indicators._values import _missing, _nullable
from analytics.indicators.definitions import INDICATORS, LABELS, REASONABLE_RANGES, in_range


def _court_order() -> dict[str, int]:
    """Court code -> fixed display position (codes.COURTS order; never by a figure)."""
    return {c.code: i for i, c in enumerate(codes.COURTS)}


def _district_order() -> dict[int, int]:
    """District adcode -> fixed display position (geodata's order, as in the sidebar)."""
    return {a: i for i, a in enumerate(geodata.district_names())}


def court_name(code: str) -> str:
    """Short court name for a court code (the code itself when unknown)."""
    court = codes.court_for(str(code))
    return court.short if court else str(code)


def district_name(adcode: int | None) -> str:
    """District name for an adcode (the code as text when unknown)."""
    if adcode is None or (isinstance(adcode, float) and math.isnan(adcode)):
        return "（空）"
    return geodata.district_names().get(int(adcode), str(adcode))



def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with Chinese column labels (LABELS) for display and export."""
    return df.rename(columns={c: LABELS.get(c, c) for c in df.columns})


# --- presentation helpers (pure: formatting for pages and exports) ---------------------------


def format_value(name: str, value: float | None) -> str:
    """A value as shown on screen: counts 1,234; ratios 95.21%; days 64.2 天; '—' when missing."""
    if _missing(value):
        return "—"
    kind = INDICATORS.get(name, "count")
    v = float(value)  # type: ignore[arg-type]
    if kind == "ratio":
        return f"{v:.2%}"
    if kind == "percent":
        return f"{v:.1f}"
    if kind == "days":
        return f"{v:,.1f} 天"
    if kind == "amount":
        return f"{v / 1e4:,.1f} 万元"
    return f"{v:,.0f}"


def format_change(name: str, diff: float | None, pct: float | None) -> str | None:
    """A change as shown by st.metric: percentage points for ratios, relative % otherwise."""
    kind = INDICATORS.get(name, "count")
    if kind == "ratio":
        return None if _missing(diff) else f"{float(diff) * 100:+.2f} 个百分点"  # type: ignore[arg-type]
    if kind == "percent":
        return None if _missing(diff) else f"{float(diff):+.1f}"  # type: ignore[arg-type]
    return None if _missing(pct) else f"{float(pct):+.1%}"  # type: ignore[arg-type]



def _range_text(name: str, ranges: Mapping[str, tuple[float | None, float | None]] | None = None) -> str:
    """The reasonable range of an indicator as text (≥ 90.00%, 30.00%–80.00% ...)."""
    low, high = (REASONABLE_RANGES if ranges is None else ranges)[name]
    if low is not None and high is not None:
        return f"{format_value(name, low)} – {format_value(name, high)}"
    return f"≥ {format_value(name, low)}" if low is not None else f"≤ {format_value(name, high)}"


def range_table(
    values: pd.DataFrame, ranges: Mapping[str, tuple[float | None, float | None]] | None = None
) -> pd.DataFrame:
    """Each ranged indicator's current value against its reasonable range (input: compare())."""
    current = dict(zip(values["indicator"], values["current"], strict=True))
    rows = []
    for name in (REASONABLE_RANGES if ranges is None else ranges):
        v = current.get(name)
        ok = in_range(name, None if _missing(v) else v, ranges)
        # Plain text, no emoji: court PCs and the test browser may lack an emoji font.
        status = "— 无数据" if ok is None else ("区间内" if ok else "▲ 超出区间")
        rows.append({"指标": LABELS[name], "本期": format_value(name, v),
                     "合理区间": _range_text(name, ranges), "评价": status})
    return pd.DataFrame(rows, columns=["指标", "本期", "合理区间", "评价"])


def display_table(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Chosen columns with Chinese headers; ratios in % (header 'xx(%)'), dates as text."""
    out: dict[str, object] = {}  # built as columns, then one frame (not ~20 column inserts)
    for col in columns:
        s = df[col]
        kind = INDICATORS.get(col)
        label = LABELS.get(col, col)
        if kind == "ratio":
            pct_values = [None if _missing(v) else round(float(v) * 100, 2) for v in s]
            out[label + "(%)"] = _nullable(pct_values).to_numpy()
        elif kind == "days":
            out[label] = _nullable([None if _missing(v) else round(float(v), 1) for v in s]).to_numpy()
        elif col == "month":
            out[label] = [pd.Timestamp(v).strftime("%Y-%m") for v in s]
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[label] = [None if _missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
        else:
            out[label] = s.to_numpy()
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


_UNITS: dict[str, str] = {"count": "件", "ratio": "%", "percent": "%", "days": "天", "amount": "元"}


def compare_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """compare() output for display/export: numbers (ratios in %), changes in 百分点 or %."""
    # Numbers, not formatted text: exports stay numeric, and a text cell starting with '+'/'-'
    # would be neutralised as a formula by analytics.export.

    def num(v: object, k: float = 1.0) -> float | None:
        return None if _missing(v) else round(float(v) * k, 2)  # type: ignore[arg-type]

    rows = []
    for r in cmp.to_dict("records"):
        kind = INDICATORS[r["indicator"]]
        scale = 100.0 if kind == "ratio" else 1.0
        in_points = kind in ("ratio", "percent")
        rows.append({
            "指标": r["label"],
            "单位": _UNITS[kind],
            "本期": num(r["current"], scale),
            "同期(同比)": num(r["yoy"], scale),
            "上期(环比)": num(r["pop"], scale),
            "同比增减": num(r["yoy_diff"], scale) if in_points else num(r["yoy_pct"], 100.0),
            "环比增减": num(r["pop_diff"], scale) if in_points else num(r["pop_pct"], 100.0),
            "增减单位": "百分点" if in_points else "%",
        })
    out = pd.DataFrame(rows, columns=["指标", "单位", "本期", "同期(同比)", "上期(环比)", "同比增减",
                                      "环比增减", "增减单位"])
    for c in ("本期", "同期(同比)", "上期(环比)", "同比增减", "环比增减"):
        out[c] = _nullable(out[c].astype(object).tolist()).to_numpy()
    return out
