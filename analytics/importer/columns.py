"""Map columns: file headers (Chinese/English, as court systems write them) to import targets."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

from analytics import schema
from analytics.casenumber import Problem
from analytics.importer.errors import ImportRefused

# --- fields and header aliases ------------------------------------------------------------

# Fields of a file that are read but not stored as such: court_name (cross-checked against the
# case number), the two causes of a case-management export (立案案由/结案案由 -> cause), the
# version stamp (修改日期/导出日期: which version of a case is newer), and party names and
# credit codes (turned into keyed pseudonyms, never stored).
EXTRA_TARGETS: tuple[str, ...] = (
    "court_name",
    "cause_filed",
    "cause_closed",
    "received_date",
    "modified_at",
    "plaintiff_name",
    "plaintiff_code",
    "defendant_name",
    "defendant_code",
)
# Import targets: schema columns except the computed ones (h3_r7 from lon/lat; source is
# always "import"), plus the extra fields above.
TARGETS: tuple[str, ...] = (
    *(c for c in schema.CASE_COLUMN_NAMES if c not in ("h3_r7", "source")),
    *EXTRA_TARGETS,
)
REQUIRED: tuple[str, ...] = ("case_no", "filed_date", "cause")  # the rest follows from these
# A required field may be given by one of these instead (a case-management export has 立案案由
# and 结案案由 but no 案由).
REQUIRED_ALTERNATIVES: dict[str, tuple[str, ...]] = {"cause": ("cause_filed", "cause_closed")}
PARTY_NAME_TARGETS: frozenset[str] = frozenset({"plaintiff_name", "plaintiff_code", "defendant_name", "defendant_code"})
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
    "plaintiff_industry": "原告行业",
    "plaintiff_key": "原告标识",
    "defendant_kind": "被告类型",
    "defendant_industry": "行业",
    "defendant_key": "被告标识",
    "origin_case_no": "原审案号",
    "lon": "经度",
    "lat": "纬度",
    "court_name": "承办法院",
    "cause_filed": "立案案由",
    "cause_closed": "结案案由",
    "received_date": "收案日期",
    "modified_at": "修改日期",
    "plaintiff_name": "原告名称",
    "plaintiff_code": "原告统一社会信用代码",
    "defendant_name": "被告名称",
    "defendant_code": "被告统一社会信用代码",
}

# Headers seen in court case-management exports and hand-made lists (normalised: NFKC, lower
# case, no spaces/underscores, unit brackets removed). The schema's own names are added below.
_ALIASES: dict[str, str] = {
    "case_no": "案号 案號 案件号 案件编号 casenumber caseno",
    "filed_date": "立案日期 立案时间 立案日 filingdate datefiled filed",
    "received_date": "收案日期 收案时间 收案日",
    "closed_date": "结案日期 结案时间 审结日期 办结日期 closingdate dateclosed closed",
    "cause": "案由 罪名 案由罪名 案由/罪名 主案由 第一案由 causeofaction charge",
    "cause_filed": "立案案由 收案案由 立案罪名 起诉罪名",
    "cause_closed": "结案案由 审结案由 结案罪名 判决罪名",
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
    "plaintiff_industry": "原告行业 原告所属行业 申请人行业",
    "plaintiff_key": "原告标识 原告编号 申请人标识 plaintiffid",
    "defendant_kind": "被告类型 被告主体类型 被执行人类型 被告人类型 被告性质",
    "defendant_industry": "行业 被告行业 所属行业 被告所属行业 行业类别 industry",
    "defendant_key": "被告标识 被告编号 当事人标识 defendantid",
    "origin_case_no": "原审案号 原案号 关联案号 前审案号 原审案件案号 一审案号 执行依据案号 originalcaseno",
    "lon": "经度 lng longitude",
    "lat": "纬度 latitude",
    "modified_at": "修改日期 修改时间 更新日期 更新时间 最后修改时间 导出日期 导出时间 modified updatedat exportdate",
    "plaintiff_name": "原告 原告名称 原告姓名 原告姓名或名称 申请人 申请执行人 申请人名称 申请执行人名称 起诉人",
    "plaintiff_code": "原告统一社会信用代码 原告信用代码 申请人统一社会信用代码 申请执行人统一社会信用代码",
    "defendant_name": "被告 被告名称 被告姓名 被告姓名或名称 被执行人 被执行人名称 被执行人姓名 被申请人 被告人",
    "defendant_code": "被告统一社会信用代码 被告信用代码 被执行人统一社会信用代码 被申请人统一社会信用代码",
}
# Headers that only name a field when the file has no column with a primary name for it
# (收案日期 stands in for 立案日期 in exports that have only the former).
FALLBACKS: dict[str, str] = {"received_date": "filed_date"}
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

# --- mapping -------------------------------------------------------------------------------

MAPPING_FORMAT = "shuzhu-import-mapping"


def guess_mapping(columns: Iterable[object]) -> dict[str, str]:
    """Source column -> import target for every recognised header (first column wins a target).

    A fallback header (收案日期) takes its field (立案日期) only when no column names it directly;
    新收 is counted on the filing date, so with both present 收案日期 is read but not used.
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        target = HEADER_INDEX.get(normalise_header(col))
        if target and target not in taken:
            out[str(col)] = target
            taken.add(target)
    for src, target in list(out.items()):
        alt = FALLBACKS.get(target)
        if alt and alt not in taken:
            out[src] = alt
            taken.add(alt)
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
    missing = [t for t in REQUIRED if t not in used and not any(a in used for a in REQUIRED_ALTERNATIVES.get(t, ()))]
    if missing:
        zh = "、".join(TARGET_LABELS[t] for t in missing)
        problems.append(
            Problem(
                f"缺少必需的列: {zh}(可在映射中指定哪一列是{zh})",
                f"required column(s) missing: {', '.join(missing)} (map a column to them)",
            )
        )
    return problems

