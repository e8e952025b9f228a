"""The monthly alert run: Farrington surges with BH across series, CUSUM shifts, repeat parties.

``surveillance(con, cfg)`` computes, once per store and config, the Farrington baseline of every
series for every month that has 3 past years, the BH decisions per month and the CUSUM. It is
kept in memory (keyed by the store file and its content fingerprint), so that replaying any month
afterwards costs a slice. ``month_alerts`` turns one month into ranked, explained alerts.

An alert of kind
- ``surge`` (突增): Farrington alarm (count above the upper bound, >= 5 cases in the last 4 months)
  whose p-value also passes Benjamini-Hochberg at ``fdr_q`` among all series tested that month;
- ``shift`` (持续偏高): the CUSUM of standardised residuals crossed ``cusum_h`` (and >= 5 cases in
  the last 4 months), without a surge alert that month;
- ``mass_dispute`` / ``professional_lender``: repeat-party rules (``analytics.alerts.parties``).

Alert ids are stable across months of one episode: ``kind|series|first month of the episode``
(the first of the consecutive months above the bound, or where the CUSUM left 0), so a status set
in one month stays with the alert while it lasts.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.alerts import cusum as cs
from analytics.alerts import explain as ex
from analytics.alerts.config import AlertConfig
from analytics.alerts.farrington import farrington_months
from analytics.alerts.multiple import benjamini_hochberg
from analytics.alerts.parties import party_alerts
from analytics.alerts.series import SeriesCube, build_cube, other_districts_total, store_fingerprint
from analytics.filters import CaseFilter

KIND_LABELS = {"surge": "突增", "shift": "持续偏高", "mass_dispute": "群体性纠纷", "professional_lender": "职业放贷人"}
ROLE_CN = {"defendant": "被告", "plaintiff": "原告"}
ALERT_COLUMNS = ["alert_id", "kind", "kind_label", "month", "adcode", "district", "level", "category", "cause_group",
                 "name",
                 "series_id", "observed", "expected", "upper", "strength", "pvalue", "run_months", "sentence",
                 "map_link", "trial_link", "party_key"]


@dataclass(frozen=True)
class Surveillance:
    """Baselines and decisions for every series (rows) and month (columns)."""

    cube: SeriesCube
    first: int  # first month index with a baseline
    expected: np.ndarray
    upper: np.ndarray
    se: np.ndarray
    pvalue: np.ndarray  # negative binomial predictive p-value (the BH input)
    alarm: np.ndarray  # Farrington alarm
    bh: np.ndarray  # BH rejection within the month
    cusum: np.ndarray
    cusum_alarm: np.ndarray
    enough: np.ndarray

    @property
    def months(self) -> tuple[str, ...]:
        """Months that can be replayed (those with a baseline)."""
        return self.cube.months[self.first:]

    def surge(self) -> np.ndarray:
        """Surge alerts: Farrington alarm and BH rejection."""
        return self.alarm & self.bh

    def shift(self) -> np.ndarray:
        """Shift alerts: CUSUM alarm with enough cases, not already a surge."""
        return self.cusum_alarm & self.enough & ~self.surge()


def compute(cube: SeriesCube, cfg: AlertConfig) -> Surveillance:
    """Run Farrington, BH and CUSUM over every month of ``cube``."""
    m, t = cube.counts.shape
    first = cfg.farrington.first_index
    shape = (m, t)
    expected, upper, se, pvalue = (np.full(shape, np.nan) for _ in range(4))
    alarm, bh, enough = (np.zeros(shape, dtype=bool) for _ in range(3))
    pop = other_districts_total(cube) if cfg.offset and m else None
    if m and t > first:
        ks = np.arange(first, t)
        r = farrington_months(cube.counts, ks, cfg.farrington, pop)
        expected[:, first:], upper[:, first:], se[:, first:] = r.expected, r.upper, r.se
        pvalue[:, first:], alarm[:, first:], enough[:, first:] = r.pvalue_nb, r.alarm, r.enough
        for k in ks:
            bh[:, k] = benjamini_hochberg(pvalue[:, k], cfg.fdr_q)
    z = cs.residuals(cube.counts, expected, se)
    s, calarm = cs.cusum(z, cfg.cusum_k, cfg.cusum_h) if m else (np.zeros(shape), np.zeros(shape, dtype=bool))
    return Surveillance(cube, first, expected, upper, se, pvalue, alarm, bh, s, calarm, enough)


DEFAULT = AlertConfig()
_MEMO: OrderedDict[tuple, Surveillance] = OrderedDict()


def surveillance(con: duckdb.DuckDBPyConnection, cfg: AlertConfig = DEFAULT) -> Surveillance:
    """``compute`` over the store's series, kept in memory per store content and config."""
    key = (store_fingerprint(con), cfg)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return _MEMO[key]
    out = compute(build_cube(con, cfg.procedure), cfg)
    _MEMO[key] = out
    while len(_MEMO) > 4:
        _MEMO.popitem(last=False)
    return out


