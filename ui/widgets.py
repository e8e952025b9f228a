"""Small shared widgets: download buttons for tables, the choropleth legend, cached charts."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from analytics.export import to_csv_bytes, to_xlsx_bytes


def download_buttons(df: pd.DataFrame, stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM, for Excel/WPS) and XLSX downloads of a table, side by side.

    The files are made when a button is clicked, not on every page run: an XLSX workbook
    costs ~0.1 s of server CPU, and most page views download nothing.
    """
    left, right = st.columns(2)
    left.download_button("下载 CSV", partial(to_csv_bytes, df), f"{stem}.csv", "text/csv",
                         key=f"{key}_csv", width="stretch")
    right.download_button(
        "下载 Excel", partial(to_xlsx_bytes, df), f"{stem}.xlsx",
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


@st.cache_data(show_spinner=False, max_entries=1024, ttl=6 * 3600)
def _vega_spec(module: str, name: str, df: pd.DataFrame, args: tuple[Any, ...]) -> dict[str, Any]:
    """The Vega-Lite spec Streamlit would make of ``module.name(df, *args)``, shared by sessions.

    Building and validating an Altair spec costs ~50 ms of CPU per chart; the same figures give
    the same spec, so it is made once per data and title.
    """
    builder = getattr(importlib.import_module(module), name)
    return _convert_altair_to_vega_lite_spec(builder(df, *args))


def chart(builder: Callable[..., alt.TopLevelMixin], df: pd.DataFrame, *args: Any) -> None:
    """Draw the Altair chart ``builder(df, *args)`` (a ``ui.charts`` builder) at full width, from
    a spec cached across sessions: the same element ``st.altair_chart`` would send."""
    st.vega_lite_chart(spec=_vega_spec(builder.__module__, builder.__name__, df, args), width="stretch")
