"""Deterministic generator of the synthetic default data set (Nantong courts, 2016-2025).

``generate_cases(seed, scale)`` returns one row per case in the schema of
``analytics.schema``; the same seed and scale always give the same frame. First instances and
other independent cases are drawn first; appeals, retrial petitions and enforcement cases are
then derived from closed cases, so the links that indicators follow (上诉, 改判发回, 执行到位)
exist and are consistent.

Court structure (级别管辖 and 审级): basic courts hear most first instances; 苏06 (南通中院) hears
行初 against county-level governments, large or specialised 民初 (amount thresholds of
法发〔2015〕7号 / 〔2021〕27号, patent cases) and 刑初 punishable by life imprisonment or death,
all appeals of basic-court first instances, and 民申 against basic courts' effective judgments.
Appeals of 苏06's own first instances and petitions against 苏06's decisions go to 江苏高院,
which is outside the store: they are not filed here but counted, by type and year, in
``df.attrs["higher_court_filings"]`` (written to the store's ``meta`` as JSON). Events for the
warning module are planted by ``seeds.plants``.

Run ``python -m seeds.generate [--scale S] [--out PATH]`` to build a store by hand.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from analytics.codes import COURT_BY_CODE, COURTS, TYPE_CODES
from analytics.schema import CASE_COLUMN_NAMES
from seeds import catalog as cat
from seeds import plants
from seeds.parties import PARTY_COLUMNS, assign_parties

Progress = Callable[[float, str], None]
GENERATOR_VERSION = "2"
DAY = np.timedelta64(1, "D")


def _noop(_f: float, _m: str) -> None:
    return None


def _obj(values: object, index: pd.Index | None = None) -> pd.Series:
    """A Series of Python strings: text columns stay ``object`` while the frame is built (pandas 3's
    Arrow strings cost ~1 s per 1.7M-row conversion to NumPy; ``_finalise`` converts once)."""
    return pd.Series(values, index=index, dtype=object)


def _codes(values: np.ndarray) -> tuple[np.ndarray, dict]:
    """Integer codes of a text array and {value: code}, for fast repeated selections."""
    codes, uniques = pd.factorize(values)
    return codes, {v: i for i, v in enumerate(uniques)}


def _choice(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    """n draws from a {value: weight} mapping (weights need not sum to 1)."""
    keys = list(options)
    w = np.asarray([options[k] for k in keys], dtype=float)
    idx = rng.choice(len(keys), size=n, p=w / w.sum())
    return np.asarray(keys, dtype=object)[idx]


def day_weights(year: int) -> tuple[np.ndarray, np.ndarray]:
    """Filing intensity for each day of a year: working days, Spring Festival, 2020 closure."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    dow = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    w = np.where(dow < 5, 1.0, np.where(dow == 5, 0.06, 0.04))
    lny = np.datetime64(cat.SPRING_FESTIVAL[year])
    off = (days - lny) / DAY
    w = np.where((off >= -3) & (off <= 6), w * 0.05, w)
    w = np.where(((off >= -10) & (off < -3)) | ((off > 6) & (off <= 14)), w * 0.75, w)
    oct1 = np.datetime64(f"{year}-10-01")
    w = np.where((days >= oct1) & (days < oct1 + 7), w * 0.05, w)
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    # Courts hold back non-urgent filings at year end and catch up in January.
    w = np.where(month == 12, w * 0.85, np.where(month == 1, w * 1.1, w))
    if year == 2020:  # COVID-19: courts suspended most counter filing, Feb to mid-March
        w = np.where((days >= np.datetime64("2020-02-01")) & (days < np.datetime64("2020-03-16")),
                     w * 0.3, w)
    return days, w / w.sum()


