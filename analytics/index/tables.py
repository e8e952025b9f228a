"""Display tables of an assessment (Chinese headers; shown on the page and downloaded as CSV/XLSX)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.index.assess import INSUFFICIENT, UNSTABLE, Assessment, assess
from analytics.index.config import IndexConfig, IndexDef, load_config
from geodata import DISTRICT_ADCODES, district_names

COMPOSITE = "composite"


@dataclass(frozen=True)
class PageData:
    """Everything the 经济社会运行评估 page shows for one year and weighting (cached as one value)."""

    assessment: Assessment
    matrix: pd.DataFrame
    detail: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame


def page_data(con: duckdb.DuckDBPyConnection, year: int, scheme: str = "equal") -> PageData:
    """The assessment of ``year`` and its display tables (for ``ctx.run``: one cache entry per year/scheme)."""
    cfg = load_config()
    a = assess(con, year, scheme)
    return PageData(a, score_matrix(a, cfg), detail_table(a, cfg), rank_table(a), weight_table(a, cfg))


def measures(cfg: IndexConfig) -> dict[str, str]:
    """What the map can show: the composite, each dimension, each index (id -> Chinese label)."""
    out = {COMPOSITE: "综合指数"}
    out.update({f"dim:{d}": f"{name}（维度）" for d, name in cfg.dimensions})
    out.update({ix.id: ix.name for ix in cfg.indices})
    return out


def unit_label(ix: IndexDef, fallback: bool) -> str:
    """The raw value's unit; says so when enterprises are replaced by population."""
    if ix.denominator == "enterprises" and fallback:
        return f"件/{ix.per:,.0f}人·年（企业户数缺，以人口代替）"
    return ix.unit


def quarter_unit(ix: IndexDef, fallback: bool) -> str:
    """Axis title of the quarterly chart: a share, or the annualised rate's unit."""
    return "比例" if ix.measure == "share" else f"{unit_label(ix, fallback)}（季度年化）"


def measure_values(a: Assessment, measure: str) -> pd.DataFrame:
    """adcode, score, score_prev for the 7 districts and the city (adcode 0)."""
    if measure == COMPOSITE:
        df = a.composite
    elif measure.startswith("dim:"):
        df = a.dimensions[a.dimensions["dimension"] == measure[4:]]
    else:
        d = a.indices[a.indices["index"] == measure][["adcode", "score", "score_prev"]]
        c = a.city[a.city["index"] == measure]
        city = pd.DataFrame({"adcode": [0], "score": c["city_score"].to_numpy(), "score_prev": c["city_score_prev"]
                             .to_numpy()})
        df = pd.concat([d, city], ignore_index=True)
    return df[["adcode", "score", "score_prev"]].reset_index(drop=True)


def fmt_score(v: float | None) -> str:
    """A score as text with one decimal, or 样本不足 when missing."""
    return INSUFFICIENT if v is None or np.isnan(float(v)) else f"{float(v):.1f}"


def _num(v: float | None, digits: int = 1) -> float | None:
    return None if v is None or np.isnan(float(v)) else round(float(v), digits)


def score_matrix(a: Assessment, cfg: IndexConfig) -> pd.DataFrame:
    """The 15 indices (rows, with dimension and composite rows) x districts + 全市 (scores 0-100)."""
    names = district_names()
    dims = cfg.dimension_names
    rows = []
    for ix in cfg.indices:
        sub = a.indices[a.indices["index"] == ix.id].set_index("adcode")
        city = a.city[a.city["index"] == ix.id].iloc[0]
        rows.append({"维度": dims[ix.dimension], "指数": ix.name,
                     **{names[d]: fmt_score(sub.loc[d, "score"]) for d in DISTRICT_ADCODES},
                     "全市": fmt_score(city["city_score"])})
    for d_id, d_name in cfg.dimensions:
        sub = a.dimensions[a.dimensions["dimension"] == d_id].set_index("adcode")
        rows.append({"维度": d_name, "指数": "维度得分",
                     **{names[d]: fmt_score(sub.loc[d, "score"]) for d in DISTRICT_ADCODES},
                     "全市": fmt_score(sub.loc[0, "score"])})
    comp = a.composite.set_index("adcode")
    rows.append({"维度": "综合", "指数": "综合指数",
                 **{names[d]: fmt_score(comp.loc[d, "score"]) for d in DISTRICT_ADCODES},
                 "全市": fmt_score(comp.loc[0, "score"])})
    return pd.DataFrame(rows)


