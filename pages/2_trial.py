"""审判执行运行情况: headline indicators with 同比/环比, definitions, reasonable ranges, courts, trend, drill-down."""

from datetime import date

import streamlit as st

from analytics import indicators as ind
from ui import trial_sections as sec
from ui.shell import setup_page, synthetic_banner

ctx = setup_page("审判执行运行情况")
flt = ctx.flt
start, end = date(flt.year_from, 1, 1), min(date(flt.year_to, 12, 31), ctx.as_of)
if end < start:
    st.warning("所选年度没有数据。")
    st.stop()
st.title(f"审判执行运行情况 · {start:%Y.%m.%d}–{end:%Y.%m.%d}")
synthetic_banner(ctx)

if sec.scope_withheld(ctx, start, end):  # 外部 users: a district or court whose figures are not published
    st.info("所选区县或法院的案件数少于 10 件或可由其推算，按数据发布规则不公开本范围的指标。请扩大筛选范围。 / "
            "The selected district or court is not published (small counts); widen the filter.")
    st.stop()
cmp = ctx.run(ind.compare, flt, start, end)
sec.period_caption(start, end, flt.outcomes)
ranges = ind.effective_ranges(ctx.settings.indicator_ranges)  # defaults + shuzhu.toml
sec.metrics(cmp, ranges, ctx)
sec.cohort(cmp, ctx)
sec.ranges_and_compare(ctx, cmp, ranges)
court_codes = sec.group_tables(ctx, start, end)
sec.trend(ctx, start, end)
sec.drilldown(ctx, start, end, court_codes)
sec.pivot(ctx, start, end)
