"""AppTest of pages/6_alerts.py: ranked alerts, map, month replay in the URL, status that survives a restart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics.alerts import detect
from analytics.alerts import status as S
from analytics.store import open_store
from ui import shell

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "6_alerts.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def store_and_month(small_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """A private copy of the small store (the page writes statuses) and a month with alerts."""
    path = tmp_path_factory.mktemp("alerts") / "alerts.duckdb"
    shutil.copy(small_store, path)
    con = open_store(path, read_only=False)
    months = detect.replay_months(con)
    month = next(m for m in months if not detect.month_alerts(con, m).empty)
    con.close()
    return path, month, months


@pytest.fixture()
def app(store_and_month, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(store_and_month[0]))
    return AppTest.from_file(PAGE, default_timeout=TIMEOUT)


def _alerts_table(at: AppTest):
    frames = [d.value for d in at.dataframe if "预警说明" in d.value.columns]
    assert frames, "no alert table"
    return frames[0]


def test_loads_with_ranked_alerts_map_and_no_party_names(app: AppTest, store_and_month) -> None:
    _, month, _ = store_and_month
    app.query_params["am"] = month
    app.run()
    assert not app.exception, app.exception
    assert "风险预警" in app.title[0].value
    table = _alerts_table(app)
    assert len(table) == int(app.metric[0].value) > 0
    assert table["排名"].tolist() == list(range(1, len(table) + 1))
    strength = table["强度"].dropna().tolist()
    assert strength == sorted(strength, reverse=True)
    assert table["审判运行"].str.startswith("/trial?").all() and table["密度地图"].str.startswith("/?").all()
    assert not {"party_key", "defendant_key", "plaintiff_key", "当事人"} & set(table.columns)
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    assert any(layer["id"] == "districts" for layer in deck["layers"])
    assert app.selectbox(key="al_month").value == month


def test_month_replay_is_kept_in_the_url(app: AppTest, store_and_month) -> None:
    _, _, months = store_and_month
    app.run()
    assert app.selectbox(key="al_month").value == months[0]
    assert "am" not in app.query_params  # the newest month is the default and is not written
    app.selectbox(key="al_month").set_value(months[7]).run()
    assert not app.exception
    assert app.query_params["am"] == [months[7]] or app.query_params["am"] == months[7]


def test_bad_month_in_url_warns_and_falls_back(app: AppTest, store_and_month) -> None:
    app.query_params["am"] = "1999-13"
    app.run()
    assert not app.exception
    assert any("invalid month" in w.value for w in app.warning)
    assert app.selectbox(key="al_month").value == store_and_month[2][0]


def test_status_change_survives_reopening_the_store(app: AppTest, store_and_month) -> None:
    path, month, _ = store_and_month
    app.query_params["am"] = month
    app.run()
    alert_id = app.selectbox(key="al_st_id").value
    app.selectbox(key="al_st_status").set_value("已核实")
    app.text_input(key="al_st_who").input("值班法官")
    app.text_input(key="al_st_note").input("已电话核实")
    app.button(key="al_st_save").click().run()
    assert not app.exception, app.exception
    assert "已核实" in _alerts_table(app)["状态"].tolist()
    # "Restart": drop the app's shared connection, reopen the file in a fresh connection.
    shell._connection.clear()
    shell._cached.clear()
    con = duckdb.connect(str(path))
    assert S.current_status(con, [alert_id]) == {alert_id: "已核实"}
    assert S.history(con, alert_id)["who"].tolist()[0] == "值班法官"
    con.close()
    again = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    again.query_params["am"] = month
    again.run()
    assert not again.exception
    table = _alerts_table(again)
    assert "已核实" in table["状态"].tolist()


def test_shared_district_filter_narrows_the_alerts(app: AppTest, store_and_month) -> None:
    from geodata import district_names

    app.query_params["am"] = store_and_month[1]
    app.run()
    before = int(app.metric[0].value)
    app.selectbox(key="f_district").set_value(320613).run()
    assert not app.exception
    after = _alerts_table(app)
    assert int(app.metric[0].value) == len(after) <= before
    assert all(district_names()[320613] in s for s in after["预警说明"])
