"""The committed sample: reproducible from the generator and importable without rejections."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analytics import importer
from analytics.store import open_store
from seeds import samples
from seeds.bootstrap import ensure_default_store


def test_committed_sample_is_what_the_generator_makes() -> None:
    assert samples.SAMPLE_PATH.read_bytes() == samples.sample_bytes()


# Columns the sample carries that can be empty (the rest are always filled).
_CARRIED = ("track", "closed_date", "outcome", "amount", "amount_recovered", "plaintiff_kind", "plaintiff_industry",
            "defendant_kind", "defendant_industry", "origin_case_no", "lon", "lat")


def test_sample_imports_without_rejections(small_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(small_store, db)
    sample = pd.read_csv(samples.SAMPLE_PATH, encoding="utf-8-sig")
    con = open_store(db, read_only=False)
    try:
        # Expected counts are derived from the store and the file, not from the importer. The
        # sample's case numbers all exist in the small store (same generator, other seed and
        # scale, so other content): remove the first 100 so that exactly those are inserted.
        con.execute("DELETE FROM cases WHERE case_no IN (SELECT unnest(?::VARCHAR[]))", [sample["案号"][:100].tolist()])
        before = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        stored = con.execute(f"SELECT case_no, {', '.join(_CARRIED)} FROM cases "
                             "WHERE case_no IN (SELECT unnest(?::VARCHAR[]))", [sample["案号"].tolist()]).df()
        result = importer.import_file(con, samples.SAMPLE_PATH.read_bytes(), "cases_sample.csv")
        after = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        again = importer.import_file(con, samples.SAMPLE_PATH.read_bytes(), "cases_sample.csv")
    finally:
        con.close()
    # Hand-derived rule (issue 9): a closing date beats none; otherwise the file's row wins only
    # if it leaves no carried column empty that the stored row has filled.
    mine = sample.rename(columns={v: k for k, v in samples.HEADERS.items()}).set_index("case_no")
    theirs = stored.set_index("case_no")
    mine = mine.loc[theirs.index, list(_CARRIED)]
    mine_closed, theirs_closed = mine["closed_date"].notna(), theirs["closed_date"].notna()
    loses = (theirs.notna() & mine.isna()).any(axis=1)
    kept = (theirs_closed & ~mine_closed) | (~(mine_closed & ~theirs_closed) & loses)
    assert not result.refused and result.rows == samples.SAMPLE_ROWS
    assert result.rejected == 0 and result.accepted == samples.SAMPLE_ROWS
    assert len(stored) == samples.SAMPLE_ROWS - 100
    assert result.inserted == 100 == after - before
    assert 0 < kept.sum() < len(stored)  # both outcomes exercised
    assert (result.kept, result.replaced, result.unchanged) == (kept.sum(), len(stored) - kept.sum(), 0)
    # The same file again: nothing new; what the store kept, it keeps.
    assert (again.inserted, again.replaced, again.kept) == (0, 0, result.kept)
    assert again.unchanged == samples.SAMPLE_ROWS - result.kept


def test_sample_has_export_headers_and_no_party_key() -> None:
    df = pd.read_csv(samples.SAMPLE_PATH, encoding="utf-8-sig")
    assert list(df.columns) == list(samples.HEADERS.values())
    assert "被告标识" not in df.columns


def test_default_store_is_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def fake_build(path: Path, progress: Callable[[float, str], None]) -> Path:
        calls.append(path)
        progress(1.0, "done")
        path.write_bytes(b"store")
        return path

    monkeypatch.setattr("seeds.bootstrap.build_default_store", fake_build)
    target = tmp_path / "data" / "shuzhu.duckdb"
    seen: list[str] = []
    ensure_default_store(target, lambda f, m: seen.append(m))
    ensure_default_store(target, lambda f, m: seen.append(m))  # second start: reused
    assert calls == [target] and seen == ["done"]


def test_imports_are_counted_in_the_store_metadata(small_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(small_store, db)
    con = open_store(db, read_only=False)
    try:
        result = importer.import_file(con, samples.SAMPLE_PATH.read_bytes(), "cases_sample.csv")
        again = importer.import_file(con, samples.SAMPLE_PATH.read_bytes(), "cases_sample.csv")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()
    assert again.inserted == again.replaced == 0  # idempotent: nothing counted twice
    assert int(meta["imported_rows"]) == result.inserted + result.replaced
    assert meta["dataset"] == "synthetic" and meta["last_import"]
