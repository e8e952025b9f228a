"""The indicator catalogue: every indicator's formula, label, source, caveat and reasonable range.

This is the ONE place where an indicator is defined. Each ``Indicator`` names its numerator and
denominator *ingredients*; each ingredient is defined once below as a condition over the case
relation that the query strategies in ``queries`` build (their columns are listed at
``CLOSED_INGREDIENTS``). Changing a denominator is one edit here: the query strategies generate
their aggregates from these tables, and ratios are evaluated by ``evaluate`` from the catalogue.

Periods are ``[start, end]`` (both inclusive). The four 收结存 counts (a case counts in every one
it satisfies):

* 旧存 ``pending_start`` = filed < start AND (closed IS NULL OR closed >= start)
* 新收 ``filed``         = start <= filed <= end
* 结案 ``closed``        = start <= closed <= end
* 未结 ``pending_end``   = filed <= end AND (closed IS NULL OR closed > end)

The 结案方式 (outcome) filter selects *closed* cases only: 旧存, 新收, 未结 and 超12个月未结 are
stocks or intake and are counted over every outcome (a pending case has no outcome yet).

Ratios are fractions (0.9521, shown as 95.21 %) except the CEPEJ clearance rate, which CEPEJ
publishes as a percentage. A ratio whose denominator is 0 is ``None`` -- never NaN or 0.

Sources used below: 民事诉讼法 (2023 revision, article numbers as in the 2021/2023 text),
刑事诉讼法 (2018), 行政诉讼法 (2017), 最高人民法院《人民法院审判质量管理指标体系》 (2024, revised
2024-09; its 合理区间参考值 are not public), the working formulas collected in
``../shared/reference/published_stats.md`` §3 (checked against published local court reports) and
the CEPEJ evaluation methodology.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from analytics import schema

# --- vocabularies the indicators rely on (members of schema.OUTCOMES / PROCEDURES / CATEGORIES) --

FIRST_INSTANCE = "一审"
APPEAL = "二审"
ENFORCEMENT = "执行实施"
ENFORCEMENT_REVIEW = "执行审查"
PRESERVATION = "保全审查"
CIVIL = "民事"
ADMINISTRATIVE = "行政"
RESUMED_ENFORCEMENT = "执恢"  # 恢复执行: continues an earlier 执 case (usually one closed as 终本)
CIVIL_APPEAL = "民终"
# A first instance is "challenged" (not 服判息诉) by an appeal or a retrial petition / retrial.
CHALLENGE_PROCEDURES: tuple[str, ...] = ("二审", "再审审查", "再审")
# 调撤 of a first instance: 调解 + 撤诉 (published_stats.md §3: (调解结案 + 撤诉结案) / 结案数).
# 准许撤回 (the prosecution withdrawing a charge) is not party settlement and is left out.
MEDIATION_WITHDRAWAL_OUTCOMES: tuple[str, ...] = ("调解", "撤诉")
# 调撤 of a 二审: 调解, 撤回上诉 and 撤诉 (撤回起诉 in the second instance).
APPEAL_MEDIATION_WITHDRAWAL_OUTCOMES: tuple[str, ...] = ("调解", "撤回上诉", "撤诉")
REVERSAL_OUTCOMES: tuple[str, ...] = ("改判", "发回重审")
# First-instance closures by ruling (裁定): an appeal against them is an appeal against a ruling
# (民事诉讼法 art. 183: 30 days instead of 3 months).
RULING_OUTCOMES: tuple[str, ...] = ("驳回起诉",)
# 实际执结: the creditor actually got performance -- 执行完毕 or a 执行和解 (settlement). 终结本次
# 执行 (终本, no assets found), 终结执行, 不予执行 and 销案 are closures without performance.
ACTUAL_ENFORCEMENT_OUTCOMES: tuple[str, ...] = ("执行完毕", "执行和解")
OVERDUE_DAYS = 365  # 超12个月: end − filed > 365 days
# The cohort basis of the appeal indicators follows a period's first instances to every later
# appeal, petition and 二审 decision. That is complete only once the windows have closed: 15 days
# to appeal (民诉法 art. 171), 3 months for the 二审 (art. 183) and 6 months to petition for retrial
# (art. 216), plus docketing. A period's cohort figures are shown only when the data reach this
# many days past its end; otherwise they are None ("上诉期未满").
COHORT_WINDOW_DAYS = 365

GROUP_BY: tuple[str, ...] = ("court_code", "adcode", "month")
CASE_STATUSES: tuple[str, ...] = ("pending_start", "filed", "closed", "pending_end")

# Vocabulary constants as SQL parameters ($name): the ingredient conditions below refer to them.
VOCAB_PARAMS: dict[str, object] = {
    "first": FIRST_INSTANCE,
    "appeal": APPEAL,
    "enforce": ENFORCEMENT,
    "enforce_review": ENFORCEMENT_REVIEW,
    "preserve": PRESERVATION,
    "civil": CIVIL,
    "admin": ADMINISTRATIVE,
    "resumed": RESUMED_ENFORCEMENT,
    "civil_appeal": CIVIL_APPEAL,
    "challenge": list(CHALLENGE_PROCEDURES),
    "mw": list(MEDIATION_WITHDRAWAL_OUTCOMES),
    "appeal_mw": list(APPEAL_MEDIATION_WITHDRAWAL_OUTCOMES),
    "reversal": list(REVERSAL_OUTCOMES),
    "ruling": list(RULING_OUTCOMES),
    "actual": list(ACTUAL_ENFORCEMENT_OUTCOMES),
    "overdue": OVERDUE_DAYS,
}

# --- ingredients ---------------------------------------------------------------------------------

Agg = Literal["count", "sum", "avg", "median", "p90"]

# Ingredients over the cases CLOSED in the period that pass the 结案方式 filter: name ->
# (aggregate, value expression, condition). Columns of the case relation (built in queries):
#   proc, cat, tcode, track_, outc  -- procedure, category, type code, track, outcome as text
#   days       -- closed − filed in days
#   lim_known  -- the case has a statutory limit (schema.STATUTORY_LIMITS); lim_ok -- within it
#   eff_amount, eff_recovered -- 申请执行标的 and 到位金额, an 执恢 reduced to its origin's remainder
#   fi_challenged, fi_appealed, fi_reversed -- cohort links of a first instance (any later date)
CLOSED_INGREDIENTS: dict[str, tuple[Agg, str, str]] = {
    "closed": ("count", "", "TRUE"),
    # durations: trial cases, enforcement (执行实施) and 保全 separately; 执行审查 in none of them
    "trial_closed": ("count", "", "proc NOT IN ($enforce, $enforce_review, $preserve)"),
    "mean_days": ("avg", "days", "proc NOT IN ($enforce, $enforce_review, $preserve)"),
    "median_days": ("median", "days", "proc NOT IN ($enforce, $enforce_review, $preserve)"),
    "p90_days": ("p90", "days", "proc NOT IN ($enforce, $enforce_review, $preserve)"),
    "enforcement_mean_days": ("avg", "days", "proc = $enforce"),
    "preservation_mean_days": ("avg", "days", "proc = $preserve"),
    # statutory time limits
    "limit_known_closed": ("count", "", "lim_known"),
    "limit_unknown_closed": ("count", "", "NOT lim_known"),
    "on_time_closed": ("count", "", "lim_known AND lim_ok"),
    # first instances and 调撤
    "first_instance_closed": ("count", "", "proc = $first"),
    "first_instance_mediation_withdrawal": ("count", "", "proc = $first AND list_contains($mw, outc)"),
    "civil_first_instance_closed": ("count", "", "proc = $first AND cat = $civil"),
    "mediation_withdrawal": ("count", "", "proc = $first AND cat = $civil AND list_contains($mw, outc)"),
    "admin_first_instance_closed": ("count", "", "proc = $first AND cat = $admin"),
    "admin_mediation_withdrawal": ("count", "", "proc = $first AND cat = $admin AND list_contains($mw, outc)"),
    # second instances
    "appeal_closed": ("count", "", "proc = $appeal"),
    "appeal_mediation_withdrawal": ("count", "", "proc = $appeal AND list_contains($appeal_mw, outc)"),
    "appeal_reversed": ("count", "", "proc = $appeal AND list_contains($reversal, outc)"),
    # cohort basis: this period's first instances, followed to later appeals/petitions/decisions
    "first_instance_challenged": ("count", "", "proc = $first AND fi_challenged"),
    "first_instance_appealed": ("count", "", "proc = $first AND fi_appealed"),
    "first_instance_reversed": ("count", "", "proc = $first AND fi_reversed"),
    # enforcement
    "enforcement_closed": ("count", "", "proc = $enforce"),
    "enforcement_amount": ("sum", "eff_amount", "proc = $enforce AND eff_amount IS NOT NULL"),
    "enforcement_recovered": ("sum", "eff_recovered", "proc = $enforce AND eff_amount IS NOT NULL"),
    "enforcement_actual": ("count", "", "proc = $enforce AND list_contains($actual, outc)"),
}

# Flow-basis appeal ingredients: cases linked (origin_case_no) to a first instance that passes the
# whole filter (filed whenever), counted when their own date falls in the period, and attributed to
# the first instance's court and district: name -> (date column, condition over proc/outc).
EVENT_INGREDIENTS: dict[str, tuple[Literal["filed_date", "closed_date"], str]] = {
    "appeals_filed": ("filed_date", "proc = $appeal"),
    "challenges_filed": ("filed_date", "list_contains($challenge, proc)"),
    "reversals_decided": ("closed_date", "proc = $appeal AND list_contains($reversal, outc)"),
}

# Stock and intake ingredients (computed by dedicated SQL in queries: they need the period bounds).
STOCK_INGREDIENTS: tuple[str, ...] = ("pending_start", "filed", "pending_end", "over_12m_pending")

# --- the catalogue -------------------------------------------------------------------------------

Kind = Literal["count", "ratio", "percent", "days", "amount"]
Basis = Literal["stock", "flow", "cohort"]

_SRC_COUNTS = "人民法院案件统计口径（旧存、新收、结案、未结）"
_SRC_WORKING = "published_stats.md §3 工作公式（经地方法院公开报告核对）"
_SRC_SPC = "最高人民法院《人民法院审判质量管理指标体系》（2024）"
_OUTCOME_NOTE = "结案方式筛选不作用于本项（存量/收案）。"
_APPEAL_NOTE = ("上诉、申请再审以 origin_case_no 关联到一审，按一审法院归属；苏06 自身一审的上诉由江苏高院审理，"
                "不在本库中。")


@dataclass(frozen=True)
class Indicator:
    """One indicator: how it is computed from ingredients, and what the page says about it.

    value = Σ num / Σ den × scale (``complement``: (Σ den − Σ num) / Σ den); with ``den`` empty the
    value is the single ingredient ``num[0]`` itself (counts, amounts, durations);
    ``per_period_days`` multiplies by the period's length in days (CEPEJ disposition time).
    """

    key: str
    label: str
    kind: Kind
    formula: str
    source: str
    caveat: str = ""
    num: tuple[str, ...] = ()
    den: tuple[str, ...] = ()
    complement: bool = False
    scale: float = 1.0
    per_period_days: bool = False
    basis: Basis = "flow"
    range: tuple[float | None, float | None] | None = None
    direction: int | None = None  # +1 higher is better, -1 lower, None neither (or two-sided)

    @property
    def help(self) -> str:
        """The help text shown on the page: formula, source, and what the data cannot support."""
        text = f"{self.formula}。来源：{self.source}。"
        return text + (f"{self.caveat}" if self.caveat else "")


def _count(key: str, label: str, formula: str, source: str = _SRC_COUNTS, caveat: str = "",
           basis: Basis = "flow") -> Indicator:
    return Indicator(key, label, "count", formula, source, caveat, num=(key,), basis=basis)


_CATALOGUE: tuple[Indicator, ...] = (
    # 收结存
    _count("pending_start", "旧存", "立案日期早于期初且期初未结的案件", caveat=_OUTCOME_NOTE, basis="stock"),
    _count("filed", "新收", "立案日期在本期内的案件", caveat=_OUTCOME_NOTE, basis="stock"),
    _count("closed", "结案", "结案日期在本期内的案件"),
    _count("pending_end", "期末未结（全部在办）", "期末仍在办的全部案件（不论立案年份）", caveat=_OUTCOME_NOTE,
           basis="stock"),
    Indicator("closure_rate", "结案率", "ratio", "结案数 ÷（旧存 + 新收）", _SRC_WORKING,
              "旧存、新收不受结案方式筛选影响。", num=("closed",), den=("pending_start", "filed"), direction=1),
    Indicator("clearance_ratio", "结收比", "ratio", "结案数 ÷ 新收数", _SRC_WORKING,
              num=("closed",), den=("filed",), range=(0.90, 1.10)),
    Indicator("cepej_clearance_rate", "CEPEJ结案清理率(%)", "percent", "结案数 ÷ 新收数 × 100",
              "CEPEJ 欧洲司法效率委员会评估方法", num=("closed",), den=("filed",), scale=100.0),
    Indicator("cepej_disposition_time", "CEPEJ预计处置时间(天)", "days", "期间天数 × 期末未结 ÷ 结案数",
              "CEPEJ 评估方法（按年为 365 × 未结 ÷ 结案；此处按期间天数折算）",
              num=("pending_end",), den=("closed",), per_period_days=True, direction=-1),
    # durations
    _count("trial_closed", "审判案件结案数", "本期结案的审判案件（执行实施、执行审查、保全审查以外）"),
    Indicator("mean_days", "平均审理天数（审判）", "days", "审判案件 Σ(结案日期 − 立案日期) ÷ 结案数",
              _SRC_WORKING, "不含执行实施、执行审查、保全审查；未扣除审限扣除期间。", num=("mean_days",),
              direction=-1),
    Indicator("median_days", "审理天数中位数（审判）", "days", "审判案件审理天数的中位数", _SRC_WORKING,
              "线性插值。", num=("median_days",), direction=-1),
    Indicator("p90_days", "审理天数90分位（审判）", "days", "审判案件审理天数的 90% 分位数", _SRC_WORKING,
              "线性插值。", num=("p90_days",), direction=-1),
    Indicator("enforcement_mean_days", "平均执行天数（执行实施）", "days",
              "执行实施案件（执、执恢）Σ(结案日期 − 立案日期) ÷ 结案数", _SRC_WORKING,
              num=("enforcement_mean_days",), direction=-1),
    Indicator("preservation_mean_days", "平均审查天数（保全）", "days",
              "保全审查案件（财保）Σ(结案日期 − 立案日期) ÷ 结案数", "民事诉讼法第一百零四条（48 小时内裁定）",
              "数据只有日期，不含时刻。", num=("preservation_mean_days",), direction=-1),
    # statutory time limits
    _count("limit_known_closed", "有法定审限的结案数", "本期结案且法定审限可确定的案件",
           "analytics/schema.py STATUTORY_LIMITS"),
    _count("limit_unknown_closed", "审限未知结案数",
           "本期结案但法定审限无法确定的案件（如民初缺适用程序、民终无法关联一审、刑再）",
           "analytics/schema.py STATUTORY_LIMITS", "这些案件不计入审限内结案率的分子和分母，并单独列示。"),
    _count("on_time_closed", "法定审限内结案数", "在法定审限内结案的案件", "analytics/schema.py STATUTORY_LIMITS"),
    Indicator("on_time_rate", "法定审限内结案率", "ratio", "法定审限内结案数 ÷ 有法定审限的结案数",
              "民事诉讼法第152、164、169、183条；刑事诉讼法第208、220、225、243条；行政诉讼法第81、88条；"
              "最高法《关于严格执行案件审理期限制度的若干规定》",
              "未扣除审限（扣除、中止期间和延长审限不在数据中），故为正常审限口径；审限未知的案件单列。",
              num=("on_time_closed",), den=("limit_known_closed",), range=(0.90, None), direction=1),
    # long pending
    _count("over_12m_pending", "超12个月未结案件数", "期末未结且期末 − 立案日期 > 365 天", caveat=_OUTCOME_NOTE,
           basis="stock"),
    Indicator("over_12m_pending_ratio", "超12个月未结案件比", "ratio", "超12个月未结案件数 ÷ 期末未结案件数",
              _SRC_WORKING + "；" + _SRC_SPC,
              "分母为假设：最高法未公开正式口径，此处按工作公式取期末未结案件数；全国 2023 年 0.109% 未注明分母，"
              "不能与本指标直接比较，合理区间上限按同一分母（期末未结）设定。" + _OUTCOME_NOTE,
              num=("over_12m_pending",), den=("pending_end",), basis="stock", range=(None, 0.05), direction=-1),
    # 调撤
    _count("civil_first_instance_closed", "民事一审结案数", "本期结案的民事一审案件（民初）"),
    _count("mediation_withdrawal", "民事一审调撤数", "民事一审以调解、撤诉结案的案件"),
    Indicator("mediation_withdrawal_rate", "调撤率（民事一审）", "ratio", "（调解 + 撤诉）÷ 民事一审结案数",
              _SRC_WORKING, "撤回上诉属于二审，计入二审调撤率。",
              num=("mediation_withdrawal",), den=("civil_first_instance_closed",), range=(0.30, 0.80)),
    _count("admin_first_instance_closed", "行政一审结案数", "本期结案的行政一审案件（行初）"),
    _count("admin_mediation_withdrawal", "行政一审调撤数", "行政一审以调解、撤诉结案的案件"),
    Indicator("admin_mediation_withdrawal_rate", "调撤率（行政一审）", "ratio", "（调解 + 撤诉）÷ 行政一审结案数",
              _SRC_WORKING + "；行政诉讼法第60条（调解范围有限）",
              num=("admin_mediation_withdrawal",), den=("admin_first_instance_closed",)),
    _count("first_instance_closed", "一审结案数", "本期结案的全部一审案件（民初、刑初、行初）"),
    _count("first_instance_mediation_withdrawal", "一审调撤数", "全部一审以调解、撤诉结案的案件"),
    Indicator("first_instance_mediation_withdrawal_rate", "调撤率（全部一审）", "ratio",
              "（调解 + 撤诉）÷ 全部一审结案数", _SRC_WORKING, "刑事一审的准许撤回（撤回起诉）不计入。",
              num=("first_instance_mediation_withdrawal",), den=("first_instance_closed",)),
    _count("appeal_closed", "二审结案数", "本期结案的二审案件"),
    _count("appeal_mediation_withdrawal", "二审调撤数", "二审以调解、撤回上诉、撤诉结案的案件"),
    Indicator("appeal_mediation_withdrawal_rate", "二审调撤率", "ratio", "（调解 + 撤回上诉 + 撤诉）÷ 二审结案数",
              _SRC_WORKING, num=("appeal_mediation_withdrawal",), den=("appeal_closed",)),
    # appeals: flow basis (headline)
    _count("appeals_filed", "上诉案件数", "本期立案的二审案件（其一审符合筛选条件）", _SRC_WORKING, _APPEAL_NOTE),
    _count("challenges_filed", "上诉及申请再审数", "本期立案的二审、再审审查、再审案件（其一审符合筛选条件）",
           _SRC_WORKING, _APPEAL_NOTE),
    _count("reversals_decided", "一审被改判发回重审数", "本期二审以改判、发回重审结案的案件（其一审符合筛选条件）",
           _SRC_WORKING, _APPEAL_NOTE),
    Indicator("appeal_rate", "上诉率", "ratio", "本期上诉案件数 ÷ 本期一审结案数（流量口径）", _SRC_WORKING,
              _APPEAL_NOTE, num=("appeals_filed",), den=("first_instance_closed",), direction=-1),
    Indicator("service_acceptance_rate", "一审服判息诉率", "ratio",
              "1 −（本期上诉及申请再审数 ÷ 本期一审结案数）（流量口径）", _SRC_WORKING + "；" + _SRC_SPC,
              _APPEAL_NOTE, num=("challenges_filed",), den=("first_instance_closed",), complement=True,
              range=(0.85, None), direction=1),
    Indicator("reversal_remand_rate", "一审被改判发回重审率", "ratio",
              "本期二审改判、发回重审数 ÷ 本期一审结案数（流量口径）", _SRC_WORKING, _APPEAL_NOTE,
              num=("reversals_decided",), den=("first_instance_closed",), direction=-1),
    Indicator("appeal_reversal_rate", "二审改判发回重审率", "ratio", "二审改判、发回重审数 ÷ 二审结案数",
              _SRC_SPC + "（2024-09 修订：二审改判-发回重审）", "最高法正式公式未公开，按此口径计算。",
              num=("appeal_reversed",), den=("appeal_closed",), direction=-1),
    _count("appeal_reversed", "二审改判发回重审数", "二审以改判、发回重审结案的案件"),
    # appeals: cohort basis (only for periods whose window has closed)
    _count("first_instance_challenged", "一审被上诉及申请再审数（队列）",
           "本期结案的一审中，此后被上诉或申请再审的案件", _SRC_WORKING, basis="cohort"),
    _count("first_instance_appealed", "一审被上诉数（队列）", "本期结案的一审中，此后被上诉的案件", _SRC_WORKING,
           basis="cohort"),
    _count("first_instance_reversed", "一审被改判发回数（队列）", "本期结案的一审中，此后被二审改判、发回的案件",
           _SRC_WORKING, basis="cohort"),
    Indicator("service_acceptance_rate_cohort", "一审服判息诉率（队列口径）", "ratio",
              "1 − 本期一审结案中此后被上诉或申请再审的件数 ÷ 本期一审结案数", _SRC_WORKING,
              f"只对期末后已满 {COHORT_WINDOW_DAYS} 天（上诉、二审、申请再审期限已过）的期间计算。",
              num=("first_instance_challenged",), den=("first_instance_closed",), complement=True,
              basis="cohort", direction=1),
    Indicator("appeal_rate_cohort", "上诉率（队列口径）", "ratio", "本期一审结案中此后被上诉的件数 ÷ 本期一审结案数",
              _SRC_WORKING, f"只对期末后已满 {COHORT_WINDOW_DAYS} 天的期间计算。",
              num=("first_instance_appealed",), den=("first_instance_closed",), basis="cohort", direction=-1),
    Indicator("reversal_remand_rate_cohort", "一审被改判发回重审率（队列口径）", "ratio",
              "本期一审结案中此后被改判、发回的件数 ÷ 本期一审结案数", _SRC_WORKING,
              f"只对期末后已满 {COHORT_WINDOW_DAYS} 天的期间计算。",
              num=("first_instance_reversed",), den=("first_instance_closed",), basis="cohort", direction=-1),
    # enforcement
    _count("enforcement_closed", "执行实施结案数", "本期结案的执行实施案件（执、执恢）"),
    Indicator("enforcement_amount", "申请执行标的额(元)", "amount", "执行实施结案的申请执行标的之和",
              _SRC_WORKING, "执恢案件只计其原执行案件尚未到位的部分（不重复计原标的）；无标的额的案件不计入。",
              num=("enforcement_amount",)),
    Indicator("enforcement_recovered", "执行到位金额(元)", "amount", "执行实施结案的执行到位金额之和", _SRC_WORKING,
              "执恢案件的到位金额以其计入的申请标的为上限。", num=("enforcement_recovered",)),
    Indicator("recovery_rate", "执行到位率", "ratio", "执行到位金额 ÷ 申请执行标的额", _SRC_WORKING + "；" + _SRC_SPC,
              "执恢案件只计原案尚未到位的部分。", num=("enforcement_recovered",), den=("enforcement_amount",),
              direction=1),
    _count("enforcement_actual", "实际执结数", "以执行完毕、执行和解结案的执行实施案件"),
    Indicator("actual_enforcement_rate", "实际执结率", "ratio", "（执行完毕 + 执行和解）÷ 执行实施结案数",
              _SRC_WORKING, "终本、终结执行、不予执行、销案不算实际执结；执恢作为一件独立案件计数。",
              num=("enforcement_actual",), den=("enforcement_closed",), direction=1),
)

DEFINITIONS: dict[str, Indicator] = {d.key: d for d in _CATALOGUE}


def definition(key: str) -> Indicator:
    """The catalogue entry of one indicator (KeyError for an unknown key)."""
    return DEFINITIONS[key]


# Derived views of the catalogue (kept for the pages, exports and tests).
INDICATORS: dict[str, Kind] = {d.key: d.kind for d in _CATALOGUE}
# Ratio -> its one count numerator, for the publication gate's rule that a rate over a small
# numerator is hidden like that count (issue 15). Ratios of amounts (执行到位率) or of several
# ingredients have none and follow the row rule only.
COUNT_NUMERATORS: dict[str, str] = {
    d.key: d.num[0] for d in _CATALOGUE
    if d.kind == "ratio" and len(d.num) == 1 and INDICATORS.get(d.num[0]) == "count"
}
DIRECTION: dict[str, int | None] = {d.key: d.direction for d in _CATALOGUE if d.direction is not None}
# 合理区间 per indicator: (low, high), None = unbounded. The SPC's 审判质量管理指标体系 (2024) gives
# most indicators a 合理区间参考值 whose numbers are not public; these are working values for annual
# figures, configurable in shuzhu.toml ([indicators.ranges.<key>]).
REASONABLE_RANGES: dict[str, tuple[float | None, float | None]] = {
    d.key: d.range for d in _CATALOGUE if d.range is not None
}
COHORT_INDICATORS: tuple[str, ...] = tuple(d.key for d in _CATALOGUE if d.basis == "cohort")

LABELS: dict[str, str] = {
    **{d.key: d.label for d in _CATALOGUE},
    # cumulative columns of monthly_trend
    "cum_filed": "累计新收",
    "cum_closed": "累计结案",
    "cum_closure_rate": "累计结案率",
    "cum_clearance_ratio": "累计结收比",
    # grouping / period / case-list columns
    "court_code": "法院代码",
    "court_name": "法院",
    "adcode": "区县代码",
    "district_name": "区县",
    "month": "月份",
    "period_start": "起始日期",
    "period_end": "截止日期",
    "case_no": "案号",
    "category": "案件类别",
    "procedure": "审级",
    "cause": "案由",
    "filed_date": "立案日期",
    "closed_date": "结案日期",
    "outcome": "结案方式",
    "duration_days": "审理天数",
    "intake": "收案",
    "status": "期末状态",
    "indicator": "指标",
    "label": "指标名称",
    "current": "本期",
    "yoy": "同期(同比)",
    "pop": "上期(环比)",
    "yoy_diff": "同比增减",
    "pop_diff": "环比增减",
    "yoy_pct": "同比增幅",
    "pop_pct": "环比增幅",
}

# The figures a report leads with (the page's headline metrics).
HEADLINE: tuple[str, ...] = (
    "filed",
    "closed",
    "pending_end",
    "closure_rate",
    "clearance_ratio",
    "on_time_rate",
    "mean_days",
    "over_12m_pending_ratio",
    "mediation_withdrawal_rate",
    "service_acceptance_rate",
    "reversal_remand_rate",
    "recovery_rate",
)

# Further figures the trial page shows in groups under the headline (none repeats a headline).
DETAIL_GROUPS: dict[str, tuple[str, ...]] = {
    "审理天数": ("median_days", "enforcement_mean_days", "preservation_mean_days"),
    "上诉与改判（流量口径）": ("appeals_filed", "appeal_rate", "challenges_filed", "appeal_reversal_rate"),
    "调撤率": ("admin_mediation_withdrawal_rate", "first_instance_mediation_withdrawal_rate",
            "appeal_mediation_withdrawal_rate"),
    "审限与执行": ("limit_unknown_closed", "actual_enforcement_rate", "pending_start"),
}
# Cohort-basis figures, shown apart and only for periods whose appeal window has closed.
COHORT_TABLE: tuple[str, ...] = ("service_acceptance_rate_cohort", "appeal_rate_cohort",
                                 "reversal_remand_rate_cohort")

# Columns of the per-court / per-district / monthly tables (a readable subset of INDICATORS).
TABLE_COLUMNS: tuple[str, ...] = (
    "pending_start", "filed", "closed", "pending_end", "closure_rate", "clearance_ratio",
    "on_time_rate", "limit_unknown_closed", "mean_days", "over_12m_pending_ratio",
    "mediation_withdrawal_rate", "service_acceptance_rate", "appeal_rate",
    "reversal_remand_rate", "appeal_reversal_rate", "recovery_rate", "actual_enforcement_rate",
)

# --- evaluation ----------------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator; None when the denominator is 0 or either value is missing."""
    if numerator is None or denominator is None:
        return None
    num, den = float(numerator), float(denominator)
    if math.isnan(num) or math.isnan(den) or den == 0:
        return None
    return num / den


