"""The government-data (政务数据) import section of the import page: upload, validate, load."""

from __future__ import annotations

import streamlit as st

from analytics import govdata
from ui.shell import Ctx
from ui.widgets import download_buttons


def render(ctx: Ctx) -> None:
    """Upload a long-format CSV/XLSX (区县, 年份, 指标, 数值, 单位, 来源, 可信度), validate, load atomically."""
    st.caption("长表格式：区县（代码或名称）、年份、指标、数值、单位、来源、可信度（high/medium/low）、备注（可选）。"
               f"可用指标：{'、'.join(f'{k}（{v.label}）' for k, v in govdata.INDICATORS.items())}。"
               "同一区县、年份、指标的新值替换旧值；写入要么全部成功，要么不做任何改动。")
    up = st.file_uploader("选择政务数据文件", type=["csv", "xlsx"], key="gov_file")
    if up is None:
        st.dataframe(govdata.display_table(govdata.load(ctx.con)), hide_index=True, key="gov_current")
        return
    left, right = st.columns(2)
    if left.button("校验（不写入）", key="gov_validate", width="stretch"):
        st.session_state["gov_result"] = (up.file_id, govdata.import_gov(None, up.getvalue(), up.name))
    if right.button("确认导入", key="gov_confirm", type="primary", width="stretch"):
        try:
            result = govdata.import_gov_into(ctx.settings.db_path, up.getvalue(), up.name)
        except govdata.store.StoreError as exc:
            st.error(f"导入失败，案件库未作任何改动：{exc}\n\nImport failed; the store is unchanged: {exc}")
            return
        if result.loaded:
            ctx.invalidate()
            ctx.record("import", f"政务数据 {up.name}", result.accepted)
        st.session_state["gov_result"] = (up.file_id, result)
    file_id, summary = st.session_state.get("gov_result", (None, None))
    if summary is None or file_id != up.file_id:
        st.info("先“校验”查看逐行报告，确认无误后再“确认导入”。")
        return
    msg = summary.message
    (st.error if summary.refused else st.success if summary.loaded else st.info)(f"{msg.zh}\n\n{msg.en}")
    cols = st.columns(4)
    for col, label, value in zip(cols, ("数据行", "接受", "其中已更正", "拒绝"),
                                 (summary.rows, summary.accepted, summary.corrected, summary.rejected), strict=True):
        col.metric(label, f"{value:,}")
    if not summary.report.empty:
        table = govdata.report_table(summary.report)
        st.dataframe(table, hide_index=True, key="gov_report")
        download_buttons(ctx, table, "政务数据导入报告", key="gov_dl_report")
