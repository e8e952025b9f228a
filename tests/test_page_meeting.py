"""AppTest of the meeting mode page (pages/0_meeting.py)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

from analytics import maps
from analytics.filters import CaseFilter

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "0_meeting.py")


@pytest.fixture
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["y"] = "2024"
    at.query_params["yr"] = "2023"
    return at.run()


def test_map_slide_shows_the_year_of_the_link_with_its_figures(app: AppTest, small_store: Path) -> None:
    assert not app.exception
    assert app.title[0].value.endswith("案件分布")
    from ui.shell import _connection  # the app's own connection (one per store and process)

    con = _connection(str(small_store)).cursor()
    head = maps.headline(con, CaseFilter(2023, 2023), maps.data_as_of(con))
    values = headline(app)  # the headline row (ui.widgets.figures), not st.metric
    assert values["新收案件"] == f"{head.cases:,}"  # the year from the link (yr=2023), all cases
    assert list(values)[2:] == ["已结案比例", "所选期间立案、至今未结"] and not app.metric
    assert any("2023年" in md.value for md in app.markdown)


def test_next_slide_shows_the_trial_indicators(app: AppTest) -> None:
    app.button(key="mt_next").click().run()
    assert not app.exception
    assert app.query_params["s"] in ("1", ["1"])
    assert app.title[0].value.endswith("审判执行")
    assert len(app.metric) == 6
    assert app.button(key="mt_prev").disabled is False


def _slide(small_store: Path, monkeypatch: pytest.MonkeyPatch, s: int, **params: str) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params["y"] = "2024"
    at.query_params["s"] = str(s)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_alerts_slide_shows_the_latest_months_strongest_alerts(small_store: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.alerts import detect
    from analytics.alerts.config import load_alert_config
    from ui.shell import _connection

    con = _connection(str(small_store)).cursor()
    cfg = load_alert_config()
    months = detect.replay_months(con, cfg)
    at = _slide(small_store, monkeypatch, 2)  # the latest month
    assert not at.exception
    assert at.title[0].value.endswith("风险预警")
    values = {m.label: m.value for m in at.metric}
    assert values["本月预警"] == str(len(detect.month_alerts(con, months[0], cfg)))
    # A month replayed from the alerts page's link (am): the one with most alerts.
    latest = max(months[:24], key=lambda m: len(detect.month_alerts(con, m, cfg)))
    alerts = detect.month_alerts(con, latest, cfg)  # the link has no district or cause filter: all
    assert len(alerts) >= 2  # else the order below proves nothing
    at = _slide(small_store, monkeypatch, 2, am=latest)
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["本月预警"] == str(len(alerts))
    assert values["其中突增"] == str(int((alerts["kind"] == "surge").sum()))
    table = next(md.value for md in at.markdown if "meeting-list" in md.value)
    shown = [s for s in alerts["sentence"] if html.escape(s) in table]
    assert shown == list(alerts["sentence"][:4])  # at most four, the strongest first
    assert [table.index(html.escape(x)) for x in shown] == sorted(table.index(html.escape(x)) for x in shown)
    assert f"{int(latest[:4])}年{int(latest[5:])}月" in "".join(md.value for md in at.markdown)


def test_index_slide_ranks_the_districts_by_composite_score(small_store: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.index.assess import assess
    from geodata import district_names
    from ui.shell import _connection

    at = _slide(small_store, monkeypatch, 3)
    assert not at.exception
    assert at.title[0].value.endswith("经济社会运行")
    assert at.button(key="mt_next").disabled  # the last slide
    comp = assess(_connection(str(small_store)).cursor(), 2024, "equal").composite
    comp = comp[comp["adcode"] != 0].dropna(subset=["score"])
    names = district_names()
    want = [names[int(a)] for a in comp.sort_values("score", ascending=False)["adcode"]]
    table = next(md.value for md in at.markdown if "meeting-list" in md.value)
    positions = {n: table.index(f"<td class='what'>{n}</td>") for n in want}
    assert sorted(want, key=positions.get) == want  # highest score (lowest risk) first
    assert f"{comp['score'].max():.1f}" in table
    assert any(m.label == "全市综合指数" for m in at.metric)


def test_buttons_step_through_all_four_slides(app: AppTest) -> None:
    titles = []
    for _ in range(3):
        app.button(key="mt_next").click().run()
        assert not app.exception
        titles.append(app.title[0].value.split(" · ")[-1])
    assert titles == ["审判执行", "风险预警", "经济社会运行"]
    assert app.button(key="mt_next").disabled
    app.button(key="mt_prev").click().run()
    assert app.title[0].value.endswith("风险预警")


def test_external_user_sees_no_small_alert_and_no_district_ranking(small_store: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import duckdb

    from analytics import auth
    from analytics.alerts import detect
    from analytics.alerts.config import load_alert_config
    from analytics.store import open_store

    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "gov", "correct horse 42", "外部")
    con.close()
    con = open_store(db, read_only=False)
    cfg = load_alert_config()
    months = detect.replay_months(con, cfg)[:24]
    month = next(m for m in months if (detect.month_alerts(con, m, cfg)["observed"] < 10).any()
                 and (detect.month_alerts(con, m, cfg)["observed"] >= 10).any())
    alerts = detect.month_alerts(con, month, cfg)
    con.close()
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "accounts")
    at = _slide(db, monkeypatch, 2, am=month)
    at.text_input(key="auth_name").input("gov")
    at.text_input(key="auth_pw").input("correct horse 42")
    at.button[0].click()
    at.run()
    assert not at.exception
    table = next(md.value for md in at.markdown if "meeting-list" in md.value)
    small, large = alerts[alerts["observed"] < 10], alerts[alerts["observed"] >= 10]
    assert not [x for x in small["sentence"] if html.escape(x) in table]
    assert [x for x in large["sentence"][:4] if html.escape(x) in table] == list(large["sentence"][:4])
    assert {m.label: m.value for m in at.metric}["本月预警"] == str(len(large))
    assert any(f"{len(small)} 条预警件数少于 10" in md.value for md in at.markdown)
    at.button(key="mt_next").click().run()  # the index slide
    assert not at.exception and at.title[0].value.endswith("经济社会运行")
    assert not [md for md in at.markdown if "meeting-list" in md.value]
    assert {m.label for m in at.metric} == {"全市综合指数", "样本不足的指数格"}
