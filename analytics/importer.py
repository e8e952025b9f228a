"""Import case lists (CSV or XLSX, as courts export them) into the case store.

Steps: ``read_table`` (encoding and delimiter detected, header row found) -> ``guess_mapping``
(Chinese/English headers to schema columns; overridable, saved as JSON) -> ``validate`` (every
row accepted, corrected or rejected, with a bilingual reason) -> ``store.upsert_cases`` (one
transaction: all or nothing; by case number, so re-importing adds nothing and a newer version
replaces the older). ``import_file`` runs the whole chain and never raises on bad input: a file
that cannot be imported comes back as a refused ``ImportSummary`` with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import codes, export, schema, store
from analytics.casenumber import CaseNumber, Problem, cross_check, parse_case_number
from analytics.dates import is_missing, parse_date

Progress = Callable[[float, str], None]

# --- fields and header aliases ------------------------------------------------------------

# Import targets: schema columns except the computed ones (h3_r7 from lon/lat; source is
# always "import"), plus court_name, which is only cross-checked against the case number.
TARGETS: tuple[str, ...] = (
    *(c for c in schema.CASE_COLUMN_NAMES if c not in ("h3_r7", "source")),
    "court_name",
)
REQUIRED: tuple[str, ...] = ("case_no", "filed_date", "cause")  # the rest follows from these
TARGET_LABELS: dict[str, str] = {
    "case_no": "案号",
    "court_code": "法院代字",
    "adcode": "行政区划代码",
    "category": "案件类别",
    "type_code": "类型代字",
    "procedure": "审判程序",
    "track": "适用程序",
    "cause_group": "案由分类",
    "cause": "案由",
    "filed_date": "立案日期",
    "closed_date": "结案日期",
    "outcome": "结案方式",
    "amount": "标的额",
    "amount_recovered": "执行到位金额",
    "plaintiff_kind": "原告类型",
    "defendant_kind": "被告类型",
    "defendant_industry": "行业",
    "defendant_key": "被告标识",
    "origin_case_no": "原审案号",
    "lon": "经度",
    "lat": "纬度",
    "court_name": "承办法院",
}

# Headers seen in court case-management exports and hand-made lists (normalised: NFKC, lower
# case, no spaces/underscores, unit brackets removed). The schema's own names are added below.
_ALIASES: dict[str, str] = {
    "case_no": "案号 案號 案件号 案件编号 casenumber caseno",
    "filed_date": "立案日期 立案时间 收案日期 收案时间 立案日 filingdate datefiled filed",
    "closed_date": "结案日期 结案时间 审结日期 办结日期 closingdate dateclosed closed",
    "cause": "案由 罪名 案由罪名 案由/罪名 主案由 第一案由 causeofaction charge",
    "cause_group": "案由分类 案由大类 上级案由 案由类别 案由组",
    "court_name": "承办法院 法院 审理法院 法院名称 经办法院 受理法院 court",
    "court_code": "法院代字 法院代码 法院标识",
    "outcome": "结案方式 结案方式名称 结案类型 disposition",
    "amount": "标的额 标的金额 诉讼标的额 诉讼标的 标的 申请执行标的 申请执行标的额 申请执行金额 执行标的 "
    "执行标的额 涉案金额 claimamount",
    "amount_recovered": "执行到位金额 到位金额 实际到位金额 执行到位标的 实际执行到位金额 recovered",
    "procedure": "审判程序 审级 程序 审理程序 instance",
    "track": "适用程序 程序类型",
    "category": "案件类别 案件类型 案件种类 类别 案件大类 casecategory",
    "type_code": "类型代字 案件类型代字 案件代字",
    "adcode": "行政区划代码 区划代码 行政区划 区县代码 districtcode",
    "plaintiff_kind": "原告类型 原告主体类型 申请人类型 申请执行人类型 原告性质",
    "defendant_kind": "被告类型 被告主体类型 被执行人类型 被告人类型 被告性质",
    "defendant_industry": "行业 被告行业 所属行业 被告所属行业 行业类别 industry",
    "defendant_key": "被告标识 被告编号 当事人标识 defendantid",
    "origin_case_no": "原审案号 原案号 关联案号 前审案号 原审案件案号 一审案号 执行依据案号 originalcaseno",
    "lon": "经度 lng longitude",
    "lat": "纬度 latitude",
}
_UNIT = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")


def normalise_header(name: object) -> str:
    """A header reduced to what identifies it: NFKC, lower case, no spaces, units or marks."""
    s = unicodedata.normalize("NFKC", str(name)).strip().lower()
    s = _UNIT.sub("", s)
    return re.sub(r"[\s_*:：\-]+", "", s)


HEADER_INDEX: dict[str, str] = {}
for _target in TARGETS:
    for _alias in (_target, *_ALIASES.get(_target, "").split()):
        HEADER_INDEX.setdefault(normalise_header(_alias), _target)

# --- controlled values -----------------------------------------------------------------------


def _norm(value: object) -> str:
    """A cell as compact text (NFKC, no whitespace)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _variants(table: dict[str, str]) -> dict[str, str]:
    """{typed variant: vocabulary value} from {vocabulary value: "variant variant ..."}."""
    return {v: value for value, variants in table.items() for v in variants.split()}


