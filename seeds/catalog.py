"""Calibration tables for the synthetic Nantong case data (volumes, causes, durations, outcomes).

Every number here is a modelling assumption, chosen to be of the right order of magnitude and,
where a published figure exists, calibrated to it (``CALIBRATION`` below lists the targets with
their sources; ``tests/test_generate.py`` checks each within a stated tolerance). Sources
(see ../shared/reference/published_stats.md):
- Volume: Nantong's courts at both levels received 12.6万 cases and closed (审执结) 9.69万 in
  Jan-Nov 2016 (南通网 via xinrugao.com, 2016-12-14); Jiangsu's intake follows the national path
  (2019 +37% on 2016, 2020 -9.6%, 2023 +14.7% on 2022: 江苏高院工作报告 2020, 2021; 江苏高院
  发布会 2024-01-17), which we apply to Nantong.
- Quality figures for Jiangsu 2023 (江苏高院发布会 2024-01-17, jsfy.gov.cn/article/97454.html):
  一审被改判发回重审率 1.7%, 一审服判息诉率 90.8%, 审限内结案率 94.7%; criminal first
  instances about 3.6% of cases closed.
- Court structure: 级别管辖 of civil first instances by amount (法发〔2015〕7号 for Jiangsu's
  intermediate courts: 1亿元 and above; 法发〔2021〕27号 from 2021-10-01: 5亿元 and above);
  刑诉法 art. 21 (intermediate court tries crimes punishable by life imprisonment or death);
  行诉法 art. 15 (intermediate court hears suits against county-level governments); 民诉法
  art. 210 (a retrial petition goes to the court one level up, so petitions against the
  intermediate court's own decisions go to 江苏高院, outside this store).
None of it is real data; the app labels it as synthetic wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geodata

SEED = 20161214  # the day the 2016 Nantong figures were published
YEARS: tuple[int, ...] = tuple(range(2016, 2026))
AS_OF = date(2025, 12, 31)  # data cut-off: cases closing later are pending

# New filings (新收) per year, all courts, all case types.
NEW_FILINGS: dict[int, int] = {
    2015: 112_000, 2016: 120_000, 2017: 138_000, 2018: 152_000, 2019: 167_000, 2020: 151_000,
    2021: 176_000, 2022: 172_000, 2023: 197_000, 2024: 199_000, 2025: 194_000,
}

# Lunar New Year's Day: filings almost stop for the Spring Festival holiday.
SPRING_FESTIVAL: dict[int, date] = {
    2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28), 2018: date(2018, 2, 16),
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
}

# District weights for where disputes arise: 70% population (2020 census, 崇川 incl. 开发区),
# 30% economy (latest GDP found); both from geodata's reference table. Offence places for some
# crimes override this. The keys keep the order the generator has always drawn in, so the seeded
# data (and the committed sample) do not change.
_DRAW_ORDER = (320613, 320612, 320614, 320623, 320681, 320682, 320685)
_REFERENCE = geodata.district_reference().dropna(subset=["adcode"]).set_index("adcode")
DISTRICT_POP: dict[int, int] = {a: geodata.rate_population()[a] for a in _DRAW_ORDER}
DISTRICT_GDP: dict[int, float] = {a: float(_REFERENCE.loc[a, "gdp_100m_cny"]) for a in _DRAW_ORDER}

# Town centres (lon, lat) around which cases cluster; the rest spread over the district.
TOWNS: dict[int, tuple[tuple[float, float, float], ...]] = {  # (lon, lat, weight)
    320613: ((120.866, 32.010, 0.6), (120.93, 31.96, 0.25), (120.81, 32.05, 0.15)),
    320612: ((121.073, 32.084, 0.6), (120.97, 32.16, 0.2), (121.20, 32.03, 0.2)),
    320614: ((121.181, 31.871, 0.65), (121.33, 31.90, 0.2), (121.05, 31.93, 0.15)),
    320623: ((121.186, 32.331, 0.6), (120.96, 32.38, 0.2), (121.33, 32.40, 0.2)),
    320681: ((121.657, 31.808, 0.65), (121.75, 31.72, 0.2), (121.50, 31.90, 0.15)),
    320682: ((120.573, 32.376, 0.6), (120.48, 32.19, 0.2), (120.70, 32.30, 0.2)),
    320685: ((120.467, 32.533, 0.65), (120.35, 32.60, 0.2), (120.62, 32.48, 0.15)),
}

# Base (independent) case types as a share of all new filings; appeals, enforcement and
# retrial reviews are derived from closed cases and make up the rest.
BASE_MIX: dict[str, float] = {
    "民初": 0.50, "刑初": 0.033, "行初": 0.012, "财保": 0.03, "民特": 0.022,
    "刑更": 0.012, "执": 0.108, "行审": 0.008,
}
# Base cases are scaled up so that base + derived cases match NEW_FILINGS (derived cases add
# about a quarter on top of the base mix in steady state).
BASE_SCALE = 1.08
# The generator starts a year early so that 2016 has cases pending from 2015 (旧存) and
# appeals/enforcement of 2015 judgments; 2015 filings are kept only if still pending in 2016.
LEAD_IN_YEAR = 2015

# Duration model per (type_code, track): (median days in 2016, lognormal sigma).
DURATION: dict[tuple[str, str | None], tuple[float, float]] = {
    ("民初", "小额诉讼"): (26, 0.5), ("民初", "简易程序"): (45, 0.55),
    ("民初", "普通程序"): (100, 0.5), ("刑初", "速裁程序"): (6, 0.3),
    ("刑初", "简易程序"): (11, 0.35), ("刑初", "普通程序"): (36, 0.45),
    ("民终", None): (46, 0.42), ("刑终", None): (35, 0.4), ("行初", None): (80, 0.5),
    ("行终", None): (55, 0.45), ("执", None): (80, 0.55), ("执恢", None): (90, 0.55),
    ("执异", None): (8, 0.35), ("财保", None): (1, 0.5), ("民特", None): (12, 0.45),
    ("刑更", None): (16, 0.35), ("民申", None): (50, 0.42), ("行审", None): (16, 0.42),
}
# Courts were slower in the first years after the 2015 立案登记制 reform (a backlog of
# registered cases): calibrated so that Jan-Nov 2016 closures match the published 9.69万.
# From 2019 on, durations shrink 1.5% a year.
DURATION_BY_YEAR: dict[int, float] = {2015: 1.1, 2016: 1.4, 2017: 1.2, 2018: 1.05}
LONG_TAIL_SHARE = 0.006  # cases stalled by appraisal, service by publication, suspension

OUTCOMES: dict[str, dict[str, float]] = {
    "民初": {"判决": 0.36, "调解": 0.22, "撤诉": 0.32, "驳回起诉": 0.03, "移送": 0.02, "其他": 0.05},
    "民终": {"维持原判": 0.58, "改判": 0.16, "发回重审": 0.06, "撤回上诉": 0.14, "调解": 0.06},
    "刑初": {"判决": 0.975, "准许撤回": 0.01, "终止审理": 0.005, "其他": 0.01},
    "刑终": {"维持原判": 0.82, "改判": 0.10, "发回重审": 0.04, "撤回上诉": 0.04},
    "行初": {"判决": 0.38, "驳回起诉": 0.27, "撤诉": 0.30, "其他": 0.05},
    "行终": {"维持原判": 0.82, "改判": 0.07, "发回重审": 0.04, "撤回上诉": 0.07},
    "执": {"执行完毕": 0.36, "终结本次执行": 0.42, "终结执行": 0.09, "执行和解": 0.08,
          "不予执行": 0.02, "销案": 0.03},
    "执恢": {"执行完毕": 0.30, "终结本次执行": 0.50, "终结执行": 0.10, "执行和解": 0.10},
    "执异": {"裁定驳回": 0.6, "裁定准许": 0.3, "撤诉": 0.1},
    "财保": {"裁定准许": 0.9, "裁定驳回": 0.04, "撤诉": 0.06},
    "民特": {"裁定准许": 0.8, "裁定驳回": 0.1, "撤诉": 0.1},
    "刑更": {"裁定准许": 0.95, "裁定驳回": 0.05},
    "民申": {"裁定驳回": 0.85, "裁定准许": 0.1, "撤诉": 0.05},
    "行审": {"裁定准许": 0.85, "裁定驳回": 0.1, "撤诉": 0.05},
}
# Cause-specific outcome mixes for 民初 (default judgments in bank cases; divorce mediation).
CAUSE_OUTCOMES: dict[str, dict[str, float]] = {
    "金融借款合同纠纷": {"判决": 0.62, "调解": 0.12, "撤诉": 0.22, "其他": 0.04},
    "信用卡纠纷": {"判决": 0.65, "调解": 0.1, "撤诉": 0.22, "其他": 0.03},
    "离婚纠纷": {"判决": 0.24, "调解": 0.36, "撤诉": 0.36, "其他": 0.04},
}

# Probabilities that a closed case gives rise to another one, and the lag in days.
APPEAL = {"民初": 0.195, "刑初": 0.06, "行初": 0.45}  # among judgments (判决/驳回起诉)
APPEAL_LAG = (15, 45)
# An appeal against a ruling (驳回起诉) is decided within 30 days (民诉法 art. 183): (median, sigma).
RULING_APPEAL_DURATION = (16, 0.4)
# Retrial petitions (民诉法 art. 210: to the court one level up). Against a basic court's
# effective first-instance judgment: 民申 at 苏06. Against 苏06's own decisions (its 民终, or its
# unappealed 民初): 江苏高院, outside the store; the generator counts them, it does not file them.
PETITION_AFTER_FIRST = 0.02  # among basic-court 民初 judgments not appealed
PETITION_AFTER_APPEAL = 0.05  # among 民终 维持/改判 (→ 江苏高院)
ENFORCE_AFTER_JUDGMENT = 0.55  # 执 after a civil judgment with an amount
ENFORCE_AFTER_MEDIATION = 0.4
ENFORCE_LAG = (20, 240)
RESUME_AFTER_TERMINATION = 0.08  # 执恢 after 终结本次执行
OBJECTION_IN_ENFORCEMENT = 0.03  # 执异 during an enforcement case

# Crimes that, from 2020-07, are tried centrally by 如皋法院's 长江流域环境资源第二法庭
# (南通发布, 2020-07-03), wherever the offence happened.
ENV_CENTRALISED = frozenset({"非法捕捞水产品罪", "污染环境罪"})
ENV_COURT = "苏0682"
ENV_FROM = date(2020, 7, 1)

# 级别管辖 of civil first instances by amount (标的额, yuan, inclusive), Jiangsu's intermediate
# courts, parties resident in the province: 1亿 (法发〔2015〕7号), 5亿 from 2021-10-01
# (法发〔2021〕27号). The lower thresholds for a party outside the province are not modelled.
INTERMEDIATE_CIVIL_AMOUNT: tuple[tuple[date, float], ...] = (
    (date(2015, 5, 1), 1e8), (date(2021, 10, 1), 5e8),
)

# Enterprise parties: pseudonymous keys drawn per (district, industry) pool from a Zipf-Mandelbrot
# law p(k) ~ (k + q)^-s over ``ENTERPRISE_POOL`` firms, so a few firms appear again and again (in
# the default data about 3% of the enterprises account for half of the enterprise cases), on either side.
ENTERPRISE_POOL = 2000
ENTERPRISE_ZIPF = (1.1, 5.0)  # (s, q)
BANK_POOL = 40  # 金融业 parties (banks, insurers): one city-wide pool, heavily concentrated
BANK_ZIPF = (1.2, 1.0)

# 海安 (320685) has an unusually large building industry (issue 13; 海安法院's 建筑企业诉讼风险
# study). Construction causes are drawn there more often (``Cause.district_boost``) and an
# enterprise party in 海安 is re-drawn as 建筑业 with this probability where the cause allows it.
HAIAN = 320685
HAIAN_CONSTRUCTION_SHIFT = 0.35
# Wage claims against builders come in waves (year end and the weeks before the Spring Festival,
# when migrant workers go home): this share of them is re-drawn inside the wave window.
WAGE_WAVE_CAUSES = frozenset({"追索劳动报酬纠纷", "劳动争议", "劳务合同纠纷"})
WAGE_WAVE_SHARE = 0.4
WAGE_WAVE_DAYS_BEFORE_FESTIVAL = (40, 4)  # window [festival - 40, festival - 4] days, and December


@dataclass(frozen=True)
class Cause:
    """One cause (案由/罪名) with its group, weight and modelling parameters."""

    name: str
    group: str
    weight: float
    trend: dict[int, float] = field(default_factory=dict)  # year -> multiplier (default 1)
    amount: tuple[float, float] | None = None  # (median yuan, lognormal sigma)
    plaintiff: dict[str, float] = field(default_factory=lambda: {"自然人": 1.0})
    defendant: dict[str, float] = field(default_factory=lambda: {"自然人": 1.0})
    industry: dict[str, float] = field(default_factory=dict)
    districts: dict[int, float] = field(default_factory=dict)  # overrides district weights
    riverside: bool = False  # place near the Yangtze bank / coast
    plaintiff_industry: dict[str, float] = field(default_factory=dict)  # default: ``_GEN``
    district_boost: dict[int, float] = field(default_factory=dict)  # multiplies district weights
    intermediate: float = 0.0  # share tried at first instance by 苏06 (级别/专门管辖)


def _ramp(values: tuple[float, ...]) -> dict[int, float]:
    """Year multipliers for 2016-2025; the lead-in year 2015 repeats 2016's."""
    return {LEAD_IN_YEAR: values[0], **dict(zip(YEARS, values, strict=True))}


