"""Evaluation on planted events: recall, detection delay, false alarms per month.

The synthetic generator plants a documented set of events (``seeds.plants.PLANTED``): surges
(a multiple ``factor`` of a district x cause series' expected monthly count for ``months`` months
from ``start``), a mass wage dispute against one employer and a professional lender. This module
replays the monthly alert run over a range of months and reports:

- recall of planted surges of 2x or more found within 2 months: an alert (surge or shift) on the
  planted series or its cause-group series in the event's first or second month (delay 0 or 1);
- detection delay in months (first alert month - start) per planted surge;
- false alarms per month: surge and shift alerts on series that carry no plant, per replayed month;
- for every party plant: the month its window count first reaches the threshold, computed here in
  pandas (independently of the SQL window in ``parties``), and whether the alert run lists the
  party in exactly that month.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.alerts.config import AlertConfig, PartyRule
from analytics.alerts.detect import DEFAULT, surveillance
from analytics.alerts.parties import party_alerts


def _shift_month(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) - 1 + n
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _planted() -> Sequence[Any]:
    from seeds.plants import PLANTED  # the manifest of the synthetic data set

    return PLANTED


def crossing_month(con: duckdb.DuckDBPyConnection, rule: PartyRule, key: int) -> str | None:
    """First month in which ``key``'s cases in any ``window_days`` window reach ``min_cases`` (pandas)."""
    col = f"{rule.role}_key"
    causes = ", ".join("?" for _ in rule.causes)
    dates = con.execute(
        f"SELECT filed_date FROM cases WHERE {col} = ? AND procedure::VARCHAR = '一审' "
        f"AND cause::VARCHAR IN ({causes}) ORDER BY filed_date", [key, *rule.causes]).df()["filed_date"]
    d = pd.to_datetime(dates).to_numpy()
    for i in range(len(d)):
        # cases filed in (d[i] - window, d[i]]: the window ending on this filing day
        lo = np.searchsorted(d, d[i] - np.timedelta64(rule.window_days, "D"), side="right")
        hi = np.searchsorted(d, d[i], side="right")
        if hi - lo >= rule.min_cases:
            return pd.Timestamp(d[i]).strftime("%Y-%m")
    return None


def evaluate(con: duckdb.DuckDBPyConnection, months: Sequence[str] | None = None, cfg: AlertConfig = DEFAULT,
             plants: Sequence[Any] | None = None, min_factor: float = 2.0, within: int = 2) -> dict[str, Any]:
    """Replay ``months`` (default: every month with a baseline) and score the alerts against ``plants``."""
    plants = _planted() if plants is None else plants
    sv = surveillance(con, cfg)
    months = list(sv.months if months is None else months)
    idx = [sv.cube.month_index(m) for m in months]
    keys = sv.cube.keys
    sid = {s: i for i, s in enumerate(keys["series_id"])}
    flagged = sv.surge() | sv.shift()
    group_of = dict(zip(keys["name"], keys["cause_group"], strict=False))

    planted_rows: set[int] = set()
    surges = []
    for p in plants:
        if p.kind != "surge":
            continue
        rows = [sid[s] for s in (f"{p.adcode}|cause|{p.cause}", f"{p.adcode}|cause_group|{group_of.get(p.cause)}")
                if s in sid]
        planted_rows.update(rows)
        if p.start not in months:
            continue
        k0 = sv.cube.month_index(p.start)
        delay = None
        for d in range(p.months + within):
            k = k0 + d
            if k < flagged.shape[1] and rows and flagged[rows, k].any():
                delay = d
                break
        surges.append({"adcode": p.adcode, "cause": p.cause, "start": p.start, "months": p.months,
                       "factor": p.factor, "delay": delay, "found": delay is not None and delay < within})
    big = [s for s in surges if s["factor"] >= min_factor]
    others = np.array([i not in planted_rows for i in range(len(keys))])
    surge_fa = sv.surge()[others][:, idx].sum(0) if idx else np.zeros(0)
    shift_fa = sv.shift()[others][:, idx].sum(0) if idx else np.zeros(0)

    parties = []
    rules = {r.kind: r for r in cfg.rules}
    for p in plants:
        if p.kind not in rules or p.party_key is None:
            continue
        rule = rules[p.kind]
        cross = crossing_month(con, rule, int(p.party_key))
        first_alert = None
        probe = [m for m in months if m >= _shift_month(p.start, -1)][: p.months + 24]
        for m in probe:
            got = party_alerts(con, rule, m)
            if (got["party_key"] == p.party_key).any():
                first_alert = m
                break
        parties.append({"kind": p.kind, "party_key": int(p.party_key), "start": p.start,
                        "crossing_month": cross, "first_alert_month": first_alert,
                        "found_in_crossing_month": cross is not None and first_alert == cross})
    delays = [s["delay"] for s in big if s["delay"] is not None]
    n = max(len(idx), 1)
    return {
        "months": len(idx),
        "series": len(keys),
        "surge_plants": len(surges),
        "surge_plants_2x": len(big),
        "recall_2x_within_2_months": (sum(s["found"] for s in big) / len(big)) if big else None,
        "recall_all_within_2_months": (sum(s["found"] for s in surges) / len(surges)) if surges else None,
        "mean_delay_months": float(np.mean(delays)) if delays else None,
        "false_alarms_per_month": float((surge_fa.sum() + shift_fa.sum()) / n),
        "false_surges_per_month": float(surge_fa.sum() / n),
        "false_shifts_per_month": float(shift_fa.sum() / n),
        "max_false_alarms_in_a_month": int((surge_fa + shift_fa).max()) if idx else 0,
        "surges": surges,
        "parties": parties,
        "parties_found_in_crossing_month": all(p["found_in_crossing_month"] for p in parties) if parties else None,
    }
