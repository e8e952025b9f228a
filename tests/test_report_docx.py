"""The 审判执行运行情况 report as a .docx, opened with python-docx: structure, numbers, tables,
images, fonts; the one-page brief; an empty selection."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from analytics import indicators as ind
from analytics.filters import CaseFilter
from analytics.report import available_kinds, build_report
from analytics.store import open_store
from ui.docx_writer import write_docx

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
ISSUED = dt.date(2026, 1, 10)


@pytest.fixture(scope="module")
def store_con(small_store: Path):
    c = open_store(small_store, read_only=False)  # as the app does: one configuration per file
    yield c
    c.close()


def _doc(con, flt: CaseFilter, brief: bool = False) -> docx.document.Document:
    rep = build_report(con, "trial", flt, START, END, brief=brief, issued=ISSUED)
    return docx.Document(io.BytesIO(write_docx(rep)))


@pytest.fixture(scope="module")
def full(store_con) -> docx.document.Document:
    return _doc(store_con, CaseFilter(2025, 2025))


@pytest.fixture(scope="module")
def cmp(store_con):
    """The page's comparison table for the same filter and period: the oracle for the text."""
    got = ind.compare(store_con, CaseFilter(2025, 2025), START, END)
    return {r["indicator"]: r for r in got.to_dict("records")}


def _styled(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_trial_kind_is_registered() -> None:
    assert available_kinds()["trial"].label == "审判执行运行情况"


def test_headings_in_order(full) -> None:
    assert _styled(full, "Heading 1") == ["一、总体情况", "二、主要特点", "三、存在问题", "四、对策建议", "附表"]
    assert _styled(full, "Heading 2") == ["（一）案件结构", "（二）各法院收结案情况", "（三）区域分布",
                                          "（四）月度走势"]
    texts = [p.text for p in full.paragraphs]
    # title page before the contents, contents before the first heading
    assert texts.index("内部资料") < texts.index("南通法院审判执行运行情况评估报告") < texts.index("目录") \
        < texts.index("一、总体情况")
    assert "2026年1月10日" in texts
    assert any("合成演示数据" in t for t in texts)  # the small store is synthetic


def test_contents_and_page_number_fields(full) -> None:
    instr = [el.text for el in full.element.body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instr)
    footer = full.sections[0].footer._element
    assert any(el.text.strip() == "PAGE" for el in footer.iter(qn("w:instrText")))
    sec = full.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)  # A4


def _overview(doc) -> str:
    texts = [p.text for p in doc.paragraphs]
    i = texts.index("一、总体情况")
    return "".join(texts[i + 1:i + 3])


def _pct_change(cur: float, base: float) -> float:
    return (cur - base) / base * 100


def test_overview_numbers_equal_the_analytics(full, cmp) -> None:
    text = _overview(full)
    assert "nan" not in text and "None" not in text
    assert text.startswith("2025年，全市法院新收案件")
    rest = text.replace("2025年", "", 1)
    for words, name in (("新收案件", "filed"), ("结案", "closed"), ("期末未结案件", "pending_end")):
        m = re.search(words + r"([\d,]+)件，同比(上升|下降)([\d.]+)%", rest)
        assert m, (words, text)
        assert int(m.group(1).replace(",", "")) == int(cmp[name]["current"])
        change = _pct_change(cmp[name]["current"], cmp[name]["yoy"])
        assert m.group(2) == ("上升" if change > 0 else "下降")
        assert float(m.group(3)) == pytest.approx(abs(change), abs=0.051)
        rest = rest.replace(m.group(0), "", 1)
    for name in ("closure_rate", "clearance_ratio", "on_time_rate", "mediation_withdrawal_rate",
                 "service_acceptance_rate", "recovery_rate"):
        label = ind.LABELS[name]
        m = re.search(re.escape(label) + r"([\d.]+)%，同比(上升|下降)([\d.]+)个百分点", rest)
        assert m, (label, text)
        assert float(m.group(1)) == pytest.approx(cmp[name]["current"] * 100, abs=0.0051)
        points = (cmp[name]["current"] - cmp[name]["yoy"]) * 100
        assert m.group(2) == ("上升" if points > 0 else "下降")
        assert float(m.group(3)) == pytest.approx(abs(points), abs=0.0051)
        rest = rest.replace(m.group(0), "", 1)
    m = re.search(re.escape(ind.LABELS["mean_days"]) + r"([\d.,]+)天，同比(上升|下降)([\d.]+)%", rest)
    assert m and float(m.group(1).replace(",", "")) == pytest.approx(cmp["mean_days"]["current"], abs=0.051)
    change = _pct_change(cmp["mean_days"]["current"], cmp["mean_days"]["yoy"])
    assert float(m.group(3)) == pytest.approx(abs(change), abs=0.051)
    rest = rest.replace(m.group(0), "", 1)
    # every number in the paragraph was checked above (labels such as 12个月 contain none here)
    assert not re.search(r"\d", rest), rest


def _table(doc, header0: str, header1: str):
    for t in doc.tables:
        cells = [c.text for c in t.rows[0].cells]
        if cells[0] == header0 and cells[1] == header1:
            return t
    raise AssertionError(f"no table starting {header0}, {header1}")


