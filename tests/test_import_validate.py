"""Column mapping and row validation of real court exports (issue 9 items 1, 4, 5, 6, 7 and
issue 12 item 5): case-management exports load without a hand-made mapping, 中院 cases without
an origin are kept as 未定/全市, the year range follows the store, 如皋's centralised
environmental cases may belong to any district, oversized fields and unknown causes are
rejected with a clear message and suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics import importer
from analytics.importer import causes, parties
from analytics.importer.load import absent_columns

TODAY = dt.date(2026, 1, 1)
SECRET = b"k" * 32


def check(text: str, **kwargs: object) -> importer.ValidationResult:
    """Validate a CSV text as the importer reads it (a fixed party secret, no store)."""
    df = importer.read_table(text.encode("utf-8"), "t.csv")
    kwargs.setdefault("secret", lambda: SECRET)
    return importer.validate(df, today=TODAY, **kwargs)  # type: ignore[arg-type]


# A case-management export as court systems write it (issue 9 item 7): a title line, 序号,
# 案件名称 with party names, 收案日期 and 立案日期, 立案案由 and 结案案由, 适用程序 holding
# 第二审程序/速裁程序, amounts with thousands separators and 万元, extra columns, a 合计 row.
CMS_EXPORT = (
    "南通市通州区人民法院 案件信息导出(2025-01-02)\n"
    "序号,案号,案件名称,收案日期,立案日期,立案案由,结案案由,适用程序,结案日期,结案方式,标的额,承办人,承办部门,"
    "审理天数,原告,被告,被告统一社会信用代码\n"
    '1,(2023)苏0612民初101号,张三诉南通某某建设有限公司买卖合同纠纷,2023-03-01,2023-03-03,买卖合同纠纷,'
    '买卖合同纠纷,简易程序,2023-05-01,调解,"1,234,567.50",李四,民一庭,59,张三,南通某某建设有限责任公司,'
    "91320612MA1XXXXXX1\n"
    "2,(2023)苏06民终55号,王五与赵六民间借贷纠纷,2023-04-01,2023-04-02,民间借贷纠纷,,第二审程序,,,12.5万元,"
    "周七,民二庭,,王五,赵六,\n"
    "3,(2023)苏0612刑初9号,南通市通州区人民检察院诉孙八盗窃案,2023-05-01,2023-05-02,盗窃罪,诈骗罪,速裁程序,"
    "2023-05-10,判决,,吴九,刑庭,8,南通市通州区人民检察院,孙八,\n"
    '合计,,,,,,,,,,"1,359,567.50",,,,,,\n'
)


def test_a_case_management_export_loads_every_case_without_a_mapping() -> None:
    r = check(CMS_EXPORT)
    assert r.counts[importer.REJECTED] == 0 and len(r.report) == 3  # the 合计 line is not a row
    got = r.accepted.set_index("case_no")
    civil, appeal, crim = "(2023)苏0612民初101号", "(2023)苏06民终55号", "(2023)苏0612刑初9号"
    assert got.loc[civil, "filed_date"] == dt.datetime(2023, 3, 3)  # 立案日期, not 收案日期
    assert got.loc[civil, "amount"] == 1234567.5 and got.loc[appeal, "amount"] == 125000.0
    assert got.loc[civil, "track"] == "简易程序" and got.loc[crim, "track"] == "速裁程序"
    assert got.loc[appeal, "procedure"] == "二审" and str(got.loc[appeal, "track"]) in ("None", "<NA>", "nan")
    assert got.loc[crim, "cause"] == "诈骗罪"  # closed: 结案案由
    assert got.loc[appeal, "cause"] == "民间借贷纠纷"  # pending: 立案案由
    assert got.loc[appeal, "adcode"] == 320600  # 中院 without an origin: 未定/全市
    assert got.loc[civil, "defendant_kind"] == "企业"  # a valid credit code
    assert got.loc[civil, "defendant_key"] == parties.party_key("南通某某建设有限公司", None, SECRET)
    notes = " ".join(n.en for n in r.notes)
    for col in ("序号", "案件名称", "承办人", "承办部门", "审理天数", "收案日期"):
        assert col in notes  # listed as not imported
    assert "no name is stored" in notes
    crim_line = r.report.set_index("case_no").loc[crim]
    assert "closing cause" in crim_line["reason_en"]
    # No party name anywhere in what goes to the store or the report.
    text = r.accepted.astype(str).to_csv() + r.report.to_csv()
    for name in ("张三", "赵六", "孙八", "某某建设", "人民检察院诉"):
        assert name not in text


def test_intermediate_court_export_without_origin_column_loads_fully() -> None:
    text = (
        "案号,立案日期,结案日期,案由,结案方式\n"
        "(2020)苏06民终4610号,2020-05-06,2020-08-01,买卖合同纠纷,维持原判\n"
        "(2020)苏06民初12号,2020-01-06,,股权转让纠纷,\n"
        "(2021)苏06民再3号,2021-03-01,,买卖合同纠纷,\n"
    )
    r = check(text, origin_lookup=lambda nos: {"(2021)苏06民再3号": 320681} if "(2021)苏06民再3号" in nos else {})
    assert r.counts[importer.REJECTED] == 0
    got = r.accepted.set_index("case_no")["adcode"].to_dict()
    # Two unplaced (320600); the retrial is already in the store, placed in 启东 (320681).
    assert got == {"(2020)苏06民终4610号": 320600, "(2020)苏06民初12号": 320600, "(2021)苏06民再3号": 320681}
    assert "未定/全市" in r.report.set_index("case_no").loc["(2020)苏06民初12号", "reason_zh"]


def test_the_origin_in_the_file_places_an_appeal() -> None:
    text = (
        "案号,立案日期,案由,原审案号\n"
        "(2021)苏0623民初5号,2021-01-06,买卖合同纠纷,\n"
        "(2021)苏06民终7号,2021-06-06,买卖合同纠纷,(2021)苏0623民初5号\n"
    )
    r = check(text)
    assert r.accepted.set_index("case_no").loc["(2021)苏06民终7号", "adcode"] == 320623


def test_year_range_follows_configuration_and_store() -> None:
    row = "案号,立案日期,案由\n(2015)苏0682民初77号,2015-11-02,买卖合同纠纷\n"
    assert "outside 2016" in check(row).report["reason_en"].iloc[0]
    assert check(row, first_year=2015).counts[importer.ACCEPTED] == 1


def test_rugao_environmental_cases_may_belong_to_any_district() -> None:
    text = (
        "案号,立案日期,案由,行政区划代码\n"
        "(2021)苏0682刑初300号,2021-03-05,非法捕捞水产品罪,320681\n"  # 长江二庭, 启东 river
        "(2021)苏0682环刑初301号,2021-03-05,盗窃罪,320614\n"  # 环 prefix
        "(2020)苏0682刑初302号,2020-03-05,污染环境罪,320681\n"  # before 2020-07: contradiction
        "(2021)苏0682刑初303号,2021-03-05,盗窃罪,320681\n"  # not environmental: contradiction
    )
    st = check(text).report.set_index("row")["status"].to_dict()
    assert st == {2: importer.ACCEPTED, 3: importer.ACCEPTED, 4: importer.REJECTED, 5: importer.REJECTED}


def test_oversized_fields_are_rejected_with_a_clear_message() -> None:
    text = f"案号,立案日期,案由\n(2021)苏0682民初1号,2021-03-05,{'买' * 10_000}\n"
    line = check(text).report.iloc[0]
    assert line["status"] == importer.REJECTED
    assert line["reason_en"] == "cause is too long (10000 characters, limit 60)"
    assert line["reason_zh"] == "案由过长(10000 字符, 上限 60)"


def test_unknown_causes_are_rejected_with_suggestions() -> None:
    text = (
        "案号,立案日期,案由\n"
        "(2021)苏0682民初1号,2021-03-05,民间借代纠纷\n"  # typo: not a new category
        "(2021)苏0682民初2号,2021-03-05,建设工程施工合同 纠纷\n"  # spacing variant of a standard cause
        "(2021)苏0682民初3号,2021-03-05,船舶碰撞损害责任纠纷\n"  # standard, new to the store
    )
    r = check(text, causes={"民间借贷纠纷": "合同、准合同纠纷"})
    rep = r.report.set_index("row")
    assert rep.loc[2, "status"] == importer.REJECTED
    assert "similar to: 民间借贷纠纷" in rep.loc[2, "reason_en"] and "相近的标准案由" in rep.loc[2, "reason_zh"]
    assert rep.loc[3, "status"] == importer.CORRECTED
    assert rep.loc[4, "status"] == importer.ACCEPTED and "new to the store" in rep.loc[4, "reason_en"]
    got = r.accepted.set_index("case_no")
    assert got.loc["(2021)苏0682民初2号", "cause"] == "建设工程施工合同纠纷"
    assert got.loc["(2021)苏0682民初3号", "cause_group"] == "海事海商纠纷"


def test_standard_list_holds_every_generator_cause() -> None:
    from seeds import catalog

    names = {c.name for group in catalog.CAUSES_BY_TYPE.values() for c in group}
    assert {n for n in names if causes.lookup(n) is None} == set()
    assert len(causes.standard_causes()) > 500


def test_absent_columns_are_those_the_file_does_not_carry() -> None:
    got = absent_columns({"case_no", "filed_date", "cause", "defendant_name", "lon", "lat"})
    assert "lon" not in got and "defendant_key" not in got and "h3_r7" not in got
    assert {"amount", "plaintiff_key", "origin_case_no", "closed_date"} <= got


@pytest.mark.parametrize(
    "variant",
    [
        "南通某某建设有限责任公司",
        "南通某某建设有限公司",
        "南通 某某建设 有限公司",
        "南通某某建设有限公司、张三",
        "ＮＡＮＴＯＮＧ某某建设有限公司".replace("ＮＡＮＴＯＮＧ", "南通"),
    ],
)
def test_enterprise_name_variants_map_to_one_key(variant: str) -> None:
    assert parties.party_key(variant, None, SECRET) == parties.party_key("南通某某建设有限公司", None, SECRET)


def test_brackets_and_width_variants_map_to_one_key() -> None:
    a = parties.party_key("江苏（南通）ＡＢＣ贸易有限公司", None, SECRET)
    assert a == parties.party_key("江苏(南通)abc贸易有限公司", None, SECRET)
    assert a == parties.party_key("江苏【南通】ABC贸易有限责任公司", None, SECRET)
    assert a != parties.party_key("江苏(南通)ABD贸易有限公司", None, SECRET)
    assert a != parties.party_key("江苏(南通)ABC贸易有限公司", None, b"other secret 0123456789")


def test_secret_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "sub" / ".party_secret"
    first = parties.load_secret(path)
    assert len(first) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert parties.load_secret(path) == first
    assert parties.secret_path({"SHUZHU_SECRET_FILE": str(path)}) == path


def test_unplaced_code_is_the_maps() -> None:
    import geodata
    from analytics.importer import values

    assert (values.UNPLACED_ADCODE, values.UNPLACED_LABEL) == (geodata.UNPLACED_ADCODE, geodata.UNPLACED_NAME)


def test_duplicates_keep_the_row_with_the_later_modification_date() -> None:
    text = (
        "案号,立案日期,案由,标的额,修改日期\n"
        "(2021)苏0682民初1号,2021-03-05,买卖合同纠纷,200,2024-02-01\n"
        "(2021)苏0682民初1号,2021-03-05,买卖合同纠纷,100,2024-01-01\n"
    )
    r = check(text)
    assert r.accepted["amount"].tolist() == [200.0]
    expected = "same case number as row 2, which is kept (later modification date)"
    assert r.report["reason_en"].iloc[1].startswith(expected)
    assert r.versions == {"(2021)苏0682民初1号": dt.date(2024, 2, 1)}
