"""专题报告 (one per topic in ``topics/*.toml``) from the 专题研究 page's functions (``analytics.topics``).

Kinds are ``topic:<id>``, one per valid topic file (``variants``). The topic functions work on
filing years, so the report covers the filing years of the period (the title says which), with
the shared filter on top of the topic's own case selection, as on the page. 对策建议 are the
topic file's own recommendation blocks; those tied to a raised risk are listed first.
"""

from __future__ import annotations

import pandas as pd

from analytics import maps
from analytics.report import figures
from analytics.report import text as T
from analytics.report.common import scope_text, subject, title_page
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
    Toc,
    no_progress,
)
from analytics.topics import risks as R
from analytics.topics import sections as S
from analytics.topics.config import Topic, load_topics
from geodata import district_names, rate_population

PREFIX = "topic:"


def variants() -> dict[str, str]:
    """Report kinds for the valid topic files: ``topic:<id>`` → '专题：<title>'."""
    topics, _errors = load_topics()
    return {f"{PREFIX}{t.id}": f"专题：{t.title}" for t in topics}


def _topic(kind: str) -> Topic:
    """The topic named by a kind (ValueError when there is no such topic)."""
    topics, _errors = load_topics()
    for t in topics:
        if f"{PREFIX}{t.id}" == kind:
            return t
    raise ValueError(f"未知的专题 / unknown topic {kind!r}")


def build(req: ReportRequest, run: Runner, progress: Progress = no_progress) -> Report:
    """The topic report (the brief keeps the overview, the map and the tables)."""
    topic = _topic(req.kind)
    title = f"{topic.title}专题报告"
    flt = req.flt.with_(year_from=req.start.year, year_to=req.end.year)
    years = (f"{flt.year_from}年" if flt.year_from == flt.year_to else f"{flt.year_from}-{flt.year_to}年")
    as_of = min(req.end, run(maps.data_as_of))
    progress(0.2, "计算专题案件… / topic cases…")
    names = district_names()
    dists: pd.DataFrame = run(S.district_counts, topic, flt, rate_population(), names, as_of)
    rep = Report(req.kind, title, brief=req.brief, footer="内部资料")
    if not req.brief:
        rep.add(title_page(req, title), Toc(), PageBreak())
    else:
        rep.add(Paragraph(title, "title"), Paragraph(f"{years}（按立案年度） · 内部资料", "subtitle"))
    total, cur, prev = (int(dists[c].sum()) for c in ("cases", "yoy_cur", "yoy_prev"))
    rep.add(Heading("一、总体情况"))
    if topic.summary and not req.brief:
        rep.add(Paragraph("".join(line.strip() for line in topic.summary.splitlines())))
    if total == 0:
        rep.add(Paragraph(T.clean(f"{years}，{subject(req.flt).rstrip('，')}在所选范围内没有本专题案件。")))
        return rep
    change = T.change_words(cur, prev, rate=False)
    rep.add(Paragraph(T.clean(f"{years}，{subject(req.flt)}新收本专题案件{T.fmt_count(total)}件"
                              + (f"，{change}" if change else "") + "。")))
    if scope_text(req.flt):
        rep.add(Paragraph(f"统计范围：专题案件范围，并叠加筛选（{scope_text(req.flt)}）。", "note"))
    progress(0.5, "案由构成和风险规则… / case mix and risk rules…")
    mix: pd.DataFrame = run(S.mix, topic, flt, "cause", 10)
    risk: pd.DataFrame = run(R.evaluate, topic, flt, as_of)
    rates = {int(a): float(v) for a, v in zip(dists["adcode"], dists["per_10k"], strict=True)}
    dist_table = Table("表1 各区县专题案件", ("区县", "案件数", "每万人(年均)", "同比"), tuple(
        (str(r["name"]), f"{T.fmt_count(r['cases'])}件", f"{r['per_10k']:.2f}",
         "—" if (w := T.change_words(r["yoy_cur"], r["yoy_prev"], rate=False, prefix="")) is None
         else w.replace("上升", "+").replace("下降", "-"))
        for r in dists.to_dict("records")))
    the_map = Figure(f"图1 各区县{topic.title}案件（每万人，年均）", figures.district_map(
        rates, legend="每万人", width=260 if req.brief else 420, height=190 if req.brief else 330),
        8.5 if req.brief else 12.0)
    mix_table = Table("表2 主要案由/罪名", ("案由/罪名", "案件数", "占比"), tuple(
        (str(r["cause"]), f"{T.fmt_count(r['cases'])}件", T.fmt_pct(r["share"], 1) or "—")
        for r in mix.to_dict("records")))
    raised = risk[risk["raised"]] if len(risk) else risk
    if req.brief:
        rep.add(the_map, dist_table, mix_table)
        return rep
    rep.add(Heading("二、主要特点"), dist_table, the_map, mix_table,
            Figure("图2 专题案件主要案由/罪名", figures.bars(mix, "cause", "cases", title="件数"), 14.0))
    rep.add(Heading("三、风险提示"))
    if not len(risk):
        rep.add(Paragraph("本专题未配置风险规则。"))
    elif len(raised):
        rep.add(Paragraph(T.clean(f"按专题配置的{len(risk)}条风险规则，有{len(raised)}条触发：" + "；".join(
            str(t) for t in raised["title"]) + "。")))
    else:
        rep.add(Paragraph(f"按专题配置的{len(risk)}条风险规则，本期均未触发。"))
    if len(risk):
        rep.add(Table("表3 风险规则评估", ("风险", "是否触发", "依据"), tuple(
            (str(r["title"]), "是" if r["raised"] else "否", str(r["rule"])) for r in risk.to_dict("records")),
            font_pt=8.0, widths=(2.0, 1.0, 6.0)))
    rep.add(Heading("四、对策建议"))
    hit = set(raised["id"]) if len(raised) else set()
    blocks = sorted(topic.recommendations, key=lambda b: 0 if b.risk and b.risk in hit else 1)
    for i, b in enumerate(blocks, 1):
        rep.add(Paragraph(f"（{T.chinese_ordinal(i)}）{b.title}。{b.text}" if b.title else b.text))
    if not blocks:
        rep.add(Paragraph("（本专题配置中没有对策建议文本，请在专题配置文件中补充。）"))
    return rep

