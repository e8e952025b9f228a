"""审判执行运行情况: headline indicators with 同比/环比, reasonable ranges, courts, trends, drill-down, pivot."""

from datetime import date

import altair as alt
import streamlit as st

from analytics import indicators as ind
from ui.shell import setup_page, synthetic_banner
from ui.widgets import download_buttons

ctx = setup_page("审判执行运行情况")
flt = ctx.flt
start, end = date(flt.year_from, 1, 1), min(date(flt.year_to, 12, 31), ctx.as_of)
if end < start:
    st.warning("所选年度没有数据。")
    st.stop()
(ys, ye), (ps, pe) = (p := ind.comparison_periods(start, end))["yoy"], p["pop"]
st.title(f"审判执行运行情况 · {start:%Y.%m.%d}–{end:%Y.%m.%d}")
synthetic_banner(ctx)
st.caption(f"同比期间 {ys}–{ye}；环比期间 {ps}–{pe}。法院按固定顺序列示，不作排名。")

cmp = ctx.run(ind.compare, flt, start, end)
ranges = ind.effective_ranges(ctx.settings.indicator_ranges)  # defaults + shuzhu.toml
now = {r["indicator"]: r for r in cmp.to_dict("records")}
cols = st.columns(6)
for i, name in enumerate(ind.HEADLINE):
    r, ok = now[name], ind.in_range(name, now[name]["current"], ranges)
    cols[i % 6].metric(
        ind.LABELS[name] + ("" if ok is None else (" :green[●]" if ok else " :red[▲]")),
        ind.format_value(name, r["current"]),
        delta=(d := ind.format_change(name, r["yoy_diff"], r["yoy_pct"])) and f"{d}（同比）",
        delta_color={1: "normal", -1: "inverse"}.get(ind.DIRECTION.get(name), "off"),
        help=f"同比 {ind.format_value(name, r['yoy'])}，环比 {ind.format_value(name, r['pop'])}"
             f"（{ind.format_change(name, r['pop_diff'], r['pop_pct']) or '—'}）",
    )
left, right = st.columns([2, 3])
with left:
    st.subheader("合理区间")
    range_rows = ind.range_table(cmp, ranges)
    st.dataframe(range_rows, hide_index=True, key="trial_ranges")
    download_buttons(range_rows, ctx.file_stem("合理区间"), key="trial_dl_ranges")
with right, st.expander("全部指标及同比、环比"):
    full = ind.compare_table(cmp)
    st.dataframe(full, hide_index=True, key="trial_compare")
    download_buttons(full, ctx.file_stem("指标同比环比"), key="trial_dl_compare")


def pick(state_key: str, target: str, values: list[str], field: str | None = None) -> None:
    """Selection callback: copy a clicked court (table row) or month (chart point) to a selectbox."""
    sel = st.session_state[state_key].selection
    if field is None:
        if sel.get("rows"):
            st.session_state[target] = values[sel["rows"][0]]
        return
    for points in sel.values():  # [{"月份": "2024-03"}] (or {"月份": ["2024-03"]})
        first = points[0] if isinstance(points, list) and points else points
        if got := (first.get(field) if isinstance(first, dict) else None):
            st.session_state[target] = str(got[0] if isinstance(got, list) else got)


courts = ctx.run(ind.summary, flt, start, end, by="court_code")
court_codes = list(courts["court_code"])
st.subheader("各法院（点击一行查看案件）")
court_tbl = ind.display_table(courts, ["court_name", *ind.TABLE_COLUMNS])
st.dataframe(court_tbl, hide_index=True, key="trial_courts", on_select=lambda: pick(
    "trial_courts", "trial_drill_court", court_codes), selection_mode="single-row")
download_buttons(court_tbl, ctx.file_stem("各法院运行情况"), key="trial_dl_courts")
st.subheader("各区县")
dist_tbl = ind.display_table(ctx.run(ind.summary, flt, start, end, by="adcode"),
                             ["district_name", *ind.TABLE_COLUMNS])