_ENT = {"企业": 1.0}
_P_ENT = {"自然人": 0.55, "企业": 0.45}
_TRADE = {"制造业": 0.45, "批发和零售业": 0.35, "建筑业": 0.15, "其他行业": 0.05}  # materials sold to builders
_FIN = {"金融业": 1.0}  # banks, insurers, lenders licensed by the regulator
_BUILD = {"建筑业": 0.7, "房地产业": 0.3}  # contractor / developer suing
_HAIAN_BUILD = {320685: 3.5}  # 海安's building industry (HAIAN below)
_GEN = {"制造业": 0.35, "批发和零售业": 0.25, "建筑业": 0.12, "房地产业": 0.05,
        "住宿和餐饮业": 0.06, "租赁和商务服务业": 0.07, "交通运输业": 0.05, "其他行业": 0.05}

DEFAULT_PLAINTIFF_INDUSTRY = _GEN  # enterprise plaintiffs of a cause without its own mix

CONTRACT = "合同、准合同纠纷"
FAMILY = "婚姻家庭、继承纠纷"
LABOUR = "劳动争议、人事争议"

CIVIL: tuple[Cause, ...] = (
    Cause("民间借贷纠纷", CONTRACT, 17, _ramp((1.1, 1.2, 1.25, 1.2, 1.0, 0.9, 0.85, 0.8, 0.78, 0.75)),
          (60_000, 1.1), {"自然人": 0.9, "企业": 0.1}, {"自然人": 0.85, "企业": 0.15}, _GEN),
    Cause("买卖合同纠纷", CONTRACT, 12, {}, (120_000, 1.2), {"企业": 0.75, "自然人": 0.25},
          {"企业": 0.7, "自然人": 0.3}, _TRADE),
    Cause("金融借款合同纠纷", CONTRACT, 9, _ramp((0.8, 0.85, 0.9, 1.0, 1.05, 1.1, 1.2, 1.3, 1.3, 1.25)),
          (250_000, 1.2), _ENT, {"自然人": 0.75, "企业": 0.25}, _GEN, plaintiff_industry=_FIN),
    Cause("信用卡纠纷", CONTRACT, 6, _ramp((0.6, 0.7, 0.85, 1.0, 1.1, 1.2, 1.3, 1.35, 1.3, 1.2)),
          (40_000, 0.8), _ENT, plaintiff_industry=_FIN),
    Cause("建设工程施工合同纠纷", CONTRACT, 3.5,
          _ramp((0.9, 0.9, 0.95, 1.0, 1.05, 1.2, 1.4, 1.6, 1.6, 1.5)), (600_000, 1.3),
          {"企业": 0.55, "自然人": 0.45}, {"企业": 0.92, "自然人": 0.08},
          {"建筑业": 0.85, "房地产业": 0.15}, plaintiff_industry=_BUILD, district_boost=_HAIAN_BUILD),
    Cause("建设工程分包合同纠纷", CONTRACT, 1.0,
          _ramp((0.9, 0.9, 0.95, 1.0, 1.05, 1.2, 1.4, 1.6, 1.6, 1.5)), (300_000, 1.2),
          {"企业": 0.6, "自然人": 0.4}, _ENT, {"建筑业": 1.0}, plaintiff_industry={"建筑业": 1.0},
          district_boost=_HAIAN_BUILD),
    Cause("劳务合同纠纷", CONTRACT, 1.5, {}, (40_000, 0.9), {"自然人": 0.9, "企业": 0.1},
          {"企业": 0.6, "自然人": 0.4}, {"建筑业": 0.7, "制造业": 0.2, "其他行业": 0.1},
          plaintiff_industry={"建筑业": 1.0}, district_boost=_HAIAN_BUILD),
    Cause("租赁合同纠纷", CONTRACT, 1.0, {}, (80_000, 1.0), {"企业": 0.7, "自然人": 0.3},
          {"企业": 0.75, "自然人": 0.25}, {"建筑业": 0.6, "制造业": 0.2, "其他行业": 0.2},
          plaintiff_industry={"租赁和商务服务业": 0.8, "建筑业": 0.2}, district_boost=_HAIAN_BUILD),
    Cause("破产债权确认纠纷", "与破产有关的纠纷", 0.15, _ramp((0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.5, 1.5)),
          (500_000, 1.2), {"企业": 0.6, "自然人": 0.4}, _ENT, {"建筑业": 0.4, "制造业": 0.3, "房地产业": 0.2,
                                                                  "其他行业": 0.1},
          district_boost=_HAIAN_BUILD),
    Cause("职工破产债权确认纠纷", "与破产有关的纠纷", 0.05, {}, (50_000, 0.8), {"自然人": 1.0}, _ENT,
          {"建筑业": 0.4, "制造业": 0.5, "其他行业": 0.1}, district_boost=_HAIAN_BUILD),
    Cause("侵害专利权纠纷", "知识产权权属、侵权纠纷", 0.35, _ramp((0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.2)),
          (200_000, 1.0), _ENT, _ENT, {"制造业": 0.8, "批发和零售业": 0.2}, plaintiff_industry={"制造业": 1.0},
          intermediate=1.0),
    Cause("房屋租赁合同纠纷", CONTRACT, 3, {}, (30_000, 1.0), _P_ENT, _P_ENT, _GEN),
    Cause("物业服务合同纠纷", CONTRACT, 3.5, _ramp((0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.4, 1.5, 1.6, 1.6)),
          (4_000, 0.7), _ENT, plaintiff_industry={"房地产业": 1.0}),
    Cause("承揽合同纠纷", CONTRACT, 2, {}, (80_000, 1.1), _P_ENT, {"企业": 0.7, "自然人": 0.3},
          {"制造业": 0.7, "建筑业": 0.2, "其他行业": 0.1}),
    Cause("服务合同纠纷", CONTRACT, 2, {}, (20_000, 1.0), _P_ENT, _P_ENT, _GEN),
    Cause("离婚纠纷", FAMILY, 10, _ramp((1.0, 1.02, 1.05, 1.05, 0.85, 0.8, 0.8, 0.85, 0.82, 0.8))),
    Cause("抚养纠纷", FAMILY, 1.2),
    Cause("赡养纠纷", FAMILY, 0.6),
    Cause("继承纠纷", FAMILY, 1.0, {}, (300_000, 1.0)),
    Cause("劳动争议", LABOUR, 4, _ramp((1, 1, 1, 1.05, 1.3, 1.15, 1.1, 1.15, 1.15, 1.15)),
          (30_000, 0.9), {"自然人": 0.85, "企业": 0.15}, {"企业": 0.85, "自然人": 0.15},
          {"制造业": 0.45, "建筑业": 0.2, "住宿和餐饮业": 0.1, "批发和零售业": 0.1, "其他行业": 0.15}),
    Cause("追索劳动报酬纠纷", LABOUR, 2.5, _ramp((1, 1, 1, 1.05, 1.2, 1.2, 1.3, 1.45, 1.45, 1.4)),
          (25_000, 0.8), {"自然人": 1.0}, {"企业": 0.6, "自然人": 0.4},
          {"建筑业": 0.55, "制造业": 0.3, "其他行业": 0.15}),
    Cause("机动车交通事故责任纠纷", "侵权责任纠纷", 8.5, {}, (90_000, 0.9),
          {"自然人": 0.95, "企业": 0.05}, {"自然人": 0.6, "企业": 0.4},
          {"金融业": 0.7, "交通运输业": 0.3}),
    Cause("生命权、身体权、健康权纠纷", "人格权纠纷", 2, {}, (40_000, 0.9)),
    Cause("财产保险合同纠纷", "与公司、证券、保险、票据等有关的民事纠纷", 1.5, {}, (60_000, 1.0),
          {"企业": 0.7, "自然人": 0.3}, _ENT, _FIN),
    Cause("股权转让纠纷", "与公司、证券、保险、票据等有关的民事纠纷", 0.5, {}, (800_000, 1.3),
          _P_ENT, _P_ENT, _GEN),
    Cause("排除妨害纠纷", "物权纠纷", 1.0),
)

