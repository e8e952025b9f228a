"""Rendering of topic sections (专题): one function per section type, each with a chart or map, a table and downloads.

The figures come from ``analytics.topics``; this module only draws them. Maps reuse the district
builders of ``ui.deck`` and the province map of ``ui.region_map``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

import geodata
from analytics.choropleth import classify
from analytics.filters import CaseFilter
from analytics.maps import yoy_window
from analytics.privacy import TableSpec
from analytics.topics import records as RC
from analytics.topics import risks as RK
from analytics.topics import sections as S
from analytics.topics.config import Section, Topic
from ui import deck, region_map
from ui.shell import Ctx, url_choice
from ui.widgets import download_buttons, legend

RED = "#b0182b"
RULE_NOTE = ("以下工具、方式由关键词和正则表达式规则从案情文字中识别（规则写在专题配置文件中，可逐条追溯），"
             "不是人工标注；规则的精确率和召回率在测试中用人工标注的文书片段检验。")


@dataclass(frozen=True)
class View:
    """What the sections look at: the filter (its district = district in view) and the highlighted district."""

    flt: CaseFilter  # page filter with the district in view (None = whole city)
    focus: int | None  # highlighted district (map) and compared series (trend, share)
    focus_name: str


def choose_view(ctx: Ctx, topic: Topic) -> View:
    """District in view: the sidebar's district, else the topic's focus district or the city (a URL choice)."""
    names = geodata.district_names()
    if ctx.flt.district is not None:
        d = ctx.flt.district
        return View(ctx.flt, d, names.get(d, str(d)))
    if topic.focus_adcode is None:
        return View(ctx.flt, None, "")
    name = names.get(topic.focus_adcode, str(topic.focus_adcode))
    scope = url_choice("分析范围", {"focus": f"{name}（专题重点）", "city": "全市"}, "tscope", "tp_scope")
    district = topic.focus_adcode if scope == "focus" else None
    return View(ctx.flt.with_(district=district), topic.focus_adcode, name)


def year_label(flt: CaseFilter) -> str:
    """'2025年' or '2019–2025年'."""
    return f"{flt.year_to}年" if flt.year_from == flt.year_to else f"{flt.year_from}–{flt.year_to}年"


def _fmt(v: object) -> str:
    """A figure for display: integers with separators, other numbers to one decimal, '—' when missing."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{int(v):,}"
    return f"{float(v):,.1f}"  # type: ignore[arg-type]


def _download(ctx: Ctx, df: pd.DataFrame, topic: Topic, section: Section, key: str,
              spec: TableSpec | None = None) -> None:
    download_buttons(ctx, df, ctx.file_stem(f"专题_{topic.title}_{section.title}"), key=key, spec=spec)


def _table(ctx: Ctx, df: pd.DataFrame, what: str, key: str, spec: TableSpec | None = None, **kwargs: object) -> None:
    """A section table; for 外部 users after the gate (as text, so without number formats)."""
    if ctx.user.protected:
        st.dataframe(ctx.gate(df, what, spec), hide_index=True, key=key)
    else:
        st.dataframe(df, hide_index=True, key=key, **kwargs)  # type: ignore[arg-type]


def _amount_spec(df: pd.DataFrame) -> TableSpec:
    """Sums of amounts (万元) are withheld from 外部 users: the sections carry no dominance data."""
    return TableSpec(sums=tuple(c for c in df.columns if "万元" in str(c) or str(c).endswith("(元)")))


def _bars(df: pd.DataFrame, cat: str, val: str, cat_title: str, val_title: str, share: str | None = None) -> alt.Chart:
    tips = [alt.Tooltip(f"{cat}:N", title=cat_title), alt.Tooltip(f"{val}:Q", title=val_title, format=",")]
    if share:
        tips.append(alt.Tooltip(f"{share}:Q", title="占比", format=".1%"))
    return (
        alt.Chart(df).mark_bar(color=RED)
        .encode(x=alt.X(f"{val}:Q", title=val_title, axis=alt.Axis(tickMinStep=1, format=",d")),
                y=alt.Y(f"{cat}:N", sort=None, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=260)),
                tooltip=tips)
        .properties(height=alt.Step(26))
    )