def replay_months(con: duckdb.DuckDBPyConnection, cfg: AlertConfig = DEFAULT) -> list[str]:
    """Months that can be replayed, newest first."""
    return list(reversed(surveillance(con, cfg).months))


def _run_start(flags: np.ndarray, k: int) -> int:
    """Index of the first of the consecutive True values ending at k."""
    j = k
    while j - 1 >= 0 and flags[j - 1]:
        j -= 1
    return j


def series_alerts(sv: Surveillance, month: str, names: dict[int, str]) -> pd.DataFrame:
    """Surge and shift alerts of one month, explained."""
    k = sv.cube.month_index(month)
    keys, counts = sv.cube.keys, sv.cube.counts
    above = sv.enough & (counts > np.nan_to_num(sv.upper, nan=np.inf))
    rows = []
    for kind, mask in (("surge", sv.surge()[:, k]), ("shift", sv.shift()[:, k])):
        for i in np.flatnonzero(mask):
            key = keys.iloc[i]
            obs, exp_, up = int(counts[i, k]), float(sv.expected[i, k]), float(sv.upper[i, k])
            run = k - _run_start(above[i], k) + 1 if above[i, k] else 0
            district = names.get(int(key.adcode), str(key.adcode))
            if kind == "surge":
                start = _run_start(above[i], k)
                text = ex.surge_sentence(district, key["name"], month, obs, exp_, up, run)
            else:
                start = _run_start(sv.cusum[i] > 0, k)
                text = ex.shift_sentence(district, key["name"], month, obs, exp_, k - start + 1)
            flt = ex.case_filter(month, int(key.adcode), key.level, key["name"])
            map_link, trial_link = ex.links(flt)
            rows.append({
                "alert_id": f"{kind}|{key.series_id}|{sv.cube.months[start]}", "kind": kind,
                "kind_label": KIND_LABELS[kind], "month": month, "adcode": int(key.adcode), "district": district,
                "level": key.level, "category": key.category, "cause_group": key.cause_group, "name": key["name"],
                "series_id": key.series_id, "observed": obs, "expected": exp_, "upper": up,
                "strength": ex.strength(obs, exp_, up), "pvalue": float(sv.pvalue[i, k]), "run_months": run,
                "sentence": text, "map_link": map_link, "trial_link": trial_link, "party_key": None,
            })
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def repeat_party_alerts(con: duckdb.DuckDBPyConnection, month: str, cfg: AlertConfig,
                        names: dict[int, str]) -> pd.DataFrame:
    """Repeat-party alerts of one month, explained."""
    rows = []
    for rule in cfg.rules:
        got = party_alerts(con, rule, month)
        for r in got.itertuples(index=False):
            district = names.get(int(r.adcode), str(r.adcode))
            causes = "/".join(rule.causes)
            flt = ex.case_filter(month, int(r.adcode), None, None, causes=rule.causes)
            map_link, trial_link = ex.links(flt)
            n = int(r.cases_in_window)
            rows.append({
                "alert_id": f"{rule.kind}|{int(r.party_key)}|{r.first_crossed:%Y-%m}", "kind": rule.kind,
                "kind_label": KIND_LABELS[rule.kind], "month": month, "adcode": int(r.adcode), "district": district,
                "level": "party", "category": "民事", "cause_group": None, "name": causes, "series_id": None,
                "observed": n,
                "expected": float("nan"), "upper": float(rule.min_cases),
                "strength": (n - rule.min_cases) / rule.min_cases, "pvalue": float("nan"), "run_months": 0,
                "sentence": ex.party_sentence(rule.label, ROLE_CN[rule.role], int(r.party_key), district, causes,
                                              n, rule.window_days, rule.min_cases, bool(r.new)),
                "map_link": map_link, "trial_link": trial_link, "party_key": int(r.party_key),
            })
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def month_alerts(con: duckdb.DuckDBPyConnection, month: str, cfg: AlertConfig = DEFAULT,
                 names: dict[int, str] | None = None) -> pd.DataFrame:
    """All alerts of ``month`` ("YYYY-MM"), strongest first."""
    if names is None:
        from geodata import district_names

        names = district_names()
    sv = surveillance(con, cfg)
    frames = [f for f in (series_alerts(sv, month, names), repeat_party_alerts(con, month, cfg, names))
              if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["strength", "observed"], ascending=False, na_position="last").reset_index(drop=True)


