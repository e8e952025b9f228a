"""The standard cause list (案由/罪名) and "similar to ..." suggestions for causes it does not hold.

The list is ``analytics/data/causes_standard.csv`` (sources in its header: 民事案件案由规定 2020
revision, the Criminal Law's charges with the SPC/SPP 确定罪名 rules, the administrative cause
rules of 2020, and the non-litigation/enforcement names court systems write). A cause is accepted
when the store already holds it or when the list holds it; anything else is rejected with the
closest standard causes suggested, so a typing variant never becomes a new category silently.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STANDARD_CAUSES_PATH = Path(__file__).resolve().parent.parent / "data" / "causes_standard.csv"


@dataclass(frozen=True)
class StandardCause:
    """One cause of the standard list with its parent level and case category."""

    cause: str
    group: str
    category: str


# Traditional characters of cause names as Big5 exports write them (no converter is installed;
# this covers the characters of the common causes, not Chinese at large).
_TRADITIONAL = str.maketrans(
    "買賣糾紛貸權債擔勞動報險機車輛駛撫養贍離婚繼產務約責損傷盜竊詐騙搶奪賭場贓處訴訟執證資財與"
    "們議質償衛醫療網絡幫擾亂態環漁撈獵採礦義華劃",
    "买卖纠纷贷权债担劳动报险机车辆驶抚养赡离婚继产务约责损伤盗窃诈骗抢夺赌场赃处诉讼执证资财与"
    "们议质偿卫医疗网络帮扰乱态环渔捞猎采矿义华划",
)


def cause_key(text: str) -> str:
    """A cause reduced for matching: NFKC (full-width brackets, commas), simplified, no spaces or dots."""
    s = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    s = s.replace("、", ",").replace("，", ",")
    return re.sub(r"[\s·.]+", "", s)


@cache
def standard_causes(path: Path = STANDARD_CAUSES_PATH) -> dict[str, StandardCause]:
    """The standard list, by matching key (comment lines start with #)."""
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {cause_key(r["cause"]): StandardCause(r["cause"], r["cause_group"], r["category"]) for r in rows}


def lookup(cause: str) -> StandardCause | None:
    """The standard cause a typed cause stands for (width, spacing, 、/, variants), or None."""
    return standard_causes().get(cause_key(cause))


def suggest(cause: str, known: list[str] | tuple[str, ...] = (), n: int = 3) -> list[str]:
    """Up to n standard or stored causes most similar to ``cause`` (difflib ratio >= 0.5)."""
    pool = {c.cause: cause_key(c.cause) for c in standard_causes().values()}
    pool.update({k: cause_key(k) for k in known})
    by_key = {v: k for k, v in pool.items()}
    hits = difflib.get_close_matches(cause_key(cause), list(by_key), n=n, cutoff=0.5)
    return [by_key[h] for h in hits]
