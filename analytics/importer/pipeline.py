"""The whole chain for one file: read -> map -> validate -> load, and its summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analytics import export, store
from analytics.casenumber import Problem
from analytics.importer.columnar import validate_columns
from analytics.importer.columns import guess_mapping
from analytics.importer.errors import ImportRefused, StoreError
from analytics.importer.load import first_year, mark_kept, store_adcodes, store_causes
from analytics.importer.read import ENCODING_LABELS, check_size, read_columns, read_table
from analytics.importer.validate import (
    ACCEPTED,
    CORRECTED,
    REJECTED,
    REPORT_COLUMNS,
    STATUS_ZH,
    Progress,
    _reasons,
    validate,
)

# --- import --------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did, for the page and the command line."""

    filename: str
    size_bytes: int
    refused: bool
    problems: list[Problem]
    notes: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    blank_rows: int = 0
    accepted: int = 0  # includes corrected
    corrected: int = 0
    rejected: int = 0
    loaded: bool = False
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    kept: int = 0  # rows older than the stored version of their case: the stored one was kept
    report: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REPORT_COLUMNS)))

    @property
    def message(self) -> Problem:
        """One bilingual sentence saying how the import went."""
        if self.refused:
            zh, en = _reasons(self.problems)
            return Problem(f"文件未导入: {zh}", f"file not imported: {en}")
        n, ok, fixed, bad = self.rows, self.accepted, self.corrected, self.rejected
        counts_zh = f"共 {n} 行: 接受 {ok} 行(其中更正 {fixed} 行), 拒绝 {bad} 行"
        counts_en = f"{n} rows: {ok} accepted ({fixed} corrected), {bad} rejected"
        if not self.loaded:
            return Problem(f"仅校验未写入; {counts_zh}", f"validated only, nothing written; {counts_en}")
        return Problem(
            f"导入完成; {counts_zh}; 新增 {self.inserted}, 更新 {self.replaced}, 未变 {self.unchanged}"
            f", 旧于库中版本而保留库中版本 {self.kept}",
            f"import done; {counts_en}; {self.inserted} new, {self.replaced} replaced, {self.unchanged} unchanged"
            f", {self.kept} older than stored (kept stored)",
        )

    def lines(self) -> list[str]:
        """A printable summary, one fact a line, Chinese then English."""
        out = [f"文件 / file: {self.filename} ({self.size_bytes:,} bytes)"]
        if self.encoding:
            out.append(f"编码 / encoding: {ENCODING_LABELS.get(self.encoding, self.encoding)}")
        if self.sheet:
            out.append(f"工作表 / sheet: {self.sheet}")
        if self.mapping:
            out.append("映射 / mapping: " + ", ".join(f"{s} -> {t}" for s, t in self.mapping.items()))
        m = self.message
        out += [m.zh, m.en]
        out += [str(n) for n in self.notes]
        if self.blank_rows:
            out.append(f"跳过空行 {self.blank_rows} 行 / {self.blank_rows} blank rows skipped")
        return out


def report_table(report: pd.DataFrame) -> pd.DataFrame:
    """The row report with Chinese + English headers and statuses, for display and download."""
    return pd.DataFrame(
        {
            "行号 row": report["row"],
            "案号 case_no": report["case_no"],
            "状态 status": report["status"].map(lambda s: f"{STATUS_ZH.get(s, s)} {s}"),
            "原因": report["reason_zh"],
            "reason": report["reason_en"],
        }
    )


def report_bytes(report: pd.DataFrame, kind: str = "csv") -> bytes:
    """The row report as CSV (UTF-8 with BOM) or XLSX, formula-like text neutralised."""
    table = report_table(report)
    return export.to_xlsx_bytes(table, "导入报告") if kind == "xlsx" else export.to_csv_bytes(table)


def file_notes(attrs: Mapping[str, object]) -> list[Problem]:
    """File-level remarks of the read step (``df.attrs``): sheets read and skipped, 合计 rows skipped."""
    notes: list[Problem] = []
    sheets: list[tuple[str, int]] = attrs.get("sheets") or []  # type: ignore[assignment]
    if len(sheets) > 1:
        parts = ", ".join(f"{name} {n}" for name, n in sheets)
        notes.append(
            Problem(f"读取了 {len(sheets)} 个工作表(数据行): {parts}", f"{len(sheets)} sheets read (rows): {parts}")
        )
    skipped: list[str] = attrs.get("skipped_sheets") or []  # type: ignore[assignment]
    if skipped:
        names = ", ".join(map(str, skipped))
        notes.append(
            Problem(f"跳过无案件表头的工作表: {names}", f"sheets without a case-list header skipped: {names}")
        )
    for label in attrs.get("total_rows") or []:  # type: ignore[attr-defined]
        notes.append(Problem(f"第 {label} 行为合计/总计行, 已跳过", f"row {label} is a total line: skipped"))
    return notes


