"""Tests of analytics.casenumber: parsing 案号 in the forms people type, historic court codes,
malformed input, and cross-checks against a row's other fields."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analytics import codes, schema
from analytics.casenumber import TYPE_CODES, CaseNumber, Problem, cross_check, parse_case_number

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


def parsed(text: str) -> CaseNumber:
    result = parse_case_number(text, today=date(2026, 6, 1))
    assert isinstance(result, CaseNumber), result
    return result


def test_full_parse_of_a_rugao_civil_first_instance() -> None:
    cn = parsed("(2021)苏0682民初1234号")
    assert (cn.year, cn.court_code, cn.court_name) == (2021, "苏0682", "如皋市人民法院")
    assert (cn.category, cn.procedure, cn.type_code, cn.seq) == ("民事", "一审", "民初", 1234)
    assert cn.specialised is None and cn.known_court
    assert cn.canonical == "(2021)苏0682民初1234号"


@pytest.mark.parametrize(
    "text",
    [
        "（2021）苏0682民初1234号",  # full-width brackets
        "〔2021〕苏0682民初1234号",  # hexagonal brackets as in official documents
        "(2021) 苏0682 民初 1234 号",  # spaces
        "（２０２１）苏０６８２民初１２３４号",  # full-width digits
        "(2021)苏0682民初1234",  # no 号
        "(2021)苏0682民初01234号",  # leading zero
        " (2021)苏0682民初1234号\t",
    ],
)
def test_typed_variants_give_the_same_canonical_number(text: str) -> None:
    cn = parsed(text)
    assert cn.canonical == "(2021)苏0682民初1234号"
    assert cn.raw == text


@pytest.mark.parametrize(
    ("text", "category", "procedure", "type_code"),
    [
        ("(2020)苏0681刑初170号", "刑事", "一审", "刑初"),
        ("(2018)苏06民终4610号", "民事", "二审", "民终"),
        ("(2019)苏0681执2206号", "执行", "执行实施", "执"),
        ("(2022)苏0612执恢88号", "执行", "执行实施", "执恢"),
        ("(2022)苏0612执异5号", "执行", "执行审查", "执异"),
        ("(2022)苏06执复5号", "执行", "执行审查", "执复"),
        ("(2022)苏0602执保15号", "执行", "执行实施", "执保"),
        ("(2022)苏0602财保15号", "非诉保全审查", "保全审查", "财保"),
        ("(2022)苏06刑更100号", "刑事", "刑罚变更", "刑更"),
        ("(2022)苏06民申3号", "民事", "再审审查", "民申"),
        ("(2022)苏06民再3号", "民事", "再审", "民再"),
        ("(2022)苏0623民特12号", "民事", "特别程序", "民特"),
        ("(2022)苏0623民督12号", "民事", "特别程序", "民督"),
        ("(2022)苏0623行初2号", "行政", "一审", "行初"),
        ("(2022)苏06行终2号", "行政", "二审", "行终"),
        ("(2022)苏0602民辖终2号", "民事", "二审", "民辖终"),  # longest code, not 民辖 + 终
    ],
)
def test_type_codes(text: str, category: str, procedure: str, type_code: str) -> None:
    cn = parsed(text)
    assert (cn.category, cn.procedure, cn.type_code) == (category, procedure, type_code)


def test_specialised_trial_prefix() -> None:
    cn = parsed("(2019)最高法知民终1号")
    assert (cn.court_code, cn.specialised, cn.type_code) == ("最高法", "知", "民终")
    assert not cn.known_court and cn.court_name == "最高人民法院"
    env = parsed("(2021)苏0682环民初3号")
    assert (env.specialised, env.type_code, env.court_code) == ("环", "民初", "苏0682")
    assert env.canonical == "(2021)苏0682环民初3号"


def test_historic_haian_county_code() -> None:
    cn = parsed("(2017)苏0621民初55号")
    assert cn.court_name == "海安县人民法院"
    assert cn.known_court
    # 海安县 became 海安市 on 2018-05-11; its court then numbered cases 苏0685.
    late = parse_case_number("(2019)苏0621民初55号", today=date(2026, 1, 1))
    assert isinstance(late, Problem)
    assert "苏0621" in late.zh and "not in use" in late.en
    early = parse_case_number("(2017)苏0685民初55号", today=date(2026, 1, 1))
    assert isinstance(early, Problem)
    assert parsed("(2018)苏0621民初1号").court_code == "苏0621"  # year of the change: both valid
    assert parsed("(2018)苏0685民初1号").court_code == "苏0685"


def test_haimen_keeps_its_code_after_becoming_a_district() -> None:
    cn = parsed("(2023)苏0684民初10号")
    assert cn.court_name == "海门市(区)人民法院"
    assert codes.court_for("苏0684").adcode == 320614  # type: ignore[union-attr]


def test_gangzha_code_ends_with_the_district() -> None:
    assert parsed("(2019)苏0611民初7号").court_name == "南通市港闸区人民法院"
    assert isinstance(parse_case_number("(2021)苏0611民初7号", today=date(2026, 1, 1)), Problem)


def test_unknown_court_parses_but_is_marked() -> None:
    cn = parsed("(2021)苏0699刑初3号")
    assert not cn.known_court and cn.court_name is None


@pytest.mark.parametrize(
    ("text", "en_fragment"),
    [
        ("", "empty"),
        (None, "empty"),
        ("   ", "empty"),
        ("abc", "malformed"),
        ("2021苏0682民初1234号", "malformed"),  # no brackets
        ("(2021)苏0682民初号", "malformed"),  # no sequence number
        ("(21)苏0682民初12号", "malformed"),  # two-digit year
        ("(2021)苏0682民X初1号", "unknown case type code"),
        ("(2021)苏0682民初0号", "positive"),
        ("(2014)通中民终字第12号", "pre-2016"),
        ("(2015)苏0682民初1号", "outside"),
        ("(2031)苏0682民初1号", "outside"),
        ("(2021)XX民初1号", "court code"),
        ('=HYPERLINK("x")', "malformed"),
    ],
)
def test_malformed_numbers_give_bilingual_reasons(text: str | None, en_fragment: str) -> None:
    result = parse_case_number(text, today=date(2026, 6, 1))
    assert isinstance(result, Problem)
    assert en_fragment in result.en
    assert CJK.search(result.zh) and LATIN.search(result.en)
    assert str(result) == f"{result.zh} / {result.en}"


def test_canonical_form_is_a_fixed_point() -> None:
    for text in ("（2021）苏0682民初0012", "〔2022〕苏06 民终 9 号", "(2019)最高法知民终1号"):
        cn = parsed(text)
        assert parsed(cn.canonical).canonical == cn.canonical


def test_type_table_agrees_with_the_store_codes_and_schema() -> None:
    # Every code the store knows must parse to the same category and procedure.
    for code, (category, procedure) in codes.TYPE_CODES.items():
        t = TYPE_CODES[code]
        assert (t.category, t.procedure) == (category, procedure), code
    for code, t in TYPE_CODES.items():
        assert t.category in schema.CATEGORIES, code
        assert t.procedure in schema.PROCEDURES, code


def test_cross_check_accepts_consistent_rows() -> None:
    cn = parsed("(2021)苏0682民初1234号")
    row = {
        "court_code": "苏0682",
        "category": "民事",
        "type_code": "民初",
        "procedure": "一审",
        "court_name": "如皋法院",
        "filed_date": date(2021, 3, 5),
    }
    assert cross_check(cn, row) == []
    for name in ("如皋市人民法院", "如皋市法院", "如皋法院", " 如皋市人民法院 "):
        assert cross_check(cn, {"court_name": name}) == [], name
    assert cross_check(cn, {"category": None, "court_name": float("nan"), "type_code": ""}) == []


def test_cross_check_reports_each_contradiction() -> None:
    cn = parsed("(2021)苏0682民初1234号")
    row = {
        "court_code": "苏0681",
        "category": "刑事",
        "type_code": "民终",
        "procedure": "二审",
        "court_name": "启东市人民法院",
        "filed_date": date(2020, 12, 30),
    }
    fields = {m.field for m in cross_check(cn, row)}
    assert fields == {"court_code", "category", "type_code", "procedure", "court_name", "filed_date"}
    for m in cross_check(cn, row):
        assert CJK.search(m.problem.zh) and LATIN.search(m.problem.en)


def test_cross_check_haimen_court_names() -> None:
    cn = parsed("(2023)苏0684民初10号")
    for name in ("海门区人民法院", "海门市人民法院", "海门法院", "南通市海门区人民法院"):
        assert cross_check(cn, {"court_name": name}) == [], name