def _num(v: object) -> float | None:
    """A float, or None for None/NaN."""
    if v is None:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def evaluate(key: str, values: Mapping[str, object], period_days: int = 365) -> float | None:
    """The indicator ``key`` from its ingredient values, by its catalogue definition."""
    d = DEFINITIONS[key]
    nums = [_num(values[n]) for n in d.num]
    if not d.den:
        return nums[0] if nums else None
    dens = [_num(values[n]) for n in d.den]
    if any(v is None for v in (*nums, *dens)):
        return None
    num, den = sum(nums), sum(dens)  # type: ignore[arg-type]
    r = ratio(den - num if d.complement else num, den)
    if r is None:
        return None
    return r * d.scale * (period_days if d.per_period_days else 1)


# Thin named wrappers (the published worked figures are tested through them).
def closure_rate(closed: int, pending_start: int, filed: int) -> float | None:
    """结案率 = closed / (pending_start + filed)."""
    return evaluate("closure_rate", {"closed": closed, "pending_start": pending_start, "filed": filed})


def clearance_ratio(closed: int, filed: int) -> float | None:
    """结收比 = closed / filed."""
    return evaluate("clearance_ratio", {"closed": closed, "filed": filed})


def cepej_clearance_rate(closed: int, filed: int) -> float | None:
    """CEPEJ clearance rate = closed / filed × 100 (a percentage)."""
    return evaluate("cepej_clearance_rate", {"closed": closed, "filed": filed})


