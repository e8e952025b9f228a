"""Issue 15, the remaining gaps: who may write, court scope of downloads, the gate in meeting
mode and on rates, the keyed audit chain, untrusted missing peers, password settings in the CLI,
disabled accounts, and the truthful scope of the report's alerts.

Pure parts on hand-made data; pages with AppTest as signed-in users on a copy of the small store.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from app_support import headline
from streamlit.testing.v1 import AppTest

from analytics import audit, auth, catalogue
from analytics.privacy import DisclosureRules, TableSpec, feasible_interval, gate_frame

ROOT = Path(__file__).resolve().parent.parent
PW = "correct horse 42"
RULES = DisclosureRules()
KEY = b"k" * 32
T0 = dt.datetime(2025, 12, 1, 9, 0)
OWN = "苏0681"  # 启东法院: its district 320681 has an alert in 2024-12 beside others (small store)
ALERT_MONTH = "2024-12"


# --- 4. rates on small numerators (analytics.privacy, hand-made tables) --------------------------

def _courts() -> pd.DataFrame:
    # 结案 is large everywhere; A's 调撤率 rests on 3 cases (3/5000 = 0.06 %).
    return pd.DataFrame({
        "法院": ["A", "B", "C", "D"],
        "结案": [5000, 4000, 3000, 2000],
        "调撤率(%)": [0.06, 20.0, 11.0, 30.0],
        "调撤数": [3, 800, 330, 600],
    })


def test_rate_on_a_small_numerator_is_hidden_with_a_partner() -> None:
    df = _courts()
    spec = TableSpec(counts=("结案",), dependent=("调撤率(%)",), rates=(("调撤率(%)", "调撤数"),))
    g = gate_frame(df, RULES, spec)
    assert "调撤数" not in g.display.columns and "调撤数" not in g.hidden.columns  # not published
    assert list(g.display["结案"]) == ["5,000", "4,000", "3,000", "2,000"]  # counts untouched
    shown = list(g.display["调撤率(%)"])
    assert shown[0] == "—"
    # The city rate (total numerator) is published: a lone hidden numerator would be the total
    # minus the others, so the smallest other one (C, 330) is hidden too.
    assert shown == ["—", "20", "—", "30"]
    assert {(s.row, s.reason) for s in g.log if s.column == "调撤率(%)"} == {("A", "dependent"), ("C", "dependent")}
    # The attacker: numerators = rate x 结案 where published, their total published.
    nums = df["调撤数"].to_numpy(dtype=float)
    ext = np.zeros((5, 1))
    ext[:4, 0], ext[4, 0] = nums, nums.sum()
    mask = np.zeros_like(ext, dtype=bool)
    mask[:4, 0] = g.hidden["调撤率(%)"].to_numpy()
    lo, hi = feasible_interval(np.hstack([ext, ext]), np.hstack([mask, mask]), (0, 0))
    assert lo == 0.0 and hi >= RULES.threshold


def test_without_the_numerator_the_old_rule_published_the_rate() -> None:
    # The row rule alone: no count of row A is small, so 0.06 % of a published 5,000 was shown.
    g = gate_frame(_courts().drop(columns="调撤数"), RULES, TableSpec(counts=("结案",), dependent=("调撤率(%)",)))
    assert g.display.loc[0, "调撤率(%)"] == "0.06"


def test_complement_rate_and_total_row() -> None:
    # 服判息诉率 = 1 - challenges / closed: 99.9 % over 4,000 gives 4 challenges away.
    df = pd.DataFrame({"区": ["a", "b", "c", "合计"], "一审结案": [4000, 3000, 2500, 9500],
                       "服判息诉率(%)": [99.9, 90.0, 88.0, 93.1], "上诉及申请再审": [4, 300, 300, 604]})
    spec = TableSpec(counts=("一审结案",), dependent=("服判息诉率(%)",), rates=(("服判息诉率(%)", "上诉及申请再审"),),
                     total=("区", "合计"))
    g = gate_frame(df, RULES, spec)
    assert list(g.display["服判息诉率(%)"]) == ["—", "—", "88", "93.1"]  # a, and b as its partner
    assert list(g.display["一审结案"]) == ["4,000", "3,000", "2,500", "9,500"]


def test_numerator_that_is_also_a_published_count() -> None:
    df = pd.DataFrame({"月": ["1", "2", "3"], "新收": [100, 120, 90], "结案": [4, 80, 70],
                       "结收比": [0.04, 0.67, 0.78]})
    g = gate_frame(df, RULES, TableSpec(counts=("新收", "结案"), dependent=("结收比",), rates=(("结收比", "结案"),)))
    assert g.display.loc[0, "结案"] == "<10" and g.display.loc[0, "结收比"] == "—"
    assert "结案" in g.display.columns


# --- 5. the keyed audit chain -------------------------------------------------------------------

@pytest.fixture
def log_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for k in range(5):
        audit.record(con, f"u{k}", "sign_in", detail=f"row {k + 1}", now=T0 + dt.timedelta(minutes=k), key=KEY)
    yield con
    con.close()


def test_intact_chain_verifies_only_with_its_key(log_db: duckdb.DuckDBPyConnection) -> None:
    assert audit.verify(log_db, KEY) == audit.ChainCheck(True, 5)
    assert "完整" in audit.verify(log_db, KEY).message
    assert audit.verify(log_db, b"another key, not the installation's").first_bad == 1


def test_an_edited_row_is_found(log_db: duckdb.DuckDBPyConnection) -> None:
    log_db.execute("UPDATE audit_log SET detail = 'row 3, edited' WHERE seq = 3")
    check = audit.verify(log_db, KEY)
    assert not check.ok and check.first_bad == 3 and "第 3 条" in check.message


def test_rows_deleted_from_the_end_are_found(log_db: duckdb.DuckDBPyConnection) -> None:
    log_db.execute("DELETE FROM audit_log WHERE seq >= 4")
    check = audit.verify(log_db, KEY)
    assert not check.ok and check.truncated and check.expected == 5 and check.rows == 3
    assert "应有 5 条，现有 3 条" in check.message
    # Moving the head back without the key does not help ...
    log_db.execute("UPDATE audit_head SET n_rows = 3, last_seq = 3, "
                   "last_hash = (SELECT hash FROM audit_log WHERE seq = 3)")
    forged = audit.verify(log_db, KEY)
    assert not forged.ok and forged.truncated and "记录头" in forged.message
    # ... nor does deleting it.
    log_db.execute("DELETE FROM audit_head")
    assert not audit.verify(log_db, KEY).ok


def test_a_chain_rewritten_without_the_key_is_found(log_db: duckdb.DuckDBPyConnection) -> None:
    """Someone with write access but not the key edits row 2 and recomputes every MAC and the
    head with a key of their own (or with plain SHA-256, as the unkeyed chain allowed)."""
    import hashlib
    import hmac

    rows = log_db.execute("SELECT seq, ts, username, event, page, filters, detail, n_rows FROM audit_log "
                          "ORDER BY seq").fetchall()
    for forge in (lambda b: hmac.new(b"guess", b, hashlib.sha256).hexdigest(),
                  lambda b: hashlib.sha256(b).hexdigest()):
        prev = "0" * 64
        for seq, ts, user, event, page, flt, detail, n in rows:
            detail = "rewritten" if seq == 2 else detail
            payload = json.dumps([prev, seq, ts.isoformat(), user, event, page, flt, detail, n],
                                 ensure_ascii=False, separators=(",", ":")).encode()
            h = forge(payload)
            log_db.execute("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                           [detail, prev, h, seq])
            prev = h
        log_db.execute("UPDATE audit_head SET last_hash = ?, mac = ?", [prev, forge(f"head|5|5|{prev}".encode())])
        check = audit.verify(log_db, KEY)
        assert not check.ok and check.first_bad == 1


def test_sessions_appending_at_once_keep_one_chain() -> None:
    """Page runs of several sessions write on cursors of the app's one connection at once."""
    from concurrent.futures import ThreadPoolExecutor

    con = duckdb.connect()
    audit.ensure_tables(con)

    def write(k: int) -> None:
        cur = con.cursor()
        for j in range(10):
            audit.record(cur, f"user{k}", "suppression", detail=f"{k}/{j}", key=KEY)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert audit.verify(con, KEY) == audit.ChainCheck(True, 80)


