"""The column-wise import's shortcuts (issue 10, Speed II) give what the plain Python steps give."""

from __future__ import annotations

import h3
import numpy as np
import pyarrow as pa
import pytest

from analytics.importer import column_checks, columnar, read

UTF8_CASES = [
    b"",
    b"case_no,cause\n",
    "(2021)苏0602民初1号,民间借贷纠纷\n".encode(),
    b"\xef\xbb\xbfcase_no\n",  # BOM
    b"abc\xe4\xb8",  # truncated 3-byte sequence at the end
    b"abc\xe4\xb8def",  # truncated in the middle
    b"\xc0\xaf",  # overlong "/"
    b"\xe0\x80\xaf",  # overlong, 3 bytes
    b"\xed\xa0\x80",  # UTF-16 surrogate D800
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\x80abc",  # lone continuation byte
    b"\xff\xfe",  # UTF-16 BOM bytes
    "\U0001f600 \u00e9".encode(),  # 4- and 2-byte sequences
    "中文".encode("gb18030"),
]


@pytest.mark.parametrize("data", UTF8_CASES)
def test_is_utf8_agrees_with_the_strict_decoder(data: bytes) -> None:
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert read.is_utf8(data) is expected


def test_is_utf8_hand_checked() -> None:
    assert read.is_utf8("苏".encode()) is True
    assert read.is_utf8(b"\xed\xa0\x80") is False


def test_byte_counts_control_bytes_and_carriage_returns() -> None:
    # \x00, \x1f and \x7f are control bytes; \t, \n and \r are text.
    assert read._byte_counts(b"a\tb\r\nc\x00d\x7f\x1f\n") == (3, 1)
    assert read._byte_counts(b"plain,text\n") == (0, 0)
    # Across the 4 MiB blocks the counts are made in.
    step = 1 << 22
    data = b"a" * (step - 1) + b"\x01\r" + b"\n\x0b" + b"b" * 10
    assert read._byte_counts(data) == (2, 1)


EMPTY_LINE_FILES = [
    # (file, labels, blank rows): an empty line is a blank row, numbered as read_table numbers it
    (b"case_no,cause\na,b\n\nc,d\n", [2, 4], 1),
    (b"case_no,cause\r\na,b\r\n\r\nc,d\r\n", [2, 4], 1),
    (b"case_no,cause\na,b\n\n", [2], 1),
    (b"case_no\nx1\n\nx2\n", [2, 4], 1),
]


@pytest.mark.parametrize(("data", "labels", "blank"), EMPTY_LINE_FILES)
def test_empty_lines_read_column_wise_as_row_by_row(data: bytes, labels: list[int], blank: int) -> None:
    cols = read.read_columns(data, "x.csv")
    assert cols is not None
    table = read.read_table(data, "x.csv")
    assert cols.labels.tolist() == labels == list(table.index)
    assert cols.attrs["blank_rows"] == blank == table.attrs["blank_rows"]
    assert cols.frame().values.tolist() == table.values.tolist()


@pytest.mark.parametrize("data", [b"case_no,cause\n\n", b"case_no,cause\r\n\r\n\r\n"])
def test_only_empty_lines_below_the_header_go_row_by_row(data: bytes) -> None:
    assert read.read_columns(data, "x.csv") is None
    assert read.read_table(data, "x.csv").attrs["blank_rows"] == data.count(b"\n") - 1


def test_combined_gives_one_chunk_per_column_with_the_same_values() -> None:
    a = pa.chunked_array([pa.array(["x", "y"]), pa.array(["z"])])
    b = pa.chunked_array([pa.array(["1", "2", "3"])])
    out = read._combined(pa.table({"a": a, "b": b}))
    assert out.column_names == ["a", "b"]
    assert [out.column(i).num_chunks for i in range(2)] == [1, 1]
    assert out.to_pydict() == {"a": ["x", "y", "z"], "b": ["1", "2", "3"]}


def test_a_single_chunk_is_used_without_a_copy() -> None:
    chunk = pa.array(["(2021)苏0602民初1号", "(2021)苏0602民初2号"])
    got = column_checks._array(pa.chunked_array([chunk]))
    assert got.buffers()[2].address == chunk.buffers()[2].address
    two = column_checks._array(pa.chunked_array([chunk, chunk]))
    assert two.to_pylist() == chunk.to_pylist() * 2


