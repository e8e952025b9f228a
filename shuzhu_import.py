"""Import a case list (CSV/XLSX) into the Shuzhu case store from the command line.

    python shuzhu_import.py FILE [--db PATH] [--mapping JSON] [--report OUT.csv|OUT.xlsx] [--dry-run] [--swap]

With --swap the file is imported into a copy of the store that then replaces it atomically, so
the app can keep serving meanwhile (DuckDB allows one writing process per file); the app reopens
the new file on its next page run. Without it, stop the app first.

Prints a bilingual summary. Exit codes: 0 imported (or validated with --dry-run), 1 the file
was refused (unreadable, too large, required columns missing, no valid row), 2 usage error or
the case store could not be opened.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from analytics import importer, store
from analytics.settings import load_settings

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2
SHOW_REJECTED = 10  # rejected rows printed; the full list is in --report


def _parser() -> argparse.ArgumentParser:
    """Command-line options."""
    p = argparse.ArgumentParser(description="导入案件清单到数助案件库 / import a case list into the Shuzhu store")
    p.add_argument("file", type=Path, help="CSV (UTF-8/GBK) or XLSX file")
    p.add_argument("--db", type=Path, help="case store (default: SHUZHU_DB / shuzhu.toml / data/shuzhu.duckdb)")
    p.add_argument("--mapping", type=Path, help="column mapping JSON saved from the import page or --save-mapping")
    p.add_argument("--save-mapping", type=Path, help="write the mapping used to this JSON file")
    p.add_argument("--report", type=Path, help="row report: .csv (UTF-8 with BOM) or .xlsx")
    p.add_argument("--dry-run", action="store_true", help="validate only; write nothing to the store")
    p.add_argument("--swap", action="store_true",
                   help="import into a copy of the store and swap it in atomically, so the app may keep serving "
                        "(it reopens the new file on its next page run)")
    p.add_argument("--encoding", help="text encoding, when detection is wrong (e.g. gb18030, utf-8)")
    p.add_argument("--max-mb", type=int, help="size limit in MB (default: settings import_max_mb)")
    p.add_argument("--kind", choices=("cases", "gov"), default="cases",
                   help="cases (案件清单) or gov (政务数据, long format: 区县, 年份, 指标, 数值, 单位, 来源, 可信度)")
    return p


def _fail(msg_zh: str, msg_en: str) -> int:
    """Print an error in both languages and return the error exit code."""
    print(f"错误: {msg_zh}\nerror: {msg_en}", file=sys.stderr)
    return EXIT_ERROR


def _unwritable(path: Path | None) -> tuple[str, str] | None:
    """Why an output file cannot be written (Chinese, English), or None."""
    if path is None:
        return None
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return "所在文件夹不存在", "its folder does not exist"
    if path.is_dir():
        return "是一个文件夹", "is a folder"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "没有写入权限", "not writable"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the import; returns the process exit code."""
    args = _parser().parse_args(argv)
    settings = load_settings()
    db = args.db or settings.db_path
    if not args.file.is_file():
        return _fail(f"找不到文件 {args.file}", f"file not found: {args.file}")
    # Output paths are checked before anything is read or written: a report that cannot be
    # written must not be discovered after the store has changed.
    for flag, out in (("--report", args.report), ("--save-mapping", args.save_mapping)):
        problem = _unwritable(out)
        if problem:
            return _fail(f"{flag} {out}: {problem[0]}", f"{flag} {out}: {problem[1]}")
    if args.report and args.report.suffix.lower() not in (".csv", ".xlsx"):
        return _fail(
            f"--report 须为 .csv 或 .xlsx 文件: {args.report}", f"--report must be a .csv or .xlsx file: {args.report}"
        )
    if args.kind == "gov":  # government data: validation and atomic load in analytics/govdata.py
        from analytics import govdata

        return govdata.cli_run(args.file, db, dry_run=args.dry_run, report=args.report)
    mapping = None
    if args.mapping:
        try:
            mapping = importer.mapping_from_json(args.mapping.read_text(encoding="utf-8-sig"))
        except (OSError, importer.ImportRefused) as exc:
            return _fail(f"映射文件无法使用: {exc}", f"mapping file unusable: {exc}")
    if args.swap and not args.dry_run:
        if not db.is_file():
            return _fail(f"案件库不存在: {db}", f"case store not found: {db}")
        try:
            def write(c: duckdb.DuckDBPyConnection) -> importer.ImportSummary:
                importer.limit_memory(c)
                return importer.import_file(c, args.file.read_bytes(), args.file.name, mapping,
                                            max_mb=args.max_mb or settings.import_max_mb, encoding=args.encoding)

            summary = store.write_beside(db, write)
        except (OSError, duckdb.Error, store.StoreError) as exc:
            return _fail(f"导入未完成, 案件库未改变: {exc}", f"import not done, the store is unchanged: {exc}")
        return _finish(args, summary)
    con: duckdb.DuckDBPyConnection | None = None
    if db.is_file():
        try:
            con = store.open_store(db, read_only=args.dry_run)
            importer.limit_memory(con)
        except duckdb.Error as exc:
            return _fail(
                f"无法打开案件库 {db}(是否正被其他程序写入?): {exc}",
                f"cannot open the case store {db} (in use by another writer?): {exc}",
            )
    elif not args.dry_run:
        return _fail(
            f"案件库不存在: {db}(先启动一次应用以生成, 或用 --db 指定)",
            f"case store not found: {db} (start the app once, or pass --db)",
        )
    try:
        summary = importer.import_file(
            con,
            args.file.read_bytes(),
            args.file.name,
            mapping,
            dry_run=args.dry_run,
            max_mb=args.max_mb or settings.import_max_mb,
            encoding=args.encoding,
        )
    finally:
        if con is not None:
            con.close()
    return _finish(args, summary)


def _finish(args: argparse.Namespace, summary: importer.ImportSummary) -> int:
    """Print the summary and rejected rows, write the report and mapping; the exit code."""
    print("\n".join(summary.lines()))
    rejected = summary.report[summary.report["status"] == importer.REJECTED]
    for row in rejected.head(SHOW_REJECTED).itertuples():
        print(f"  第 {row.row} 行 / row {row.row} [{row.case_no}]: {row.reason_zh} / {row.reason_en}")
    if len(rejected) > SHOW_REJECTED:
        print(f"  … 另有 {len(rejected) - SHOW_REJECTED} 行被拒绝 / {len(rejected) - SHOW_REJECTED} more rejected rows")
    kept = summary.report[summary.report["reason_en"].fillna("").str.contains(importer.KEPT_EN, regex=False)]
    for row in kept.head(SHOW_REJECTED).itertuples():
        print(f"  第 {row.row} 行 / row {row.row} [{row.case_no}]: {importer.KEPT_ZH} / {importer.KEPT_EN}")
    if args.report and not summary.report.empty:
        kind = "xlsx" if args.report.suffix.lower() == ".xlsx" else "csv"
        args.report.write_bytes(importer.report_bytes(summary.report, kind))
        print(f"报告已写入 / report written: {args.report}")
    if args.save_mapping and summary.mapping:
        args.save_mapping.write_text(importer.mapping_to_json(summary.mapping), encoding="utf-8")
        print(f"映射已保存 / mapping saved: {args.save_mapping}")
    return EXIT_REFUSED if summary.refused else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