def trend_chart(df: pd.DataFrame, section: Section) -> alt.Chart:
    """Lines per scope (city, focus district) with the section's dated markers as vertical rules."""
    base = alt.Chart(df).mark_line(point=section.opt("freq", "month") != "month").encode(
        x=alt.X("period:T", title="期间", axis=alt.Axis(format="%Y-%m" if section.opt("freq", "month") != "year"
                                                       else "%Y")),
        y=alt.Y("cases:Q", title="件数"),
        color=alt.Color("scope:N", title="范围", scale=alt.Scale(range=["#1f4e79", RED])),
        tooltip=[alt.Tooltip("period:T", title="期间", format="%Y-%m"), alt.Tooltip("scope:N", title="范围"),
                 alt.Tooltip("cases:Q", title="件数", format=",")],
    )
    markers = section.opt("markers", ())
    if not markers:
        return base.properties(height=260)
    mk = pd.DataFrame({"period": [pd.Timestamp(m.on) for m in markers], "label": [m.label for m in markers],
                       "y": [4 + 16 * (i % 2) for i in range(len(markers))]})  # alternate rows: no overlap
    rules = alt.Chart(mk).mark_rule(color="#555", strokeDash=[4, 3]).encode(x="period:T")
    text = alt.Chart(mk).mark_text(align="left", dx=4, color="#333", baseline="top").encode(
        x="period:T", y=alt.Y("y:Q", scale=None), text="label:N")
    return alt.layer(base, rules, text).properties(height=280)


def _trend(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = ctx.run(S.trend, topic, ctx.flt, sec.opt("freq", "month"), sec.opt("span", "all"), view.focus,
                 view.focus_name)
    st.altair_chart(trend_chart(ctx.chart_data(df, sec.title), sec), width="stretch", key=f"{key}_chart")
    markers = sec.opt("markers", ())
    if markers:
        spans = S.labelled(S.around_markers(df, markers, sec.opt("freq", "month")))
        _table(ctx, spans, sec.title, f"{key}_spans",
               column_config={"月均案件数": st.column_config.NumberColumn(format="%.2f")})
        download_buttons(ctx, spans, ctx.file_stem(f"专题_{topic.title}_{sec.title}_分时段"), key=f"{key}_dl_spans")
    table = df.pivot(index="period", columns="scope", values="cases").reset_index()
    table.columns.name = None
    _download(ctx, table.rename(columns={"period": "期间"}), topic, sec, f"{key}_dl")


def _share(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = ctx.run(S.share, topic, ctx.flt, sec.opt("span", "all"), view.focus, view.focus_name)
    if ctx.user.protected:  # shares of small counts: the gated table only, no chart or ratio
        _table(ctx, S.labelled(df), sec.title, f"{key}_table")
        _download(ctx, S.labelled(df), topic, sec, f"{key}_dl")
        return
    chart = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="占比", axis=alt.Axis(format="%")),
        color=alt.Color("scope:N", title="范围", scale=alt.Scale(range=["#1f4e79", RED])),
        tooltip=[alt.Tooltip("year:O", title="年度"), alt.Tooltip("scope:N", title="范围"),
                 alt.Tooltip("topic_cases:Q", title="专题案件", format=","),
                 alt.Tooltip("base_cases:Q", title="同类案件", format=","),
                 alt.Tooltip("share:Q", title="占比", format=".2%")],
    ).properties(height=240)
    st.altair_chart(chart, width="stretch", key=f"{key}_chart")
    if view.focus is not None:
        last = df[df["scope"] != S.CITY].dropna(subset=["ratio"]).tail(1)
        if not last.empty:
            r = last.iloc[0]
            st.metric(f"{view.focus_name} {int(r['year'])}年 比重 / 全市比重", f"{r['ratio']:.2f} 倍",
                      help="专题案件占本地区同类案件的比重，相对全市比重的倍数")
    wide = df.pivot(index="year", columns="scope", values="share")
    wide.columns = [f"{c}占比" for c in wide.columns]
    if view.focus is not None:
        wide["相对全市倍数"] = df[df["scope"] != S.CITY].set_index("year")["ratio"]
    pct = {c: st.column_config.NumberColumn(format="percent") for c in wide.columns if c.endswith("占比")}
    st.dataframe(wide.rename_axis("年度").reset_index(), hide_index=True, key=f"{key}_table",
                 column_config={**pct, "相对全市倍数": st.column_config.NumberColumn(format="%.2f")})
    _download(ctx, S.labelled(df), topic, sec, f"{key}_dl")


