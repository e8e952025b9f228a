"""Parse and cross-check case numbers (案号) such as ``(2021)苏0682民初1234号``.

Format per 最高法《关于人民法院案件案号的若干规定》(法〔2015〕137号, in force 2016-01-01;
amended by 法〔2018〕335号, which added the one-character 专门审判代字 before the type code):
``(收案年度)法院代字[专门审判代字]类型代字案件编号号``. Type codes and their categories follow
《人民法院案件类型及其代字标准》 as compiled in the project's reference table
``case_type_codes.csv`` (not shipped: the facts needed are encoded below).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from analytics import codes


@dataclass(frozen=True)
class Problem:
    """A bilingual reason why a value was rejected or changed."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class TypeCode:
    """What a 类型代字 means, in the schema's vocabulary (schema.CATEGORIES / PROCEDURES)."""

    category: str
    procedure: str
    meaning: str


# Source: 《人民法院案件类型及其代字标准》 (SPC, attached to 法〔2015〕137号, revised 2018), as
# compiled in shared/reference/case_type_codes.csv. The standard's own classes that the case
# schema has no category for (破产, 强制清算, 司法救助, 司法制裁) map to 其他; 行政赔偿 stays
# 行政 because the standard files it under administrative cases. Codes marked "medium" or lower
# confidence in the reference table are kept so that real numbers parse, but are rare.
TYPE_CODES: dict[str, TypeCode] = {
    "刑初": TypeCode("刑事", "一审", "刑事一审"),
    "刑终": TypeCode("刑事", "二审", "刑事二审"),
    "刑再": TypeCode("刑事", "再审", "刑事再审"),
    "刑申": TypeCode("刑事", "再审审查", "刑事申诉审查"),
    "刑核": TypeCode("刑事", "其他", "刑事复核"),
    "刑更": TypeCode("刑事", "刑罚变更", "减刑、假释、暂予监外执行"),
    "刑医": TypeCode("刑事", "特别程序", "强制医疗"),
    "刑没": TypeCode("刑事", "特别程序", "违法所得没收"),
    "刑辖": TypeCode("刑事", "其他", "刑事管辖"),
    "刑他": TypeCode("刑事", "其他", "其他刑事"),
    "民初": TypeCode("民事", "一审", "民事一审"),
    "民终": TypeCode("民事", "二审", "民事二审"),
    "民申": TypeCode("民事", "再审审查", "民事申请再审审查"),
    "民再": TypeCode("民事", "再审", "民事再审"),
    "民抗": TypeCode("民事", "再审审查", "民事抗诉再审审查"),
    "民监": TypeCode("民事", "再审审查", "民事审判监督"),
    "民特": TypeCode("民事", "特别程序", "民事特别程序"),
    "民督": TypeCode("民事", "特别程序", "申请支付令"),
    "民催": TypeCode("民事", "特别程序", "公示催告"),
    "民辖": TypeCode("民事", "其他", "民事管辖"),
    "民辖终": TypeCode("民事", "二审", "民事管辖上诉"),
    "民他": TypeCode("民事", "其他", "其他民事"),
    "民诉前调": TypeCode("民事", "其他", "诉前调解"),
    "诉前调": TypeCode("民事", "其他", "诉前调解"),
    "破申": TypeCode("其他", "其他", "破产申请审查"),
    "破": TypeCode("其他", "其他", "破产"),
    "强清申": TypeCode("其他", "其他", "强制清算申请审查"),
    "强清": TypeCode("其他", "其他", "强制清算"),
    "行初": TypeCode("行政", "一审", "行政一审"),
    "行终": TypeCode("行政", "二审", "行政二审"),
    "行申": TypeCode("行政", "再审审查", "行政申请再审审查"),
    "行再": TypeCode("行政", "再审", "行政再审"),
    "行审": TypeCode("行政", "其他", "非诉行政行为申请执行审查"),
    "行审复": TypeCode("行政", "其他", "非诉行政执行审查复议"),
    "行赔初": TypeCode("行政", "一审", "行政赔偿一审"),
    "行赔终": TypeCode("行政", "二审", "行政赔偿二审"),
    "行辖": TypeCode("行政", "其他", "行政管辖"),
    "行他": TypeCode("行政", "其他", "其他行政"),
    "执": TypeCode("执行", "执行实施", "首次执行"),
    "执恢": TypeCode("执行", "执行实施", "恢复执行"),
    "执保": TypeCode("执行", "执行实施", "财产保全执行"),
    "执异": TypeCode("执行", "执行审查", "执行异议"),
    "执复": TypeCode("执行", "执行审查", "执行复议"),
    "执监": TypeCode("执行", "执行审查", "执行监督"),
    "执督": TypeCode("执行", "执行审查", "执行督促"),
    "执协": TypeCode("执行", "其他", "执行协调"),
    "执他": TypeCode("执行", "其他", "其他执行"),
    "财保": TypeCode("非诉保全审查", "保全审查", "诉前/仲裁前财产保全审查"),
    "行保": TypeCode("非诉保全审查", "保全审查", "诉前行为保全审查"),
    "证保": TypeCode("非诉保全审查", "保全审查", "诉前证据保全审查"),
    "法赔": TypeCode("国家赔偿", "其他", "法院赔偿义务机关自赔"),
    "委赔": TypeCode("国家赔偿", "其他", "赔偿委员会审理赔偿"),
    "司救刑": TypeCode("其他", "其他", "司法救助(刑事)"),
    "司救民": TypeCode("其他", "其他", "司法救助(民事)"),
    "司救行": TypeCode("其他", "其他", "司法救助(行政)"),
    "司救执": TypeCode("其他", "其他", "司法救助(执行)"),
    "司救赔": TypeCode("其他", "其他", "司法救助(国家赔偿)"),
    "司救访": TypeCode("其他", "其他", "司法救助(涉诉信访)"),
    "司惩": TypeCode("其他", "其他", "司法制裁"),
    "司惩复": TypeCode("其他", "其他", "司法制裁复议"),
}

