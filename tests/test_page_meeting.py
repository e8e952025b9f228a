"""AppTest of the meeting mode page (pages/0_meeting.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import maps
from analytics.filters import CaseFilter

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "0_meeting.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["y"] = "2024"
    at.query_params["yr"] = "2023"
    return at.run()


def test_map_slide_shows_the_year_of_the_link_with_its_figures(app: AppTest, small_store: Path) -> None:
    assert not app.exception
    assert app.title[0].value.endswith("案件分布")
    from ui.shell import _connection  # the app's own connection (one per store and process)

    con = _connection(str(small_store)).cursor()
    head = maps.headline(con, CaseFilter(2023, 2023), maps.data_as_of(con))
    values = {m.label: m.value for m in app.metric}
    assert values["新收案件"] == f"{head.cases:,}"  # the year from the link (yr=2023), all cases
    assert any("2023年" in md.value for md in app.markdown)


def test_next_slide_shows_the_trial_indicators(app: AppTest) -> None:
    app.button(key="mt_next").click().run()
    assert not app.exception
    assert app.query_params["s"] in ("1", ["1"])
    assert app.title[0].value.endswith("审判执行")
    assert len(app.metric) == 6
    assert app.button(key="mt_prev").disabled is False
