"""The audit log: who saw and exported what, and every sign-in, in an append-only hash chain.

Each row carries the SHA-256 of its content and of the previous row's hash, so an edited or
deleted row breaks the chain from that point (``verify``), as in a tamper-evident log. The
module offers no update or delete; administrators browse and export it on the admin page.
Export file names carry the user and time (``export_name``) and exported tables a watermark
line (``watermark``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

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

EVENTS = ("sign_in", "sign_in_failed", "locked", "sign_out", "view", "export", "report",
          "suppression", "user_admin", "import")
_GENESIS = "0" * 64


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)


def _digest(prev: str, seq: int, ts: datetime, user: str, event: str, page: str | None,
            filters: str | None, detail: str | None, n_rows: int | None) -> str:
    payload = json.dumps([prev, seq, ts.isoformat(), user, event, page, filters, detail, n_rows],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(con: duckdb.DuckDBPyConnection, user: str, event: str, *, page: str | None = None,
           filters: Mapping[str, str] | str | None = None, detail: str | None = None,
           n_rows: int | None = None, now: datetime | None = None) -> int:
    """Append one row (in its own transaction unless the caller has one); returns its number."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    ensure_tables(con)
    ts = now or datetime.now()
    flt = json.dumps(dict(filters), ensure_ascii=False, sort_keys=True) if isinstance(filters, Mapping) else filters
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, _GENESIS)
    h = _digest(prev, seq, ts, user, event, page, flt, detail, n_rows)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, ts, user, event, page, flt, detail, n_rows, prev, h])
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
    ok: bool
    rows: int
    first_bad: int | None = None


def verify(con: duckdb.DuckDBPyConnection) -> ChainCheck:
    """Recompute the chain: the first row whose hash or link does not match, if any."""
    ensure_tables(con)
    prev = _GENESIS
    rows = con.execute(
        "SELECT seq, ts, username, event, page, filters, detail, n_rows, prev_hash, hash FROM audit_log ORDER BY seq"
    ).fetchall()
    expected_seq = 1
    for seq, ts, user, event, page, flt, detail, n_rows, prev_hash, h in rows:
        if seq != expected_seq or prev_hash != prev or h != _digest(prev, seq, ts, user, event, page, flt,
                                                                     detail, n_rows):
            return ChainCheck(False, len(rows), int(seq))
        prev = h
        expected_seq += 1
    return ChainCheck(True, len(rows))


_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.-]+")


def export_name(stem: str, user: str, now: datetime | None = None) -> str:
    """A download file name carrying who exported it and when: 区县案件_张三_20251201-0930."""
    return f"{stem}_{_UNSAFE.sub('_', user)}_{(now or datetime.now()):%Y%m%d-%H%M}"


def watermark(user: str, now: datetime | None = None) -> str:
    """The first line of an exported table: who, when, internal use."""
    return f"内部资料 · 导出人：{user} · 导出时间：{(now or datetime.now()):%Y-%m-%d %H:%M} · 数助 Shuzhu"
