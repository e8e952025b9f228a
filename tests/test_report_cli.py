"""The report command line: a good run writes a .docx; bad arguments exit 2 with a bilingual message."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

import shuzhu_report


@pytest.fixture
def db(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    return small_store


def test_writes_a_filtered_report(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "report.docx"
    code = shuzhu_report.main(["--kind", "trial", "--from", "2025-01-01", "--to", "2025-12-31",
                               "--court", "苏0682", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    doc = docx.Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert "如皋市人民法院" in texts  # the court on the title page
    assert any(t.startswith("2025年，如皋法院新收案件") for t in texts)


def test_brief_and_url_query(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.docx"
    code = shuzhu_report.main(["--from", "2025-01-01", "--to", "2025-06-30", "--query", "cat=民事&d=320682",
                               "--brief", "--out", str(out)])
    assert code == 0
    doc = docx.Document(io.BytesIO(out.read_bytes()))
    assert doc.paragraphs[0].text == "南通法院审判执行运行情况简报"
    assert any("2025年1-6月" in p.text for p in doc.paragraphs)
    assert any(p.text.startswith("2025年1-6月，全市法院受理的如皋案件中，新收案件") for p in doc.paragraphs)


@pytest.mark.parametrize("argv, zh", [
    (["--from", "2025-13-01"], "日期无效"),
    (["--from", "2025-06-01", "--to", "2025-01-31"], "晚于"),
    (["--court", "苏9999"], "未知的筛选值"),
    (["--district", "123"], "未知的区县代码"),
    (["--kind", "nonsense"], "未知的报告类型"),
    (["--from", "1990-01-01", "--to", "1990-12-31"], "超出数据范围"),
])
def test_bad_arguments(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                       zh: str) -> None:
    out = tmp_path / "x.docx"
    assert shuzhu_report.main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert zh in err and "error:" in err
    assert not out.exists()


def test_usage_errors_are_bilingual(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        shuzhu_report.main(["--kind", "trial"])  # --out missing
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "参数无效" in err and "invalid arguments" in err


def test_missing_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SHUZHU_DB", str(tmp_path / "absent.duckdb"))
    assert shuzhu_report.main(["--out", str(tmp_path / "r.docx")]) == 2
    assert "找不到案件库" in capsys.readouterr().err
