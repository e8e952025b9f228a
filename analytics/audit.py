"""The audit log: who saw and exported what, and every sign-in, in an append-only keyed chain.

Each row carries an HMAC-SHA256 of its content and of the previous row's MAC, keyed with a
per-installation secret kept outside the store (``key_path``: ``SHUZHU_AUDIT_KEY_FILE``, else
``[audit] key_file`` in shuzhu.toml, else ``data/.audit_key``, created 0600 on first use, as the
importer keeps its party-key secret). A keyed *head* (table ``audit_head``: number of rows, last
row number and MAC, and an HMAC over them) is rewritten with every row in the same transaction.
``verify`` recomputes both: an edited row, a deleted row, rows deleted from the end, and a chain
rewritten by someone without the key are each detected. The module offers no update or delete;
administrators browse, check and export the log on the admin page. Export file names carry the
user and time (``export_name``) and exported tables a watermark line (``watermark``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from analytics import keyfile

AUDIT_DDL = """CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGINT PRIMARY KEY,
  ts TIMESTAMP NOT NULL,
  username VARCHAR NOT NULL,
  event VARCHAR NOT NULL,
  page VARCHAR,
  filters VARCHAR,
  detail VARCHAR,
  n_rows BIGINT,
  prev_hash VARCHAR NOT NULL,
  hash VARCHAR NOT NULL)"""

# The keyed head of the chain: one row, rewritten with every appended row.
HEAD_DDL = """CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY,
  n_rows BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  last_hash VARCHAR NOT NULL,
  mac VARCHAR NOT NULL)"""

EVENTS = ("sign_in", "sign_in_failed", "locked", "sign_out", "view", "export", "report",
          "suppression", "user_admin", "import", "alert_status")
_GENESIS = "0" * 64
KEY_ENV = "SHUZHU_AUDIT_KEY_FILE"
KEY_BYTES = 32
# One writer at a time in this process: sessions of the app share one DuckDB instance, and two
# appends at once would both read the same last row and conflict on the head (DuckDB's
# optimistic concurrency). Other processes cannot open the store while the app holds it.
_APPEND = threading.Lock()


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)
    con.execute(HEAD_DDL)


def key_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the chain's key is kept: ``SHUZHU_AUDIT_KEY_FILE``, else ``[audit] key_file`` in
    shuzhu.toml (path in ``SHUZHU_CONFIG``), else ``data/.audit_key``; never inside the store."""
    import tomllib

    from analytics.settings import PROJECT_ROOT

    env = dict(os.environ) if env is None else env
    if env.get(KEY_ENV):
        return Path(env[KEY_ENV]).expanduser()
    cfg = Path(env.get("SHUZHU_CONFIG", PROJECT_ROOT / "shuzhu.toml"))
    if cfg.is_file():
        with cfg.open("rb") as fh:
            configured = tomllib.load(fh).get("audit", {}).get("key_file")
        if configured:
            return Path(str(configured)).expanduser()
    return PROJECT_ROOT / "data" / ".audit_key"


def load_key(path: Path | None = None) -> bytes:
    """The chain's secret key, created (random, mode 0600) on first use."""
    path = path or key_path()
    return keyfile.read_or_create(path, KEY_BYTES)