_PUB = {"检察机关": 1.0}
CRIMINAL: tuple[Cause, ...] = (
    Cause("危险驾驶罪", "危害公共安全罪", 24, _ramp((1.0, 1.1, 1.2, 1.3, 1.25, 1.3, 1.25, 1.0, 0.85, 0.8)),
          None, _PUB),
    Cause("交通肇事罪", "危害公共安全罪", 6, {}, None, _PUB),
    Cause("盗窃罪", "侵犯财产罪", 19, _ramp((1.2, 1.1, 1.0, 0.95, 0.8, 0.75, 0.7, 0.7, 0.7, 0.68)), None, _PUB),
    Cause("诈骗罪", "侵犯财产罪", 9, _ramp((0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.15, 1.1, 1.05, 1.0)), None, _PUB),
    Cause("职务侵占罪", "侵犯财产罪", 1.5, {}, None, _PUB),
    Cause("故意伤害罪", "侵犯公民人身权利、民主权利罪", 5, {}, None, _PUB, intermediate=0.01),
    # Crimes punishable by life imprisonment or death are tried by 苏06 (刑诉法 art. 21).
    Cause("故意杀人罪", "侵犯公民人身权利、民主权利罪", 0.5, {}, None, _PUB, intermediate=0.9),
    Cause("开设赌场罪", "妨害社会管理秩序罪", 5, {}, None, _PUB),
    Cause("寻衅滋事罪", "妨害社会管理秩序罪", 4, {}, None, _PUB),
    Cause("帮助信息网络犯罪活动罪", "妨害社会管理秩序罪", 8,
          _ramp((0.0, 0.0, 0.01, 0.05, 0.5, 2.0, 2.2, 1.8, 1.4, 1.2)), None, _PUB),
    Cause("掩饰、隐瞒犯罪所得、犯罪所得收益罪", "妨害社会管理秩序罪", 3,
          _ramp((0.6, 0.6, 0.7, 0.8, 1.0, 1.5, 1.6, 1.5, 1.3, 1.2)), None, _PUB),
    Cause("走私、贩卖、运输、制造毒品罪", "妨害社会管理秩序罪", 3,
          _ramp((1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.6, 0.55)), None, _PUB, intermediate=0.08),
    Cause("非法捕捞水产品罪", "妨害社会管理秩序罪", 1.4,
          _ramp((0.5, 0.5, 0.55, 0.8, 1.6, 2.0, 1.4, 1.1, 1.0, 0.9)), None, _PUB,
          districts={320682: 0.25, 320613: 0.2, 320681: 0.2, 320614: 0.15, 320612: 0.1,
                     320623: 0.08, 320685: 0.02}, riverside=True),
    Cause("污染环境罪", "妨害社会管理秩序罪", 0.8, {}, None, _PUB, {"企业": 0.3, "自然人": 0.7},
          {"制造业": 1.0}, riverside=True),
    Cause("信用卡诈骗罪", "破坏社会主义市场经济秩序罪", 3, {}, None, _PUB),
    Cause("虚开增值税专用发票罪", "破坏社会主义市场经济秩序罪", 2, {}, None, _PUB,
          {"企业": 0.3, "自然人": 0.7}, {"批发和零售业": 0.6, "制造业": 0.4}),
    Cause("非法吸收公众存款罪", "破坏社会主义市场经济秩序罪", 1, {}, None, _PUB, intermediate=0.1),
    Cause("受贿罪", "贪污贿赂罪", 1, {}, None, _PUB, intermediate=0.35),
)

