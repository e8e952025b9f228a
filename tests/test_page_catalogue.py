"""AppTest of pages/9_catalogue.py (开放数据目录) on the small synthetic store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "9_catalogue.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_lists_every_data_set_with_downloads(app: AppTest) -> None:
    assert app.title[0].value == "开放数据目录"
    overview = next(d.value for d in app.dataframe if "数据集" in d.value.columns)
    assert list(overview["数据集"]) == ["案件", "裁判文书（CAIL 格式）", "区县边界", "人口普查与区县参考数据",
                                     "政务数据", "经济社会运行评估结果"]
    assert (overview["行数"] > 0).sum() >= 5
    buttons = app.get("download_button")
    assert len(buttons) == 10  # CSV + Parquet for the 5 releasable data sets (judgments: licence)
    assert any("许可不允许再分发" in i.value for i in app.info)
    fields = [d.value for d in app.dataframe if "字段" in d.value.columns]
    assert len(fields) == 6 and "case_no" in list(fields[0]["字段"])
