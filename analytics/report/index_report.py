"""《南通经济社会运行情况评估报告》 from the 经济社会运行评估 page's function (``analytics.index``).

The assessment is yearly and per district over all cases (the indices define their own case
selections), so the report covers the year of the period's end and the shared case filter does
not apply (the report says so when a filter is set). Scores are 0-100, higher = lower risk, as
on the page; rankings are named only when the Monte Carlo rank band is stable (``best_and_worst``).
"""

from __future__ import annotations

import datetime as dt

from analytics.index import assess as A
from analytics.index.config import load_config
from analytics.report import figures
from analytics.report import text as T
from analytics.report.common import SYNTHETIC_NOTICE, scope_text
from analytics.report.model import (
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Progress,
    Report,
    ReportRequest,
    Runner,
    Table,
    TitlePage,
    Toc,
    no_progress,
)
from analytics.report.templates import recommendations
from geodata import DISTRICT_ADCODES, district_names

KIND = "index"
TITLE = "南通经济社会运行情况评估报告"
CITY = 0  # the city's row in the assessment frames
WATCH_DROP = 5.0  # a city index score falling by more than this many points is a problem to report


def _score(v: object) -> str:
    """A score as text ('53.4分'), '—' when missing."""
    x = T.num(v)
    return "—" if x is None else f"{x:.1f}"


def _points(cur: object, prev: object) -> str:
    """Score change in points ('+2.3', '-1.0'), '—' when not comparable."""
    c, p = T.num(cur), T.num(prev)
    return "—" if c is None or p is None else f"{c - p:+.1f}"


def _title(req: ReportRequest, year: int) -> TitlePage:
    issued = req.issued or dt.date.today()
    return TitlePage(TITLE, "南通市中级人民法院", f"评估年度：{year}年（依据全市法院案件数据）", T.date_label(issued),
                     notice=SYNTHETIC_NOTICE if req.synthetic else None)