# 专门审判代字 (法〔2018〕335号): one character placed before the type code, e.g.
# (2019)最高法知民终1号. 知 is confirmed by the amendment; 环 (环境资源) is used by courts with
# environmental tribunals. Others are not verified and therefore not accepted.
SPECIALISED: dict[str, str] = {"知": "知识产权", "环": "环境资源"}

# Courts outside codes.COURTS that may appear as *origin* courts or in mis-filed rows. Source:
# shared/reference/court_codes.csv (rule art. 5 of 法〔2015〕137号). 苏0691 and 苏72 are
# rule-derived, not verified with a real case number ("medium" confidence there).
OTHER_COURTS: dict[str, str] = {
    "最高法": "最高人民法院",
    "苏": "江苏省高级人民法院",
    "苏0691": "南通经济技术开发区人民法院",
    "苏72": "南京海事法院",
}

# The case-number rule applies to cases received from 2016-01-01. This is only the default
# lower bound: the importer widens it from configuration (``[import] first_year``) and from the
# years the store already holds (a store may hold new-format numbers of 2015 cases).
FIRST_YEAR = 2016

# Bracket and spacing variants people type; NFKC already maps full-width （） and digits.
# Traditional 蘇/號 appear in Big5 exports.
_BRACKETS = str.maketrans(
    {
        "〔": "(",
        "〕": ")",
        "[": "(",
        "]": ")",
        "【": "(",
        "】": ")",
        "﹝": "(",
        "﹞": ")",
        "蘇": "苏",
        "號": "号",
    }
)
_SPACE = re.compile(r"\s+")
_SHAPE = re.compile(r"^\((?P<year>\d{4})\)(?P<code>.+?)(?P<seq>\d+)号?$")
_COURT = re.compile(r"^(?P<court>最高法|[\u4e00-\u9fff](?:\d{2}|\d{4})?)(?P<rest>\D+)$")


@dataclass(frozen=True)
class CaseNumber:
    """A parsed case number with the fields it implies."""

    raw: str
    canonical: str  # half-width brackets, no spaces, seq without leading zeros, trailing 号
    year: int
    court_code: str
    court_name: str | None  # None: a court code this app does not know
    known_court: bool  # True: one of the Nantong courts in analytics.codes
    specialised: str | None  # 专门审判代字 (知, 环) or None
    type_code: str
    category: str
    procedure: str
    seq: int


def normalise_text(text: str) -> str:
    """The case number with full-width forms, bracket variants and all whitespace normalised."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS))


def _court_name(code: str) -> tuple[str | None, bool]:
    """Court name for a code, and whether it is one of the Nantong courts."""
    court = codes.court_for(code)
    if court is not None:
        return court.name, True
    return OTHER_COURTS.get(code), False


def _in_use(code: str, year: int) -> bool:
    """Whether a Nantong court's code was in use in a given year (historic codes end)."""
    court = codes.court_for(code)
    if court is None:
        return True
    if court.valid_from is not None and year < court.valid_from.year:
        return False
    return not (court.valid_to is not None and year > court.valid_to.year)