ADMIN: tuple[Cause, ...] = (
    Cause("房屋征收与补偿", "城乡建设行政管理", 3, _ramp((1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7)),
          None, {"自然人": 0.9, "企业": 0.1}, {"国家机关": 1.0}),
    Cause("土地行政管理", "资源行政管理", 2, {}, None, {"自然人": 0.8, "企业": 0.2}, {"国家机关": 1.0}),
    Cause("治安管理处罚", "公安行政管理", 2, {}, None, {"自然人": 1.0}, {"国家机关": 1.0}),
    Cause("工伤认定", "劳动和社会保障行政管理", 2, {}, None, {"自然人": 0.7, "企业": 0.3}, {"国家机关": 1.0}),
    Cause("政府信息公开", "其他行政管理", 1, {}, None, {"自然人": 1.0}, {"国家机关": 1.0}),
)

OTHER: dict[str, tuple[Cause, ...]] = {
    "财保": (Cause("申请诉前财产保全", "非诉保全", 1, {}, (200_000, 1.3), _P_ENT, _P_ENT, _GEN),),
    "民特": (
        Cause("申请司法确认调解协议", "特别程序案件", 7,
              _ramp((0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.3, 1.4, 1.4, 1.4))),
        Cause("申请实现担保物权", "特别程序案件", 1.5, {}, (300_000, 1.0), _ENT, plaintiff_industry=_FIN),
        Cause("宣告失踪、宣告死亡", "特别程序案件", 0.5),
        Cause("认定公民无民事行为能力", "特别程序案件", 1),
    ),
    "刑更": (
        Cause("减刑", "刑罚变更", 8), Cause("假释", "刑罚变更", 1.5),
        Cause("暂予监外执行", "刑罚变更", 0.5),
    ),
    "执": (
        Cause("刑事裁判涉财产部分执行", "非诉执行及财产刑执行", 4.5, {}, (15_000, 1.0),
              {"国家机关": 1.0}),
        Cause("仲裁裁决执行", "非诉执行及财产刑执行", 3.5, {}, (50_000, 1.1),
              {"自然人": 0.7, "企业": 0.3}, {"企业": 0.7, "自然人": 0.3}, _GEN),
        Cause("公证债权文书执行", "非诉执行及财产刑执行", 2, {}, (200_000, 1.1), _ENT,
              {"自然人": 0.7, "企业": 0.3}, _GEN, plaintiff_industry=_FIN),
    ),
    "行审": (Cause("申请执行行政处罚决定", "非诉行政执行审查", 1, {}, (20_000, 1.0),
                   {"国家机关": 1.0}, {"自然人": 0.6, "企业": 0.4}, _GEN),),
}