def build(req: ReportRequest, run: Runner, progress: Progress = no_progress) -> Report:
    """The index report for the year of the period's end (brief: the overview, map and scores)."""
    year = req.end.year
    progress(0.1, "计算经济社会运行指数… / computing the indices…")
    rep = Report(KIND, TITLE, brief=req.brief, footer="内部资料")
    try:
        a = run(A.assess, year)
    except ValueError:  # no data for the year
        rep.add(None if req.brief else _title(req, year), Paragraph(TITLE, "title") if req.brief else None,
                Heading("一、总体情况"), Paragraph(f"{year}年没有可用于评估的案件数据，本报告不含指数和图表。"))
        return rep
    cfg = load_config()
    names = {CITY: "全市", **district_names()}
    comp = {int(r["adcode"]): r for r in a.composite.to_dict("records")}
    progress(0.5, "撰写报告… / drafting…")
    city = comp.get(CITY, {})
    lines = [f"{year}年，全市经济社会运行综合得分{_score(city.get('score'))}分"
             f"（0–100分，分数越高风险越低），上年{_score(city.get('score_prev'))}分。"]
    scores = [T.num(comp[d]["score"]) for d in DISTRICT_ADCODES if d in comp]
    got = [s for s in scores if s is not None]
    if len(got) >= 2:
        lines.append(f"各区县综合得分在{min(got):.1f}至{max(got):.1f}分之间。")
    best, worst = A.best_and_worst(a)
    if best is not None:
        lines.append(f"{names.get(best, best)}综合得分最高，且排名在敏感性分析中稳定。")
    if worst is not None:
        lines.append(f"{names.get(worst, worst)}综合得分最低，且排名在敏感性分析中稳定。")
    overview = [T.clean(s) for s in lines if "—" not in s]
    scope = scope_text(req.flt)
    comp_table = Table("表1 各区县综合得分", ("区县", "本年", "上年", "变化", "排名", "排名区间（5%–95%）"), tuple(
        (names.get(d, str(d)), _score(comp[d]["score"]), _score(comp[d]["score_prev"]),
         _points(comp[d]["score"], comp[d]["score_prev"]),
         "—" if T.missing(comp[d]["rank"]) else f"{int(comp[d]['rank'])}",
         "—" if T.missing(comp[d]["mc_p5"]) else f"{int(comp[d]['mc_p5'])}–{int(comp[d]['mc_p95'])}")
        for d in (*DISTRICT_ADCODES, CITY) if d in comp))
    comp_map = Figure("图1 各区县经济社会运行综合得分", figures.district_map(
        {d: T.num(comp[d]["score"]) for d in DISTRICT_ADCODES if d in comp}, legend="综合得分",
        width=260 if req.brief else 420, height=190 if req.brief else 330), 8.5 if req.brief else 12.0)
    if req.brief:
        rep.add(Paragraph(f"{TITLE.replace('评估报告', '简报')}", "title"),
                Paragraph(f"{year}年 · 内部资料" + ("（合成演示数据，不代表真实案件）" if req.synthetic else ""),
                          "subtitle"),
                *(Paragraph(s) for s in overview), comp_map, comp_table)
        return rep

    rep.add(_title(req, year), Toc(), PageBreak(), Heading("一、总体情况"), *(Paragraph(s) for s in overview))
    if scope:
        rep.add(Paragraph(f"注：指数按全部案件计算，不受当前筛选（{scope}）影响。", "note"))
    rep.add(comp_table, comp_map)

    dims = a.dimensions
    dnames = dict(cfg.dimension_names)
    rep.add(Heading("二、各维度情况"))
    cols = [d for d in (CITY, *DISTRICT_ADCODES) if d in set(dims["adcode"].astype(int))]
    rows = []
    for dim_id, dim_name in dnames.items():
        sub = {int(r["adcode"]): r for r in dims[dims["dimension"] == dim_id].to_dict("records")}
        rows.append((dim_name, *(_score(sub[c]["score"]) if c in sub else "—" for c in cols)))
    rep.add(Table("表2 各维度得分（全市及各区县）", ("维度", *(names.get(c, str(c)) for c in cols)), tuple(rows),
                  font_pt=8.0))

    rep.add(Heading("三、各项指数"))
    city_ix = {r["index"]: r for r in a.city.to_dict("records")}
    ix_rows, drops = [], []
    for ix in cfg.indices:
        r = city_ix.get(ix.id, {})
        ix_rows.append((ix.name, dnames.get(ix.dimension, ix.dimension), _score(r.get("city_score")),
                        _score(r.get("city_score_prev")), _points(r.get("city_score"), r.get("city_score_prev"))))
        c, p = T.num(r.get("city_score")), T.num(r.get("city_score_prev"))
        if c is not None and p is not None and p - c > WATCH_DROP:
            drops.append(f"{ix.name}（{c:.1f}分，较上年下降{p - c:.1f}分）")
    rep.add(Table("表3 各项指数全市得分", ("指数", "维度", "本年", "上年", "变化"), tuple(ix_rows)))

    rep.add(Heading("四、需要关注的问题"))
    if drops:
        rep.add(Paragraph(T.clean("全市得分较上年下降超过" + f"{WATCH_DROP:.0f}分的指数有：" + "、".join(drops)
                                  + "，相关领域风险上升，需要关注。")))
    else:
        rep.add(Paragraph(f"全市各项指数得分较上年均未下降超过{WATCH_DROP:.0f}分。"))
    if a.warnings:
        rep.add(Paragraph(f"数据说明：有{len(a.warnings)}项指数所需的部分案由在数据中不存在（不计入），"
                          "详见经济社会运行评估页面。", "note"))

    rep.add(Heading("五、对策建议"))
    for i, b in enumerate(recommendations(KIND), 1):
        rep.add(Paragraph(f"（{T.chinese_ordinal(i)}）{b.title}。{b.text}" if b.title else b.text))

    rep.add(PageBreak(), Heading("附表"), Table(
        "附表1 指数定义", ("指数", "维度", "计算口径", "方向"), tuple(
            (ix.name, dnames.get(ix.dimension, ix.dimension),
             (f"每{ix.per:,.0f}{_denominator(ix.denominator)}每年的案件数" if ix.measure == "rate"
              else "占基数案件的比例") + (f"；{ix.note}" if ix.note else ""),
             "数值越高得分越低" if ix.direction == "risk" else "数值越高得分越高")
            for ix in cfg.indices), widths=(1.6, 1.2, 5.0, 1.6),
        note="方法：OECD/JRC《构建综合指标手册》（2008）：经验贝叶斯收缩、目标值标准化至0–100、维度内算术平均、"
             "维度间几何平均，排名区间来自蒙特卡洛敏感性分析。"))
    return rep


def _denominator(name: str) -> str:
    """The denominator's words."""
    return {"population": "常住人口", "enterprises": "家企业"}.get(name, name)