def series_history(con: duckdb.DuckDBPyConnection, series_id: str, month: str, cfg: AlertConfig = DEFAULT,
                   n_months: int = 36) -> pd.DataFrame:
    """The last ``n_months`` up to ``month`` of one series with its baseline band, for the chart."""
    sv = surveillance(con, cfg)
    i = int(np.flatnonzero(sv.cube.keys["series_id"].to_numpy() == series_id)[0])
    k = sv.cube.month_index(month)
    lo = max(0, k - n_months + 1)
    sl = slice(lo, k + 1)
    return pd.DataFrame({
        "month": pd.to_datetime(list(sv.cube.months[sl])),
        "observed": sv.cube.counts[i, sl], "expected": sv.expected[i, sl], "upper": sv.upper[i, sl],
        "alarm": (sv.surge() | sv.shift())[i, sl],
    })


def district_counts(alerts: pd.DataFrame, adcodes: list[int]) -> pd.DataFrame:
    """Number of alerts per district (every district listed, 0 when none)."""
    got = alerts.groupby("adcode").size() if not alerts.empty else pd.Series(dtype="int64")
    return pd.DataFrame({"adcode": adcodes, "alerts": [int(got.get(a, 0)) for a in adcodes]})


def apply_filter(alerts: pd.DataFrame, flt: CaseFilter, cause_parent: dict[str, str]) -> pd.DataFrame:
    """Alerts within the shared filter's district, categories, cause groups and causes (years do not
    apply: the month is chosen on the page). Party alerts match on their causes."""
    keep = np.ones(len(alerts), dtype=bool)
    if flt.district is not None:
        keep &= (alerts["adcode"] == flt.district).to_numpy()
    if flt.categories:
        keep &= alerts["category"].isin(flt.categories).to_numpy()
    if flt.cause_groups or flt.causes:
        def hit(row: pd.Series) -> bool:
            names = str(row["name"]).split("/") if row["level"] == "party" else [row["name"]]
            groups = {cause_parent.get(n, n) for n in names} | ({row["cause_group"]} - {None})
            return bool(set(flt.causes) & set(names)) or bool(set(flt.cause_groups) & groups)
        keep &= alerts.apply(hit, axis=1).to_numpy(dtype=bool) if len(alerts) else keep
    return alerts[keep].reset_index(drop=True)


def tested_series(con: duckdb.DuckDBPyConnection, month: str, cfg: AlertConfig = DEFAULT) -> int:
    """Number of series with a baseline in ``month`` (the BH family size)."""
    sv = surveillance(con, cfg)
    return int((~np.isnan(sv.pvalue[:, sv.cube.month_index(month)])).sum())
