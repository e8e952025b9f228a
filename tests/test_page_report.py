"""AppTest of pages/8_report.py on the small synthetic store."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "8_report.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["cat"] = "民事"  # the filter comes from the URL
    at.run()
    assert not at.exception, at.exception
    return at


def test_generate_and_download(app: AppTest) -> None:
    assert app.title[0].value == "评估报告"
    assert app.selectbox(key="rep_kind").value == "trial"
    assert not app.get("download_button")  # nothing generated yet
    assert any("民事" in c.value for c in app.caption)  # the URL's filter is the report's scope
    app.button(key="rep_go").click().run()
    assert not app.exception, app.exception
    buttons = app.get("download_button")
    assert len(buttons) == 1
    assert "下载报告" in buttons[0].proto.label


def test_generated_file_is_the_filtered_report(app: AppTest) -> None:
    app.toggle(key="rep_brief").set_value(True).run()
    app.button(key="rep_go").click().run()
    assert not app.exception
    (request, name, data), = [app.session_state["rep_file"]]
    assert name.endswith(".docx") and name.startswith("合成数据_")
    assert request[3] is True and request[4].categories == ("民事",)
    doc = docx.Document(io.BytesIO(data))
    assert doc.paragraphs[0].text == "南通法院审判执行运行情况简报"
    assert len(doc.inline_shapes) == 5


def test_changed_choice_asks_to_regenerate(app: AppTest) -> None:
    app.button(key="rep_go").click().run()
    app.toggle(key="rep_brief").set_value(True).run()
    assert not app.get("download_button")
    assert any("请重新生成" in c.value for c in app.caption)


def test_other_kinds_are_offered_and_generate(app: AppTest) -> None:
    from analytics.report import available_kinds

    box = app.selectbox(key="rep_kind")
    assert box.options[0] == "审判执行运行情况"  # formatted labels; trial first
    topic = next((k for k in available_kinds() if k.startswith("topic:")), None)
    if topic is None:
        pytest.skip("no topic kinds present")
    box.set_value(topic).run()
    app.button(key="rep_go").click().run()
    assert not app.exception, app.exception
    assert app.selectbox(key="rep_kind").value == topic
    assert len(app.get("download_button")) == 1
    _request, name, data = app.session_state["rep_file"]
    assert "专题报告" in name
    assert docx.Document(io.BytesIO(data)).paragraphs  # a readable document
