"""Small shared widgets: the download helpers, the choropleth legend, headline figures, cached charts.

Every download in the app goes through ``download_buttons`` (tables as CSV/XLSX) or
``file_button`` (files made elsewhere: Word reports, catalogue data sets): the file name carries
the user and the time, the file a watermark line, 外部 users get the gated table, and a click
writes an "export" row to the audit log.
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from analytics import audit
from analytics import filters as F
from analytics.export import neutralise, neutralise_cell, to_csv_bytes

if TYPE_CHECKING:
    import altair as alt  # only the analysts' pages draw Altair charts: the map page never loads it

    from analytics.maps import Headline
    from ui.shell import Ctx, Spec


def watermarked_csv(df: pd.DataFrame, mark: str) -> bytes:
    """UTF-8 CSV with a byte-order mark whose first line is the watermark ``mark``."""
    body = to_csv_bytes(df).decode("utf-8-sig")
    return (str(neutralise_cell(mark)) + "\n" + body).encode("utf-8-sig")


def watermarked_xlsx(df: pd.DataFrame, mark: str) -> bytes:
    """An XLSX workbook: the watermark in the first row (and the workbook's description and
    keywords), the table from the second row."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise(df).to_excel(writer, index=False, sheet_name="数据", startrow=1)
        sheet = writer.sheets["数据"]
        sheet["A1"] = mark
        writer.book.properties.description = mark
        writer.book.properties.keywords = "内部资料"
    return buf.getvalue()


def record_export(db_path: str, user: str, page: str, filters: str, name: str, rows: int) -> None:
    """The audit row of one download (run when the button is clicked)."""
    from ui.shell import _connection  # the shell imports this module's users, not the reverse

    audit.record(_connection(db_path).cursor(), user, "export", page=page, filters=filters,
                 detail=name, n_rows=rows)


def _filters(ctx: Ctx) -> str:
    return json.dumps(ctx.flt.to_query_params(F.default_filter(ctx.options)), ensure_ascii=False, sort_keys=True)


def file_button(ctx: Ctx, label: str, data: Callable[[], bytes] | bytes, stem: str, ext: str, mime: str,
                key: str, rows: int | None = None, where: Any = None, **kwargs: Any) -> None:
    """A download of a file made elsewhere (a Word report, a catalogue data set), named with the
    user and time (``audit.export_name``) and audited ("export", file name, rows) when clicked.
    The caller puts the watermark into the file (``audit.watermark``)."""
    name = f"{audit.export_name(stem, ctx.user.name)}.{ext}"
    (where or st).download_button(
        label, data, name, mime, key=key,
        on_click=partial(record_export, str(ctx.settings.db_path), ctx.user.name, ctx.page, _filters(ctx), name,
                         rows=rows), **kwargs)


