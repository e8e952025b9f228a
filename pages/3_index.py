"""经济社会运行评估: 15 indices in 4 dimensions per district, composite map, 同比, rank bands, drill-down."""

from functools import partial
from urllib.parse import urlencode

import streamlit as st

import geodata
from analytics.index import assess as A
from analytics.index import tables as T
from analytics.index.config import ConfigError, load_config
from analytics.privacy import gate_long
from ui import deck, index_charts
from ui.shell import setup_page, synthetic_banner, url_choice
from ui.widgets import download_buttons, legend

ctx = setup_page("经济社会运行评估")
try:
    cfg, names, year = load_config(), geodata.district_names(), ctx.flt.year_to
except ConfigError as exc:
    st.error(str(exc))
    st.stop()
st.title(f"经济社会运行评估 · {year}年")
synthetic_banner(ctx)
st.caption("15项指数、4个维度，按案发地（区县）与立案年度计算；0–100分，分数越高风险越低。年度取筛选的最后一年，"
           "案由/类别等筛选不作用于指数（各指数的案由在 config/indices.toml 中定义）。方法见页尾。")
scheme = url_choice("权重", {"equal": "等权", "entropy": "熵权（按发布窗口冻结）"}, "w", "ix_weights")
a = (data := ctx.run(T.page_data, year, scheme)).assessment
fallback = bool(a.denominators["enterprises_fallback"].any())
# 外部 users: index x district cells with few cases are "<10" (with a partner cell in the same
# index and district), and every score built on one is not shown: the cell's, its dimension's
# and the district's composite, on the map, in the heat map, ranks and dimension charts.
detail_gate = partial(gate_long, group="指数", unit="区县", count="案件数", dependent=index_charts.DETAIL_DEPENDENT)
gated = ctx.gated(data.detail, "经济社会运行评估", detail_gate)
cells = set() if gated is None else index_charts.hidden_cells(data.detail, gated.hidden)
cfg_names = {**cfg.dimension_names, **{ix.id: ix.name for ix in cfg.indices}}
for col, (label, value, delta) in zip(st.columns(4), T.headline(a, names), strict=True):
    if cells and label.startswith("排名稳定"):  # ranks of composites that are not all published
        value = "—"
    col.metric(label, value, delta=delta)
if fallback:
    st.warning("企业户数：未找到分区县公开数据，按企业计的指数暂以常住人口为分母（已标注）；可在“开放数据目录”查看、在数据导入页导入政务数据。")
left, right = st.columns([1, 3], gap="large")
with left:
    measure = url_choice("地图指标", T.measures(cfg), "ix", "ix_measure", horizontal=False)
with right:
    values = T.measure_values(a, measure)
    if cells:  # grey (as 样本不足) where the score is built on a hidden cell
        gone = index_charts.hidden_adcodes(cells, names, measure, cfg_names)
        values = values.assign(score=values["score"].mask(values["adcode"].isin(gone)),
                               score_prev=values["score_prev"].mask(values["adcode"].isin(gone)))
    features, items = index_charts.score_features(geodata.load_districts(), values,
                                                  ctx.flt.district, T.measures(cfg)[measure])
    st.pydeck_chart(deck.build_deck(features, geodata.load_context(), None, ctx.settings.map_style_url),
                    height=520, key="ix_map")
    legend(items, f"{T.measures(cfg)[measure]}（得分）")
    st.caption(f"灰色 = {A.INSUFFICIENT}。{geodata.ATTRIBUTION}")

st.subheader("各区县指数得分（与全市比较）")
matrix = index_charts.protect_matrix(data.matrix, cells) if cells else data.matrix
st.vega_lite_chart(*index_charts.heatmap(matrix), width="stretch")
with st.expander("明细：案件数、原始值与精确区间、收缩估计、同比、全市值"):
    st.dataframe(data.detail if gated is None else gated.display, hide_index=True, key="ix_detail")
download_buttons(ctx, data.detail, ctx.file_stem(f"经济社会运行评估_{year}"), key="ix_dl", spec=detail_gate)

l2, r2 = st.columns(2)
with l2:
    st.subheader("综合排名与不确定性")
    if cells:  # ranks order composites of which some are not published
        st.caption("部分区县的综合得分建立在少于 10 件的指数格上，不公开排名。 / Ranks withheld.")
    else:
        st.vega_lite_chart(*index_charts.rank_bands(data.ranks), width="stretch")
        st.dataframe(data.ranks, hide_index=True, key="ix_ranks")
with r2:
    st.subheader("各区县维度得分")
    dims = a.dimensions
    if cells:
        by_name = {v: k for k, v in names.items()}
        gone = {(d, by_name.get(r)) for d, _, r in cells}
        keep = [(cfg.dimension_names.get(d, d), int(ad)) not in gone for d, ad in zip(dims["dimension"], dims["adcode"],
                                                                                     strict=True)]
        dims = dims[keep]
    st.vega_lite_chart(*index_charts.small_multiples(dims, cfg.dimension_names, names), width="content")

st.subheader("查看指数对应的案件")
d1, d2 = st.columns(2)
pick = d1.selectbox("指数", [ix.id for ix in cfg.indices], key="ix_drill", format_func=lambda i: cfg.index(i).name)
place = d2.selectbox("区县", [0, *geodata.DISTRICT_ADCODES], key="ix_drill_d", format_func=A.district_label,
                     index=([0, *geodata.DISTRICT_ADCODES].index(ctx.flt.district) if ctx.flt.district else 0))
flt, exact = A.drill_filter(cfg.index(pick), year, place or None, frozenset(ctx.options.causes))
query = urlencode(flt.to_query_params())
st.markdown(f"[在案件密度地图中打开](./?{query}) · [在审判执行运行情况中打开](./trial?{query})")
if not exact:
    st.caption("注：共享筛选无法表达该指数的全部条件（如被告为企业、系列案、按结案年度），链接打开的是包含这些案件的较大范围。")
quarters = ctx.run(A.quarterly, pick, year)
if ctx.user.protected:  # quarterly district values rest on a few cases each
    st.caption("季度走势按区县、季度计算，案件数少，不向外部用户发布。 / Quarterly district values withheld.")
else:
    st.vega_lite_chart(*index_charts.quarterly_lines(quarters, T.quarter_unit(cfg.index(pick), fallback)),
                       width="stretch")
st.caption(f"季度走势：未经收缩的原始值；某区县某季度案件少于最低案件数时不画出（{A.INSUFFICIENT}），粗线为全市。")
with st.expander("方法与口径 / Method"):
    st.markdown(T.method_text(cfg))
    st.dataframe(data.weights, hide_index=True, key="ix_weights_tbl")
    st.dataframe(T.denominator_table(a), hide_index=True, key="ix_denominators")
    for w in a.warnings:
        st.caption(w)