def test_the_key_lives_outside_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit.KEY_ENV, str(tmp_path / "keys" / "audit.key"))
    key = audit.load_key()
    assert len(key) == audit.KEY_BYTES and audit.load_key() == key
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text(f'[audit]\nkey_file = "{tmp_path / "other.key"}"\n', encoding="utf-8")
    assert audit.key_path({"SHUZHU_CONFIG": str(cfg)}) == tmp_path / "other.key"
    con = duckdb.connect()
    audit.record(con, "x", "view")  # the configured key (environment)
    assert audit.verify(con).ok and not audit.verify(con, KEY).ok


# --- 6. a missing peer address is not trusted -------------------------------------------------

def test_missing_peer_is_untrusted() -> None:
    s = auth.AccessSettings(mode="proxy")  # default trusted list: loopback
    assert auth.trusted("127.0.0.1", s) and not auth.trusted(None, s) and not auth.trusted("", s)


def test_proxy_mode_refuses_a_session_without_peer_address(small_store: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest sessions have no peer: with the default (loopback) trusted list the header must not
    be believed. Before, the shell filled in 127.0.0.1 and signed the user in."""
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "proxy")
    seen: list[str | None] = []
    real = auth.user_from_proxy

    def with_header(con, headers, remote_addr, settings):  # the proxy's header, as a portal sends it
        seen.append(remote_addr)
        return real(con, {**headers, "X-Remote-User": "someone"}, remote_addr, settings)

    monkeypatch.setattr(auth, "user_from_proxy", with_header)
    at = AppTest.from_file(str(ROOT / "pages" / "9_catalogue.py"), default_timeout=60).run()
    assert seen and seen[0] is None
    assert at.error and "未通过统一身份认证" in at.error[0].value and " / " in at.error[0].value
    assert not at.dataframe
    from ui.shell import _connection

    log = audit.read(_connection(str(db)).cursor())
    assert (log["内容"] == "proxy header missing or untrusted peer unknown").any()


def test_a_court_user_without_courts_is_never_let_in(tmp_path: Path) -> None:
    """``restrict`` narrows a 法院 user to their courts; with none it would narrow nothing."""
    with pytest.raises(ValueError, match="法院"):
        auth.AccessSettings(mode="proxy", proxy_default_role=auth.Role.COURT)
    cfg = tmp_path / "shuzhu.toml"
    cfg.write_text('[access]\nmode = "proxy"\nproxy_default_role = "法院"\n', encoding="utf-8")
    with pytest.raises(ValueError):
        auth.load_access_settings({"SHUZHU_CONFIG": str(cfg)})
    con = duckdb.connect()
    auth.add_user(con, "hand", PW, "外部")
    con.execute("UPDATE users SET role = '法院', courts = '' WHERE username = 'hand'")  # edited by hand
    refused = auth.authenticate(con, "hand", PW)
    assert refused.user is None and "未指定法院" in refused.reason and " / " in refused.reason
    token = auth.open_session(con, auth.User("hand", auth.Role.COURT, ("苏0682",)))
    assert auth.session_user(con, token) is None
    assert auth.user_from_proxy(con, {"X-Remote-User": "hand"}, "127.0.0.1", auth.AccessSettings(mode="proxy")) is None


# --- 7, 8. the CLI follows [access]; disabled accounts --------------------------------------------

def _cli(db: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    import shuzhu_users

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return shuzhu_users.main(["--db", str(db), *args])


def test_cli_checks_passwords_against_the_access_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.duckdb"
    duckdb.connect(str(db)).close()
    cfg = tmp_path / "shuzhu.toml"
    monkeypatch.setenv("SHUZHU_CONFIG", str(cfg))
    cfg.write_text("[access]\nmin_password_length = 20\n", encoding="utf-8")
    assert _cli(db, "add", "long", "--role", "外部", stdin=PW + "\n", monkeypatch=monkeypatch) == 2  # 16 < 20
    assert "至少 20" in capsys.readouterr().err
    cfg.write_text("[access]\nmin_password_length = 8\n", encoding="utf-8")
    assert _cli(db, "add", "short", "--role", "外部", stdin="nine char\n", monkeypatch=monkeypatch) == 0  # 9 < 10
    assert _cli(db, "reset", "short", stdin="seven c\n", monkeypatch=monkeypatch) == 2
    assert "至少 8" in capsys.readouterr().err
    cfg.write_text("[access]\nmin_password_length = 'ten'\n", encoding="utf-8")
    assert _cli(db, "list", monkeypatch=monkeypatch) == 2
    assert "[access]" in capsys.readouterr().err


def test_disabled_account_cannot_sign_in_and_is_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.duckdb"
    monkeypatch.setenv(audit.KEY_ENV, str(tmp_path / "audit.key"))
    monkeypatch.setenv("SHUZHU_CONFIG", str(tmp_path / "none.toml"))
    con = duckdb.connect(str(db))
    auth.add_user(con, "zhou", PW, "法院", ["苏0682"])
    token = auth.open_session(con, auth.User("zhou", auth.Role.COURT, ("苏0682",)))
    con.close()
    assert _cli(db, "disable", "zhou", monkeypatch=monkeypatch) == 0
    assert _cli(db, "list", monkeypatch=monkeypatch) == 0
    assert "zhou\t法院\t苏0682\t失败0次\t\t已停用" in capsys.readouterr().out
    con = duckdb.connect(str(db))
    refused = auth.authenticate(con, "zhou", PW)
    assert refused.user is None and "停用" in refused.reason and " / " in refused.reason
    assert auth.session_user(con, token) is None  # the open session ends too
    proxy = auth.AccessSettings(mode="proxy")
    assert auth.user_from_proxy(con, {"X-Remote-User": "zhou"}, "127.0.0.1", proxy) is None
    con.close()
    assert _cli(db, "enable", "zhou", monkeypatch=monkeypatch) == 0
    assert _cli(db, "disable", "nobody", monkeypatch=monkeypatch) == 2
    con = duckdb.connect(str(db))
    assert auth.authenticate(con, "zhou", PW).user is not None
    assert audit.read(con)["内容"].tolist()[::-1] == ["disable zhou", "enable zhou"]
    assert audit.verify(con).ok


# --- pages as signed-in users ----------------------------------------------------------------------

@pytest.fixture
def store(small_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(small_store, db)
    con = duckdb.connect(str(db))
    auth.add_user(con, "admin", PW, "管理员")
    auth.add_user(con, "qidong", PW, "法院", [OWN])
    auth.add_user(con, "gov", PW, "外部")
    con.close()
    monkeypatch.setenv("SHUZHU_DB", str(db))
    monkeypatch.setenv("SHUZHU_ACCESS_MODE", "accounts")
    monkeypatch.setenv("SHUZHU_CONFIG", str(tmp_path / "none.toml"))
    return db


def _as(page: str, name: str, query: dict[str, str] | None = None, pw: str = PW) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_pw").input(pw)
    at.button[0].click()
    return at.run()


def _app_con(db: Path) -> duckdb.DuckDBPyConnection:
    from ui.shell import _connection

    return _connection(str(db)).cursor()


# 1. writing: import pages and the alert status editor

@pytest.mark.parametrize("name", ["gov", "qidong"])
def test_import_page_is_refused_to_other_roles(store: Path, name: str) -> None:
    at = _as("pages/4_import.py", name)
    assert not at.exception, at.exception
    assert at.error and "仅管理员可导入数据" in at.error[0].value and "Only administrators" in at.error[0].value
    assert not at.get("file_uploader")


def test_import_page_opens_for_administrators(store: Path) -> None:
    at = _as("pages/4_import.py", "admin")
    assert not at.exception and not at.error
    assert at.get("file_uploader")


def test_judgment_record_import_is_for_administrators_only(store: Path) -> None:
    at = _as("pages/5_judgments.py", "gov")
    assert not at.exception, at.exception
    assert any("仅管理员可导入裁判文书" in i.value and " / " in i.value for i in at.info)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key in ("jdg_import", "jdg_sample")]


def _month_alerts(db: Path) -> pd.DataFrame:
    from analytics.alerts import detect
    from analytics.alerts.config import load_alert_config

    return detect.month_alerts(_app_con(db), ALERT_MONTH, load_alert_config())


def test_alert_status_editor_by_role(store: Path) -> None:
    gov = _as("pages/6_alerts.py", "gov", {"am": ALERT_MONTH})
    assert not gov.exception, gov.exception
    assert any("外部用户不能登记" in i.value and " / " in i.value for i in gov.info)
    assert not [s for s in gov.selectbox if s.key == "al_st_id"]

    alerts = _month_alerts(store)
    shown = {a: str(t)[:60] for a, t in zip(alerts["alert_id"], alerts["sentence"], strict=True)}  # as offered
    own = {a for a, d in zip(alerts["alert_id"], alerts["adcode"], strict=True) if d == 320681}
    assert own and len(alerts) > len(own)  # the month has alerts of the court's district and others
    court = _as("pages/6_alerts.py", "qidong", {"am": ALERT_MONTH})
    assert not court.exception, court.exception
    pick = court.selectbox(key="al_st_id")
    assert sorted(pick.options) == sorted(shown[a] for a in own) and pick.value in own
    who = court.text_input(key="al_st_who_fixed")
    assert who.value == "qidong" and who.disabled  # 处理人 is the signed-in user
    court.selectbox(key="al_st_status").set_value("已核实")
    court.button(key="al_st_save").click().run()
    assert not court.exception, court.exception
    log = audit.read(_app_con(store))
    row = log[(log["用户"] == "qidong") & (log["事件"] == "alert_status")]
    assert len(row) == 1 and row["内容"].iloc[0].endswith(": 已核实")
    from analytics.alerts import status as S

    assert S.history(_app_con(store))["who"].tolist()[0] == "qidong"

    admin = _as("pages/6_alerts.py", "admin", {"am": ALERT_MONTH})
    assert sorted(admin.selectbox(key="al_st_id").options) == sorted(shown.values())


# 2. the catalogue's case table for a 法院 user

def test_catalogue_case_download_is_limited_to_the_courts(con: duckdb.DuckDBPyConnection) -> None:
    n_own = con.execute("SELECT count(*) FROM cases WHERE court_code::VARCHAR = ?", [OWN]).fetchone()[0]
    n_all = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert 0 < n_own < n_all
    csv = pd.read_csv(io.BytesIO(catalogue.download(con, "cases", "csv", mark="内部资料 · x", courts=(OWN,))),
                      encoding="utf-8-sig", skiprows=1)
    assert len(csv) == n_own and set(csv["court_code"]) == {OWN}
    pq = pd.read_parquet(io.BytesIO(catalogue.download(con, "cases", "parquet", courts=(OWN, "苏06"))))
    assert set(pq["court_code"].astype(str)) == {OWN, "苏06"}
    assert len(catalogue.frame(con, "cases", courts=(OWN,))) == n_own
    assert len(pd.read_parquet(io.BytesIO(catalogue.download(con, "cases", "parquet", courts=())))) == 0
    rows = catalogue.overview(con, courts=(OWN,)).set_index("id")["行数"]
    assert rows["cases"] == n_own and catalogue.overview(con).set_index("id")["行数"]["cases"] == n_all
    with pytest.raises(catalogue.ReleaseRefused):
        catalogue.download(con, "cases", "csv", protected=True, courts=(OWN,))


def test_catalogue_page_of_a_court_user_counts_its_own_cases(store: Path) -> None:
    at = _as("pages/9_catalogue.py", "qidong")
    assert not at.exception, at.exception
    assert any("只含本院案件" in i.value for i in at.info)
    overview = next(d.value for d in at.dataframe if "数据集" in d.value.columns)
    n_own = _app_con(store).execute("SELECT count(*) FROM cases WHERE court_code::VARCHAR = ?", [OWN]).fetchone()[0]
    assert overview.loc[overview["数据集"] == "案件", "行数"].item() == n_own


def test_catalogue_page_releases_only_the_court_users_cases(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case table's deferred download, as the page registers it, holds the user's court only."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[str(file_name)] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = _as("pages/9_catalogue.py", "qidong")
    assert not at.exception, at.exception
    name = next(n for n in made if n.startswith("合成数据_案件_qidong_") and n.endswith(".csv"))
    data = made[name]()  # what the click would download
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=1)  # first line: the watermark
    assert len(df) > 0 and set(df["court_code"]) == {OWN}


# 3. meeting mode for 外部 users

NARROW = {"y": "2024-2024", "cause": "危险驾驶罪", "yr": "2024"}
SMALL = {"y": "2024-2024", "cause": "开设赌场罪"}  # 9 cases filed city-wide in 2024 (small store)


def _deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_meeting_map_slide_is_gated_for_external_users(store: Path) -> None:
    at = _as("pages/0_meeting.py", "gov", {**NARROW, "s": "0"})
    assert not at.exception, at.exception
    layers = _deck(at)["layers"]
    features = next(layer["data"]["features"] for layer in layers
                    if isinstance(layer.get("data"), dict) and layer["data"].get("features")
                    and "adcode" in layer["data"]["features"][0]["properties"])
    hidden = [f["properties"] for f in features if f["properties"].get("hidden")]
    assert hidden, "a narrow filter leaves districts with fewer than 10 cases"
    assert all(p["cases"] is None and p["l1"] == "案件 <10 件" for p in hidden)
    assert all(p["cases"] is None or not 0 < p["cases"] < 10 for p in (f["properties"] for f in features))
    assert any("<10 不公开" in m.value for m in at.markdown)
    log = audit.read(_app_con(store))
    assert ((log["用户"] == "gov") & (log["事件"] == "suppression") & (log["页面"] == "会议模式")).any()
    admin = _as("pages/0_meeting.py", "admin", {**NARROW, "s": "0"})
    assert not [f for f in (_deck(admin)["layers"]) if "<10" in json.dumps(f, ensure_ascii=False)]


def test_meeting_trial_slide_is_gated_for_external_users(store: Path) -> None:
    gov = _as("pages/0_meeting.py", "gov", {**SMALL, "s": "1"})
    assert not gov.exception, gov.exception
    values = {m.label: m.value for m in gov.metric}
    assert values["新收"] == "<10"
    assert all(v in ("<10", "—") or not re.fullmatch(r"[1-9]", v) for v in values.values())
    ratios = [v for k, v in values.items() if k in ("结案率", "结收比", "法定审限内结案率")]
    assert ratios and all(v == "—" for v in ratios)
    admin = _as("pages/0_meeting.py", "admin", {**SMALL, "s": "1"})
    assert {m.label: m.value for m in admin.metric}["新收"] == "9"


def test_meeting_trial_slide_withholds_a_hidden_scope(store: Path) -> None:
    # 如东 has 5 such cases in 2024: its row is hidden in the table of all districts, so the
    # slide's own totals for it are not shown (as on the trial page).
    gov = _as("pages/0_meeting.py", "gov", {**NARROW, "d": "320623", "s": "1"})
    assert not gov.exception, gov.exception
    assert not gov.metric and any("不公开" in i.value and " / " in i.value for i in gov.info)
    admin = _as("pages/0_meeting.py", "admin", {**NARROW, "d": "320623", "s": "1"})
    assert {m.label: m.value for m in admin.metric}["新收"] == "5"


# 8. the admin page disables and enables accounts; the chain status

def test_admin_page_disables_an_account_and_shows_the_chain(store: Path) -> None:
    signed_in = _as("app.py", "gov")  # a live session of the account about to be disabled
    assert headline(signed_in)
    at = _as("pages/10_admin.py", "admin")
    assert not at.exception, at.exception
    at.selectbox(key="adm_dis_who").set_value("gov").run()
    assert at.button(key="adm_dis").label == "停用"
    at.button(key="adm_dis").click().run()
    assert not at.exception, at.exception
    accounts = at.dataframe[0].value
    assert accounts.loc[accounts["用户名"] == "gov", "已停用"].item() == "是"
    log = audit.read(_app_con(store))
    assert ((log["用户"] == "admin") & (log["内容"] == "disable gov")).any()
    assert any("审计链完整" in s.value for s in at.success)
    signed_in.run()  # its next page run: the session has ended
    assert signed_in.title[0].value == "数助 · 登录" and not headline(signed_in)
    refused = _as("app.py", "gov")
    assert refused.error and "账号已停用" in refused.error[0].value and not headline(refused)
    at.selectbox(key="adm_dis_who").set_value("gov").run()
    assert at.button(key="adm_dis").label == "启用"
    at.button(key="adm_dis").click().run()
    assert headline(_as("app.py", "gov"))
    # tampering shows on the page
    _app_con(store).execute("UPDATE audit_log SET detail = 'x' WHERE seq = 2")
    again = _as("pages/10_admin.py", "admin")
    assert any("审计链自第 2 条起" in e.value for e in again.error)


# 9. the report's alerts say where they come from

def test_report_alert_text_names_the_real_scope() -> None:
    from analytics.filters import CaseFilter
    from analytics.report.model import ReportRequest
    from analytics.report.trial import _alert_blocks

    alerts = pd.DataFrame({"kind_label": ["突增"], "district": ["崇川区"], "sentence": ["崇川区 民间借贷纠纷 突增"]})
    start, end = dt.date(2025, 1, 1), dt.date(2025, 6, 30)

    def said(flt: CaseFilter, df: pd.DataFrame = alerts) -> str:
        return _alert_blocks(ReportRequest("trial", flt, start, end), df)[0].text

    court = said(CaseFilter(2025, 2025, courts=("苏0682",)))
    assert "所选范围" not in court
    assert court.startswith("风险预警方面，2025年6月全市共有1条预警")
    assert "不区分法院" in court
    assert said(CaseFilter(2025, 2025)) == "风险预警方面，2025年6月全市共有1条预警（突增1条），按强度列示前1条如表6。"
    district = said(CaseFilter(2025, 2025, district=320613, categories=("民事",)))
    assert "2025年6月崇川（民事）共有1条预警" in district and "不区分" not in district
    empty = said(CaseFilter(2025, 2025, procedures=("一审",)), alerts.iloc[0:0])
    assert empty == "风险预警方面，2025年6月全市没有触发预警。预警按区县和案由监测全市各法院的一审新收，不区分审级。"


# 4. on the trial page: a headline rate over a large denominator with a small numerator

def test_trial_page_hides_a_rate_whose_numerator_is_small(store: Path) -> None:
    """2024, all cases (small store): 超12个月未结 6 of 905 pending cases, every 收结存 count large."""
    import datetime as dt_

    from analytics import indicators as ind
    from analytics.filters import CaseFilter

    label = ind.LABELS["over_12m_pending_ratio"]
    cmp = ind.compare(_app_con(store), CaseFilter(2024, 2024), dt_.date(2024, 1, 1), dt_.date(2024, 12, 31))
    now = {r["indicator"]: r for r in cmp.to_dict("records")}
    assert 0 < now["over_12m_pending"]["current"] < 10 and now["pending_end"]["current"] >= 100
    gov = _as("pages/2_trial.py", "gov", {"y": "2024-2024"})
    assert not gov.exception, gov.exception
    metric = next(m for m in gov.metric if m.label.startswith(label))
    assert metric.value == "—"
    assert next(m for m in gov.metric if m.label.startswith(ind.LABELS["closure_rate"])).value != "—"
    table = next(d.value for d in gov.dataframe if {"指标", "单位", "本期"} <= set(d.value.columns))
    assert table.loc[table["指标"] == label, "本期"].item() == "—"
    districts = next(d.value for d in gov.dataframe if "区县" in d.value.columns and f"{label}(%)" in d.value.columns)
    assert (districts[f"{label}(%)"] == "—").any() and not (districts["期末未结（全部在办）"] == "<10").all()
    admin = _as("pages/2_trial.py", "admin", {"y": "2024-2024"})
    assert next(m for m in admin.metric if m.label.startswith(label)).value != "—"


# the audit log records page views (who, when, page, filters), once per page and filter state

def test_page_views_are_audited_once_per_page_and_filter_state(store: Path) -> None:
    at = _as("app.py", "qidong")
    assert not at.exception, at.exception
    at.run()  # a rerun with the same filters: no second row
    con = duckdb.connect(str(store))
    views = con.execute("SELECT username, page, filters FROM audit_log WHERE event = 'view' ORDER BY seq").fetchall()
    con.close()
    assert len(views) == 1 and views[0][0] == "qidong" and views[0][1] == "案件密度地图"
    at.multiselect(key="f_cat").select("刑事").run()
    con = duckdb.connect(str(store))
    views = con.execute("SELECT page, filters FROM audit_log WHERE event = 'view' ORDER BY seq").fetchall()
    assert audit.verify(con).ok
    con.close()
    assert len(views) == 2 and "刑事" in views[1][1]


def test_monthly_trend_hides_a_month_rate_whose_numerator_is_small(store: Path) -> None:
    """The trial page's monthly table (chart and download): a month's rate goes with its numerator."""
    import datetime as dt_

    from analytics import indicators as ind
    from analytics.filters import CaseFilter
    from analytics.privacy import DisclosureRules
    from ui.trial_sections import TREND_COUNTS, TREND_RATES, numerator_gate

    cols = [*TREND_COUNTS, *TREND_RATES]
    num = ind.definition("mediation_withdrawal_rate").num[0]
    con = _app_con(store)
    courts = [r[0] for r in con.execute("SELECT DISTINCT court_code::VARCHAR FROM cases ORDER BY 1").fetchall()]
    for court in courts:  # a court with a month of few 调撤 among many cases (the store is seeded)
        rows = ind.monthly_trend(con, CaseFilter(2024, 2024, courts=(court,)), dt_.date(2024, 1, 1),
                                 dt_.date(2024, 12, 31))
        small = rows[num].between(1, 9) & (rows[["filed", "closed", "pending_end"]] >= 10).all(axis=1)
        if small.any():
            break
    assert small.any()
    table = ind.display_table(rows, cols)
    gated = numerator_gate(rows, cols)(table, DisclosureRules())
    col = f"{ind.LABELS['mediation_withdrawal_rate']}(%)"
    assert gated.hidden[col][small.to_numpy()].all()
    assert (gated.display.loc[small.to_numpy(), col] == "—").all()
    # without the numerator rule (the row's counts only) those months would have been shown
    from analytics.privacy import gate_frame
    from ui.trial_sections import table_spec

    plain = gate_frame(table.reset_index(drop=True), DisclosureRules(), table_spec(cols))
    assert not plain.hidden[col][small.to_numpy()].any()


def test_report_leaves_out_rates_over_small_numerators(store: Path) -> None:
    """The Word report for 外部: a rate whose numerator count is small is "—" (and its sentence
    dropped), like on the page; without the protected runner the same report prints it."""
    import datetime as dt_

    from analytics import indicators as ind
    from analytics.filters import CaseFilter
    from analytics.privacy import DisclosureRules
    from analytics.report import build_report
    from analytics.report.common import value_text
    from analytics.report.gate import hide_small_numerator_rates, protect, protected_runner
    from analytics.report.model import Paragraph, Table

    con = _app_con(store)
    flt, s, e = CaseFilter(2024, 2024), dt_.date(2024, 1, 1), dt_.date(2024, 12, 31)
    cmp = ind.compare(con, flt, s, e)
    rules = DisclosureRules()
    masked = hide_small_numerator_rates(cmp, rules).set_index("indicator")
    assert masked.at["over_12m_pending_ratio", "current"] is None  # 6 of 905
    assert masked.at["closure_rate", "current"] is not None
    dists = hide_small_numerator_rates(ind.summary(con, flt, s, e, by="adcode"), rules)
    raw = ind.summary(con, flt, s, e, by="adcode")
    small = raw["over_12m_pending"].between(1, 9)
    assert small.any() and dists.loc[small, "over_12m_pending_ratio"].isna().all()

    def direct(fn, *a, **k):
        return fn(con, *a, **k)

    ratio = value_text("over_12m_pending_ratio", cmp.set_index("indicator").at["over_12m_pending_ratio", "current"])
    assert ratio

    def texts(report) -> str:
        out = []
        for b in report.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, Table):
                out += [" ".join(r) for r in b.rows]
        return "\n".join(out)

    plain = build_report(con, "trial", flt, s, e, run=direct)
    assert ratio in texts(plain)
    gated, _ = protect(build_report(con, "trial", flt, s, e, run=protected_runner(direct, rules)), rules)
    assert ratio not in texts(gated)