_CATEGORY_ALIASES = _variants({"非诉保全审查": "保全 非诉保全", "国家赔偿": "赔偿"})
_PROCEDURE_ALIASES = _variants(
    {
        "一审": "第一审 一审程序 初审",
        "二审": "第二审 二审程序",
        "再审": "审判监督 再审程序",
        "再审审查": "申请再审",
        "执行实施": "执行",
    }
)
_TRACK_ALIASES = _variants(
    {
        "普通程序": "普通",
        "简易程序": "简易",
        "小额诉讼": "小额 小额诉讼程序 简易程序(小额诉讼)",
        "速裁程序": "速裁 刑事速裁",
    }
)
_OUTCOME_ALIASES = _variants(
    {
        "撤诉": "准予撤诉 准许撤诉 撤回起诉",
        "驳回起诉": "裁定驳回起诉",
        "维持原判": "维持 驳回上诉维持原判 驳回上诉,维持原判",
        "发回重审": "发回",
        "撤回上诉": "准许撤回上诉 准予撤回上诉",
        "终结本次执行": "终本 终结本次执行程序",
        "执行完毕": "执行完结",
        "执行和解": "和解",
        "裁定驳回": "驳回",
        "裁定准许": "准许",
    }
)
_PARTY_ALIASES = _variants(
    {
        "自然人": "个人 公民",
        "企业": "公司 企业法人 法人",
        "其他组织": "非法人组织 社会组织",
        "国家机关": "机关 行政机关",
        "检察机关": "检察院 人民检察院 公诉机关",
    }
)
# GB/T 4754-2017 section names as written in full, to the schema's short names.
_INDUSTRY_ALIASES = _variants(
    {
        "批发和零售业": "批发零售业",
        "交通运输业": "交通运输、仓储和邮政业 交通运输仓储和邮政业",
        "信息技术服务业": "信息传输、软件和信息技术服务业 信息传输软件和信息技术服务业",
        "农林牧渔业": "农、林、牧、渔业 农林牧渔",
        "住宿和餐饮业": "餐饮业",
    }
)


def _vocab(
    value: object, members: tuple[str, ...], aliases: Mapping[str, str], suffixes: tuple[str, ...] = ()
) -> str | None:
    """The vocabulary member a typed value stands for, or None."""
    s = _norm(value)
    for cand in (s, *(s.removesuffix(x) for x in suffixes)):
        if cand in members:
            return cand
        if cand in aliases:
            return aliases[cand]
    return None


# --- reading files -------------------------------------------------------------------------


StoreError = store.StoreError  # re-exported for the import page


class ImportRefused(Exception):
    """A file that cannot be read or imported as a whole; carries a bilingual Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


ENCODING_LABELS = {
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


def detect_encoding(data: bytes) -> str:
    """Encoding of a text file: BOM, strict UTF-8, GB18030 (GBK superset), else a detector's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:65536]:
        raise ImportRefused(
            Problem("文件含二进制内容, 不是文本表格", "the file contains binary data, not a text table")
        )
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
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
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
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