def cepej_disposition_time(pending_end: int, closed: int, period_days: int = 365) -> float | None:
    """CEPEJ disposition time = period_days × pending_end / closed (days; 365 for a year)."""
    return evaluate("cepej_disposition_time", {"pending_end": pending_end, "closed": closed}, period_days)


def on_time_rate(on_time_closed: int, limit_known_closed: int) -> float | None:
    """法定审限内结案率 = closed within the statutory limit / closed cases with a known limit."""
    return evaluate("on_time_rate", {"on_time_closed": on_time_closed, "limit_known_closed": limit_known_closed})


def over_12m_pending_ratio(over_12m_pending: int, pending_end: int) -> float | None:
    """超12个月未结案件比 = pending at end with end − filed > 365 days / pending at end."""
    return evaluate("over_12m_pending_ratio", {"over_12m_pending": over_12m_pending, "pending_end": pending_end})


def mediation_withdrawal_rate(mediation_withdrawal: int, civil_first_instance_closed: int) -> float | None:
    """调撤率 (民事一审) = 民事一审 closed as 调解 or 撤诉 / 民事一审 closed."""
    return evaluate("mediation_withdrawal_rate", {"mediation_withdrawal": mediation_withdrawal,
                                                  "civil_first_instance_closed": civil_first_instance_closed})


