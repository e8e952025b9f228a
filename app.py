"""数助 Shuzhu: the case density map of Nantong's districts (home page)."""

import streamlit as st

import geodata
from analytics import maps
from ui import deck, svg_charts
from ui.shell import select_district, setup_page, synthetic_banner, url_choice, url_toggle
from ui.widgets import download_buttons, figures, headline_figures, legend, svg

# The district table for the gate: counts, and the figures computed from them (外部 users).
DISTRICT_SPEC = maps.DISTRICT_SPEC

ctx = setup_page("案件密度地图")
flt = ctx.flt
names = geodata.district_names()
place = names.get(flt.district, "全市") if flt.district else "全市"
st.title(f"南通法院案件密度地图 · {flt.year_from}–{flt.year_to}" if flt.year_from != flt.year_to
         else f"南通法院案件密度地图 · {flt.year_to}年")
synthetic_banner(ctx)

head = ctx.run(maps.headline, flt, ctx.as_of)
stats = ctx.run(maps.district_stats, flt, geodata.rate_population(), ctx.as_of)
unplaced = ctx.run(maps.unplaced_count, flt)
table = maps.district_table(stats, names, unplaced)
gated = ctx.gated(table, "区县案件", DISTRICT_SPEC)  # 外部 users only (None for the others)
hidden: tuple[int, ...] = () if gated is None else tuple(
    int(a) for a, h in zip(table["区划代码"], gated.hidden["案件数"], strict=True) if h)
# A selected district whose count the table hides (below 10, or hidden so that another cannot be
# recomputed) shows no figure of its own: headline, trend and causes would give it away.
withheld = flt.district is not None and flt.district in hidden
figures(headline_figures(ctx, head, withheld, f"{place} 新收案件", pending_help=(
    f"所选立案年度内立案、截至数据截止日（{ctx.as_of}）尚未结案的案件；"
    "不同于审判执行页的“未结”（期末全部未结案件，含以前年度立案）。")))

left, right = st.columns([3, 2], gap="large")
with left:
    k1, k2 = st.columns([3, 2])
    with k1:
        metric = url_choice("着色指标", {"count": "案件数", "rate": "每万人案件数（年化）"}, "metric", "m_metric")
    with k2:
        show_hex = url_toggle("六边形网格密度", "hex", "m_hex")
    hexes = ctx.run(maps.hex_density, flt) if show_hex else None
    if gated is not None and hexes is not None:  # 外部: small hexagons are not drawn
        hexes = hexes[hexes["cases"] >= ctx.rules.threshold]
    the_map, classes = deck.district_map(stats, metric, flt.district, head.window.label, hexes,
                                         ctx.settings.map_style_url, hidden, ctx.rules.hidden_label)

    def _on_click() -> None:
        picked = st.session_state["m_map"].selection.get("objects", {}).get(deck.DISTRICT_LAYER, [])
        if picked:
            props = picked[0].get("properties", picked[0])
            select_district(int(props["adcode"]))

    st.pydeck_chart(the_map, height=640, key="m_map", on_select=_on_click,
                    selection_mode="single-object")
    legend(classes.legend("{:,.1f}" if metric == "rate" else "{:,.0f}")
           + ([(f"{ctx.rules.hidden_label} 不公开", deck.SUPPRESSED)] if hidden else []),
           "每万人案件数（年化）" if metric == "rate" else "案件数")
    unplaced_txt = str(gated.display["案件数"].iloc[-1]) if gated is not None and unplaced else f"{unplaced:,}"
    st.caption((f"另有未定位案件 {unplaced_txt} 件（计入全市合计，不在图上） · " if unplaced else "")
               + "点击区县查看详情 · 年化：按数据覆盖天数折算 · 人口：2020年第七次全国人口普查（崇川含开发区）"
               f" · {geodata.ATTRIBUTION}")

with right:
    st.subheader(f"{place} · 月度趋势")
    if withheld:
        st.caption(f"{place}的案件数不公开（少于 {ctx.rules.threshold} 件或可由其推算）。 / Not published.")
    else:
        svg(svg_charts.monthly_line(ctx.chart_data(ctx.run(maps.monthly_trend, flt), "月度趋势")))
        svg(svg_charts.cause_bars(ctx.chart_data(ctx.run(maps.top_causes, flt, 10), "主要案由"),
                                  f"{place} · 主要案由/罪名"))

with st.expander("区县数据表 / District table"):
    st.dataframe(table if gated is None else gated.display, hide_index=True, width="stretch")
    download_buttons(ctx, table, ctx.file_stem(f"区县案件_{flt.year_from}-{flt.year_to}"), key="m_dl",
                     spec=DISTRICT_SPEC)
