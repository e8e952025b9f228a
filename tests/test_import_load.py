"""Load step (store.upsert_cases through the importer): versions per case, new causes without a
table rebuild, no party name in the store, the command line checking its output first, and the
round trip of the app's own exports (issue 9 items 2, 4, 5, 6, 9; issue 12 item 5)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import export, importer, store

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def private_secret(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Party-key secret in a temporary folder, never in the project's data/."""
    path = tmp_path_factory.mktemp("secret") / ".party_secret"
    monkeypatch.setenv("SHUZHU_SECRET_FILE", str(path))
    return path


def empty_store(path: Path, like: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """A store with no cases (ENUM types without causes), opened for writing."""
    store.build_store(path, like.iloc[:0], {"dataset": "test"})
    return store.open_store(path, read_only=False)


@pytest.fixture
def con(tmp_path: Path, small_cases: pd.DataFrame):
    c = empty_store(tmp_path / "s.duckdb", small_cases)
    yield c
    c.close()


def run(con: duckdb.DuckDBPyConnection, text: str, name: str = "t.csv") -> importer.ImportSummary:
    return importer.import_file(con, text.encode("utf-8"), name, today=TODAY)


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchall()[0]


CASE = "(2023)苏0612民初101号"


def test_an_older_export_does_not_revert_a_closed_case(con: duckdb.DuckDBPyConnection) -> None:
    header = "案号,立案日期,结案日期,案由,结案方式,标的额\n"
    newer = f"{CASE},2023-03-03,2023-05-01,买卖合同纠纷,调解,1000\n"
    older = f"{CASE},2023-03-03,,买卖合同纠纷,,1000\n"
    assert run(con, header + newer).inserted == 1
    s = run(con, header + older)
    assert (s.inserted, s.replaced, s.unchanged, s.kept) == (0, 0, 0, 1)
    line = s.report.iloc[0]
    assert "older than stored, kept stored" in line["reason_en"] and "保留库中版本" in line["reason_zh"]
    assert one(con, f"SELECT closed_date, outcome::VARCHAR FROM cases WHERE case_no = '{CASE}'") == (
        dt.date(2023, 5, 1),
        "调解",
    )
    # The other way round: the closing export replaces the pending version.
    other = "(2023)苏0612民初102号"
    run(con, header + f"{other},2023-03-03,,买卖合同纠纷,,1000\n")
    s = run(con, header + f"{other},2023-03-03,2023-06-01,买卖合同纠纷,判决,1000\n")
    assert (s.replaced, s.kept) == (1, 0)


def test_a_later_modification_date_wins(con: duckdb.DuckDBPyConnection) -> None:
    header = "案号,立案日期,案由,标的额,修改日期\n"
    run(con, header + f"{CASE},2023-03-03,买卖合同纠纷,200,2024-02-01\n")
    older = run(con, header + f"{CASE},2023-03-03,买卖合同纠纷,100,2024-01-01\n")
    assert older.kept == 1
    assert one(con, f"SELECT amount FROM cases WHERE case_no = '{CASE}'") == (200.0,)
    later = run(con, header + f"{CASE},2023-03-03,买卖合同纠纷,300,2024-03-01\n")
    assert later.replaced == 1
    assert one(con, f"SELECT amount FROM cases WHERE case_no = '{CASE}'") == (300.0,)
    assert one(con, f"SELECT version FROM case_versions WHERE case_no = '{CASE}'") == (dt.date(2024, 3, 1),)


def test_a_new_cause_extends_the_enum_in_place_without_a_rebuild(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rebuild(*_a: object, **_k: object) -> None:
        raise AssertionError("the cases table was rebuilt")

    monkeypatch.setattr(store, "_write_cases", no_rebuild)
    header = "案号,立案日期,案由\n"
    s = run(con, header + f"{CASE},2023-03-03,买卖合同纠纷\n")
    assert s.inserted == 1
    s = run(con, header + "(2023)苏0612民初103号,2023-03-04,船舶碰撞损害责任纠纷\n")
    assert s.inserted == 1
    members = one(con, "SELECT enum_range(NULL::cause_t)::VARCHAR[]")[0]
    assert members[-2:] == ["买卖合同纠纷", "船舶碰撞损害责任纠纷"]  # old members first, order kept
    assert one(con, "SELECT count(*), count(DISTINCT cause) FROM cases") == (2, 2)


def test_no_party_name_reaches_the_store(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = (
        "案号,立案日期,案由,原告,被告,被告统一社会信用代码,案件名称\n"
        "(2023)苏0612民初201号,2023-03-03,劳动争议,钱一一,南通某某建设有限责任公司,91320612MA1XXXXXX1,钱一一诉南通某某建设\n"
        "(2023)苏0612民初202号,2023-03-04,劳动争议,孙二二,南通 某某建设有限公司,,孙二二诉南通某某建设\n"
        "(2023)苏0612民初203号,2023-03-05,劳动争议,李三三,（南通）某某建设有限公司,,李三三诉南通某某建设\n"
    )
    s = run(con, text)
    assert s.inserted == 3
    keys = con.execute("SELECT DISTINCT defendant_key FROM cases WHERE case_no LIKE '(2023)苏0612民初20%'").fetchall()
    # Two distinct enterprises: 南通某某建设有限公司 (rows 1 and 2) and (南通)某某建设有限公司 (row 3).
    assert len(keys) == 2
    sql = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    path = Path(con.execute(sql).fetchall()[0][0])
    con.execute("CHECKPOINT")
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    for t in tables:
        dump = con.execute(f'SELECT * FROM "{t}"').df().astype(str).to_csv()
        for name in ("钱一一", "孙二二", "李三三", "某某建设"):
            assert name not in dump, (t, name)
    raw = path.read_bytes()
    for name in ("钱一一", "孙二二", "李三三", "某某建设"):
        assert name.encode("utf-8") not in raw


def test_report_into_a_missing_folder_fails_before_writing(small_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    data = tmp_path / "cases.csv"
    data.write_text("案号,立案日期,案由\n(2023)苏0612民初990301号,2023-03-03,买卖合同纠纷\n", encoding="utf-8")
    stamp = db.stat().st_mtime_ns, db.read_bytes()
    cmd = [sys.executable, str(ROOT / "shuzhu_import.py"), str(data), "--db", str(db)]
    done = subprocess.run(
        [*cmd, "--report", str(tmp_path / "missing" / "r.csv")], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 2
    assert "its folder does not exist" in done.stderr and "所在文件夹不存在" in done.stderr
    assert "Traceback" not in done.stderr
    assert (db.stat().st_mtime_ns, db.read_bytes()) == stamp


def _figures(df: pd.DataFrame) -> dict[str, object]:
    """Figures a leader reads, computed in pandas from a case frame (shares no code with the store)."""
    d = df.assign(year=pd.to_datetime(df["filed_date"]).dt.year)
    return {
        "by_district_year": d.groupby(["adcode", "year"]).size().to_dict(),
        "by_cause": d.groupby(d["cause"].astype(str)).size().to_dict(),
        "closed": int(d["closed_date"].notna().sum()),
        "amount": round(float(pd.to_numeric(d["amount"]).sum()), 2),
        "recovered": round(float(pd.to_numeric(d["amount_recovered"]).sum()), 2),
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60), kind=st.sampled_from(["csv", "xlsx"]))
def test_exported_sample_imports_into_an_empty_store_unchanged(
    small_store: Path, small_cases: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, seed: int, n: int, kind: str
) -> None:
    # The synthetic store holds (2015) case numbers; an empty store takes its range from the
    # configuration, which a court sets to its data (issue 9 item 4).
    monkeypatch.setenv("SHUZHU_IMPORT_FIRST_YEAR", "2015")
    src = store.open_store(small_store, read_only=False)
    try:
        sample = src.execute(f"SELECT * FROM cases USING SAMPLE reservoir({n} ROWS) REPEATABLE ({seed})").df()
    finally:
        src.close()
    data = export.to_csv_bytes(sample) if kind == "csv" else export.to_xlsx_bytes(sample)
    with tempfile.TemporaryDirectory() as d:
        con = empty_store(Path(d) / "e.duckdb", small_cases)
        try:
            s = importer.import_file(con, data, f"export.{kind}", today=TODAY)
            back = con.execute("SELECT * FROM cases").df()
        finally:
            con.close()
    assert (s.rows, s.accepted, s.rejected, s.inserted) == (n, n, 0, n), s.report[s.report["status"] == "rejected"]
    assert _figures(back) == _figures(sample)
    cols = [c for c in sample.columns if c != "source"]
    a = sample[cols].astype(str).sort_values("case_no").reset_index(drop=True)
    b = back[cols].astype(str).sort_values("case_no").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_filing_and_closing_causes_both_kept(con: duckdb.DuckDBPyConnection) -> None:
    """立案案由 and 结案案由: counted under the closing cause when closed, the filing cause kept too."""
    text = (
        "案号,立案日期,结案日期,立案案由,结案案由\n"
        "(2021)苏0682民初11号,2021-03-01,2021-06-01,买卖合同纠纷,民间借贷纠纷\n"
        "(2021)苏0682民初12号,2021-03-02,,离婚纠纷,\n"
    )
    s = run(con, text)
    assert (s.accepted, s.rejected) == (2, 0)
    got = dict(con.execute("SELECT case_no, [cause::VARCHAR, cause_filed] FROM cases").fetchall())
    assert got == {
        "(2021)苏0682民初11号": ["民间借贷纠纷", "买卖合同纠纷"],
        "(2021)苏0682民初12号": ["离婚纠纷", "离婚纠纷"],
    }
    # A later export with 案由 only leaves the stored filing cause alone (a column it does not have).
    run(con, "案号,立案日期,结案日期,案由,结案方式\n(2021)苏0682民初11号,2021-03-01,2021-06-01,民间借贷纠纷,判决\n")
    assert con.execute("SELECT cause_filed FROM cases WHERE case_no = '(2021)苏0682民初11号'").fetchall() == [
        ("买卖合同纠纷",)
    ]


def test_store_without_the_filing_cause_column_gets_it_on_import(tmp_path: Path, small_cases: pd.DataFrame) -> None:
    path = tmp_path / "old.duckdb"
    store.build_store(path, small_cases.iloc[:500], {"dataset": "test"})
    c = store.open_store(path, read_only=False)
    try:
        c.execute("ALTER TABLE cases DROP COLUMN cause_filed")  # as written before the column existed
        s = run(c, "案号,立案日期,立案案由,结案案由\n(2021)苏0682民初13号,2021-03-01,离婚纠纷,\n")
        assert s.loaded and s.inserted == 1
        assert c.execute("SELECT cause_filed FROM cases WHERE case_no = '(2021)苏0682民初13号'").fetchall() == [
            ("离婚纠纷",)
        ]
    finally:
        c.close()


def test_import_memory_limit_grows_with_the_store() -> None:
    from analytics.importer.pipeline import import_memory_mb

    assert import_memory_mb(0) == 1024
    assert import_memory_mb(1_000_000) == 1024  # 244 MB by the rate: the 1 GB floor
    assert import_memory_mb(10_000_000) == 2441  # 10M x 256 B = 2,560,000,000 B = 2441.4 MB

    def setting(con: duckdb.DuckDBPyConnection) -> str:
        return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])

    ref = duckdb.connect()
    ref.execute("SET memory_limit = '1024MB'")
    con = duckdb.connect()
    importer.limit_memory(con)  # no case table yet: the floor
    assert setting(con) == setting(ref)
    con.execute("CREATE TABLE cases AS SELECT range AS case_no FROM range(5000)")
    con.execute("SET memory_limit = '3GB'")
    importer.limit_memory(con)
    assert setting(con) == setting(ref)
    importer.limit_memory(con, "2GB")  # an explicit limit wins
    ref.execute("SET memory_limit = '2GB'")
    assert setting(con) == setting(ref)


@pytest.mark.parametrize(
    ("lines", "stored"),
    [
        # in filing order: written as it comes (within a day the file's order, not the case numbers')
        (["民初9号,2023-01-09", "民初7号,2023-01-09", "民初8号,2023-02-01"], ["民初9号", "民初7号", "民初8号"]),
        # out of filing order: sorted by filing date, then case number
        (["民初8号,2023-02-01", "民初9号,2023-01-09", "民初7号,2023-01-09"], ["民初7号", "民初9号", "民初8号"]),
    ],
)
def test_cases_are_stored_in_filing_order(con: duckdb.DuckDBPyConnection, lines: list[str], stored: list[str]) -> None:
    """The case table is in filing order (zone maps on the filing date); an export already in that
    order is not sorted again."""
    text = "案号,立案日期,案由\n" + "".join(f"(2023)苏0612{line},买卖合同纠纷\n" for line in lines)
    assert run(con, text).inserted == 3
    got = [r[0].removeprefix("(2023)苏0612") for r in con.execute("SELECT case_no FROM cases").fetchall()]
    assert got == stored