def service_acceptance_rate(first_instance_closed: int, challenged: int) -> float | None:
    """一审服判息诉率 = (first-instance closed − appealed or petitioned) / first-instance closed."""
    return evaluate("service_acceptance_rate", {"first_instance_closed": first_instance_closed,
                                                "challenges_filed": challenged})


def appeal_rate(appeals_filed: int, first_instance_closed: int) -> float | None:
    """上诉率 = appeals filed / first instances closed (flow basis)."""
    return evaluate("appeal_rate", {"appeals_filed": appeals_filed, "first_instance_closed": first_instance_closed})


def reversal_remand_rate(reversed_remanded: int, first_instance_closed: int) -> float | None:
    """一审被改判发回重审率 = 二审 decisions 改判/发回重审 / first-instance closed (flow basis)."""
    return evaluate("reversal_remand_rate", {"reversals_decided": reversed_remanded,
                                             "first_instance_closed": first_instance_closed})


def appeal_reversal_rate(appeal_reversed: int, appeal_closed: int) -> float | None:
    """二审改判发回重审率 = 二审 closed as 改判/发回重审 / 二审 closed."""
    return evaluate("appeal_reversal_rate", {"appeal_reversed": appeal_reversed, "appeal_closed": appeal_closed})


def recovery_rate(recovered: float, amount: float) -> float | None:
    """执行到位率 = Σ 到位金额 / Σ 申请执行标的 (执行实施 closed in the period)."""
    return evaluate("recovery_rate", {"enforcement_recovered": recovered, "enforcement_amount": amount})


