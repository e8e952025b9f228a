"""会议模式 (meeting mode): large type for a projector, slides stepped with the keyboard.

The page ``pages/0_meeting.py`` shows one slide at a time; the slide number and the map's year
are in the URL (``?s=2&yr=2023`` plus the shared filters of the link), so a presenter can open
the exact slide from a link. PageDown/PageUp (what clickers send), arrow keys and the buttons
step through the slides; on the map slide a play button steps through the years.
Slides: the map, six trial indicators, the latest month's top alerts with their explanation, and
the districts ranked by the composite 经济社会运行 index (the filter's last year).
Nothing is fetched from outside: the keyboard script is inline and talks to the page only.
For 外部 users every slide passes the publication gate of the shell (``Ctx.gated``/``figure``)
as the product pages do: hidden districts grey and "<10" on the map, small headline counts "<10"
with no rate or change computed from them, ratios "—" when a count they rest on is small.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace

import pydeck as pdk
import streamlit as st

import geodata
from analytics import maps
from analytics.choropleth import classify
from analytics.filters import CaseFilter
from ui import deck
from ui.shell import Ctx
from ui.widgets import figures, headline_figures, legend

PREV, NEXT = "◀ 上一页", "下一页 ▶"
MEETING_VIEW = pdk.ViewState(longitude=121.02, latitude=32.16, zoom=7.55, pitch=0, bearing=0)

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {
  display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.6rem 1.6rem 0 1.6rem !important;
  max-width: 100% !important; }
h1 { font-size: 2.4rem !important; padding: 0 0 0.2rem 0 !important; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; line-height: 1.15 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
[data-testid="stMetricDelta"] { font-size: 1.1rem !important; }
.st-key-headline h2 { font-size: 2.6rem !important; line-height: 1.15 !important; padding: 0 0 0.3rem 0 !important; }
[class*="st-key-headline_"] { gap: 0 !important; margin-bottom: 0.5rem; }
.st-key-headline [data-testid="stCaptionContainer"] p { font-size: 1.25rem !important; }
.stElementContainer:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stFullScreenFrame"]:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stDeckGlJsonChart"] { height: calc(100vh - 270px) !important; min-height: 330px; }
/* the map's container is a flex item of basis `height` (the chart's own): else the legend under it
   is drawn at that height, over the map, on a screen taller than 720 px */
.stElementContainer:has([data-testid="stDeckGlJsonChart"]) { flex: 0 0 auto !important; }
.meeting-year { font-size: 4.2rem; font-weight: 700; color: #b0182b; line-height: 1; }
.meeting-note { font-size: 1.05rem; color: #555; }
table.meeting-list { width: 100%; border-collapse: collapse; }
table.meeting-list td, table.meeting-list th { padding: 0.25rem 0.6rem; border-bottom: 1px solid #ddd;
  text-align: left; vertical-align: top; }
table.meeting-list th { font-size: 1.1rem; color: #555; font-weight: 600; white-space: nowrap; }
table.meeting-list td { font-size: clamp(1.15rem, 2.4vh, 1.6rem); line-height: 1.3; }
table.meeting-list td.num { text-align: right; font-weight: 700; white-space: nowrap; }
table.meeting-list td.what { font-weight: 700; white-space: nowrap; color: #b0182b; }
table.meeting-list td.say { font-size: clamp(1.15rem, 2.5vh, 1.6rem); }
</style>
"""

_KEYS = """
<script>
if (!window.__shuzhuMeetingKeys) {
  window.__shuzhuMeetingKeys = true;
  document.addEventListener("keydown", (e) => {
    const next = ["PageDown", "ArrowRight", " "].includes(e.key);
    const prev = ["PageUp", "ArrowLeft"].includes(e.key);
    if (!next && !prev) return;
    const want = next ? "__NEXT__" : "__PREV__";
    const btn = [...document.querySelectorAll("button")].find((b) => b.innerText.trim() === want);
    if (btn) { e.preventDefault(); btn.click(); }
  });
}
</script>
""".replace("__NEXT__", NEXT).replace("__PREV__", PREV)


