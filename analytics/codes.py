"""Court codes and case-type codes (案号代字) for the Nantong courts.

Facts follow 最高法《关于人民法院案件案号的若干规定》(法〔2015〕137号, in force 2016-01-01,
amended 法〔2018〕335号) and 《人民法院案件类型及其代字标准》: a basic court's code is the
province character plus the last four digits of its county's division code, and (art. 13) a
court keeps its code until the court itself is renamed or adjusted. That is why 崇川 court still
uses 苏0602 although 崇川区 has been 320613 since 2020.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Court:
    """A court that appears in case numbers."""

    code: str
    name: str
    short: str
    level: str  # intermediate | basic
    adcode: int | None  # current district the court sits in (None: intermediate court)
    valid_from: date | None = None
    valid_to: date | None = None


# Fixed display order (the national system forbids ranking courts, so order never follows a
# figure). 港闸 court: 港闸区 merged into 崇川区 by 苏政发〔2020〕60号 (2020-07); its cases belong
# to today's 崇川 (320613). 海安: 海安县 became 海安市 on 2018-05-11 and the court was renamed,
# so its code moved from 苏0621 to 苏0685. 海门: whether the court was re-coded after 2020 is
# unresolved in public sources; we keep 苏0684 (the code follows the court, art. 13).
COURTS: tuple[Court, ...] = (
    Court("苏06", "南通市中级人民法院", "南通中院", "intermediate", None),
    Court("苏0602", "南通市崇川区人民法院", "崇川法院", "basic", 320613),
    Court("苏0611", "南通市港闸区人民法院", "港闸法院", "basic", 320613, None, date(2020, 7, 27)),
    Court("苏0612", "南通市通州区人民法院", "通州法院", "basic", 320612),
    Court("苏0684", "海门市(区)人民法院", "海门法院", "basic", 320614),
    Court("苏0621", "海安县人民法院", "海安县法院", "basic", 320685, None, date(2018, 5, 10)),
    Court("苏0685", "海安市人民法院", "海安法院", "basic", 320685, date(2018, 5, 11), None),
    Court("苏0682", "如皋市人民法院", "如皋法院", "basic", 320682),
    Court("苏0623", "如东县人民法院", "如东法院", "basic", 320623),
    Court("苏0681", "启东市人民法院", "启东法院", "basic", 320681),
)

COURT_BY_CODE: dict[str, Court] = {c.code: c for c in COURTS}

# 类型代字 -> (category, procedure). Subset in use by the Nantong data; the importer's
# case-number parser may know more codes.
TYPE_CODES: dict[str, tuple[str, str]] = {
    "刑初": ("刑事", "一审"),
    "刑终": ("刑事", "二审"),
    "刑申": ("刑事", "再审审查"),
    "刑再": ("刑事", "再审"),
    "刑更": ("刑事", "刑罚变更"),
    "民初": ("民事", "一审"),
    "民终": ("民事", "二审"),
    "民申": ("民事", "再审审查"),
    "民再": ("民事", "再审"),
    "民特": ("民事", "特别程序"),
    "民督": ("民事", "特别程序"),
    "行初": ("行政", "一审"),
    "行终": ("行政", "二审"),
    "行申": ("行政", "再审审查"),
    "行审": ("行政", "其他"),
    "执": ("执行", "执行实施"),
    "执恢": ("执行", "执行实施"),
    "执异": ("执行", "执行审查"),
    "执复": ("执行", "执行审查"),
    "财保": ("非诉保全审查", "保全审查"),
}


def court_for(code: str) -> Court | None:
    """The court with this case-number code, or None."""
    return COURT_BY_CODE.get(code)
