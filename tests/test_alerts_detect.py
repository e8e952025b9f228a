"""The monthly alert run on the small synthetic store: series, ranking, wording, replay, filters, config."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.alerts import detect
from analytics.alerts.config import AlertConfig, load_alert_config
from analytics.alerts.series import build_cube, other_districts_total
from analytics.filters import CaseFilter


def test_cube_counts_equal_pandas(con, small_cases: pd.DataFrame) -> None:
    cube = build_cube(con)
    df = small_cases[small_cases["procedure"].astype(str) == "一审"].copy()
    start = pd.Timestamp(cube.months[0] + "-01")
    df = df[pd.to_datetime(df["filed_date"]) >= start]
    df["month"] = pd.to_datetime(df["filed_date"]).dt.strftime("%Y-%m")
    df = df[df["month"] <= cube.months[-1]]
    want = df.groupby([df["adcode"].astype(int), df["cause"].astype(str), "month"]).size()
    keys = cube.keys.reset_index(drop=True)
    causes = keys[keys["level"] == "cause"]
    got = {}
    for i, row in causes.iterrows():
        for j in np.flatnonzero(cube.counts[i]):
            got[(int(row["adcode"]), row["name"], cube.months[j])] = int(cube.counts[i, j])
    assert got == {k: int(v) for k, v in want.items()}
    # group rows are the sums of their causes
    groups = keys[keys["level"] == "cause_group"]
    i = int(groups.index[0])
    members = causes[(causes["adcode"] == keys.loc[i, "adcode"]) & (causes["cause_group"] == keys.loc[i, "name"])]
    assert len(members) > 1
    assert (cube.counts[members.index].sum(0) == cube.counts[i]).all()


def test_offset_is_the_other_districts_of_the_same_category(con) -> None:
    cube = build_cube(con)
    pop = other_districts_total(cube)
    keys = cube.keys
    row = int(np.flatnonzero((keys["level"] == "cause").to_numpy())[0])
    cat, adcode = keys.loc[row, "category"], keys.loc[row, "adcode"]
    same_cat = (keys["level"] == "cause") & (keys["category"] == cat)
    others = cube.counts[(same_cat & (keys["adcode"] != adcode)).to_numpy()].sum(0)
    assert (pop[row] == np.maximum(others, 1)).all()


def test_month_alerts_are_ranked_explained_and_stable(con) -> None:
    months = detect.replay_months(con)
    cube = build_cube(con)
    assert months[-1] == cube.months[36 + AlertConfig().farrington.w]  # 3 years + w months of history
    assert months[0] == cube.months[-1]
    found = [(m, detect.month_alerts(con, m)) for m in months[:36]]
    found = [(m, a) for m, a in found if not a.empty]
    assert found, "no alert in three years of the small store"
    for month, alerts in found:
        s = alerts["strength"].to_numpy()
        assert (np.diff(s[~np.isnan(s)]) <= 1e-12).all()
        assert alerts["alert_id"].is_unique
        for row in alerts.itertuples():
            assert row.month == month
            if row.kind == "surge":
                assert row.observed > row.upper > row.expected
                pattern = r"\S+ \S+ \d{4}年\d{1,2}月 \d+件，预期 \d+件（上限 \d+件），(超出上限|连续\d+个月超出)"
                assert re.fullmatch(pattern, row.sentence), row.sentence
            assert row.map_link.startswith("/?") and row.trial_link.startswith("/trial?")
            assert f"d={row.adcode}" in row.map_link
    # an episode keeps its id while it lasts
    sv = detect.surveillance(con)
    flagged = sv.surge() | sv.shift()
    for i, k in zip(*np.nonzero(flagged[:, 1:] & flagged[:, :-1]), strict=False):
        a1 = detect.month_alerts(con, sv.cube.months[k])
        a2 = detect.month_alerts(con, sv.cube.months[k + 1])
        sid = sv.cube.keys["series_id"].iloc[i]
        ids1, ids2 = set(a1.loc[a1["series_id"] == sid, "alert_id"]), set(a2.loc[a2["series_id"] == sid, "alert_id"])
        if ids1 and ids2 and {x.split("|")[0] for x in ids1} == {x.split("|")[0] for x in ids2}:
            assert ids1 == ids2
            break


def test_surveillance_is_computed_once_per_store(con) -> None:
    assert detect.surveillance(con) is detect.surveillance(con)
    assert detect.surveillance(con, AlertConfig(fdr_q=0.01)) is not detect.surveillance(con)


def test_series_history_has_the_band(con) -> None:
    sv = detect.surveillance(con)
    month = detect.replay_months(con)[0]
    sid = sv.cube.keys["series_id"].iloc[int(np.nanargmax(sv.expected[:, -1]))]
    h = detect.series_history(con, sid, month, n_months=24)
    assert len(h) == 24 and h["month"].iloc[-1] == pd.Timestamp(month + "-01")
    ok = h["expected"].notna()
    assert (h.loc[ok, "upper"] > h.loc[ok, "expected"]).all()


def test_shared_filter_narrows_the_alerts() -> None:
    alerts = pd.DataFrame({
        "adcode": [320614, 320612, 320614], "category": ["民事", "刑事", "民事"],
        "level": ["cause", "cause_group", "party"], "cause_group": ["劳动争议、人事争议", "侵犯财产罪", None],
        "name": ["劳动争议", "侵犯财产罪", "劳动争议/追索劳动报酬纠纷"]})
    base = CaseFilter(2025, 2025)
    parent = {"劳动争议": "劳动争议、人事争议", "追索劳动报酬纠纷": "劳动争议、人事争议"}
    assert len(detect.apply_filter(alerts, base, parent)) == 3
    assert detect.apply_filter(alerts, base.with_(district=320614), parent)["adcode"].tolist() == [320614, 320614]
    assert detect.apply_filter(alerts, base.with_(categories=("刑事",)), parent)["name"].tolist() == ["侵犯财产罪"]
    got = detect.apply_filter(alerts, base.with_(cause_groups=("劳动争议、人事争议",)), parent)
    assert got["level"].tolist() == ["cause", "party"]


def test_config_from_toml(tmp_path: Path) -> None:
    cfg_file = tmp_path / "shuzhu.toml"
    cfg_file.write_text("[alerts]\nfdr_q = 0.01\nw = 1\n[alerts.mass_dispute]\nmin_cases = 5\n", encoding="utf-8")
    cfg = load_alert_config({"SHUZHU_CONFIG": str(cfg_file)})
    assert cfg.fdr_q == pytest.approx(0.01) and cfg.farrington.w == 1
    rules = {r.kind: r for r in cfg.rules}
    assert rules["mass_dispute"].min_cases == 5 and rules["mass_dispute"].window_days == 90
    assert rules["professional_lender"].min_cases == 10
    assert load_alert_config({"SHUZHU_CONFIG": str(tmp_path / "none.toml")}) == AlertConfig()
