"""Tests of analytics.judgments: place and year parsing, import of CAIL-format JSON lines, and the
summaries; the CAIL2018 sample in ../shared is used when present (skipped otherwise)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from analytics import judgments as J

CAIL_TRAIN = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cail2018" / "cail2018_sample_train_3675.jsonl"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京市通州区人民检察院指控：被告人在本市通州区潞城镇", ("北京市", "北京市", "通州区")),
        ("江苏省南通市通州区人民检察院指控，被告人在通州区金沙镇", ("江苏省", "南通市", "通州区")),
        ("被告人在南通市崇川区某路盗窃", ("江苏省", "南通市", "崇川区")),
        ("被告人在海门市三厂镇", ("江苏省", "南通市", "海门市")),
        ("上海市浦东新区某路", ("上海市", "上海市", "浦东新区")),
        ("经审理查明，被告人在长沙市开福区某村", ("湖南省", "长沙市", "开福区")),
        ("浙江省人民检察院指控，被告人在杭州市西湖区", ("浙江省", "杭州市", "西湖区")),
        ("被告人在江苏省某地作案", ("江苏省", None, None)),
    ],
)
def test_place_of_offence_from_full_names(text: str, expected: tuple[str | None, ...]) -> None:
    p = J.parse_place(text)
    assert (p.province, p.city, p.county) == expected


@pytest.mark.parametrize(
    "text",
    [
        "被告人在海门镇作案",  # 汕头 海门镇, not 南通 海门
        "被告人在通州区某镇作案",  # 北京 or 南通 通州区: not guessed
        "被告人在海安作案",
        "被告人在某地作案",
        "",
    ],
)
def test_bare_or_ambiguous_names_are_not_guessed(text: str) -> None:
    assert J.parse_place(text) == J.Place()


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2016年3月，被告人", 2016),
        ("公诉机关指控：2014 年 12 月 24 日", 2014),
        ("二〇一六年三月五日，被告人", 2016),
        ("被告人于1969年出生, 2011年9月8日作案", 2011),  # 1969 is outside the plausible range
        ("被告人多次作案", None),
    ],
)
def test_offence_year(text: str, year: int | None) -> None:
    assert J.offence_year(text) == year


def _record(
    charges: list[str],
    months: int,
    fine: int = 0,
    life: bool = False,
    death: bool = False,
    fact: str = "江苏省南通市崇川区人民检察院指控，2016年3月，被告人在南通市崇川区某路盗窃。",
) -> dict:
    return {
        "fact": fact,
        "meta": {
            "relevant_articles": [264],
            "accusation": charges,
            "punish_of_money": fine,
            "criminals": ["张某"],
            "term_of_imprisonment": {
                "death_penalty": death,
                "imprisonment": months,
                "life_imprisonment": life,
            },
        },
    }


def _jsonl(records: list[dict]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")


SMALL = [
    _record(["盗窃"], 6, 1000),
    _record(["盗窃"], 6, 1000),  # identical line: a distinct record, kept
    _record(
        ["盗窃", "诈骗"],
        12,
        3000,
        fact="浙江省杭州市西湖区人民检察院指控，2015年，被告人在杭州市西湖区诈骗。",
    ),
    _record(["故意杀人"], 0, death=True, fact="某地人民检察院指控，被告人杀人。"),
    _record(["故意杀人"], 0, life=True, fact="江苏省苏州市姑苏区人民检察院指控。"),
]


def test_import_small_file_and_summaries() -> None:
    con = duckdb.connect()
    res = J.import_jsonl(con, _jsonl(SMALL) + b"\nnot json\n" + json.dumps({"fact": "x"}).encode())
    assert (res.lines, res.inserted, res.duplicates) == (7, 5, 0)
    assert [n for n, _ in res.bad] == [6, 7]  # line numbers in the file
    assert all(p.zh and p.en for _, p in res.bad)
    again = J.import_jsonl(con, _jsonl(SMALL))
    assert (again.inserted, again.duplicates) == (0, 5)

    prov = J.by_province(con).set_index("province")["records"].to_dict()
    assert prov == {"江苏省": 3, "浙江省": 1, J.UNKNOWN_PLACE: 1}
    assert list(J.by_province(con)["province"])[-1] == J.UNKNOWN_PLACE
    assert J.by_province(con, charge="诈骗")["records"].tolist() == [1]
    city = J.by_city(con).set_index("city")["records"].to_dict()
    assert city == {"南通市": 2, "苏州市": 1}
    assert J.by_city(con, charge="故意杀人")["city"].tolist() == ["苏州市"]
    assert J.by_city(con)["share"].sum() == pytest.approx(1.0)

    stats = J.sentence_stats(con).set_index("charge")
    assert stats.loc["盗窃", "records"] == 3
    assert stats.loc["盗窃", "mean_months"] == pytest.approx(8.0)
    assert stats.loc["盗窃", "median_months"] == pytest.approx(6.0)
    assert stats.loc["盗窃", "mean_fine"] == pytest.approx(5000 / 3)
    assert (stats.loc["故意杀人", "records"], stats.loc["故意杀人", "fixed_term_records"]) == (2, 0)
    assert (stats.loc["故意杀人", "life"], stats.loc["故意杀人", "death"]) == (1, 1)
    assert J.sentence_stats(con, "诈骗")["charge"].tolist() == ["诈骗"]
    assert J.charges(con)["charge"].tolist()[0] == "盗窃"
    years = dict(con.execute("SELECT offence_year, count(*) FROM judgments GROUP BY 1").fetchall())
    assert years == {2016: 2, 2015: 1, None: 2}


def test_summaries_without_a_table_are_empty() -> None:
    con = duckdb.connect()
    assert J.by_province(con).empty and J.by_city(con).empty
    assert J.sentence_stats(con).empty and J.charges(con).empty
    assert not J.has_table(con)


def test_import_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(_jsonl(SMALL[:2]))
    con = duckdb.connect()
    assert J.import_jsonl(con, path).inserted == 2
    assert con.execute("SELECT DISTINCT source FROM judgments").fetchall() == [("records.jsonl",)]


@pytest.fixture(scope="module")
def cail() -> tuple[duckdb.DuckDBPyConnection, list[dict]]:
    if not CAIL_TRAIN.is_file():
        pytest.skip(f"CAIL2018 sample not present at {CAIL_TRAIN}")
    records = [json.loads(line) for line in CAIL_TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    con = duckdb.connect()
    J.import_jsonl(con, CAIL_TRAIN)
    return con, records


def test_cail_sample_charge_counts_match_the_file(cail: tuple[duckdb.DuckDBPyConnection, list[dict]]) -> None:
    con, records = cail
    expected = Counter(c for r in records for c in r["meta"]["accusation"])
    got = J.sentence_stats(con).set_index("charge")["records"].to_dict()
    assert got == dict(expected)
    assert J.by_province(con)["records"].sum() == len(records)


def test_cail_sample_mean_imprisonment_matches_the_file(
    cail: tuple[duckdb.DuckDBPyConnection, list[dict]],
) -> None:
    con, records = cail
    months: dict[str, list[int]] = {}
    for r in records:
        term = r["meta"]["term_of_imprisonment"]
        if term["life_imprisonment"] or term["death_penalty"]:
            continue
        for c in r["meta"]["accusation"]:
            months.setdefault(c, []).append(term["imprisonment"])
    stats = J.sentence_stats(con).set_index("charge")
    for charge, values in months.items():
        assert stats.loc[charge, "mean_months"] == pytest.approx(statistics.fmean(values)), charge
        assert stats.loc[charge, "fixed_term_records"] == len(values)
    theft = J.sentence_stats(con, "盗窃")
    assert theft["mean_months"].iloc[0] == pytest.approx(statistics.fmean(months["盗窃"]))


def test_cail_sample_places(cail: tuple[duckdb.DuckDBPyConnection, list[dict]]) -> None:
    con, records = cail
    js = J.by_city(con, "江苏省").set_index("city")["records"]
    assert js.sum() == J.by_province(con).set_index("province").loc["江苏省", "records"]
    assert "南通市" in js.index
    # Beijing's 通州 must not be counted as Nantong's.
    beijing = sum(r["fact"].startswith("北京市通州区") for r in records)
    assert beijing > 0
    got = con.execute(
        "SELECT province, city, count(*) FROM judgments WHERE starts_with(fact, '北京市通州区') GROUP BY ALL"
    ).fetchall()
    assert got == [("北京市", "北京市", beijing)]


def test_place_parsing_works_without_pkg_resources() -> None:
    # setuptools 81+ no longer ships pkg_resources, which cpca 0.5.5 imports; run in a fresh
    # interpreter where importing it fails.
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'pkg_resources': raise ImportError('hidden')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from analytics import judgments as J\n"
        "p = J.parse_place('江苏省南通市崇川区某路')\n"
        "assert (p.province, p.city, p.county) == ('江苏省', '南通市', '崇川区'), p\n"
        "assert 'pkg_resources' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
