"""Government data: shipped values, denominators and the validated, atomic import."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import govdata
from geodata import DISTRICT_ADCODES

TODAY = date(2026, 6, 1)
GOOD_AND_BAD = (
    "区县,年份,指标,数值,单位,来源,可信度\n"
    "320613,2024,enterprises,52000,户,南通市市场监管局 2024,high\n"      # 2 accepted
    "如皋市,2024,enterprises,3.1,万户,如皋统计年鉴 2025,中\n"             # 3 corrected: 万户 -> 户
    "320699,2024,enterprises,100,户,x,high\n"                            # 4 unknown district
    "320612,1990,enterprises,100,户,x,high\n"                            # 5 year out of range
    "320612,2024,enterprises,很多,户,x,high\n"                           # 6 not a number
    "320613,2024,enterprises,53000,户,another,high\n"                    # 7 duplicate of row 2
    "320614,2024,enterprises,100,户,,high\n"                             # 8 source missing
    "320614,2024,gdp_per_dog,100,户,x,high\n"                            # 9 unknown indicator
    "320623,2024,population,87,万人,如东统计公报,\n"                      # 10 corrected: unit and confidence
)


def test_shipped_values_have_sources_and_add_up() -> None:
    df = govdata.shipped()
    assert df["source"].str.len().min() > 0
    assert set(df["confidence"]) <= {"high", "medium", "low"}
    census = df[(df["indicator"] == "population_census") & (df["year"] == 2020)]
    assert sorted(census["adcode"]) == sorted(DISTRICT_ADCODES)
    assert census["value"].sum() == 7_726_635  # the bulletin's city total (崇川 incl. 开发区)
    assert not (df["indicator"] == "enterprises").any()  # not published per district: never invented


def test_denominators_fall_back_and_flag() -> None:
    den = govdata.denominators(govdata.shipped(), [2019, 2024])
    row = den[(den["adcode"] == 320682) & (den["year"] == 2024)].iloc[0]
    # 如皋's 2024 year-end figure exists, but not for all 7 districts: the 2020 census is used
    assert row["population"] == 1_238_448 and row["population_source"] == "人口普查 2020"
    assert row["enterprises_fallback"] and row["enterprises"] == row["population"]
    full = pd.DataFrame({"adcode": list(DISTRICT_ADCODES), "year": 2022, "indicator": "enterprises",
                         "value": [1000.0 * (i + 1) for i in range(7)]})
    den2 = govdata.denominators(pd.concat([govdata.shipped(), full]), [2021, 2023])
    r21 = den2[(den2["year"] == 2021) & (den2["adcode"] == 320612)].iloc[0]
    r23 = den2[(den2["year"] == 2023) & (den2["adcode"] == 320612)].iloc[0]
    assert not r23["enterprises_fallback"] and r23["enterprises"] == 2000
    assert r23["enterprises_source"] == "企业户数 2022"
    assert not r21["enterprises_fallback"] and r21["enterprises"] == 2000  # earliest complete year when none before


def test_validation_reasons_row_by_row() -> None:
    s = govdata.import_gov(None, GOOD_AND_BAD.encode("utf-8"), "gov.csv", today=TODAY)
    assert s.rows == 9 and s.accepted + s.rejected == s.rows
    assert (s.accepted, s.corrected, s.rejected) == (3, 2, 6)
    by_row = s.report.set_index("row")
    assert by_row.loc[2, "status"] == "accepted"
    assert by_row.loc[3, "status"] == "corrected" and "万户" in by_row.loc[3, "reason_zh"]
    assert "unknown district" in by_row.loc[4, "reason_en"] and "未知的区县" in by_row.loc[4, "reason_zh"]
    assert "out of range" in by_row.loc[5, "reason_en"]
    assert "not a number" in by_row.loc[6, "reason_en"]
    assert "duplicate of row 2" in by_row.loc[7, "reason_en"]
    assert "source missing" in by_row.loc[8, "reason_en"]
    assert "unknown indicator" in by_row.loc[9, "reason_en"]
    ok = s.accepted_rows.set_index("adcode")
    assert ok.loc[320682, "value"] == 31_000 and ok.loc[320682, "confidence"] == "medium"
    assert ok.loc[320623, "value"] == 870_000 and ok.loc[320623, "confidence"] == "low"


def test_missing_column_refuses_the_file() -> None:
    s = govdata.import_gov(None, "区县,年份,数值\n320613,2024,1\n".encode(), "x.csv", today=TODAY)
    assert s.refused and "indicator" in s.message.en and "缺少必需的列" in s.message.zh


def _store(tmp_path: Path, with_meta: bool = True) -> Path:
    path = tmp_path / "gov.duckdb"
    con = duckdb.connect(str(path))
    if with_meta:
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.close()
    return path


def test_load_replaces_by_key(tmp_path: Path) -> None:
    path = _store(tmp_path)
    s = govdata.import_gov_into(path, GOOD_AND_BAD.encode("utf-8"), "gov.csv", today=TODAY)
    assert s.loaded and s.written == 3
    con = duckdb.connect(str(path))
    n_shipped = len(govdata.shipped())
    # 2 new keys; 如东's 2024 population replaces the shipped value with the same key
    assert len(govdata.load(con)) == n_shipped + 2
    con.close()
    again = "adcode,year,indicator,value,unit,source,confidence\n320613,2024,enterprises,60000,户,revised,high\n"
    govdata.import_gov_into(path, again.encode(), "again.csv", today=TODAY)
    con = duckdb.connect(str(path))
    df = govdata.load(con)
    con.close()
    assert len(df) == n_shipped + 2  # replaced, not added
    row = df[(df["adcode"] == 320613) & (df["indicator"] == "enterprises")].iloc[0]
    assert (row["value"], row["source"]) == (60000, "revised")


def test_load_is_atomic(tmp_path: Path) -> None:
    path = _store(tmp_path, with_meta=False)  # the final metadata write fails
    with pytest.raises(govdata.store.StoreError):
        govdata.import_gov_into(path, GOOD_AND_BAD.encode("utf-8"), "gov.csv", today=TODAY)
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'gov_indicators'").fetchall() == [(0,)]
    con.close()


def test_xlsx_import() -> None:
    df = pd.DataFrame({"adcode": [320681], "year": [2023], "indicator": ["gdp"], "value": [1400.5],
                       "unit": ["亿元"], "source": ["启东统计公报"], "confidence": ["high"]})
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    s = govdata.import_gov(None, buf.getvalue(), "gov.xlsx", today=TODAY)
    assert (s.rows, s.accepted, s.rejected) == (1, 1, 0)
    assert s.accepted_rows.iloc[0]["value"] == 1400.5


def test_cli_dry_run_and_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "gov.csv"
    src.write_text(GOOD_AND_BAD, encoding="utf-8")
    path = _store(tmp_path)
    assert govdata.cli_run(src, path, dry_run=True, today=TODAY) == 0
    out = capsys.readouterr().out
    assert "仅校验未写入" in out and "row 4" in out and "unknown district" in out
    report = tmp_path / "report.csv"
    assert govdata.cli_run(src, path, report=report, today=TODAY) == 0
    assert "导入完成" in capsys.readouterr().out
    assert len(pd.read_csv(report, encoding="utf-8-sig")) == 9  # one line per row of the file
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    assert govdata.cli_run(bad, path, today=TODAY) == 1  # refused: required columns missing
    assert govdata.cli_run(tmp_path / "absent.csv", path) == 2


def _section() -> None:
    from ui.gov_import import render
    from ui.shell import setup_page

    render(setup_page("政务数据导入", filters=False))


def test_import_section_validates_then_loads(small_store: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from streamlit.testing.v1 import AppTest

    path = tmp_path / "store.duckdb"
    shutil.copy(small_store, path)
    monkeypatch.setenv("SHUZHU_DB", str(path))
    at = AppTest.from_function(_section, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("区县" in d.value.columns for d in at.dataframe)  # the current values are listed
    at.file_uploader(key="gov_file").set_value(("gov.csv", GOOD_AND_BAD.encode("utf-8"), "text/csv")).run()
    at.button(key="gov_validate").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["9", "3", "2", "6"]
    at.button(key="gov_confirm").click().run()
    assert any("导入完成" in s.value for s in at.success)
    con = duckdb.connect(str(path))
    n = con.execute("SELECT count(*) FROM gov_indicators WHERE indicator = 'enterprises'").fetchall()[0][0]
    con.close()
    assert n == 2


def test_import_page_and_cli_hooks(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import subprocess
    import sys

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    path = tmp_path / "store.duckdb"
    shutil.copy(small_store, path)
    monkeypatch.setenv("SHUZHU_DB", str(path))
    at = AppTest.from_file(str(root / "pages" / "4_import.py"), default_timeout=60)
    at.run()
    at.radio(key="imp_kind").set_value("gov").run()
    assert not at.exception, at.exception
    assert at.file_uploader(key="gov_file") is not None
    src = tmp_path / "gov.csv"
    src.write_text(GOOD_AND_BAD, encoding="utf-8")
    (tmp_path / "cli").mkdir()
    cli_db = _store(tmp_path / "cli")  # the app's cached connection holds `path`
    cmd = [sys.executable, str(root / "shuzhu_import.py"), str(src), "--kind", "gov", "--db", str(cli_db)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "导入完成" in run.stdout and "unknown district" in run.stdout
