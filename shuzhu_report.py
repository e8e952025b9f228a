"""Draft an assessment report (.docx) from the command line, e.g. for scheduled monthly reports.

    python shuzhu_report.py --kind trial --from 2025-01-01 --to 2025-12-31 --court 苏0682 --out report.docx
    python shuzhu_report.py --kind trial --query "cat=民事&court=苏0602,苏0612" --brief --out brief.docx

The filters are those of the app's URL (the same keys and values: ``--query`` takes a copied
link's query string, the flags set single keys) and are checked the same way. The store is the
configured one (SHUZHU_DB / shuzhu.toml, ``analytics.settings.load_settings``). Exit codes: 0 report
written, 2 bad arguments or the store cannot be opened (a message in Chinese and English). DuckDB
lets one process use a store file while it writes: run it when the app is stopped, or on a copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl

import duckdb

from analytics import filters as F
from analytics import maps, store
from analytics.report import available_kinds, build_report
from analytics.settings import load_settings

USAGE_ERROR = 2
# flag -> the URL key it sets (analytics.filters.KEYS)
FILTER_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("--court", "court", "法院代码 / court code, e.g. 苏0682"),
    ("--category", "cat", "案件类别 / category"),
    ("--cause-group", "grp", "案由/罪名上级 / cause group"),
    ("--cause", "cause", "案由/罪名 / cause"),
    ("--procedure", "proc", "审级/程序 / procedure"),
    ("--outcome", "out", "结案方式 / outcome (未结 = pending)"),
)


class _Parser(argparse.ArgumentParser):
    """argparse with a bilingual error message and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"错误: 参数无效 ({message})\nerror: invalid arguments: {message}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)


def _parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    kinds = available_kinds()
    p = _Parser(description="生成评估报告 (.docx) / draft an assessment report (.docx)")
    p.add_argument("--kind", default="trial", help=f"报告类型 / report kind: {', '.join(kinds)} (default trial)")
    p.add_argument("--from", dest="start", help="起始日期 / first day, YYYY-MM-DD (default: 1 Jan of the last year)")
    p.add_argument("--to", dest="end", help="截止日期 / last day, YYYY-MM-DD (default: the last day with data)")
    p.add_argument("--query", default="",
                   help="筛选，同网址参数 / filters as in the app's URL, e.g. 'cat=民事&d=320682'")
    for flag, key, what in FILTER_FLAGS:
        p.add_argument(flag, dest=f"f_{key}", nargs="+", action="extend", default=[], help=f"{what}; repeatable")
    p.add_argument("--district", help="区县代码 / district adcode, e.g. 320682")
    p.add_argument("--brief", action="store_true", help="一页简报 / the one-page brief")
    p.add_argument("--out", type=Path, required=True, help="输出文件 / output .docx")
    return p


def _fail(msg_zh: str, msg_en: str) -> int:
    """Print an error in both languages and return the usage-error exit code."""
    print(f"错误: {msg_zh}\nerror: {msg_en}", file=sys.stderr)
    return USAGE_ERROR


def _date(raw: str | None, what: str) -> dt.date | None:
    """An ISO date argument (None when absent); ValueError with a bilingual message when bad."""
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{what}日期无效：{raw}（应为 YYYY-MM-DD） / "
                         f"invalid {what} date {raw!r} (YYYY-MM-DD)") from None


def _filter(args: argparse.Namespace, start: dt.date, end: dt.date,
            options: F.FilterOptions) -> tuple[F.CaseFilter, list[str]]:
    """The case filter from --query and the flags, validated like a URL (warnings = rejected values)."""
    params: dict[str, str] = dict(parse_qsl(args.query, keep_blank_values=False))
    for _flag, key, _what in FILTER_FLAGS:
        values = getattr(args, f"f_{key}")
        if values:
            params[key] = F.SEP.join(v for raw in values for v in raw.split(F.SEP))
    if args.district:
        params[F.DISTRICT_KEY] = args.district
    params[F.YEAR_KEY] = f"{start.year}-{end.year}"
    return F.parse_query_params(params, options)


def main(argv: list[str] | None = None) -> int:
    """Write the report; returns the process exit code."""
    args = _parser().parse_args(argv)
    kinds = available_kinds()
    if args.kind not in kinds:
        return _fail(f"未知的报告类型：{args.kind}（可选：{'、'.join(kinds)}）",
                     f"unknown report kind {args.kind!r} (choose from {', '.join(kinds)})")
    try:
        start, end = _date(args.start, "起始"), _date(args.end, "截止")
    except ValueError as exc:
        zh, en = str(exc).split(" / ", 1)
        return _fail(zh, en)
    if args.out.suffix.lower() != ".docx":
        return _fail(f"输出文件应以 .docx 结尾：{args.out}", f"the output file must end in .docx: {args.out}")
    settings = load_settings()
    if not settings.db_path.is_file():
        return _fail(f"找不到案件库：{settings.db_path}（请先启动应用一次，或设置 SHUZHU_DB）",
                     f"case store not found: {settings.db_path} (start the app once, or set SHUZHU_DB)")
    try:
        # The same configuration as the app: DuckDB refuses a second connection to a file with
        # another configuration in one process (and any connection while another process writes).
        con = store.open_store(settings.db_path, read_only=False)
    except duckdb.Error as exc:
        return _fail(f"无法打开案件库 {settings.db_path}：{exc}",
                     f"cannot open the case store {settings.db_path}: {exc}")
    with con:
        as_of = maps.data_as_of(con)
        end = end or as_of
        start = start or dt.date(end.year, 1, 1)
        if start > end:
            return _fail(f"起始日期 {start} 晚于截止日期 {end}", f"start {start} is after end {end}")
        options = F.load_options(con)
        if start.year > options.year_max or end.year < options.year_min:
            return _fail(f"统计期间 {start}—{end} 超出数据范围（{options.year_min}—{options.year_max}年）",
                         f"period {start}..{end} lies outside the data ({options.year_min}-{options.year_max})")
        flt, warnings = _filter(args, start, end, options)
        if warnings:
            return _fail("；".join(w.split(" / ")[0] for w in warnings),
                         "; ".join(w.split(" / ", 1)[-1] for w in warnings))
        from ui.docx_writer import write_docx  # rendering stack (python-docx, vl-convert): after validation

        report = build_report(con, args.kind, flt, start, end, brief=args.brief,
                              ranges=settings.indicator_ranges)
        data = write_docx(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"已生成 {args.out}（{len(data) / 1024:.0f} KB） / wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
