"""Calibration tables for the synthetic Nantong case data (volumes, causes, durations, outcomes).

Every number here is a modelling assumption, chosen to be of the right order of magnitude:
- Volume: Nantong's courts received 12.6万 cases in Jan-Nov 2016 (南通网, 2016-12-14), i.e.
  about 12.2万 *new* filings a year once pending cases are netted out; Jiangsu's intake
  follows the national path (2019 +37% on 2016, 2020 -9.6%, 2023 +14.7% on 2022), which we
  apply to Nantong (see ../shared/reference/published_stats.md).
- Mix, durations and outcomes follow the shape of published basic-court statistics
  (civil ~55%, enforcement ~30%, criminal ~7%; 调撤率 ~55%; 审限内结案率 ~95%).
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
    2015: 112_000, 2016: 122_000, 2017: 138_000, 2018: 152_000, 2019: 167_000, 2020: 151_000,
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
    "民初": 0.48, "刑初": 0.062, "行初": 0.012, "财保": 0.03, "民特": 0.022,
    "刑更": 0.012, "执": 0.10, "行审": 0.008,
}
# Base cases are scaled up so that base + derived cases match NEW_FILINGS (derived cases add
# about a quarter on top of the base mix in steady state).
BASE_SCALE = 1.08
# The generator starts a year early so that 2016 has cases pending from 2015 (旧存) and
# appeals/enforcement of 2015 judgments; 2015 filings are kept only if still pending in 2016.
LEAD_IN_YEAR = 2015

# Duration model per (type_code, track): (median days in 2016, lognormal sigma).
DURATION: dict[tuple[str, str | None], tuple[float, float]] = {
    ("民初", "小额诉讼"): (26, 0.55), ("民初", "简易程序"): (45, 0.55),
    ("民初", "普通程序"): (105, 0.5), ("刑初", "速裁程序"): (8, 0.35),
    ("刑初", "简易程序"): (13, 0.35), ("刑初", "普通程序"): (42, 0.5),
    ("民终", None): (48, 0.45), ("刑终", None): (42, 0.45), ("行初", None): (80, 0.5),
    ("行终", None): (55, 0.45), ("执", None): (80, 0.6), ("执恢", None): (95, 0.6),
    ("执异", None): (9, 0.35), ("财保", None): (2, 0.5), ("民特", None): (12, 0.5),
    ("刑更", None): (18, 0.35), ("民申", None): (55, 0.45), ("行审", None): (18, 0.45),
}
LONG_TAIL_SHARE = 0.006  # cases stalled by appraisal, service by publication, suspension

OUTCOMES: dict[str, dict[str, float]] = {
    "民初": {"判决": 0.36, "调解": 0.22, "撤诉": 0.32, "驳回起诉": 0.03, "移送": 0.02, "其他": 0.05},
    "民终": {"维持原判": 0.72, "改判": 0.09, "发回重审": 0.03, "撤回上诉": 0.12, "调解": 0.04},
    "刑初": {"判决": 0.975, "准许撤回": 0.01, "终止审理": 0.005, "其他": 0.01},
    "刑终": {"维持原判": 0.85, "改判": 0.08, "发回重审": 0.03, "撤回上诉": 0.04},
    "行初": {"判决": 0.38, "驳回起诉": 0.27, "撤诉": 0.30, "其他": 0.05},
    "行终": {"维持原判": 0.85, "改判": 0.05, "发回重审": 0.03, "撤回上诉": 0.07},
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
APPEAL = {"民初": 0.20, "刑初": 0.06, "行初": 0.45}  # among judgments (判决/驳回起诉)
APPEAL_LAG = (15, 45)
PETITION_AFTER_APPEAL = 0.05  # 民申 after a 民终 judgment
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


def _ramp(values: tuple[float, ...]) -> dict[int, float]:
    """Year multipliers for 2016-2025; the lead-in year 2015 repeats 2016's."""
    return {LEAD_IN_YEAR: values[0], **dict(zip(YEARS, values, strict=True))}


_ENT = {"企业": 1.0}
_P_ENT = {"自然人": 0.55, "企业": 0.45}
_TRADE = {"制造业": 0.45, "批发和零售业": 0.4, "建筑业": 0.1, "其他行业": 0.05}
_GEN = {"制造业": 0.35, "批发和零售业": 0.25, "建筑业": 0.12, "房地产业": 0.05,
        "住宿和餐饮业": 0.06, "租赁和商务服务业": 0.07, "交通运输业": 0.05, "其他行业": 0.05}

CONTRACT = "合同、准合同纠纷"
FAMILY = "婚姻家庭、继承纠纷"
LABOUR = "劳动争议、人事争议"

