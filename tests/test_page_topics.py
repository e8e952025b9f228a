"""AppTest of pages/7_topics.py: both shipped topics on the small synthetic store, URL, filters, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import judgments as J
from analytics.settings import PROJECT_ROOT
from analytics.store import open_store
from analytics.topics.config import load_topics

PAGE = str(PROJECT_ROOT / "pages" / "7_topics.py")
TOPICS, _ = load_topics(PROJECT_ROOT / "topics")
BY_ID = {t.id: t for t in TOPICS}


def start(monkeypatch: pytest.MonkeyPatch, db: Path, params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(db))
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}"
    return frames[0]


def headings(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def downloads(at: AppTest) -> list[str]:
    return [d.key for d in at.get("download_button")]


def test_construction_topic(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(monkeypatch, small_store)
    topic = BY_ID["construction"]
    assert "建筑企业诉讼风险" in at.title[0].value
    assert at.radio(key="tp_topic").value == "construction"  # the first topic is the default
    for sec in topic.sections:
        assert sec.title in headings(at)
    # every section has its CSV and Excel download
    keys = downloads(at)
    for i in range(len(topic.sections)):
        assert {f"tp_construction_{i}_dl_csv", f"tp_construction_{i}_dl_xlsx"} <= set(keys), i
    maps = at.get("deck_gl_json_chart")
    assert len(maps) == 1  # district map, 海安 outlined
    layer = next(x for x in json.loads(maps[0].proto.json)["layers"] if x.get("id") == "districts")
    widths = {f["properties"]["adcode"]: f["properties"]["width"] for f in layer["data"]["features"]}
    assert widths.pop(320685) == 3 and set(widths.values()) == {1}
    mix = table_with(at, "案由/罪名")
    assert mix["案件数"].sum() > 0 and "建设工程施工合同纠纷" in set(mix["案由/罪名"])
    roles = table_with(at, "诉讼地位")
    assert set(roles["诉讼地位"]) == {"原告/申请人", "被告/被申请人", "申请执行人", "被执行人"}
    repeat = table_with(at, "企业代号(假名)")
    assert all(str(k).startswith("E") for k in repeat["企业代号(假名)"])  # pseudonymous keys, never names
    assert not {"名称", "企业名称", "当事人"} & set(repeat.columns)
    risks = table_with(at, "触发规则")
    assert len(risks) == len(topic.risks) and risks["触发规则"].str.len().min() > 10
    assert any("倍" in m.value for m in at.metric)  # 海安's share relative to the city's
    assert at.radio(key="tp_scope").value == "focus"  # 海安 by default


def test_scope_and_sidebar_filter_change_figures(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(monkeypatch, small_store)
    haian = table_with(at, "案由/罪名")["案件数"].sum()
    at.radio(key="tp_scope").set_value("city").run()
    assert not at.exception
    city = table_with(at, "案由/罪名")["案件数"].sum()
    assert city > haian
    assert at.query_params["tscope"] == "city"
    at.multiselect(key="f_cat").set_value(["执行"]).run()
    assert not at.exception
    enforcement = table_with(at, "案由/罪名")["案件数"].sum()
    assert 0 < enforcement < city
    roles = table_with(at, "诉讼地位").set_index("诉讼地位")["案件数"]
    assert roles["原告/申请人"] == 0 and roles["被告/被申请人"] == 0  # only enforcement cases left


def test_fishing_topic_via_selector_and_url(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(monkeypatch, small_store)
    at.radio(key="tp_topic").set_value("fishing").run()
    assert not at.exception
    assert at.query_params["topic"] == "fishing"
    assert "非法捕捞" in at.title[0].value
    for sec in BY_ID["fishing"].sections:
        assert sec.title in headings(at)
    spans = table_with(at, "月均案件数")  # cases per month before, between and after the two bans
    assert spans["时段"].tolist() == ["重点水域禁捕前", "重点水域禁捕至长江全面禁捕前", "长江全面禁捕后"]
    assert spans["月数"].tolist()[1] == 12 and spans["案件数"].sum() > 0
    # no judgment records in this store: the record sections say so
    assert any("裁判文书记录" in i.value for i in at.info)
    assert any("规则" in c.value for c in at.caption)  # findings are said to be rule-based
    again = start(monkeypatch, small_store, {"topic": "fishing"})  # a shared link reopens the topic
    assert "非法捕捞" in again.title[0].value
    places = table_with(again, "区县")
    assert places["案件数"].sum() > 0
    bad = start(monkeypatch, small_store, {"topic": "nope"})  # unknown topic: the default one
    assert "建筑企业" in bad.title[0].value


def _line(fact: str, months: int, fine: float) -> str:
    return json.dumps({"fact": fact, "meta": {
        "accusation": ["非法捕捞水产品"], "relevant_articles": [340], "criminals": ["某"], "punish_of_money": fine,
        "term_of_imprisonment": {"imprisonment": months, "life_imprisonment": False, "death_penalty": False}}},
        ensure_ascii=False)


def test_fishing_with_judgment_records(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "with_records.duckdb"
    shutil.copy(small_store, db)
    con = open_store(db, read_only=False)
    J.import_jsonl(con, "\n".join([
        _line("2020年5月，被告人在江苏省南通市海门区某河道使用电瓶、逆变器电鱼。", 6, 0),
        _line("2021年3月，被告人在湖北省荆州市监利市长江禁捕水域放置地笼。", 0, 3000),
        _line("2019年7月，被告人在湖南省岳阳市君山区使用禁用网具捕捞。", 8, 1000),
    ]).encode("utf-8"))
    con.close()
    at = start(monkeypatch, db, {"topic": "fishing"})
    provinces = table_with(at, "省份")
    assert dict(zip(provinces["省份"], provinces["记录数"], strict=True)) == {"江苏省": 1, "湖北省": 1, "湖南省": 1}
    tools = table_with(at, "工具/方式")  # the local (南通) table comes first
    assert tools.set_index("工具/方式")["记录数"].to_dict()["电鱼/电捕"] == 1
    sentences = [d.value for d in at.dataframe if "指标" in d.value.columns]
    national = dict(zip(sentences[-1]["指标"], sentences[-1]["数值"], strict=True))
    assert national["记录数"] == "3" and national["判处罚金记录数"] == "2"  # shown formatted
    assert national["监禁刑平均刑期(月)"] == "7" and national["平均罚金(元)"] == "2,000"  # (6+8)/2; (3000+1000)/2
    assert len(at.get("deck_gl_json_chart")) == 2  # district map + province map


def test_bad_topic_file_is_reported(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(PROJECT_ROOT / "topics" / "fishing.toml", tmp_path / "fishing.toml")
    (tmp_path / "broken.toml").write_text('[topic]\ntitle = "坏"\n[[sections]]\ntype = "pie"\n', encoding="utf-8")
    monkeypatch.setenv("SHUZHU_TOPICS", str(tmp_path))
    at = start(monkeypatch, small_store)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "broken.toml" in errors[0] and "sections[0].type" in errors[0]
    assert "unknown section type" in errors[0] and "未知的栏目类型" in errors[0]
    assert "非法捕捞" in at.title[0].value  # the valid topic still works


NEW_TOPIC = """
[topic]
title = "劳动争议"
order = 3
focus_adcode = 320682
base_categories = ["民事"]
base_procedures = ["一审"]
summary = "一段说明。"