def _read_xlsx_rows(data: bytes) -> tuple[list[list[object]], str]:
    """Rows of the first non-empty worksheet, and its name."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(Problem(f"不是有效的 xlsx 文件: {exc}", f"not a valid xlsx workbook: {exc}")) from exc
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if any(any(not is_missing(c) for c in r) for r in rows):
                return rows, ws.title
        return [], wb.worksheets[0].title if wb.worksheets else ""
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        raise ImportRefused(Problem(f"xlsx 文件已损坏: {exc}", f"damaged xlsx workbook: {exc}")) from exc
    finally:
        wb.close()


def _is_blank(row: Iterable[object]) -> bool:
    """True when every cell of a row is empty."""
    return all(is_missing(c) for c in row)


def _header_index(rows: list[list[object]]) -> int:
    """Index of the header row: among the first non-blank rows, the one naming most known fields."""
    candidates = [i for i, r in enumerate(rows[:30]) if not _is_blank(r)][:10]
    if not candidates:
        return 0
    scores = {i: sum(normalise_header(c) in HEADER_INDEX for c in rows[i] if not is_missing(c)) for i in candidates}
    best = max(candidates, key=lambda i: (scores[i], -i))
    return best if scores[best] > 0 else candidates[0]


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


def read_table(data: bytes, filename: str, encoding: str | None = None) -> pd.DataFrame:
    """A CSV/XLSX file as a frame of raw cells indexed by row number in the file.

    ``df.attrs`` holds ``encoding``, ``delimiter``, ``sheet``, ``header_row``, ``blank_rows``
    and ``ragged`` (row number -> field count, for rows longer than the header).
    Raises ImportRefused with a bilingual reason for files that cannot be read as a table.
    """
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRefused(Problem("文件为空", "the file is empty"))
    suffix = Path(filename).suffix.lower()
    attrs: dict[str, object] = {"encoding": None, "delimiter": None, "sheet": None}
    if data.startswith(b"PK\x03\x04"):
        rows, attrs["sheet"] = _read_xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            Problem(
                "不支持旧版 .xls 文件, 请另存为 .xlsx 或 CSV",
                "legacy .xls is not supported; save as .xlsx or CSV",
            )
        )
    elif suffix in (".xlsx", ".xlsm"):
        raise ImportRefused(Problem("不是有效的 xlsx 文件", "not a valid xlsx workbook"))
    else:
        enc = encoding or detect_encoding(data)
        text = _decode(data, enc)
        delim = _sniff_delimiter(text)
        attrs.update(encoding=enc, delimiter=delim)
        rows = _read_csv_rows(text, delim)
    h = _header_index(rows)
    header = _unique_headers(rows[h]) if rows else []
    width = len(header)
    body, numbers, ragged, blank = [], [], {}, 0
    for i, r in enumerate(rows[h + 1 :], start=h + 2):  # spreadsheet row numbers, 1-based
        if _is_blank(r):
            blank += 1
            continue
        if len(r) > width and not _is_blank(r[width:]):
            ragged[i] = len(r)
        body.append((list(r) + [None] * width)[:width])
        numbers.append(i)
    df = pd.DataFrame(body, columns=header, index=pd.Index(numbers, name="row"), dtype=object)
    attrs.update(header_row=h + 1, blank_rows=blank, ragged=ragged)
    df.attrs.update(attrs)
    return df


# --- mapping -------------------------------------------------------------------------------

MAPPING_FORMAT = "shuzhu-import-mapping"


def guess_mapping(columns: Iterable[object]) -> dict[str, str]:
    """Source column -> import target for every recognised header (first column wins a target)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        target = HEADER_INDEX.get(normalise_header(col))
        if target and target not in taken:
            out[str(col)] = target
            taken.add(target)
    return out


def mapping_to_json(mapping: Mapping[str, str]) -> str:
    """A mapping as JSON text for saving and reuse."""
    return json.dumps({"format": MAPPING_FORMAT, "version": 1, "mapping": dict(mapping)}, ensure_ascii=False, indent=2)


def mapping_from_json(text: str | bytes) -> dict[str, str]:
    """A saved mapping; raises ImportRefused for text that is not one."""
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportRefused(
            Problem(f"映射文件不是有效的 JSON: {exc}", f"mapping file is not valid JSON: {exc}")
        ) from exc
    if isinstance(obj, dict) and "mapping" in obj:
        obj = obj["mapping"]
    if not isinstance(obj, dict) or not all(isinstance(k, str) and isinstance(v, str | None) for k, v in obj.items()):
        raise ImportRefused(
            Problem(
                "映射文件格式不正确(应为 {列名: 字段})",
                "mapping file has the wrong shape (expected {column: field})",
            )
        )
    bad = sorted(v for v in obj.values() if v and v not in TARGETS)
    if bad:
        raise ImportRefused(
            Problem(f"映射含未知字段: {', '.join(bad)}", f"mapping names unknown fields: {', '.join(bad)}")
        )
    return {k: v for k, v in obj.items() if v}


NOT_IMPORTED = "(不导入)"
# Choices shown in the mapping editor: "案号 case_no" -> case_no.
FIELD_CHOICES: dict[str, str] = {f"{TARGET_LABELS[t]} {t}": t for t in TARGETS}
MAPPING_COLUMNS = ("文件中的列", "导入为")


def mapping_table(columns: Iterable[object], mapping: Mapping[str, str]) -> pd.DataFrame:
    """The mapping as an editable table: one row per file column, its field as a choice label."""
    label = {t: lbl for lbl, t in FIELD_CHOICES.items()}
    cols = [str(c) for c in columns]
    return pd.DataFrame(
        {
            MAPPING_COLUMNS[0]: cols,
            MAPPING_COLUMNS[1]: [label.get(mapping.get(c, ""), NOT_IMPORTED) for c in cols],
        }
    )


def mapping_from_table(table: pd.DataFrame) -> dict[str, str]:
    """The mapping an edited mapping table describes (unmapped columns left out)."""
    pairs = zip(table[MAPPING_COLUMNS[0]], table[MAPPING_COLUMNS[1]], strict=True)
    return {str(src): FIELD_CHOICES[lbl] for src, lbl in pairs if lbl in FIELD_CHOICES}