def _map(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    names = geodata.district_names()
    stats = ctx.run(S.district_counts, topic, ctx.flt, geodata.rate_population(), names, ctx.as_of)
    metric = sec.opt("metric", "cases")
    if metric == "share" and "share" not in stats:
        metric = "cases"
    cols = ["name", "cases", "per_10k", "yoy", *(["base_cases", "share"] if "share" in stats else [])]
    table = S.labelled(stats[cols])
    gated = ctx.gated(stats[["adcode", *cols]], sec.title, TableSpec(counts=("cases", "base_cases")))
    hidden = () if gated is None else tuple(int(a) for a, h in zip(stats["adcode"], gated.hidden["cases"],
                                                                   strict=True) if h)
    values = stats[metric].fillna(0)
    classes = classify(values[~stats["adcode"].isin(hidden)].tolist())
    label = {"cases": "案件数", "per_10k": "每万人案件数（年均）", "share": "占本地区同类案件比重"}[metric]
    feats = deck.district_features(geodata.load_districts(), stats, classes, view.focus,
                                   yoy_window(ctx.flt, ctx.as_of).label, hidden, ctx.rules.hidden_label)
    chart = deck.build_deck(feats, geodata.load_context(), None, ctx.settings.map_style_url)
    st.pydeck_chart(chart, height=460, key=f"{key}_map")
    fmt = "{:.1%}" if metric == "share" else "{:,.1f}" if metric == "per_10k" else "{:,.0f}"
    legend(classes.legend(fmt) + ([(f"{ctx.rules.hidden_label} 不公开", deck.SUPPRESSED)] if hidden else []), label)
    years = year_label(ctx.flt)
    st.caption(f"{years} · 加粗边框为{view.focus_name or '所选区县'} · {geodata.ATTRIBUTION}")
    spec = TableSpec(counts=tuple(S.labelled(stats[[c for c in ("cases", "base_cases") if c in stats]]).columns))
    _table(ctx, table, sec.title, f"{key}_table", spec,
                 column_config={"同比": st.column_config.NumberColumn(format="percent"),
                                "占比": st.column_config.NumberColumn(format="percent"),
                                "每万人案件数(年均)": st.column_config.NumberColumn(format="%.2f")})
    _download(ctx, table, topic, sec, f"{key}_dl", spec)


def _mix(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    by = sec.opt("by", "cause")
    df = ctx.run(S.mix, topic, view.flt, by, sec.opt("top", 15))
    if df.empty:
        st.info("所选范围内没有专题案件。")
        return
    st.altair_chart(_bars(ctx.chart_data(df, sec.title), by, "cases", "案由", "件数", "share"), width="stretch",
                    key=f"{key}_chart")
    _table(ctx, S.labelled(df), sec.title, f"{key}_table",
                 column_config={"占比": st.column_config.NumberColumn(format="percent")})
    _download(ctx, S.labelled(df), topic, sec, f"{key}_dl")


def _roles(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = ctx.run(S.roles, topic, view.flt)
    st.altair_chart(_bars(ctx.chart_data(df, sec.title), "role", "cases", "诉讼地位", "件数", "share"),
                    width="stretch", key=f"{key}_chart")
    st.caption("同一案件双方均为符合条件的企业时，两种地位各计一次，占比之和可超过100%。")
    _table(ctx, S.labelled(df), sec.title, f"{key}_table",
                 column_config={"占比": st.column_config.NumberColumn(format="percent")})
    _download(ctx, S.labelled(df), topic, sec, f"{key}_dl")


def _amounts(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = S.labelled(ctx.run(S.amounts, topic, view.flt))
    st.caption("诉讼案件为标的额，执行案件为申请执行标的，分类别统计（执行案件重复其执行依据的金额，不宜相加）；"
               "执行到位率 = 已结执行实施案件的执行到位金额 / 申请执行标的。")
    fmt = {c: st.column_config.NumberColumn(format="%.1f") for c in df.columns if "万元" in c}
    fmt["执行到位率"] = st.column_config.NumberColumn(format="percent")
    _table(ctx, df, sec.title, f"{key}_table", _amount_spec(df), column_config=fmt)
    if ctx.user.protected:
        st.caption("金额合计无最大单方占比数据，按数据发布规则不向外部用户发布。 / Amount sums withheld.")
    _download(ctx, df, topic, sec, f"{key}_dl", _amount_spec(df))


def _outcomes(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = ctx.run(S.outcomes, topic, view.flt, sec.opt("span", "all"))
    if df.empty:
        st.info("所选范围内没有已结的执行实施案件。")
        return
    chart = alt.Chart(df).mark_line(point=True, color=RED).encode(
        x=alt.X("year:O", title="结案年度", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("zhongben_share:Q", title="终本率", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("year:O", title="结案年度"), alt.Tooltip("closed:Q", title="执行实施结案"),
                 alt.Tooltip("zhongben:Q", title="终本"),
                 alt.Tooltip("zhongben_share:Q", title="终本率", format=".1%")],
    ).properties(height=230)
    if not ctx.user.protected:  # rates of small counts: the gated table only
        st.altair_chart(chart, width="stretch", key=f"{key}_chart")
    _table(ctx, S.labelled(df), sec.title, f"{key}_table",
                 column_config={"终本率": st.column_config.NumberColumn(format="percent")})
    _download(ctx, S.labelled(df), topic, sec, f"{key}_dl")


def _durations(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = S.labelled(ctx.run(S.durations, topic, view.flt))
    st.caption("立案于所选年度且已结案的案件，自立案至结案的天数（未扣除审限扣除期间）。")
    _table(ctx, df, sec.title, f"{key}_table",
           column_config={c: st.column_config.NumberColumn(format="%.0f") for c in df.columns if "天" in c})
    _download(ctx, df, topic, sec, f"{key}_dl")


def _repeat(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    rep = ctx.run(S.repeat, topic, view.flt, sec.opt("top", 10))
    c1, c2, c3 = st.columns(3)
    c1.metric("涉诉企业（代号）", ctx.figure(rep.keys, f"{rep.keys:,}", sec.title))
    c2.metric("企业-案件对", ctx.figure(rep.pairs, f"{rep.pairs:,}", sec.title))
    share = rep.key_share_for_half
    half = ctx.figure(rep.keys_for_half, "", sec.title) or ctx.figure(rep.keys, "", sec.title)
    c3.metric("占一半案件的企业数", half or (f"{rep.keys_for_half:,}" + ("" if share is None else f"（{share:.1%}）")),
              help="按案件数从多到少累加，达到全部企业-案件对一半所需的最少企业数；括号内为占全部企业的比例")
    st.caption("企业以假名代号表示，不显示名称；同一案件中两家符合条件的企业各计一次。")
    user = getattr(ctx, "user", None)  # ui.access: users who may see aggregates only get no per-key list
    if user is not None and not user.sees_case_lists:
        st.info("外部用户只能查看汇总数据，不显示逐个企业的清单。 / Aggregates only: no per-enterprise list.")
        summary = pd.DataFrame({"指标": ["涉诉企业（代号）", "企业-案件对", "占一半案件的企业数"],
                                "数值": [rep.keys, rep.pairs, rep.keys_for_half]})
        _download(ctx, summary, topic, sec, f"{key}_dl")
        return
    df = S.labelled(rep.top.assign(key=rep.top["key"].map(lambda k: f"E{int(k)}")))
    st.dataframe(df, hide_index=True, key=f"{key}_table",
                 column_config={"占比": st.column_config.NumberColumn(format="percent"),
                                "累计占比": st.column_config.NumberColumn(format="percent")})
    _download(ctx, df, topic, sec, f"{key}_dl")


def _risks(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    df = ctx.run(RK.evaluate, topic, view.flt, ctx.as_of)
    raised = df[df["raised"]]
    if raised.empty:
        st.success("按配置的规则，本期未触发风险点。")
    for _, r in raised.iterrows():
        why = f"  \n{r['why']}" if r["why"] else ""
        st.warning(f"**{int(r['rank'])}. {r['title']}**  \n触发规则：{r['rule']}{why}")
    table = RK.labelled(df)
    with st.expander(f"全部 {len(df)} 条规则的检查结果"):
        _table(ctx, table, sec.title, f"{key}_table")
    _download(ctx, table, topic, sec, f"{key}_dl")


def _recommendations(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    raised: set[str] = set()
    if topic.risks:
        df = ctx.run(RK.evaluate, topic, view.flt, ctx.as_of)
        raised = set(df.loc[df["raised"], "id"])
    rows: list[dict[str, object]] = []
    for i, rec in enumerate(topic.recommendations, 1):
        hot = rec.risk in raised
        st.markdown(f"**{i}. {rec.title}**" + ("　:red[（对应风险点已触发）]" if hot else ""))
        st.markdown(rec.text)
        rows.append({"序号": i, "建议": rec.title, "内容": rec.text, "对应风险点已触发": "是" if hot else ""})
    _download(ctx, pd.DataFrame(rows), topic, sec, f"{key}_dl", TableSpec(public=("序号",)))


def _no_records(ctx: Ctx, topic: Topic, scope: str) -> bool:
    n = ctx.run(RC.record_count, topic, scope)
    if n:
        return False
    where = f"{topic.judgments.local_city}的" if scope == "local" and topic.judgments else ""
    st.info(f"案件库中没有{where}此类裁判文书记录。可在“裁判文书专题”页导入 CAIL 格式的裁判文书。")
    return True


def _j_provinces(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    if _no_records(ctx, topic, "national"):
        return
    df = ctx.run(RC.provinces, topic)
    if not ctx.user.protected:  # 外部: the gated table only (no map of small counts)
        region_map.show(region_map.province_map(df, ctx.settings.map_style_url), key=f"{key}_map")
        st.caption("示意图：省界经简化，未含南海诸岛附图，不作为国界和行政区划依据。")
    table = RC.labelled(df)
    _table(ctx, table, sec.title, f"{key}_table",
                 column_config={"占比": st.column_config.NumberColumn(format="percent")})
    _download(ctx, table, topic, sec, f"{key}_dl")


def _j_sentences(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    scope = sec.opt("scope", "national")
    if _no_records(ctx, topic, scope):
        return
    res = ctx.run(RC.sentences, topic, scope)
    left, right = st.columns([2, 3])
    shown = RC.labelled(res.summary.assign(value=[_fmt(v) for v in res.summary["value"]]))
    if ctx.user.protected and _small(ctx, res.bands["records"]):  # summary figures of few records
        shown = shown.assign(**{shown.columns[-1]: "—"})
    left.dataframe(shown, hide_index=True, key=f"{key}_summary")
    right.altair_chart(_bars(ctx.chart_data(res.bands, sec.title), "band", "records", "刑期", "记录数", "share"),
                       width="stretch", key=f"{key}_chart")
    st.caption("CAIL 数据不含缓刑标记，案情文字也多不含判决内容，故不统计缓刑。")
    table = pd.concat([RC.labelled(res.summary),
                       RC.labelled(res.bands).rename(columns={"刑期": "指标", "记录数": "数值"})], ignore_index=True)
    _download(ctx, table, topic, sec, f"{key}_dl")


def _small(ctx: Ctx, counts: pd.Series) -> bool:
    """True when the records behind summary figures include a count below the threshold."""
    return any(ctx.figure(v, "", "记录数") for v in counts)


def _text_findings(ctx: Ctx, topic: Topic, sec: Section, view: View, key: str) -> None:
    scope = sec.opt("scope", "national")
    st.caption(RULE_NOTE)
    if _no_records(ctx, topic, scope):
        return
    df = ctx.run(RC.text_findings, topic, scope)
    st.altair_chart(_bars(ctx.chart_data(df, sec.title), "label", "records", "工具/方式", "记录数", "share"),
                    width="stretch", key=f"{key}_chart")
    table = RC.labelled(df)
    _table(ctx, table, sec.title, f"{key}_table",
                 column_config={"占比": st.column_config.NumberColumn(format="percent")})
    with st.expander("识别规则"):
        st.dataframe(pd.DataFrame([{"工具/方式": r.label, "关键词": "、".join(r.keywords),
                                    "正则表达式": "  ".join(r.patterns), "先排除": "、".join(r.exclude)}
                                   for r in topic.text_rules]), hide_index=True, key=f"{key}_rules")
    _download(ctx, table, topic, sec, f"{key}_dl")


RENDERERS: dict[str, Callable[[Ctx, Topic, Section, View, str], None]] = {
    "trend": _trend, "share": _share, "map": _map, "mix": _mix, "roles": _roles, "amounts": _amounts,
    "outcomes": _outcomes, "durations": _durations, "repeat": _repeat, "risks": _risks,
    "recommendations": _recommendations, "judgments_provinces": _j_provinces,
    "judgments_sentences": _j_sentences, "text_findings": _text_findings,
}


def withheld_districts(ctx: Ctx, topic: Topic) -> set[int]:
    """Districts whose topic case count a 外部 user may not see (below the threshold, or hidden
    so that another cannot be recomputed from the city total); empty for other users."""
    if not ctx.user.protected:
        return set()
    stats = ctx.run(S.district_counts, topic, ctx.flt, geodata.rate_population(), geodata.district_names(),
                    ctx.as_of)
    gated = ctx.gated(stats[["name", "cases"]], f"专题_{topic.title}_区县", TableSpec(counts=("cases",)))
    if gated is None:
        return set()
    return {int(a) for a, h in zip(stats["adcode"], gated.hidden["cases"], strict=True) if h}


def render(ctx: Ctx, topic: Topic, view: View) -> None:
    """Every section of the topic in file order: heading, note, figure, table, downloads.

    For 外部 users a district whose topic count is not published is not studied on its own: a
    filter to it stops the page, a topic's focus on it falls back to the whole city."""
    hidden = withheld_districts(ctx, topic)
    if ctx.flt.district is not None and ctx.flt.district in hidden:
        st.info("所选区县的专题案件数少于 10 件或可由其推算，按数据发布规则不公开。请扩大筛选范围。 / "
                "Not published for the selected district (small counts).")
        return
    if view.focus is not None and view.focus in hidden:
        st.caption(f"{view.focus_name}的专题案件数不公开，以下为全市。 / Focus district not published: city figures.")
        view = View(ctx.flt.with_(district=None), None, "")
    for i, sec in enumerate(topic.sections):
        st.subheader(sec.title)
        if sec.note:
            st.caption(sec.note)
        RENDERERS[sec.type](ctx, topic, sec, view, f"tp_{topic.id}_{i}")