def chrome() -> None:
    """Hide the sidebar and enlarge the type; install the keyboard handler."""
    st.html(_CSS)
    st.html(_KEYS, unsafe_allow_javascript=True)


def url_int(key: str, default: int, lo: int, hi: int) -> int:
    raw = st.query_params.get(key)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        value = default
    return min(max(value, lo), hi)


def _go(index: int) -> None:
    st.query_params["s"] = str(index)


def stepper(index: int, count: int, labels: list[str]) -> None:
    """Previous/next buttons and the slide position (the slide number lives in the URL)."""
    a, b, c = st.columns([1, 6, 1])
    a.button(PREV, key="mt_prev", disabled=index == 0, width="stretch", on_click=_go, args=(index - 1,))
    c.button(NEXT, key="mt_next", disabled=index == count - 1, width="stretch", on_click=_go, args=(index + 1,))
    b.markdown(f"<div class='meeting-note' style='text-align:center'>{index + 1} / {count} · "
               f"{labels[index]} · PageUp/PageDown 翻页</div>", unsafe_allow_html=True)


def _headline(ctx: Ctx, flt: CaseFilter, withheld: bool = False) -> None:
    """Four headline figures; for 外部 users as on the map page: a small count "<10", no rate or
    change from one, nothing of a district whose row the district table hides (``withheld``)."""
    head = ctx.run(maps.headline, flt, ctx.as_of)
    # with the title in the first paint, as on the map page (not st.metric: docs/pageload.md)
    figures(headline_figures(ctx, head, withheld, "新收案件", tag="会议模式_"), across=False)


def map_hidden(ctx: Ctx, flt: CaseFilter, stats) -> tuple[int, ...]:  # stats: maps.district_stats rows
    """Districts whose count a 外部 user may not see (the map page's district table through the
    gate, with the unplaced row: primary and secondary suppression); () for other users."""
    if not ctx.user.protected:
        return ()
    table = maps.district_table(stats, geodata.district_names(), ctx.run(maps.unplaced_count, flt))
    gated = ctx.gated(table, "会议模式_区县案件", maps.DISTRICT_SPEC)
    if gated is None:
        return ()
    return tuple(int(a) for a, h in zip(table["区划代码"], gated.hidden["案件数"], strict=True) if h)


def slide_map(ctx: Ctx, height: int) -> None:
    """The district map of one year (playable year by year) with 4 headline figures."""
    years = list(range(ctx.options.year_min, min(ctx.options.year_max, ctx.as_of.year) + 1))
    default = min(ctx.flt.year_to, years[-1])
    if "mt_year" not in st.session_state:
        st.session_state["mt_year"] = url_int("yr", default, years[0], years[-1])
    playing = st.toggle("▶ 逐年播放", key="mt_play")

    @st.fragment(run_every=2.5 if playing else None)
    def _map() -> None:
        if playing:
            cur = st.session_state["mt_year"]
            st.session_state["mt_year"] = years[(years.index(cur) + 1) % len(years)] if cur in years else years[0]
        year = st.session_state["mt_year"]
        st.query_params["yr"] = str(year)
        flt = replace(ctx.flt, year_from=year, year_to=year)
        stats = ctx.run(maps.district_stats, flt, geodata.rate_population(), ctx.as_of)
        hidden = map_hidden(ctx, flt, stats)
        classes = classify(stats.loc[~stats["adcode"].isin(hidden), "cases"].tolist())
        head = ctx.run(maps.headline, flt, ctx.as_of)
        label = ctx.rules.hidden_label if hidden else "<10"
        features = deck.district_features(geodata.districts_gdf(), stats, classes, None, head.window.label,
                                          hidden, label)
        left, right = st.columns([3, 1], gap="large")
        with left:
            chart = deck.build_deck(features, geodata.load_context(), None, ctx.settings.map_style_url)
            chart.initial_view_state = MEETING_VIEW  # the whole city fits from 1280x720 up
            st.pydeck_chart(chart, height=height, key=f"mt_map_{year}")
            legend(classes.legend("{:,.0f}") + ([(f"{label} 不公开", deck.SUPPRESSED)] if hidden else []), "案件数")
        with right:
            st.markdown(f"<div class='meeting-year'>{year}年</div>", unsafe_allow_html=True)
            _headline(ctx, flt, withheld=flt.district is not None and flt.district in hidden)

    _map()


