"""AppTest of pages/4_import.py and pages/5_judgments.py, and the import command line on the
bad-input corpus; each test works on its own copy of the small synthetic store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import judgments, store

ROOT = Path(__file__).resolve().parent.parent
IMPORT_PAGE = str(ROOT / "pages" / "4_import.py")
JUDGMENTS_PAGE = str(ROOT / "pages" / "5_judgments.py")
BAD = ROOT / "tests" / "bad_inputs"

CSV = (
    "案号,立案日期,结案日期,案由,结案方式,标的额\n"
    "(2023)苏0682民初990001号,2023-03-05,2023-04-01,买卖合同纠纷,判决,12000\n"
    "(2023)苏0612民初990002号,2023/3/6,,民间借贷纠纷,,5000\n"
    "(2023)苏0612民初990003号,2023-02-30,,民间借贷纠纷,,5000\n"
)


@pytest.fixture
def db(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the small store, configured as the app's store."""
    path = tmp_path / "store.duckdb"
    shutil.copy(small_store, path)
    monkeypatch.setenv("SHUZHU_DB", str(path))
    return path


def count(db: Path, where: str = "TRUE") -> int:
    con = store.open_store(db, read_only=False)  # same configuration as the app's connection
    try:
        return con.execute(f"SELECT count(*) FROM cases WHERE {where}").fetchone()[0]
    finally:
        con.close()


