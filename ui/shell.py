"""The page shell every page calls first: store, navigation, shared filters in the URL, banner.

This is the only place that knows how filters map to widgets and to the URL; pages receive a
``Ctx`` and call analytics through ``ctx.run`` (cached across sessions with ``st.cache_data``).
What a page shows or offers for download passes the publication gate of ``Ctx`` (``gate``,
``gated``, ``figure``, ``chart_data``; ``ui.widgets.download_buttons``), which changes nothing
for 管理员/法院 and applies ``analytics.privacy`` for 外部 users, logging every suppression.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analytics import audit, store
from analytics import filters as F
from analytics.auth import LOCAL_USER, User, restrict, returns_case_rows, visible_options
from analytics.codes import COURT_BY_CODE
from analytics.privacy import (
    DisclosureRules,
    GatedFrame,
    RulesError,
    Suppression,
    TableSpec,
    gate_crosstab,
    gate_figure,
    gate_frame,
    load_rules,
)
from analytics.settings import PROJECT_ROOT, Settings, load_settings
from geodata import district_names
from ui import access, admission

T = TypeVar("T")

admission.install()  # a few page runs at a time, the rest queued (ui/admission.py)

# (script, label): the sidebar navigation, in this order. Pages not yet present are skipped.
PAGES: tuple[tuple[str, str], ...] = (
    ("app.py", "案件密度地图"),
    ("pages/2_trial.py", "审判执行运行情况"),
    ("pages/3_index.py", "经济社会运行评估"),
    ("pages/6_alerts.py", "风险预警"),
    ("pages/7_topics.py", "专题研究"),
    ("pages/8_report.py", "评估报告"),
    ("pages/4_import.py", "数据导入"),
    ("pages/5_judgments.py", "裁判文书专题"),
    ("pages/9_catalogue.py", "开放数据目录"),
    ("pages/0_meeting.py", "会议模式"),
    ("pages/10_admin.py", "系统管理"),
)

# Widget keys of the shared filters (also used by tests to drive the filters).
W_YEARS, W_CAT, W_GRP, W_CAUSE = "f_years", "f_cat", "f_grp", "f_cause"
W_COURT, W_PROC, W_OUT, W_DISTRICT = "f_court", "f_proc", "f_out", "f_district"
ALL_DISTRICTS = 0  # selectbox value for 全市 (no district selected)


def _connection(db_path: str) -> duckdb.DuckDBPyConnection:
    """The shared connection, reopened when an import swapped a new store file in.

    ``shuzhu_import.py --swap`` writes a copy of the store and renames it over the store
    (``store.write_beside``); the file's identity then differs from the one opened, and the
    next page run closes the old connection (its cursors with it), forgets cached results and
    opens the new file.
    """
    con, opened = _open(db_path)
    if store.file_identity(Path(db_path)) not in (opened, None):
        _open.clear()
        _cached.clear()
        con.close()
        con = _open(db_path)[0]
    return con


@st.cache_resource(show_spinner=False)
def _open(db_path: str) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int] | None]:
    """One DuckDB instance per store for the whole server; sessions use cursors on it.

    Also freezes what the server holds for good at this point (modules, classes, the geodata
    caches): Python's full garbage collections then skip them (with pandas, geopandas and pyarrow
    loaded a full scan cost ~80-140 ms of CPU); what a page run leaves behind is still collected.
    Streamlit's own full collection after every run is off (``runner.postScriptGC``).
    """
    identity = store.file_identity(Path(db_path))
    con = store.open_store(Path(db_path), read_only=False)
    store.harden(con)  # from here on: no file access by SQL, configuration locked
    gc.freeze()
    return con, identity


_connection.clear = _open.clear  # type: ignore[attr-defined]  # as when _connection was the cached one


@st.cache_data(show_spinner=False, max_entries=1024, ttl=6 * 3600)
def _cached(db_path: str, module: str, name: str, args: tuple, kwargs: Mapping[str, Any]) -> Any:
    """Result of analytics function ``module.name(con, *args, **kwargs)``, shared by sessions."""
    fn = getattr(importlib.import_module(module), name)
    return fn(_connection(db_path).cursor(), *args, **dict(kwargs))


# How a table is gated for 外部 users (see ``Ctx._gate_frame``).
Spec = TableSpec | str | Callable[[pd.DataFrame, DisclosureRules], GatedFrame] | None


class CaseListRefused(PermissionError):
    """A case list was asked for by a user who may see aggregates only."""

    def __init__(self, what: str) -> None:
        super().__init__(f"外部用户只能查看汇总数据，不能查看案件清单。 / Aggregates only: no case lists ({what}).")


@dataclass
class Ctx:
    """What a page needs: settings, a cursor, the filter, its options, store metadata."""

    settings: Settings
    con: duckdb.DuckDBPyConnection
    flt: F.CaseFilter
    options: F.FilterOptions
    meta: dict[str, str]
    as_of: date
    user: User = LOCAL_USER  # who is looking (ui.access; LOCAL_USER without sign-in)

    @property
    def synthetic(self) -> bool:
        """True when the store holds generated demo data."""
        return self.meta.get("dataset") == "synthetic"

    @property
    def imported_rows(self) -> int:
        """Rows written by imports (in a synthetic store: real and demo cases are mixed)."""
        return int(self.meta.get("imported_rows", "0") or 0)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call an analytics function ``fn(con, *args, **kwargs)`` through the shared cache.

        A function that returns case rows (``analytics.auth.case_rows``) gives users who may see
        aggregates only (外部) an empty list with the same columns, and the page says why; so
        neither a widget nor a hand-made URL reaches a case list.
        """
        out = _cached(str(self.settings.db_path), fn.__module__, fn.__name__, args, kwargs)
        if returns_case_rows(fn) and not self.user.sees_case_lists:
            if not isinstance(out, pd.DataFrame):
                raise CaseListRefused(fn.__name__)
            st.info(str(CaseListRefused(fn.__name__)))
            return out.iloc[0:0]  # type: ignore[return-value]
        return out

    def invalidate(self) -> None:
        """Forget cached results after the store changed (e.g. an import)."""
        _cached.clear()

    def file_stem(self, stem: str) -> str:
        """Download file name; synthetic data is marked in the name too."""
        return f"合成数据_{stem}" if self.synthetic else stem

    # --- the publication gate (外部 users): every table, figure and file passes through here ---

    @cached_property
    def rules(self) -> DisclosureRules:
        """The disclosure-control thresholds of this deployment (``[privacy]`` in shuzhu.toml;
        defaults: <10, one party 90%); read once per page run."""
        try:
            return load_rules()
        except RulesError as exc:  # a broken setting must not publish with no gate at all
            st.error(str(exc))
            st.stop()
            raise  # not reached: st.stop ends the run

    @property
    def page(self) -> str:
        """The title of the page being drawn (for the audit log)."""
        return str(st.session_state.get("_f_page", ""))

    def record(self, event: str, detail: str, n_rows: int | None = None) -> None:
        """One audit row for this user and page, with the current filter."""
        con = _connection(str(self.settings.db_path)).cursor()
        audit.record(con, self.user.name, event, page=self.page,
                     filters=self.flt.to_query_params(F.default_filter(self.options)),
                     detail=detail, n_rows=n_rows)

    def _log_suppression(self, what: str, gated: GatedFrame) -> None:
        """Record a table's suppressions once per session (not on every rerun of the page)."""
        if not gated.log and not gated.withheld:
            return
        reasons = sorted({s.reason for s in gated.log})
        detail = f"{what}: {gated.n_hidden} 格隐藏 ({', '.join(reasons)})" + (
            f"; 不发布列 {', '.join(map(str, gated.withheld))}" if gated.withheld else "")
        seen = st.session_state.setdefault("_gate_logged", set())
        sig = (self.page, detail, repr(self.flt))
        if sig in seen:
            return
        seen.add(sig)
        self.record("suppression", detail, gated.n_hidden)

    def _gate_frame(self, df: pd.DataFrame, spec: Spec) -> GatedFrame:
        """``spec``: a ``TableSpec`` (or None: inferred) for ``gate_frame``; "crosstab" for a cross
        table with 合计 row and column (``gate_crosstab``); or a gate ``f(df, rules)`` itself."""
        if callable(spec):
            return spec(df, self.rules)
        return gate_crosstab(df, self.rules) if spec == "crosstab" else gate_frame(
            df, self.rules, spec if isinstance(spec, TableSpec) else None)

    def gate(self, df: pd.DataFrame, what: str, spec: Spec = None,
             note: bool = True) -> pd.DataFrame:
        """The table as this user may see it: unchanged for 管理员/法院; for 外部 the gated table
        (counts below the threshold as "<10", secondary suppression, dependent rates "—", amount
        sums without dominance data withheld), every suppression in the audit log."""
        if not self.user.protected:
            return df
        gated = self._gate_frame(df, spec)
        self._log_suppression(what, gated)
        if note and gated.withheld:
            st.caption(f"按数据发布规则不发布：{'、'.join(map(str, gated.withheld))} / withheld by the "
                       "disclosure rules (no dominance data for these sums)")
        return gated.display

    def gated(self, df: pd.DataFrame, what: str, spec: Spec = None) -> GatedFrame | None:
        """For 外部 users the gated table with its hidden mask (charts, maps); None otherwise."""
        if not self.user.protected:
            return None
        gated = self._gate_frame(df, spec)
        self._log_suppression(what, gated)
        return gated

    def figure(self, value: float | None, text: str, what: str) -> str:
        """A headline count as shown: ``text`` unless a 外部 user would see a small count ("<10")."""
        if not self.user.protected or (hidden := gate_figure(value, self.rules)) is None:
            return text
        self._log_suppression(what, GatedFrame(pd.DataFrame([[hidden]]), pd.DataFrame([[True]]),
                                               (Suppression(what, "value", "threshold"),)))
        return hidden

    def chart_data(self, df: pd.DataFrame, what: str, spec: Spec = None) -> pd.DataFrame:
        """Figures to draw: for 外部 users hidden cells become gaps (NaN), with a note below."""
        gated = self.gated(df, what, spec)
        if gated is None or not gated.n_hidden:
            return df
        out = df.reset_index(drop=True).copy()
        for col in gated.hidden.columns:
            if gated.hidden[col].any():
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).mask(gated.hidden[col])
        st.caption(f"图中 {gated.n_hidden} 个数值少于 {self.rules.threshold} 件或可由其推算，不予显示。"
                   " / Small counts are not drawn.")
        return out



