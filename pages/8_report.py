"""评估报告: draft the report of the current view (kind, period, filters from the URL) as a .docx."""

from datetime import date

import streamlit as st

from analytics import audit
from analytics.report import available_kinds, build_report
from analytics.report.common import scope_text
from analytics.report.gate import protect, protected_runner
from analytics.report.model import Paragraph
from ui.docx_writer import write_docx
from ui.shell import setup_page, synthetic_banner
from ui.widgets import file_button

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ctx = setup_page("评估报告")
flt = ctx.flt
kinds = available_kinds()
st.title("评估报告")
synthetic_banner(ctx)
st.caption("报告中的每个数字都由与各页面相同的分析函数计算；生成的 Word 文档可在 Word 或 WPS 中编辑后报送。"
           "目录在打开文档时更新。")
kind = st.selectbox("报告类型", list(kinds), format_func=lambda k: kinds[k].label, key="rep_kind")
first, last = date(ctx.options.year_min, 1, 1), ctx.as_of
default = (max(first, date(flt.year_from, 1, 1)), min(date(flt.year_to, 12, 31), last))
period = st.date_input("统计期间", value=default, min_value=first, max_value=last, key="rep_period")
brief = st.toggle("一页简报（审判执行运行情况：4 幅图表 + 1 幅地图）", key="rep_brief")
st.caption(f"统计范围：{scope_text(flt) or '全部案件'}（来自左侧筛选，可随链接分享）")

if not (isinstance(period, tuple) and len(period) == 2):
    st.info("请选择统计期间的起止日期。")
    st.stop()
start, end = period
request = (kind, start, end, brief, flt)
if st.button("生成报告", key="rep_go", type="primary"):
    bar = st.progress(0.0, text="开始… / starting…")

    def show(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    # 外部: rates over a small numerator are left out as the report is built (the gate below
    # then hides the small counts themselves)
    run = protected_runner(ctx.run, ctx.rules) if ctx.user.protected else ctx.run
    report = build_report(ctx.con, kind, flt, start, end, brief=brief, meta=ctx.meta,
                          ranges=ctx.settings.indicator_ranges, progress=show, run=run)
    if ctx.user.protected:  # 外部: the same gate as the pages, before anything is written
        report, n_hidden = protect(report, ctx.rules)
        if n_hidden:
            ctx.record("suppression", f"报告 {report.title}: {n_hidden} 处隐藏", n_hidden)
    # The watermark line: after the cover, or after the 简报's title line.
    report.blocks.insert(min(1, len(report.blocks)), Paragraph(audit.watermark(ctx.user.name)))
    ctx.record("report", f"{report.title} {start}–{end}")  # drafted (the download is an export)
    data = write_docx(report, progress=show)
    show(1.0, "完成 / done")
    stem = ctx.file_stem(f"{report.title}_{start:%Y%m%d}-{end:%Y%m%d}")
    st.session_state["rep_file"] = (request, f"{stem}.docx", data)

got = st.session_state.get("rep_file")
if got and got[0] == request:
    # named with the user and the time, audited when clicked
    file_button(ctx, "下载报告（.docx）", got[2], got[1].removesuffix(".docx"), "docx", DOCX, "rep_download",
                type="primary")
elif got:
    st.caption("报告类型、期间或筛选已改变，请重新生成。")
