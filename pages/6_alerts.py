"""风险预警: surges, sustained shifts, mass disputes and professional lenders, ranked and explained."""

import streamlit as st

import geodata
from analytics.alerts import detect
from analytics.alerts import status as S
from analytics.alerts.config import load_alert_config
from analytics.alerts.multiple import expected_false_alarms
from analytics.auth import LOCAL_USER, alert_districts
from ui import alert_charts as ac
from ui.shell import setup_page, synthetic_banner
from ui.widgets import download_buttons

# 外部 users: this month's count of a series below the threshold is "<10", and its expectation,
# bound, strength and sentence (which quotes the count) are hidden with it. Series are unrelated
# (no published total over the rows), so no secondary suppression.
ALERT_SPEC = ac.ALERT_SPEC

ctx = setup_page("风险预警")
st.title("风险预警 · 案件突增、持续偏高、群体性纠纷、职业放贷人")
synthetic_banner(ctx)
cfg = load_alert_config()
months = ctx.run(detect.replay_months, cfg)
if not months:
    st.warning("数据不足三年，无法建立基线 / fewer than 3 years of data: no baseline yet.")
    st.stop()
month = ac.month_select(months, key="al_month")
everything = S.with_status(ctx.run(detect.month_alerts, month, cfg), ctx.con)
alerts = detect.apply_filter(everything, ctx.flt, ctx.options.cause_parent)
active = alerts[~alerts["status"].isin(S.CLOSED)]
n_series = ctx.run(detect.tested_series, month, cfg)
c1, c2, c3, c4 = st.columns(4)
c1.metric("本月预警", f"{len(alerts)}")
c2.metric("未处置", f"{len(active)}")
c3.metric("检验序列", f"{n_series}")
c4.metric("突增中预计误报（上限）", f"{expected_false_alarms((alerts['kind'] == 'surge').sum(), cfg.fdr_q):.1f}")
st.caption(
    f"基线只用过去{cfg.farrington.b}年同月±{cfg.farrington.w}个月（Farrington-flexible，一审新收，按区县×案由/案由组，"
    "以其他区县同类案件为分母），突增须超出上限且通过"
    f" Benjamini-Hochberg 多重检验（q={cfg.fdr_q}）；持续偏高为累积和检验（k={cfg.cusum_k}，h={cfg.cusum_h}）。"
    "当事人仅以匿名编号显示。侧栏的区县、类别、案由筛选作用于本页，年度筛选不作用（月份在上方选择）；"
    "链接按预警所在年度打开密度地图与审判运行页（共享筛选只能到年）。"
)
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(f"{month} 预警（按强度排序）")
    table = ac.display_table(alerts)
    if alerts.empty:
        st.info("本月在所选范围内没有预警。 / No alert this month in the selected scope.")
    gated = ctx.gated(table, "风险预警", ALERT_SPEC)
    ac.alert_table(table if gated is None else gated.display, key="al_table")
    download_buttons(ctx, table, ctx.file_stem(f"风险预警_{month}"), key="al_dl", spec=ALERT_SPEC)
with right:
    st.subheader("各区县未处置预警")
    ac.show_map(detect.district_counts(active, list(geodata.rate_population())), ctx.settings.map_style_url,
                key="al_map")

series = alerts[alerts["series_id"].notna()]
if gated is not None:  # no chart of a series whose count this month is not published
    series = series[~gated.hidden["本月件数"].to_numpy()[alerts["series_id"].notna().to_numpy()]]
if not series.empty:
    st.subheader("序列与基线")
    pick = st.selectbox("预警序列", list(series["series_id"]), key="al_series",
                        format_func=dict(zip(series["series_id"], series["sentence"], strict=True)).get)
    hist = ctx.chart_data(ctx.run(detect.series_history, pick, month, cfg), "预警序列", ac.SERIES_SPEC)
    st.altair_chart(ac.series_chart(hist, "月度新收（一审）与基线：虚线为预期，阴影至上限，红点为预警"),
                    width="stretch")
if not ctx.user.protected:  # registering and reading the courts' handling is for court staff
    st.subheader("状态登记")
    # 管理员: every alert; 法院: the alerts of their courts' districts (analytics.auth.alert_districts).
    allowed = alert_districts(ctx.user)
    mine = alerts if allowed is None else alerts[alerts["adcode"].isin(sorted(allowed))]
    if mine.empty and not alerts.empty:
        st.info("本账号只能登记本院所在区县的预警；所选范围内没有。 / "
                "You may register alerts of your own court's district only; none in this scope.")
    ac.status_editor(ctx.con, mine, key="al_st", who=None if ctx.user == LOCAL_USER else ctx.user.name,
                     on_saved=lambda detail: ctx.record("alert_status", detail))
    with st.expander("预警处理历史 / History"):
        hist_tbl = ac.history_table(ctx.con, key="al_hist")
        download_buttons(ctx, hist_tbl, ctx.file_stem("预警处理历史"), key="al_hist_dl")
else:
    st.info("外部用户不能登记或查看预警处理状态。 / External users can neither register nor read alert handling.")
