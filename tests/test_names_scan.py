"""No name of a real party reaches a page or a download: after importing the CAIL judgment records
(../shared/data/cail2018), the text of the rendered pages and of every table offered for download
contains none of the names listed in those records (``meta.criminals``). Skips without ../shared."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import catalogue
from analytics import judgments as J

ROOT = Path(__file__).resolve().parent.parent
PAGES = (("app.py", {}), ("pages/5_judgments.py", {}), ("pages/7_topics.py", {"topic": "fishing"}),
         ("pages/7_topics.py", {"topic": "construction"}), ("pages/2_trial.py", {}), ("pages/6_alerts.py", {}),
         ("pages/9_catalogue.py", {}))


def _names(sample: Path) -> set[str]:
    out: set[str] = set()
    for raw in sample.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            out.update(n.strip() for n in json.loads(raw)["meta"].get("criminals", []) if len(n.strip()) >= 2)
    return out


@pytest.fixture
def judged_store(shared_dir: Path, small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[tuple[Path, set[str]]]:
    sample = shared_dir / "data" / "cail2018" / "cail2018_sample_train_3675.jsonl"
    if not sample.is_file():
        pytest.skip("CAIL sample not present")
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    J.import_jsonl(con, sample)
    con.close()
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.delenv("SHUZHU_ACCESS_MODE", raising=False)
    yield db, _names(sample)


def _text(node: Any) -> Iterator[str]:
    """Every piece of text an AppTest element tree holds (values, labels, table cells)."""
    for attr in ("value", "label", "body", "help", "options", "caption"):
        v = getattr(node, attr, None) if not isinstance(node, dict) else None
        if isinstance(v, str):
            yield v
        elif isinstance(v, pd.DataFrame):
            yield v.to_csv(index=False)
        elif isinstance(v, list | tuple):
            yield from (str(x) for x in v)
    for child in getattr(node, "children", {}).values() if hasattr(node, "children") else ():
        yield from _text(child)


def test_pages_and_downloads_show_no_party_name(judged_store: tuple[Path, set[str]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db, names = judged_store
    assert len(names) > 100  # the sample names thousands of defendants
    offered: list[pd.DataFrame] = []

    import ui.topic_sections
    import ui.trial_sections
    import ui.widgets

    original = ui.widgets.download_buttons

    def spy(ctx: Any, df: pd.DataFrame, *args: Any, **kwargs: Any) -> None:
        offered.append(df)
        original(ctx, df, *args, **kwargs)

    for module in (ui.widgets, ui.topic_sections, ui.trial_sections):
        monkeypatch.setattr(module, "download_buttons", spy)
    texts: list[str] = []
    for page, query in PAGES:
        at = AppTest.from_file(str(ROOT / page), default_timeout=180)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, (page, at.exception)
        texts.extend(_text(at._tree))
    texts.extend(df.to_csv(index=False) for df in offered)
    from ui.shell import _connection

    con = _connection(str(db)).cursor()
    for d in catalogue.datasets(True):
        if d.downloadable and d.id != "cases":
            texts.append(catalogue.download(con, d.id, "csv").decode("utf-8-sig"))
    blob = "\n".join(texts)
    # the scan saw the imported records' figures (a charge of the sample in a table) and downloads
    assert "故意伤害" in blob and any("罪名" in df.columns or "省份" in "".join(df.columns) for df in offered)
    found = sorted(n for n in names if n in blob)
    assert not found, found[:20]