def detail_table(a: Assessment, cfg: IndexConfig) -> pd.DataFrame:
    """One row per index and district: cases, raw value and exact interval, shrunk value, score, 同比, city."""
    names = district_names()
    fallback = bool(a.denominators["enterprises_fallback"].any())
    city = a.city.set_index("index")
    out = []
    for r in a.indices.itertuples():
        ix = cfg.index(r.index)
        pct = 100.0 if ix.measure == "share" else 1.0
        c = city.loc[r.index]
        out.append({
            "维度": cfg.dimension_names[ix.dimension], "指数": ix.name, "区县": names[r.adcode],
            "案件数": r.count, "单位": unit_label(ix, fallback),
            "原始值": round(r.raw * pct, 4) if not np.isnan(r.raw) else None,
            "95%区间下限": round(r.lo * pct, 4) if not np.isnan(r.lo) else None,
            "95%区间上限": round(r.hi * pct, 4) if not np.isnan(r.hi) else None,
            "收缩估计": round(r.shrunk * pct, 4) if not np.isnan(r.shrunk) else None,
            "得分": _num(r.score), "上年得分": _num(r.score_prev),
            "同比(分)": None if np.isnan(r.score_yoy) else round(r.score_yoy, 1),
            "全市值": round(c["city"] * pct, 4), "全市得分": _num(c["city_score"]),
            "状态": "正常" if r.enough else f"{INSUFFICIENT}（少于{ix.min_count}件）",
            "对数变换": "是" if r.log else "否",
        })
    return pd.DataFrame(out)


def rank_table(a: Assessment) -> pd.DataFrame:
    """Composite score, 同比, rank and Monte Carlo rank band per district."""
    names = district_names()
    comp = a.composite[a.composite["adcode"] != 0]
    rows = []
    for r in comp.itertuples():
        band = "—" if np.isnan(r.mc_p5) else f"{int(r.mc_p5)}–{int(r.mc_p95)}"
        rows.append({
            "区县": names[int(r.adcode)], "综合得分": fmt_score(r.score), "上年": fmt_score(r.score_prev),
            "同比(分)": None if np.isnan(r.score) or np.isnan(r.score_prev) else round(r.score - r.score_prev, 1),
            "排名": None if np.isnan(r.rank) else int(r.rank),
            "排名中位数(模拟)": None if np.isnan(r.mc_median) else float(r.mc_median),
            "5–95%排名区间": band,
            "稳定性": "稳定" if r.stable else (UNSTABLE if not np.isnan(r.score) else INSUFFICIENT),
        })
    return pd.DataFrame(rows)


def weight_table(a: Assessment, cfg: IndexConfig) -> pd.DataFrame:
    """Index weights within their dimension."""
    return pd.DataFrame({
        "维度": [cfg.dimension_names[d] for d in a.weights["dimension"]],
        "指数": [cfg.index(i).name for i in a.weights["index"]],
        "维度内权重": a.weights["weight"].round(4),
    })


def all_years(hist: pd.DataFrame, cfg: IndexConfig) -> pd.DataFrame:
    """Index results for every year (the open-data 'index results' set): raw, shrunk, interval."""
    names = district_names()
    out = hist[["index", "adcode", "year", "count", "raw", "lo", "hi", "shrunk", "city", "enough"]].copy()
    out.insert(1, "index_name", out["index"].map({ix.id: ix.name for ix in cfg.indices}))
    out.insert(3, "district", out["adcode"].map(names))
    return out.sort_values(["index", "year", "adcode"]).reset_index(drop=True)


def headline(a: Assessment, names: dict[int, str]) -> list[tuple[str, str, str | None]]:
    """(label, value, delta) of the page's headline figures: the city composite with 同比, the
    first and last district (named only when their rank band is stable), insufficient cells."""
    from analytics.index.assess import best_and_worst

    best, worst = best_and_worst(a)
    city = a.composite.set_index("adcode").loc[0]
    delta = None if np.isnan(city["score"]) or np.isnan(city["score_prev"]) else \
        f"{city['score'] - city['score_prev']:+.1f} 分（同比）"
    unstable = "—（并列或排名不稳定）"
    return [("全市综合指数", fmt_score(city["score"]), delta),
            ("排名稳定的首位", names.get(best, unstable) if best else unstable, None),
            ("排名稳定的末位", names.get(worst, unstable) if worst else unstable, None),
            ("样本不足的指数格", f"{int((~a.indices['enough']).sum())} / {len(a.indices)}", None)]


def method_text(cfg: IndexConfig) -> str:
    """The method in one paragraph (Chinese), with the configured parameters."""
    m = cfg.method
    return (f"比率 = 案件数 ÷ 分母（常住人口或企业户数），小样本按泊松-伽马经验贝叶斯（Marshall 矩估计）收缩向全市值，"
            f"原始值给出精确区间（Garwood；比例用 Clopper-Pearson）。目标值取前{m.reference_years}年全部区县的"
            f" P{m.goalpost_low:g}/P{m.goalpost_high:g}"
            f"（偏度>{m.skew_threshold:g}且峰度>{m.kurtosis_threshold:g}时先取对数），"
            f"上年用同一目标值计算同比；少于最低案件数的显示“{INSUFFICIENT}”。维度内算术平均、维度间几何平均；"
            f"排名区间来自{m.monte_carlo.draws}次蒙特卡洛模拟（固定随机种子 {m.monte_carlo.seed}），"
            "区间覆盖过半名次的区县不称首末位。")


def denominator_table(a: Assessment) -> pd.DataFrame:
    """Denominators of the year shown and where they come from."""
    names = district_names()
    d = a.denominators
    return pd.DataFrame({"区县": d["adcode"].map(names), "常住人口": d["population"],
                         "人口来源": d["population_source"], "企业户数": d["enterprises"],
                         "企业户数来源": d["enterprises_source"]})