def preview(df: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The first rows as text (cells of mixed types cannot be shown as one typed column)."""
    head = df.head(n)
    return head.astype(object).where(head.notna(), "").astype(str)


def check_mapping(mapping: Mapping[str, str], columns: Iterable[object]) -> list[Problem]:
    """File-level problems of a mapping: unknown fields, one field twice, required fields missing."""
    cols = {str(c) for c in columns}
    problems: list[Problem] = []
    used: dict[str, str] = {}
    for src, target in mapping.items():
        if not target or src not in cols:
            continue
        if target not in TARGETS:
            problems.append(Problem(f"未知字段: {target}", f"unknown field: {target}"))
        elif target in used:
            problems.append(
                Problem(
                    f"列“{used[target]}”和“{src}”都映射到 {target}",
                    f"columns '{used[target]}' and '{src}' both map to {target}",
                )
            )
        else:
            used[target] = src
    missing = [t for t in REQUIRED if t not in used]
    if missing:
        zh = "、".join(TARGET_LABELS[t] for t in missing)
        problems.append(
            Problem(
                f"缺少必需的列: {zh}(可在映射中指定哪一列是{zh})",
                f"required column(s) missing: {', '.join(missing)} (map a column to them)",
            )
        )
    return problems


# --- values --------------------------------------------------------------------------------

MAX_AMOUNT = 1e12  # 1 万亿元: beyond any single claim; such values are pasted IDs or doubled digits
_NUM_STRIP = re.compile(r"[,，\s元¥￥]|rmb|cny", re.IGNORECASE)


def _not_number(key: str, value: object, what: str = "不是数字", what_en: str = "is not a number") -> Problem:
    """The bilingual complaint about a cell that should hold a number."""
    return Problem(f"{TARGET_LABELS.get(key, key)}{what}: {value}", f"{key} {what_en}: {value}")


def parse_amount(value: object, key: str = "amount", scale: float = 1.0) -> float | Problem | None:
    """A money amount in yuan (accepts 1,234.5 / 12.5万 / ¥300), None when empty, else a Problem."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return _not_number(key, value)
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value) * scale
    else:
        s = _NUM_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))
        factor = scale
        for unit, f in (("万", 1e4), ("亿", 1e8)):
            if s.endswith(unit):
                s, factor = s[: -len(unit)], f
        try:
            x = float(s) * factor
        except ValueError:
            return _not_number(key, value)
    if not math.isfinite(x):
        return _not_number(key, value, "不是有限数值", "is not a finite number")
    if x < 0:
        return _not_number(key, value, "为负数", "is negative")
    if x > MAX_AMOUNT:
        return _not_number(key, value, "过大(超过 1 万亿元)", "is implausibly large (over 1e12 yuan)")
    return round(x, 2)


def _parse_number(value: object, key: str) -> float | Problem | None:
    """A plain number, None when empty."""
    if is_missing(value):
        return None
    try:
        x = float(unicodedata.normalize("NFKC", str(value)).strip()) if not isinstance(value, bool) else math.nan
    except ValueError:
        x = math.nan
    return x if math.isfinite(x) else _not_number(key, value)


def _parse_int(value: object, key: str) -> int | Problem | None:
    """A whole number, None when empty."""
    x = _parse_number(value, key)
    if x is None or isinstance(x, Problem):
        return x
    return int(x) if x == int(x) else _not_number(key, value, "不是整数", "is not a whole number")


# Division codes replaced since 2016 -> today's district (the case schema counts cases by
# current district). Sources: 苏政发〔2020〕60号 (港闸区 320611 merged into 崇川区, which was
# re-coded 320602 -> 320613); 海门撤市设区 2020 (320684 -> 320614); 海安撤县设市 2018
# (320621 -> 320685). See also the comments in analytics/codes.py.
LEGACY_ADCODES: dict[int, int] = {320602: 320613, 320611: 320613, 320684: 320614, 320621: 320685}
NANTONG_ADCODES: frozenset[int] = frozenset(c.adcode for c in codes.COURTS if c.adcode is not None)


def adcode_at(lon: float, lat: float) -> int | None:
    """The Nantong district containing a point (boundaries are GCJ-02; WGS-84 points may be off by ~500 m)."""
    import shapely

    from geodata import district_polygons

    for adcode, geom in district_polygons().items():
        if shapely.contains_xy(geom, lon, lat):
            return adcode
    return None


# --- validation ----------------------------------------------------------------------------

ACCEPTED, CORRECTED, REJECTED = "accepted", "corrected", "rejected"
STATUS_ZH = {ACCEPTED: "接受", CORRECTED: "已更正", REJECTED: "拒绝"}
REPORT_COLUMNS = ("row", "case_no", "status", "reason_zh", "reason_en")
UNCLASSIFIED_GROUP = "未归类"


