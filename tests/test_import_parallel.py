"""The column-wise import's second thread (issue 10, "Speed II"): the same results as one thread.

``validate_columns`` checks independent columns in two threads, builds the accepted table and
hashes the clean rows' case numbers while the row path runs, and finds no duplicates without
hashing every case number again when neither part repeats one. Each of these must give what the
row path gives (the oracle of tests/test_import_columnar.py), also where a row of the row path
repeats a clean row's case number (the check that skips the full hash must see it).
"""

from __future__ import annotations

import datetime as dt
import gc
import io

import pandas as pd
import pyarrow as pa
import pytest

from analytics import importer
from analytics.importer import column_checks, columnar
from analytics.importer.read import read_columns, read_table

TODAY = dt.date(2026, 1, 1)
SECRET = b"s" * 32


def export_text(cases: pd.DataFrame) -> str:
    cols = [c for c in cases.columns if c not in ("h3_r7", "source")]
    return cases[cols].to_csv(index=False)


@pytest.fixture(scope="module")
def text(small_cases: pd.DataFrame) -> str:
    return export_text(small_cases.sample(3000, random_state=5).sort_values("filed_date"))


def both(data: bytes) -> tuple[importer.ValidationResult, importer.ValidationResult]:
    common = {"today": TODAY, "secret": lambda: SECRET}
    cols = read_columns(data, "x.csv")
    assert cols is not None
    return importer.validate(read_table(data, "x.csv"), **common), columnar.validate_columns(cols, **common)


def assert_same(reference: importer.ValidationResult, fast: importer.ValidationResult) -> None:
    pd.testing.assert_frame_equal(fast.report, reference.report)
    got = columnar.accepted_frame(fast.accepted)
    want = reference.accepted.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    for col in want.columns:
        a = [None if pd.isna(x) else x for x in got[col].astype(object).tolist()]
        b = [None if pd.isna(x) else x for x in want[col].astype(object).tolist()]
        assert a == b, col
    assert fast.versions == reference.versions
    assert fast.notes == reference.notes


def repeats(result: importer.ValidationResult) -> int:
    """Rows rejected for repeating another row's case number."""
    return int(result.report["reason_en"].str.contains("same case number", regex=False).sum())


def edited(text: str, edits: dict[tuple[int, str], str]) -> bytes:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for (i, col), value in edits.items():  # column "*" with "@j": the whole of row j (its case too)
        if col == "*":
            df.loc[i] = df.loc[int(value[1:])]
        else:
            df.loc[i, col] = value
    return df.to_csv(index=False).encode("utf-8")


def test_row_path_row_repeating_a_clean_rows_case_number(text: str) -> None:
    """A corrected row (row path, accepted) with a clean row's case number: one of them loses."""
    # one lon/lat given: a correction, so the row path; rows 2100 and 2207 repeat clean rows' cases
    data = edited(text, {(2100, "*"): "@2500", (2100, "lon"): "", (2207, "*"): "@2200", (2200, "lat"): ""})
    reference, fast = both(data)
    assert_same(reference, fast)
    assert repeats(reference) == 2


def test_repeats_among_row_path_rows_only(text: str) -> None:
    data = edited(text, {(2301, "*"): "@2300", (2300, "lon"): "", (2301, "lat"): ""})
    reference, fast = both(data)
    assert_same(reference, fast)
    assert repeats(reference) == 1


def test_repeats_among_clean_rows_only(text: str) -> None:
    data = edited(text, {(2400, "*"): "@2401", (2410, "*"): "@2411"})
    reference, fast = both(data)
    assert_same(reference, fast)
    assert repeats(reference) == 2


def test_no_repeats(text: str) -> None:
    data = edited(text, {(2100, "lon"): ""})
    reference, fast = both(data)
    assert_same(reference, fast)
    assert repeats(reference) == 0 and "corrected" in set(reference.report["status"])


def test_one_thread_and_two_threads_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column checks run in the order of one thread give the same ok rows and values."""
    data = text.encode("utf-8")
    cols = read_columns(data, "x.csv")
    assert cols is not None
    two = columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET)
    run = column_checks._Columns.run
    monkeypatch.setattr(column_checks._Columns, "run", lambda self, progress, pool=None: run(self, progress, None))
    one = columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET)
    pd.testing.assert_frame_equal(one.report, two.report)
    assert one.accepted.equals(two.accepted)


def test_garbage_collector_state_restored(text: str) -> None:
    cols = read_columns(text.encode("utf-8"), "x.csv")
    assert cols is not None
    assert gc.isenabled()
    columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET)
    assert gc.isenabled()
    gc.disable()
    try:
        columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_combined_columns_keep_order_and_values() -> None:
    from analytics.importer.read import _combined

    chunks = [pa.table({f"c{j}": [f"{j}-{i}-{k}" for i in range(5)] for j in range(7)}) for k in range(3)]
    table = pa.concat_tables(chunks)
    want = {name: table.column(name).to_pylist() for name in table.column_names}
    out = _combined(table)
    assert out.column_names == list(want)
    assert all(out.column(n).num_chunks == 1 for n in out.column_names)
    assert {n: out.column(n).to_pylist() for n in out.column_names} == want


def test_report_only_for_a_dry_run(text: str) -> None:
    """Without the accepted table (a dry run loads nothing): the same report, versions and notes."""
    data = edited(text, {(2100, "*"): "@2500", (2100, "lon"): "", (2400, "*"): "@2401"})
    cols = read_columns(data, "x.csv")
    assert cols is not None
    full = columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET)
    light = columnar.validate_columns(cols, today=TODAY, secret=lambda: SECRET, build_accepted=False)
    pd.testing.assert_frame_equal(light.report, full.report)
    assert (light.versions, light.notes, light.problems, light.absent) == (
        full.versions, full.notes, full.problems, full.absent)
    assert light.accepted.num_rows == 0 and light.accepted.schema == column_checks.ARROW_SCHEMA
    dry = importer.import_file(None, data, "x.csv", dry_run=True, today=TODAY, max_mb=100)
    pd.testing.assert_frame_equal(dry.report, full.report)