def _digest(key: bytes, prev: str, seq: int, ts: datetime, user: str, event: str, page: str | None,
            filters: str | None, detail: str | None, n_rows: int | None) -> str:
    payload = json.dumps([prev, seq, ts.isoformat(), user, event, page, filters, detail, n_rows],
                         ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _head_mac(key: bytes, n_rows: int, last_seq: int, last_hash: str) -> str:
    return hmac.new(key, f"head|{n_rows}|{last_seq}|{last_hash}".encode(), hashlib.sha256).hexdigest()


def record(con: duckdb.DuckDBPyConnection, user: str, event: str, *, page: str | None = None,
           filters: Mapping[str, str] | str | None = None, detail: str | None = None,
           n_rows: int | None = None, now: datetime | None = None, key: bytes | None = None) -> int:
    """Append one row and move the keyed head in one transaction of its own (on a cursor of
    ``con``, so a caller's open transaction neither holds nor rolls back the audit row); returns
    the row's number. ``key``: the chain's key (default ``load_key()``)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    key = key or load_key()
    ensure_tables(con)
    ts = now or datetime.now()
    flt = json.dumps(dict(filters), ensure_ascii=False, sort_keys=True) if isinstance(filters, Mapping) else filters
    with _APPEND:
        return _append(con.cursor(), key, ts, user, event, page, flt, detail, n_rows)


def _append(cur: duckdb.DuckDBPyConnection, key: bytes, ts: datetime, user: str, event: str,
            page: str | None, flt: str | None, detail: str | None, n_rows: int | None) -> int:
    """The row and the head in one transaction on ``cur`` (closed after)."""
    try:
        cur.execute("BEGIN TRANSACTION")
        last = cur.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, _GENESIS)
        h = _digest(key, prev, seq, ts, user, event, page, flt, detail, n_rows)
        cur.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [seq, ts, user, event, page, flt, detail, n_rows, prev, h])
        (count,) = cur.execute("SELECT count(*) FROM audit_log").fetchone()  # type: ignore[misc]
        cur.execute("INSERT OR REPLACE INTO audit_head VALUES (1, ?, ?, ?, ?)",
                    [int(count), seq, h, _head_mac(key, int(count), seq, h)])
        cur.execute("COMMIT")
    except duckdb.Error:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()
    return seq


def read(con: duckdb.DuckDBPyConnection, *, user: str | None = None, event: str | None = None,
         limit: int = 1000) -> pd.DataFrame:
    """The newest rows first, optionally for one user or event (labels in Chinese)."""
    ensure_tables(con)
    where, params = [], []
    if user:
        where.append("username = ?")
        params.append(user)
    if event:
        where.append("event = ?")
        params.append(event)
    sql = ("SELECT seq AS 序号, ts AS 时间, username AS 用户, event AS 事件, page AS 页面, filters AS 筛选, "
           "detail AS 内容, n_rows AS 行数 FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC LIMIT ?")
    return con.execute(sql, [*params, int(limit)]).df()


@dataclass(frozen=True)
class ChainCheck:
    """Outcome of ``verify``: ``ok``, the rows present, the first row that does not verify (an
    edit, a gap, or a row written without the key), and ``truncated`` when the keyed head says
    the log had more rows (``expected``) than are left, or the head itself is missing or forged."""

    ok: bool
    rows: int
    first_bad: int | None = None
    truncated: bool = False
    expected: int | None = None

    @property
    def message(self) -> str:
        """The bilingual status line of the admin page."""
        if self.ok:
            return f"审计链完整：{self.rows:,} 条记录未被修改或删除。 / Audit chain intact ({self.rows:,} rows)."
        if self.first_bad is not None:
            return (f"审计链自第 {self.first_bad} 条起被修改、删除或改写。 / "
                    f"Audit chain broken at row {self.first_bad}.")
        if self.expected is not None:
            return (f"审计日志末尾记录被删除：应有 {self.expected:,} 条，现有 {self.rows:,} 条。 / "
                    f"Audit log truncated: {self.expected:,} rows recorded, {self.rows:,} left.")
        return ("审计链记录头缺失或被伪造，无法确认末尾记录未被删除。 / "
                "Audit head missing or forged: truncation cannot be ruled out.")


def verify(con: duckdb.DuckDBPyConnection, key: bytes | None = None) -> ChainCheck:
    """Recompute the keyed chain and check its head: the first row whose MAC, link or number does
    not match, rows missing at the end, or a head that is missing or not made with the key."""
    key = key or load_key()
    ensure_tables(con)
    prev = _GENESIS
    rows = con.execute(
        "SELECT seq, ts, username, event, page, filters, detail, n_rows, prev_hash, hash FROM audit_log ORDER BY seq"
    ).fetchall()
    expected_seq = 1
    for seq, ts, user, event, page, flt, detail, n_rows, prev_hash, h in rows:
        if seq != expected_seq or prev_hash != prev or not hmac.compare_digest(
                str(h), _digest(key, prev, seq, ts, user, event, page, flt, detail, n_rows)):
            return ChainCheck(False, len(rows), int(seq))
        prev = h
        expected_seq += 1
    head = con.execute("SELECT n_rows, last_seq, last_hash, mac FROM audit_head WHERE id = 1").fetchone()
    if head is None:
        return ChainCheck(not rows, len(rows), truncated=bool(rows))
    n, last_seq, last_hash, mac = int(head[0]), int(head[1]), str(head[2]), str(head[3])
    if not hmac.compare_digest(mac, _head_mac(key, n, last_seq, last_hash)):
        return ChainCheck(False, len(rows), truncated=True)
    if n != len(rows) or (rows and (last_seq != rows[-1][0] or last_hash != rows[-1][-1])):
        return ChainCheck(False, len(rows), truncated=True, expected=n)
    return ChainCheck(True, len(rows))


_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.-]+")


def export_name(stem: str, user: str, now: datetime | None = None) -> str:
    """A download file name carrying who exported it and when: 区县案件_张三_20251201-0930."""
    return f"{stem}_{_UNSAFE.sub('_', user)}_{(now or datetime.now()):%Y%m%d-%H%M}"


def watermark(user: str, now: datetime | None = None) -> str:
    """The first line of an exported table: who, when, internal use."""
    return f"内部资料 · 导出人：{user} · 导出时间：{(now or datetime.now()):%Y-%m-%d %H:%M} · 数助 Shuzhu"
