"""The Spark engine (analytics/engine): cubes built by PySpark local[2] equal DuckDB's, cell for cell.

A ~200k-case synthetic store (with a few planted data errors: cases closed before they were
filed) is exported to Parquet partitioned by year, the cubes are built by Spark from it, loaded
into a copy of the store, and every summary table is compared with the DuckDB build through Arrow
(sorted; doubles to 1e-9 relative). Then the map and trial pages run in AppTest on both stores and
must show the same figures, and a tampered cube proves the pages read the Spark-built tables. The
alert series and the index inputs read on the Spark-built tables equal their case-table reference.

Skips only where PySpark (or Java) is missing *and* CI is unset; in CI (`.ci/run` ->
scripts/test.sh, which installs both) a missing PySpark is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import summary, summary_trial
from analytics.engine import compare, export, load
from analytics.settings import load_settings
from analytics.store import build_store, open_store
from seeds.generate import generate_cases, store_meta

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.1202  # ~200k cases (1,664,062 at scale 1)
N_ERRORS = 40  # planted: closed before filed (summary_t_err, stocks)
TIMEOUT = 120

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

_HAVE_SPARK = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


def _need_spark() -> None:
    if not _HAVE_SPARK:
        if os.environ.get("CI"):
            pytest.fail("PySpark and Java are required in CI (scripts/test.sh installs them)")
        pytest.skip("PySpark or Java not installed (pip install -r requirements-spark.txt)")


# --- without Spark: the dialect layer and packaging ------------------------------------------------


def test_dialect_layer_translates_the_ingredient_language() -> None:
    from analytics.engine.spark_build import literal, spark_expr

    params = {"first": "一审", "mw": ["调解", "撤诉"], "n": 3, "q": "it's"}
    assert spark_expr("proc = $first AND list_contains($mw, outc)", params) == \
        "proc = '一审' AND array_contains(array('调解', '撤诉'), outc)"
    assert spark_expr("days > $n", params) == "days > 3"
    assert literal("it's") == "'it\\'s'"
    assert literal(None) == "NULL"
    with pytest.raises(KeyError):
        spark_expr("proc = $nope", params)
    # the known mistranslations are refused, never passed through
    for bad in ("quantile_cont(days, 0.5)", "median(days)", "percentile_cont(0.5)", "x::VARCHAR",
                "unnest(range(1, 3))", "enum_code(cause)"):
        with pytest.raises(ValueError):
            spark_expr(bad, params)


def test_every_shared_ingredient_is_in_the_portable_subset() -> None:
    from analytics.engine.spark_build import spark_expr
    from analytics.indicators.definitions import EVENT_INGREDIENTS

    for _col, _n, _p, sql in summary_trial.closed_measures():
        assert "$" not in spark_expr(sql)
    for _col, cond in EVENT_INGREDIENTS.values():
        assert "$" not in spark_expr(cond)
    for expr, cond, _ in summary_trial.quantile_groups():
        spark_expr(expr), spark_expr(cond)


def test_default_app_does_not_import_pyspark() -> None:
    code = ("import sys, analytics.engine, analytics.engine.export, analytics.engine.load, "
            "analytics.engine.compare, analytics.engine.spark_build, analytics.summary, analytics.settings; "
            "assert 'pyspark' not in sys.modules, 'pyspark imported'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr


def test_engine_setting(tmp_path: Path) -> None:
    assert load_settings({"SHUZHU_CONFIG": str(tmp_path / "none.toml")}).engine == "duckdb"
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text('[engine]\nkind = "spark"\nmaster = "spark://h:7077"\ncases = "/data/cases"\n', encoding="utf-8")
    st = load_settings({"SHUZHU_CONFIG": str(cfg)})
    assert (st.engine, st.spark_master, st.spark_cases) == ("spark", "spark://h:7077", "/data/cases")
    assert load_settings({"SHUZHU_CONFIG": str(cfg), "SHUZHU_ENGINE": "duckdb"}).engine == "duckdb"
    with pytest.raises(ValueError):
        load_settings({"SHUZHU_CONFIG": str(cfg), "SHUZHU_ENGINE": "hive"})


# --- the build: one Spark session and one 200k store for the module ------------------------------


@pytest.fixture(scope="module")
def spark():
    _need_spark()
    from analytics.engine import spark_build

    s = spark_build.session("local[2]", "shuzhu-test")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, spark) -> dict[str, Path]:
    """The DuckDB-built store, its Parquet export, and a copy serving the Spark-built cubes."""
    from analytics.engine import spark_build

    base = tmp_path_factory.mktemp("spark")
    df = generate_cases(scale=SCALE)
    closed = np.flatnonzero(df["closed_date"].notna().to_numpy())
    pick = np.random.default_rng(16).choice(closed, N_ERRORS, replace=False)
    col = df.columns.get_loc("closed_date")
    for i, p in enumerate(pick):  # closed before filed: the same month, and months earlier
        df.iat[p, col] = df["filed_date"].iloc[p] - timedelta(days=1 if i % 2 else 75)
    ref = base / "duckdb.duckdb"
    build_store(ref, df, store_meta(0, SCALE, len(df), 0.0))
    del df
    con = open_store(ref, read_only=False)
    try:
        manifest = export.export(con, base / "export")
    finally:
        con.close()
    out = spark_build.build(spark, str(base / "export" / export.CASES_DIR), str(base / "agg"))
    assert out["n_cases"] == manifest["n_cases"] and out["data_version"] == manifest["data_version"]
    sp = base / "spark.duckdb"
    shutil.copy(ref, sp)
    con = open_store(sp, read_only=False)
    try:
        load.load(con, base / "agg")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"duckdb": ref, "spark": sp, "export": base / "export", "agg": base / "agg"}


def test_export_is_partitioned_by_year(stores: dict[str, Path]) -> None:
    years = sorted(p.name for p in (stores["export"] / export.CASES_DIR).iterdir())
    assert years and all(y.startswith("year=") for y in years)
    con = duckdb.connect()
    (n,) = con.execute(
        f"SELECT count(*) FROM read_parquet('{stores['export']}/cases/*/*.parquet')").fetchone()  # type: ignore[misc]
    assert n > 150_000


def test_every_cube_equals_duckdb_cell_for_cell(stores: dict[str, Path]) -> None:
    a = open_store(stores["duckdb"], read_only=False)
    b = open_store(stores["spark"], read_only=False)
    try:
        assert compare.diff_stores(a, b) == []
        (errs,) = b.execute("SELECT sum(n) FROM summary_t_err").fetchone()  # type: ignore[misc]
        assert errs == N_ERRORS  # the planted data errors went through both engines
        assert summary.available(b)  # the freshness tag is valid: pages use the Spark-built cubes
        inf = summary.info(b)
        assert inf is not None and len(inf.cubes) == len(summary.CUBES)
        # the trial and days cubes, and the two index tables
        assert len(inf.trial_cubes) == len(summary_trial.TRIAL_CUBES) + len(summary_trial.DAYS_CUBES) + 2 == 7
        names = set(compare.summary_tables())  # the index inputs are compared too
        assert {"summary_i_counts", "summary_i_series"} <= names
    finally:
        a.close()
        b.close()


def test_periods_cut_inside_a_month_use_the_spark_built_detail(stores: dict[str, Path]) -> None:
    # the day-level detail tables were built by Spark and tagged with the loaded build: a period
    # ending inside a month (the real-data default view) is answered from them, as on DuckDB
    from datetime import date

    from analytics import indicators as ind
    from analytics.filters import CaseFilter
    from analytics.indicators import cubes

    a = open_store(stores["duckdb"], read_only=False)
    b = open_store(stores["spark"], read_only=False)
    try:
        s, e, flt = date(2024, 2, 10), date(2024, 11, 15), CaseFilter(2024, 2024)
        for con in (a, b):
            assert cubes.raw_ingredients(con, flt, [(s, e)], "court_code") is not None
        pd.testing.assert_frame_equal(ind.compare(a, flt, s, e), ind.compare(b, flt, s, e),
                                      check_exact=False, rtol=1e-12, atol=0)
        pd.testing.assert_frame_equal(ind.summary(a, flt, s, e, by="court_code"),
                                      ind.summary(b, flt, s, e, by="court_code"), check_exact=False, rtol=1e-12, atol=0)
    finally:
        a.close()
        b.close()


def test_compare_detects_a_changed_cell(stores: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    shutil.copy(stores["spark"], bad)
    a = open_store(stores["duckdb"], read_only=False)
    b = open_store(bad, read_only=False)
    try:
        b.execute("UPDATE summary_td_full SET n = n + 1 WHERE rowid = 7")
        b.execute("UPDATE summary_t_full SET enforcement_amount = enforcement_amount * 1.000001 "
                  "WHERE enforcement_amount > 0")
        diffs = compare.diff_stores(a, b)
        assert any(d.startswith("summary_td_full.n") for d in diffs)
        assert any(d.startswith("summary_t_full.enforcement_amount") for d in diffs)
    finally:
        a.close()
        b.close()


def test_loader_refuses_aggregates_of_other_data(stores: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    shutil.copy(stores["spark"], other)
    con = open_store(other, read_only=False)
    try:
        con.execute("UPDATE meta SET value = 'v2' WHERE key = 'data_version'")
        with pytest.raises(load.StaleAggregates):
            load.load(con, stores["agg"])
        assert not summary.available(con)  # and the old summary is stale for the guard too
    finally:
        con.close()


# --- the pages on Spark-built cubes show the same figures ------------------------------------------


def _page_figures(path: Path, page: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from app_support import headline
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SHUZHU_DB", str(path))
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric} or headline(at)  # the map page: its headline row
    figures = [f"{label}={value}" for label, value in shown.items()]
    figures += [d.value.to_csv() for d in at.dataframe]
    assert len(shown) >= 4
    return figures


@pytest.mark.parametrize("page", ["app.py", "pages/2_trial.py"])
def test_pages_show_the_same_figures(stores: dict[str, Path], page: str, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    on_duckdb = _page_figures(stores["duckdb"], page, monkeypatch)
    on_spark = _page_figures(stores["spark"], page, monkeypatch)
    assert on_spark == on_duckdb
    # the page really reads the (Spark-built) cubes: doubling their counts changes what it shows
    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(stores["spark"], tampered)
    con = open_store(tampered, read_only=False)
    try:
        for name in ([c.name for c in summary.CUBES if c.grain == "month"] if page == "app.py"
                     else [n for n, _ in summary_trial.TRIAL_CUBES]):
            con.execute(f"UPDATE {name} SET n = n * 2")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    from analytics.indicators import cubes

    clear = getattr(cubes, "clear_memo", None)  # periods kept in-process per build id: the copy keeps the id
    if clear is not None:
        clear()
    assert _page_figures(tampered, page, monkeypatch) != on_spark


def test_alert_series_read_the_spark_built_month_cube(stores: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """风险预警's input (first instances per district x cause x month) from the Spark-built cube.

    ``analytics.alerts.series.build_cube`` reads ``summary_m_full`` while the summary is current:
    on the store serving Spark's cubes it equals the case-table reference, reads no full scan of
    ``cases``, and doubling the loaded cube's counts doubles the series.
    """
    from analytics.alerts import series

    a = open_store(stores["duckdb"], read_only=False)
    b = open_store(stores["spark"], read_only=False)
    try:
        want = {p: series.build_cube(a, p, use_summary=False) for p in ("一审", "二审")}
        assert want["一审"].counts.sum() > 10_000

        def refuse(*_a: object, **_k: object) -> object:
            raise AssertionError("the case-table path was taken")

        monkeypatch.setattr(series, "_rows_cases", refuse)
        monkeypatch.setattr(series, "_period_cases", refuse)
        for p, cube in want.items():
            got = series.build_cube(b, p)
            assert got.months == cube.months
            pd.testing.assert_frame_equal(got.keys, cube.keys)
            assert np.array_equal(got.counts, cube.counts)
    finally:
        a.close()
        b.close()
    tampered = tmp_path / "doubled.duckdb"
    shutil.copy(stores["spark"], tampered)
    con = open_store(tampered, read_only=False)
    try:
        con.execute("UPDATE summary_m_full SET n = n * 2")
        assert np.array_equal(series.build_cube(con).counts, 2 * want["一审"].counts)
    finally:
        con.close()


def test_index_inputs_read_the_spark_built_tables(stores: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """经济社会运行评估's case counts (shipped configuration, yearly and quarterly, the repeat-defendant
    series included) from the Spark-built index tables equal the case-table reference."""
    from test_index_summary import spy_summary_scans

    from analytics.index import rates
    from analytics.index.config import load_config

    cfg = load_config()
    a = open_store(stores["duckdb"], read_only=False)
    b = open_store(stores["spark"], read_only=False)
    try:
        (k,) = b.execute("SELECT count(DISTINCT k) FROM summary_i_series").fetchone()  # type: ignore[misc]
        assert k > 0  # repeat defendants went through Spark
        answered = spy_summary_scans(monkeypatch)
        for year_from, quarterly in ((2016, False), (2020, True)):
            want = rates.case_counts(a, cfg, year_from, quarterly, use_summary=False)
            pd.testing.assert_frame_equal(rates.case_counts(b, cfg, year_from, quarterly), want)
        assert answered == [True] * 4
    finally:
        a.close()
        b.close()


# --- case-list drill-down on the engine that holds the cases ---------------------------------------

DRILL_FILTERS = [
    ("2024", {}),
    ("2024 two courts, civil", {"courts": ("苏0602", "苏0682"), "categories": ("民事",)}),
    ("2024 outcome 判决 or pending", {"outcomes": ("判决", "未结")}),
    ("2023-2024 one district", {"district": 320681}),
]


@pytest.mark.parametrize("name,kw", DRILL_FILTERS, ids=[n for n, _ in DRILL_FILTERS])
def test_spark_case_list_equals_duckdb(stores: dict[str, Path], spark, name: str, kw: dict) -> None:
    from datetime import date

    from analytics.engine import drill
    from analytics.filters import CaseFilter
    from analytics.indicators import drilldown

    drill.register_cases(spark, str(stores["export"] / export.CASES_DIR))
    flt = CaseFilter(2024, 2024, **kw)
    con = open_store(stores["duckdb"], read_only=False)
    try:
        s, e = date(2024, 1, 1), date(2024, 11, 15)
        for args, more in [((None, None, 300), {}), (("苏0602", None, 50), {"status": "closed"}),
                           ((None, "2024-03-01", 500), {"status": "pending_end"}),
                           ((None, None, 200), {"status": "pending_start"}), (("苏0682", "2024-11-01", 80), {})]:
            want = drilldown.case_list(con, flt, s, e, *args, **more)
            got = drill.case_list(spark, flt, s, e, *args, **more)
            assert len(want) > 0 or args != (None, None, 300), (name, args, more)  # the plain list has rows
            pd.testing.assert_frame_equal(got, want, obj=f"{name} {args} {more}")
    finally:
        con.close()


def test_trial_page_drills_down_on_the_cluster(stores: dict[str, Path], spark, monkeypatch: pytest.MonkeyPatch) -> None:
    # with the Spark engine configured, the case list comes from the Parquet case table via Spark
    # (the DuckDB store's cases are emptied for the check: the list cannot come from them)
    from streamlit.testing.v1 import AppTest

    def cases_shown(db: Path, env: dict[str, str]) -> pd.DataFrame:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("SHUZHU_DB", str(db))
        at = AppTest.from_file(str(ROOT / "pages/2_trial.py"), default_timeout=TIMEOUT)
        at.query_params["y"] = "2024-2024"
        at.run()
        at.selectbox(key="trial_drill_court").select("苏0602").run()
        assert not at.exception, at.exception
        return next(d.value for d in at.dataframe if "案号" in d.value.columns)

    from analytics.engine import drill
    from ui import trial_sections

    calls: list[tuple] = []
    real = drill.case_list

    def spy(*a: object, **k: object) -> pd.DataFrame:
        calls.append(a[1:])
        return real(*a, **k)  # type: ignore[arg-type]

    on_duckdb = cases_shown(stores["spark"], {"SHUZHU_ENGINE": "duckdb"})
    assert len(on_duckdb) > 0
    monkeypatch.setattr(drill, "case_list", spy)
    trial_sections._cluster_case_list.clear()
    on_cluster = cases_shown(stores["spark"], {"SHUZHU_ENGINE": "spark", "SHUZHU_SPARK_MASTER": "local[2]",
                                               "SHUZHU_SPARK_CASES": str(stores["export"])})
    assert len(calls) == 1  # asked of Spark once (then cached), not of DuckDB's cases
    pd.testing.assert_frame_equal(on_cluster, on_duckdb)
