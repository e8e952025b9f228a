"""AppTest of pages/2_trial.py on the small synthetic store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import indicators as ind
from analytics.filters import CaseFilter

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "2_trial.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label.startswith(label):
            return m.value
    raise AssertionError(f"no metric {label!r} in {[m.label for m in at.metric]}")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with column {column!r}"
    return frames[0]


def test_loads(app: AppTest) -> None:
    assert "审判执行运行情况" in app.title[0].value
    # 12 headline figures + the groups: 审理天数 3, 上诉与改判 4, 调撤率 3, 审限与执行 3
    assert len(app.metric) == 12 + 3 + 4 + 3 + 3
    assert int(metric(app, "新收").replace(",", "")) > 0
    courts = table_with(app, "法院")
    assert courts["法院"].iloc[0] == "南通中院"  # fixed order, the intermediate court first
    assert "结案率(%)" in courts.columns
    ranges = table_with(app, "合理区间")
    assert ranges["评价"].str.contains("区间").any()
    assert len(table_with(app, "区县")) > 0
    assert not [d for d in app.dataframe if "案号" in d.value.columns]  # no drill-down yet


def _value(text: str) -> float:
    """A metric's shown value as a number ('51.23%' -> 0.5123, '1,234' -> 1234)."""
    t = text.replace(",", "").replace(" 天", "")
    return float(t[:-1]) / 100 if t.endswith("%") else float(t)


def test_definitions_on_the_page(app: AppTest, con: duckdb.DuckDBPyConnection) -> None:
    # every metric states its definition and source (from the indicator catalogue)
    for m in app.metric:
        assert "来源" in m.help, m.label
    labels = [m.label for m in app.metric]
    assert any(lab.startswith("调撤率（民事一审）") for lab in labels)
    assert any(lab.startswith("期末未结（全部在办）") for lab in labels)
    for name in ("上诉率", "一审服判息诉率", "一审被改判发回重审率", "二审改判发回重审率", "平均执行天数（执行实施）",
                 "平均审查天数（保全）", "审限未知结案数"):
        assert any(lab.startswith(name) for lab in labels), name
    captions = " ".join(c.value for c in app.caption)
    assert "未扣除审限" in captions and "审限未知" in captions and "流量口径" in captions
    # the default view's 调撤率 is the civil first-instance figure computed by analytics
    y = app.slider(key="f_years").value
    last = ind.data_span(con)[1]
    assert last is not None
    end = min(pd.Timestamp(f"{y[1]}-12-31").date(), last)
    want = ind.summary(con, CaseFilter(y[0], y[1]), pd.Timestamp(f"{y[0]}-01-01").date(), end).iloc[0]
    assert _value(metric(app, "调撤率（民事一审）")) == pytest.approx(want["mediation_withdrawal_rate"], abs=5e-5)
    assert _value(metric(app, "上诉率")) == pytest.approx(want["appeal_rate"], abs=5e-5)
    assert 0.3 < want["mediation_withdrawal_rate"] < 0.8  # 民初: about half, not 28 % of all closed cases


def test_outcome_filter_keeps_stocks(app: AppTest) -> None:
    before = metric(app, "期末未结（全部在办）")
    app.multiselect(key="f_out").set_value(["判决"]).run()
    assert not app.exception
    assert metric(app, "期末未结（全部在办）") == before  # a stock at a date: no outcome yet
    assert any("已选结案方式" in c.value for c in app.caption)


def test_filter_changes_figures(app: AppTest) -> None:
    before = int(metric(app, "新收").replace(",", ""))
    app.multiselect(key="f_cat").set_value(["刑事"]).run()
    assert not app.exception
    after = int(metric(app, "新收").replace(",", ""))
    assert 0 < after < before


def test_drill_down_court(app: AppTest) -> None:
    box = app.selectbox(key="trial_drill_court")
    assert "崇川法院" in box.options  # formatted; the value is the court code
    box.set_value("苏0602").run()
    assert not app.exception
    cases = table_with(app, "案号")
    assert 0 < len(cases) <= 500
    assert set(cases["法院"]) == {"崇川法院"}
    assert not {"被告", "当事人", "defendant_key"} & set(cases.columns)


def test_drill_down_month_and_status(app: AppTest) -> None:
    month = app.selectbox(key="trial_drill_month").options[3]  # "YYYY-MM" (shown as is)
    app.selectbox(key="trial_drill_month").set_value(month).run()
    app.selectbox(key="trial_drill_status").set_value("closed").run()
    assert not app.exception
    cases = table_with(app, "案号")
    assert len(cases) > 0
    assert set(cases["期末状态"]) == {"本期结案"}
    assert all(d.startswith(month) for d in cases["结案日期"])


def test_pivot_controls(app: AppTest) -> None:
    pivot = table_with(app, "合计")
    assert pivot.iloc[-1, 0] == "合计"
    app.selectbox(key="trial_pv_measure").set_value("mean_days").run()
    app.selectbox(key="trial_pv_cols").set_value("").run()
    assert not app.exception
    assert "平均天数" in table_with(app, "平均天数").columns



@pytest.mark.parametrize(
    ("key", "kind", "value"),
    [
        ("f_years", "slider", (2019, 2021)),
        ("f_cat", "multiselect", ["执行"]),
        ("f_grp", "multiselect", ["婚姻家庭、继承纠纷"]),
        ("f_cause", "multiselect", ["盗窃罪"]),
        ("f_court", "multiselect", ["苏0623"]),
        ("f_proc", "multiselect", ["一审"]),
        ("f_out", "multiselect", ["判决"]),
        ("f_district", "selectbox", 320681),
    ],
)
def test_every_shared_filter_changes_the_indicators(app: AppTest, key: str, kind: str, value: object) -> None:
    before = [m.value for m in app.metric]
    getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception, app.exception
    assert [m.value for m in app.metric] != before


def test_trend_charts_are_clickable_by_month(app: AppTest) -> None:
    # drawn from a spec cached across sessions (ui.widgets.chart), still keyed and selectable:
    # a click on a month reaches the drill-down (pick -> trial_drill_month)
    found = {}

    def walk(node: object) -> None:
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            walk(child)
        if getattr(node, "type", None) == "vega_lite_chart":
            proto = node.proto  # type: ignore[attr-defined]
            found[proto.id.rsplit("-", 1)[-1]] = (list(proto.selection_mode), proto.spec)

    walk(app._tree)
    assert set(found) == {"trial_trend_n", "trial_trend_r"}
    for modes, spec in found.values():
        params = json.loads(spec)["params"]
        assert modes == ["month"] and params[0]["name"] == "month" and params[0]["select"]["fields"] == ["月份"]
