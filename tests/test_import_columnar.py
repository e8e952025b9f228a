"""Oracle test of the column-wise import path (issue 10): the row path is the reference.

For every file of the bad-input corpus and for generated exports with injected errors, the
column-wise path (``read_columns`` + ``validate_columns``) must give exactly what the row path
(``read_table`` + ``validate``) gives: the same report (row, case number, status, Chinese and
English reason), the same accepted records, versions, notes and problems. The row path shares
no code with the column-wise checks of plain cells (regular expressions, casts, per-value maps);
it is called by them only on one row of each combination of low-cardinality cells.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import importer, store
from analytics.importer import columnar
from analytics.importer.read import read_columns, read_table

BAD = Path(__file__).resolve().parent / "bad_inputs"
TODAY = dt.date(2026, 1, 1)
SECRET = b"s" * 32


def both_paths(data: bytes, name: str, con: duckdb.DuckDBPyConnection | None = None, **kw: object):
    """(row-path result, column-wise result) of one file; the latter None when it is read row by row."""
    common = {
        "today": TODAY,
        "secret": lambda: SECRET,
        "causes": importer.store_causes(con) if con is not None else None,
        "first_year": importer.first_year(con),
        "origin_lookup": (lambda nos: importer.store_adcodes(con, nos)) if con is not None else None,
        **kw,
    }
    cols = read_columns(data, name)
    if cols is None:
        return None, None
    reference = importer.validate(read_table(data, name), **common)  # type: ignore[arg-type]
    return reference, columnar.validate_columns(cols, **common)  # type: ignore[arg-type]


def assert_same(reference: importer.ValidationResult, fast: importer.ValidationResult) -> None:
    pd.testing.assert_frame_equal(fast.report, reference.report)
    got = columnar.accepted_frame(fast.accepted)
    want = reference.accepted.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    for col in want.columns:  # values and missing values, column by column
        a, b = got[col].astype(object).tolist(), want[col].astype(object).tolist()
        a = [None if pd.isna(x) else x for x in a]
        b = [None if pd.isna(x) else x for x in b]
        assert a == b, col
    assert fast.versions == reference.versions
    assert fast.notes == reference.notes
    assert fast.problems == reference.problems
    assert fast.absent == reference.absent


CSV_LIKE = sorted(p for p in BAD.iterdir() if p.suffix.lower() in (".csv", ".txt"))


@pytest.mark.parametrize("path", CSV_LIKE, ids=lambda p: p.name)
def test_bad_input_corpus_same_as_row_path(path: Path) -> None:
    data = path.read_bytes()
    try:
        reference, fast = both_paths(data, path.name)
    except importer.ImportRefused as exc:  # refused by both readers alike
        with pytest.raises(importer.ImportRefused) as again:
            read_table(data, path.name)
        assert again.value.problem == exc.problem
        return
    if fast is None:
        return  # read row by row (control characters, ragged rows ...): nothing to compare
    assert reference is not None
    assert_same(reference, fast)


def test_corpus_mostly_read_column_wise() -> None:
    """The comparison above is not vacuous: most CSV files of the corpus take the column-wise path."""
    read = 0
    for path in CSV_LIKE:
        try:
            read += read_columns(path.read_bytes(), path.name) is not None
        except importer.ImportRefused:
            continue
    assert read >= 10


def export_csv(df: pd.DataFrame) -> str:
    cols = [c for c in df.columns if c not in ("h3_r7", "source")]
    return df[cols].to_csv(index=False)


def inject(text: str, seed: int = 7) -> str:
    """Errors and oddities typed into an export: every kind of message the row path gives."""
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    n = len(df)
    pick = lambda k: rng.choice(n, size=k, replace=False)  # noqa: E731
    edits = {
        "filed_date": ["2021/3/5", "2021年3月5日", "05/03/2021", "2099-01-01", "", "20210230", "44260", " 2021-03-05"],
        "closed_date": ["1990-01-01", "x", "2021-13-01"],
        "cause": ["买卖合同 纠纷", "不存在的案由", "", "民间借贷纠纷 ", "x" * 70],
        "amount": ["abc", "-5", "1,234.5", "12.5万", "1e13", "123.456", "  300 ", "nan"],
        "amount_recovered": ["0.005", "¥300"],
        "lon": ["", "999", "32.0", "abc", "120.1234567890123456789"],
        "lat": ["", "121.0"],
        "outcome": ["", "判决书", "准予撤诉"],
        "procedure": ["", "第二审程序", "简易", "xx"],
        "track": ["简易", "第二审程序", "普通"],
        "adcode": ["320602", "320611", "110101", "", "320600", "abc"],
        "court_code": ["", "苏0600"],
        "category": ["刑事", ""],
        "case_no": ["（2021）苏0682民初12号", "(2021)苏0682民初012号", "(2021)苏0682民初12", "(2021)苏9999民初1号",
                    "2021苏0682民初1号", "(2015)苏0682民初1号", "(2021)苏06民终77号", "(2021)苏0682环民初5号",
                    "(2021) 苏0682民初8号", ""],
        "origin_case_no": ["(2019)苏0682民初1号", "(2020)京0101民初3号", "garbage", "(2020)苏0682民初01号",
                           "(2014)苏0682民初2号"],
        "plaintiff_key": ["12.0", "abc", "99999999999999999999", " 42"],
        "defendant_industry": ["不存在的行业", "其他行业"],
        "plaintiff_kind": ["公司", "外星人"],
    }
    for col, values in edits.items():
        for i, value in zip(pick(3 * len(values)), values * 3, strict=False):
            df.loc[i, col] = value
    dup = pick(40)
    df.loc[dup[20:], "case_no"] = df.loc[dup[:20], "case_no"].to_numpy()
    return df.to_csv(index=False)


@pytest.fixture(scope="module")
def export_text(small_cases: pd.DataFrame) -> str:
    return export_csv(small_cases.sample(4000, random_state=3).sort_values("filed_date"))


def test_generated_export_with_errors_same_as_row_path(export_text: str) -> None:
    data = inject(export_text).encode("utf-8")
    reference, fast = both_paths(data, "x.csv")
    assert fast is not None and reference is not None
    assert_same(reference, fast)
    statuses = set(reference.report["status"])
    assert statuses == {"accepted", "corrected", "rejected"}


def test_generated_export_into_a_store_same_as_row_path(
    export_text: str, small_store: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.duckdb"
    path.write_bytes(small_store.read_bytes())
    con = store.open_store(path, read_only=True)
    try:
        data = inject(export_text, seed=11).encode("utf-8")
        reference, fast = both_paths(data, "x.csv", con)
        assert fast is not None and reference is not None
        assert_same(reference, fast)
        assert (reference.report["status"] == "accepted").sum() > 3000  # mostly silent rows
    finally:
        con.close()


def test_versions_duplicates_and_case_management_headers_same_as_row_path() -> None:
    """修改日期 decides between duplicates; 立案案由/结案案由; title line; GBK; 合计 line."""
    rows = [
        "(2021)苏0682民初1号,2021-03-01,,买卖合同纠纷,,2021-05-01",
        "(2021)苏0682民初1号,2021-03-01,2021-06-01,买卖合同纠纷,民间借贷纠纷,2021-04-01",
        "(2021)苏0682民初2号,2021-03-02,2021-06-01,买卖合同纠纷,民间借贷纠纷,",
        "(2021)苏0682民初2号,2021-03-02,,买卖合同纠纷,,",
        "(2021)苏0682民初3号,2021-03-03,,离婚纠纷,,2021-03-04",
        "(2021)苏06民终3号,2021-03-03,,离婚纠纷,,2021-03-04",
        "合计,,,,,",
    ]
    text = "南通法院收结案清单\n案号,立案日期,结案日期,立案案由,结案案由,修改日期\n" + "\n".join(rows) + "\n"
    for data in (text.encode("utf-8"), text.encode("gb18030")):
        reference, fast = both_paths(data, "cms.csv")
        assert fast is not None and reference is not None
        assert_same(reference, fast)
        assert reference.report["status"].tolist().count("rejected") == 2


def test_import_file_same_summary_both_ways(export_text: str, tmp_path: Path, small_cases: pd.DataFrame) -> None:
    """Through import_file into a store: the same counts and the same stored cases."""
    data = inject(export_text, seed=5).encode("utf-8")
    stored = []
    for fast in (False, True):
        path = tmp_path / f"s{fast}.duckdb"
        store.build_store(path, small_cases.iloc[:2000], {"dataset": "test"})
        con = store.open_store(path, read_only=False)
        try:
            s = importer.import_file(con, data, "x.csv", today=TODAY, fast=fast)
            assert s.loaded
            stored.append((s.accepted, s.rejected, s.inserted, s.replaced, s.kept, s.report.to_csv(),
                           con.execute("SELECT * FROM cases ORDER BY case_no").df().to_csv()))
        finally:
            con.close()
    assert stored[0] == stored[1]


def test_party_names_and_credit_codes_same_as_row_path(export_text: str) -> None:
    """Names and 统一社会信用代码 become keys per distinct value; malformed codes and key conflicts go row-wise."""
    df = pd.read_csv(io.StringIO(export_text), dtype=str, keep_default_na=False)
    rng = np.random.default_rng(3)
    n = len(df)
    names = np.array(
        ["南通某某建设有限公司", "南通某某建设有限责任公司", "张三", "李四、王五", "江苏（南通）ＡＢＣ贸易有限公司", ""]
    )
    df["被告"] = names[rng.integers(0, len(names), n)]
    df["原告"] = [f"当事人{i % 700}" if i % 5 else "" for i in range(n)]
    codes = np.array(["91320600MA1XXXXX0A", "91320600MA1ABCDE1B", "not-a-code", "", ""])
    df["原告统一社会信用代码"] = codes[rng.integers(0, len(codes), n)]
    df.loc[df.index[::3], "plaintiff_key"] = ""  # a key column next to names: agrees only by chance
    df.loc[df.index[1::3], "defendant_key"] = ""
    df = df.drop(columns=["plaintiff_kind"]).iloc[: n // 2]
    data = df.to_csv(index=False).encode("utf-8")
    reference, fast = both_paths(data, "names.csv")
    assert fast is not None and reference is not None
    assert_same(reference, fast)
    got = columnar.accepted_frame(fast.accepted)
    assert got["defendant_key"].notna().sum() > 0 and (got["plaintiff_kind"] == "企业").sum() > 0