def _ensure_store(settings: Settings) -> None:
    """Build the default synthetic store on first start (with progress); stop on a bad path."""
    if settings.db_path.is_file():
        return
    if not settings.is_default_store:
        st.error(
            f"找不到配置的案件库：{settings.db_path}（请检查 SHUZHU_DB 或 shuzhu.toml）\n\n"
            f"Configured case store not found: {settings.db_path} (check SHUZHU_DB or shuzhu.toml)."
        )
        st.stop()
    from seeds.bootstrap import ensure_default_store

    bar = st.progress(0.0, text="首次启动：正在生成演示数据… / First start: generating demo data…")
    ensure_default_store(settings.db_path, lambda f, m: bar.progress(min(f, 1.0), text=m))
    bar.empty()


def _seed_widgets(flt: F.CaseFilter) -> None:
    """Put a filter into the widget state (before the widgets are drawn)."""
    values = {
        W_YEARS: (flt.year_from, flt.year_to),
        W_CAT: list(flt.categories),
        W_GRP: list(flt.cause_groups),
        W_CAUSE: list(flt.causes),
        W_COURT: list(flt.courts),
        W_PROC: list(flt.procedures),
        W_OUT: list(flt.outcomes),
        W_DISTRICT: flt.district or ALL_DISTRICTS,
    }
    for key, value in values.items():
        st.session_state[key] = value


