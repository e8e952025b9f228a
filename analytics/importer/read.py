"""Read files: encodings, delimiters, workbook sheets, the header row; raw cells out."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analytics.casenumber import Problem
from analytics.dates import is_missing
from analytics.importer.columns import HEADER_INDEX, normalise_header
from analytics.importer.errors import ImportRefused

# --- reading files -------------------------------------------------------------------------


ENCODING_LABELS = {
    "utf-16-le": "UTF-16 LE (无 BOM)",
    "utf-16-be": "UTF-16 BE (无 BOM)",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "gb18030": "GBK/GB18030",
    "big5": "Big5 (繁体)",
    "utf-16": "UTF-16",
}


def check_size(nbytes: int, max_mb: int) -> Problem | None:
    """Why a file of this size is refused, or None."""
    if nbytes > max_mb * 1024 * 1024:
        return Problem(
            f"文件过大({nbytes / 1048576:.1f} MB), 上限 {max_mb} MB; 请拆分后分批导入",
            f"file too large ({nbytes / 1048576:.1f} MB), limit {max_mb} MB; split it and import in parts",
        )
    return None


def _mixed_lines(data: bytes) -> list[int]:
    """Line numbers (1-based) of non-ASCII lines that are not UTF-8, when other lines are."""
    good, bad = 0, []
    for i, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad.append(i)
    return bad if good and bad else []


def _hanzi_share(text: str) -> float:
    """Share of CJK ideographs among the non-ASCII, non-punctuation characters of a text."""
    chars = [ch for ch in text if not ch.isascii() and unicodedata.category(ch)[0] not in "PZ"]
    if not chars:
        return 0.0
    return sum("\u4e00" <= ch <= "\u9fff" for ch in chars) / len(chars)


def _utf16_by_content(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for UTF-16 text without a byte-order mark, else None.

    In UTF-16 every ASCII character (digits, delimiters, line ends) has a zero byte on one side,
    so NULs fall almost all on odd (LE) or even (BE) offsets; the reading must then decode and
    be plausible text (few control characters).
    """
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) // 2
    for enc, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros >= 0.2 * half and other <= 0.02 * half:
            try:
                text = sample.decode(enc)
            except UnicodeDecodeError:
                continue
            controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
            if controls <= max(2, len(text) // 200):
                return enc
    return None


def is_utf8(data: bytes) -> bool:
    """True when ``data.decode("utf-8")`` would succeed, checked by Arrow without making the text.

    Arrow's UTF-8 validation rejects what Python's strict decoder rejects (invalid and truncated
    sequences, overlong forms, surrogates, code points beyond U+10FFFF) in a fraction of the time
    and without the decoded copy (for a 230 MB file: 0.1 s instead of 0.3 s and ~400 MB).
    """
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """Encoding of a text file: BOM, strict UTF-8, GB18030 (GBK superset), else a detector's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:65536]
    nuls = sample.count(b"\x00")
    if nuls:
        utf16 = _utf16_by_content(sample)
        if utf16:
            return utf16
        # A few stray NUL bytes in a text file are removed cell by cell (with a note on the row);
        # control bytes beyond 0.5% of the sample, in no UTF-16 pattern, mean the file is not text
        # (random binary data has about 9%).
        controls = sum(sample.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
        if controls > max(2, len(sample) // 200):
            raise ImportRefused(
                Problem("文件含二进制内容, 不是文本表格", "the file contains binary data, not a text table")
            )
    if is_utf8(data):
        return "utf-8"
    bad = _mixed_lines(data)
    if bad:
        shown = ", ".join(map(str, bad[:5]))
        raise ImportRefused(
            Problem(
                f"文件混用了多种编码: 第 {shown} 行不是 UTF-8, 其余是; 请统一另存为 UTF-8",
                f"mixed encodings: line(s) {shown} are not UTF-8 while others are; re-save as UTF-8",
            )
        )
    # Legacy Chinese encodings decode each other's bytes without error, so pick the reading
    # that is most plausibly Chinese text (a misread gives kana and symbols, not hanzi).
    readings = {}
    for enc in ("gb18030", "big5"):
        try:
            readings[enc] = _hanzi_share(data.decode(enc))
        except UnicodeDecodeError:
            continue
    if readings:
        return max(readings, key=lambda e: (readings[e], e == "gb18030"))
    # charset-normalizer (already a dependency of requests) only for files that are neither.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        return str(best.encoding)
    raise ImportRefused(Problem("无法识别文件编码", "cannot detect the file's text encoding"))


def _decode(data: bytes, encoding: str) -> str:
    """Text of the file, refusing text that is not plausibly a table."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportRefused(
            Problem(f"无法按 {encoding} 解码文件: {exc}", f"cannot decode the file as {encoding}: {exc}")
        ) from exc
    sample = text[:100_000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\x00")
    if controls > max(3, len(sample) // 200) or "\ufffd" in sample[:2000]:
        raise ImportRefused(Problem("文件内容不是可读的文本表格", "the file content is not a readable text table"))
    return text.lstrip("\ufeff")


_DELIMITERS = (",", "\t", ";", "|")


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the most columns, consistently, in the first lines."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", 0.0
    for d in _DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        mode = max(set(widths), key=widths.count)
        score = mode * widths.count(mode) / len(widths)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv_rows(text: str, delimiter: str) -> list[list[object]]:
    """All records of a delimited text."""
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportRefused(Problem(f"CSV 格式错误: {exc}", f"malformed CSV: {exc}")) from exc


def _read_xlsx_sheets(data: bytes) -> list[tuple[str, list[list[object]]]]:
    """(name, rows) of every worksheet, in workbook order."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(Problem(f"不是有效的 xlsx 文件: {exc}", f"not a valid xlsx workbook: {exc}")) from exc
    try:
        return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    except Exception as exc:
        raise ImportRefused(Problem(f"xlsx 文件已损坏: {exc}", f"damaged xlsx workbook: {exc}")) from exc
    finally:
        wb.close()


def _is_blank(row: Iterable[object]) -> bool:
    """True when every cell of a row is empty."""
    return all(is_missing(c) for c in row)


def _header_score(row: list[object]) -> int:
    """How many cells of a row name a known field."""
    return sum(normalise_header(c) in HEADER_INDEX for c in row if not is_missing(c))


def _header_index(rows: list[list[object]]) -> int:
    """Index of the header row: among the first non-blank rows, the one naming most known fields."""
    candidates = [i for i, r in enumerate(rows[:30]) if not _is_blank(r)][:10]
    if not candidates:
        return 0
    scores = {i: _header_score(rows[i]) for i in candidates}
    best = max(candidates, key=lambda i: (scores[i], -i))
    return best if scores[best] > 0 else candidates[0]


# A summary line at the end of an export (合计/总计/小计), recognised by its first non-empty cell.
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "total"})


def _is_total(row: list[object]) -> bool:
    """True for a 合计/总计 row (never a case)."""
    first = next((c for c in row if not is_missing(c)), None)
    if first is None:
        return False
    word = normalise_header(first).rstrip(":：")
    return word in _TOTAL_WORDS or (word.startswith(("合计", "总计")) and len(word) <= 8)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(row: list[object]) -> tuple[list[object], int]:
    """The row with control characters (NUL ...) removed from text cells, and how many were."""
    removed = 0
    out: list[object] = []
    for c in row:
        if isinstance(c, str) and _CONTROL.search(c):
            cleaned, n = _CONTROL.subn("", c)
            removed += n
            out.append(cleaned)
        else:
            out.append(c)
    return out, removed


def _unique_headers(cells: list[object]) -> list[str]:
    """Header labels: stripped, blanks named by position, repeats suffixed."""
    out: list[str] = []
    for i, c in enumerate(cells):
        name = str(c).strip() if not is_missing(c) else f"列{i + 1}"
        base, k = name, 2
        while name in out:
            name, k = f"{base}_{k}", k + 1
        out.append(name)
    return out


def _frame(rows: list[list[object]], sheet: str | None) -> tuple[pd.DataFrame, dict[str, object]]:
    """One sheet (or CSV) as a frame of raw cells below its header row, and what was skipped.

    Rows are labelled by their 1-based row number, prefixed "sheet!" when ``sheet`` is given.
    Blank rows and a 合计/总计 line are skipped and counted; control characters are removed from
    cells and counted per row.
    """
    h = _header_index(rows)
    header = _unique_headers(rows[h]) if rows else []
    width = len(header)
    body: list[list[object]] = []
    labels: list[int | str] = []
    ragged: dict[int | str, int] = {}
    cleaned: dict[int | str, int] = {}
    totals: list[int | str] = []
    blank = 0
    for i, r in enumerate(rows[h + 1 :], start=h + 2):  # spreadsheet row numbers, 1-based
        label: int | str = f"{sheet}!{i}" if sheet else i
        if _is_blank(r):
            blank += 1
            continue
        if _is_total(r):
            totals.append(label)
            continue
        r, removed = _clean(list(r))
        if removed:
            cleaned[label] = removed
        if len(r) > width and not _is_blank(r[width:]):
            ragged[label] = len(r)
        body.append((list(r) + [None] * width)[:width])
        labels.append(label)
    df = pd.DataFrame(body, columns=header, index=pd.Index(labels, name="row", dtype=object), dtype=object)
    info: dict[str, object] = {
        "header_row": h + 1,
        "blank_rows": blank,
        "ragged": ragged,
        "cleaned": cleaned,
        "total_rows": totals,
    }
    return df, info


def _from_workbook(data: bytes) -> tuple[pd.DataFrame, dict[str, object]]:
    """Every sheet that has a header naming at least two known fields, stacked; a cover sheet is skipped."""
    sheets = [(name, rows) for name, rows in _read_xlsx_sheets(data) if not all(_is_blank(r) for r in rows)]
    if not sheets:
        empty, info = _frame([], None)
        return empty, {**info, "sheet": None, "sheets": [], "skipped_sheets": []}
    tables = [(name, rows) for name, rows in sheets if _header_score(rows[_header_index(rows)]) >= 2]
    skipped = [name for name, _ in sheets if name not in {n for n, _ in tables}]
    if not tables:  # no sheet looks like a case list: read the first, the mapping will say why
        tables, skipped = sheets[:1], [name for name, _ in sheets[1:]]
    multi = len(tables) > 1
    frames, infos = [], []
    for name, rows in tables:
        df, info = _frame(rows, name if multi else None)
        frames.append(df)
        infos.append(info)
    columns = list(dict.fromkeys(c for df in frames for c in df.columns))
    out = pd.concat([df.reindex(columns=columns) for df in frames]) if multi else frames[0]
    out = out.astype(object)
    merged: dict[str, object] = {
        "sheet": ", ".join(name for name, _ in tables),
        "sheets": [(name, len(df)) for (name, _), df in zip(tables, frames, strict=True)],
        "skipped_sheets": skipped,
        "header_row": infos[0]["header_row"],
        "blank_rows": sum(int(i["blank_rows"]) for i in infos),  # type: ignore[call-overload]
    }
    for key in ("ragged", "cleaned"):
        merged[key] = {k: v for i in infos for k, v in i[key].items()}  # type: ignore[attr-defined]
    merged["total_rows"] = [t for i in infos for t in i["total_rows"]]  # type: ignore[attr-defined]
    return out, merged


def read_table(data: bytes, filename: str, encoding: str | None = None) -> pd.DataFrame:
    """A CSV/XLSX file as a frame of raw cells indexed by row number in the file.

    ``df.attrs`` holds ``encoding``, ``delimiter``, ``sheet`` (the sheets read, comma-separated),
    ``sheets`` ((name, data rows) per sheet read), ``skipped_sheets`` (sheets without a case-list
    header, e.g. a cover sheet), ``header_row``, ``blank_rows``, ``total_rows`` (labels of
    合计/总计 lines skipped), ``ragged`` (row -> field count, for rows longer than the header) and
    ``cleaned`` (row -> control characters removed). Rows of a workbook read from several sheets
    are labelled "sheet!row". Raises ImportRefused with a bilingual reason for files that cannot
    be read as a table.
    """
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRefused(Problem("文件为空", "the file is empty"))
    suffix = Path(filename).suffix.lower()
    attrs: dict[str, object] = {"encoding": None, "delimiter": None, "sheet": None, "sheets": [], "skipped_sheets": []}
    if data.startswith(b"PK\x03\x04"):
        df, info = _from_workbook(data)
        attrs.update(info)
        df.attrs.update(attrs)
        return df
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            Problem(
                "不支持旧版 .xls 文件, 请另存为 .xlsx 或 CSV",
                "legacy .xls is not supported; save as .xlsx or CSV",
            )
        )
    if suffix in (".xlsx", ".xlsm"):
        raise ImportRefused(Problem("不是有效的 xlsx 文件", "not a valid xlsx workbook"))
    enc = encoding or detect_encoding(data)
    text = _decode(data, enc)
    delim = _sniff_delimiter(text)
    attrs.update(encoding=enc, delimiter=delim)
    df, info = _frame(_read_csv_rows(text, delim), None)
    attrs.update(info)
    df.attrs.update(attrs)
    return df


# --- column-wise reading of large CSV files --------------------------------------------------


@dataclass
class Columns:
    """A CSV read column-wise: one string column per header (empty cells ""), data rows only.

    ``labels``: the row number in the file of each data row (as ``read_table`` labels them);
    ``attrs``: as ``read_table``'s ``df.attrs`` (``ragged`` and ``cleaned`` are always empty:
    files with such rows are read row by row).
    """

    table: pa.Table
    labels: np.ndarray
    attrs: dict[str, object]

    def frame(self, positions: np.ndarray | None = None) -> pd.DataFrame:
        """Rows (all, or those at ``positions``) as ``read_table`` would give them: raw cells, row labels."""
        table = self.table if positions is None else self.table.take(pa.array(positions, type=pa.int64()))
        labels = self.labels if positions is None else self.labels[positions]
        body = {name: table.column(name).to_pylist() for name in table.column_names}
        index = pd.Index([int(x) for x in labels], name="row", dtype=object)
        df = pd.DataFrame(body, columns=table.column_names, index=index, dtype=object)
        df.attrs.update(self.attrs)
        return df


_NOT_BLANK = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")  # a file that is more than blanks and a BOM
# Whitespace as str.strip() removes it (str.isspace): RE2 has no such class, so spelled out.
BLANK_RE = r"^[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\p{Z}]*$"
# A first cell that can be neither blank nor a 合计/总计 word: digits (序号) or a case number.
_PLAIN_FIRST = r"^(?:\d+|\(\d{4}\)[苏最][^\s]*)$"


def _head_text(data: bytes, encoding: str) -> str:
    """The start of a UTF-8 file as text, checked as ``_decode`` checks a whole file."""
    text = data[:2_000_000].decode(encoding, errors="ignore") if len(data) > 2_000_000 else _decode(data, encoding)
    sample = text[:100_000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\x00")
    if controls > max(3, len(sample) // 200) or "\ufffd" in sample[:2000]:
        raise ImportRefused(Problem("文件内容不是可读的文本表格", "the file content is not a readable text table"))
    return text.lstrip("\ufeff")


def _bad_quote(delimiter: str) -> re.Pattern[bytes]:
    """A double quote inside an unquoted cell or after a closing quote (parsers differ there)."""
    d = re.escape(delimiter.encode())
    return re.compile(rb'[^' + d + rb'\r\n"]"[^' + d + rb'\r\n"]')


def _byte_counts(raw: bytes) -> tuple[int, int]:
    """(control bytes ``_clean`` would remove, carriage returns) of a text, counted with numpy by blocks."""
    a = np.frombuffer(raw, dtype=np.uint8)
    controls = returns = 0
    step = 1 << 22
    for i in range(0, len(a), step):
        block = a[i : i + step]
        low = int(np.count_nonzero(block < 32))
        if low:  # tab, line feed and carriage return are text; other bytes below 32 are control bytes
            cr = int(np.count_nonzero(block == 13))
            low -= int(np.count_nonzero(block == 9)) + int(np.count_nonzero(block == 10)) + cr
            returns += cr
        controls += low + int(np.count_nonzero(block == 127))
    return controls, returns


def _combined(table: pa.Table) -> pa.Table:
    """One chunk per column, a column at a time (the chunks of each freed as it is copied)."""
    names = table.column_names
    parts: list[pa.ChunkedArray | None] = [table.column(i) for i in range(table.num_columns)]
    del table

    def one(i: int) -> pa.Array:
        col = parts[i]
        parts[i] = None
        assert col is not None
        return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="import") as pool:  # Arrow copies without the GIL
        out = list(pool.map(one, range(len(parts))))
    return pa.table(out, names=names)


def _arrow_csv(
    body: pa.Buffer, header: list[str], delim: str, quoted: bool, on_invalid: Callable[[object], str]
) -> pa.Table | None:
    """The body of a CSV file as string columns (None when Arrow cannot parse it)."""
    try:
        return pacsv.read_csv(
            body,
            read_options=pacsv.ReadOptions(column_names=header, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=quoted, invalid_row_handler=on_invalid,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def read_columns(data: bytes, filename: str, encoding: str | None = None) -> Columns | None:
    """A plain CSV file read column-wise with Arrow, or None when it needs ``read_table``.

    Row by row reading (``read_table``) remains for workbooks and for CSV files with anything
    its row-wise reader treats specially: control characters (removed with a note), rows longer
    or shorter than the header, lone CR line ends, quotes inside unquoted cells, a body of empty
    lines only. Blank rows (empty lines too) and a 合计/总计 line are skipped and counted here as
    there. The file's bytes are not copied (the body is a slice of them). The header row, title
    lines above it and the delimiter are found on the first lines with the same functions.
    Raises ImportRefused where ``read_table`` would (encoding, not a table).
    """
    if _NOT_BLANK.search(data) is None or data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    if Path(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return None
    enc = encoding or detect_encoding(data)
    if enc in ("utf-8", "utf-8-sig"):
        if encoding is not None and not is_utf8(data):  # chosen by the user: not yet checked like a detected one
            return None
        text_head = _head_text(data, enc)
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    else:
        text = _decode(data, enc)
        text_head, raw = text[:2_000_000], text.encode("utf-8")
        del text
    delim = _sniff_delimiter(text_head)
    reader = csv.reader(io.StringIO(text_head, newline=""), delimiter=delim)
    try:
        head_rows = [list(r) for _, r in zip(range(31), reader, strict=False)]
    except csv.Error:
        return None
    h = _header_index(head_rows)
    if h >= len(head_rows):
        return None
    # Physical lines up to the end of the header record: the body starts after as many "\n".
    replay = csv.reader(io.StringIO(text_head, newline=""), delimiter=delim)
    for _ in range(h + 1):
        next(replay)
    offset = 0
    for _ in range(replay.line_num):
        offset = raw.find(b"\n", offset) + 1
        if offset == 0:
            return None
    controls, returns = _byte_counts(raw)
    if (
        controls
        or (returns and returns != raw.count(b"\r\n"))
        or (b'"' in raw and _bad_quote(delim).search(raw) is not None)
    ):
        return None
    header = _unique_headers(head_rows[h])
    invalid: list[int] = []

    def on_invalid(_row: object) -> str:
        invalid.append(1)
        return "skip"

    if re.compile(rb"[^\r\n]").search(raw, offset) is not None:
        # The body without a copy; empty lines are rows (Arrow's default skips them): a blank
        # row where the header has one column, else a short row that sends the file to read_table.
        quoted = raw.find(b'"', offset) >= 0
        table = _arrow_csv(pa.py_buffer(raw).slice(offset), header, delim, quoted, on_invalid)
        if table is None:
            return None
    elif len(raw) > offset:  # only empty lines below the header: blank rows, counted by read_table
        return None
    else:
        table = pa.table({name: pa.array([], type=pa.string()) for name in header})
    if invalid:
        return None
    labels = np.arange(h + 2, h + 2 + table.num_rows, dtype=np.int64)
    blank = pc.match_substring_regex(table.column(header[0]), BLANK_RE).to_numpy(zero_copy_only=False)
    if blank.any():  # a blank row has every cell blank: the other columns only where the first is
        where = pa.array(np.flatnonzero(blank))
        for name in header[1:]:
            cells = table.column(name).take(where)
            blank[where.to_numpy()] &= pc.match_substring_regex(cells, BLANK_RE).to_numpy(zero_copy_only=False)
    first = table.column(header[0])
    unsure = ~pc.match_substring_regex(first, _PLAIN_FIRST).to_numpy(zero_copy_only=False) & ~blank
    total = np.zeros(table.num_rows, dtype=bool)
    if unsure.any():
        where = np.flatnonzero(unsure)
        rows = table.take(pa.array(where)).to_pylist()
        seen: dict[tuple[object, ...], bool] = {}
        for i, r in zip(where, rows, strict=True):
            key = tuple(r.values())
            if key not in seen:
                seen[key] = _is_total(list(key))
            total[i] = seen[key]
    keep = ~(blank | total)
    attrs: dict[str, object] = {
        "encoding": enc, "delimiter": delim, "sheet": None, "sheets": [], "skipped_sheets": [],
        "header_row": h + 1, "blank_rows": int(blank.sum()), "ragged": {}, "cleaned": {},
        "total_rows": [int(x) for x in labels[total]],
    }
    if not keep.all():
        table, labels = table.filter(pa.array(keep)), labels[keep]
    return Columns(_combined(table), labels, attrs)  # one chunk per column: checks use it as is
