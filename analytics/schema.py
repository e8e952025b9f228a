"""The case data model: one row per case (件), shared by the generator, the importer and every indicator.

A *case* here is one court procedure with its own case number (案号): a first-instance civil
case and its appeal are two rows, linked by ``origin_case_no``. That is the unit in which the
courts count 新收/结案/未结, and the link lets indicators follow a dispute through appeal,
retrial and enforcement (上诉率, 改判发回率, 案-件比).

Categorical columns are DuckDB ENUMs: measured ~3x faster than VARCHAR for filters and
group-bys at 10M rows, and one byte per value instead of a string.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- controlled vocabularies (ENUM members); order is the display order in the UI ----------

CATEGORIES: tuple[str, ...] = ("刑事", "民事", "行政", "执行", "非诉保全审查", "国家赔偿", "其他")

# 审级/程序: the stage of proceedings a case number's type code implies.
PROCEDURES: tuple[str, ...] = (
    "一审",
    "二审",
    "再审审查",  # 民申/刑申/行申: review of a petition for retrial
    "再审",
    "特别程序",  # 民特, 民督, 民催
    "执行实施",  # 执, 执恢
    "执行审查",  # 执异, 执复, 执监
    "保全审查",  # 财保
    "刑罚变更",  # 刑更
    "其他",
)

# 适用程序 within a first instance (NULL where it does not apply).
TRACKS: tuple[str, ...] = ("普通程序", "简易程序", "小额诉讼", "速裁程序")

# How a case was closed (结案方式); NULL while pending.
OUTCOMES: tuple[str, ...] = (
    "判决",
    "调解",
    "撤诉",
    "驳回起诉",
    "维持原判",
    "改判",
    "发回重审",
    "撤回上诉",
    "准许撤回",  # criminal: 检察院撤回起诉 / other withdrawals by leave
    "终止审理",
    "移送",
    "裁定准许",  # e.g. 财保 granted, 民特 confirmed, 刑更 granted
    "裁定驳回",  # e.g. 执异/民申 rejected
    "执行完毕",
    "终结本次执行",
    "终结执行",
    "执行和解",
    "不予执行",
    "销案",
    "其他",
)

PARTY_KINDS: tuple[str, ...] = ("自然人", "企业", "其他组织", "国家机关", "检察机关")

# GB/T 4754 sections used for enterprise parties (门类), short names.
INDUSTRIES: tuple[str, ...] = (
    "制造业",
    "建筑业",
    "批发和零售业",
    "房地产业",
    "金融业",
    "交通运输业",
    "住宿和餐饮业",
    "租赁和商务服务业",
    "信息技术服务业",
    "农林牧渔业",
    "其他行业",
)

SOURCES: tuple[str, ...] = ("synthetic", "import")

# Statutory time limits (法定审限) as (n, unit), unit "month" (calendar months: filed + n months,
# 民事诉讼法 art. 85 / 刑事诉讼法 art. 105 -- the filing day is not counted), "day" or "hour" (the data
# hold dates only, so 48 hours is read as closed at most 2 calendar days after filing). Key:
# (type_code, qualifier); qualifier = the track of a first instance, or for a 民终 whether it
# appeals a judgment or a ruling (from the first instance's outcome, via origin_case_no); None = any.
# A case whose key is not here has an unknown limit (e.g. 民初 without a track, a 民终 whose first
# instance is not in the store, 刑再): it is counted and shown as 审限未知, never treated as on time.
# Sources: 民事诉讼法 (2023) art. 152 (普通程序 6 months), 164 (简易 3 months), 169 (小额 2 months),
# 183 (二审: against a judgment 3 months, against a ruling 30 days), 187 (特别程序 30 days),
# 211 (再审审查 3 months), 223 (督促程序 15 days), 104 (诉前财产保全 48 hours; 仲裁前 the same);
# 刑事诉讼法 (2018) art. 208 (公诉一审 2 months; 至迟 3 months and longer for 死刑/附带民事/art. 158
# cases only with approval, which the data do not show), 220 (简易 20 days), 225 (速裁 10 days),
# 243 (二审 2 months); 行政诉讼法 (2017) art. 81 (一审 6 months), 88 (二审 3 months); 最高法
# 《关于严格执行案件审理期限制度的若干规定》 art. 5 (执行 6 months) and art. 4 (再审 as the instance
# retried: 6 months by default); 执行异议 15 days (民诉法 2021 text arts. 232, 234); 执行复议 30 days;
# 刑更 (减刑、假释) 1 month; 行审 (非诉行政执行审查) 30 days. Extensions (延长审限) and suspensions
# (扣除审限) are not in the data, so this is the *normal* limit (正常审限, "未扣除审限").
APPEAL_AGAINST_JUDGMENT = "对判决上诉"
APPEAL_AGAINST_RULING = "对裁定上诉"
STATUTORY_LIMITS: dict[tuple[str, str | None], tuple[int, str]] = {
    ("民初", "普通程序"): (6, "month"),
    ("民初", "简易程序"): (3, "month"),
    ("民初", "小额诉讼"): (2, "month"),
    ("民终", APPEAL_AGAINST_JUDGMENT): (3, "month"),
    ("民终", APPEAL_AGAINST_RULING): (30, "day"),
    ("民申", None): (3, "month"),
    ("民再", None): (6, "month"),
    ("民特", None): (30, "day"),
    ("民督", None): (15, "day"),
    ("刑初", "普通程序"): (2, "month"),
    ("刑初", "简易程序"): (20, "day"),
    ("刑初", "速裁程序"): (10, "day"),
    ("刑终", None): (2, "month"),
    ("刑更", None): (1, "month"),
    ("刑申", None): (3, "month"),
    ("行初", None): (6, "month"),
    ("行终", None): (3, "month"),
    ("行审", None): (30, "day"),
    ("执", None): (6, "month"),
    ("执恢", None): (6, "month"),
    ("执异", None): (15, "day"),
    ("执复", None): (30, "day"),
    ("财保", None): (48, "hour"),
}


@dataclass(frozen=True)
class Column:
    """One column of the ``cases`` table: name, SQL type, whether required, and its meaning."""

    name: str
    sql_type: str
    required: bool
    doc: str


CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_no", "VARCHAR", True, "案号, e.g. (2021)苏0682民初1234号; unique key"),
    Column("court_code", "court_code_t", True, "court code in the case number (苏06, 苏0682 ...)"),
    Column("adcode", "INTEGER", True, "current district adcode the case belongs to (320613 ...)"),
    Column("category", "category_t", True, "case category: 刑事, 民事, 行政, 执行 ..."),
    Column("type_code", "type_code_t", True, "类型代字 from the case number: 民初, 刑终, 执恢 ..."),
    Column("procedure", "procedure_t", True, "stage: 一审, 二审, 再审, 执行实施 ..."),
    Column("track", "track_t", False, "适用程序 of a first instance: 普通/简易/小额/速裁"),
    Column("cause_group", "cause_group_t", True, "parent level of the cause (案由/罪名 group)"),
    Column("cause", "cause_t", True, "案由 (civil/administrative) or 罪名 (criminal)"),
    Column("filed_date", "DATE", True, "立案日期"),
    Column("closed_date", "DATE", False, "结案日期; NULL while pending"),
    Column("outcome", "outcome_t", False, "结案方式; NULL while pending"),
    Column("amount", "DOUBLE", False, "标的额 / 申请执行标的 in yuan"),
    Column("amount_recovered", "DOUBLE", False, "执行到位金额 in yuan (enforcement only)"),
    Column("plaintiff_kind", "party_kind_t", False, "原告/申请人 kind (public prosecutor for 刑事)"),
    Column("plaintiff_industry", "industry_t", False, "industry of an enterprise plaintiff/applicant"),
    Column("plaintiff_key", "BIGINT", False, "pseudonymous id of the main plaintiff/applicant (repeat parties)"),
    Column("defendant_kind", "party_kind_t", False, "被告/被执行人/被告人 kind"),
    Column("defendant_industry", "industry_t", False, "industry of an enterprise defendant"),
    Column("defendant_key", "BIGINT", False, "pseudonymous id of the main defendant (repeat parties)"),
    Column("origin_case_no", "VARCHAR", False, "case this one arises from (appeal, retrial, enforcement)"),
    Column("lon", "DOUBLE", False, "longitude of the place of the dispute/offence (WGS84/GCJ-02)"),
    Column("lat", "DOUBLE", False, "latitude"),
    Column("h3_r7", "UBIGINT", False, "H3 cell (resolution 7) of lon/lat, computed at load"),
    Column("source", "source_t", True, "provenance: synthetic (generated) or import"),
    # Appended last: the summary cubes and every earlier column keep their positions.
    Column("cause_filed", "VARCHAR", False, "立案案由 when an export gives it next to 结案案由 (cause: 结案案由)"),
)

CASE_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in CASE_COLUMNS)

H3_RESOLUTION = 7


def _enum_sql(values: tuple[str, ...]) -> str:
    """SQL literal list for an ENUM type."""
    return "ENUM(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def enum_types(
    court_codes: tuple[str, ...],
    type_codes: tuple[str, ...],
    cause_groups: tuple[str, ...],
    causes: tuple[str, ...],
) -> dict[str, tuple[str, ...]]:
    """Members of every ENUM type; the open vocabularies (courts, causes) come from the data."""
    return {
        "court_code_t": court_codes,
        "category_t": CATEGORIES,
        "type_code_t": type_codes,
        "procedure_t": PROCEDURES,
        "track_t": TRACKS,
        "cause_group_t": cause_groups,
        "cause_t": causes,
        "outcome_t": OUTCOMES,
        "party_kind_t": PARTY_KINDS,
        "industry_t": INDUSTRIES,
        "source_t": SOURCES,
    }


def create_cases_ddl(enums: dict[str, tuple[str, ...]], table: str = "cases") -> list[str]:
    """Statements that create the ENUM types and the (empty) cases table."""
    stmts = [f"CREATE TYPE {name} AS {_enum_sql(values)}" for name, values in enums.items()]
    cols = ",\n  ".join(
        f"{c.name} {c.sql_type}{' NOT NULL' if c.required else ''}" for c in CASE_COLUMNS
    )
    stmts.append(f"CREATE TABLE {table} (\n  {cols}\n)")
    return stmts


# Reference (dimension) tables, created next to ``cases``.
DIMENSION_DDL: tuple[str, ...] = (
    """CREATE TABLE courts (
  court_code VARCHAR PRIMARY KEY, court_name VARCHAR NOT NULL, level VARCHAR NOT NULL,
  adcode INTEGER, valid_from DATE, valid_to DATE, sort_order INTEGER NOT NULL)""",
    """CREATE TABLE causes (
  cause VARCHAR PRIMARY KEY, cause_group VARCHAR NOT NULL, category VARCHAR NOT NULL)""",
    """CREATE TABLE type_codes (
  type_code VARCHAR PRIMARY KEY, category VARCHAR NOT NULL, procedure VARCHAR NOT NULL)""",
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
)