class _Places:
    """Samples case locations inside district polygons (town clusters + spread)."""

    def __init__(self, rng: np.random.Generator) -> None:
        import geodata

        self.rng = rng
        self.polys = geodata.district_polygons()
        outline = shapely.unary_union(list(self.polys.values()))
        edge = outline.boundary
        # "Riverside" zone: the part of a district within ~3 km of the city's outer edge,
        # which for most districts is the Yangtze bank or the sea coast.
        self.bank = {
            a: p.intersection(p.boundary.intersection(edge.buffer(0.002)).buffer(0.03))
            for a, p in self.polys.items()
        }
        for a, zone in self.bank.items():
            if zone.is_empty or zone.area < 1e-5:
                self.bank[a] = self.polys[a]

    def sample(self, adcode: int, n: int, riverside: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """n points (lon, lat) inside the district (near the bank if ``riverside``)."""
        poly = self.bank[adcode] if riverside else self.polys[adcode]
        minx, miny, maxx, maxy = poly.bounds
        xs = np.empty(0)
        ys = np.empty(0)
        towns = np.asarray(cat.TOWNS[adcode])
        while len(xs) < n:
            m = max(64, int((n - len(xs)) * 1.6))
            if riverside:
                cx = self.rng.uniform(minx, maxx, m)
                cy = self.rng.uniform(miny, maxy, m)
            else:
                pick = self.rng.choice(len(towns), size=m, p=towns[:, 2] / towns[:, 2].sum())
                spread = self.rng.random(m) < 0.3
                cx = np.where(spread, self.rng.uniform(minx, maxx, m),
                              towns[pick, 0] + self.rng.normal(0, 0.035, m))
                cy = np.where(spread, self.rng.uniform(miny, maxy, m),
                              towns[pick, 1] + self.rng.normal(0, 0.03, m))
            inside = shapely.contains_xy(poly, cx, cy)
            xs = np.concatenate([xs, cx[inside]])
            ys = np.concatenate([ys, cy[inside]])
        return np.round(xs[:n], 5), np.round(ys[:n], 5)


def _district_weights() -> dict[int, float]:
    pop = pd.Series(cat.DISTRICT_POP, dtype=float)
    gdp = pd.Series(cat.DISTRICT_GDP, dtype=float)
    w = 0.7 * pop / pop.sum() + 0.3 * gdp / gdp.sum()
    return w.to_dict()


def _basic_court(adcode: np.ndarray, filed: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """The basic court for a district on a filing date (港闸 until 2020-07, 海安 re-coded 2018).

    With ``rng``, part of 崇川's cases before the merger go to 港闸 court; without, none do.
    """
    court = pd.Series(adcode).map(_CURRENT_COURT).to_numpy(dtype=object)
    haian_old = (adcode == 320685) & (filed < np.datetime64(_HAIAN_NEW.valid_from))
    court[haian_old] = "苏0621"
    if rng is not None:
        gangzha = (adcode == 320613) & _before_gangzha_closed(filed) & (rng.random(len(adcode)) < 0.22)
        court[gangzha] = _GANGZHA.code
    return court


# Court facts come from analytics.codes: today's basic court per district, and the dates of the
# two changes (海安 re-coded 2018, 港闸 merged into 崇川 2020).
_CURRENT_COURT = {c.adcode: c.code for c in COURTS if c.level == "basic" and c.valid_to is None}
_HAIAN_NEW = COURT_BY_CODE["苏0685"]
_GANGZHA = COURT_BY_CODE["苏0611"]


def _successor(court: np.ndarray, filed: np.ndarray) -> np.ndarray:
    """The code a court files under on a date: 港闸's cases go to 崇川 after the merger, 海安 re-coded."""
    court = court.copy()
    court[(court == _GANGZHA.code) & ~_before_gangzha_closed(filed)] = _CURRENT_COURT[320613]
    court[(court == "苏0621") & (filed >= np.datetime64(_HAIAN_NEW.valid_from))] = _HAIAN_NEW.code
    return court


def _before_gangzha_closed(filed: np.ndarray) -> np.ndarray:
    """Filing dates on which 港闸 court still took cases."""
    return filed <= np.datetime64(_GANGZHA.valid_to)


def _finish(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Add closing date and outcome from the duration and outcome models."""
    n = len(df)
    med = np.ones(n)
    sig = np.ones(n)
    # pandas 3 strings are Arrow-backed: convert once, not per comparison.
    types, t_idx = _codes(df["type_code"].to_numpy(dtype=object))
    tracks, k_idx = _codes(df["track"].to_numpy(dtype=object))
    causes, c_idx = _codes(df["cause"].to_numpy(dtype=object))
    for (tc, track), (m, s) in cat.DURATION.items():
        sel = types == t_idx.get(tc, -2)
        if track is not None:
            sel &= tracks == k_idx.get(track, -2)
        med[sel], sig[sel] = m, s
    year = df["filed_date"].dt.year.to_numpy()
    speed = 1 - 0.015 * (year - 2016)
    for y, f in cat.DURATION_BY_YEAR.items():
        speed[year == y] = f
    med = med * speed  # slower after the 2015 filing reform, then a little faster every year
    days = rng.lognormal(np.log(med), sig)
    tail = rng.random(n) < cat.LONG_TAIL_SHARE
    days = np.where(tail, days * rng.uniform(2.5, 7, n), days)
    days = np.maximum(np.round(days), 1).astype("int64")
    closed = df["filed_date"].to_numpy() + days * DAY
    # Year-end push (年底结案冲刺): many cases due in early January are closed in late December.
    doy = (closed - closed.astype("datetime64[Y]")) / DAY
    push = (doy < 20) & (rng.random(n) < 0.4)
    pushed = closed.astype("datetime64[Y]").astype("datetime64[D]") - rng.integers(1, 12, n) * DAY
    ok = push & (pushed > df["filed_date"].to_numpy())
    closed = np.where(ok, pushed, closed)
    outcome = np.empty(n, dtype=object)
    for tc, mix in cat.OUTCOMES.items():
        sel = types == t_idx.get(tc, -2)
        if sel.any():
            outcome[sel] = _choice(rng, mix, int(sel.sum()))
    for cause, mix in cat.CAUSE_OUTCOMES.items():
        sel = (causes == c_idx.get(cause, -2)) & (types == t_idx.get("民初", -2))
        if sel.any():
            outcome[sel] = _choice(rng, mix, int(sel.sum()))
    return df.assign(closed_date=closed.astype("datetime64[s]"), outcome=_obj(outcome, df.index))


def cause_district_weights(c: cat.Cause) -> dict[int, float]:
    """Where a cause's disputes arise: its own districts, or the default weights times its boosts."""
    if c.districts:
        return dict(c.districts)
    return {a: w * c.district_boost.get(a, 1.0) for a, w in _district_weights().items()}


def _base_cases(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """First instances and other independent cases for every year (type, cause, place, date)."""
    dist_w = _district_weights()
    own = {c.name: cause_district_weights(c) for cs in cat.CAUSES_BY_TYPE.values() for c in cs
           if c.districts or c.district_boost}
    frames = []
    for year in (cat.LEAD_IN_YEAR, *cat.YEARS):
        days, p = day_weights(year)
        for tc, share in cat.BASE_MIX.items():
            n = round(cat.NEW_FILINGS[year] * scale * share * cat.BASE_SCALE)
            if n == 0:
                continue
            causes = cat.CAUSES_BY_TYPE[tc]
            w = {c.name: c.weight * c.trend.get(year, 1.0) for c in causes}
            cause = _choice(rng, w, n)
            adcode = _choice(rng, dist_w, n).astype("int64")
            for c in causes:
                if c.name in own:
                    sel = cause == c.name
                    adcode[sel] = _choice(rng, own[c.name], int(sel.sum())).astype("int64")
            filed = np.sort(rng.choice(days, size=n, p=p))
            rng.shuffle(filed)
            frames.append(pd.DataFrame({"type_code": _obj(np.full(n, tc, dtype=object)), "cause": _obj(cause),
                                        "adcode": adcode,
                                        "filed_date": filed.astype("datetime64[s]")}))
    df = pd.concat(frames, ignore_index=True)
    df["origin"] = -1
    return df


def _tracks(rng: np.random.Generator, df: pd.DataFrame) -> np.ndarray:
    """适用程序 of first instances by filing year."""
    track = np.full(len(df), None, dtype=object)
    tc, t_idx = _codes(df["type_code"].to_numpy(dtype=object))
    year = df["filed_date"].dt.year.to_numpy()
    for y in np.unique(year):
        for code, mix in (("民初", cat.civil_tracks(int(y))), ("刑初", cat.criminal_tracks(int(y)))):
            sel = (tc == t_idx.get(code, -2)) & (year == y)
            if sel.any():
                track[sel] = _choice(rng, mix, int(sel.sum()))
    return track


def intermediate_civil_threshold(filed: np.ndarray) -> np.ndarray:
    """标的额 from which a 民初 filed on each date belongs to 苏06 (级别管辖)."""
    out = np.full(len(filed), np.inf)
    for since, amount in cat.INTERMEDIATE_CIVIL_AMOUNT:
        out = np.where(filed >= np.datetime64(since), amount, out)
    return out


def _courts(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> np.ndarray:
    """The court that files each independent case (basic court, 苏06, or the Yangtze tribunal)."""
    filed = df["filed_date"].to_numpy()
    court = _basic_court(df["adcode"].to_numpy(), filed, rng)
    tc = df["type_code"].to_numpy(dtype=object)
    r = rng.random(len(df))
    share = df["cause"].map({n: c.intermediate for n, c in causes.items()}).fillna(0.0).to_numpy(dtype=float)
    inter = ((tc == "行初") & (r < cat.ADMIN_AT_INTERMEDIATE)) | ((tc == "刑更") & (r < 0.9))
    inter |= np.isin(tc, ["民初", "刑初"]) & (r < share)
    inter |= (tc == "民初") & (df["amount"].to_numpy(dtype=float) >= intermediate_civil_threshold(filed))
    court[inter] = "苏06"
    env = df["cause"].isin(cat.ENV_CENTRALISED).to_numpy() & (filed >= np.datetime64(cat.ENV_FROM))
    court[env] = cat.ENV_COURT
    return court


def _wage_waves(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Move a share of wage claims against builders into the year-end / pre-festival wave."""
    sel = (df["cause"].isin(cat.WAGE_WAVE_CAUSES).to_numpy() & (df["defendant_industry"] == "建筑业").to_numpy()
           & (df["planted"] < 0).to_numpy() & (rng.random(len(df)) < cat.WAGE_WAVE_SHARE))
    filed = df["filed_date"].to_numpy().copy()
    year = df["filed_date"].dt.year.to_numpy()
    before, after = cat.WAGE_WAVE_DAYS_BEFORE_FESTIVAL
    for y in np.unique(year[sel]):
        days, p = day_weights(int(y))
        fest = np.datetime64(cat.SPRING_FESTIVAL[int(y)])
        month = days.astype("datetime64[M]").astype(int) % 12 + 1
        window = (month == 12) | ((days >= fest - before * DAY) & (days <= fest - after * DAY))
        w = np.where(window, p, 0.0)
        rows = sel & (year == y)
        filed[rows] = rng.choice(days, size=int(rows.sum()), p=w / w.sum()).astype("datetime64[s]")
    return df.assign(filed_date=filed.astype("datetime64[s]"))


def _derive(rng: np.random.Generator, src: pd.DataFrame, sel: np.ndarray, type_code: str,
            lag: tuple[int, int], court: str | None, start_col: str = "closed_date") -> pd.DataFrame:
    """New cases arising from the selected closed cases (appeal, enforcement ...)."""
    rows = src.loc[sel]
    n = len(rows)
    start = rows[start_col].to_numpy()
    filed = start + rng.integers(lag[0], lag[1] + 1, n) * DAY
    out = pd.DataFrame({
        "type_code": _obj(np.full(n, type_code, dtype=object)), "cause": _obj(rows["cause"].to_numpy(dtype=object)),
        "adcode": rows["adcode"].to_numpy(),
        "filed_date": filed.astype("datetime64[s]"), "track": None,
        "origin": rows.index.to_numpy(),
    })
    if court is None:
        # Enforcement is filed at the court that decided the case at first instance (民诉法
        # art. 235), under the code that court uses on the filing date.
        out["court_code"] = _obj(_successor(rows["court_code"].to_numpy(dtype=object), out["filed_date"].to_numpy()))
    else:
        out["court_code"] = _obj(np.full(n, court, dtype=object))
    for col in (*PARTY_COLUMNS, "amount"):
        if col in rows:
            out[col] = rows[col].to_numpy()
    return out[out["filed_date"] <= np.datetime64(cat.AS_OF)]


def _amounts(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> np.ndarray:
    amount = np.full(len(df), np.nan)
    cause_arr, c_idx = _codes(df["cause"].to_numpy(dtype=object))
    for name, c in causes.items():
        if c.amount is None or name not in c_idx:
            continue
        sel = cause_arr == c_idx[name]
        amount[sel] = np.round(rng.lognormal(np.log(c.amount[0]), c.amount[1], int(sel.sum())), -1)
    return amount


def generate_cases(seed: int = cat.SEED, scale: float = 1.0, progress: Progress = _noop) -> pd.DataFrame:
    """The synthetic case table (one row per case number), deterministic for (seed, scale).

    ``attrs["higher_court_filings"]``: appeals and petitions that go to 江苏高院 (not in the
    table), as {type code: {year: count}}.
    """
    rng = np.random.default_rng(seed)
    causes = {c.name: c for group in cat.CAUSES_BY_TYPE.values() for c in group}
    progress(0.02, "生成一审及其他案件 / drawing first instances")
    base = _base_cases(rng, scale)
    base = plants.plant(base, scale, rng)
    base = assign_parties(rng, base, causes)
    base = _wage_waves(rng, base)
    base["track"] = _obj(_tracks(rng, base), base.index)
    base["amount"] = _amounts(rng, base, causes)
    base["court_code"] = _obj(_courts(rng, base, causes), base.index)
    base = _finish(rng, base)
    as_of = np.datetime64(cat.AS_OF)
    higher: list[pd.DataFrame] = []  # filings at 江苏高院: counted, not stored

    progress(0.15, "派生上诉、执行案件 / deriving appeals and enforcement")
    closed_ok = base["closed_date"].to_numpy() <= as_of
    judged = base["outcome"].isin(["判决", "驳回起诉"]).to_numpy() & closed_ok
    tc = base["type_code"].to_numpy(dtype=object)
    at_inter = base["court_code"].to_numpy(dtype=object) == "苏06"
    r = rng.random(len(base))
    appealed = np.zeros(len(base), dtype=bool)
    appeals = []
    for first, second in (("民初", "民终"), ("刑初", "刑终"), ("行初", "行终")):
        sel = judged & (tc == first) & (r < cat.APPEAL[first])
        appealed |= sel
        appeals.append(_derive(rng, base, sel & ~at_inter, second, cat.APPEAL_LAG, "苏06"))
        higher.append(_derive(rng, base, sel & at_inter, second, cat.APPEAL_LAG, "苏"))
    # 民申 against an effective (unappealed) first-instance judgment: to the court one level up.
    r = rng.random(len(base))
    petition = judged & (tc == "民初") & ~appealed & (r < cat.PETITION_AFTER_FIRST)
    appeals.append(_derive(rng, base, petition & ~at_inter, "民申", (30, 180), "苏06"))
    higher.append(_derive(rng, base, petition & at_inter, "民申", (30, 180), "苏"))
    app = _finish(rng, pd.concat(appeals))
    ruling = (app["type_code"].to_numpy(dtype=object) == "民终") & (
        base["outcome"].to_numpy(dtype=object)[app["origin"].to_numpy()] == "驳回起诉")
    days = np.maximum(np.round(rng.lognormal(np.log(cat.RULING_APPEAL_DURATION[0]), cat.RULING_APPEAL_DURATION[1],
                                             int(ruling.sum()))), 1).astype("int64")
    app.loc[ruling, "closed_date"] = (app.loc[ruling, "filed_date"].to_numpy() + days * DAY).astype("datetime64[s]")
    app.index = np.arange(len(base), len(base) + len(app))
    df = pd.concat([base, app])

    closed_ok = df["closed_date"].to_numpy() <= as_of
    tc = df["type_code"].to_numpy(dtype=object)
    out = df["outcome"].to_numpy(dtype=object)
    r = rng.random(len(df))
    # 民申 against 苏06's 二审 decisions go to 江苏高院.
    petition = (tc == "民终") & np.isin(out, ["维持原判", "改判"]) & closed_ok & (r < cat.PETITION_AFTER_APPEAL)
    higher.append(_derive(rng, df, petition, "民申", (30, 180), "苏"))
    has_amount = ~np.isnan(df["amount"].to_numpy(dtype=float))
    enforce = (tc == "民初") & closed_ok & has_amount & (
        ((out == "判决") & (r < cat.ENFORCE_AFTER_JUDGMENT)) | ((out == "调解") & (r < cat.ENFORCE_AFTER_MEDIATION)))
    der = _finish(rng, _derive(rng, df, enforce, "执", cat.ENFORCE_LAG, None))
    der.index = np.arange(len(df), len(df) + len(der))
    frac = rng.uniform(0.4, 1.0, len(der))
    der["amount"] = np.round(der["amount"] * frac, -1)
    df = pd.concat([df, der])

    closed_ok = df["closed_date"].to_numpy() <= as_of
    is_exec = df["type_code"].to_numpy(dtype=object) == "执"
    resume = is_exec & (df["outcome"].to_numpy(dtype=object) == "终结本次执行") & closed_ok & (
        rng.random(len(df)) < cat.RESUME_AFTER_TERMINATION)
    objection = is_exec & (rng.random(len(df)) < cat.OBJECTION_IN_ENFORCEMENT)
    ex = [_derive(rng, df, resume, "执恢", (90, 720), None),
          _derive(rng, df, objection, "执异", (5, 60), None, start_col="filed_date")]
    ex = _finish(rng, pd.concat(ex))
    ex.index = np.arange(len(df), len(df) + len(ex))
    df = pd.concat([df, ex])

    progress(0.3, "执行到位金额、案号、地点 / amounts, case numbers, places")
    df = _enforcement_money(rng, df)
    pending = df["closed_date"].to_numpy() > as_of
    df.loc[pending, "closed_date"] = pd.NaT
    df.loc[pending, "outcome"] = None
    df = _locate(rng, df, causes)
    df = _number(df)
    df = _finalise(df, causes)
    df.attrs["higher_court_filings"] = _count_higher(higher)
    return df


def _count_higher(frames: list[pd.DataFrame]) -> dict[str, dict[str, int]]:
    """Cases filed at 江苏高院 by type code and filing year (from 2016)."""
    h = pd.concat(frames)
    year = h["filed_date"].dt.year
    h = h[year >= cat.YEARS[0]]
    counts = h.groupby([h["type_code"], h["filed_date"].dt.year]).size()
    out: dict[str, dict[str, int]] = {}
    for (code, y), n in counts.items():
        out.setdefault(str(code), {})[str(y)] = int(n)
    return out


def _enforcement_money(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """执行到位金额 by how the enforcement case ended."""
    n = len(df)
    share = np.zeros(n)
    out = df["outcome"].to_numpy()
    share = np.where(out == "执行完毕", 1.0, share)
    share = np.where(out == "执行和解", rng.uniform(0.5, 1.0, n), share)
    share = np.where(out == "终结本次执行", np.where(rng.random(n) < 0.7, 0.0, rng.uniform(0, 0.3, n)), share)
    share = np.where(out == "终结执行", rng.uniform(0, 0.5, n), share)
    pending = df["closed_date"].to_numpy() > np.datetime64(cat.AS_OF)
    share = np.where(pending, rng.uniform(0, 0.3, n), share)
    is_exec = df["type_code"].isin(["执", "执恢"]).to_numpy()
    rec = np.where(is_exec, np.round(df["amount"].to_numpy(dtype=float) * share, -1), np.nan)
    return df.assign(amount_recovered=rec)


def _locate(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Place of dispute/offence: drawn for independent cases, inherited by derived ones."""
    places = _Places(rng)
    lon = np.full(len(df), np.nan)
    lat = np.full(len(df), np.nan)
    own = (df["origin"] < 0).to_numpy()
    riverside = df["cause"].map({n: c.riverside for n, c in causes.items()}).fillna(False).to_numpy(dtype=bool)
    adcode = df["adcode"].to_numpy()
    for a in np.unique(adcode):
        for rv in (False, True):
            sel = own & (adcode == a) & (riverside == rv)
            if sel.any():
                lon[sel], lat[sel] = places.sample(int(a), int(sel.sum()), rv)
    pos = pd.Series(np.arange(len(df)), index=df.index)
    for _ in range(3):  # derived from derived (执恢 from 执 from 民初): follow the chain
        need = ~own & np.isnan(lon)
        src = pos.loc[df["origin"].to_numpy()[need]].to_numpy()
        lon[need], lat[need] = lon[src], lat[src]
    # About 3% of real records carry no usable address.
    missing = rng.random(len(df)) < 0.03
    lon[missing] = np.nan
    lat[missing] = np.nan
    return df.assign(lon=lon, lat=lat)


def _number(df: pd.DataFrame) -> pd.DataFrame:
    """案号 like (2021)苏0682民初1234号: numbered per court, type and year in filing order."""
    df = df.sort_values(["filed_date", "origin"], kind="stable")
    year = df["filed_date"].dt.year
    seq = df.groupby([year, df["court_code"], df["type_code"]], sort=False).cumcount() + 1
    df["case_no"] = ("(" + year.astype(str) + ")" + df["court_code"] + df["type_code"]
                     + seq.astype(str) + "号")
    return df


def _finalise(df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Schema columns: category/procedure from the type code, cause group, origin case number."""
    tc = df["type_code"]
    df["category"] = tc.map({t: v[0] for t, v in TYPE_CODES.items()})
    df["procedure"] = tc.map({t: v[1] for t, v in TYPE_CODES.items()})
    df["cause_group"] = df["cause"].map({name: c.group for name, c in causes.items()})
    df["origin_case_no"] = df["origin"].map(df["case_no"]).where(df["origin"] >= 0)
    df["source"] = "synthetic"
    df["h3_r7"] = pd.NA
    df["cause_filed"] = None  # only exports with 立案案由 and 结案案由 fill it (analytics/importer)
    start = pd.Timestamp(cat.YEARS[0], 1, 1)
    # Lead-in year: keep only what was still pending when the data period starts (旧存);
    # links to dropped 2015 cases stay, as they would in a real extract.
    keep = (df["filed_date"] >= start) | df["closed_date"].isna() | (df["closed_date"] >= start)
    df = df[keep].reset_index(drop=True)[list(CASE_COLUMN_NAMES)]
    text = ["court_code", "type_code", "track", "cause", "outcome", "plaintiff_kind", "plaintiff_industry",
            "defendant_kind", "defendant_industry"]
    return df.astype({**dict.fromkeys(text, "str"), "plaintiff_key": "Int64", "defendant_key": "Int64"})


def store_meta(seed: int, scale: float, n: int, seconds: float,
               higher_court: dict[str, dict[str, int]] | None = None) -> dict[str, str]:
    """Metadata written into a generated store (the app reads ``dataset`` to label it synthetic).

    ``higher_court_filings``: JSON {type code: {year: count}} of the appeals and retrial petitions
    that go to 江苏高院 and are therefore not in the store.
    """
    return {
        "higher_court_filings": json.dumps(higher_court or {}, ensure_ascii=False, sort_keys=True),
        "dataset": "synthetic",
        "generator_version": GENERATOR_VERSION,
        "seed": str(seed),
        "scale": str(scale),
        "rows": str(n),
        "as_of": cat.AS_OF.isoformat(),
        "period_start": f"{cat.YEARS[0]}-01-01",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generation_seconds": f"{seconds:.1f}",
    }


def build_default_store(path: Path, seed: int = cat.SEED, scale: float = 1.0,
                        progress: Progress = _noop) -> Path:
    """Generate the synthetic data set and write it as a DuckDB store at ``path``."""
    from analytics.store import build_store

    t0 = time.perf_counter()
    df = generate_cases(seed, scale, lambda f, m: progress(f * 0.6, m))
    meta = store_meta(seed, scale, len(df), time.perf_counter() - t0, df.attrs.get("higher_court_filings"))
    return build_store(path, df, meta, lambda f, m: progress(0.6 + 0.4 * f, m))


def main() -> None:
    """Command line: build a store from the generator."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=cat.SEED)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from analytics.settings import load_settings

    out = args.out or load_settings().db_path
    t0 = time.perf_counter()
    build_default_store(out, args.seed, args.scale, lambda f, m: print(f"{f:4.0%} {m}", flush=True))
    print(f"wrote {out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