def test_tables_have_the_expected_rows(full, store_con) -> None:
    headline = _table(full, "指标", "本期")
    assert [r.cells[0].text for r in headline.rows[1:]] == [ind.LABELS[n] for n in ind.HEADLINE]
    courts = ind.summary(store_con, CaseFilter(2025, 2025), START, END, by="court_code")
    court_tbl = _table(full, "法院", "新收")
    assert [r.cells[0].text for r in court_tbl.rows[1:]] == list(courts["court_name"])
    assert court_tbl.rows[1].cells[0].text == "南通中院"  # fixed order, never ranked
    filed = [int(r.cells[1].text.rstrip("件").replace(",", "")) for r in court_tbl.rows[1:]]
    assert filed == [int(v) for v in courts["filed"]]
    districts = _table(full, "区县", "新收")
    names = [r.cells[0].text for r in districts.rows[1:]]
    assert names[:7] == ["崇川", "通州", "海门", "海安", "如皋", "如东", "启东"]
    definitions = _table(full, "指标", "定义及口径")
    defined = [r.cells[0].text for r in definitions.rows[1:]]
    for name in ("filed", "closed", "closure_rate", "on_time_rate"):
        assert ind.LABELS[name] in defined
    assert all(r.cells[1].text.strip() not in ("", "—") for r in definitions.rows[1:])


def _png_size(blob: bytes) -> tuple[int, int]:
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", blob[16:24])


def test_images_embedded_at_print_resolution(full) -> None:
    shapes = list(full.inline_shapes)
    assert len(shapes) == 3  # monthly trend, causes, district map
    for shape in shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blob = full.part.related_parts[rid].blob
        width_px, height_px = _png_size(blob)
        assert len(blob) > 10_000 and height_px > 100
        assert width_px / (shape.width / 914400) >= 200  # EMU per inch: pixels per inch ≥ 200


def _runs(doc):
    for p in doc.paragraphs:
        yield from p.runs
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    yield from p.runs


def test_east_asian_fonts_set(full) -> None:
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Caption", "Table Grid"):
        rfonts = full.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), name
    texts = [r for r in _runs(full) if r.text.strip()]
    assert texts
    for run in texts:
        rfonts = run._r.rPr.find(qn("w:rFonts"))
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), run.text


def test_brief_is_four_figures_and_a_map(store_con) -> None:
    doc = _doc(store_con, CaseFilter(2025, 2025), brief=True)
    assert len(doc.inline_shapes) == 5
    assert doc.paragraphs[0].text == "南通法院审判执行运行情况简报"
    assert not _styled(doc, "Heading 1")  # no title page, contents or sections
    grid = doc.tables[0]
    captions = [c.paragraphs[0].text for row in grid.rows for c in row.cells]
    assert "各区县每万人新收案件数" in captions and "主要指标" in captions


def test_filtered_report_says_its_scope(store_con) -> None:
    doc = _doc(store_con, CaseFilter(2025, 2025, courts=("苏0682",), categories=("民事",)))
    texts = [p.text for p in doc.paragraphs]
    assert "如皋市人民法院" in texts
    assert any(t.startswith("统计范围：") and "民事" in t for t in texts)
    assert _overview(doc).startswith("2025年，如皋法院新收案件")


def test_empty_selection_gives_a_short_report(store_con) -> None:
    # 买卖合同纠纷 is a civil cause: with category 刑事 nothing is selected
    flt = CaseFilter(2025, 2025, categories=("刑事",), causes=("买卖合同纠纷",))
    doc = _doc(store_con, flt)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "没有案件" in text
    assert len(doc.inline_shapes) == 0
    assert "nan" not in text and "None" not in text
    brief = _doc(store_con, flt, brief=True)
    assert "没有案件" in "\n".join(p.text for p in brief.paragraphs)


def test_multi_year_period_compares_consistently(store_con) -> None:
    # compare() may leave 同比 out for a span longer than a year (then 环比 is drafted); either
    # way the words in the text follow the periods compare() reports.
    start, end = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
    flt = CaseFilter(2023, 2025)
    periods = ind.compare(store_con, flt, start, end).attrs["periods"]
    rep = build_report(store_con, "trial", flt, start, end, issued=ISSUED)
    doc = docx.Document(io.BytesIO(write_docx(rep)))
    text = _overview(doc)
    assert text.startswith("2023-2025年，全市法院新收案件")
    word = "环比" if periods.get("yoy") is None else "同比"
    assert re.search(r"新收案件[\d,]+件，" + word + "(上升|下降|持平)", text), text


def test_problems_list_the_active_alerts_when_early_warning_exists(full, store_con) -> None:
    from analytics.report.model import ReportRequest
    from analytics.report.trial import active_alerts

    def direct(fn, *args, **kwargs):
        return fn(store_con, *args, **kwargs)

    alerts = active_alerts(ReportRequest("trial", CaseFilter(2025, 2025), START, END), direct)
    if alerts is None:
        pytest.skip("the early-warning module (analytics.alerts) is not present")
    texts = [p.text for p in full.paragraphs]
    section = texts[texts.index("三、存在问题"):texts.index("四、对策建议")]
    said = [t for t in section if t.startswith("风险预警方面")]
    assert len(said) == 1
    if alerts.empty:
        assert "没有触发预警" in said[0]
    else:
        assert f"共有{len(alerts)}条预警" in said[0]
        table = _table(full, "类型", "区县")
        assert [r.cells[2].text for r in table.rows[1:]] == list(alerts["sentence"].head(10))
