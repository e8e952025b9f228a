"""Column mapping (analytics/importer/columns.py): headers of case-management exports map to
import targets without a hand-made mapping; 收案日期 stands in for 立案日期 only when that is
missing; 立案案由/结案案由 satisfy the required cause."""

from __future__ import annotations

from analytics import importer
from tests.test_import_validate import CMS_EXPORT


def test_guess_mapping_of_a_case_management_export() -> None:
    df = importer.read_table(CMS_EXPORT.encode("utf-8"), "cms.csv")
    m = importer.guess_mapping(df.columns)
    assert m["立案日期"] == "filed_date" and m["收案日期"] == "received_date"  # 新收 on 立案日期
    assert m["立案案由"] == "cause_filed" and m["结案案由"] == "cause_closed"
    assert m["原告"] == "plaintiff_name" and m["被告"] == "defendant_name"
    assert m["被告统一社会信用代码"] == "defendant_code"
    for extra in ("序号", "案件名称", "承办人", "承办部门", "审理天数"):
        assert extra not in m
    assert importer.check_mapping(m, df.columns) == []
    # Without 立案日期, 收案日期 stands in for it.
    assert importer.guess_mapping(["案号", "收案日期", "案由"])["收案日期"] == "filed_date"


def test_cause_columns_of_an_export_satisfy_the_required_cause() -> None:
    cols = ["案号", "立案日期", "立案案由", "结案案由"]
    assert importer.check_mapping(importer.guess_mapping(cols), cols) == []
    cols = ["案号", "立案日期", "承办人"]
    problems = importer.check_mapping(importer.guess_mapping(cols), cols)
    assert len(problems) == 1 and "cause" in problems[0].en


def test_party_and_version_headers() -> None:
    m = importer.guess_mapping(["被执行人", "申请执行人", "被执行人统一社会信用代码", "导出日期", "原告行业"])
    assert m == {
        "被执行人": "defendant_name",
        "申请执行人": "plaintiff_name",
        "被执行人统一社会信用代码": "defendant_code",
        "导出日期": "modified_at",
        "原告行业": "plaintiff_industry",
    }