def _trial_value(ctx: Ctx, name: str, now: dict, hide_ratios: bool) -> tuple[str, str | None]:
    """An indicator's value and 同比 text as this user may see them (外部: the trial page's rules:
    a small count "<10" without change; other figures "—" when a count they rest on is small)."""
    from analytics import indicators as ind
    from ui.trial_sections import small_numerator

    r = now[name]
    value = ind.format_value(name, r["current"])
    change = ind.format_change(name, r["yoy_diff"], r["yoy_pct"])
    delta = change and f"{change}（同比）"
    if not ctx.user.protected:
        return value, delta
    if ind.INDICATORS.get(name) == "count":
        small = ctx.figure(r["current"], "", f"会议模式_{ind.LABELS[name]}")
        if small or ctx.figure(r["yoy"], "", f"会议模式_{ind.LABELS[name]}"):
            return small or value, None
        return value, delta
    if hide_ratios or small_numerator(ctx, name, now):
        return "—", None
    return value, None if small_numerator(ctx, name, now, "yoy") else delta


def slide_trial(ctx: Ctx, height: int) -> None:
    """Six trial and enforcement indicators with their change on last year."""
    from datetime import date

    from analytics import indicators as ind
    from ui.trial_sections import _small_stock, scope_withheld

    start, end = date(ctx.flt.year_from, 1, 1), min(date(ctx.flt.year_to, 12, 31), ctx.as_of)
    if scope_withheld(ctx, start, end):  # 外部: a district or court whose row the gate hides
        st.info(f"所选区县或法院的案件数少于 {ctx.rules.threshold} 件或可由其推算，不公开。 / "
                "Not published for this scope (small counts).")
        return
    cmp = ctx.run(ind.compare, ctx.flt, start, end)
    now = {r["indicator"]: r for r in cmp.to_dict("records")}
    hide = ctx.user.protected and _small_stock(ctx, now)
    names = [n for n in ind.HEADLINE if n in now][:6]
    for row in (names[:3], names[3:6]):
        for col, name in zip(st.columns(3), row, strict=False):
            value, delta = _trial_value(ctx, name, now, hide)
            col.metric(ind.LABELS[name], value, delta=delta, delta_color="off")
    st.markdown(f"<div class='meeting-note'>{start:%Y.%m.%d}–{end:%Y.%m.%d} · 定义见“审判执行运行情况”页</div>",
                unsafe_allow_html=True)


TOP_ALERTS = 4  # what fits in large type at 1280x720 with a two-line explanation each


