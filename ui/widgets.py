"""Small shared widgets: download buttons for tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.export import to_csv_bytes, to_xlsx_bytes


def download_buttons(df: pd.DataFrame, stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM, for Excel/WPS) and XLSX downloads of a table, side by side."""
    left, right = st.columns(2)
    left.download_button("下载 CSV", to_csv_bytes(df), f"{stem}.csv", "text/csv",
                         key=f"{key}_csv", width="stretch")
    right.download_button(
        "下载 Excel", to_xlsx_bytes(df), f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", width="stretch",
    )


def legend(items: list[tuple[str, tuple[int, int, int]]], title: str) -> None:
    """A colour legend for the choropleth classes (swatch + range label)."""
    cells = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:14px">'
        f'<span style="width:18px;height:14px;background:rgb{c};border:1px solid #999;'
        f'display:inline-block;margin-right:5px"></span>{label}</span>'
        for label, c in items
    )
    st.markdown(f'<div style="font-size:0.95rem"><b>{title}</b>：{cells}</div>', unsafe_allow_html=True)
