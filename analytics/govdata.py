"""Government data (政务数据): district x year x indicator values with unit, source and confidence.

The second data kind beside cases. Shipped values (``geodata/gov_indicators.csv``) come from
public statistics bulletins, each with its source and a confidence (high / medium / low); a
value we could not find is absent, never estimated. A court imports what its statistics bureau
gives it (long format CSV/XLSX: district, year, indicator, value, unit, source, confidence)
through the import page or ``shuzhu_import.py --kind gov``; rows are validated one by one
(accepted + rejected = rows) and loaded in one transaction into the store table
``gov_indicators``, which starts as a copy of the shipped values.

Denominators for the index (``denominators``): a year uses the government values only when all
7 districts have one for that year (so districts are never compared on mixed sources); otherwise
the census nearest in time. Enterprises (企业户数) are not published per district in any source
we have: until imported, indices per 1,000 enterprises fall back to population, flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics import export, importer, store
from analytics.casenumber import Problem
from geodata import DISTRICT_ADCODES, district_names

TABLE = "gov_indicators"
SHIPPED_PATH = Path(__file__).resolve().parent.parent / "geodata" / "gov_indicators.csv"
COLUMNS = ("adcode", "year", "indicator", "value", "unit", "source", "confidence", "note")
DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  adcode INTEGER NOT NULL, year INTEGER NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE NOT NULL,
  unit VARCHAR NOT NULL, source VARCHAR NOT NULL, confidence VARCHAR NOT NULL, note VARCHAR,
  PRIMARY KEY (adcode, year, indicator))"""


@dataclass(frozen=True)
class Indicator:
    """A known indicator: Chinese label and canonical unit."""

    label: str
    unit: str


INDICATORS: dict[str, Indicator] = {
    "population_census": Indicator("常住人口（人口普查）", "人"),
    "population": Indicator("年末常住人口", "人"),
    "enterprises": Indicator("企业户数", "户"),
    "market_entities": Indicator("市场主体户数", "户"),
    "gdp": Indicator("地区生产总值", "亿元"),
    "registered_unemployed": Indicator("城镇登记失业人员", "人"),
    "registered_unemployment_rate": Indicator("城镇登记失业率", "%"),
}
# (canonical unit, unit given) -> factor to the canonical unit.
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("人", "万人"): 10_000.0, ("户", "万户"): 10_000.0, ("户", "家"): 1.0, ("户", "个"): 1.0,
    ("亿元", "万元"): 1e-4, ("亿元", "元"): 1e-8,
}
CONFIDENCE = {"high": "high", "medium": "medium", "low": "low", "高": "high", "中": "medium", "低": "low"}
YEAR_MIN = 2000
# Header aliases of the long format (lower-cased, spaces removed).
HEADERS: dict[str, str] = {
    "adcode": "adcode", "区划代码": "adcode", "行政区划代码": "adcode", "district": "adcode", "区县": "adcode",
    "地区": "adcode", "year": "year", "年份": "year", "年度": "year", "indicator": "indicator", "指标": "indicator",
    "指标代码": "indicator", "value": "value", "数值": "value", "值": "value", "unit": "unit", "单位": "unit",
    "source": "source", "来源": "source", "数据来源": "source", "confidence": "confidence", "可信度": "confidence",
    "note": "note", "备注": "note",
}
REQUIRED = ("adcode", "year", "indicator", "value", "source")
ACCEPTED, CORRECTED, REJECTED = "accepted", "corrected", "rejected"
STATUS_ZH = {ACCEPTED: "接受", CORRECTED: "已更正", REJECTED: "拒绝"}