def frame_with(at: AppTest, column: str):
    """The first table shown with this column (plain st.dataframe has no key in AppTest)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with column {column!r}"
    return frames[0]


def page(path: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_import_page_renders(db: Path) -> None:
    at = page(IMPORT_PAGE)
    assert at.title[0].value == "数据导入"
    assert at.file_uploader(key="imp_file") is not None
    assert any("请上传" in i.value for i in at.info)


def test_import_page_validate_then_load(db: Path) -> None:
    before = count(db)
    at = page(IMPORT_PAGE)
    at.file_uploader(key="imp_file").set_value(("清单.csv", CSV.encode("gbk"), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("GBK" in c.value for c in at.caption)
    at.button(key="imp_validate").click().run()
    assert not at.exception, at.exception
    report = frame_with(at, "状态 status")
    assert len(report) == 3
    assert report["状态 status"].tolist() == ["接受 accepted", "接受 accepted", "拒绝 rejected"]
    assert count(db) == before  # validation writes nothing
    at.button(key="imp_confirm").click().run()
    assert not at.exception, at.exception
    assert any("import done" in s.value for s in at.success)
    assert count(db) == before + 2
    assert count(db, "case_no LIKE '%99000_号' AND source = 'import'") == 2


def test_import_page_shows_why_a_file_is_refused(db: Path) -> None:
    at = page(IMPORT_PAGE)
    at.file_uploader(key="imp_file").set_value(("bin.csv", (BAD / "binary_garbage.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert any("binary" in e.value and "二进制" in e.value for e in at.error)


def test_cli_imports_a_corpus_file(db: Path, tmp_path: Path) -> None:
    # The file's one valid row is (2021)苏0682民初26号; the synthetic store may hold that number,
    # so remove it first: the expected counts then follow from the file alone.
    con = store.open_store(db, read_only=False)
    try:
        con.execute("DELETE FROM cases WHERE case_no = '(2021)苏0682民初26号'")
    finally:
        con.close()
    before = count(db)
    report = tmp_path / "report.csv"
    cmd = [sys.executable, str(ROOT / "shuzhu_import.py"), str(BAD / "bad_dates.csv"), "--db", str(db)]
    done = subprocess.run([*cmd, "--report", str(report)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "import done; 6 rows: 1 accepted" in done.stdout and "no such date" in done.stdout
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel/WPS
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 7  # header + every row of the file
    assert count(db) == before + 1
    assert count(db, "case_no = '(2021)苏0682民初26号' AND source = 'import'") == 1
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    assert again.returncode == 0 and "0 new, 0 replaced, 1 unchanged" in again.stdout
    assert count(db) == before + 1


def test_cli_exit_codes(db: Path, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "shuzhu_import.py"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )

    refused = cli(str(BAD / "empty.csv"), "--db", str(db))
    assert refused.returncode == 1 and "the file is empty" in refused.stdout
    before = count(db)
    mapping = tmp_path / "m.json"
    dry = cli(str(BAD / "semicolon_delimiter.csv"), "--db", str(db), "--dry-run", "--save-mapping", str(mapping))
    assert dry.returncode == 0 and "validated only" in dry.stdout
    assert count(db) == before
    assert json.loads(mapping.read_text(encoding="utf-8"))["mapping"]["案号"] == "case_no"
    assert cli(str(BAD / "empty.csv"), "--db", str(tmp_path / "missing.duckdb")).returncode == 2


def _jsonl() -> bytes:
    rec = {
        "fact": "江苏省南通市崇川区人民检察院指控，2016年3月，被告人在南通市崇川区某路盗窃。",
        "meta": {
            "relevant_articles": [264],
            "accusation": ["盗窃"],
            "punish_of_money": 1000,
            "criminals": ["张某"],
            "term_of_imprisonment": {"death_penalty": False, "imprisonment": 6, "life_imprisonment": False},
        },
    }
    return (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")


def test_judgments_page_without_records(db: Path) -> None:
    at = page(JUDGMENTS_PAGE)
    assert at.title[0].value == "裁判文书专题"
    assert any("还没有裁判文书" in i.value for i in at.info)


def test_judgments_page_with_records(db: Path) -> None:
    judgments.import_into(db, _jsonl())
    at = page(JUDGMENTS_PAGE)
    prov = frame_with(at, "省份")
    assert prov["省份"].tolist() == ["江苏省"] and prov["记录数"].tolist() == [1]
    assert frame_with(at, "城市")["城市"].tolist() == ["南通市"]
    stats = frame_with(at, "罪名")
    assert stats["罪名"].tolist() == ["盗窃"] and stats["平均刑期(月)"].tolist() == [6.0]
    at.selectbox(key="jdg_charge").set_value("盗窃").run()
    assert not at.exception, at.exception


def test_judgments_page_upload(db: Path) -> None:
    at = page(JUDGMENTS_PAGE)
    at.file_uploader(key="jdg_file").set_value(("cail.jsonl", _jsonl(), "application/json")).run()
    at.button(key="jdg_import").click().run()
    assert not at.exception, at.exception
    assert any("1 added" in s.value for s in at.success)
    assert frame_with(at, "罪名")["记录数"].tolist() == [1]


def _decks(at: AppTest) -> dict[str, dict]:
    """The page's pydeck maps by their region layer's first feature name (province or city)."""
    out = {}
    for el in at.get("deck_gl_json_chart"):
        spec = json.loads(el.proto.json)
        spec["tooltip"] = json.loads(el.proto.tooltip)  # sent beside the deck JSON
        regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
        out["province" if len(regions["data"]["features"]) == 34 else "city"] = spec
    return out


def _regions(spec: dict) -> dict[str, dict]:
    regions = next(layer for layer in spec["layers"] if layer["id"] == "regions")
    return {f["properties"]["name"]: f["properties"] for f in regions["data"]["features"]}


def test_judgments_page_maps_follow_the_charge(db: Path) -> None:
    beijing = {
        "fact": "北京市海淀区人民检察院指控，2015年5月，被告人在北京市海淀区某小区诈骗他人财物。",
        "meta": {
            "relevant_articles": [266],
            "accusation": ["诈骗"],
            "punish_of_money": 2000,
            "criminals": ["李某"],
            "term_of_imprisonment": {"death_penalty": False, "imprisonment": 12, "life_imprisonment": False},
        },
    }
    judgments.import_into(db, _jsonl() + (json.dumps(beijing, ensure_ascii=False) + "\n").encode("utf-8"))
    at = page(JUDGMENTS_PAGE)
    decks = _decks(at)
    assert set(decks) == {"province", "city"}
    for spec in decks.values():
        assert spec["mapStyle"] == "app/static/blank-style.json"  # no public basemap or tiles
        ids = [layer["id"] for layer in spec["layers"]]
        assert ids.index("regions") < ids.index("region_labels") == len(ids) - 1
    prov = _regions(decks["province"])
    assert len(prov) == 34
    assert prov["江苏省"]["records"] == 1 and prov["北京市"]["records"] == 1
    assert prov["江苏省"]["fill"][:3] != [214, 218, 223]  # coloured
    assert prov["浙江省"]["records"] == 0 and prov["浙江省"]["fill"][:3] == [214, 218, 223]  # grey
    assert prov["江苏省"]["tip"].startswith("1 条记录") and prov["浙江省"]["tip"] == "无记录"
    assert decks["province"]["tooltip"]["html"] == "<b>{name}</b><br/>{tip}"
    labels = next(layer for layer in decks["province"]["layers"] if layer["id"] == "region_labels")
    texts = [row["t"] for row in labels["data"]]
    assert "江苏" in texts and "北京" in texts and 25 <= len(texts) < 34  # overlapping ones thinned
    city = _regions(decks["city"])
    assert len(city) == 13 and city["南通市"]["records"] == 1 and city["南京市"]["records"] == 0

    at.selectbox(key="jdg_charge").set_value("诈骗").run()
    assert not at.exception, at.exception
    decks = _decks(at)
    prov = _regions(decks["province"])
    assert prov["北京市"]["records"] == 1 and prov["江苏省"]["records"] == 0
    assert "city" not in decks  # no Jiangsu record for this charge: a note instead of a map
    assert any("江苏省没有记录" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["4_import.py", "5_judgments.py"])
def test_pages_without_case_filters_keep_the_url_filter(
    small_store: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / page), default_timeout=60)
    at.query_params["cat"] = "刑事"
    at.run()
    assert not at.exception
    assert all(m.key != "f_cat" for m in at.multiselect)  # no case filters drawn here
    assert "刑事" in str(at.query_params.get("cat"))  # but the shared view stays in the URL


def test_import_page_reads_every_sheet_and_keeps_unplaced_intermediate_cases(db: Path) -> None:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.append(["南通市中级人民法院 案件清单"])
    header = ["案号", "立案日期", "结案日期", "案由"]
    for name, rows in (
        ("上半年", [["(2023)苏06民终990401号", "2023-03-05", None, "买卖合同纠纷"]]),
        ("下半年", [["(2023)苏06民初990402号", "2023-08-05", None, "股权转让纠纷"],
                    ["(2023)苏06民终990403号", "2023-09-05", None, "民间借代纠纷"]]),
    ):
        ws = wb.create_sheet(name)
        ws.append(header)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    before = count(db)
    at = page(IMPORT_PAGE)
    at.file_uploader(key="imp_file").set_value(("中院.xlsx", buf.getvalue(), "application/vnd.ms-excel")).run()
    assert not at.exception, at.exception
    at.button(key="imp_validate").click().run()
    assert not at.exception, at.exception
    report = frame_with(at, "状态 status")
    # Three rows on two sheets (the cover sheet skipped); the typo cause is rejected with a suggestion.
    assert report["行号 row"].tolist() == ["上半年!2", "下半年!2", "下半年!3"]
    assert report["状态 status"].tolist() == ["已更正 corrected", "已更正 corrected", "拒绝 rejected"]
    assert "民间借贷纠纷" in report["reason"].iloc[2]
    assert any("2 sheets read" in c.value for c in at.caption)
    at.button(key="imp_confirm").click().run()
    assert not at.exception, at.exception
    assert count(db) == before + 2
    assert count(db, "case_no = '(2023)苏06民终990401号' AND adcode = 320600") == 1
