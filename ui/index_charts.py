"""Map features and charts of the 经济社会运行评估 page (scores come from analytics.index)."""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd

from analytics.choropleth import NO_DATA, classify
from analytics.index.assess import INSUFFICIENT

# Scores are "正向" (high = low risk); the palette runs light = low risk to dark = high risk, so
# classes are built on 100 - score and labelled back in scores.


def score_features(geojson: dict[str, Any], values: pd.DataFrame, selected: int | None, label: str
                   ) -> tuple[dict[str, Any], list[tuple[str, tuple[int, int, int]]]]:
    """District GeoJSON coloured by score (grey = 样本不足), with tooltips; and the legend items."""
    by = values.set_index("adcode")
    have = [a for a in by.index if a != 0 and not math.isnan(by.loc[a, "score"])]
    classes = classify([100.0 - float(by.loc[a, "score"]) for a in have])
    colour = {a: classes.colors[i] for i, a in enumerate(have)}
    fc = copy.deepcopy(geojson)
    fc.pop("metadata", None)
    for feat in fc["features"]:
        p = feat["properties"]
        a = int(p["adcode"])
        s, prev = by.loc[a, "score"], by.loc[a, "score_prev"]
        yoy = "—" if math.isnan(s) or math.isnan(prev) else f"{s - prev:+.1f} 分"
        p.update(
            fill=[*colour.get(a, NO_DATA), 235],
            line=[30, 30, 30, 255] if a == selected else [255, 255, 255, 255],
            width=3 if a == selected else 1,
            l1=f"{label} {INSUFFICIENT if math.isnan(s) else f'{s:.1f} 分'}",
            l2=f"同比 {yoy}",
            l3="得分越高，风险越低",
        )
    legend = []
    lo = None
    for i, hi in enumerate(classes.bins):
        top, bottom = 100.0 - (lo if lo is not None else 0.0), 100.0 - hi
        text = f"≥ {bottom:.1f}" if lo is None else f"{bottom:.1f} – {top:.1f}"
        legend.append((text, classes.palette[i]))
        lo = hi
    if len(have) < len(by.index) - 1:
        legend.append((INSUFFICIENT, NO_DATA))
    return fc, legend


# The charts are plain Vega-Lite specs drawn with st.vega_lite_chart: building and validating
# them through Altair cost 50-130 ms each per page view; a dict costs nothing.
Spec = dict[str, Any]


def heatmap(matrix: pd.DataFrame) -> tuple[pd.DataFrame, Spec]:
    """Indices (rows) x districts (columns), colour = score, text = score or 样本不足."""
    long = matrix.melt(id_vars=["维度", "指数"], var_name="区县", value_name="文字")
    long["行"] = long["维度"] + "·" + long["指数"]
    long["值"] = pd.to_numeric(long["文字"], errors="coerce")
    rows = list(dict.fromkeys(long["行"]))
    enc = {
        "x": {"field": "区县", "type": "nominal", "sort": list(dict.fromkeys(long["区县"])), "title": None,
              "axis": {"orient": "top", "labelAngle": 0}},
        "y": {"field": "行", "type": "nominal", "sort": rows, "title": None, "axis": {"labelLimit": 220}},
    }
    spec = {
        "height": 22 * len(rows) + 30,
        "encoding": enc,
        "layer": [
            {"mark": "rect", "encoding": {
                "color": {"field": "值", "type": "quantitative", "title": "得分",
                          "scale": {"scheme": "redyellowgreen", "domain": [0, 100]}},
                "tooltip": [{"field": f, "type": "nominal"} for f in ("维度", "指数", "区县", "文字")]}},
            {"mark": {"type": "text", "fontSize": 11}, "encoding": {"text": {"field": "文字", "type": "nominal"}}},
        ],
    }
    return long, spec


def rank_bands(ranks: pd.DataFrame) -> tuple[pd.DataFrame, Spec]:
    """Median rank and 5-95% band per district from the Monte Carlo (1 = lowest risk)."""
    parts = ranks["5–95%排名区间"].str.split("–", expand=True)
    df = ranks.assign(下=pd.to_numeric(parts[0], errors="coerce"),
                      上=pd.to_numeric(parts[1] if parts.shape[1] > 1 else None, errors="coerce"))
    df = df.dropna(subset=["下"])
    order = list(df.sort_values("排名中位数(模拟)")["区县"])
    y = {"field": "区县", "type": "nominal", "sort": order, "title": None}
    spec = {
        "height": 240,
        "layer": [
            {"mark": {"type": "rule", "strokeWidth": 6, "opacity": 0.45}, "encoding": {
                "y": y, "x": {"field": "下", "type": "quantitative", "title": "排名（1 = 风险最低）",
                              "scale": {"domain": [0.5, 7.5]}},
                "x2": {"field": "上"}, "color": {"field": "稳定性", "type": "nominal", "title": None}}},
            {"mark": {"type": "point", "filled": True, "size": 80, "color": "black"}, "encoding": {
                "y": y, "x": {"field": "排名中位数(模拟)", "type": "quantitative"},
                "tooltip": [{"field": f, "type": "nominal"}
                            for f in ("区县", "排名中位数(模拟)", "5–95%排名区间", "稳定性")]}},
        ],
    }
    return df, spec


