"""AppTest for the map page: loads, every shared filter changes the figures, the URL round-trips."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

from analytics import maps
from analytics.filters import CaseFilter
from ui import shell

TIMEOUT = 90
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def app(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    return at


def _headline(at: AppTest) -> list[str]:
    """The values of the headline row, in page order."""
    return list(headline(at).values())


def _figures(at: AppTest) -> tuple[str, ...]:
    """Every headline figure plus the district table: what a filter change must move."""
    table = at.dataframe[0].value.to_csv() if at.dataframe else ""
    return (*_headline(at), table)


def _deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_loads_with_map_metrics_and_synthetic_notice(app: AppTest) -> None:
    app.run()
    assert not app.exception
    figures = headline(app)
    assert not app.metric  # no st.metric: its chunk loads late (ui.widgets.figures)
    assert list(figures) == ["全市 新收案件", "2025年 同比", "已结案比例", "所选期间立案、至今未结"]
    assert figures["2025年 同比"].endswith("%")
    assert int(_headline(app)[0].replace(",", "")) > 0
    deck = _deck(app)
    ids = [layer["id"] for layer in deck["layers"]]
    assert "districts" in ids and "district_labels" in ids
    assert deck["mapStyle"] == "app/static/blank-style.json"  # no public basemap
    assert any("合成" in i.value for i in app.info)


@pytest.mark.parametrize(
    ("key", "kind", "value"),
    [
        (shell.W_YEARS, "slider", (2019, 2021)),
        (shell.W_CAT, "multiselect", ["刑事"]),
        (shell.W_GRP, "multiselect", ["合同、准合同纠纷"]),
        (shell.W_CAUSE, "multiselect", ["危险驾驶罪"]),
        (shell.W_COURT, "multiselect", ["苏0682"]),
        (shell.W_PROC, "multiselect", ["二审"]),
        (shell.W_OUT, "multiselect", ["调解"]),
        (shell.W_DISTRICT, "selectbox", 320623),
    ],
)
def test_every_filter_changes_the_figures(app: AppTest, key: str, kind: str, value: object,
                                         con: duckdb.DuckDBPyConnection) -> None:
    app.run()
    before = _figures(app)
    getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception
    assert _figures(app) != before
    assert app.query_params  # the change is written to the URL
    # the new headline is exactly what analytics computes for the filter the widgets now hold
    years = app.slider(key=shell.W_YEARS).value
    district = app.selectbox(key=shell.W_DISTRICT).value
    flt = CaseFilter(
        year_from=years[0], year_to=years[1],
        categories=tuple(app.multiselect(key=shell.W_CAT).value),
        cause_groups=tuple(app.multiselect(key=shell.W_GRP).value),
        causes=tuple(app.multiselect(key=shell.W_CAUSE).value),
        courts=tuple(app.multiselect(key=shell.W_COURT).value),
        procedures=tuple(app.multiselect(key=shell.W_PROC).value),
        outcomes=tuple(app.multiselect(key=shell.W_OUT).value),
        district=None if district == shell.ALL_DISTRICTS else district,
    )
    want = maps.headline(con, flt, date.today())  # cases and pending do not depend on the date
    assert int(_headline(app)[0].replace(",", "")) == want.cases
    assert int(_headline(app)[3].replace(",", "")) == want.pending


def test_url_reopens_the_same_view(app: AppTest) -> None:
    app.query_params.update({"y": "2019-2021", "cat": "刑事", "court": "苏0682,苏0602", "d": "320682",
                             "metric": "rate", "hex": "1"})
    app.run()
    assert not app.exception
    assert app.slider(key=shell.W_YEARS).value == (2019, 2021)
    assert app.multiselect(key=shell.W_CAT).value == ["刑事"]
    assert app.multiselect(key=shell.W_COURT).value == ["苏0682", "苏0602"]
    assert app.selectbox(key=shell.W_DISTRICT).value == 320682
    assert app.radio(key="m_metric").value == "rate"
    assert "hex" in [layer["id"] for layer in _deck(app)["layers"]]
    assert "如皋" in app.title[0].value or any("如皋" in s.value for s in app.subheader)
    # The filter widgets sit behind the sidebar's filter button; the filter in force is written under it.
    (popover,) = app.sidebar.get("popover")
    assert popover.proto.popover.label == "筛选 / Filters"
    assert popover.multiselect(key=shell.W_CAT).value == ["刑事"]  # the widgets are inside it
    assert app.sidebar.caption[0].value == "立案年度 2019–2021年；案件类别：刑事；法院：如皋法院、崇川法院；区县：如皋"


def test_enforcement_with_a_civil_cause_reopens_unpruned(app: AppTest) -> None:
    # 执行 cases carry their judgment's civil cause; the sidebar must keep that cause and its
    # group when the category is 执行 (and with 民事 + 执行 together).
    app.query_params.update({"cat": "民事,执行", "grp": "合同、准合同纠纷", "cause": "买卖合同纠纷"})
    app.run()
    assert not app.exception and not app.warning
    assert app.multiselect(key=shell.W_CAT).value == ["民事", "执行"]
    assert app.multiselect(key=shell.W_GRP).value == ["合同、准合同纠纷"]
    assert app.multiselect(key=shell.W_CAUSE).value == ["买卖合同纠纷"]
    app.multiselect(key=shell.W_CAT).set_value(["执行"]).run()
    assert app.multiselect(key=shell.W_CAUSE).value == ["买卖合同纠纷"]
    assert "买卖合同纠纷" in app.multiselect(key=shell.W_CAUSE).options


@pytest.mark.parametrize("params", [{"y": "abc"}, {"court": "苏9999"}, {"d": "nope"}, {"cat": "%%%"}])
def test_bad_url_warns_and_falls_back(app: AppTest, params: dict) -> None:
    app.query_params.update(params)
    app.run()
    assert not app.exception
    assert app.warning and "/" in app.warning[0].value
    assert int(_headline(app)[0].replace(",", "")) > 0


def test_metric_toggle_recolours_and_hexagons_are_aggregated(app: AppTest) -> None:
    app.run()
    legend_before = [m.value for m in app.markdown if "案件数" in m.value]
    app.radio(key="m_metric").set_value("rate").run()
    legend_after = [m.value for m in app.markdown if "每万人" in m.value]
    assert legend_after and legend_after != legend_before
    app.toggle(key="m_hex").set_value(True).run()
    hex_layer = next(layer for layer in _deck(app)["layers"] if layer["id"] == "hex")
    assert hex_layer["@@type"] == "H3HexagonLayer"
    assert set(hex_layer["data"][0]) == {"h3", "n", "c"}  # cells and counts, never points
    assert sum(d["n"] for d in hex_layer["data"]) <= int(_headline(app)[0].replace(",", ""))


def test_reset_restores_defaults(app: AppTest) -> None:
    app.run()
    default = _figures(app)
    app.multiselect(key=shell.W_CAT).set_value(["刑事"]).run()
    app.button(key="f_reset").click().run()
    assert not app.exception
    assert _figures(app) == default


def _magic_lines(source: str) -> list[int]:
    """Lines Streamlit's "magic" would write to the page: a bare value that is not a call (a
    name, a literal, an f-string, an expression) and not a docstring."""
    import ast

    tree = ast.parse(source)
    docstrings = {id(b[0]) for b in [tree.body, *(n.body for n in ast.walk(tree) if isinstance(
        n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))] if b}
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Expr) and id(n) not in docstrings
            and not isinstance(n.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom)]


def test_no_page_relies_on_magic() -> None:
    # .streamlit/config.toml turns magic off: a bare value in a page would silently draw nothing.
    assert _magic_lines('"""doc"""\nx = 1\nx\nst.write(x)\nf"{x}"\ndef f():\n    """doc"""\n    x\n') == [3, 5, 8]
    pages = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert {p.name: _magic_lines(p.read_text(encoding="utf-8")) for p in pages} == {p.name: [] for p in pages}
