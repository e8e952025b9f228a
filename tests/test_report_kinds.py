"""Report kinds beyond 审判执行运行情况: registered when their analytics exist (skipped otherwise)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest

from analytics.filters import CaseFilter
from analytics.report import KINDS, available_kinds, build_report
from analytics.store import open_store
from ui.docx_writer import write_docx


def test_registry_lists_only_importable_kinds() -> None:
    kinds = available_kinds()
    assert "trial" in kinds
    assert {k.builder for k in kinds.values()} <= {k.builder for k in KINDS}
    assert all(key == k.key for key, k in kinds.items())
    with pytest.raises(ValueError, match="unknown report kind"):
        build_report(None, "no-such-kind", CaseFilter(2025, 2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # type: ignore[arg-type]


def test_index_report(small_store: Path) -> None:
    if "index" not in available_kinds():
        pytest.skip("analytics.index is not present")
    from analytics.index.assess import assess

    con = open_store(small_store, read_only=False)  # as the app does: one configuration per file
    try:
        rep = build_report(con, "index", CaseFilter(2025, 2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        doc = docx.Document(io.BytesIO(write_docx(rep)))
        a = assess(con, 2025)
    finally:
        con.close()
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == ["一、总体情况", "二、各维度情况", "三、各项指数", "四、需要关注的问题", "五、对策建议", "附表"]
    text = next(p.text for p in doc.paragraphs if p.text.startswith("2025年，全市经济社会运行综合得分"))
    city = a.composite[a.composite["adcode"] == 0].iloc[0]
    m = re.search(r"综合得分([\d.]+)分.*上年([\d.]+)分", text)
    assert m and float(m.group(1)) == pytest.approx(city["score"], abs=0.051)
    assert float(m.group(2)) == pytest.approx(city["score_prev"], abs=0.051)
    assert len(doc.inline_shapes) == 1  # the district map
    districts = next(t for t in doc.tables if t.rows[0].cells[0].text == "区县")
    assert [r.cells[0].text for r in districts.rows[1:]][:7] == ["崇川", "通州", "海门", "海安", "如皋", "如东", "启东"]


def test_topic_reports(small_store: Path) -> None:
    kinds = [k for k in available_kinds() if k.startswith("topic:")]
    if not kinds:
        pytest.skip("no topic configuration (analytics.topics / topics/*.toml) present")
    con = open_store(small_store, read_only=False)  # as the app does: one configuration per file
    try:
        for kind in kinds:
            rep = build_report(con, kind, CaseFilter(2025, 2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            doc = docx.Document(io.BytesIO(write_docx(rep)))
            heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
            assert heads == ["一、总体情况", "二、主要特点", "三、风险提示", "四、对策建议"], kind
            table = next(t for t in doc.tables if t.rows[0].cells[0].text == "区县")
            per_district = [int(r.cells[1].text.rstrip("件").replace(",", "")) for r in table.rows[1:]]
            text = next(p.text for p in doc.paragraphs if "新收本专题案件" in p.text)
            m = re.search(r"新收本专题案件([\d,]+)件", text)
            assert m and int(m.group(1).replace(",", "")) == sum(per_district)  # the total is the districts' sum
            assert len(doc.inline_shapes) == 2
    finally:
        con.close()
