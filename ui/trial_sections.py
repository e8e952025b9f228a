"""Sections of the 审判执行运行情况 page: metrics with their definitions, tables, trend, drill-down, pivot.

The page stays thin: it computes nothing and builds no chart; every figure comes from
``analytics.indicators`` through ``ctx.run`` and every chart from ``ui.charts``. Help texts come
from the indicator catalogue (``indicators.definition(key).help``), so the page states each
definition exactly as it is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics import indicators as ind
from analytics.filters import CaseFilter
from analytics.privacy import DisclosureRules, GatedFrame, TableSpec, gate_frame
from ui import charts, widgets
from ui.shell import Ctx
from ui.widgets import download_buttons

Ranges = Mapping[str, tuple[float | None, float | None]]
# The 收结存 counts: for 外部 users, a small one hides itself and the ratios computed from it.
STOCK_COUNTS: tuple[str, ...] = ("pending_start", "filed", "closed", "pending_end")


def table_spec(columns: list[str]) -> TableSpec:
    """The gate's view of an indicator display table: count indicators are counts, every other
    figure (ratios, days, amounts) depends on them."""
    def label(c: str) -> str:  # as ``ind.display_table`` names the column
        return ind.LABELS.get(c, c) + ("(%)" if ind.INDICATORS.get(c) == "ratio" else "")

    counts = tuple(label(c) for c in columns if ind.INDICATORS.get(c) == "count")
    dependent = tuple(label(c) for c in columns if c in ind.INDICATORS and ind.INDICATORS[c] != "count")
    return TableSpec(counts=counts, dependent=dependent)


def _label(c: str) -> str:  # as ``ind.display_table`` names the column
    return ind.LABELS.get(c, c) + ("(%)" if ind.INDICATORS.get(c) == "ratio" else "")


def numerator_gate(rows: pd.DataFrame, columns: list[str]) -> Callable[[pd.DataFrame, DisclosureRules], GatedFrame]:
    """The gate of an indicator display table made from ``rows`` (``ind.summary``), which also
    knows each rate's numerator count (``TableSpec.rates``): a rate over a large denominator
    whose numerator is small (3 of 5,000) is hidden like that count. The numerators come from
    ``rows`` (same row order as the display table) and are not published."""
    spec = table_spec(columns)
    pairs = [(_label(c), ind.COUNT_NUMERATORS[c]) for c in columns
             if c in ind.COUNT_NUMERATORS and ind.COUNT_NUMERATORS[c] in rows.columns]

    def gate(df: pd.DataFrame, rules: DisclosureRules) -> GatedFrame:
        helper = {f"_num_{n}": pd.to_numeric(rows[n], errors="coerce").fillna(0).to_numpy() for _, n in pairs}
        rates = tuple((r, f"_num_{n}") for r, n in pairs)
        return gate_frame(df.reset_index(drop=True).assign(**helper), rules,
                          TableSpec(counts=spec.counts, dependent=spec.dependent, rates=rates))

    return gate


def scope_withheld(ctx: Ctx, start: dt.date, end: dt.date) -> bool:
    """True when a 外部 user's filter narrows to a district or court(s) whose row the gate hides
    in the table of all districts (courts): the page's own totals would then give that row away
    (and, through the city total, the small one it protects)."""
    if not ctx.user.protected:
        return False
    checks: list[tuple[str, object, set[object]]] = []
    if ctx.flt.district is not None:
        checks.append(("adcode", ctx.flt.with_(district=None), {ctx.flt.district}))
    if ctx.flt.courts:
        checks.append(("court_code", ctx.flt.with_(courts=()), set(ctx.flt.courts)))
    for by, flt, chosen in checks:
        rows = ctx.run(ind.summary, flt, start, end, by=by)
        shown = ind.display_table(rows, [*ind.TABLE_COLUMNS])
        gated = ctx.gated(shown, "筛选范围", table_spec(list(ind.TABLE_COLUMNS)))
        if gated is None:
            continue
        hidden_rows = gated.hidden.any(axis=1).to_numpy()
        if any(unit in chosen for unit, h in zip(rows[by], hidden_rows, strict=True) if h):
            return True
    return False


def small_numerator(ctx: Ctx, name: str, now: Mapping[str, Mapping[str, object]], key: str = "current") -> bool:
    """True when a 外部 user must not see the ratio ``name`` of period ``key`` ("current", "yoy",
    "pop" of ``ind.compare``): the count it is computed from (its numerator in the indicator
    catalogue) is small in that period (3 of 5,000)."""
    if not ctx.user.protected or ind.INDICATORS.get(name) != "ratio":
        return False
    num = ind.definition(name).num
    return any(ind.INDICATORS.get(n) == "count" and n in now
               and ctx.figure(now[n][key], "", ind.LABELS[name]) for n in num)  # type: ignore[arg-type]


def _small_stock(ctx: Ctx, now: Mapping[str, Mapping[str, object]]) -> bool:
    """True when a 外部 user must not see ratios: a 收结存 count of the period is small."""
    return any(ctx.figure(now[k]["current"], "", ind.LABELS[k]) for k in STOCK_COUNTS if k in now)  # type: ignore[arg-type]


def period_caption(start: dt.date, end: dt.date, flt_outcomes: tuple[str, ...]) -> None:
    """Which periods are compared, and the counting rules a reader must know."""
    periods = ind.comparison_periods(start, end)
    yoy, pop = periods["yoy"], periods["pop"]
    yoy_text = f"同比期间 {yoy[0]}–{yoy[1]}" if yoy else "跨度超过一年，不作同比（与上年同期重叠）"
    pop_text = f"环比期间 {pop[0]}–{pop[1]}（等长、不重叠）" if pop else "无环比期间"
    st.caption(f"{yoy_text}；{pop_text}。法院按固定顺序列示，不作排名。")
    notes = ["法定审限内结案率未扣除审限（扣除、延长审限不在数据中）",
             "超12个月未结案件比的分母为期末未结案件数（假设，见指标说明）",
             "上诉率、一审服判息诉率、一审被改判发回重审率为流量口径：本期上诉（改判发回）÷ 本期一审结案"]
    if flt_outcomes:
        notes.insert(0, "已选结案方式：只作用于结案及以结案为基础的指标；旧存、新收、期末未结、"
                        "超12个月未结为存量或收案，按全部案件统计")
    st.caption("口径说明：" + "；".join(notes) + "。")


def _metric(col: DeltaGenerator, name: str, r: Mapping[str, object], ranges: Ranges,
            ctx: Ctx | None = None, hide_ratios: bool = False, hide_change: bool = False) -> None:
    """One indicator as a metric: value, 同比 change, definition and 环比 in the help text.

    For 外部 users (``ctx.user.protected``) a small count is "<10" with no change, every other
    figure is "—" when ``hide_ratios`` (a count it is computed from is small), and shown without
    its 同比/环比 when ``hide_change`` (a count those rest on is small)."""
    if ctx is not None and ctx.user.protected:
        count = ind.INDICATORS.get(name) == "count"
        hidden = (ctx.figure(r["current"], "", ind.LABELS[name]) if count  # type: ignore[arg-type]
                  else ("—" if hide_ratios else ""))
        if hidden or hide_change or any(ctx.figure(r[k], "", ind.LABELS[name])  # type: ignore[arg-type]
                                        for k in ("yoy", "pop") if count):
            col.metric(ind.LABELS[name], hidden or ind.format_value(name, r["current"]),  # type: ignore[arg-type]
                       help=f"{ind.definition(name).help}\n\n小于 {ctx.rules.threshold} 件的数及由其计算的比率不公开。")
            return
    ok = ind.in_range(name, r["current"], ranges)  # type: ignore[arg-type]
    change = ind.format_change(name, r["yoy_diff"], r["yoy_pct"])  # type: ignore[arg-type]
    col.metric(
        ind.LABELS[name] + ("" if ok is None else (" :green[●]" if ok else " :red[▲]")),
        ind.format_value(name, r["current"]),  # type: ignore[arg-type]
        delta=change and f"{change}（同比）",
        delta_color={1: "normal", -1: "inverse"}.get(ind.DIRECTION.get(name), "off"),  # type: ignore[arg-type]
        help=f"{ind.definition(name).help}\n\n同比 {ind.format_value(name, r['yoy'])}，"  # type: ignore[arg-type]
             f"环比 {ind.format_value(name, r['pop'])}"  # type: ignore[arg-type]
             f"（{ind.format_change(name, r['pop_diff'], r['pop_pct']) or '—'}）",  # type: ignore[arg-type]
    )


def _ratio_hiding(ctx: Ctx | None, name: str, now: Mapping[str, Mapping[str, object]],
                  hide: bool) -> tuple[bool, bool]:
    """(hide the value, hide its changes) of a ratio for this user: its numerator small now, or
    in the 同比/环比 period."""
    if ctx is None or not ctx.user.protected:
        return hide, False
    return (hide or small_numerator(ctx, name, now),
            any(small_numerator(ctx, name, now, k) for k in ("yoy", "pop")))


def metrics(cmp: pd.DataFrame, ranges: Ranges, ctx: Ctx | None = None) -> None:
    """The headline metrics, then the further groups (durations, appeals, 调撤, limits)."""
    now = {r["indicator"]: r for r in cmp.to_dict("records")}
    hide = ctx is not None and ctx.user.protected and _small_stock(ctx, now)
    cols = st.columns(6)
    for i, name in enumerate(ind.HEADLINE):
        _metric(cols[i % 6], name, now[name], ranges, ctx, *_ratio_hiding(ctx, name, now, hide))
    unknown = now["limit_unknown_closed"]["current"]
    st.caption(f"法定审限内结案率：未扣除审限；审限未知 {ind.format_value('limit_unknown_closed', unknown)} 件"
               "（缺适用程序等，不计入分子分母）。期末未结为期末全部在办案件，不限立案年份。")
    for title, names in ind.DETAIL_GROUPS.items():
        st.markdown(f"**{title}**")
        cols = st.columns(6)
        for i, name in enumerate(names):
            _metric(cols[i % 6], name, now[name], ranges, ctx, *_ratio_hiding(ctx, name, now, hide))


def cohort(cmp: pd.DataFrame, ctx: Ctx | None = None) -> None:
    """The cohort-basis appeal figures, only for periods whose appeal window has closed (not
    shown to 外部 users when a 收结存 count is small: they are ratios of those cases)."""
    now = {r["indicator"]: r for r in cmp.to_dict("records")}
    if ctx is not None and ctx.user.protected and _small_stock(ctx, now):
        return
    rows = cmp.set_index("indicator").loc[list(ind.COHORT_TABLE)]
    table = pd.DataFrame({
        "指标": [ind.LABELS[k] for k in rows.index],
        **{col: [("上诉期未满" if v is None else ind.format_value(k, v)) for k, v in rows[key].items()]
           for key, col in (("current", "本期"), ("yoy", "同期(同比)"), ("pop", "上期(环比)"))},
    })
    with st.expander(f"队列口径（期末后满 {ind.COHORT_WINDOW_DAYS} 天、上诉期已满的期间才计算）"):
        st.dataframe(table, hide_index=True, key="trial_cohort")


def ranges_and_compare(ctx: Ctx, cmp: pd.DataFrame, ranges: Ranges) -> None:
    """合理区间 table and the full comparison table, with downloads."""
    left, right = st.columns([2, 3])
    with left:
        st.subheader("合理区间")
        range_rows = ind.range_table(cmp, ranges)
        if ctx.user.protected and _small_stock(ctx, {r["indicator"]: r for r in cmp.to_dict("records")}):
            range_rows = range_rows.assign(本期="—", 评价="—")  # ratios of small counts
        st.dataframe(range_rows, hide_index=True, key="trial_ranges")
        download_buttons(ctx, range_rows, ctx.file_stem("合理区间"), key="trial_dl_ranges", spec=TableSpec())
    with right, st.expander("全部指标及同比、环比"):
        full = ind.compare_table(cmp)
        if ctx.user.protected:  # one row per indicator: a small count hides its row, and ratios
            full = _gate_compare(ctx, cmp, full)
        st.dataframe(full, hide_index=True, key="trial_compare")
        download_buttons(ctx, full, ctx.file_stem("指标同比环比"), key="trial_dl_compare", spec=TableSpec())


def _gate_compare(ctx: Ctx, cmp: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    """The comparison table for 外部 users: a count below the threshold in any period is "<10"
    (its changes "—"); ratios and other figures "—" in a period whose 收结存 counts are small, and
    a ratio "—" in a period whose own numerator is small."""
    out = full.astype(object).copy()
    periods = (("current", "本期"), ("yoy", "同期(同比)"), ("pop", "上期(环比)"))
    every = {r["indicator"]: r for r in cmp.to_dict("records")}
    stock = {k: r for k, r in every.items() if k in STOCK_COUNTS}
    small_period = {key: any(ctx.figure(r[key], "", "指标同比环比") for r in stock.values()) for key, _ in periods}
    for i, r in enumerate(cmp.to_dict("records")):
        count = ind.INDICATORS[r["indicator"]] == "count"
        for key, col in periods:
            if count and ctx.figure(r[key], "", "指标同比环比"):
                out.at[i, col] = ctx.rules.hidden_label
            elif not count and (small_period[key] or small_numerator(ctx, r["indicator"], every, key)):
                out.at[i, col] = "—"
        if any(out.at[i, col] in (ctx.rules.hidden_label, "—") for _, col in periods):
            out.at[i, "同比增减"] = out.at[i, "环比增减"] = "—"
    for col in ("本期", "同期(同比)", "上期(环比)", "同比增减", "环比增减"):  # text throughout
        out[col] = ["" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
                    for v in out[col]]
    return out


def pick(state_key: str, target: str, values: list[str], field: str | None = None) -> None:
    """Selection callback: copy a clicked court (table row) or month (chart point) to a selectbox."""
    sel = st.session_state[state_key].selection
    if field is None:
        if sel.get("rows"):
            st.session_state[target] = values[sel["rows"][0]]
        return
    for points in sel.values():  # [{"月份": "2024-03"}] (or {"月份": ["2024-03"]})
        first = points[0] if isinstance(points, list) and points else points
        if got := (first.get(field) if isinstance(first, dict) else None):
            st.session_state[target] = str(got[0] if isinstance(got, list) else got)


def group_tables(ctx: Ctx, start: dt.date, end: dt.date) -> list[str]:
    """Per court (clickable) and per district tables; returns the court codes in display order."""
    courts = ctx.run(ind.summary, ctx.flt, start, end, by="court_code")
    court_codes = list(courts["court_code"])
    st.subheader("各法院（点击一行查看案件）")
    court_tbl = ind.display_table(courts, ["court_name", *ind.TABLE_COLUMNS])
    spec = numerator_gate(courts, ["court_name", *ind.TABLE_COLUMNS])
    st.dataframe(ctx.gate(court_tbl, "各法院运行情况", spec), hide_index=True, key="trial_courts",
                 on_select=lambda: pick("trial_courts", "trial_drill_court", court_codes),
                 selection_mode="single-row")
    download_buttons(ctx, court_tbl, ctx.file_stem("各法院运行情况"), key="trial_dl_courts", spec=spec)
    st.subheader("各区县")
    dists = ctx.run(ind.summary, ctx.flt, start, end, by="adcode")
    dist_tbl = ind.display_table(dists, ["district_name", *ind.TABLE_COLUMNS])
    spec = numerator_gate(dists, ["district_name", *ind.TABLE_COLUMNS])
    st.dataframe(ctx.gate(dist_tbl, "各区县运行情况", spec), hide_index=True, key="trial_districts")
    download_buttons(ctx, dist_tbl, ctx.file_stem("各区县运行情况"), key="trial_dl_districts", spec=spec)
    return court_codes


TREND_COUNTS = ["month", "filed", "closed", "pending_end"]
TREND_RATES = ["cum_closure_rate", "on_time_rate", "mediation_withdrawal_rate", "service_acceptance_rate"]


def trend(ctx: Ctx, start: dt.date, end: dt.date) -> None:
    """Monthly counts and rates (flow basis: no cohort figure is drawn as a trend); click a month."""
    st.subheader("月度趋势（点击月份查看案件）")
    rows = ctx.run(ind.monthly_trend, ctx.flt, start, end)
    table = ind.display_table(rows, [*TREND_COUNTS, *TREND_RATES])
    spec = numerator_gate(rows, [*TREND_COUNTS, *TREND_RATES])  # a month's rate hides with a small numerator
    drawn = ctx.chart_data(table, "月度趋势", spec)
    for key, series, title in (("trial_trend_n", list(table.columns[1:4]), "件数"),
                               ("trial_trend_r", list(table.columns[4:]), "%")):
        widgets.chart(charts.trial_trend, drawn, series, title, key=key,
                      on_select=lambda k=key: pick(k, "trial_drill_month", [], "月份"))
    download_buttons(ctx, table, ctx.file_stem("月度趋势"), key="trial_dl_trend", spec=spec)


@st.cache_resource(show_spinner=False)
def _cluster(master: str, cases: str) -> object:
    """One Spark session per server process, with the cluster's case table registered."""
    from analytics.engine import drill, spark_build

    spark = spark_build.session(master, "shuzhu-drilldown")
    drill.register_cases(spark, cases)
    return spark


