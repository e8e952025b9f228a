"""Judgment-record sections of the fishing topic on hand-made CAIL lines imported into a hand-made store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from test_topics_store import build

from analytics import judgments as J
from analytics.settings import PROJECT_ROOT
from analytics.store import open_store
from analytics.topics import records as RC
from analytics.topics.config import load_topic

FISHING = load_topic(PROJECT_ROOT / "topics" / "fishing.toml")


def line(fact: str, charges: list[str], criminals: int, months: int, fine: float) -> str:
    return json.dumps({"fact": fact, "meta": {
        "accusation": charges, "relevant_articles": [340], "criminals": [f"被告人{i}" for i in range(criminals)],
        "punish_of_money": fine,
        "term_of_imprisonment": {"imprisonment": months, "life_imprisonment": False, "death_penalty": False}}},
        ensure_ascii=False)


LINES = [
    # r1: Nantong, electric + restoration, 2 defendants, 6 months, no fine
    line("2019年5月，被告人甲、乙在江苏省南通市如东县某河道使用电瓶、逆变器等工具电鱼，并自愿承担增殖放流费用。",
         ["非法捕捞水产品"], 2, 6, 0),
    # r2: Nantong, cage + closed season, 1 defendant, no prison, fine 5,000
    line("2020年6月，被告人丙在江苏省南通市启东市某河段禁渔期内放置地笼10条。", ["非法捕捞水产品"], 1, 0, 5000),
    # r3: Hubei, banned gear + closed waters, 1 defendant, 10 months, fine 2,000
    line("2021年4月，被告人丁在湖北省武汉市江夏区长江禁捕水域使用禁用网具捕捞。", ["非法捕捞水产品"], 1, 10, 2000),
    # r4: not fishing
    line("2019年3月，被告人戊在江苏省南通市崇川区盗窃电瓶车一辆。", ["盗窃"], 1, 8, 1000),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("records") / "hand.duckdb")
    c = open_store(path, read_only=False)
    assert RC.record_count(c, FISHING) == 0  # no table yet: sections say so instead of failing
    assert RC.text_findings(c, FISHING).empty and RC.provinces(c, FISHING).empty
    result = J.import_jsonl(c, "\n".join(LINES).encode("utf-8"))
    assert result.inserted == 4
    yield c
    c.close()


def test_counts_by_scope(con: duckdb.DuckDBPyConnection) -> None:
    assert RC.record_count(con, FISHING) == 3  # r1-r3
    assert RC.record_count(con, FISHING, "local") == 2  # r1, r2 in 南通市


def test_provinces(con: duckdb.DuckDBPyConnection) -> None:
    df = RC.provinces(con, FISHING)
    assert list(zip(df["province"], df["records"], strict=True)) == [("江苏省", 2), ("湖北省", 1)]
    assert df["share"].tolist() == pytest.approx([2 / 3, 1 / 3])


def test_sentences(con: duckdb.DuckDBPyConnection) -> None:
    res = RC.sentences(con, FISHING)
    got = dict(zip(res.summary["metric"], res.summary["value"], strict=True))
    assert got["记录数"] == 3
    assert got["平均被告人数"] == pytest.approx(4 / 3)  # 2 + 1 + 1
    assert got["判处监禁刑（有期徒刑/拘役）记录数"] == 2 and got["监禁刑平均刑期(月)"] == pytest.approx(8.0)  # 6, 10
    assert got["判处罚金记录数"] == 2 and got["平均罚金(元)"] == pytest.approx(3500.0)  # 5,000 and 2,000
    assert res.bands["records"].tolist() == [1, 1, 1, 0, 0]  # 0 (r2), 1-6 (r1), 7-12 (r3)
    local = dict(zip(*RC.sentences(con, FISHING, "local").summary[["metric", "value"]].T.values, strict=True))
    assert local["记录数"] == 2 and local["平均罚金(元)"] == pytest.approx(5000.0)


def test_text_findings(con: duckdb.DuckDBPyConnection) -> None:
    df = RC.text_findings(con, FISHING).set_index("rule")
    assert df["records"].to_dict() == {"electric": 1, "cage": 1, "banned_gear": 1, "closed_season_area": 2,
                                       "restoration": 1, "none": 0}
    assert df.loc["closed_season_area", "share"] == pytest.approx(2 / 3)
    local = RC.text_findings(con, FISHING, "local").set_index("rule")["records"].to_dict()
    assert local["banned_gear"] == 0 and local["electric"] == 1 and local["cage"] == 1


def test_real_cail_sample_fishing_record(shared_dir: Path, tmp_path: Path) -> None:
    """The real development sample imports; the topic finds its fishing records (the file may have none)."""
    sample = shared_dir / "data" / "cail2018" / "cail2018_sample_test_1397.jsonl"
    if not sample.is_file():
        pytest.skip("CAIL sample not present")
    c = duckdb.connect(str(tmp_path / "j.duckdb"))
    J.import_jsonl(c, sample)
    n = RC.record_count(c, FISHING)
    expected = sum(1 for raw in sample.read_text(encoding="utf-8").splitlines()
                   if raw.strip() and set(json.loads(raw)["meta"]["accusation"]) & set(FISHING.judgments.charges))
    assert n == expected
    if n:
        df = RC.text_findings(c, FISHING).set_index("rule")
        assert df.loc["none", "records"] < n  # the rules find a tool or method in at least one
    c.close()
