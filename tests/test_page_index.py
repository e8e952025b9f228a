"""AppTest of pages/3_index.py (经济社会运行评估) on the small synthetic store."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "3_index.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_loads_with_ranks_and_details(app: AppTest) -> None:
    assert "经济社会运行评估" in app.title[0].value
    labels = [m.label for m in app.metric]
    assert "全市综合指数" in labels
    detail = next(d.value for d in app.dataframe if "指数" in d.value.columns and "区县" in d.value.columns)
    assert len(detail) == 15 * 7  # every index for every district
    ranks = next(d.value for d in app.dataframe if "5–95%排名区间" in d.value.columns)
    assert len(ranks) == 7


def test_measure_and_weights_in_url(app: AppTest) -> None:
    app.radio(key="ix_measure").set_value("traffic").run()
    app.radio(key="ix_weights").set_value("entropy").run()
    assert not app.exception
    assert app.query_params.get("ix") == ["traffic"] or app.query_params.get("ix") == "traffic"
    weights = next(d.value for d in app.dataframe if "维度内权重" in d.value.columns)
    assert abs(weights["维度内权重"].sum() - 4.0) < 1e-3  # each of the 4 dimensions sums to 1 (4 decimals shown)


def test_year_from_shared_filter(app: AppTest) -> None:
    app.slider(key="f_years").set_value((2020, 2022)).run()
    assert not app.exception
    assert "2022年" in app.title[0].value


def test_drill_down_link_carries_filter(app: AppTest) -> None:
    app.selectbox(key="ix_drill").set_value("yangtze").run()
    app.selectbox(key="ix_drill_d").set_value(320682).run()
    assert not app.exception
    links = [m.value for m in app.markdown if "./trial?" in m.value]
    assert links
    query = links[0].split("./trial?")[1].split(")")[0]
    params = parse_qs(query)
    assert params["cause"] == ["非法捕捞水产品罪"]
    assert params["d"] == ["320682"]
    assert params["proc"] == ["一审"]


def test_first_data_year_has_no_yoy_but_renders(app: AppTest) -> None:
    # 2016: no earlier year for goalposts (the first 3 years are used) and none for 同比
    app.slider(key="f_years").set_value((2016, 2016)).run()
    assert not app.exception, app.exception
    city = next(m for m in app.metric if m.label == "全市综合指数")
    assert city.delta is None or city.delta == ""