def _prune(key: str, allowed: tuple[str, ...]) -> None:
    """Drop selections that a narrower parent choice made impossible."""
    cur = st.session_state.get(key, [])
    keep = [v for v in cur if v in allowed]
    if keep != cur:
        st.session_state[key] = keep


def _reset_filters() -> None:
    for key in (W_YEARS, W_CAT, W_GRP, W_CAUSE, W_COURT, W_PROC, W_OUT, W_DISTRICT):
        st.session_state.pop(key, None)
    for key in _SHARED_KEYS:
        st.query_params.pop(key, None)
    st.session_state["_f_reset"] = True


def _sidebar_filters(opts: F.FilterOptions, page: str) -> F.CaseFilter:
    """Render the shared filters (seeded from the URL) and return the filter they describe."""
    if st.session_state.pop("_f_reset", False):
        _seed_widgets(F.default_filter(opts))
    elif st.session_state.get("_f_page") != page:
        # A new session or a page switch: the URL is the truth. (Widgets on another page are
        # other widgets to Streamlit, so their state does not carry over by itself.)
        parsed, warnings = F.parse_query_params(st.query_params.to_dict(), opts)
        for w in warnings:
            st.warning(w)
        _seed_widgets(parsed)
    st.session_state["_f_page"] = page
    names = district_names()
    # The filters open from a button: a link opens with the headline and the map first, not eleven
    # widgets drawn before them (the browser's time: docs/pageload.md). The filter in force is
    # always shown as text under the button.
    sb = st.sidebar.popover("筛选 / Filters", width="stretch")
    if opts.year_min < opts.year_max:
        years = sb.slider("立案年度", opts.year_min, opts.year_max, key=W_YEARS)
    else:
        years = (opts.year_min, opts.year_max)
    cats = sb.multiselect("案件类别", opts.categories, key=W_CAT, placeholder="全部类别")
    groups = tuple(g for g in opts.cause_groups if not cats or set(opts.group_category.get(g, ())) & set(cats))
    _prune(W_GRP, groups)
    grps = sb.multiselect("案由/罪名（上级）", groups, key=W_GRP, placeholder="全部")
    causes = tuple(
        c for c in opts.causes
        if (not grps or opts.cause_parent.get(c) in grps)
        and (not cats or set(opts.group_category.get(opts.cause_parent.get(c, ""), ())) & set(cats))
    )
    _prune(W_CAUSE, causes)
    cause = sb.multiselect("案由/罪名", causes, key=W_CAUSE, placeholder="全部")
    court = sb.multiselect(
        "法院", opts.courts, key=W_COURT, placeholder="全部法院",
        format_func=lambda c: COURT_BY_CODE[c].short if c in COURT_BY_CODE else c,
    )
    proc = sb.multiselect("审级/程序", opts.procedures, key=W_PROC, placeholder="全部")
    out = sb.multiselect("结案方式", (*opts.outcomes, F.PENDING), key=W_OUT, placeholder="全部")
    district = sb.selectbox(
        "区县", (ALL_DISTRICTS, *opts.districts), key=W_DISTRICT,
        format_func=lambda a: "全市" if a == ALL_DISTRICTS else names.get(a, str(a)),
    )
    sb.button("恢复默认筛选", on_click=_reset_filters, key="f_reset", width="stretch")
    flt = F.CaseFilter(
        year_from=int(years[0]), year_to=int(years[1]), categories=tuple(cats),
        cause_groups=tuple(grps), causes=tuple(cause), courts=tuple(court),
        procedures=tuple(proc), outcomes=tuple(out),
        district=None if district == ALL_DISTRICTS else int(district),
    )
    _write_url(flt.to_query_params(F.default_filter(opts)), shared=True)
    st.sidebar.caption(filter_caption(flt, names))
    return flt