CAUSES_BY_TYPE: dict[str, tuple[Cause, ...]] = {"民初": CIVIL, "刑初": CRIMINAL, "行初": ADMIN, **OTHER}

# Share of intermediate-court first instances (行初 against county-level governments).
ADMIN_AT_INTERMEDIATE = 0.3

# 适用程序 shares by year for first instances.
def civil_tracks(year: int) -> dict[str, float]:
    """小额/简易/普通 shares: small claims grew after the 2021-2022 civil procedure reform."""
    small = 0.10 if year < 2022 else 0.20
    return {"小额诉讼": small, "简易程序": 0.85 - small - 0.2, "普通程序": 0.35}


def criminal_tracks(year: int) -> dict[str, float]:
    """速裁 became law in the 2018 Criminal Procedure Law revision."""
    fast = 0.0 if year < 2019 else 0.28
    return {"速裁程序": fast, "简易程序": 0.5 - fast / 2, "普通程序": 0.5 - fast / 2}


@dataclass(frozen=True)
class Target:
    """A published figure the default data are calibrated to, with its tolerance and source."""

    name: str
    value: float
    tolerance: float  # absolute, in the unit of ``value``
    definition: str
    source: str


_JS2023 = "江苏高院发布会 2024-01-17, http://jsfy.gov.cn/article/97454.html (Jiangsu 2023)"
CALIBRATION: dict[str, Target] = {
    "closed_2016_jan_nov": Target(
        "2016年1-11月审执结", 96_900, 96_900 * 0.03, "cases closed 2016-01-01..2016-11-30, all courts, all types",
        "南通网 via xinrugao.com 2016-12-14 (9.69万余件)"),
    "received_2016_jan_nov": Target(
        "2016年1-11月受理", 126_000, 126_000 * 0.03, "旧存 on 2016-01-01 + 新收 2016-01-01..2016-11-30",
        "南通网 via xinrugao.com 2016-12-14 (12.6万余件)"),
    "criminal_first_share": Target(
        "刑初占结案", 0.036, 0.004, "刑初 closed / all cases closed, 2023", _JS2023 + "; share of criminal cases"),
    "reversal_rate": Target(
        "一审被改判发回重审率", 0.017, 0.003,
        "二审 closed in 2023 as 改判/发回重审 / 一审 closed in 2023 (flow basis)", _JS2023),
    "acceptance_rate": Target(
        "一审服判息诉率", 0.908, 0.008,
        "1 - (二审 + 再审审查 filed in 2023 against first instances) / 一审 closed in 2023", _JS2023),
    "on_time_rate": Target(
        "审限内结案率", 0.947, 0.012,
        "closed within the statutory limit (analytics.schema.STATUTORY_LIMITS) / closed, 2023", _JS2023),
}