st.dataframe(dist_tbl, hide_index=True, key="trial_districts")
download_buttons(dist_tbl, ctx.file_stem("各区县运行情况"), key="trial_dl_districts")

st.subheader("月度趋势（点击月份查看案件）")
trend = ind.display_table(ctx.run(ind.monthly_trend, flt, start, end),
                          ["month", "filed", "closed", "pending_end", "cum_closure_rate",
                           "on_time_rate", "mediation_withdrawal_rate", "service_acceptance_rate"])
for key, series, title in (("trial_trend_n", list(trend.columns[1:4]), "件数"),
                           ("trial_trend_r", list(trend.columns[4:]), "%")):
    sel = alt.selection_point(name="month", fields=["月份"])
    chart = alt.Chart(trend).transform_fold(series, as_=["指标", "值"]).mark_line(point=True).encode(
        x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)), y=alt.Y("值:Q", title=title),
        color=alt.Color("指标:N", title=None),
        tooltip=["月份:O", "指标:N", "值:Q"]).add_params(sel).properties(height=260)
    st.altair_chart(chart, key=key, on_select=lambda k=key: pick(k, "trial_drill_month", [], "月份"),
                    width="stretch")
download_buttons(trend, ctx.file_stem("月度趋势"), key="trial_dl_trend")

st.subheader("案件明细")
months = [m.strftime("%Y-%m") for m in ind.month_starts(start, end)]
for key, allowed in (("trial_drill_court", court_codes), ("trial_drill_month", months)):
    if st.session_state.get(key) not in ["", *allowed]:
        st.session_state[key] = ""
c1, c2, c3 = st.columns(3)
court = c1.selectbox("法院", ["", *court_codes], key="trial_drill_court",
                     format_func=lambda c: ind.court_name(c) if c else "（请选择法院）")
month = c2.selectbox("月份", ["", *months], key="trial_drill_month",
                     format_func=lambda m: m or "（全部月份）")
status = c3.selectbox("状态", ["", *ind.CASE_STATUSES], key="trial_drill_status",
                      format_func=lambda s: ind.LABELS[s] if s else "全部")
if court or month:
    cases = ctx.run(ind.case_list, flt, start, end, court or None, month or None, 500, status=status or None)
    st.caption(f"共显示 {len(cases)} 件（最多 500 件；不含当事人信息）")
    shown = ind.display_table(cases, ["case_no", "court_name", "procedure", "cause", "filed_date",
                                      "closed_date", "outcome", "duration_days", "intake", "status"])
    st.dataframe(shown, hide_index=True, key="trial_cases")
    download_buttons(shown, ctx.file_stem("案件明细"), key="trial_dl_cases")
else:
    st.info("在上方表格中点击法院、在趋势图中点击月份，或在此选择，即可查看案件明细。")

st.subheader("自定义交叉表")
p1, p2, p3, p4 = st.columns(4)
rows = p1.selectbox("行", list(ind.PIVOT_DIMENSIONS), key="trial_pv_rows", format_func=lambda d: ind.PIVOT_DIMENSIONS[d][1])
cols_ = p2.selectbox("列", ["", *ind.PIVOT_DIMENSIONS], index=3, key="trial_pv_cols",
                     format_func=lambda d: ind.PIVOT_DIMENSIONS[d][1] if d else "（无）")
measure = p3.selectbox("度量", list(ind.PIVOT_MEASURES), key="trial_pv_measure", format_func=ind.PIVOT_MEASURES.get)
basis = p4.selectbox("范围", list(ind.PIVOT_BASES), key="trial_pv_basis", format_func=ind.PIVOT_BASES.get)
table = ctx.run(ind.pivot, flt, start, end, rows, cols_ or None, measure, basis)
st.dataframe(table, hide_index=True, key="trial_pivot")
download_buttons(table, ctx.file_stem("交叉表"), key="trial_dl_pivot")