[selection]
causes = ["劳动争议", "追索劳动报酬纠纷"]
[selection.party]
side = "either"
kinds = ["企业"]
industries = ["制造业"]

[[sections]]
type = "trend"
freq = "month"
markers = [{ date = 2021-01-01, label = "新规施行" }]

[[sections]]
type = "mix"

[[sections]]
type = "map"

[[risks]]
id = "wage_rising"
title = "工资类纠纷上升"
kind = "rising"
measure = "count"
part = { causes = ["追索劳动报酬纠纷"] }
min_change = 0.10
min_cases = 10

[[sections]]
type = "risks"

[[recommendations]]
title = "建议一"
text = "内容。"
risk = "wage_rising"

[[sections]]
type = "recommendations"
"""


def test_a_new_topic_is_a_file_only(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's example topic (劳动争议) renders from its file alone, beside the shipped ones."""
    for f in (PROJECT_ROOT / "topics").glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "labour.toml").write_text(NEW_TOPIC, encoding="utf-8")
    monkeypatch.setenv("SHUZHU_TOPICS", str(tmp_path))
    at = start(monkeypatch, small_store, {"topic": "labour"})
    assert not at.error
    assert at.radio(key="tp_topic").options == ["建筑企业诉讼风险（海安）", "长江禁渔：非法捕捞水产品", "劳动争议"]
    assert "劳动争议" in at.title[0].value
    assert headings(at)[:5] == ["案件趋势", "纠纷类型构成", "各区县分布", "风险点（按规则排序）", "对策建议"]
    mix = table_with(at, "案由/罪名")
    assert set(mix["案由/罪名"]) <= {"劳动争议", "追索劳动报酬纠纷"} and mix["案件数"].sum() > 0
    assert {f"tp_labour_{i}_dl_csv" for i in range(5)} <= set(downloads(at))
