"""A 法院 user cannot get another court's cases out of any analytics entry point.

The entry points are found by signature, not listed by hand: every public function of the
``analytics`` package that takes a DuckDB connection and a ``CaseFilter``. A new one is covered
automatically; one whose parameters the test cannot supply fails here (add a provider below).

Each is called the way the page shell calls it, with ``restrict(flt, user)``, on the small store,
and compared with the same call on an oracle store that holds only the user's court's cases
(built from the generator's frame with pandas, sharing no code with the filters): a function that
ignored the court restriction would count or list the other courts' cases and differ. Case lists
are also checked row by row against the generator's frame, and the headline count against a
pandas recount. Filters tried: a plain one, and one asking for another court (as a hand-made URL
would). Parameters that select a court themselves (``court_code``) are tried with another court.

The second part runs every page of the navigation as a signed-in 法院 user (AppTest) and checks
that no table on it names another court, i.e. every page builds its filter through
``ui.shell.setup_page``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import itertools
import math
import pkgutil
import re
import shutil
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_SCALE
from streamlit.testing.v1 import AppTest

import analytics
import geodata
from analytics import auth, maps
from analytics.codes import COURTS
from analytics.filters import CaseFilter
from analytics.store import build_store, open_store
from seeds.generate import store_meta

ROOT = Path(__file__).resolve().parents[1]
OWN, OTHER = "苏0682", "苏0623"  # 如皋法院 (the user's), 如东法院
USER = auth.User("rugao", auth.Role.COURT, (OWN,))
START, END = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
FILTERS = {"plain": CaseFilter(2022, 2024), "asks_other_court": CaseFilter(2022, 2024, courts=(OTHER,))}

# City totals by design ("city totals for the rest", issue 15), documented where they are made:
# the 经济社会运行 index is computed per district from all cases and does not take the court
# filter; a topic's share has all base cases of the area as its denominator whatever the filter
# (analytics.topics.sections.share); the alerts are city-wide series by district and cause.
CITY_AGGREGATES = {("analytics.report.build_report", "kind", "index")}
CITY_TOTAL_COLUMNS = {
    "analytics.topics.sections.share": {"base_cases", "share", "ratio"},
    "analytics.topics.sections.district_counts": {"base_cases", "share"},
}
# Builders that assemble other entry points' results with city totals (alerts, shares): checked
# through their runner instead (every filter they pass on is the user's) and by scanning their
# text for other courts.
ASSEMBLERS = {"analytics.report.build_report"}


def _takes(fn: Callable[..., Any], kind: type) -> list[str]:
    try:
        hints = typing.get_type_hints(fn)
    except NameError:  # a type imported only for type checking (e.g. PySpark's, an optional extra):
        # match the annotations as text, so such a function is still found when it takes ``kind``
        raw = inspect.get_annotations(fn)
        return [p for p, t in raw.items() if p != "return"
                and re.search(rf"(?<![\w.]){kind.__name__}\b|\.{kind.__name__}\b", str(t))]
    return [p for p, t in hints.items() if p != "return" and kind in (typing.get_args(t) or (t,))]


def entry_points() -> list[Callable[..., Any]]:
    """Public functions of ``analytics`` whose first parameter is a connection and that take a filter."""
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(analytics.__path__, "analytics."):
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and _takes(fn, duckdb.DuckDBPyConnection) == params[:1] and _takes(fn, CaseFilter):
                found[f"{module.__name__}.{name}"] = fn
    return [found[k] for k in sorted(found)]


ENTRY_POINTS = entry_points()


def _id(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def test_the_enumeration_finds_the_known_entry_points() -> None:
    names = {_id(f) for f in ENTRY_POINTS}
    # A sample the enumeration must find (it is not the list the test runs on).
    for known in ("analytics.maps.headline", "analytics.indicators.drilldown.case_list",
                  "analytics.indicators.queries.summary", "analytics.topics.sections.repeat",
                  "analytics.report.build_report"):
        assert known in names
    assert len(names) >= 20


# --- what to pass: candidate values per parameter name (lists are tried in combination) --------


def _topics() -> list[Any]:
    from analytics.topics.config import load_topics

    return list(load_topics()[0])


def _kinds() -> list[str]:
    from analytics.report import available_kinds

    return list(available_kinds())


def _windows() -> list[Any]:
    from analytics.summary_map import Window

    return [[Window("all", START, END), Window("closed", START, END, closed=True)]]


REQUIRED: dict[str, Callable[[], list[Any]]] = {
    "start": lambda: [START],
    "end": lambda: [END],
    "population": lambda: [geodata.rate_population()],
    "names": lambda: [geodata.district_names()],
    "topic": _topics,
    "kind": _kinds,
    "rows": lambda: ["court_code", "cause"],
    "cols": lambda: [None, "court_code"],
    "windows": _windows,
    "periods": lambda: [[(START, END), (dt.date(2023, 1, 1), dt.date(2023, 12, 31))]],
    "district": lambda: [False, True],
    "by_adcode": lambda: [False, True],
}
# Optional parameters that select or break down by court: tried beyond their default.
OPTIONAL: dict[str, list[Any]] = {"by": [None, "court_code"], "court_code": [None, OTHER, OWN],
                                  "issued": [dt.date(2025, 1, 2)]}


def calls(fn: Callable[..., Any], as_of: dt.date) -> Iterator[dict[str, Any]]:
    """Keyword arguments (besides con and the filter) for every combination to try."""
    flt_params = _takes(fn, CaseFilter)
    choices: dict[str, list[Any]] = {}
    for i, (name, p) in enumerate(inspect.signature(fn).parameters.items()):
        if i == 0 or name in flt_params:
            continue
        if name == "as_of":
            choices[name] = [as_of]
        elif name in OPTIONAL:
            choices[name] = OPTIONAL[name]
        elif p.default is not inspect.Parameter.empty:
            continue
        elif name in REQUIRED:
            choices[name] = REQUIRED[name]()
        else:
            pytest.fail(f"{_id(fn)}: no value for parameter {name!r}; add a provider to this test")
    for combo in itertools.product(*choices.values()):
        yield dict(zip(choices, combo, strict=True))


def normalise(x: Any) -> Any:
    """A comparable form: frames as sorted rows of text, floats rounded, dataclasses as fields."""
    if isinstance(x, pd.DataFrame):
        df = x.reset_index(drop=True).copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(object)
            elif pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(9)
        rows = sorted(tuple(str(v) for v in r) for r in df.itertuples(index=False))
        return ("frame", tuple(map(str, df.columns)), tuple(rows))
    if isinstance(x, pd.Series):
        return normalise(x.to_frame())
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, tuple((f.name, normalise(getattr(x, f.name))) for f in dataclasses.fields(x)))
    if isinstance(x, dict):
        return tuple(sorted(((str(k), normalise(v)) for k, v in x.items()), key=lambda kv: kv[0]))
    if isinstance(x, list | tuple):
        return tuple(normalise(v) for v in x)
    if isinstance(x, np.generic):
        return normalise(x.item())
    if isinstance(x, float):
        return "nan" if math.isnan(x) else round(x, 9)
    return x


def _linked(cases: pd.DataFrame) -> pd.Series:
    """The user's court's cases and the cases that review them (appeals, retrials, enforcement of
    its judgments, at any court): the court's own 上诉率 and 改判发回率 count the appeals against
    its judgments, so the oracle store holds them too."""
    keep = cases["court_code"].astype(str) == OWN
    while True:
        more = keep | cases["origin_case_no"].isin(set(cases.loc[keep, "case_no"]))
        if more.sum() == keep.sum():
            return keep
        keep = more


@pytest.fixture(scope="module")
def stores(small_store: Path, small_cases: pd.DataFrame,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, dt.date]]:
    """(the small store, an oracle store with only the user's court's cases, the data date)."""
    folder = tmp_path_factory.mktemp("court_only")
    full_path = folder / "full.duckdb"
    shutil.copy(small_store, full_path)  # own copy: the app's cached connection may hold the original
    own = small_cases[_linked(small_cases)]
    assert 0 < len(own) < len(small_cases)
    only_path = build_store(folder / "own_court.duckdb", own, store_meta(0, SMALL_SCALE, len(own), 0.0))
    full, only = open_store(full_path, read_only=False), open_store(only_path, read_only=False)
    yield full, only, maps.data_as_of(full)
    full.close()
    only.close()


def _outcome(fn: Callable[..., Any], con: Any, param: str, flt: CaseFilter, kwargs: dict[str, Any]) -> Any:
    """The result without the city-total columns, or the kind of error (e.g. a topic without a party rule)."""
    try:
        out = fn(con.cursor(), **{param: flt}, **kwargs)
    except (AssertionError, ValueError, KeyError) as exc:
        return ("raised", type(exc).__name__)
    drop = CITY_TOTAL_COLUMNS.get(_id(fn), set())
    return out.drop(columns=[c for c in out.columns if c in drop]) if isinstance(out, pd.DataFrame) else out


def _check_assembler(fn: Callable[..., Any], con: Any, param: str, flt: CaseFilter,
                     kwargs: dict[str, Any]) -> None:
    passed: list[CaseFilter] = []

    def run(f: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        passed.extend(a for a in (*args, *kw.values()) if isinstance(a, CaseFilter))
        return f(con.cursor(), *args, **kw)

    out = fn(con.cursor(), **{param: flt}, **kwargs, run=run)
    assert passed, f"{_id(fn)}({kwargs}) called nothing with the filter"
    widened = [f for f in passed if not f.courts or not set(f.courts) <= {OWN}]
    assert not widened, f"{_id(fn)}({kwargs}) widened the court filter: {widened[:2]}"
    assert not _other_court_mentions(repr(out)), f"{_id(fn)}({kwargs}) names another court"


@pytest.mark.parametrize("fn", ENTRY_POINTS, ids=_id)
@pytest.mark.parametrize("which", list(FILTERS))
def test_entry_point_returns_only_the_users_court(fn: Callable[..., Any], which: str,
                                                  stores: tuple[Any, Any, dt.date],
                                                  small_cases: pd.DataFrame) -> None:
    full, only, as_of = stores
    flt = auth.restrict(FILTERS[which], USER)  # what ui.shell.setup_page hands every page
    assert flt.courts == (OWN,)
    (param,) = _takes(fn, CaseFilter)
    own_cases = set(small_cases.loc[small_cases["court_code"].astype(str) == OWN, "case_no"])
    tried = 0
    for kwargs in calls(fn, as_of):
        if any((_id(fn), k, v) in CITY_AGGREGATES for k, v in kwargs.items() if isinstance(v, str)):
            continue
        if _id(fn) in ASSEMBLERS:
            _check_assembler(fn, full, param, flt, kwargs)
            tried += 1
            continue
        got = _outcome(fn, full, param, flt, kwargs)
        want = _outcome(fn, only, param, flt, kwargs)
        assert normalise(got) == normalise(want), f"{_id(fn)}({kwargs}) counts cases of other courts"
        if isinstance(got, pd.DataFrame) and "case_no" in got.columns:  # a case list: row by row
            assert set(got["case_no"].astype(str)) <= own_cases, f"{_id(fn)}({kwargs}) lists other courts' cases"
        tried += 1
    assert tried


def test_headline_matches_a_pandas_recount(stores: tuple[Any, Any, dt.date], small_cases: pd.DataFrame) -> None:
    full, _only, as_of = stores
    head = maps.headline(full.cursor(), auth.restrict(FILTERS["asks_other_court"], USER), as_of)
    filed = pd.to_datetime(small_cases["filed_date"])
    want = int(((small_cases["court_code"].astype(str) == OWN) & filed.dt.year.between(2022, 2024)).sum())
    assert head.cases == want > 0


# --- every page, as a signed-in 法院 user ------------------------------------------------------

PW = "correct horse 42"
OTHER_COURTS = [c for c in COURTS if c.code != OWN]
_CASE_NO = re.compile(r"\(\d{4}\)(苏06\d{0,2})")  # the court code inside a case number


def _other_court_mentions(text: str) -> list[str]:
    hits = [n for c in OTHER_COURTS for n in (c.name, c.short) if n in text]
    return hits + [m for m in _CASE_NO.findall(text) if m != OWN]


def _pages() -> list[str]:
    from ui.shell import PAGES

    return [script for script, _label in PAGES if (ROOT / script).is_file()]


@pytest.fixture
def court_user_store(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "rugao", PW, "法院", [OWN])
    con.close()
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "accounts")
    return db


@pytest.mark.parametrize("script", _pages())
def test_court_user_sees_no_other_court_on_any_page(script: str, court_user_store: Path) -> None:
    at = AppTest.from_file(str(ROOT / script), default_timeout=120)
    at.query_params["court"] = OTHER  # a hand-made link asking for another court
    at.run()
    at.text_input(key="auth_name").input("rugao")
    at.text_input(key="auth_pw").input(PW)
    at.button[0].click()
    at.run()
    assert not at.exception, script
    if script.endswith("2_trial.py"):  # open the drill-down case list (one month)
        months = at.selectbox(key="trial_drill_month").options
        at.selectbox(key="trial_drill_month").set_value(months[-1]).run()
        assert not at.exception
        (cases,) = [df.value for df in at.dataframe if "案号" in df.value.columns]
        assert len(cases) > 0 and set(cases["法院"]) == {"如皋法院"}
        assert at.selectbox(key="trial_drill_court").options[1:] == ["如皋法院"]
    for ms in at.sidebar.multiselect:
        if ms.label == "法院":
            assert list(ms.options) == ["如皋法院"], script
    frames = [df.value for df in at.dataframe]
    texts = [df.to_csv(index=False) for df in frames if isinstance(df, pd.DataFrame)]
    texts += [m.value for m in at.markdown] + [t.value for t in at.title] + [c.value for c in at.caption]
    for text in texts:
        assert not _other_court_mentions(text), f"{script}: {_other_court_mentions(text)[:5]} in {text[:200]}"
