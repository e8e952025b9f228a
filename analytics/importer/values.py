"""Cell values: controlled vocabularies, amounts, numbers, districts."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from analytics import codes
from analytics.casenumber import Problem
from analytics.dates import is_missing
from analytics.importer.columns import TARGET_LABELS

# --- controlled values -----------------------------------------------------------------------


_SPACES = re.compile(r"\s+")


def _compact(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_norm_text = functools.lru_cache(maxsize=1 << 16)(_compact)  # text cells: few distinct ones


def _norm(value: object) -> str:
    """A cell as compact text (NFKC, no whitespace); text cells (few distinct ones) from a cache."""
    return _norm_text(value) if type(value) is str else _compact(str(value))


def _variants(table: dict[str, str]) -> dict[str, str]:
    """{typed variant: vocabulary value} from {vocabulary value: "variant variant ..."}."""
    return {v: value for value, variants in table.items() for v in variants.split()}


_CATEGORY_ALIASES = _variants({"非诉保全审查": "保全 非诉保全", "国家赔偿": "赔偿"})
_PROCEDURE_ALIASES = _variants(
    {
        "一审": "第一审 一审程序 第一审程序 初审",
        "二审": "第二审 二审程序 第二审程序",
        "再审": "审判监督 再审程序 审判监督程序",
        "再审审查": "申请再审 再审审查程序",
        "执行实施": "执行 执行程序 执行实施程序",
        "特别程序": "非讼程序",
    }
)
_TRACK_ALIASES = _variants(
    {
        "普通程序": "普通",
        "简易程序": "简易",
        "小额诉讼": "小额 小额诉讼程序 简易程序(小额诉讼)",
        "速裁程序": "速裁 刑事速裁 刑事速裁程序",
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
    """A whole number, None when empty (64-bit keys parsed exactly, not through a float)."""
    got: int | Problem | None
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        got = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,19}\s*", unicodedata.normalize("NFKC", value)):
        got = int(unicodedata.normalize("NFKC", value))
    else:
        x = _parse_number(value, key)
        if x is None or isinstance(x, Problem):
            return x
        got = int(x) if x == int(x) else _not_number(key, value, "不是整数", "is not a whole number")
    if isinstance(got, int) and not -(2**63) <= got < 2**63:  # the store's keys and codes are 64-bit
        return _not_number(key, value, "超出 64 位整数范围", "is out of the 64-bit integer range")
    return got


# Longest text accepted per field (characters). Beyond this a cell is a paste error or an
# attack on the store, not a value: case numbers are ~20 characters, the longest standard cause
# ~40, party names rarely over 60.
FIELD_MAX_CHARS: dict[str, int] = {
    "case_no": 40,
    "origin_case_no": 40,
    "cause": 60,
    "cause_filed": 60,
    "cause_closed": 60,
    "cause_group": 60,
    "court_name": 60,
    "plaintiff_name": 200,
    "defendant_name": 200,
    "plaintiff_code": 40,
    "defendant_code": 40,
}
DEFAULT_MAX_CHARS = 100
SHORTEST_LIMIT = min(DEFAULT_MAX_CHARS, *FIELD_MAX_CHARS.values())  # text this short fits every field


def too_long(key: str, value: object) -> Problem | None:
    """Why a cell is too long for its field, or None."""
    if not isinstance(value, str):
        return None
    limit = FIELD_MAX_CHARS.get(key, DEFAULT_MAX_CHARS)
    if len(value) <= limit:
        return None
    label = TARGET_LABELS.get(key, key)
    return Problem(
        f"{label}过长({len(value)} 字符, 上限 {limit})",
        f"{key} is too long ({len(value)} characters, limit {limit})",
    )


# Division codes replaced since 2016 -> today's district (the case schema counts cases by
# current district). Sources: 苏政发〔2020〕60号 (港闸区 320611 merged into 崇川区, which was
# re-coded 320602 -> 320613); 海门撤市设区 2020 (320684 -> 320614); 海安撤县设市 2018
# (320621 -> 320685). See also the comments in analytics/codes.py.
LEGACY_ADCODES: dict[int, int] = {320602: 320613, 320611: 320613, 320684: 320614, 320621: 320685}
NANTONG_ADCODES: frozenset[int] = frozenset(c.adcode for c in codes.COURTS if c.adcode is not None)
# An intermediate-court case that cannot be placed in a district (no coordinates, no origin case
# the file or the store places): 南通市 as a whole, shown as "未定/全市". Counted in city totals
# and court indicators; the map shows such cases as unplaced.
# The same values as geodata.UNPLACED_ADCODE / UNPLACED_NAME (the map shows these cases as
# unplaced with their count); not imported from there to keep geopandas out of the import path.
# tests/test_import_validate.py checks that both agree.
UNPLACED_ADCODE = 320600
UNPLACED_LABEL = "未定/全市"


@dataclass(frozen=True)
class Centralised:
    """A court that tries certain cases of every district (集中管辖) from a date on."""

    court_code: str
    since: date
    specialised: str  # 专门审判代字 its case numbers may carry
    causes: frozenset[str]
    source: str


# 如皋市人民法院 长江流域环境资源审判庭 (长江二庭) tries Nantong's environmental and resource cases
# from 2020-07 (江苏高院 环境资源案件集中管辖, 苏高法〔2019〕 "9+1" 机制): such a case belongs to the
# district where the harm happened, not to 如皋. The causes are the environmental ones of the
# standard lists (刑法 第六章第六节 and 民事案件案由规定 environmental torts).
CENTRALISED: tuple[Centralised, ...] = (
    Centralised(
        "苏0682",
        date(2020, 7, 1),
        "环",
        frozenset(
            {
                "污染环境罪", "非法捕捞水产品罪", "非法采矿罪",
                "破坏性采矿罪", "非法狩猎罪", "危害珍贵、濒危野生动物罪",
                "非法猎捕、收购、运输、出售陆生野生动物罪", "非法占用农用地罪", "危害国家重点保护植物罪",
                "盗伐林木罪", "滥伐林木罪", "非法收购、运输盗伐、滥伐的林木罪",
                "非法处置进口的固体废物罪", "环境污染责任纠纷", "大气污染责任纠纷",
                "水污染责任纠纷", "噪声污染责任纠纷", "土壤污染责任纠纷",
                "生态破坏责任纠纷", "海上、通海水域污染损害责任纠纷",
            }
        ),
        "江苏省高级人民法院 环境资源案件集中管辖 (2020-07, 长江二庭 at 如皋)",
    ),
)


def centralised_for(court_code: str, filed: date | None, specialised: str | None, cause: str | None) -> bool:
    """Whether a court tries this case for any district (so its adcode may differ from the court's)."""
    for c in CENTRALISED:
        if c.court_code != court_code or filed is None or filed < c.since:
            continue
        if specialised == c.specialised or (cause is not None and cause in c.causes):
            return True
    return False


def adcode_at(lon: float, lat: float) -> int | None:
    """The Nantong district containing a point (boundaries are GCJ-02; WGS-84 points may be off by ~500 m)."""
    import shapely

    from geodata import district_polygons

    for adcode, geom in district_polygons().items():
        if shapely.contains_xy(geom, lon, lat):
            return adcode
    return None