CIVIL: tuple[Cause, ...] = (
    Cause("民间借贷纠纷", CONTRACT, 17, _ramp((1.1, 1.2, 1.25, 1.2, 1.0, 0.9, 0.85, 0.8, 0.78, 0.75)),
          (60_000, 1.1), {"自然人": 0.9, "企业": 0.1}, {"自然人": 0.85, "企业": 0.15}, _GEN),
    Cause("买卖合同纠纷", CONTRACT, 12, {}, (120_000, 1.2), {"企业": 0.75, "自然人": 0.25},
          {"企业": 0.7, "自然人": 0.3}, _TRADE),
    Cause("金融借款合同纠纷", CONTRACT, 9, _ramp((0.8, 0.85, 0.9, 1.0, 1.05, 1.1, 1.2, 1.3, 1.3, 1.25)),
          (250_000, 1.2), _ENT, {"自然人": 0.75, "企业": 0.25}, _GEN),
    Cause("信用卡纠纷", CONTRACT, 6, _ramp((0.6, 0.7, 0.85, 1.0, 1.1, 1.2, 1.3, 1.35, 1.3, 1.2)),
          (40_000, 0.8), _ENT),
    Cause("建设工程施工合同纠纷", CONTRACT, 3.5,
          _ramp((0.9, 0.9, 0.95, 1.0, 1.05, 1.2, 1.4, 1.6, 1.6, 1.5)), (600_000, 1.3),
          {"企业": 0.55, "自然人": 0.45}, {"企业": 0.92, "自然人": 0.08},
          {"建筑业": 0.85, "房地产业": 0.15}),
    Cause("房屋租赁合同纠纷", CONTRACT, 3, {}, (30_000, 1.0), _P_ENT, _P_ENT, _GEN),
    Cause("物业服务合同纠纷", CONTRACT, 3.5, _ramp((0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.4, 1.5, 1.6, 1.6)),
          (4_000, 0.7), _ENT),
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
          {"企业": 0.7, "自然人": 0.3}, _ENT, {"金融业": 1.0}),
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
    Cause("故意伤害罪", "侵犯公民人身权利、民主权利罪", 5, {}, None, _PUB),
    Cause("开设赌场罪", "妨害社会管理秩序罪", 5, {}, None, _PUB),
    Cause("寻衅滋事罪", "妨害社会管理秩序罪", 4, {}, None, _PUB),
    Cause("帮助信息网络犯罪活动罪", "妨害社会管理秩序罪", 8,
          _ramp((0.0, 0.0, 0.01, 0.05, 0.5, 2.0, 2.2, 1.8, 1.4, 1.2)), None, _PUB),
    Cause("掩饰、隐瞒犯罪所得、犯罪所得收益罪", "妨害社会管理秩序罪", 3,
          _ramp((0.6, 0.6, 0.7, 0.8, 1.0, 1.5, 1.6, 1.5, 1.3, 1.2)), None, _PUB),
    Cause("走私、贩卖、运输、制造毒品罪", "妨害社会管理秩序罪", 3,
          _ramp((1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.6, 0.55)), None, _PUB),
    Cause("非法捕捞水产品罪", "妨害社会管理秩序罪", 1.4,
          _ramp((0.5, 0.5, 0.55, 0.8, 1.6, 2.0, 1.4, 1.1, 1.0, 0.9)), None, _PUB,
          districts={320682: 0.25, 320613: 0.2, 320681: 0.2, 320614: 0.15, 320612: 0.1,
                     320623: 0.08, 320685: 0.02}, riverside=True),
    Cause("污染环境罪", "妨害社会管理秩序罪", 0.8, {}, None, _PUB, {"企业": 0.3, "自然人": 0.7},
          {"制造业": 1.0}, riverside=True),
    Cause("信用卡诈骗罪", "破坏社会主义市场经济秩序罪", 3, {}, None, _PUB),
    Cause("虚开增值税专用发票罪", "破坏社会主义市场经济秩序罪", 2, {}, None, _PUB,
          {"企业": 0.3, "自然人": 0.7}, {"批发和零售业": 0.6, "制造业": 0.4}),
    Cause("非法吸收公众存款罪", "破坏社会主义市场经济秩序罪", 1, {}, None, _PUB),
    Cause("受贿罪", "贪污贿赂罪", 1, {}, None, _PUB),
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
        Cause("申请实现担保物权", "特别程序案件", 1.5, {}, (300_000, 1.0), _ENT),
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
              {"自然人": 0.7, "企业": 0.3}, _GEN),
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