def _table(header: list[str], rows: list[list[tuple[str, str]]]) -> None:
    """A large-type table; cells are (css class, text), every text escaped (names come from data)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td class='{c}'>{html.escape(t)}</td>" for c, t in row) + "</tr>"
                   for row in rows)
    st.markdown(f"<table class='meeting-list'><tr>{head}</tr>{body}</table>", unsafe_allow_html=True)


def slide_alerts(ctx: Ctx, height: int) -> None:
    """The latest month's alerts in the link's scope (or the month ``am`` of a link from the alerts
    page): counts, and the strongest with their explanation."""
    from analytics.alerts import detect
    from analytics.alerts import status as S
    from analytics.alerts.config import load_alert_config
    from analytics.alerts.explain import month_cn
    from ui.alert_charts import MONTH_KEY

    cfg = load_alert_config()
    months = ctx.run(detect.replay_months, cfg)
    if not months:
        st.info("数据不足三年，无法建立预警基线。 / Fewer than 3 years of data: no alert baseline yet.")
        return
    month = st.query_params.get(MONTH_KEY) if st.query_params.get(MONTH_KEY) in months else months[0]
    alerts = detect.apply_filter(S.with_status(ctx.run(detect.month_alerts, month, cfg), ctx.con), ctx.flt,
                                 ctx.options.cause_parent)
    withheld = 0
    if ctx.user.protected:  # as the publication gate does: a small count hides its alert's figures
        small = alerts["observed"] < ctx.rules.threshold
        withheld, alerts = int(small.sum()), alerts[~small]
    active = alerts[~alerts["status"].isin(S.CLOSED)]
    c = st.columns([1.7, 1, 1, 1])
    c[0].markdown(f"<div class='meeting-year' style='font-size:3.4rem;white-space:nowrap'>{month_cn(month)}</div>",
                  unsafe_allow_html=True)
    c[1].metric("本月预警", f"{len(alerts)}")
    c[2].metric("未处置", f"{len(active)}")
    c[3].metric("其中突增", f"{int((alerts['kind'] == 'surge').sum())}")
    if alerts.empty:
        st.info("本月在所选范围内没有预警。 / No alert this month in the selected scope.")
    else:
        top = alerts.head(TOP_ALERTS)
        place = [d if isinstance(d, str) and d else "全市" for d in top["district"]]
        _table(["", "类型", "区县", "说明", "状态"],
               [[("num", str(i)), ("what", str(r.kind_label)), ("what", p),
                 ("say", str(r.sentence)), ("", str(r.status))]
                for i, (r, p) in enumerate(zip(top.itertuples(), place, strict=True), start=1)])
    more = f"另有 {len(alerts) - TOP_ALERTS} 条见“风险预警”页。" if len(alerts) > TOP_ALERTS else ""
    hidden = f"{withheld} 条预警件数少于 {ctx.rules.threshold}，不公开。" if withheld else ""
    st.markdown(f"<div class='meeting-note'>按强度排序（超出预期上限的幅度）· 一审新收 · {more}{hidden}</div>",
                unsafe_allow_html=True)


def slide_index(ctx: Ctx, height: int) -> None:
    """The districts ranked by the composite 经济社会运行 index of the filter's last year."""
    import geodata as gd
    from analytics.index import tables as T
    from analytics.index.config import ConfigError

    year = ctx.flt.year_to
    try:
        data = ctx.run(T.page_data, year, "equal")
    except ConfigError as exc:
        st.error(str(exc))
        return
    heads = T.headline(data.assessment, gd.district_names())
    if ctx.user.protected:  # first/last district rest on district scores (see below)
        heads = [h for h in heads if not h[0].startswith("排名稳定")]
    cols = st.columns(len(heads) + 1)
    cols[0].markdown(f"<div class='meeting-year'>{year}年</div>", unsafe_allow_html=True)
    for col, (label, value, delta) in zip(cols[1:], heads, strict=True):
        col.metric(label, value, delta=delta, delta_color="off")
    if ctx.user.protected:  # district scores rest on index cells with few cases: shown on the index page, gated
        st.info("区县排名建立在案件数较少的指数格上，外部用户请在“经济社会运行评估”页查看。 / "
                "District ranks are shown, gated, on the index page.")
        return
    ranks = data.ranks.sort_values("排名", na_position="last")
    _table(["排名", "区县", "综合得分", "上年", "同比(分)", "5–95%排名区间", "稳定性"],
           [[("num", "—" if r["排名"] is None or r["排名"] != r["排名"] else str(int(r["排名"]))),
             ("what", str(r["区县"])), ("num", str(r["综合得分"])), ("num", str(r["上年"])),
             ("num", "—" if r["同比(分)"] is None or r["同比(分)"] != r["同比(分)"] else f"{r['同比(分)']:+.1f}"),
             ("num", str(r["5–95%排名区间"])), ("", str(r["稳定性"]))]
            for r in ranks.to_dict("records")])
    st.markdown("<div class='meeting-note'>0–100分，分数越高风险越低；15项指数、4个维度，等权；"
                "排名区间来自蒙特卡洛模拟。方法见“经济社会运行评估”页。</div>", unsafe_allow_html=True)


def slides() -> list[tuple[str, Callable[[Ctx, int], None]]]:
    """The slides in order (the slide number ``s`` in the URL indexes this list)."""
    return [("案件分布", slide_map), ("审判执行", slide_trial), ("风险预警", slide_alerts),
            ("经济社会运行", slide_index)]