def filter_caption(flt: F.CaseFilter, names: Mapping[int, str]) -> str:
    """The filter in force in words, shown under the filter button: years, then what is not all."""
    years = f"{flt.year_from}年" if flt.year_from == flt.year_to else f"{flt.year_from}–{flt.year_to}年"
    return f"立案年度 {years}；" + (flt.describe(names) or "全部案件")


_SHARED_KEYS = (F.YEAR_KEY, F.DISTRICT_KEY, *F.KEYS.values())


def _write_url(params: dict[str, str], shared: bool = False, keys: tuple[str, ...] = ()) -> None:
    """Make the URL's shared (or the given page) keys equal ``params``, leaving the rest alone."""
    managed = _SHARED_KEYS if shared else keys
    for key in managed:
        want = params.get(key)
        if want is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != want:
            st.query_params[key] = want


def url_choice(label: str, choices: Mapping[str, str], url_key: str, widget_key: str,
               horizontal: bool = True) -> str:
    """A page-level radio kept in the URL (first choice is the default and is not written)."""
    values = list(choices)
    if widget_key not in st.session_state:
        raw = st.query_params.get(url_key)
        st.session_state[widget_key] = raw if raw in choices else values[0]
    value = st.radio(label, values, key=widget_key, horizontal=horizontal,
                     format_func=lambda v: choices[v])
    _write_url({} if value == values[0] else {url_key: value}, keys=(url_key,))
    return value


