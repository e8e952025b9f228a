"""Building blocks of the 风险预警 page: month selector in the URL, alert table, series chart with
the baseline band, district map of active alerts, status editor and history."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

import geodata
from analytics.alerts import status as S
from analytics.choropleth import classify
from analytics.privacy import TableSpec
from ui import deck
from ui.widgets import legend

MONTH_KEY = "am"  # URL key of the replayed month
# The publication gate's view of the alert table and of a series' history (外部 users).
ALERT_SPEC = TableSpec(counts=("本月件数",), dependent=("预期", "上限", "强度", "预警说明", "密度地图", "审判运行"),
                       margins=False)
SERIES_SPEC = TableSpec(counts=("observed",), dependent=("expected", "upper"), margins=False)

TABLE_LABELS = {
    "rank": "排名", "kind_label": "类型", "sentence": "预警说明", "status": "状态", "observed": "本月件数",
    "expected": "预期", "upper": "上限", "strength": "强度", "map_link": "密度地图", "trial_link": "审判运行",
}


def month_select(months: list[str], key: str) -> str:
    """Month to replay (newest first), kept in the URL as ``am``; the newest month is not written."""
    if key not in st.session_state:
        raw = st.query_params.get(MONTH_KEY)
        if raw and raw not in months:
            st.warning(f"月份参数无效，已显示最新月份 / invalid month '{raw}', showing the latest")
        st.session_state[key] = raw if raw in months else months[0]
    value = st.selectbox("预警月份（可回放任一历史月份）", months, key=key)
    if value == months[0]:
        st.query_params.pop(MONTH_KEY, None)
    elif st.query_params.get(MONTH_KEY) != value:
        st.query_params[MONTH_KEY] = value
    return value


def display_table(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts as shown and exported: Chinese headers, rounded figures, no party key column."""
    out = alerts.assign(rank=range(1, len(alerts) + 1))
    out = out[list(TABLE_LABELS)].rename(columns=TABLE_LABELS)
    for col in ("预期", "上限"):
        out[col] = out[col].round(1)
    out["强度"] = out["强度"].round(2)
    return out


def alert_table(table: pd.DataFrame, key: str) -> None:
    """The ranked alerts with links that open the map and the trial page on the alert's cases."""
    st.dataframe(
        table, hide_index=True, key=key, width="stretch",
        column_config={
            "密度地图": st.column_config.LinkColumn("密度地图", display_text="打开地图"),
            "审判运行": st.column_config.LinkColumn("审判运行", display_text="打开案件"),
            "预警说明": st.column_config.TextColumn("预警说明", width="large"),
        },
    )


def series_chart(df: pd.DataFrame, title: str) -> alt.Chart:
    """Monthly counts with the past-only baseline (expected) and its upper bound as a band."""
    base = alt.Chart(df, title=title).encode(x=alt.X("month:T", title="月份", axis=alt.Axis(format="%Y-%m")))
    band = base.mark_area(opacity=0.25, color="#7a9cc6").encode(
        y=alt.Y("expected:Q", title="件数"), y2="upper:Q")
    exp_line = base.mark_line(strokeDash=[4, 3], color="#3a5f8f").encode(y="expected:Q")
    obs = base.mark_line(point=True, color="#222").encode(
        y="observed:Q",
        tooltip=[alt.Tooltip("month:T", title="月份", format="%Y-%m"), alt.Tooltip("observed:Q", title="件数"),
                 alt.Tooltip("expected:Q", title="预期", format=".1f"),
                 alt.Tooltip("upper:Q", title="上限", format=".1f")])
    hits = base.transform_filter("datum.alarm").mark_point(color="#b0182b", size=110, filled=True).encode(
        y="observed:Q")
    return (band + exp_line + obs + hits).properties(height=260)


def district_map(counts: pd.DataFrame, style_url: str) -> tuple[pdk.Deck, list]:
    """Districts coloured by the number of active alerts (``counts``: adcode, alerts)."""
    stats = counts.rename(columns={"alerts": "cases"}).assign(per_10k=0.0, yoy=None)
    classes = classify(stats["cases"].tolist())
    fc = deck.district_features(geodata.load_districts(), stats, classes, None, "")
    for feat in fc["features"]:
        p = feat["properties"]
        p.update(l1=f"未处置预警 {p['cases']} 条", l2="", l3="")
    return deck.build_deck(fc, geodata.load_context(), None, style_url), classes.legend("{:,.0f}")


def show_map(counts: pd.DataFrame, style_url: str, key: str) -> None:
    """The district map with its legend."""
    chart, items = district_map(counts, style_url)
    st.pydeck_chart(chart, height=420, key=key)
    legend(items, "未处置预警数")


def status_editor(con, alerts: pd.DataFrame, key: str, who: str | None = None,
                  on_saved: Callable[[str], None] | None = None) -> None:
    """Pick an alert, set its status with who and a note; saved in the store at once.

    ``alerts``: the alerts this user may register (the page narrows them by role); ``who``: the
    signed-in user, recorded as 处理人 (typed by hand only in single-user mode, ``None``);
    ``on_saved(detail)`` is called after a save (the page writes its audit row there)."""
    if alerts.empty:
        return
    ids = list(alerts["alert_id"])
    text = dict(zip(ids, alerts["sentence"], strict=True))
    c1, c2 = st.columns([3, 1])
    chosen = c1.selectbox("预警", ids, key=f"{key}_id", format_func=lambda a: text[a][:60])
    now = dict(zip(ids, alerts["status"], strict=True))[chosen]
    status = c2.selectbox("状态", S.STATUSES, index=S.STATUSES.index(now), key=f"{key}_status")
    c3, c4 = st.columns([1, 3])
    if who is None:
        handler = c3.text_input("处理人", key=f"{key}_who", max_chars=S.MAX_TEXT)
    else:
        handler = who
        c3.text_input("处理人", value=who, key=f"{key}_who_fixed", disabled=True)
    note = c4.text_input("备注", key=f"{key}_note", max_chars=S.MAX_TEXT)
    if st.button("保存状态", key=f"{key}_save"):
        try:
            S.set_status(con, chosen, status, handler, note)
        except S.StatusError as err:
            st.error(str(err))
        else:
            if on_saved is not None:
                on_saved(f"{chosen}: {status}")
            st.success(f"已保存：{status} / saved")
            st.rerun()


def history_table(con, key: str) -> pd.DataFrame:
    """Every recorded status change, newest first, with Chinese headers."""
    hist = S.history(con).rename(columns={"alert_id": "预警编号", "status": "状态", "who": "处理人",
                                          "changed_at": "时间", "note": "备注"})
    st.dataframe(hist, hide_index=True, key=key, width="stretch")
    return hist