def actual_enforcement_rate(actual: int, enforcement_closed: int) -> float | None:
    """实际执结率 = 执行实施 closed as 执行完毕 or 执行和解 / 执行实施 closed."""
    return evaluate("actual_enforcement_rate", {"enforcement_actual": actual, "enforcement_closed": enforcement_closed})


def in_range(
    name: str,
    value: float | None,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> bool | None:
    """Whether value lies in the indicator's reasonable range; None if no value or no range."""
    bounds = (REASONABLE_RANGES if ranges is None else ranges).get(name)
    if bounds is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def effective_ranges(
    overrides: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> dict[str, tuple[float | None, float | None]]:
    """The default reasonable ranges with a deployment's overrides (shuzhu.toml) on top.

    Only indicators in ``INDICATORS`` can be given a range; other names are ignored.
    """
    out = dict(REASONABLE_RANGES)
    for name, bounds in (overrides or {}).items():
        if name in INDICATORS:
            out[name] = bounds
    return out


# --- statutory limits ----------------------------------------------------------------------------

Limit = tuple[int, str]


def statutory_limit(type_code: str, qualifier: str | None) -> Limit | None:
    """法定审限 (n, unit) for (type_code, qualifier), falling back to (type_code, None); None if unknown.

    The qualifier is the track of a first instance, or for a 民终 whether it appeals a judgment or a
    ruling (schema.APPEAL_AGAINST_JUDGMENT / APPEAL_AGAINST_RULING).
    """
    limits = schema.STATUTORY_LIMITS
    return limits.get((type_code, qualifier), limits.get((type_code, None)))

