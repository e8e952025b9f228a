"""数据导入: upload a case list (CSV/XLSX), check the column mapping, validate, then load into the store."""

import pandas as pd
import streamlit as st

from analytics import importer
from analytics.auth import may_import
from ui import gov_import
from ui.shell import setup_page, url_choice
from ui.widgets import download_buttons

ctx = setup_page("数据导入", filters=False)
max_mb = ctx.settings.import_max_mb
st.title("数据导入")
if not may_import(ctx.user):  # writing into the store is for administrators only
    st.error("仅管理员可导入数据。 / Only administrators may import data.")
    st.stop()
if url_choice("导入内容", {"cases": "案件清单", "gov": "政务数据"}, "kind", "imp_kind") == "gov":
    gov_import.render(ctx)  # government data (政务数据): ui/gov_import.py, analytics/govdata.py
    st.stop()
st.caption(
    f"导入法院导出的案件清单（CSV：UTF-8 / GBK 自动识别；或 XLSX），单个文件不超过 {max_mb} MB。"
    "按案号合并：重复导入同一文件不会新增记录；同一案号以较新的版本为准（已结案不会被未结版本覆盖，"
    "有“修改日期/导出日期”列时按其先后），较旧的行保留库中版本并在报告中注明；写入要么全部成功，要么不做任何改动。"
    "当事人名称只用于生成匿名标识，不入库。"
)
if ctx.synthetic:
    st.warning(
        "当前案件库为合成演示数据：导入的案件会与演示数据混在一起（同一案号以导入为准）。"
        "正式使用请配置独立的案件库（SHUZHU_DB）。",
        icon="⚠️",
    )


@st.cache_data(max_entries=2, show_spinner="正在读取文件… / reading the file…")
def _read(data: bytes, name: str, encoding: str) -> pd.DataFrame:
    """The uploaded file as a table of raw cells (kept across reruns of this page)."""
    return importer.read_table(data, name, encoding or None)


def _show_problem(problem: object) -> None:
    """A bilingual error message."""
    st.error(f"{problem.zh}\n\n{problem.en}")  # type: ignore[attr-defined]


uploaded = st.file_uploader("选择案件清单文件", type=["csv", "txt", "xlsx"], key="imp_file", max_upload_size=max_mb)
if uploaded is None:
    st.info(
        "请上传 CSV 或 XLSX 文件。第一行（或标题下方）应为表头，如 案号、立案日期、案由、结案日期、结案方式、标的额。"
    )
    st.stop()

data = uploaded.getvalue()
if too_big := importer.check_size(len(data), max_mb):
    _show_problem(too_big)
    st.stop()

encoding = st.selectbox(
    "文本编码（CSV）",
    ["", "utf-8", "gb18030", "big5", "utf-16"],
    key="imp_encoding",
    format_func=lambda e: importer.ENCODING_LABELS.get(e, e) if e else "自动识别",
)
try:
    table = _read(data, uploaded.name, encoding)
except importer.ImportRefused as exc:
    _show_problem(exc.problem)
    st.stop()

found = table.attrs.get("encoding")
where = (
    f"工作表“{table.attrs['sheet']}”"
    if table.attrs.get("sheet")
    else f"编码 {importer.ENCODING_LABELS.get(found, found)}"
)
st.caption(
    f"{where}；表头在第 {table.attrs.get('header_row')} 行；数据 {len(table):,} 行（空行 {table.attrs.get('blank_rows', 0)} 行已跳过）。"
)
with st.expander("预览前 20 行", expanded=False):
    st.dataframe(importer.preview(table), key="imp_preview")

st.subheader("列映射")
saved = st.file_uploader("载入已保存的映射（JSON，可选）", type=["json"], key="imp_mapping_file", max_upload_size=1)
base = importer.guess_mapping(table.columns)
if saved is not None:
    try:
        base = importer.mapping_from_json(saved.getvalue())
    except importer.ImportRefused as exc:
        _show_problem(exc.problem)
edited = st.data_editor(
    importer.mapping_table(table.columns, base),
    key=f"imp_mapping_{uploaded.file_id}_{saved.file_id if saved else ''}",
    hide_index=True,
    num_rows="fixed",
    column_config={
        importer.MAPPING_COLUMNS[0]: st.column_config.TextColumn(disabled=True),
        importer.MAPPING_COLUMNS[1]: st.column_config.SelectboxColumn(
            options=[importer.NOT_IMPORTED, *importer.FIELD_CHOICES], required=True
        ),
    },
)
mapping = importer.mapping_from_table(edited)
mapping_problems = importer.check_mapping(mapping, table.columns)
for p in mapping_problems:
    st.warning(f"{p.zh} / {p.en}")
st.download_button(
    "保存映射（JSON）",
    importer.mapping_to_json(mapping),
    "导入映射.json",
    "application/json",
    key="imp_save_mapping",
)

left, right = st.columns(2)
check = left.button("校验（不写入）", key="imp_validate", disabled=bool(mapping_problems), width="stretch")
confirm = right.button("确认导入", key="imp_confirm", type="primary", disabled=bool(mapping_problems), width="stretch")


def _progress() -> importer.Progress:
    """A progress bar and the callback that moves it."""
    bar = st.progress(0.0, text="开始… / starting…")
    return lambda f, m: bar.progress(min(f, 1.0), text=m)


options = {"dry_run": False, "max_mb": max_mb, "encoding": encoding or None}
if check:
    options["dry_run"] = True
    summary = importer.import_file(ctx.con, data, uploaded.name, mapping, _progress(), **options)
    st.session_state["imp_result"] = (uploaded.file_id, summary)
if confirm:
    try:
        # Loaded through a writable connection of its own; the serving cache is refreshed after.
        summary = importer.import_into(ctx.settings.db_path, data, uploaded.name, mapping, _progress(), **options)
    except importer.StoreError as exc:  # opening failed or the upsert rolled back: nothing was written
        st.error(f"导入失败，案件库未作任何改动：{exc}\n\nImport failed; the case store is unchanged: {exc}")
        st.stop()
    if summary.loaded:
        ctx.invalidate()
        ctx.record("import", f"{uploaded.name}: {summary.inserted} 新增, {summary.replaced} 更新", summary.accepted)
    st.session_state["imp_result"] = (uploaded.file_id, summary)

file_id, summary = st.session_state.get("imp_result", (None, None))
if summary is None or file_id != uploaded.file_id:
    st.info("先“校验”查看逐行报告，确认无误后再“确认导入”。")
    st.stop()

st.subheader("结果")
msg = summary.message
(st.error if summary.refused else st.success if summary.loaded else st.info)(f"{msg.zh}\n\n{msg.en}")
cols = st.columns(6 if summary.loaded else 4)
cols[0].metric("数据行", f"{summary.rows:,}")
cols[1].metric("接受", f"{summary.accepted:,}", help="含已更正的行")
cols[2].metric("其中已更正", f"{summary.corrected:,}")
cols[3].metric("拒绝", f"{summary.rejected:,}")
if summary.loaded:
    cols[4].metric("新增", f"{summary.inserted:,}")
    cols[5].metric(
        "更新 / 未变 / 保留库中", f"{summary.replaced:,} / {summary.unchanged:,} / {summary.kept:,}",
        help="保留库中：文件中的行比库中版本旧，保留库中版本",
    )
for note in summary.notes:
    st.caption(f"{note.zh} / {note.en}")
if not summary.report.empty:
    st.subheader("逐行报告")
    report = importer.report_table(summary.report)
    st.dataframe(report, hide_index=True, key="imp_report")
    download_buttons(ctx, report, "导入报告", key="imp_dl_report")
