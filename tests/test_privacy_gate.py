"""The publication gate as wired into the app: tables, maps, figures and downloads for 外部 users.

The attacker is ``privacy.feasible_interval`` (a linear programme over the published cells and
totals), checked against tables built by hand; pages are driven with AppTest as a signed-in user.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

from analytics import audit, auth
from analytics.privacy import DisclosureRules, TableSpec, feasible_interval, gate_frame, infer_spec

ROOT = Path(__file__).resolve().parent.parent
PW = "correct horse 42"
RULES = DisclosureRules()


# --- the table gate (pure) --------------------------------------------------------------------

def _district_like() -> pd.DataFrame:
    # Hand-made: 4 districts; 乙 has 3 cases (primary), everything else >= 10.
    return pd.DataFrame({
        "区县": ["甲", "乙", "丙", "丁"],
        "案件数": [120, 3, 45, 60],
        "本期": [50, 2, 20, 30],
        "每万人案件数(年化)": [10.5, 0.4, 3.3, 7.7],
        "常住人口(2020)": [1_000_000, 80_000, 300_000, 500_000],
    })


def test_small_cell_is_shown_as_below_ten_and_its_rates_hidden() -> None:
    g = gate_frame(_district_like(), RULES)
    assert g.display.loc[1, "案件数"] == "<10" and g.display.loc[1, "本期"] == "<10"
    assert g.display.loc[1, "每万人案件数(年化)"] == "—"
    assert g.display.loc[1, "常住人口(2020)"] == 80_000  # public figure untouched
    assert g.display.loc[0, "区县"] == "甲"
    # secondary: 乙 alone hidden in a column with a published total would be total - the rest
    assert g.hidden["案件数"].sum() >= 2
    assert {s.reason for s in g.log} >= {"threshold", "secondary", "dependent"}


def test_nothing_recoverable_from_margins() -> None:
    """The attacker knows every published cell and all totals: each hidden count keeps an
    interval wider than the threshold (or reaching 0 and at least the threshold)."""
    df = pd.DataFrame({"name": list("ABCDE"), "x": [3, 40, 12, 55, 7], "y": [22, 1, 30, 18, 41]})
    g = gate_frame(df, RULES, TableSpec(counts=("x", "y")))
    values = df[["x", "y"]].to_numpy(dtype=float)
    ext = np.zeros((6, 3))
    ext[:5, :2] = values
    ext[:5, 2] = values.sum(axis=1)
    ext[5, :2] = values.sum(axis=0)
    ext[5, 2] = values.sum()
    mask = np.zeros_like(ext, dtype=bool)
    mask[:5, :2] = g.hidden[["x", "y"]].to_numpy()
    assert mask[0, 0] and mask[4, 0] and mask[1, 1]  # the primary cells 3, 7 and 1
    for i, j in zip(*np.nonzero(mask), strict=True):
        lo, hi = feasible_interval(ext, mask, (int(i), int(j)))
        assert hi - lo >= 1.0, (i, j, lo, hi)  # not determined
        assert lo < RULES.threshold <= hi or lo == 0.0, (i, j, lo, hi)


def test_total_row_is_a_margin() -> None:
    df = pd.DataFrame({"法院": ["A", "B", "C", "合计"], "n": [5, 30, 40, 75]})
    g = gate_frame(df, RULES, TableSpec(counts=("n",), total=("法院", "合计")))
    assert list(g.display["n"]) == ["<10", "<10", "40", "75"]  # 5 and its partner 30 hidden


def test_amount_sums_dominance_or_withheld() -> None:
    df = pd.DataFrame({"区": ["a", "b", "c"], "件数": [20, 30, 40], "标的额": [1000.0, 5000.0, 8000.0],
                       "最大": [950.0, 1000.0, 2000.0]})
    g = gate_frame(df, RULES, TableSpec(counts=("件数",), sums=("标的额",), largest=(("标的额", "最大"),)))
    # a: one party has 95% of its sum; b (the smallest other) hidden too, or a = total - b - c
    assert list(g.display["标的额"]) == ["—", "—", "8,000"]
    assert "最大" not in g.display.columns
    g2 = gate_frame(df.drop(columns="最大"), RULES, TableSpec(counts=("件数",), sums=("标的额",)))
    assert "标的额" not in g2.display.columns and g2.withheld == ("标的额",)


def test_inferred_spec_keeps_keys_and_years() -> None:
    df = pd.DataFrame({"年份": [2024], "区划代码": [320612], "件数": [4], "占比": [0.5], "名称": ["x"]})
    spec = infer_spec(df)
    assert spec.counts == ("件数",) and spec.dependent == ("占比",)


# --- pages as a signed-in 外部 user -------------------------------------------------------------

@pytest.fixture
def gov_store(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "gov", PW, "外部")
    auth.add_user(con, "admin", PW, "管理员")
    con.close()
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "accounts")
    return db


def _signed_in(page: str, name: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_pw").input(PW)
    at.button[0].click()
    return at.run()


def _audit(db: Path) -> pd.DataFrame:
    from ui.shell import _connection

    return audit.read(_connection(str(db)).cursor())


# A narrow filter so that some districts have fewer than 10 cases: one cause, one year.
NARROW = {"y": "2024-2024", "cause": "危险驾驶罪"}


def test_map_page_shows_below_ten_to_external_users(gov_store: Path) -> None:
    at = _signed_in("app.py", "gov", NARROW)
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert (table["案件数"] == "<10").sum() >= 2, table
    log = _audit(gov_store)
    assert ((log["用户"] == "gov") & (log["事件"] == "suppression")).any()


def test_trial_page_gates_tables_and_refuses_case_lists_by_url(gov_store: Path) -> None:
    at = _signed_in("pages/2_trial.py", "gov", {**NARROW, "c": "刑事"})
    assert not at.exception, at.exception
    courts = at.dataframe(key="trial_courts").value
    assert (courts.astype(str) == "<10").to_numpy().any(), courts
    # every court row with a hidden count shows no ratio computed from it
    for _, row in courts.iterrows():
        if (row.astype(str) == "<10").any():
            assert all(row[c] == "—" for c in courts.columns if c.endswith("(%)")), row
    # the drill-down asked for (a court chosen as a click or a shared session would) lists no case
    at.selectbox(key="trial_drill_court").select("苏0682")
    at.run()
    assert not at.exception
    assert any("外部用户只能查看汇总数据" in i.value for i in at.info)
    lists = [d.value for d in at.dataframe if "案号" in d.value.columns]
    assert lists and all(d.empty for d in lists)


def test_export_is_named_watermarked_gated_and_audited(gov_store: Path) -> None:
    """The download helper: user and time in the name, watermark first, gated, an audit row on click."""
    from ui import widgets

    at = _signed_in("app.py", "gov", NARROW)
    assert not at.exception
    before = len(_audit(gov_store))
    button = next(b for b in at.get("download_button") if b.label == "下载 CSV")
    button.click()
    at.run()
    log = _audit(gov_store)
    exports = log[(log["事件"] == "export")]
    assert len(log) > before and len(exports) == 1
    row = exports.iloc[0]
    assert row["用户"] == "gov" and row["页面"] == "案件密度地图" and row["行数"] == len(at.dataframe[-1].value)
    assert re.fullmatch(r"合成数据_区县案件_2024-2024_gov_\d{8}-\d{4}\.csv", row["内容"]), row["内容"]
    csv = widgets.watermarked_csv(pd.DataFrame({"区县": ["甲"], "案件数": ["<10"]}), audit.watermark("gov"))
    text = csv.decode("utf-8-sig").splitlines()
    assert text[0].startswith("内部资料 · 导出人：gov") and text[1] == "区县,案件数" and text[2] == "甲,<10"
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(widgets.watermarked_xlsx(pd.DataFrame({"n": [1]}), "内部资料 · x")))
    sheet = book.active
    assert sheet["A1"].value == "内部资料 · x" and sheet["A2"].value == "n" and sheet["A3"].value == 1
    assert book.properties.description == "内部资料 · x"


def test_index_page_hides_scores_built_on_small_cells(gov_store: Path) -> None:
    at = _signed_in("pages/3_index.py", "gov", {"y": "2024-2024"})
    assert not at.exception, at.exception
    detail = next(d.value for d in at.dataframe if "案件数" in d.value.columns and "得分" in d.value.columns)
    small = detail["案件数"] == "<10"
    assert small.any()
    assert (detail.loc[small, "得分"] == "—").all() and (detail.loc[small, "原始值"] == "—").all()
    # an admin sees the numbers
    admin = _signed_in("pages/3_index.py", "admin", {"y": "2024-2024"})
    full = next(d.value for d in admin.dataframe if "案件数" in d.value.columns and "得分" in d.value.columns)
    assert pd.api.types.is_integer_dtype(full["案件数"])
    primary = (full["案件数"] > 0) & (full["案件数"] < 10)
    assert (detail.loc[primary, "案件数"] == "<10").all() and small.sum() >= primary.sum()


def test_catalogue_release_for_external_users(gov_store: Path) -> None:
    from analytics import catalogue
    from ui.shell import _connection

    con = _connection(str(gov_store)).cursor()
    with pytest.raises(catalogue.ReleaseRefused):
        catalogue.download(con, "cases", "csv", protected=True)
    open_ = catalogue.frame(con, "index_results")
    gated = catalogue.frame(con, "index_results", protected=True)
    small = (open_["count"] > 0) & (open_["count"] < 10)
    assert small.any() and (gated.loc[small, "count"] == "<10").all() and (gated.loc[small, "raw"] == "—").all()
    csv = catalogue.download(con, "index_results", "csv", protected=True, mark="内部资料 · gov").decode("utf-8-sig")
    assert csv.splitlines()[0] == "内部资料 · gov" and "<10" in csv


def test_report_gate_hides_small_counts_in_tables_text_and_charts() -> None:
    from analytics.report.gate import protect
    from analytics.report.model import Figure, Paragraph, Report, Table

    rep = Report("trial", "报告")
    rep.add(Paragraph("本期新收案件 7 件，结案 1,234 件。"),
            Table("表1", ("法院", "新收", "结案率(%)"), (("甲", "5", "50.00"), ("乙", "40", "80.00"),
                                                     ("丙", "60", "90.00"), ("合计", "105", "85.71"))),
            Figure("图1", {"data": {"values": [{"m": "2024-01", "n": 3}, {"m": "2024-02", "n": 40}]}}),
            Figure("图2", {"data": {"values": [{"m": "2024-01", "n": 30}]}}))
    out, hidden = protect(rep)
    para, table, fig1, fig2 = out.blocks
    assert para.text == "本期新收案件 <10 件，结案 1,234 件。"
    assert table.rows[0] == ("甲", "<10", "—") and table.rows[1] == ("乙", "<10", "—")  # 5 and its partner
    assert table.rows[3] == ("合计", "105", "85.71")
    assert isinstance(fig1, Paragraph) and isinstance(fig2, Figure)
    assert hidden == 1 + 1 + 4  # one text count, one chart, two counts and two rates


def test_suppressed_district_is_grey_with_below_ten_and_no_figure() -> None:
    import json

    import geodata
    from ui import deck

    adcodes = list(geodata.district_names())
    stats = pd.DataFrame({"adcode": adcodes, "cases": [4, *range(100, 100 * len(adcodes), 100)],
                          "per_10k": [0.3] + [5.0] * (len(adcodes) - 1), "yoy": [0.5] + [0.1] * (len(adcodes) - 1)})
    spec, classes = deck.district_map(stats, "count", None, "同比", None, "s.json", (adcodes[0],), "<10")
    doc = json.loads(spec.to_json())
    layer = next(x for x in doc["layers"] if x["id"] == deck.DISTRICT_LAYER)
    props = {f["properties"]["adcode"]: f["properties"] for f in layer["data"]["features"]}
    hidden = props[adcodes[0]]
    assert hidden["fill"][:3] == list(deck.SUPPRESSED) and hidden["cases"] is None and hidden["per_10k"] is None
    assert hidden["l1"] == "案件 <10 件" and "0.3" not in json.dumps(hidden) and "50.0%" not in json.dumps(hidden)
    labels = next(x for x in doc["layers"] if x["id"] == "district_labels")["data"]
    assert any(row["t"].endswith("\n<10") for row in labels)
    assert len(classes.yb) == len(adcodes) - 1  # classes of the published districts only


@pytest.mark.parametrize(("page", "query"), [
    ("pages/6_alerts.py", {}),
    ("pages/7_topics.py", {"topic": "construction", "y": "2024-2024"}),
    ("pages/7_topics.py", {"topic": "fishing", "y": "2024-2024"}),
    ("pages/5_judgments.py", {}),
    ("pages/9_catalogue.py", {}),
    ("pages/8_report.py", {}),
])
def test_other_pages_run_gated_for_external_users(gov_store: Path, page: str, query: dict[str, str]) -> None:
    at = _signed_in(page, "gov", query)
    assert not at.exception, at.exception
    for df in (d.value for d in at.dataframe):
        for col in df.columns:
            values = pd.to_numeric(df[col], errors="coerce")
            # no count column shows a number between 1 and 9 where the gate printed "<10" elsewhere
            if (df[col].astype(str) == "<10").any():
                assert not ((values > 0) & (values < 10)).any(), (page, col)
    if page.endswith("6_alerts.py"):
        alerts = at.dataframe[0].value
        small = alerts["本月件数"].astype(str) == "<10"
        assert (alerts.loc[small, "预警说明"] == "—").all()
        assert not any("状态登记" in s.value for s in at.subheader)  # court staff only


def test_word_report_of_an_external_user_is_gated_watermarked_and_audited(gov_store: Path) -> None:
    import io

    import docx

    at = _signed_in("pages/8_report.py", "gov", {**NARROW, "c": "刑事"})
    at.button(key="rep_go").click().run()
    assert not at.exception, at.exception
    _request, _name, data = at.session_state["rep_file"]
    doc = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(p.text.startswith("内部资料 · 导出人：gov") for p in doc.paragraphs)
    assert "<10" in text + "".join(cells)
    assert not re.search(r"(?<![\d.,])[1-9]\s*件", text), "a small count in the drafted text"
    log = _audit(gov_store)
    assert ((log["事件"] == "suppression") & log["内容"].str.startswith("报告")).any()
    at.get("download_button")[0].click()
    at.run()
    log = _audit(gov_store)
    assert (log["事件"] == "export").any() and log.loc[log["事件"] == "export", "内容"].iloc[0].endswith(".docx")


def test_attacker_recovers_no_hidden_district_count_of_the_store(con: duckdb.DuckDBPyConnection) -> None:
    """The map's district table of a narrow filter, gated: with the city total published, the LP
    attacker cannot pin any hidden district's count."""
    import geodata
    from analytics import maps
    from analytics.filters import default_filter, load_options

    flt = default_filter(load_options(con)).with_(year_from=2024, year_to=2024, causes=("危险驾驶罪",))
    as_of = maps.data_as_of(con)
    stats = maps.district_stats(con, flt, geodata.rate_population(), as_of)
    table = maps.district_table(stats, geodata.district_names(), maps.unplaced_count(con, flt))
    g = gate_frame(table, RULES, TableSpec(counts=("案件数",), dependent=("每万人案件数(年化)",)))
    counts = table["案件数"].to_numpy(dtype=float)
    hidden = g.hidden["案件数"].to_numpy()
    assert ((counts > 0) & (counts < 10) <= hidden).all() and hidden.sum() != 1
    ext = np.zeros((len(counts) + 1, 2))
    ext[:-1, 0] = ext[:-1, 1] = counts
    ext[-1, :] = counts.sum()
    mask = np.zeros_like(ext, dtype=bool)
    mask[:-1, 0] = hidden
    mask[:-1, 1] = hidden  # the row total of a one-column table is the cell itself
    for i in np.nonzero(hidden)[0]:
        lo, hi = feasible_interval(ext, mask, (int(i), 0))
        assert hi - lo >= 1.0, (table.iloc[i, 1], lo, hi)