@st.cache_data(ttl=600, show_spinner=False, max_entries=200)
def _cluster_case_list(master: str, cases: str, flt: CaseFilter, *args: object, **kwargs: object) -> pd.DataFrame:
    from analytics.engine import drill

    return drill.case_list(_cluster(master, cases), flt, *args, **kwargs)  # type: ignore[arg-type]


def case_list(ctx: Ctx, *args: object, **kwargs: object) -> pd.DataFrame:
    """The drill-down list from the engine that holds the cases: DuckDB's ``cases``, or with the
    Spark engine (``[engine] kind = "spark"`` and its ``cases``) the cluster, with a spinner."""
    s = ctx.settings
    if s.engine != "spark" or not s.spark_cases or not ctx.user.sees_case_lists:
        return ctx.run(ind.case_list, ctx.flt, *args, **kwargs)  # (refused for 外部 there)
    from analytics.engine.export import CASES_DIR

    with st.spinner("正在查询集群（Spark）中的案件… / querying the cluster"):
        return _cluster_case_list(s.spark_master, f"{s.spark_cases.rstrip('/')}/{CASES_DIR}", ctx.flt,
                                  *args, **kwargs)


def drilldown(ctx: Ctx, start: dt.date, end: dt.date, court_codes: list[str]) -> None:
    """The cases behind a court, month and status (no party information)."""
    st.subheader("案件明细")
    months = [m.strftime("%Y-%m") for m in ind.month_starts(start, end)]
    for key, allowed in (("trial_drill_court", court_codes), ("trial_drill_month", months)):
        if st.session_state.get(key) not in ["", *allowed]:
            st.session_state[key] = ""
    c1, c2, c3 = st.columns(3)
    court = c1.selectbox("法院", ["", *court_codes], key="trial_drill_court",
                         format_func=lambda c: ind.court_name(c) if c else "（请选择法院）")
    month = c2.selectbox("月份", ["", *months], key="trial_drill_month", format_func=lambda m: m or "（全部月份）")
    status = c3.selectbox("状态", ["", *ind.CASE_STATUSES], key="trial_drill_status",
                          format_func=lambda s: ind.LABELS[s] if s else "全部")
    if not (court or month):
        st.info("在上方表格中点击法院、在趋势图中点击月份，或在此选择，即可查看案件明细。")
        return
    cases = case_list(ctx, start, end, court or None, month or None, 500, status=status or None)
    st.caption(f"共显示 {len(cases)} 件（最多 500 件；不含当事人信息）")
    shown = ind.display_table(cases, ["case_no", "court_name", "procedure", "cause", "filed_date",
                                      "closed_date", "outcome", "duration_days", "intake", "status"])
    st.dataframe(shown, hide_index=True, key="trial_cases")
    if ctx.user.sees_case_lists:
        download_buttons(ctx, shown, ctx.file_stem("案件明细"), key="trial_dl_cases")


