"""Alert status in the store: validation, history, and survival across connections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics.alerts import status as S


def test_status_survives_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    S.set_status(con, "surge|320614|cause|劳动争议|2025-10", "已核实", "张三", "已与劳动仲裁核对",
                 at=datetime(2025, 11, 3, 9, 0))
    S.set_status(con, "surge|320614|cause|劳动争议|2025-10", "已处置", "李四", "", at=datetime(2025, 11, 20, 15, 0))
    S.set_status(con, "mass_dispute|20400001|2025-09", "误报", at=datetime(2025, 11, 4, 8, 0))
    con.close()
    again = duckdb.connect(str(path))
    assert S.current_status(again) == {"surge|320614|cause|劳动争议|2025-10": "已处置",
                                       "mass_dispute|20400001|2025-09": "误报"}
    hist = S.history(again, "surge|320614|cause|劳动争议|2025-10")
    assert hist["status"].tolist() == ["已处置", "已核实"]  # newest first
    assert hist["who"].tolist() == ["李四", "张三"]
    assert hist["note"].iloc[1] == "已与劳动仲裁核对" and pd.isna(hist["note"].iloc[0])
    alerts = pd.DataFrame({"alert_id": ["mass_dispute|20400001|2025-09", "shift|x|2025-01"]})
    assert S.with_status(alerts, again)["status"].tolist() == ["误报", "新"]
    again.close()


def test_same_time_changes_keep_their_order() -> None:
    con = duckdb.connect()
    at = datetime(2025, 1, 1, 12, 0)
    S.set_status(con, "a", "已核实", at=at)
    S.set_status(con, "a", "误报", at=at)
    assert S.current_status(con) == {"a": "误报"}


def test_bad_status_is_refused_with_a_clear_message() -> None:
    con = duckdb.connect()
    with pytest.raises(S.StatusError, match="未知的状态"):
        S.set_status(con, "a", "closed")
    with pytest.raises(S.StatusError, match="missing alert id"):
        S.set_status(con, "", "新")
    with pytest.raises(S.StatusError, match="500"):
        S.set_status(con, "a", "新", note="x" * 501)
    assert S.history(con).empty
