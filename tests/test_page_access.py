"""AppTest of sign-in (built-in accounts), lock-out, roles and the admin page."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

from analytics import audit, auth

ROOT = Path(__file__).resolve().parent.parent
PW = "correct horse 42"


@pytest.fixture
def accounts_store(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "admin", PW, "管理员")
    auth.add_user(con, "rugao", PW, "法院", ["苏0682"])
    auth.add_user(con, "gov", PW, "外部")
    con.close()
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "accounts")
    return db


def _sign_in(at: AppTest, name: str, pw: str) -> AppTest:
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_pw").input(pw)
    at.button[0].click()  # the form's submit button
    return at.run()


def _audit_events(db: Path) -> list[tuple[str, str]]:
    # The app holds the store open in this process: read through its cached connection.
    from ui.shell import _connection

    log = audit.read(_connection(str(db)).cursor())
    return list(zip(log["用户"], log["事件"], strict=True))[::-1]


def test_map_page_asks_for_sign_in_and_locks_after_five_failures(accounts_store: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert at.title[0].value == "数助 · 登录"
    assert not headline(at)  # nothing of the data before signing in
    for k in range(5):
        _sign_in(at, "gov", f"wrong password {k}")
    assert "锁定" in at.error[0].value
    _sign_in(at, "gov", PW)  # the right password no longer helps while locked
    assert "锁定" in at.error[0].value and not headline(at)
    events = _audit_events(accounts_store)
    assert events == [("gov", "sign_in_failed")] * 4 + [("gov", "locked"), ("gov", "locked")]


def test_signed_in_user_sees_the_page_and_is_audited(accounts_store: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    _sign_in(at, "rugao", PW)
    assert not at.exception
    assert headline(at), "the map page's figures should show after signing in"
    assert any("rugao · 法院（苏0682）" in c.value for c in at.sidebar.caption)
    assert ("rugao", "sign_in") in _audit_events(accounts_store)


def test_admin_page_is_for_administrators_only(accounts_store: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "10_admin.py"), default_timeout=60).run()
    _sign_in(at, "gov", PW)
    assert at.error and "仅管理员" in at.error[0].value
    at = AppTest.from_file(str(ROOT / "pages" / "10_admin.py"), default_timeout=60).run()
    _sign_in(at, "admin", PW)
    assert not at.exception
    accounts = at.dataframe[0].value
    assert sorted(accounts["用户名"]) == ["admin", "gov", "rugao"]
    assert "pw_hash" not in accounts.columns
    assert any("审计链完整" in s.value for s in at.success)


def test_local_mode_says_so(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    monkeypatch.delenv("SHUZHU_ACCESS_MODE", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "10_admin.py"), default_timeout=60).run()
    assert not at.exception
    assert any("单机模式" in c.value for c in at.sidebar.caption)


def test_the_apps_connection_is_hardened_after_start(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUZHU_DB", str(small_store))
    monkeypatch.delenv("SHUZHU_ACCESS_MODE", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "0_meeting.py"), default_timeout=60).run()
    assert not at.exception
    from ui.shell import _connection

    cur = _connection(str(small_store)).cursor()
    assert cur.execute("SELECT current_setting('enable_external_access'), current_setting('lock_configuration')"
                       ).fetchall() == [(False, True)]
    with pytest.raises(duckdb.PermissionException):
        cur.execute(f"SELECT * FROM read_csv('{ROOT / 'pyproject.toml'}')")