def pivot(ctx: Ctx, start: dt.date, end: dt.date) -> None:
    """The ad-hoc cross table."""
    st.subheader("自定义交叉表")
    dims = ind.PIVOT_DIMENSIONS
    p1, p2, p3, p4 = st.columns(4)
    rows = p1.selectbox("行", list(dims), key="trial_pv_rows", format_func=lambda d: dims[d][1])
    cols = p2.selectbox("列", ["", *dims], index=3, key="trial_pv_cols",
                        format_func=lambda d: dims[d][1] if d else "（无）")
    # 外部 users: counts only (sums of amounts and mean days per cell have no dominance data).
    measures = ["count"] if ctx.user.protected else list(ind.PIVOT_MEASURES)
    measure = p3.selectbox("度量", measures, key="trial_pv_measure", format_func=ind.PIVOT_MEASURES.get)
    basis = p4.selectbox("范围", list(ind.PIVOT_BASES), key="trial_pv_basis", format_func=ind.PIVOT_BASES.get)
    table = ctx.run(ind.pivot, ctx.flt, start, end, rows, cols or None, measure, basis)
    st.dataframe(ctx.gate(table, "交叉表", "crosstab"), hide_index=True, key="trial_pivot")
    download_buttons(ctx, table, ctx.file_stem("交叉表"), key="trial_dl_pivot", spec="crosstab")
