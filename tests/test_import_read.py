"""Read step of the importer (analytics/importer/read.py): workbooks with several sheets and a
cover sheet, a title line above the header, 合计 rows, NUL bytes, UTF-16 without a BOM."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics import importer
from analytics.importer import read
from analytics.importer.errors import ImportRefused

TODAY = dt.date(2026, 1, 1)
HEADER = ["案号", "立案日期", "结案日期", "案由"]


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_sheet_with_the_header_is_read_and_a_cover_sheet_skipped() -> None:
    data = workbook(
        {
            "封面": [["南通市中级人民法院"], ["案件清单 2021年"]],
            "2021上": [HEADER, ["(2021)苏0682民初1号", "2021-03-05", None, "买卖合同纠纷"],
                       ["(2021)苏0682民初2号", "2021-03-06", None, "买卖合同纠纷"]],
            "2021下": [HEADER, ["(2021)苏0682民初3号", "2021-08-05", None, "民间借贷纠纷"]],
            "2022": [["2022年案件"], HEADER, ["(2022)苏0682民初4号", "2022-01-05", None, "民间借贷纠纷"],
                     ["(2022)苏0682民初5号", "2022-01-06", None, "民间借贷纠纷"], [None], ["合计", None, None, None]],
        }
    )
    df = importer.read_table(data, "three.xlsx")
    # 2 + 1 + 2 data rows on three sheets; the cover sheet, a blank row and the 合计 line are not rows.
    assert len(df) == 5
    assert list(df.index) == ["2021上!2", "2021上!3", "2021下!2", "2022!3", "2022!4"]
    assert df.attrs["skipped_sheets"] == ["封面"]
    assert df.attrs["sheets"] == [("2021上", 2), ("2021下", 1), ("2022", 2)]
    assert df.attrs["total_rows"] == ["2022!6"]
    s = importer.import_file(None, data, "three.xlsx", today=TODAY)
    assert s.rows == 5 and s.accepted + s.rejected == 5 and s.accepted == 5
    assert set(s.report["row"]) == set(df.index)
    notes = " ".join(n.en for n in s.notes)
    assert "3 sheets read" in notes and "skipped: 封面" in notes and "row 2022!6 is a total line" in notes


def test_a_single_sheet_keeps_plain_row_numbers() -> None:
    rows = [["南通中院案件清单"], HEADER, ["(2021)苏0682民初1号", "2021-03-05", None, "买卖合同纠纷"]]
    data = workbook({"案件": rows})
    df = importer.read_table(data, "one.xlsx")
    assert list(df.index) == [3] and df.attrs["header_row"] == 2


def test_nul_bytes_anywhere_are_removed_with_a_note_on_the_row() -> None:
    filler = "".join(f"(2021)苏0682民初{i}号,2021-03-05,,买卖合同纠纷\n" for i in range(1, 3001))  # > 64 KB
    text = "案号,立案日期,结案日期,案由\n" + filler + "(2021)苏0682民初9999号,2021-03-05,,买卖合\x00同纠纷\n"
    data = text.encode("utf-8")
    assert len(data) > 65536 and data.index(b"\x00") > 65536
    s = importer.import_file(None, data, "nul.csv", today=TODAY)
    assert s.rejected == 0
    last = s.report.iloc[-1]
    assert "control character" in last["reason_en"] and "控制字符" in last["reason_zh"]
    df = importer.read_table(data, "nul.csv")
    assert df.iloc[-1]["案由"] == "买卖合同纠纷" and df.attrs["cleaned"] == {3002: 1}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected_by_content(codec: str) -> None:
    text = "案号,立案日期,案由\n(2021)苏0682民初1号,2021-03-05,买卖合同纠纷\n"
    data = text.encode(codec)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert read.detect_encoding(data) == codec
    df = importer.read_table(data, "u16.csv")
    assert list(df.columns) == ["案号", "立案日期", "案由"] and df.iloc[0]["案由"] == "买卖合同纠纷"


def test_binary_data_is_still_refused() -> None:
    data = bytes(range(256)) * 4
    with pytest.raises(ImportRefused) as exc:
        importer.read_table(data, "x.csv")
    assert "binary" in exc.value.problem.en


def test_title_line_above_the_header_and_total_row() -> None:
    text = (
        "南通市如皋市人民法院 案件清单(导出时间 2025-01-02)\n"
        "案号,立案日期,案由\n"
        "(2021)苏0682民初1号,2021-03-05,买卖合同纠纷\n"
        "总计,1,\n"
    )
    df = importer.read_table(text.encode("utf-8"), "t.csv")
    assert df.attrs["header_row"] == 2 and list(df.index) == [3] and df.attrs["total_rows"] == [4]
