"""Alert status kept in the store: 新 / 已核实 / 已处置 / 误报, who, when, note; full history.

Table ``alert_status`` (created when missing; the app opens the store read-write) holds one row
per change, never updated in place, so the history of every alert can be browsed; the current
status is the latest row. An alert without a row is 新. The table lives in the case store file,
so it survives an app restart (a rebuild of the store from scratch starts a new history).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

STATUSES: tuple[str, ...] = ("新", "已核实", "已处置", "误报")
NEW = STATUSES[0]
CLOSED: frozenset[str] = frozenset({"已处置", "误报"})  # no longer active
MAX_TEXT = 500

DDL = """CREATE TABLE IF NOT EXISTS alert_status (
    alert_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    who VARCHAR,
    changed_at TIMESTAMP NOT NULL,
    note VARCHAR
)"""


class StatusError(ValueError):
    """A status change that cannot be stored (bilingual message)."""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``alert_status`` if it is missing."""
    con.execute(DDL)


def set_status(con: duckdb.DuckDBPyConnection, alert_id: str, status: str, who: str = "", note: str = "",
               at: datetime | None = None) -> None:
    """Record a status change (appends to the history)."""
    if status not in STATUSES:
        raise StatusError(f"未知的状态「{status}」，应为 {'/'.join(STATUSES)} / unknown status {status!r}")
    if not alert_id:
        raise StatusError("缺少预警编号 / missing alert id")
    who, note = who.strip(), note.strip()
    if len(who) > MAX_TEXT or len(note) > MAX_TEXT:
        raise StatusError(f"处理人或备注过长（最多 {MAX_TEXT} 字） / who or note longer than {MAX_TEXT} characters")
    ensure_table(con)
    con.execute("INSERT INTO alert_status VALUES (?, ?, ?, ?, ?)",
                [alert_id, status, who or None, at or datetime.now().replace(microsecond=0), note or None])


def current_status(con: duckdb.DuckDBPyConnection, alert_ids: list[str] | None = None) -> dict[str, str]:
    """Latest status per alert id (only ids with a recorded change; the rest are 新)."""
    ensure_table(con)
    rows = con.execute(
        """SELECT alert_id, arg_max(status, (changed_at, rowid)) FROM alert_status GROUP BY alert_id"""
    ).fetchall()
    got = {a: s for a, s in rows}
    if alert_ids is None:
        return got
    return {a: got[a] for a in alert_ids if a in got}


def with_status(alerts: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``alerts`` with a ``status`` column (新 when never changed)."""
    cur = current_status(con, list(alerts["alert_id"]))
    return alerts.assign(status=[cur.get(a, NEW) for a in alerts["alert_id"]])


def history(con: duckdb.DuckDBPyConnection, alert_id: str | None = None) -> pd.DataFrame:
    """Every recorded change, newest first (of one alert, or of all)."""
    ensure_table(con)
    where, args = ("WHERE alert_id = ?", [alert_id]) if alert_id else ("", [])
    return con.execute(
        f"SELECT alert_id, status, who, changed_at, note FROM alert_status {where} "
        "ORDER BY changed_at DESC, rowid DESC", args
    ).df()
