"""AppTest of pages/2_trial.py on the small synthetic store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

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
    assert len(app.metric) == 12
    assert int(metric(app, "新收").replace(",", "")) > 0
    courts = table_with(app, "法院")
    assert courts["法院"].iloc[0] == "南通中院"  # fixed order, the intermediate court first
    assert "结案率(%)" in courts.columns
    ranges = table_with(app, "合理区间")
    assert ranges["评价"].str.contains("区间").any()
    assert len(table_with(app, "区县")) > 0
    assert not [d for d in app.dataframe if "案号" in d.value.columns]  # no drill-down yet


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