def shipped() -> pd.DataFrame:
    """The values shipped with the app (public bulletins), one row per district-year-indicator."""
    df = pd.read_csv(SHIPPED_PATH, dtype={"note": "string", "source": "string"})
    df["note"] = df["note"].fillna("")
    return df[list(COLUMNS)]


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [TABLE]).fetchall()
    return bool(rows and rows[0][0])


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``gov_indicators`` in the store, seeded with the shipped values, if it is absent."""
    if _has_table(con):
        return
    con.execute(DDL)
    rows = shipped()
    con.register("gov_shipped", rows)
    try:
        con.execute(f"INSERT INTO {TABLE} SELECT {', '.join(COLUMNS)} FROM gov_shipped")
    finally:
        con.unregister("gov_shipped")


def load(con: duckdb.DuckDBPyConnection | None) -> pd.DataFrame:
    """All government values: the store table when it exists (shipped + imported), else the shipped file."""
    if con is None or not _has_table(con):
        return shipped()
    df = con.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} ORDER BY indicator, year, adcode").df()
    df["note"] = df["note"].fillna("")
    return df


def display_table(df: pd.DataFrame) -> pd.DataFrame:
    """Government values with district names and Chinese headers."""
    names = district_names()
    return pd.DataFrame({
        "区县": df["adcode"].map(names), "区划代码": df["adcode"], "年份": df["year"],
        "指标": df["indicator"].map(lambda i: INDICATORS[i].label if i in INDICATORS else i),
        "指标代码": df["indicator"], "数值": df["value"], "单位": df["unit"], "来源": df["source"],
        "可信度": df["confidence"], "备注": df["note"],
    })


# --- denominators -----------------------------------------------------------------------------


def _complete_years(df: pd.DataFrame, indicator: str) -> dict[int, dict[int, float]]:
    """Years in which every district has ``indicator``: year -> {adcode: value}."""
    sub = df[df["indicator"] == indicator]
    out: dict[int, dict[int, float]] = {}
    for year, grp in sub.groupby("year"):
        vals = {int(a): float(v) for a, v in zip(grp["adcode"], grp["value"], strict=True)}
        if all(a in vals for a in DISTRICT_ADCODES):
            out[int(year)] = vals
    return out


def _nearest(years: list[int], year: int, prefer_earlier: bool) -> int | None:
    """The latest complete year <= year (else the earliest after), or the nearest in time."""
    if not years:
        return None
    if prefer_earlier:
        before = [y for y in years if y <= year]
        return max(before) if before else min(years)
    return min(years, key=lambda y: (abs(y - year), -y))


def denominators(gov: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Population and enterprises per district and year, with where each came from.

    Population: year-end resident population of that year (or the latest earlier complete year)
    when all districts have it; else the census nearest in time (2020 for 2016-2025).
    Enterprises: 企业户数, else 市场主体户数, chosen the same way; when neither exists for all
    districts, the population is used instead and ``enterprises_fallback`` is True.
    """
    pop = _complete_years(gov, "population")
    census = _complete_years(gov, "population_census")
    ent = _complete_years(gov, "enterprises")
    market = _complete_years(gov, "market_entities")
    rows = []
    for year in years:
        y_pop = _nearest(sorted(pop), year, prefer_earlier=True)
        if y_pop is not None and y_pop <= year:
            p_vals, p_src = pop[y_pop], f"年末常住人口 {y_pop}"
        else:
            y_c = _nearest(sorted(census), year, prefer_earlier=False)
            if y_c is None:
                raise ValueError("没有完整的人口数据 / no complete population figures for the districts")
            p_vals, p_src = census[y_c], f"人口普查 {y_c}"
        e_vals, e_src, fallback = p_vals, f"以人口代替（{p_src}）", True
        for table, label in ((ent, "企业户数"), (market, "市场主体户数")):
            y_e = _nearest(sorted(table), year, prefer_earlier=True)
            if y_e is not None:
                e_vals, e_src, fallback = table[y_e], f"{label} {y_e}", False
                break
        for a in DISTRICT_ADCODES:
            rows.append((a, year, p_vals[a], p_src, e_vals[a], e_src, fallback))
    return pd.DataFrame(rows, columns=["adcode", "year", "population", "population_source", "enterprises",
                                       "enterprises_source", "enterprises_fallback"])


# --- import -----------------------------------------------------------------------------------