def parse_case_number(text: object, today: date | None = None, first_year: int | None = None) -> CaseNumber | Problem:
    """Parse a case number; a Problem (Chinese + English) says why it could not be parsed.

    Valid years run from ``first_year`` (default FIRST_YEAR) to next year.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return Problem("案号为空", "case number is empty")
    raw = str(text)
    s = normalise_text(raw)
    if not s:
        return Problem("案号为空", "case number is empty")
    if "字第" in s:
        return Problem(
            f"旧式案号(2016年前“字第”格式)不支持: {raw}",
            f"pre-2016 case number format ('字第') is not supported: {raw}",
        )
    m = _SHAPE.match(s)
    if m is None:
        return Problem(
            f"案号格式不正确(应如 (2021)苏0682民初1234号): {raw}",
            f"malformed case number (expected e.g. (2021)苏0682民初1234号): {raw}",
        )
    year = int(m["year"])
    last_year = (today or date.today()).year + 1
    first = FIRST_YEAR if first_year is None else first_year
    if not first <= year <= last_year:
        return Problem(
            f"案号年份 {year} 超出范围 {first}–{last_year}",
            f"case number year {year} outside {first}-{last_year}",
        )
    c = _COURT.match(m["code"])
    if c is None:
        return Problem(f"法院代字无法识别: {raw}", f"court code not recognised: {raw}")
    court_code, rest = c["court"], c["rest"]
    specialised = None
    if rest not in TYPE_CODES and rest[:1] in SPECIALISED and rest[1:] in TYPE_CODES:
        specialised, rest = rest[0], rest[1:]
    if rest not in TYPE_CODES:
        return Problem(f"类型代字“{rest}”未知: {raw}", f"unknown case type code '{rest}': {raw}")
    seq = int(m["seq"])
    if seq <= 0:
        return Problem(f"案件编号须大于 0: {raw}", f"sequence number must be positive: {raw}")
    name, known = _court_name(court_code)
    if known and not _in_use(court_code, year):
        court = codes.court_for(court_code)
        assert court is not None
        return Problem(
            f"法院代字 {court_code}({court.name})在 {year} 年未使用"
            f"(有效期 {court.valid_from or '—'} 至 {court.valid_to or '今'})",
            f"court code {court_code} was not in use in {year} "
            f"(valid {court.valid_from or '-'} to {court.valid_to or 'now'})",
        )
    t = TYPE_CODES[rest]
    canonical = f"({year}){court_code}{specialised or ''}{rest}{seq}号"
    return CaseNumber(raw, canonical, year, court_code, name, known, specialised, rest, t.category, t.procedure, seq)


@dataclass(frozen=True)
class Mismatch:
    """A field of a row that contradicts what its case number implies."""

    field: str
    row_value: object
    implied: object
    problem: Problem


@cache
def _court_aliases(code: str) -> frozenset[str]:
    """Names a person may type for a court: full or short, with or without 南通市 / 人民.

    海门: the court is listed as 海门市(区)人民法院 because the city became a district in 2020;
    both 海门市人民法院 and 海门区人民法院 are accepted.
    """
    court = codes.court_for(code)
    base = {court.name, court.short} if court else {OTHER_COURTS.get(code, code)}
    names = set()
    for n in base:
        names |= {n, n.replace("市(区)", "区"), n.replace("(区)", "")}
    out = set()
    for n in names:
        bare = n.removeprefix("南通市")
        for v in (n, bare, "南通市" + bare):
            out |= {v, v.replace("人民法院", "法院"), v.replace("人民法院", "")}
    return frozenset(normalise_text(v) for v in out if v)


def cross_check(parsed: CaseNumber, row: Mapping[str, object]) -> list[Mismatch]:
    """Fields of a row (schema column names; ``court_name`` too) that contradict the case number."""
    out: list[Mismatch] = []

    def present(key: str) -> str | None:
        v = row.get(key)
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
            return None
        return str(v).strip()

    for field, implied, zh in (
        ("court_code", parsed.court_code, "法院代字"),
        ("type_code", parsed.type_code, "类型代字"),
        ("category", parsed.category, "案件类别"),
        ("procedure", parsed.procedure, "审判程序"),
    ):
        given = present(field)
        if given is not None and normalise_text(given) != implied:
            out.append(
                Mismatch(
                    field,
                    given,
                    implied,
                    Problem(
                        f"{zh}“{given}”与案号推出的“{implied}”不一致",
                        f"{field} '{given}' contradicts '{implied}' implied by the case number",
                    ),
                )
            )
    name = present("court_name")
    if name is not None and normalise_text(name) not in _court_aliases(parsed.court_code):
        implied_name = parsed.court_name or parsed.court_code
        out.append(
            Mismatch(
                "court_name",
                name,
                implied_name,
                Problem(
                    f"法院“{name}”与案号中的法院“{implied_name}”不一致",
                    f"court '{name}' contradicts court '{implied_name}' of the case number",
                ),
            )
        )
    filed = row.get("filed_date")
    if isinstance(filed, date) and filed.year != parsed.year:
        out.append(
            Mismatch(
                "filed_date",
                filed,
                parsed.year,
                Problem(
                    f"立案日期 {filed} 的年份与案号年份 {parsed.year} 不一致",
                    f"filing date {filed} is not in the case number's year {parsed.year}",
                ),
            )
        )
    return out
