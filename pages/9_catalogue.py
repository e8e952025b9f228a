"""开放数据目录: every data set the app holds, its description, fields, source, licence, coverage, rows, downloads."""

import streamlit as st

from analytics import audit, catalogue
from analytics.auth import court_scope
from ui.shell import setup_page, synthetic_banner
from ui.widgets import file_button

ctx = setup_page("开放数据目录", filters=False)
st.title("开放数据目录")
synthetic_banner(ctx)
st.caption("本应用持有的全部数据集。下载经统一的发布规则处理（案件表不含当事人假名编号与坐标；外部用户不提供案件明细，"
           "指数结果中少于 10 件的格显示为“<10”），文件名含导出人和时间，首行为水印。")
# Case rows a user may download: all (管理员), their own courts' (法院), none (外部: aggregates only).
scope = court_scope(ctx.user)
if ctx.user.courts and not ctx.user.protected:
    st.info(f"案件表只含本院案件（{'、'.join(ctx.user.courts)}）。 / The case table holds your own court's cases only.")
overview = ctx.run(catalogue.overview, None if ctx.user.protected else scope)
st.dataframe(overview.drop(columns=["id"]), hide_index=True, key="cat_overview")
con = ctx.con


def _deferred(dataset_id: str, fmt: str):
    """Bytes made only when the button is clicked (the case table has millions of rows)."""
    mark = audit.watermark(ctx.user.name)
    return lambda: catalogue.download(con.cursor(), dataset_id, fmt, ctx.user.protected, mark, scope)


for d in catalogue.datasets(ctx.synthetic):
    rows = int(overview.loc[overview["id"] == d.id, "行数"].iloc[0])
    with st.expander(f"{d.title}（{rows:,} 行）"):
        st.markdown(f"**说明**：{d.description}\n\n**来源**：{d.source}\n\n**许可**：{d.licence}")
        st.dataframe(catalogue.fields_table(d), hide_index=True, key=f"cat_fields_{d.id}")
        if not d.downloadable:
            st.info(f"不提供下载：{d.why_not}")
            continue
        if d.id == "cases" and ctx.user.protected:
            st.info("外部用户只能下载汇总数据，不提供案件明细。 / Aggregates only: no case rows.")
            continue
        left, right = st.columns(2)
        stem = ctx.file_stem(f"{d.title}")
        file_button(ctx, "下载 CSV", _deferred(d.id, "csv"), stem, "csv", "text/csv", f"cat_csv_{d.id}", rows,
                    where=left, width="stretch")
        file_button(ctx, "下载 Parquet", _deferred(d.id, "parquet"), stem, "parquet", "application/vnd.apache.parquet",
                    f"cat_pq_{d.id}", rows, where=right, width="stretch")