@dataclass
class GovImportSummary:
    """What a government-data import did (for the page and the command line)."""

    filename: str
    rows: int = 0
    accepted: int = 0  # includes corrected
    corrected: int = 0
    rejected: int = 0
    refused: bool = True
    loaded: bool = False
    written: int = 0
    problems: list[Problem] = field(default_factory=list)
    report: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "key", "status", "reason_zh", "reason_en"]))
    accepted_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COLUMNS)))

    @property
    def message(self) -> Problem:
        """One bilingual sentence on the outcome."""
        if self.refused:
            zh = "; ".join(p.zh for p in self.problems)
            en = "; ".join(p.en for p in self.problems)
            return Problem(f"文件未导入: {zh}", f"file not imported: {en}")
        counts_zh = f"共 {self.rows} 行: 接受 {self.accepted} 行(其中更正 {self.corrected} 行), 拒绝 {self.rejected} 行"
        counts_en = f"{self.rows} rows: {self.accepted} accepted ({self.corrected} corrected), {self.rejected} rejected"
        if not self.loaded:
            return Problem(f"仅校验未写入; {counts_zh}", f"validated only, nothing written; {counts_en}")
        return Problem(f"导入完成; {counts_zh}; 写入 {self.written} 条",
                       f"import done; {counts_en}; {self.written} written")

    def lines(self) -> list[str]:
        """Printable summary: message, then every rejected row."""
        m = self.message
        out = [f"文件 / file: {self.filename}", m.zh, m.en]
        bad = self.report[self.report["status"] == REJECTED]
        out += [f"  第 {r.row} 行 / row {r.row}: {r.reason_zh} / {r.reason_en}" for r in bad.itertuples()]
        return out


def _district_lookup() -> dict[str, int]:
    """Accepted spellings of a district: adcode, full name, short name (崇川 also by its pre-2020 code)."""
    out: dict[str, int] = {}
    ref = pd.read_csv(Path(__file__).resolve().parent.parent / "geodata" / "districts_reference.csv")
    for a, name, short in zip(ref["adcode"], ref["name"], ref["name_short"], strict=True):
        if pd.notna(a):
            out.update({str(int(a)): int(a), str(name): int(a), str(short): int(a)})
    out["320602"] = 320613  # 崇川区's code before the 2020 merger with 港闸区
    return out


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return text[:-2] if re.fullmatch(r"-?\d+\.0", text) else text


