"""The import command line while the app serves (issue 10): write a copy, swap it in, app reopens.

Two processes: the test process holds the store open for writing as the app's shared connection
does, and ``shuzhu_import.py`` runs in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import store

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "案号,立案日期,案由\n(2025)苏0682民初900001号,2025-03-01,买卖合同纠纷\n"
    "(2025)苏0682民初900002号,2025-03-02,离婚纠纷\n"
)


@pytest.fixture
def db(tmp_path: Path, small_cases: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHUZHU_SECRET_FILE", str(tmp_path / ".secret"))
    path = tmp_path / "s.duckdb"
    store.build_store(path, small_cases.iloc[:3000], {"dataset": "test"})
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "shuzhu_import.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def count(con) -> int:  # type: ignore[no-untyped-def]
    return int(con.execute("SELECT count(*) FROM cases").fetchall()[0][0])


def test_swap_while_another_process_holds_the_store(db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "new.csv"
    csv.write_text(ROWS, encoding="utf-8")
    app = store.open_store(db, read_only=False)  # as the app's shared connection
    try:
        app.execute("CREATE TABLE IF NOT EXISTS app_notes (x INTEGER)")  # the app has written (WAL)
        app.execute("INSERT INTO app_notes VALUES (1)")
        n0, ident0 = count(app), store.file_identity(db)
        locked = cli(str(csv), "--db", str(db), cwd=tmp_path)
        assert locked.returncode == 2  # one writing process per file: the plain import cannot open it
        swapped = cli(str(csv), "--db", str(db), "--swap", cwd=tmp_path)
        assert swapped.returncode == 0, swapped.stderr
        assert "导入完成" in swapped.stdout
        assert store.file_identity(db) != ident0  # a new file ...
        assert count(app) == n0  # ... while the open connection still reads the old one
    finally:
        app.close()
    reopened = store.open_store(db, read_only=True)
    try:
        assert count(reopened) == n0 + 2
        assert reopened.execute("SELECT count(*) FROM app_notes").fetchall()[0][0] == 1  # the app's write kept
    finally:
        reopened.close()
    assert not Path(str(db) + ".swap").exists()


def test_app_connection_reopens_after_a_swap(db: Path, tmp_path: Path) -> None:
    from ui import shell

    shell._connection.clear()  # type: ignore[attr-defined]
    try:
        con = shell._connection(str(db))
        n0 = count(con.cursor())
        assert shell._connection(str(db)) is con  # same file: the same shared connection
        csv = tmp_path / "new.csv"
        csv.write_text(ROWS, encoding="utf-8")
        assert cli(str(csv), "--db", str(db), "--swap", cwd=tmp_path).returncode == 0
        again = shell._connection(str(db))
        assert again is not con
        assert count(again.cursor()) == n0 + 2
    finally:
        shell._connection.clear()  # type: ignore[attr-defined]


def test_a_write_during_the_import_cancels_the_swap(db: Path) -> None:
    app = store.open_store(db, read_only=False)
    try:
        ident = store.file_identity(db)

        def write(copy) -> None:  # type: ignore[no-untyped-def]
            copy.execute("DELETE FROM cases")
            app.execute("CREATE TABLE audit_during (x INTEGER)")  # the app writes meanwhile
            app.execute("INSERT INTO audit_during VALUES (1)")

        with pytest.raises(store.StoreError, match="run the import again"):
            store.write_beside(db, write)
        assert store.file_identity(db) == ident
        assert count(app) > 0
    finally:
        app.close()
    assert not Path(str(db) + ".swap").exists()