def test_h3_column_cells_and_missing_coordinates() -> None:
    lon = np.array([120.86, np.nan, 121.05, 120.5])
    lat = np.array([32.01, 32.0, np.nan, 31.9])
    got = column_checks.h3_column(lon, lat).to_pylist()
    res = column_checks.schema.H3_RESOLUTION
    assert got == [h3.str_to_int(h3.latlng_to_cell(32.01, 120.86, res)), None, None,
                   h3.str_to_int(h3.latlng_to_cell(31.9, 120.5, res))]
    assert got[0] != got[3]


def test_groups_number_combinations_in_order_of_first_appearance() -> None:
    parts = [np.array([0, 1, 0, 1, 0]), np.array([2, 2, 2, 3, -1])]
    # (0,2) (1,2) (0,2) (1,3) (0,-1)
    assert column_checks._groups(parts).tolist() == [0, 1, 0, 2, 3]
    assert column_checks._groups([np.array([5, 5, 1])]).tolist() == [0, 0, 1]


def test_groups_with_wide_codes_renumber_instead_of_overflowing() -> None:
    big = 2**21
    rng = np.random.default_rng(5)
    parts = [rng.integers(0, big, 200) % 3 * (big // 3) for _ in range(4)]  # 3 values each, up to ~2**21
    parts.append(np.array([0, 1] * 100))
    combos = list(zip(*(p.tolist() for p in parts), strict=True))
    first: dict[tuple[int, ...], int] = {}
    expected = [first.setdefault(c, len(first)) for c in combos]
    assert column_checks._groups(parts).tolist() == expected
    assert max(expected) >= 10  # many combinations, so the check can tell them apart


def test_lengths_by_characters_not_bytes() -> None:
    # 30 hanzi are 90 bytes: within the cause limit of 60 characters; 61 hanzi are not.
    cells = {"cause": pa.array(["纠" * 30, "纠" * 61, "ok"]), "court_name": pa.array(["x", "y", "z"])}
    fast = column_checks._Columns(None, cells, 3)  # type: ignore[arg-type]
    fast.lengths()
    assert fast.ok.tolist() == [True, False, True]


def test_missing_cells_with_plain_values_known() -> None:
    cells = {"amount": pa.array(["", "  ", "12", "\u3000", "x", "\t\r\n"])}
    fast = column_checks._Columns(None, cells, 6)  # type: ignore[arg-type]
    plain = np.array([False, False, True, False, False, False])
    want = [True, True, False, True, False, True]  # empty, spaces, ideographic space, tab/CR/LF: missing
    assert fast.missing("amount", plain).tolist() == want
    assert fast.missing("amount").tolist() == want
    assert fast.missing("lon").tolist() == [True] * 6  # no such column


def test_dictionary_of_group_values_with_repeats_and_nulls() -> None:
    small = pa.array(["判决", None, "判决", "调解"])
    got = column_checks._dictionary(small, np.array([0, 1, 2, 3, 3, 1]))
    assert pa.types.is_dictionary(got.type)
    assert got.to_pylist() == ["判决", None, "判决", "调解", "调解", None]
    assert got.dictionary.to_pylist() == ["判决", "调解"]  # each value once
    empty = column_checks._dictionary(pa.array([None], type=pa.string()), np.array([0, 0]))
    assert empty.to_pylist() == [None, None]


def test_accepted_frame_decodes_dictionary_columns() -> None:
    table = pa.table({
        "cause": column_checks._dictionary(pa.array(["离婚纠纷"]), np.array([0, 0])),
        "filed_date": pa.array([0, 1], type=pa.int32()).cast(pa.date32()),
        "closed_date": pa.array([None, None], type=pa.date32()),
        "adcode": pa.array([320602, 320611], type=pa.int32()),
    })
    df = columnar.accepted_frame(table)
    assert df["cause"].tolist() == ["离婚纠纷", "离婚纠纷"]
    assert str(df["cause"].dtype) != "category"


def test_mark_kept_leaves_the_given_report_unchanged() -> None:
    import pandas as pd

    from analytics.importer.load import KEPT_EN, mark_kept

    report = pd.DataFrame({
        "row": [2, 3, 4],
        "case_no": pd.array(["(2021)苏0602民初1号", "(2021)苏0602民初2号", "(2021)苏0602民初1号"], dtype="str"),
        "status": pd.array(["accepted", "corrected", "rejected"], dtype="str"),
        "reason_zh": pd.array(["", "更正", "重复"], dtype="str"),
        "reason_en": pd.array(["", "fixed", "duplicate"], dtype="str"),
    })
    before = report.copy()
    out = mark_kept(report, {"(2021)苏0602民初1号", "(2021)苏0602民初2号"})
    pd.testing.assert_frame_equal(report, before)
    assert out["reason_en"].tolist() == [KEPT_EN, f"fixed; {KEPT_EN}", "duplicate"]  # rejected lines untouched
