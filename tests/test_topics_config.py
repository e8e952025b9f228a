"""Topic files: the shipped topics load; every kind of mistake gives a bilingual TopicError naming the field."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analytics.settings import PROJECT_ROOT
from analytics.topics.config import TopicError, load_topic, load_topics, parse_topic, vocabulary_warnings

GOOD = """
[topic]
title = "测试专题"
[selection]
causes = ["建设工程施工合同纠纷"]
[selection.party]
kinds = ["企业"]
industries = ["建筑业"]
[[sections]]
type = "mix"
[[sections]]
type = "roles"
"""


def parse(text: str):
    return parse_topic(tomllib.loads(text), "t", "t.toml")


def error(text: str) -> TopicError:
    with pytest.raises(TopicError) as info:
        parse(text)
    return info.value


def test_shipped_topics_load() -> None:
    topics, errors = load_topics(PROJECT_ROOT / "topics")
    assert not errors
    assert [t.id for t in topics] == ["construction", "fishing"]  # ordered by [topic].order
    construction, fishing = topics
    assert construction.focus_adcode == 320685
    assert construction.selection.party is not None and construction.selection.party.industries == ("建筑业",)
    assert {"trend", "share", "map", "mix", "roles", "amounts", "outcomes", "repeat", "risks",
            "recommendations"} <= set(construction.section_types())
    assert {r.id for r in construction.risks} >= {"wage_rising", "zhongben_rising", "guarantee_chain"}
    markers = fishing.sections[0].opt("markers")
    assert [str(m.on) for m in markers] == ["2020-01-01", "2021-01-01"]
    assert {r.id for r in fishing.text_rules} == {"electric", "cage", "banned_gear", "closed_season_area",
                                                  "restoration"}


def test_good_minimal_topic() -> None:
    t = parse(GOOD)
    assert t.title == "测试专题" and t.sections[0].title == "纠纷类型构成"  # default title
    assert t.selection.party.side == "either"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (GOOD + '[[sections]]\ntype = "pie"\n', "sections[2].type", "unknown section type 'pie'"),
        (GOOD + '[[sections]]\ntype = "mix"\ntop = "ten"\n', "sections[2].top", "must be an integer"),
        (GOOD + '[[sections]]\ntype = "mix"\nby = "court"\n', "sections[2].by", "invalid value 'court'"),
        (GOOD + '[[sections]]\ntype = "mix"\ncolour = "red"\n', "sections[2].colour", "unknown key"),
        (GOOD.replace('title = "测试专题"', "title = 5"), "topic.title", "must be a string"),
        (GOOD.replace('title = "测试专题"', ""), "topic.title", "required field missing"),
        (GOOD.replace('industries = ["建筑业"]', 'industries = ["建造业"]'), "selection.party.industries",
         "unknown value(s) 建造业"),
        (GOOD.replace('causes = ["建设工程施工合同纠纷"]', 'causes = "a"\ncategories = ["民事案件"]'),
         "selection.categories", "unknown value(s) 民事案件"),
        (GOOD.replace("[selection]", "[selection]\nplaces = [\"海安\"]"), "selection.places", "list of integers"),
        (GOOD.replace("kinds = [\"企业\"]\nindustries = [\"建筑业\"]", 'side = "both"\nkinds = ["企业"]'),
         "selection.party.side", "invalid value 'both'"),
        (GOOD.replace("[[sections]]\ntype = \"mix\"\n", "", 1).replace('kinds = ["企业"]\nindustries = ["建筑业"]',
                                                                     'kinds = ["企业"]').replace(
            "[selection.party]\nkinds", "[selection.partyx]\nkinds"), "selection.partyx", "unknown key"),
        (GOOD + '[[recommendations]]\ntitle = "a"\ntext = "b"\nrisk = "nope"\n', "recommendations[0].risk",
         "undefined risk 'nope'"),
        (GOOD + '[[text_rules]]\nid = "x"\nlabel = "x"\npatterns = ["(电鱼"]\n', "text_rules[0].patterns[0]",
         "invalid regular expression"),
        (GOOD + '[[text_rules]]\nid = "x"\nlabel = "x"\n', "text_rules[0].keywords", "at least one keyword"),
        (GOOD + '[[risks]]\nid = "r"\ntitle = "r"\nkind = "falling"\n', "risks[0].kind", "invalid value 'falling'"),
        (GOOD + '[[risks]]\nid = "r"\ntitle = "r"\nkind = "level"\nmin_share = "high"\n', "risks[0].min_share",
         "must be a number"),
        (GOOD + '[[risks]]\nid = "r"\ntitle = "r"\nkind = "rising"\npart = { outcome = ["终结本次执行"] }\n',
         "risks[0].part.outcome", "unknown key"),
        (GOOD + '[[sections]]\ntype = "trend"\nmarkers = [{ date = "2020-13-01", label = "x" }]\n',
         "sections[2].markers[0].date", "must be a date"),
        (GOOD + '[[sections]]\ntype = "text_findings"\n', "sections[2].type", "needs [judgments]"),
        (GOOD + '[[sections]]\ntype = "risks"\n', "sections[2].type", "needs at least one [[risks]]"),
        (GOOD + '[judgments]\ncharges = ["非法捕捞水产品"]\n[[sections]]\ntype = "judgments_sentences"\n'
                'scope = "local"\n', "sections[2].type", "needs judgments.local_city"),
        (GOOD.replace('[[sections]]\ntype = "mix"\n[[sections]]\ntype = "roles"\n', ""), "sections",
         "at least one [[sections]]"),
        (GOOD + "[extra]\na = 1\n", "extra", "unknown key"),
    ],
)
def test_bad_topic_names_the_field(change: str, field: str, words: str) -> None:
    err = error(change)
    assert err.field == field, str(err)
    assert words in err.en, str(err)
    assert err.zh and field in str(err) and "t.toml" in str(err)  # bilingual, names file and field


def test_roles_need_a_party_rule() -> None:
    err = error(GOOD.replace('[selection.party]\nkinds = ["企业"]\nindustries = ["建筑业"]\n', ""))
    assert err.field == "sections[1].type" and "needs [selection.party]" in err.en
    assert "需要 [selection.party]" in err.zh


def test_bad_toml_and_folder_loading(tmp_path: Path) -> None:
    (tmp_path / "a_good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b_broken.toml").write_text("[topic\ntitle = 1", encoding="utf-8")
    (tmp_path / "c_bad.toml").write_text(GOOD + '[[sections]]\ntype = "pie"\n', encoding="utf-8")
    topics, errors = load_topics(tmp_path)
    assert [t.id for t in topics] == ["a_good"]  # the id is the file name
    assert [(e.file, e.field) for e in errors] == [("b_broken.toml", "(TOML)"), ("c_bad.toml", "sections[2].type")]
    assert "not valid TOML" in errors[0].en and "不是有效的 TOML" in errors[0].zh
    with pytest.raises(TopicError):
        load_topic(tmp_path / "missing.toml")


def test_unknown_causes_are_warnings_not_errors() -> None:
    t = parse(GOOD.replace('causes = ["建设工程施工合同纠纷"]', 'causes = ["建设工程施工合同纠纷", "申请破产清算"]\n'
                                                         "places = [320685, 999999]"))
    warnings = vocabulary_warnings(t, ("建设工程施工合同纠纷",), (), (), (320685,))
    assert len(warnings) == 2
    assert "selection.causes" in warnings[0] and "申请破产清算" in warnings[0] and "not in this store" in warnings[0]
    assert "selection.places" in warnings[1] and "999999" in warnings[1]
    assert vocabulary_warnings(t, ("建设工程施工合同纠纷", "申请破产清算"), (), (), (320685, 999999)) == []