def validate_rows(table: pd.DataFrame, today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Check every row of a long-format table: (accepted rows, row report, whole-file problems)."""
    today = today or date.today()
    cols: dict[str, str] = {}
    for c in table.columns:
        key = HEADERS.get(re.sub(r"\s+", "", str(c)).lower())
        if key and key not in cols.values():
            cols[str(c)] = key
    missing = [k for k in REQUIRED if k not in cols.values()]
    if missing:
        return (pd.DataFrame(columns=list(COLUMNS)), pd.DataFrame(columns=["row", "key", "status", "reason_zh",
                                                                          "reason_en"]),
                [Problem(f"缺少必需的列: {', '.join(missing)}", f"required column(s) missing: {', '.join(missing)}")])
    by_key = {v: k for k, v in cols.items()}
    districts = _district_lookup()
    seen: dict[tuple[int, int, str], int] = {}
    accepted: list[dict[str, object]] = []
    report: list[tuple[int, str, str, str, str]] = []
    for number, raw in table.iterrows():
        cell = {k: _cell(raw[c]) for k, c in by_key.items()}
        bad: list[Problem] = []
        fixes: list[Problem] = []
        adcode = districts.get(cell["adcode"])
        if adcode is None:
            bad.append(Problem(f"未知的区县 '{cell['adcode']}'（仅限南通7个区县）",
                               f"unknown district '{cell['adcode']}' (the 7 Nantong districts only)"))
        elif cell["adcode"] == "320602":
            fixes.append(Problem("崇川区旧代码 320602 已改为 320613", "old 崇川 code 320602 changed to 320613"))
        year: int | None = None
        if re.fullmatch(r"\d{4}", cell["year"].removesuffix("年")):
            year = int(cell["year"].removesuffix("年"))
            if not YEAR_MIN <= year <= today.year:
                bad.append(Problem(f"年份 {year} 超出范围 {YEAR_MIN}-{today.year}",
                                   f"year {year} out of range {YEAR_MIN}-{today.year}"))
                year = None
        else:
            bad.append(Problem(f"年份 '{cell['year']}' 不是四位整数", f"year '{cell['year']}' is not a 4-digit year"))
        ind = cell["indicator"]
        known = INDICATORS.get(ind)
        if known is None:
            bad.append(Problem(f"未知指标 '{ind}'（可用: {', '.join(INDICATORS)}）",
                               f"unknown indicator '{ind}' (known: {', '.join(INDICATORS)})"))
        value: float | None = None
        text = cell["value"].replace(",", "").replace("，", "")
        try:
            value = float(text)
            if not math.isfinite(value) or value < 0:
                bad.append(Problem(f"数值 '{cell['value']}' 不能为负或无穷",
                                   f"value '{cell['value']}' must be finite and >= 0"))
        except ValueError:
            bad.append(Problem(f"数值 '{cell['value']}' 不是数字", f"value '{cell['value']}' is not a number"))
        unit = cell.get("unit", "")
        if known is not None and value is not None:
            if not unit:
                unit = known.unit
                fixes.append(Problem(f"单位缺失，按 {known.unit} 计", f"unit missing, taken as {known.unit}"))
            elif unit != known.unit:
                factor = UNIT_FACTORS.get((known.unit, unit))
                if factor is None:
                    bad.append(Problem(f"单位 '{unit}' 与指标单位 {known.unit} 不符",
                                       f"unit '{unit}' does not match the indicator's unit {known.unit}"))
                else:
                    value *= factor
                    fixes.append(Problem(f"单位 {unit} 已换算为 {known.unit}",
                                         f"unit {unit} converted to {known.unit}"))
                    unit = known.unit
        if not cell["source"]:
            bad.append(Problem("缺少来源", "source missing"))
        conf_raw = cell.get("confidence", "").lower()
        confidence = CONFIDENCE.get(conf_raw)
        if not conf_raw:
            confidence = "low"
            fixes.append(Problem("未注明可信度，按 low 计", "confidence missing, set to low"))
        elif confidence is None:
            bad.append(Problem(f"可信度 '{cell['confidence']}' 无效（high/medium/low）",
                               f"invalid confidence '{cell['confidence']}' (high/medium/low)"))
        key_text = f"{cell['adcode']}|{cell['year']}|{ind}"
        if not bad and adcode is not None and year is not None:
            key = (adcode, year, ind)
            if key in seen:
                bad.append(Problem(f"与第 {seen[key]} 行重复（区县、年份、指标相同）",
                                   f"duplicate of row {seen[key]} (same district, year and indicator)"))
            else:
                seen[key] = int(number)
        if bad:
            report.append((int(number), key_text, REJECTED, "; ".join(p.zh for p in bad), "; ".join(p.en for p in bad)))
            continue
        status = CORRECTED if fixes else ACCEPTED
        report.append((int(number), key_text, status, "; ".join(p.zh for p in fixes), "; ".join(p.en for p in fixes)))
        accepted.append({"adcode": adcode, "year": year, "indicator": ind, "value": value, "unit": unit,
                         "source": cell["source"], "confidence": confidence, "note": cell.get("note", "")})
    rep = pd.DataFrame(report, columns=["row", "key", "status", "reason_zh", "reason_en"])
    return pd.DataFrame(accepted, columns=list(COLUMNS)), rep, []


def import_gov(con: duckdb.DuckDBPyConnection | None, data: bytes, filename: str, *, dry_run: bool = False,
               today: date | None = None) -> GovImportSummary:
    """Read, validate and (unless dry_run or con is None) load a long-format file; never raises on bad input.

    Loading is one transaction: rows replace older values with the same district, year and
    indicator; on any failure nothing is written.
    """
    summary = GovImportSummary(filename)
    try:
        table = importer.read_table(data, filename)
    except importer.ImportRefused as exc:
        summary.problems = [exc.problem]
        return summary
    summary.rows = len(table)
    if table.empty:
        summary.problems = [Problem("文件没有数据行", "the file has no data rows")]
        return summary
    ok, report, problems = validate_rows(table, today)
    summary.report, summary.accepted_rows = report, ok
    if problems:
        summary.problems = problems
        return summary
    summary.accepted = int((report["status"] != REJECTED).sum())
    summary.corrected = int((report["status"] == CORRECTED).sum())
    summary.rejected = int((report["status"] == REJECTED).sum())
    if summary.accepted == 0:
        summary.problems = [Problem("所有行均被拒绝, 见逐行报告", "every row was rejected; see the row report")]
        return summary
    summary.refused = False
    if dry_run or con is None:
        return summary
    con.execute("BEGIN TRANSACTION")
    try:
        ensure_table(con)
        con.register("gov_incoming", ok)
        con.execute(f"""DELETE FROM {TABLE} t USING gov_incoming i
                        WHERE t.adcode = i.adcode AND t.year = i.year AND t.indicator = i.indicator""")
        con.execute(f"INSERT INTO {TABLE} SELECT {', '.join(COLUMNS)} FROM gov_incoming")
        con.unregister("gov_incoming")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('gov_last_import', CAST(now() AS VARCHAR))")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.loaded, summary.written = True, len(ok)
    return summary


def import_gov_into(db_path: Path | str, data: bytes, filename: str, **kwargs: object) -> GovImportSummary:
    """``import_gov`` through a writable connection of its own (raises ``store.StoreError``, store unchanged)."""
    try:
        con = store.open_store(Path(db_path), read_only=False)
    except (OSError, duckdb.Error) as exc:
        raise store.StoreError(str(exc)) from exc
    try:
        return import_gov(con, data, filename, **kwargs)  # type: ignore[arg-type]
    except duckdb.Error as exc:
        raise store.StoreError(str(exc)) from exc
    finally:
        con.close()


def report_table(report: pd.DataFrame) -> pd.DataFrame:
    """The row report with bilingual headers, for display and download."""
    return pd.DataFrame({
        "行号 row": report["row"], "键 key": report["key"],
        "状态 status": report["status"].map(lambda s: f"{STATUS_ZH.get(s, s)} {s}"),
        "原因": report["reason_zh"], "reason": report["reason_en"],
    })


def report_bytes(report: pd.DataFrame, kind: str = "csv") -> bytes:
    """The row report as CSV (UTF-8 with BOM) or XLSX, formula-like text neutralised."""
    table = report_table(report)
    return export.to_xlsx_bytes(table, "政务数据导入报告") if kind == "xlsx" else export.to_csv_bytes(table)


def indicator_labels() -> Mapping[str, str]:
    """Indicator id -> Chinese label."""
    return {k: v.label for k, v in INDICATORS.items()}


def cli_run(path: Path, db: Path | None, *, dry_run: bool = False, report: Path | None = None,
            today: date | None = None) -> int:
    """Command-line import of a government-data file (``shuzhu_import.py --kind gov``).

    Prints a bilingual summary and every rejected row; returns the exit code: 0 imported (or
    validated with dry_run), 1 the file was refused, 2 the store could not be opened or written.
    """
    import sys

    if not path.is_file():
        print(f"错误: 找不到文件 {path}\nerror: file not found: {path}", file=sys.stderr)
        return 2
    data = path.read_bytes()
    if dry_run or db is None:
        summary = import_gov(None, data, path.name, dry_run=True, today=today)
    else:
        try:
            summary = import_gov_into(db, data, path.name, today=today)
        except store.StoreError as exc:
            print(f"错误: 政务数据未写入, 案件库未改动: {exc}\nerror: nothing written, the store is unchanged: {exc}",
                  file=sys.stderr)
            return 2
    print("\n".join(summary.lines()))
    if report is not None and not summary.report.empty:
        report.write_bytes(report_bytes(summary.report, "xlsx" if report.suffix.lower() == ".xlsx" else "csv"))
        print(f"报告已写入 / report written: {report}")
    return 1 if summary.refused else 0