def test_a_filter_cannot_open_a_hidden_district(gov_store: Path) -> None:
    """Filtering to a district whose row is hidden (small, or the partner of a small one) shows
    no figure of it: on the map page and on the trial page (whose totals would reveal it)."""
    at = _signed_in("app.py", "gov", {**NARROW, "d": "320682"})
    assert not at.exception
    table = at.dataframe[-1].value
    assert table.loc[table["区县"] == "如皋", "案件数"].item() == "<10"
    figures = list(headline(at).values())
    assert figures[0] == "<10" and figures[3] == "—"
    trial = _signed_in("pages/2_trial.py", "gov", {**NARROW, "d": "320682"})
    assert not trial.exception
    assert any("按数据发布规则不公开本范围" in i.value for i in trial.info) and not trial.metric
    admin = _signed_in("pages/2_trial.py", "admin", {**NARROW, "d": "320682"})
    assert admin.metric  # administrators see the figures as before


def test_threshold_is_configurable(tmp_path: Path) -> None:
    from analytics.privacy import RulesError, load_rules

    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text("[privacy]\nthreshold = 5\n", encoding="utf-8")
    rules = load_rules({"SHUZHU_CONFIG": str(cfg)})
    assert rules.threshold == 5 and rules.hidden_label == "<5" and rules.dominance_k == 0.90
    g = gate_frame(pd.DataFrame({"k": ["a", "b", "c"], "n": [4, 6, 50]}), rules, TableSpec(counts=("n",)))
    assert list(g.display["n"]) == ["<5", "<5", "50"]  # 4 primary, 6 its partner
    assert load_rules({"SHUZHU_CONFIG": str(tmp_path / "none.toml")}) == DisclosureRules()
    cfg.write_text("[privacy]\nthreshold = 0\n", encoding="utf-8")
    with pytest.raises(RulesError, match="配置有误"):
        load_rules({"SHUZHU_CONFIG": str(cfg)})
