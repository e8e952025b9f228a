"""裁判文书专题: criminal judgment records (CAIL2018 format) by place of offence and charge."""

import altair as alt
import pandas as pd
import streamlit as st

from analytics import judgments as J
from analytics.auth import may_import
from analytics.store import StoreError
from ui import region_map
from ui.shell import setup_page
from ui.widgets import download_buttons

ctx = setup_page("裁判文书专题", filters=False)
st.title("裁判文书专题")
st.caption(
    "数据：CAIL2018 公开刑事裁判文书（去标识化，仅供研究）。犯罪地由案情文字中的行政区划全称识别"
    "（“通州”“海门”等简称有歧义，不作推断，计入“未识别”）；刑期统计不含无期徒刑和死刑。"
)

with st.expander("导入裁判文书（CAIL JSON Lines）", expanded=ctx.run(J.record_count) == 0):
    if not may_import(ctx.user):  # writing into the store is for administrators only
        st.info("仅管理员可导入裁判文书。 / Only administrators may import records.")
        upload, sample = None, None
        go_upload = go_sample = False
    else:
        upload = st.file_uploader("选择 .jsonl 文件", type=["jsonl", "json", "txt"], key="jdg_file")
        sample = J.sample_path()
        c1, c2 = st.columns(2)
        go_upload = c1.button("导入上传的文件", key="jdg_import", disabled=upload is None, width="stretch")
        go_sample = c2.button(
            "载入 CAIL2018 示例（3,675 条）",
            key="jdg_sample",
            disabled=sample is None,
            width="stretch",
            help=None if sample else "本机没有 ../shared/data/cail2018 示例数据",
        )
    if go_upload or go_sample:
        source = upload.getvalue() if go_upload else sample
        try:
            with st.spinner("正在导入… / importing…"):
                result = J.import_into(ctx.settings.db_path, source)
        except StoreError as exc:  # a failed insert rolled back: nothing was written
            st.error(f"导入失败，未作任何改动：{exc}\n\nImport failed, nothing was written: {exc}")
        else:
            ctx.invalidate()
            ctx.record("import", "裁判文书 " + ("示例" if go_sample else upload.name))
            st.success(f"{result.message.zh}\n\n{result.message.en}")
            for line, problem in result.bad[:10]:
                st.caption(f"第 {line} 行 / line {line}: {problem.zh} / {problem.en}")

total = ctx.run(J.record_count)
if total == 0:
    st.info("案件库中还没有裁判文书记录，请先在上方导入。")
    st.stop()

charges = ctx.run(J.charges)
charge = st.selectbox(
    "罪名",
    ["", *charges["charge"]],
    key="jdg_charge",
    format_func=lambda c: c or f"全部罪名（{total:,} 条记录）",
)
charge = charge or None
formats = {
    J.LABELS["share"]: st.column_config.NumberColumn(format="percent"),
    J.LABELS["mean_months"]: st.column_config.NumberColumn(format="%.1f"),
    J.LABELS["median_months"]: st.column_config.NumberColumn(format="%.1f"),
    J.LABELS["mean_fine"]: st.column_config.NumberColumn(format="%.0f"),
}


def bars(df: pd.DataFrame, field: str) -> alt.Chart:
    """Horizontal bars of record counts, largest first (unrecognised places included)."""
    return (
        alt.Chart(df)
        .mark_bar(color="#b0182b")
        .encode(
            y=alt.Y(f"{field}:N", sort=None, title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("records:Q", title="记录数"),
            tooltip=[
                alt.Tooltip(f"{field}:N", title=J.LABELS[field]),
                alt.Tooltip("records:Q", title="记录数"),
                alt.Tooltip("share:Q", title="占比", format=".1%"),
            ],
        )
        .properties(height=max(160, 18 * len(df)))
    )


def _table(df: pd.DataFrame, what: str, key: str) -> None:
    """A table as this user may see it (外部: gated, as text without number formats)."""
    if ctx.user.protected:
        st.dataframe(ctx.gate(df, what), hide_index=True, key=key)
    else:
        st.dataframe(df, hide_index=True, column_config=formats, key=key)


left, right = st.columns(2, gap="large")
with left:
    st.subheader("按省份（犯罪地）")
    prov = ctx.run(J.by_province, charge)
    if not ctx.user.protected:  # 外部 users: the gated table only (no map or bars of small counts)
        region_map.show(region_map.province_map(prov, ctx.settings.map_style_url), key="jdg_prov_map")
        st.caption("示意图：省界经简化，未含南海诸岛附图，不作为国界和行政区划依据；对外发布须改用带审图号的标准地图。")
        st.altair_chart(bars(prov, "province"), key="jdg_prov_chart", width="stretch")
    _table(J.labelled(prov), "裁判文书_按省份", "jdg_prov_table")
    download_buttons(ctx, J.labelled(prov), "裁判文书_按省份", key="jdg_dl_prov")
with right:
    st.subheader("江苏省按城市")
    city = ctx.run(J.by_city, "江苏省", charge)
    if city.empty:
        st.info("所选罪名在江苏省没有记录。")
    else:
        if not ctx.user.protected:
            region_map.show(region_map.jiangsu_city_map(city, ctx.settings.map_style_url), key="jdg_city_map")
            st.altair_chart(bars(city, "city"), key="jdg_city_chart", width="stretch")
        _table(J.labelled(city), "裁判文书_江苏按城市", "jdg_city_table")
        download_buttons(ctx, J.labelled(city), "裁判文书_江苏按城市", key="jdg_dl_city")

st.subheader("各罪名刑罚统计")
st.caption("平均/中位刑期按有期徒刑、拘役等定期刑计（月）；CAIL 数据不含缓刑标记，故不统计缓刑比例。")
stats = ctx.run(J.sentence_stats, charge)
_table(J.labelled(stats), "裁判文书_刑罚统计", "jdg_stats")
download_buttons(ctx, J.labelled(stats), "裁判文书_刑罚统计", key="jdg_dl_stats")
