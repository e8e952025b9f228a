"""会议模式 (meeting mode): large type for a projector, slides stepped with the keyboard.

The page ``pages/0_meeting.py`` shows one slide at a time; the slide number and the map's year
are in the URL (``?s=2&yr=2023`` plus the shared filters of the link), so a presenter can open
the exact slide from a link. PageDown/PageUp (what clickers send), arrow keys and the buttons
step through the slides; on the map slide a play button steps through the years.
Nothing is fetched from outside: the keyboard script is inline and talks to the page only.
"""

from __future__ import annotations

import importlib.util
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
from ui.widgets import legend

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
.stElementContainer:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stFullScreenFrame"]:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stDeckGlJsonChart"] { height: calc(100vh - 270px) !important; min-height: 330px; }
.meeting-year { font-size: 4.2rem; font-weight: 700; color: #b0182b; line-height: 1; }
.meeting-note { font-size: 1.05rem; color: #555; }
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


def _headline(ctx: Ctx, flt: CaseFilter) -> None:
    head = ctx.run(maps.headline, flt, ctx.as_of)
    st.metric("新收案件", f"{head.cases:,}")
    st.metric(head.window.label, "—" if head.yoy is None else f"{head.yoy:+.1%}",
              delta=None if head.yoy is None else f"{head.yoy_cur - head.yoy_prev:+,} 件", delta_color="off")
    st.metric("已结案比例", "—" if head.closed_share is None else f"{head.closed_share:.1%}")
    st.metric("所选期间立案、至今未结", f"{head.pending:,}")


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
        classes = classify(stats["cases"].tolist())
        head = ctx.run(maps.headline, flt, ctx.as_of)
        features = deck.district_features(geodata.districts_gdf(), stats, classes, None, head.window.label)
        left, right = st.columns([3, 1], gap="large")
        with left:
            chart = deck.build_deck(features, geodata.load_context(), None, ctx.settings.map_style_url)
            chart.initial_view_state = MEETING_VIEW  # the whole city fits from 1280x720 up
            st.pydeck_chart(chart, height=height, key=f"mt_map_{year}")
            legend(classes.legend("{:,.0f}"), "案件数")
        with right:
            st.markdown(f"<div class='meeting-year'>{year}年</div>", unsafe_allow_html=True)
            _headline(ctx, flt)

    _map()


def slide_trial(ctx: Ctx, height: int) -> None:
    """Six trial and enforcement indicators with their change on last year."""
    from datetime import date

    from analytics import indicators as ind

    start, end = date(ctx.flt.year_from, 1, 1), min(date(ctx.flt.year_to, 12, 31), ctx.as_of)
    cmp = ctx.run(ind.compare, ctx.flt, start, end)
    now = {r["indicator"]: r for r in cmp.to_dict("records")}
    names = [n for n in ind.HEADLINE if n in now][:6]
    for row in (names[:3], names[3:6]):
        for col, name in zip(st.columns(3), row, strict=False):
            r = now[name]
            col.metric(ind.LABELS[name], ind.format_value(name, r["current"]),
                       delta=(d := ind.format_change(name, r["yoy_diff"], r["yoy_pct"])) and f"{d}（同比）",
                       delta_color="off")
    st.markdown(f"<div class='meeting-note'>{start:%Y.%m.%d}–{end:%Y.%m.%d} · 定义见“审判执行运行情况”页</div>",
                unsafe_allow_html=True)


def slides() -> list[tuple[str, Callable[[Ctx, int], None]]]:
    """The slides in order; a slide appears once the module behind it exists."""
    out: list[tuple[str, Callable[[Ctx, int], None]]] = [("案件分布", slide_map), ("审判执行", slide_trial)]
    for module, label, fn in (("ui.meeting_extra", "风险预警", "slide_alerts"),
                              ("ui.meeting_extra", "经济社会运行", "slide_index")):
        if importlib.util.find_spec(module) is not None:
            mod = importlib.import_module(module)
            if hasattr(mod, fn):
                out.append((label, getattr(mod, fn)))
    return out