def small_multiples(dimensions: pd.DataFrame, dim_names: dict[str, str], names: dict[int, str]
                    ) -> tuple[pd.DataFrame, Spec]:
    """Dimension scores, one small bar chart per district (全市 last)."""
    df = pd.DataFrame({"维度": dimensions["dimension"].map(dim_names),
                       "区县": dimensions["adcode"].map(lambda a: "全市" if a == 0 else names.get(a, str(a))),
                       "得分": dimensions["score"].round(1)})
    spec = {
        "facet": {"field": "区县", "type": "nominal", "sort": [*names.values(), "全市"], "title": None},
        "columns": 4,
        "spec": {"width": 78, "height": 100, "mark": "bar", "encoding": {
            "x": {"field": "维度", "type": "nominal", "sort": list(dim_names.values()), "title": None,
                  "axis": {"labelAngle": -45}},
            "y": {"field": "得分", "type": "quantitative", "scale": {"domain": [0, 100]}, "title": "得分"},
            "color": {"field": "维度", "type": "nominal", "legend": None},
            "tooltip": [{"field": "区县", "type": "nominal"}, {"field": "维度", "type": "nominal"},
                        {"field": "得分", "type": "quantitative"}]}},
    }
    return df, spec


def quarterly_lines(q: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, Spec]:
    """Quarterly values of one index: the city (bold) and the districts whose counts allow."""
    df = q[q["enough"]].copy()
    df["value"] = df["value"].round(4)
    spec = {
        "height": 260,
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "quarter", "type": "ordinal", "title": None, "axis": {"labelAngle": -45}},
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "district", "type": "nominal", "title": None},
            "strokeWidth": {"condition": {"test": "datum.adcode == 0", "value": 4}, "value": 1.5},
            "tooltip": [{"field": "district", "type": "nominal", "title": "区县"},
                        {"field": "quarter", "type": "ordinal", "title": "季度"},
                        {"field": "count", "type": "quantitative", "title": "案件数"},
                        {"field": "value", "type": "quantitative", "title": unit}],
        },
    }
    return df, spec


# --- 外部 users: scores built on suppressed case counts are not published -------------------

DETAIL_DEPENDENT = ("原始值", "95%区间下限", "95%区间上限", "收缩估计", "得分", "上年得分", "同比(分)")


def hidden_cells(detail: pd.DataFrame, hidden: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(dimension, index, district) of the detail rows whose case count the gate hid."""
    rows = detail[hidden["案件数"].to_numpy()]
    return set(zip(rows["维度"], rows["指数"], rows["区县"], strict=True))


def protect_matrix(matrix: pd.DataFrame, cells: set[tuple[str, str, str]], placeholder: str = "—") -> pd.DataFrame:
    """The score matrix without the scores of hidden cells, nor the dimension and composite
    scores of a district that one of its hidden cells enters."""
    out = matrix.copy()
    by_dim = {(d, r) for d, _, r in cells}
    any_hidden = {r for _, _, r in cells}
    for i, (dim, name) in enumerate(zip(matrix["维度"], matrix["指数"], strict=True)):
        for col in matrix.columns[2:]:
            if (dim, name, col) in cells or (name == "维度得分" and (dim, col) in by_dim) or (
                    dim == "综合" and col in any_hidden):
                out.iat[i, out.columns.get_loc(col)] = placeholder
    return out


def hidden_adcodes(cells: set[tuple[str, str, str]], names: dict[int, str], measure: str,
                   cfg_names: dict[str, str]) -> set[int]:
    """Districts whose value of the map's ``measure`` (composite, ``dim:<id>`` or an index id)
    is built on a hidden cell; ``cfg_names`` maps dimension and index ids to their names."""
    by_name = {v: k for k, v in names.items()}
    if measure.startswith("dim:"):
        dim = cfg_names.get(measure[4:], measure[4:])
        return {by_name[r] for d, _, r in cells if d == dim and r in by_name}
    if measure in cfg_names:
        return {by_name[r] for _, n, r in cells if n == cfg_names[measure] and r in by_name}
    return {by_name[r] for _, _, r in cells if r in by_name}  # the composite