def download_buttons(ctx: Ctx, df: pd.DataFrame, stem: str, key: str, spec: Spec = None) -> None:
    """CSV (UTF-8 with BOM, for Excel/WPS) and XLSX downloads of a table, side by side: the one
    way a table leaves the app.

    The file name carries the user and the time (``audit.export_name``), the first line (CSV) or
    row (XLSX) the watermark (``audit.watermark``); for 外部 users the table passes the
    publication gate first (``Ctx.gate``); a click writes an "export" audit row (file name,
    rows). The files are made when a button is clicked, not on every page run: an XLSX workbook
    costs ~0.1 s of server CPU, and most page views download nothing.
    """
    table = ctx.gate(df, stem, spec, note=False)
    name = audit.export_name(stem, ctx.user.name)
    mark = audit.watermark(ctx.user.name)
    logged = partial(record_export, str(ctx.settings.db_path), ctx.user.name, ctx.page, _filters(ctx),
                     rows=len(table))
    left, right = st.columns(2)
    left.download_button("下载 CSV", partial(watermarked_csv, table, mark), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", width="stretch", on_click=logged, args=(f"{name}.csv",))
    right.download_button(
        "下载 Excel", partial(watermarked_xlsx, table, mark), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", width="stretch", on_click=logged, args=(f"{name}.xlsx",),
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


HEADLINE_KEY = "headline"  # the row's container: its CSS class is st-key-headline (the page-load benchmark's mark)


@dataclass(frozen=True)
class Figure:
    """One headline figure: a label, the value as shown, a line under it (like st.metric's delta), a tooltip."""

    label: str
    value: str
    note: str | None = None
    help: str | None = None


def headline_figures(ctx: Ctx, head: Headline, withheld: bool, cases_label: str, tag: str = "",
                     pending_help: str | None = None) -> list[Figure]:
    """The four figures of ``maps.headline`` as the map page and the meeting slide show them.

    For 外部 users a small count is "<10" and no rate or change is computed from one
    (``ctx.figure``, whose audit names ``tag`` prefixes); a district whose row the district table
    hides (``withheld``) shows none of its own.
    """
    cases = ctx.rules.hidden_label if withheld else ctx.figure(head.cases, f"{head.cases:,}", f"{tag}新收案件")
    # every small count is checked (and audited) even where the figure has no value to show
    yoy_small = withheld or any(ctx.figure(n, "", f"{tag}同比") for n in (head.yoy_cur, head.yoy_prev))
    share_small = withheld or any(
        ctx.figure(n, "", f"{tag}已结案比例") for n in (head.cases, head.closed, head.pending))
    no_yoy = head.yoy is None or yoy_small
    pending = "—" if withheld else ctx.figure(head.pending, f"{head.pending:,}", f"{tag}至今未结")
    return [
        Figure(cases_label, cases),
        Figure(head.window.label, "—" if no_yoy else f"{head.yoy:+.1%}",
               None if no_yoy else f"{head.yoy_cur - head.yoy_prev:+,} 件"),
        Figure("已结案比例", "—" if head.closed_share is None or share_small else f"{head.closed_share:.1%}"),
        Figure("所选期间立案、至今未结", pending, help=pending_help),
    ]


def figures(items: Sequence[Figure], key: str = HEADLINE_KEY, across: bool = True) -> None:
    """A row of headline figures drawn with elements of the page's own JavaScript bundle.

    ``st.metric`` is loaded by the browser on demand (a chunk of its own), and React reveals
    elements loaded on demand no sooner than 300 ms after the page last showed a placeholder:
    on the map page, whose deck.gl and other chunks load at the same time, the figures appeared
    with the first reveal or, in some loads, with the map 0.5 s later. A caption (the label)
    and a heading (the value) come with the page's first paint, next to the title
    (docs/pageload.md). ``across``: side by side (else one under the other, as beside a map).
    """
    with st.container(key=key):
        places = st.columns(len(items)) if across else [st.container(key=f"{key}_{i}") for i in range(len(items))]
        for place, fig in zip(places, items, strict=True):
            place.caption(fig.label, help=fig.help)
            place.header(fig.value, anchor=False)
            if fig.note:
                place.caption(fig.note)


def svg(markup: str) -> None:
    """An inline SVG chart (``ui.svg_charts``) at the width of its column."""
    st.markdown(f'<div style="margin-bottom:0.75rem">{markup}</div>', unsafe_allow_html=True)


@st.cache_data(show_spinner=False, max_entries=1024, ttl=6 * 3600)
def _vega_spec(module: str, name: str, df: pd.DataFrame, args: tuple[Any, ...]) -> dict[str, Any]:
    """The Vega-Lite spec Streamlit would make of ``module.name(df, *args)``, shared by sessions.

    Building and validating an Altair spec costs ~50 ms of CPU per chart; the same figures give
    the same spec, so it is made once per data and title.
    """
    builder = getattr(importlib.import_module(module), name)
    return _convert_altair_to_vega_lite_spec(builder(df, *args))


def chart(builder: Callable[..., alt.TopLevelMixin], df: pd.DataFrame, *args: Any, key: str | None = None,
          on_select: Callable[[], None] | None = None) -> None:
    """Draw the Altair chart ``builder(df, *args)`` (a ``ui.charts`` builder) at full width, from
    a spec cached across sessions: the same element ``st.altair_chart`` would send. ``on_select``:
    a callback for the chart's selection parameters (clicked points), as with ``st.altair_chart``."""
    st.vega_lite_chart(spec=_vega_spec(builder.__module__, builder.__name__, df, args), width="stretch", key=key,
                       on_select=on_select or "ignore")
