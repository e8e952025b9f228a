"""Accounts (bcrypt, lock-out), the trusted proxy header, and the tamper-evident audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from analytics import audit
from analytics.auth import (
    AccessSettings,
    AuthError,
    Role,
    add_user,
    authenticate,
    list_users,
    reset_password,
    trusted,
    user_from_proxy,
)

T0 = datetime(2025, 12, 1, 9, 0)
PW = "correct horse 42"


@pytest.fixture
def db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    yield con
    con.close()


def test_password_is_hashed_and_checked(db: duckdb.DuckDBPyConnection) -> None:
    add_user(db, "zhang", PW, "法院", ["苏0682"], now=T0)
    (stored,) = db.execute("SELECT pw_hash FROM users").fetchone()
    assert stored.startswith("$2b$12$") and PW not in stored
    ok = authenticate(db, "zhang", PW, now=T0)
    assert ok.user is not None and ok.user.role is Role.COURT and ok.user.courts == ("苏0682",)
    assert authenticate(db, "zhang", "wrong password!", now=T0).user is None
    assert authenticate(db, "nobody", PW, now=T0).reason == authenticate(db, "zhang", "x" * 12, now=T0).reason


def test_five_wrong_passwords_lock_the_account(db: duckdb.DuckDBPyConnection) -> None:
    add_user(db, "li", PW, "外部", now=T0)
    for k in range(4):
        r = authenticate(db, "li", f"bad password {k}", now=T0)
        assert r.user is None and not r.locked
    r = authenticate(db, "li", "bad password 5", now=T0)
    assert r.locked and "锁定" in r.reason
    # Even the right password is refused while locked ...
    assert authenticate(db, "li", PW, now=T0 + timedelta(minutes=14)).locked
    # ... and accepted after the lock (15 minutes) has passed.
    assert authenticate(db, "li", PW, now=T0 + timedelta(minutes=16)).user is not None


def test_a_success_resets_the_failure_count(db: duckdb.DuckDBPyConnection) -> None:
    add_user(db, "wang", PW, "管理员", now=T0)
    for k in range(4):
        authenticate(db, "wang", f"bad password {k}", now=T0)
    assert authenticate(db, "wang", PW, now=T0).user is not None
    for k in range(4):
        assert not authenticate(db, "wang", f"bad password {k}", now=T0).locked


def test_reset_unlocks_and_replaces_the_password(db: duckdb.DuckDBPyConnection) -> None:
    add_user(db, "zhao", PW, "外部", now=T0)
    for k in range(5):
        authenticate(db, "zhao", f"bad password {k}", now=T0)
    reset_password(db, "zhao", "a brand new secret")
    assert authenticate(db, "zhao", PW, now=T0).user is None
    assert authenticate(db, "zhao", "a brand new secret", now=T0).user is not None
    assert [u[0] for u in list_users(db)] == ["zhao"]


@pytest.mark.parametrize(("args", "fragment"), [
    (("a", "short", "外部"), "至少"),
    (("a", PW, "领导"), "未知角色"),
    (("a", PW, "法院"), "法院代码"),
    (("", PW, "外部"), "用户名"),
])
def test_bad_accounts_are_refused_with_bilingual_messages(db: duckdb.DuckDBPyConnection, args: tuple,
                                                          fragment: str) -> None:
    with pytest.raises(AuthError, match=fragment) as err:
        add_user(db, *args)
    assert " / " in str(err.value)  # Chinese / English


def test_proxy_header_only_from_trusted_addresses(db: duckdb.DuckDBPyConnection) -> None:
    s = AccessSettings(mode="proxy", trusted_proxies=("10.8.0.0/24",))
    add_user(db, "chen", PW, "法院", ["苏0612"], now=T0)
    headers = {"x-remote-user": "chen"}
    assert trusted("10.8.0.7", s) and not trusted("10.8.1.7", s) and not trusted("nonsense", s)
    u = user_from_proxy(db, headers, "10.8.0.7", s)
    assert u is not None and u.role is Role.COURT and u.courts == ("苏0612",)
    assert user_from_proxy(db, headers, "192.0.2.9", s) is None  # a client forging the header
    assert user_from_proxy(db, {}, "10.8.0.7", s) is None
    stranger = user_from_proxy(db, {"X-Remote-User": "guest"}, "10.8.0.7", s)
    assert stranger is not None and stranger.role is Role.EXTERNAL


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        AccessSettings(mode="oauth")
    with pytest.raises(ValueError):
        AccessSettings(trusted_proxies=("10.0.0.300/8",))


def test_audit_log_chain_detects_edits_and_deletions(db: duckdb.DuckDBPyConnection) -> None:
    audit.record(db, "zhang", "sign_in", now=T0)
    audit.record(db, "zhang", "export", page="案件密度地图", filters={"y": "2025"},
                 detail="区县案件_zhang_20251201-0901.csv", n_rows=7, now=T0 + timedelta(minutes=1))
    audit.record(db, "li", "sign_in_failed", now=T0 + timedelta(minutes=2))
    assert audit.verify(db) == audit.ChainCheck(True, 3)
    log = audit.read(db)
    assert list(log["事件"]) == ["sign_in_failed", "export", "sign_in"]
    assert log.loc[log["事件"] == "export", "行数"].item() == 7
    db.execute("UPDATE audit_log SET n_rows = 1 WHERE seq = 2")
    assert audit.verify(db) == audit.ChainCheck(False, 3, 2)
    db.execute("UPDATE audit_log SET n_rows = 7 WHERE seq = 2")
    db.execute("DELETE FROM audit_log WHERE seq = 1")
    assert audit.verify(db).first_bad == 2


def test_export_names_and_watermark() -> None:
    assert audit.export_name("区县案件", "zhang san/../x", T0) == "区县案件_zhang_san_.._x_20251201-0900"
    assert audit.watermark("zhang", T0) == "内部资料 · 导出人：zhang · 导出时间：2025-12-01 09:00 · 数助 Shuzhu"
    with pytest.raises(ValueError):
        audit.record(duckdb.connect(), "x", "drop_table")


def test_users_cli(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    import shuzhu_users

    db = tmp_path / "s.duckdb"
    duckdb.connect(str(db)).close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PW + "\n"))
    assert shuzhu_users.main(["--db", str(db), "add", "zhou", "--role", "法院", "--court", "苏0682"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert shuzhu_users.main(["--db", str(db), "reset", "zhou"]) == 2
    assert "至少" in capsys.readouterr().err
    assert shuzhu_users.main(["--db", str(tmp_path / "missing.duckdb"), "list"]) == 2
    assert shuzhu_users.main(["--db", str(db), "list"]) == 0
    assert "zhou\t法院\t苏0682" in capsys.readouterr().out
    con = duckdb.connect(str(db))
    assert authenticate(con, "zhou", PW).user is not None
    assert audit.read(con)["内容"].tolist() == ["add zhou 法院"]


# --- the app's DuckDB connection after start-up (analytics.store.harden) ----------------------


def test_hardened_connection_reads_no_files_and_cannot_be_reconfigured(tmp_path) -> None:
    import pandas as pd

    from analytics import store

    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.close()
    con = store.open_store(path, read_only=False)
    assert con.execute(f"SELECT count(*) FROM read_csv('{outside}')").fetchall() == [(1,)]  # before
    store.harden(con)
    store.harden(con)  # idempotent
    for sql in (f"SELECT * FROM read_csv('{outside}')", f"COPY meta TO '{tmp_path / 'out.csv'}'",
                f"ATTACH '{tmp_path / 'other.duckdb'}'", "INSTALL spatial"):
        with pytest.raises(duckdb.PermissionException):
            con.execute(sql)
    for sql in ("SET enable_external_access = true", "SET lock_configuration = false", "SET threads = 1"):
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.cursor().execute(sql)  # every cursor: the settings belong to the database
    frame = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(duckdb.CatalogException):  # no replacement scan of a Python variable
        con.execute("SELECT count(*) FROM frame")
    con.register("incoming", frame)  # frames are passed explicitly (the importer's way)
    assert con.execute("SELECT sum(x) FROM incoming").fetchall() == [(6,)]
    target = store.scratch_dir() / "release.csv"  # the one directory COPY may write to
    con.execute(f"COPY (SELECT 1 AS a) TO '{target}' (FORMAT csv, HEADER)")
    assert target.read_text(encoding="utf-8").split() == ["a", "1"]
    target.unlink()
    again = store.open_store(path, read_only=False)  # the same database instance in this process
    assert again.execute("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
    again.close()
    con.close()


def test_an_unknown_user_costs_a_full_bcrypt_check() -> None:
    """The dummy hash an unknown name is checked against is a valid bcrypt hash of the same cost as
    stored passwords (so a failed sign-in takes as long either way), written out, not computed at
    import time."""
    import bcrypt

    from analytics import auth

    assert auth._DUMMY_HASH.startswith(f"$2b${auth.BCRYPT_ROUNDS:02d}$".encode())
    assert bcrypt.checkpw(b"not a password", auth._DUMMY_HASH)
    assert not bcrypt.checkpw(b"correct horse 42", auth._DUMMY_HASH)