@dataclass
class ValidationResult:
    """Rows ready for the store, and one report line for every row of the file."""

    accepted: pd.DataFrame  # schema columns, one row per case number
    report: pd.DataFrame  # REPORT_COLUMNS, one row per data row of the file
    problems: list[Problem] = field(default_factory=list)  # file-level: nothing can be imported
    notes: list[Problem] = field(default_factory=list)  # file-level remarks (units, unmapped columns)

    @property
    def counts(self) -> dict[str, int]:
        """Rows by status."""
        vc = self.report["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in (ACCEPTED, CORRECTED, REJECTED)}


@dataclass
class _Row:
    """Work state of one row during validation."""

    number: int
    raw_case_no: object
    rec: dict[str, object] = field(default_factory=dict)
    rejects: list[Problem] = field(default_factory=list)
    fixes: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    needs_origin: bool = False

    def reject(self, zh: str, en: str) -> None:
        """Record why the row cannot be imported."""
        self.rejects.append(Problem(zh, en))

    def fix(self, zh: str, en: str) -> None:
        """Record a value the importer changed or filled in."""
        self.fixes.append(Problem(zh, en))

    def note(self, zh: str, en: str) -> None:
        """Record a remark that changes nothing."""
        self.notes.append(Problem(zh, en))


class _Validator:
    """Checks rows one by one against the schema, the case number and each other."""

    def __init__(self, causes: Mapping[str, str], today: date, mapped: set[str], scales: Mapping[str, float]) -> None:
        self.causes = causes
        self.today = today
        self.mapped = mapped
        self.scales = scales
        self._dates_seen: dict[tuple[type, object], date | Problem] = {}

    def _date(self, value: object) -> date | Problem:
        """parse_date, each distinct cell parsed once (a file repeats its dates many times)."""
        key = (type(value), value)
        try:
            return self._dates_seen[key]
        except KeyError:
            got = self._dates_seen[key] = parse_date(value, latest=self.today)
            return got
        except TypeError:  # unhashable cell
            return parse_date(value, latest=self.today)

    def _enum(
        self,
        r: _Row,
        cells: Mapping[str, object],
        key: str,
        members: tuple[str, ...],
        aliases: Mapping[str, str],
        suffixes: tuple[str, ...] = (),
    ) -> str | None:
        """A controlled value, rejecting the row for an unknown one."""
        v = cells.get(key)
        if is_missing(v):
            return None
        got = _vocab(v, members, aliases, suffixes)
        if got is None:
            label = TARGET_LABELS[key]
            r.reject(
                f"{label}“{v}”不在允许值中({'、'.join(members)})",
                f"unknown {key} value '{v}' (allowed: {', '.join(members)})",
            )
        return got

    def _fill(self, r: _Row, cells: Mapping[str, object], key: str, implied: object) -> None:
        """Take a value implied by the case number; note it when the file's column was left blank."""
        if key in self.mapped and is_missing(cells.get(key)):
            r.fix(
                f"{TARGET_LABELS[key]}为空, 已按案号填为“{implied}”",
                f"empty {key} filled from the case number: {implied}",
            )
        r.rec[key] = implied

    def row(self, number: int, cells: Mapping[str, object], ragged: int | None) -> _Row:
        """Validate one row of raw cells keyed by import target."""
        r = _Row(number, cells.get("case_no"))
        if ragged is not None:
            r.reject(
                f"该行有 {ragged} 个字段, 多于表头(单元格内含分隔符?)",
                f"row has {ragged} fields, more than the header (delimiter inside a cell?)",
            )
        parsed = parse_case_number(cells.get("case_no"), today=self.today)
        cn = parsed if isinstance(parsed, CaseNumber) and parsed.known_court else None
        if isinstance(parsed, Problem):
            r.rejects.append(parsed)
        elif not parsed.known_court:
            r.reject(
                f"法院代字 {parsed.court_code} 不是南通法院({parsed.court_name or '未知法院'})",
                f"court code {parsed.court_code} is not a Nantong court ({parsed.court_name or 'unknown court'})",
            )
        self._dates(r, cells)
        self._values(r, cells)
        if cn is not None:
            self._from_case_number(r, cells, cn)
        self._cause(r, cells)
        return r

    def _dates(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Filing (required) and closing dates, in order, not in the future."""
        got = self._date(cells.get("filed_date"))
        if isinstance(got, Problem):
            r.reject("立案日期: " + got.zh, "filing date: " + got.en)
        filed = got if isinstance(got, date) else None
        closed = None
        if not is_missing(cells.get("closed_date")):
            got = self._date(cells.get("closed_date"))
            if isinstance(got, Problem):
                r.reject("结案日期: " + got.zh, "closing date: " + got.en)
            closed = got if isinstance(got, date) else None
        if filed and closed and closed < filed:
            r.reject(
                f"结案日期 {closed} 早于立案日期 {filed}",
                f"closing date {closed} is before filing date {filed}",
            )
        r.rec["filed_date"], r.rec["closed_date"] = filed, closed

    def _values(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Outcome, track, party kinds, industry, amounts, coordinates, keys."""
        rec = r.rec
        outcome = self._enum(r, cells, "outcome", schema.OUTCOMES, _OUTCOME_ALIASES, ("结案",))
        if outcome and is_missing(cells.get("closed_date")):
            r.reject(f"有结案方式“{outcome}”但无结案日期", f"outcome '{outcome}' given without a closing date")
        if outcome is None and rec.get("closed_date") is not None and is_missing(cells.get("outcome")):
            outcome = "其他"
            r.fix("已结案但无结案方式, 记为“其他”", "closed without an outcome: recorded as 其他")
        rec["outcome"] = outcome
        # 审判程序 columns often hold the 适用程序 (普通/简易): route such values to track.
        proc_cell = cells.get("procedure")
        track_cell = cells.get("track")
        if not is_missing(proc_cell) and _vocab(proc_cell, schema.TRACKS, _TRACK_ALIASES) and is_missing(track_cell):
            track_cell, proc_cell = proc_cell, None
        rec["track"] = self._enum(r, {"track": track_cell}, "track", schema.TRACKS, _TRACK_ALIASES)
        rec["procedure"] = self._enum(r, {"procedure": proc_cell}, "procedure", schema.PROCEDURES, _PROCEDURE_ALIASES)
        rec["plaintiff_kind"] = self._enum(r, cells, "plaintiff_kind", schema.PARTY_KINDS, _PARTY_ALIASES)
        rec["defendant_kind"] = self._enum(r, cells, "defendant_kind", schema.PARTY_KINDS, _PARTY_ALIASES)
        ind = cells.get("defendant_industry")
        rec["defendant_industry"] = None
        if not is_missing(ind):
            rec["defendant_industry"] = _vocab(ind, schema.INDUSTRIES, _INDUSTRY_ALIASES) or "其他行业"
            if rec["defendant_industry"] == "其他行业" and _norm(ind) != "其他行业":
                r.fix(
                    f"行业“{ind}”不在分类中, 记为“其他行业”",
                    f"industry '{ind}' not in the list: recorded as 其他行业",
                )
        for key in ("amount", "amount_recovered"):
            v = parse_amount(cells.get(key), key, self.scales.get(key, 1.0))
            if isinstance(v, Problem):
                r.rejects.append(v)
                v = None
            rec[key] = v
        key_v = _parse_int(cells.get("defendant_key"), "defendant_key")
        if isinstance(key_v, Problem):
            r.rejects.append(key_v)
            key_v = None
        rec["defendant_key"] = key_v
        self._coordinates(r, cells)
        origin = cells.get("origin_case_no")
        rec["origin_case_no"] = None
        if not is_missing(origin):
            o = parse_case_number(origin, today=self.today)
            if isinstance(o, Problem):
                rec["origin_case_no"] = str(origin).strip()
                r.note("原审案号无法解析, 按原样保存: " + o.zh, "origin case number kept as typed: " + o.en)
            else:
                rec["origin_case_no"] = o.canonical

    def _coordinates(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Longitude/latitude: numbers, in range, swapped back if typed the wrong way round."""
        lon = _parse_number(cells.get("lon"), "lon")
        lat = _parse_number(cells.get("lat"), "lat")
        for v in (lon, lat):
            if isinstance(v, Problem):
                r.rejects.append(v)
        if isinstance(lon, Problem) or isinstance(lat, Problem):
            lon = lat = None
        if (lon is None) != (lat is None):
            r.fix("经纬度只有一个, 已忽略", "only one of longitude/latitude given: ignored")
            lon = lat = None
        if lon is not None and lat is not None:
            if 3 <= lon <= 54 and 73 <= lat <= 136:  # China's latitude and longitude ranges, swapped
                lon, lat = lat, lon
                r.fix("经度与纬度填反, 已对调", "longitude and latitude were swapped: corrected")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                r.reject(f"经纬度超出范围: {lon}, {lat}", f"coordinates out of range: {lon}, {lat}")
                lon = lat = None
        r.rec["lon"], r.rec["lat"] = lon, lat

    def _from_case_number(self, r: _Row, cells: Mapping[str, object], cn: CaseNumber) -> None:
        """Fields the case number implies: fill gaps, reject contradictions, derive the district."""
        rec = r.rec
        rec["case_no"] = cn.canonical
        check = {k: cells.get(k) for k in ("court_code", "type_code", "category", "court_name")}
        if not is_missing(cells.get("category")):
            check["category"] = (
                _vocab(cells["category"], schema.CATEGORIES, _CATEGORY_ALIASES, ("案件", "类", "案"))
                or cells["category"]
            )
        check["procedure"] = rec.get("procedure")
        check["filed_date"] = rec.get("filed_date")
        for m in cross_check(cn, check):
            r.rejects.append(m.problem)
        if rec.get("track") and cn.procedure != "一审":
            r.fix(
                f"适用程序“{rec['track']}”仅用于一审, 已清除",
                f"track '{rec['track']}' applies to first instance only: cleared",
            )
            rec["track"] = None
        for key, implied in (
            ("court_code", cn.court_code),
            ("type_code", cn.type_code),
            ("category", cn.category),
            ("procedure", cn.procedure),
        ):
            self._fill(r, cells, key, implied)
        court = codes.court_for(cn.court_code)
        assert court is not None  # known_court was checked
        given = _parse_int(cells.get("adcode"), "adcode")
        if isinstance(given, Problem):
            r.rejects.append(given)
            given = None
        if given is not None:
            current = LEGACY_ADCODES.get(given, given)
            if current not in NANTONG_ADCODES:
                r.reject(f"行政区划代码 {given} 不是南通的区县", f"adcode {given} is not a Nantong district")
            elif court.adcode is not None and current != court.adcode:
                r.reject(
                    f"行政区划代码 {given} 与法院所在区县 {court.adcode} 不一致",
                    f"adcode {given} contradicts the court's district {court.adcode}",
                )
            elif current != given:
                r.fix(
                    f"旧区划代码 {given} 已更新为 {current}",
                    f"former division code {given} updated to {current}",
                )
            rec["adcode"] = current
            return
        if court.adcode is not None:
            rec["adcode"] = court.adcode
            return
        # Intermediate court: place of the dispute if known, else the court it came from.
        if rec.get("lon") is not None:
            a = adcode_at(float(rec["lon"]), float(rec["lat"]))  # type: ignore[arg-type]
            if a is not None:
                rec["adcode"] = a
                r.fix(
                    f"中院案件按经纬度归入区县 {a}",
                    f"intermediate-court case placed in district {a} by its coordinates",
                )
                return
        r.needs_origin = True

    def _cause(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Cause (required) and its group (column, else the store's cause list, else 未归类)."""
        cause = cells.get("cause")
        if is_missing(cause):
            r.reject("案由为空", "cause (案由) is empty")
            return
        cause_s = str(cause).strip()
        r.rec["cause"] = cause_s
        group = cells.get("cause_group")
        if not is_missing(group):
            r.rec["cause_group"] = str(group).strip()
        elif cause_s in self.causes:
            r.rec["cause_group"] = self.causes[cause_s]
        else:
            r.rec["cause_group"] = UNCLASSIFIED_GROUP
            r.fix(
                f"案由“{cause_s}”无分类, 记为“{UNCLASSIFIED_GROUP}”",
                f"cause '{cause_s}' has no group: recorded as {UNCLASSIFIED_GROUP}",
            )


def _resolve_origins(rows: list[_Row], lookup: Callable[[list[str]], Mapping[str, int]] | None) -> None:
    """Districts of intermediate-court cases from their origin case (in the file, the store, or its court)."""
    pending = [r for r in rows if r.needs_origin and not r.rejects]
    known: dict[str, int] = {
        str(r.rec["case_no"]): int(r.rec["adcode"])  # type: ignore[call-overload]
        for r in rows
        if not r.rejects and r.rec.get("adcode") is not None
    }
    origins = sorted({str(r.rec["origin_case_no"]) for r in pending if r.rec.get("origin_case_no")} - set(known))
    if lookup and origins:
        known.update({k: int(v) for k, v in lookup(origins).items() if v is not None})
    for _ in range(3):  # chains: 中院 民再 -> 中院 民终 -> 基层 民初
        for r in pending:
            if r.rec.get("adcode") is not None:
                continue
            o = r.rec.get("origin_case_no")
            adcode = known.get(str(o)) if o else None
            if adcode is None and o:
                p = parse_case_number(o)
                court = codes.court_for(p.court_code) if isinstance(p, CaseNumber) else None
                adcode = court.adcode if court else None
            if adcode is not None:
                r.rec["adcode"] = adcode
                known[str(r.rec["case_no"])] = adcode
                r.fix(
                    f"中院案件按原审案号 {o} 归入区县 {adcode}",
                    f"intermediate-court case placed in district {adcode} via origin case {o}",
                )
    for r in pending:
        if r.rec.get("adcode") is None:
            r.reject(
                "中院案件无法确定所属区县: 无南通境内经纬度, 也无可识别的原审案号",
                "cannot place the intermediate-court case in a district: "
                "no coordinates in Nantong and no usable origin case number",
            )


def _reasons(problems: list[Problem]) -> tuple[str, str]:
    """Problems joined into one Chinese and one English text."""
    return "；".join(p.zh for p in problems), "; ".join(p.en for p in problems)


def _cases_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Accepted records as a frame with the schema's columns and stable dtypes."""
    df = pd.DataFrame.from_records(records, columns=[c for c in schema.CASE_COLUMN_NAMES if c != "h3_r7"])
    for col in ("filed_date", "closed_date"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
    for col in ("amount", "amount_recovered", "lon", "lat"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    df["adcode"] = df["adcode"].astype("int32")
    df["defendant_key"] = df["defendant_key"].astype("Int64")
    df["source"] = "import"
    df["h3_r7"] = store.h3_cells(df["lon"], df["lat"])
    return df[list(schema.CASE_COLUMN_NAMES)]


def validate(
    df: pd.DataFrame,
    mapping: Mapping[str, str] | None = None,
    *,
    causes: Mapping[str, str] | None = None,
    origin_lookup: Callable[[list[str]], Mapping[str, int]] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Check every row of a read table; accepted + rejected always equals the number of rows."""
    progress = progress or (lambda _f, _m: None)
    mapping = dict(mapping) if mapping is not None else guess_mapping(df.columns)
    today = today or date.today()
    numbers = [int(i) for i in df.index]
    case_col = next((s for s, t in mapping.items() if t == "case_no" and s in df.columns), None)
    raw_case = df[case_col].tolist() if case_col else [None] * len(df)
    problems = check_mapping(mapping, df.columns)
    notes: list[Problem] = []
    unmapped = [str(c) for c in df.columns if str(c) not in mapping or not mapping[str(c)]]
    if unmapped:
        notes.append(Problem(f"未导入的列: {', '.join(unmapped)}", f"columns not imported: {', '.join(unmapped)}"))
    if problems:
        zh, en = _reasons(problems)
        report = pd.DataFrame(
            {"row": numbers, "case_no": raw_case, "status": REJECTED, "reason_zh": zh, "reason_en": en},
            columns=list(REPORT_COLUMNS),
        )
        return ValidationResult(_cases_frame([]), report, problems, notes)
    src = {t: s for s, t in mapping.items() if t and s in df.columns}
    scales: dict[str, float] = {t: 1e4 for t in ("amount", "amount_recovered") if t in src and "万元" in str(src[t])}
    for t in scales:
        notes.append(
            Problem(f"列“{src[t]}”以万元计, 已换算为元", f"column '{src[t]}' is in 10,000 yuan: converted to yuan")
        )
    checker = _Validator(causes or {}, today, set(src), scales)
    ragged: Mapping[int, int] = df.attrs.get("ragged", {}) or {}
    targets = list(src)
    data = df[[src[t] for t in targets]].to_numpy(dtype=object)
    rows: list[_Row] = []
    step = max(1, len(numbers) // 20)
    for i, (num, values) in enumerate(zip(numbers, data, strict=True)):
        rows.append(checker.row(num, dict(zip(targets, values, strict=True)), ragged.get(num)))
        if i % step == 0:
            progress(0.5 * i / max(1, len(numbers)), f"校验第 {i + 1} 行 / checking row {i + 1}")
    _resolve_origins(rows, origin_lookup)
    # Duplicates: the last valid row of a case number wins; earlier ones are reported.
    last = {str(r.rec["case_no"]): r for r in rows if not r.rejects}
    for r in rows:
        kept = last.get(str(r.rec.get("case_no"))) if not r.rejects else None
        if kept is not None and kept is not r:
            r.reject(
                f"案号与第 {kept.number} 行重复, 保留最后出现的第 {kept.number} 行",
                f"same case number as row {kept.number}, which is kept (last occurrence)",
            )
    report_rows, records = [], []
    for r in rows:
        if r.rejects:
            status, text = REJECTED, _reasons(r.rejects)
        else:
            status = CORRECTED if r.fixes else ACCEPTED
            text = _reasons(r.fixes + r.notes)
            records.append(r.rec)
        case_no = r.rec.get("case_no", r.raw_case_no) if status != REJECTED else r.raw_case_no
        report_rows.append((r.number, None if is_missing(case_no) else str(case_no), status, *text))
    report = pd.DataFrame(report_rows, columns=list(REPORT_COLUMNS))
    progress(0.5, "校验完成 / validation done")
    return ValidationResult(_cases_frame(records), report, [], notes)


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
            f"导入完成; {counts_zh}; 新增 {self.inserted}, 更新 {self.replaced}, 未变 {self.unchanged}",
            f"import done; {counts_en}; {self.inserted} new, {self.replaced} replaced, {self.unchanged} unchanged",
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


def store_causes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Cause -> cause group, as the store knows them (empty when the store has none)."""
    try:
        return dict(con.execute("SELECT cause, cause_group FROM causes").fetchall())
    except duckdb.Error:
        return {}


def store_adcodes(con: duckdb.DuckDBPyConnection, case_nos: list[str]) -> dict[str, int]:
    """Districts of cases already in the store, by case number."""
    try:
        rows = con.execute(
            "SELECT case_no, adcode FROM cases WHERE case_no IN (SELECT unnest(?::VARCHAR[]))", [case_nos]
        ).fetchall()
    except duckdb.Error:
        return {}
    return {str(k): int(v) for k, v in rows}


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
) -> ImportSummary:
    """Read, validate and (unless dry_run or con is None) load a file; never raises on bad input."""
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
        df = read_table(data, filename, encoding)
    except ImportRefused as exc:
        summary.problems = [exc.problem]
        return summary
    summary.encoding, summary.sheet = df.attrs.get("encoding"), df.attrs.get("sheet")
    summary.blank_rows = int(df.attrs.get("blank_rows", 0))
    summary.rows = len(df)
    summary.mapping = dict(mapping) if mapping is not None else guess_mapping(df.columns)
    if df.empty:
        summary.problems = [
            Problem("文件没有数据行(只有表头或为空)", "the file has no data rows (header only or empty)")
        ]
        return summary
    result = validate(
        df,
        summary.mapping,
        causes=store_causes(con) if con is not None else None,
        origin_lookup=(lambda nos: store_adcodes(con, nos)) if con is not None else None,
        today=today,
        progress=lambda f, m: progress(0.05 + 0.85 * f, m),
    )
    counts = result.counts
    summary.report, summary.notes = result.report, result.notes
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
    up = store.upsert_cases(con, result.accepted)
    summary.loaded = True
    summary.inserted, summary.replaced, summary.unchanged = up.inserted, up.replaced, up.unchanged
    progress(1.0, "完成 / done")
    return summary


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