def import_file(
    con: duckdb.DuckDBPyConnection | None,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    *,
    dry_run: bool = False,
    max_mb: int | None = None,
    encoding: str | None = None,
    today: date | None = None,
    fast: bool = True,
) -> ImportSummary:
    """Read, validate and (unless dry_run or con is None) load a file; never raises on bad input.

    ``fast``: a plain CSV is read and checked column-wise (``read.read_columns``,
    ``columnar.validate_columns``), with the row path only for rows that need a message; False
    checks every row with the row path (the reference the column-wise path is tested against).
    """
    progress = progress or (lambda _f, _m: None)
    if max_mb is None:
        from analytics.settings import load_settings

        max_mb = load_settings().import_max_mb
    summary = ImportSummary(filename, len(data), refused=True, problems=[])
    too_big = check_size(len(data), max_mb)
    if too_big:
        summary.problems = [too_big]
        return summary
    progress(0.02, "读取文件 / reading the file")
    try:
        cols = read_columns(data, filename, encoding) if fast else None
        df = read_table(data, filename, encoding) if cols is None else None
    except ImportRefused as exc:
        summary.problems = [exc.problem]
        return summary
    attrs = cols.attrs if cols is not None else df.attrs  # type: ignore[union-attr]
    columns = cols.table.column_names if cols is not None else list(df.columns)  # type: ignore[union-attr]
    summary.encoding, summary.sheet = attrs.get("encoding"), attrs.get("sheet")  # type: ignore[assignment]
    summary.blank_rows = int(attrs.get("blank_rows", 0))  # type: ignore[call-overload]
    summary.rows = cols.table.num_rows if cols is not None else len(df)  # type: ignore[arg-type]
    summary.mapping = dict(mapping) if mapping is not None else guess_mapping(columns)
    if summary.rows == 0 or not columns:
        summary.problems = [
            Problem("文件没有数据行(只有表头或为空)", "the file has no data rows (header only or empty)")
        ]
        return summary
    summary.notes = file_notes(attrs)
    check = validate_columns if cols is not None else validate
    # Nothing is loaded on a dry run: the column-wise path then makes the report only.
    table_wanted = {} if cols is None or not (dry_run or con is None) else {"build_accepted": False}
    result = check(
        cols if cols is not None else df,  # type: ignore[arg-type]
        summary.mapping,
        causes=store_causes(con) if con is not None else None,
        first_year=first_year(con),
        origin_lookup=(lambda nos: store_adcodes(con, nos)) if con is not None else None,
        today=today,
        progress=lambda f, m: progress(0.05 + 0.85 * f, m),
        **table_wanted,  # type: ignore[arg-type]
    )
    del cols, df  # the raw cells: only the accepted rows and the report are needed from here on
    pa.default_memory_pool().release_unused()
    counts = result.counts
    summary.report, summary.notes = result.report, summary.notes + result.notes
    summary.accepted = counts[ACCEPTED] + counts[CORRECTED]
    summary.corrected, summary.rejected = counts[CORRECTED], counts[REJECTED]
    if result.problems:
        summary.problems = result.problems
        if encoding is None and summary.encoding not in (None, "utf-8", "utf-8-sig"):
            enc = ENCODING_LABELS.get(summary.encoding, summary.encoding)
            summary.notes.append(
                Problem(
                    f"识别的编码为 {enc}; 如表头显示为乱码, 请指定编码",
                    f"detected encoding {enc}; if headers look garbled, choose the encoding",
                )
            )
        return summary
    if summary.accepted == 0:
        summary.problems = [Problem("所有行均被拒绝, 见逐行报告", "every row was rejected; see the row report")]
        return summary
    summary.refused = False
    if dry_run or con is None:
        progress(1.0, "校验完成 / validated")
        return summary
    progress(0.92, "写入案件库 / writing to the case store")
    up = store.upsert_cases(con, result.accepted, dict(result.versions), result.absent)
    summary.loaded = True
    summary.inserted, summary.replaced, summary.unchanged = up.inserted, up.replaced, up.unchanged
    summary.kept = up.kept
    if up.kept:
        summary.report = mark_kept(summary.report, set(up.kept_case_nos))
    progress(1.0, "完成 / done")
    return summary


# DuckDB's memory for a load by the command line (the default is 80% of the machine's memory:
# a 1M-row import would keep ~1 GB of buffers beyond the ~0.85 GB the import itself holds when
# the load starts: the file's bytes, the accepted rows, the report). The summary rebuild in the
# same transaction reads the whole store, so a big store needs more: at 10M cases it spills to
# disk under 1 GB (an export of 3,551 cases, idle machine: 22.75 s under 1 GB, 20.8 s under
# 2.4 GB; refresh peak ~2.1 GB). Hence 256 bytes per stored case (2.4 GB at 10M), at least 1 GB.
IMPORT_MEMORY_MB = 1024
MEMORY_BYTES_PER_CASE = 256


def import_memory_mb(cases: int) -> int:
    """DuckDB's memory limit (MB) for an import into a store of ``cases`` cases."""
    return max(IMPORT_MEMORY_MB, cases * MEMORY_BYTES_PER_CASE // 2**20)


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str | None = None) -> None:
    """Cap DuckDB's memory on an import connection (it spills to disk beyond); not on a locked one (the app's).

    Without ``limit``: ``import_memory_mb`` of the store's number of cases.
    """
    if store._locked(con):
        return
    if limit is None:
        try:
            (cases,) = con.execute("SELECT count(*) FROM cases").fetchone()  # type: ignore[misc]
        except duckdb.Error:  # a new store: no case table yet
            cases = 0
        limit = f"{import_memory_mb(int(cases))}MB"
    con.execute(f"SET memory_limit = '{limit}'")


def import_into(
    db_path: Path | str,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    **kwargs: object,
) -> ImportSummary:
    """``import_file`` through a writable connection of its own, closed afterwards.

    For callers that serve from another connection (the app): they refresh their caches after.
    Raises ``StoreError`` when the store cannot be opened (missing, locked by another process)
    or the load fails and is rolled back; the store is then unchanged.
    """
    try:
        con = store.open_store(Path(db_path), read_only=False)
    except (OSError, duckdb.Error) as exc:
        raise StoreError(str(exc)) from exc
    try:
        return import_file(con, data, filename, mapping, progress, **kwargs)  # type: ignore[arg-type]
    except duckdb.Error as exc:  # upsert_cases rolled back: nothing was written
        raise StoreError(str(exc)) from exc
    finally:
        con.close()