def url_toggle(label: str, url_key: str, widget_key: str, default: bool = False) -> bool:
    """A page-level on/off switch kept in the URL."""
    if widget_key not in st.session_state:
        raw = st.query_params.get(url_key)
        st.session_state[widget_key] = default if raw not in ("0", "1") else raw == "1"
    value = st.toggle(label, key=widget_key)
    _write_url({} if value == default else {url_key: "1" if value else "0"}, keys=(url_key,))
    return value


def select_district(adcode: int | None) -> None:
    """Callback-safe: select a district (e.g. from a map click) before widgets are drawn."""
    st.session_state[W_DISTRICT] = adcode or ALL_DISTRICTS


def _nav(flt: F.CaseFilter, opts: F.FilterOptions) -> None:
    """Sidebar links to every page, carrying the shared filters along."""
    params = flt.to_query_params(F.default_filter(opts))
    for script, label in PAGES:
        if not (PROJECT_ROOT / script).is_file():
            continue
        try:
            st.sidebar.page_link(script, label=label, query_params=params)
        except StreamlitAPIException:
            # Pages run on their own (e.g. in AppTest) have no registry of the others.
            continue


def setup_page(title: str, *, wide: bool = True, filters: bool = True) -> Ctx:
    """Configure the page and return its context; call first in every page.

    ``filters=False`` for pages the case filters do not apply to (import, judgment records): no
    filter widgets are drawn there, but the filter in the URL is kept and carried by the links.
    """
    st.set_page_config(page_title=f"{title} · 数助", page_icon="⚖️",
                       layout="wide" if wide else "centered")
    settings = load_settings()
    _ensure_store(settings)
    db = str(settings.db_path)
    user = access.current_user(_connection(db).cursor())  # stops with a sign-in form when needed
    meta = _cached(db, "analytics.store", "store_meta", (), {})
    opts = visible_options(_cached(db, "analytics.filters", "load_options", (), {}), user)
    as_of = _cached(db, "analytics.maps", "data_as_of", (), {})
    if filters:
        flt = _sidebar_filters(opts, title)
        st.sidebar.divider()
    else:
        flt = F.parse_query_params(st.query_params.to_dict(), opts)[0]
        st.session_state["_f_page"] = title
    flt = restrict(flt, user)  # the one place a user's scope enters every query
    _nav(flt, opts)
    ctx = Ctx(settings, _connection(db).cursor(), flt, opts, meta, as_of, user)
    _record_view(ctx)
    access.user_footer(ctx.con, user)
    if ctx.synthetic:
        st.sidebar.caption(
            "⚠️ 演示数据为按公开统计校准的**合成数据**，不是真实案件。"
            " / Synthetic data calibrated to public statistics, not real cases."
        )
    return ctx


def _record_view(ctx: Ctx) -> None:
    """An audit row (``view``: user, page, filters) when a signed-in user opens a page or changes
    its filters; not on the other reruns. Not in single-user local mode (nobody to account for,
    and no write to the store on every click)."""
    if ctx.user == LOCAL_USER:
        return
    key = (ctx.page, tuple(sorted(ctx.flt.to_query_params(F.default_filter(ctx.options)).items())))
    if st.session_state.get("_audit_view") != key:
        ctx.record("view", "")
        st.session_state["_audit_view"] = key


def synthetic_banner(ctx: Ctx) -> None:
    """A visible notice on the page body when the data are synthetic."""
    if ctx.synthetic:
        mixed = (f"其中 {ctx.imported_rows:,} 条为导入数据，与演示数据混合。 / includes {ctx.imported_rows:,} "
                 "imported rows mixed with demo data." if ctx.imported_rows else "")
        st.info(
            "本页数据为**合成演示数据**（按南通公开统计校准，截至 "
            f"{ctx.meta.get('as_of', '')}），不代表真实案件。 / "
            "Synthetic demo data, not real cases. " + mixed
        )
